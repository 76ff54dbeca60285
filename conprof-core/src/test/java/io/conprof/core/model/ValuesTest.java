package io.conprof.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void sample_equalsByContentAndPrintsLength() {
    Sample a = new Sample(5, new byte[] {1, 2, 3});
    Sample b = new Sample(5, new byte[] {1, 2, 3});
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(new Sample(6, new byte[] {1, 2, 3}));
    assertThat(a).isNotEqualTo(new Sample(5, new byte[] {1, 2, 4}));
    assertThat(a).hasToString("Sample[timestampMillis=5, bytes=3 bytes]");
  }

  @Test
  void sample_refusesNullBytes() {
    assertThatThrownBy(() -> new Sample(1, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("bytes");
  }

  @Test
  void timeRange_isInclusive() {
    TimeRange r = new TimeRange(10, 20);
    assertThat(r.contains(10)).isTrue();
    assertThat(r.contains(20)).isTrue();
    assertThat(r.contains(9)).isFalse();
    assertThat(r.contains(21)).isFalse();
    assertThat(r.overlaps(20, 30)).isTrue();
    assertThat(r.overlaps(0, 10)).isTrue();
    assertThat(r.overlaps(21, 30)).isFalse();
    assertThat(r.overlaps(0, 9)).isFalse();
    assertThat(r.overlaps(12, 13)).isTrue();
    assertThat(r.overlaps(0, 100)).isTrue();
    assertThat(new TimeRange(7, 7).contains(7)).isTrue();
  }

  @Test
  void timeRange_refusesMinAfterMax() {
    assertThatThrownBy(() -> new TimeRange(2, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("time range min 2 is after max 1");
  }

  @Test
  void timeRange_allContainsEverything() {
    assertThat(TimeRange.all().contains(Long.MIN_VALUE)).isTrue();
    assertThat(TimeRange.all().contains(Long.MAX_VALUE)).isTrue();
    assertThat(TimeRange.all().overlaps(0, 0)).isTrue();
  }

  @Test
  void labelNames_rules() {
    assertThat(LabelNames.isLegacyValid("job_1")).isTrue();
    assertThat(LabelNames.isLegacyValid("_x")).isTrue();
    assertThat(LabelNames.isLegacyValid("1x")).isFalse();
    assertThat(LabelNames.isLegacyValid("a:b")).isFalse();
    assertThat(LabelNames.isLegacyValid("")).isFalse();
    assertThat(LabelNames.isLegacyValid("ü")).isFalse();
    assertThat(LabelNames.isValidMetricName("a:b")).isTrue();
    assertThat(LabelNames.isValidMetricName(":a")).isTrue();
    assertThat(LabelNames.isValidMetricName("1a")).isFalse();
    assertThat(LabelNames.isValidMetricName("a.b")).isFalse();
    LabelNames.validate("foo.bar ü 😀");
    assertThatThrownBy(() -> LabelNames.validate(null)).hasMessage("label name is null");
    assertThatThrownBy(() -> LabelNames.validate("a\ud800b"))
        .hasMessage("label name \"a\\ud800b\" is not valid UTF-8: unpaired surrogate at index 1");
  }
}
