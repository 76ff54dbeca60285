package io.conprof.query.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request's parameters: the URL's query string, plus the body of a form POST, decoded as
 * {@code application/x-www-form-urlencoded}. Bounded: at most {@value #MAX_PARAMS} parameters
 * (the body itself is bounded by the caller). Every accessor that can refuse throws {@link
 * ApiException} of kind bad_data naming the parameter and the reason.
 */
final class Params {
  static final int MAX_PARAMS = 1_000;

  private final Map<String, List<String>> values = new LinkedHashMap<>();

  Params(String... encodedParts) {
    int count = 0;
    for (String part : encodedParts) {
      if (part == null || part.isEmpty()) {
        continue;
      }
      for (String kv : part.split("&")) {
        if (kv.isEmpty()) {
          continue;
        }
        if (++count > MAX_PARAMS) {
          throw ApiException.badData("too many parameters: more than " + MAX_PARAMS);
        }
        int eq = kv.indexOf('=');
        String k = decode(eq < 0 ? kv : kv.substring(0, eq));
        String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
        values.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      }
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiException.badData("malformed URL encoding in \"" + s + "\": " + e.getMessage());
    }
  }

  /** The first value of {@code name}, or null when absent. */
  String get(String name) {
    List<String> v = values.get(name);
    return v == null ? null : v.get(0);
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  /** A required, non-empty value. */
  String required(String name) {
    String v = get(name);
    if (v == null || v.isEmpty()) {
      throw ApiException.badData("missing parameter \"" + name + "\"");
    }
    return v;
  }

  /** A required time: integer milliseconds since the epoch, or RFC 3339. */
  long time(String name) {
    String v = get(name);
    if (v == null || v.isEmpty()) {
      throw ApiException.badData("missing parameter \"" + name + "\"");
    }
    return parseTime(name, v);
  }

  /** An optional time, else {@code fallback}. */
  long time(String name, long fallback) {
    String v = get(name);
    return v == null || v.isEmpty() ? fallback : parseTime(name, v);
  }

  static long parseTime(String name, String v) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      try {
        return OffsetDateTime.parse(v).toInstant().toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e2) {
        throw ApiException.badData("invalid parameter \"" + name + "\": cannot parse \"" + v
            + "\" to a valid timestamp (want integer milliseconds since the epoch or RFC 3339)");
      }
    }
  }

  /** An optional positive integer, else {@code fallback}. */
  int positiveInt(String name, int fallback) {
    String v = get(name);
    if (v == null || v.isEmpty()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badData("invalid parameter \"" + name + "\": want a positive integer, got \""
        + v + "\"");
  }
}
