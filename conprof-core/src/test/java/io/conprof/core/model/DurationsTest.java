package io.conprof.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parse_acceptsPrometheusSyntax() {
    assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(Durations.parse("1w")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("1y")).isEqualTo(Duration.ofDays(365));
    assertThat(Durations.parse("1y2w3d4h5m6s7ms")).isEqualTo(Duration.ofDays(365 + 14 + 3)
        .plusHours(4).plusMinutes(5).plusSeconds(6).plusMillis(7));
    assertThat(Durations.parse("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("1m500ms")).isEqualTo(Duration.ofMillis(60_500));
  }

  @Test
  void parse_refusesBadSyntax() {
    String[][] table = {
        {"", "empty duration string"},
        {"1", "not a valid duration string: \"1\""},
        {"1x", "not a valid duration string: \"1x\""},
        {"1h1h", "not a valid duration string: \"1h1h\""},
        {"1s1m", "not a valid duration string: \"1s1m\""},
        {"-1s", "not a valid duration string: \"-1s\""},
        {"1.5s", "not a valid duration string: \"1.5s\""},
        {" 1s", "not a valid duration string: \" 1s\""},
        {"1S", "not a valid duration string: \"1S\""},
        {"s", "not a valid duration string: \"s\""},
        {"300y", "duration out of range: \"300y\""},
        {"99999999999999999999ms", "duration out of range: \"99999999999999999999ms\""},
    };
    for (String[] row : table) {
      assertThatThrownBy(() -> Durations.parse(row[0])).as(row[0])
          .isInstanceOf(IllegalArgumentException.class).hasMessage(row[1]);
    }
  }

  @Test
  void parse_acceptsUpToGoDurationLimit() {
    assertThat(Durations.parse("292y")).isEqualTo(Duration.ofDays(292 * 365));
  }

  @Test
  void format_matchesPrometheus() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofDays(90))).isEqualTo("90d");
    assertThat(Durations.format(Duration.ofDays(14))).isEqualTo("2w");
    assertThat(Durations.format(Duration.ofDays(365))).isEqualTo("1y");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1s500ms");
    assertThat(Durations.format(Duration.ofSeconds(10))).isEqualTo("10s");
  }

  @Test
  void formatThenParse_roundTrips() {
    java.util.Random rnd = new java.util.Random(11);
    for (int i = 0; i < 1000; i++) {
      Duration d = Duration.ofMillis(Math.abs(rnd.nextLong() % (400L * 24 * 3600 * 1000)));
      assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
  }
}
