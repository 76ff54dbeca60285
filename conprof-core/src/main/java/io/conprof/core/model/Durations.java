package io.conprof.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Prometheus' duration syntax ({@code model.ParseDuration} of prometheus/common): units
 * {@code y w d h m s ms} (a year is 365 days, a week 7 days), each at most once and in that order,
 * each with a non-negative integer, e.g. {@code 1h30m}, {@code 2d}, {@code 500ms}; {@code 0} is
 * allowed without a unit. Durations that do not fit in Go's {@code time.Duration} (about 292 years
 * of nanoseconds) are refused, as Prometheus refuses them.
 */
public final class Durations {
  private static final long MS = 1;
  private static final long SECOND = 1000 * MS;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;
  private static final long WEEK = 7 * DAY;
  private static final long YEAR = 365 * DAY;
  private static final String[] UNITS = {"y", "w", "d", "h", "m", "s", "ms"};
  private static final long[] UNIT_MILLIS = {YEAR, WEEK, DAY, HOUR, MINUTE, SECOND, MS};
  private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000L;
  private static final int MAX_CHARS = 64;

  private Durations() {}

  /**
   * Parses a Prometheus duration.
   *
   * @throws IllegalArgumentException e.g. {@code not a valid duration string: "1h1h"}
   */
  public static Duration parse(String s) {
    Objects.requireNonNull(s, "duration");
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration string");
    }
    if (s.length() > MAX_CHARS) {
      throw new IllegalArgumentException("not a valid duration string: "
          + GoStrings.quote(s.substring(0, MAX_CHARS)) + "... (too long)");
    }
    long totalMillis = 0;
    int pos = 0;
    int nextUnit = 0;
    while (pos < s.length()) {
      int start = pos;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
      }
      if (pos == start) {
        throw invalid(s);
      }
      String digits = s.substring(start, pos);
      int unit = -1;
      for (int u = nextUnit; u < UNITS.length; u++) {
        if (s.startsWith(UNITS[u], pos) && !(UNITS[u].equals("m") && s.startsWith("ms", pos))) {
          unit = u;
          break;
        }
      }
      if (unit < 0) {
        throw invalid(s);
      }
      pos += UNITS[unit].length();
      nextUnit = unit + 1;
      long n;
      try {
        n = Long.parseLong(digits);
      } catch (NumberFormatException e) {
        throw outOfRange(s);
      }
      if (n > MAX_MILLIS / UNIT_MILLIS[unit]) {
        throw outOfRange(s);
      }
      totalMillis += n * UNIT_MILLIS[unit];
      if (totalMillis > MAX_MILLIS) {
        throw outOfRange(s);
      }
    }
    return Duration.ofMillis(totalMillis);
  }

  private static IllegalArgumentException invalid(String s) {
    return new IllegalArgumentException("not a valid duration string: " + GoStrings.quote(s));
  }

  private static IllegalArgumentException outOfRange(String s) {
    return new IllegalArgumentException("duration out of range: " + GoStrings.quote(s));
  }

  /**
   * Formats as Prometheus does: largest units first, years and weeks only when they divide the
   * duration exactly ({@code 90d}, not {@code 12w6d}); {@code 0s} for zero. Sub-millisecond parts
   * are dropped.
   *
   * @throws IllegalArgumentException for a negative duration
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 0) {
      throw new IllegalArgumentException("negative duration " + d);
    }
    if (ms == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    for (int u = 0; u < UNITS.length; u++) {
      long mult = UNIT_MILLIS[u];
      boolean exactOnly = u < 2;
      if (exactOnly && ms % mult != 0) {
        continue;
      }
      long v = ms / mult;
      if (v > 0) {
        sb.append(v).append(UNITS[u]);
        ms -= v * mult;
      }
    }
    return sb.toString();
  }
}
