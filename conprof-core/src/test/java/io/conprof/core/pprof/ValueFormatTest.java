package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValueFormatTest {
  /** Values and the text go tool pprof prints for them (measurement.Label: each value in its own unit). */
  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "nanoseconds, 1760000000, 1.76s",
    "nanoseconds, 205170000000, 205.17s",
    "nanoseconds, 52631578, 52.63ms",
    "nanoseconds, 3124, 3.12us",
    "nanoseconds, 0, 0",
    "bytes, 33554432, 32MB",
    "bytes, 1765955, 1.68MB",
    "bytes, 1049728, 1MB",
    "bytes, 1024, 1kB",
    "count, 462, 462",
    "microseconds, 1900, 1.90ms",
    "furlongs, 7, 7",
  })
  void auto_scalesLikePprofsMeasurementPackage(String unit, long value, String expected) {
    assertThat(ValueFormat.auto(unit, value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"1025.125, 1025.12", "1025.375, 1025.38", "0.125, 0.12", "0.135, 0.14", "2.5, 2.50", "-0.001, -0.00"})
  void fixed2_roundsTheExactBinaryValueTiesToEvenAsGo(double v, String expected) {
    assertThat(ValueFormat.fixed2(v)).isEqualTo(expected);
  }

  @Test
  void fixed2_agreesWithExactRoundingOnSeededRandomValues() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 200_000; i++) {
      double v = switch (i % 4) {
        case 0 -> random.nextInt(2_000_000) / 1000.0; // many near-ties
        case 1 -> random.nextInt(1 << 20) / 8.0; // exact ties
        case 2 -> -random.nextDouble() * 1e6;
        default -> random.nextDouble() * Math.pow(10, random.nextInt(30) - 10);
      };
      String exact = new java.math.BigDecimal(v).setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
      exact = v < 0 && !exact.startsWith("-") ? "-" + exact : exact;
      assertThat(ValueFormat.fixed2(v)).as("%s", v).isEqualTo(exact);
    }
  }

  @ParameterizedTest(name = "{0}/{1} -> [{2}]")
  @CsvSource(delimiter = '|', value = {
    "1280|1760|72.73%",
    "1760|1760|'  100%'",
    "9995|10000|'  100%'",
    "63|10000|' 0.63%'",
    "5|10000|' 0.05%'",
    "1|1000000|0.0001%",
    "1|100000000|1e-06%",
    "0|100|'    0%'",
    "3|0|'    0%'",
  })
  void percentage_isPprofsPercentage(long value, long total, String expected) {
    assertThat(ValueFormat.percentage(value, total)).isEqualTo(expected);
  }
}
