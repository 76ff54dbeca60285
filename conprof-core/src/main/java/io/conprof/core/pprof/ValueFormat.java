package io.conprof.core.pprof;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Values with units the way pprof prints them (its measurement package): nanoseconds scale to
 * us/ms/s/hrs, bytes to kB/MB/GB/TB (powers of 1024), counts stay plain; two decimals, ".00"
 * trimmed. A report picks one unit for all its values from its smallest and largest value.
 */
final class ValueFormat {
  private record Unit(String name, double factor) {}

  private static final Unit[] BYTES = {
    new Unit("B", 1), new Unit("kB", 1 << 10), new Unit("MB", 1 << 20), new Unit("GB", 1 << 30),
    new Unit("TB", 1L << 40), new Unit("PB", 1L << 50)
  };
  private static final Unit[] TIME = {
    new Unit("ns", 1), new Unit("us", 1e3), new Unit("ms", 1e6), new Unit("s", 1e9), new Unit("hrs", 3.6e12)
  };

  private final Unit[] family;
  private final double baseFactor; // sample unit in the family's base unit
  private final Unit unit;

  private ValueFormat(Unit[] family, double baseFactor, Unit unit) {
    this.family = family;
    this.baseFactor = baseFactor;
    this.unit = unit;
  }

  /** The format for values in {@code sampleUnit} ranging from {@code minValue} to {@code maxValue}. */
  static ValueFormat forRange(String sampleUnit, long minValue, long maxValue) {
    String u = sampleUnit.toLowerCase(Locale.ROOT);
    if (u.length() > 2 && u.endsWith("s")) {
      u = u.substring(0, u.length() - 1);
    }
    Unit[] family = null;
    double factor = 0;
    switch (u) {
      case "b", "byte" -> { family = BYTES; factor = 1; }
      case "kb", "kbyte", "kilobyte" -> { family = BYTES; factor = 1 << 10; }
      case "mb", "mbyte", "megabyte" -> { family = BYTES; factor = 1 << 20; }
      case "gb", "gbyte", "gigabyte" -> { family = BYTES; factor = 1 << 30; }
      case "ns", "nanosecond" -> { family = TIME; factor = 1; }
      case "us", "μs", "microsecond" -> { family = TIME; factor = 1e3; }
      case "ms", "millisecond" -> { family = TIME; factor = 1e6; }
      case "s", "sec", "second" -> { family = TIME; factor = 1e9; }
      case "hour", "hr" -> { family = TIME; factor = 3.6e12; }
      default -> { }
    }
    if (family == null) {
      return new ValueFormat(null, 1, null);
    }
    long min = minValue == 0 ? maxValue : minValue;
    Unit minUnit = auto(family, min * factor);
    Unit maxUnit = auto(family, maxValue * factor);
    Unit chosen = minUnit;
    if (minUnit != maxUnit && (double) min * 100 < maxValue) {
      chosen = auto(family, 100.0 * min * factor);
    }
    return new ValueFormat(family, factor, chosen);
  }

  /** {@code value} in its own best unit, as pprof's measurement.Label prints a single value. */
  static String auto(String sampleUnit, long value) {
    return forRange(sampleUnit, Math.abs(value), Math.abs(value)).format(value);
  }

  private static Unit auto(Unit[] family, double v) {
    Unit best = null;
    for (Unit u : family) {
      if ((best == null || u.factor >= best.factor) && Math.abs(v) / u.factor >= 1.0) {
        best = u;
      }
    }
    return best != null ? best : family[0];
  }

  String format(long value) {
    double v = unit == null ? value : value * baseFactor / unit.factor;
    String s = fixed2(v);
    if (s.endsWith(".00")) {
      s = s.substring(0, s.length() - 3);
    }
    if (s.equals("0") || s.equals("-0")) {
      return "0";
    }
    return unit == null ? s : s + unit.name;
  }

  /** pprof's percentage: "  100%", two decimals from 1%, else two significant digits. */
  static String percentage(long value, long total) {
    String p = percentageStripped(value, total);
    return p.length() >= 6 ? p : "      ".substring(p.length()) + p;
  }

  /** {@link #percentage} without the padding, as pprof's flame-graph JSON trims it. */
  static String percentageStripped(long value, long total) {
    double ratio = total == 0 ? 0 : Math.abs((double) value / total) * 100;
    if (ratio >= 99.95 && ratio <= 100.05) {
      return "100%";
    }
    return (ratio >= 1.0 ? fixed2(ratio) : goG2(ratio)) + "%";
  }


  /**
   * Go's {@code %.2f}: the exact binary value rounded to two decimals, ties to even ({@code
   * String.format} rounds ties up, so 1025.125 would print as 1025.13 where Go prints 1025.12).
   */
  static String fixed2(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.isNaN(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
    }
    double a = Math.abs(v);
    if (a < 1e13) {
      // Fast path: away from a tie, rounding the scaled double gives the exact answer.
      double scaled = a * 100;
      double frac = scaled - Math.floor(scaled);
      if (Math.abs(frac - 0.5) > 1e-6) {
        long r = Math.round(scaled);
        long cents = r % 100;
        return (v < 0 ? "-" : "") + (r / 100) + (cents < 10 ? ".0" : ".") + cents;
      }
    }
    String s = new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
    return v < 0 && !s.startsWith("-") ? "-" + s : s;
  }

  /** Go's {@code %.2g} of a non-negative value: two significant digits, exact value, ties to even. */
  static String goG2(double v) {
    if (v == 0) {
      return "0";
    }
    BigDecimal rounded = new BigDecimal(v).round(new MathContext(2, RoundingMode.HALF_EVEN));
    int exp = rounded.precision() - rounded.scale() - 1; // decimal exponent of the first digit
    if (exp < -4 || exp >= 2) {
      String digits = rounded.unscaledValue().abs().toString();
      String mant = digits.length() > 1 && digits.charAt(1) != '0' ? digits.charAt(0) + "." + digits.charAt(1)
          : digits.substring(0, 1);
      return mant + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
    }
    return rounded.stripTrailingZeros().toPlainString();
  }

  boolean hasUnit() {
    return family != null;
  }
}
