package io.conprof.cli;

import io.conprof.core.model.Durations;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Times on the {@code query} command line, as Unix milliseconds.
 *
 * <ul>
 *   <li>{@code now};
 *   <li>relative to now: {@code -1h}, {@code -30m}, {@code -1h30m}, {@code +5m} (a sign, then a
 *       Prometheus duration);
 *   <li>a Unix time: a number whose absolute value is below 10<sup>11</sup> is seconds (fractions
 *       allowed; 10<sup>11</sup> s is the year 5138), a larger one is milliseconds (an integer;
 *       10<sup>11</sup> ms is March 1973);
 *   <li>RFC 3339: {@code 2024-05-01T12:00:00Z}, {@code 2024-05-01T14:00:00.5+02:00}.
 * </ul>
 */
final class QueryTimes {
  /** Numbers at or above this magnitude are milliseconds, below it seconds. */
  static final long MILLIS_THRESHOLD = 100_000_000_000L;
  private static final Pattern NUMBER = Pattern.compile("[+-]?[0-9]+(\\.[0-9]+)?");
  private static final int MAX_CHARS = 64;

  private QueryTimes() {}

  /**
   * Parses {@code text} relative to {@code nowMillis}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  static long parse(String text, long nowMillis) {
    String s = text.trim();
    if (s.length() > MAX_CHARS) {
      throw invalid(text, "too long");
    }
    if (s.equals("now")) {
      return nowMillis;
    }
    if (NUMBER.matcher(s).matches()) {
      BigDecimal v = new BigDecimal(s);
      if (v.abs().compareTo(BigDecimal.valueOf(MILLIS_THRESHOLD)) < 0) {
        return v.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
      }
      if (v.scale() > 0 && v.stripTrailingZeros().scale() > 0) {
        throw invalid(text, "milliseconds must be a whole number");
      }
      try {
        return v.longValueExact();
      } catch (ArithmeticException e) {
        throw invalid(text, "out of range");
      }
    }
    if (s.startsWith("-") || s.startsWith("+")) {
      Duration d;
      try {
        d = Durations.parse(s.substring(1));
      } catch (IllegalArgumentException e) {
        throw invalid(text, e.getMessage());
      }
      long ms = d.toMillis();
      return s.startsWith("-") ? nowMillis - ms : nowMillis + ms;
    }
    try {
      return OffsetDateTime.parse(s).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw invalid(text, "not now, a relative duration, a Unix time or RFC 3339");
    }
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException("bad time \"" + text + "\": " + why
        + " (use now, -1h, Unix seconds or milliseconds, or RFC 3339 like 2024-05-01T12:00:00Z)");
  }
}
