package io.conprof.core.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScrapeMetricsTest {
  @Test
  void writeText_followsTheExpositionFormat_withEscapedLabelValues() throws IOException {
    ScrapeMetrics m = new ScrapeMetrics();
    m.scraped("a\"b\\c\nd", 0.3, 100);
    m.scraped("a\"b\\c\nd", 7, 50);
    m.failed("a\"b\\c\nd", "http_status");
    m.stored();
    m.targets(() -> Map.of(List.of("j", "up"), 2L));
    StringBuilder sb = new StringBuilder();
    m.writeText(sb);
    String text = sb.toString();
    assertThat(text).contains("""
        # HELP conprof_scrapes_total Scrapes finished, successful or not, per job.
        # TYPE conprof_scrapes_total counter
        conprof_scrapes_total{job="a\\"b\\\\c\\nd"} 2
        # HELP conprof_scrape_failures_total Scrapes that stored nothing, per job and reason.
        # TYPE conprof_scrape_failures_total counter
        conprof_scrape_failures_total{job="a\\"b\\\\c\\nd",reason="http_status"} 1
        """);
    assertThat(text).contains("conprof_scrape_body_bytes_total 150\n")
        .contains("conprof_profiles_stored_total 1\n")
        .contains("# TYPE conprof_scrape_duration_seconds histogram\n")
        .contains("conprof_scrape_duration_seconds_bucket{le=\"0.25\"} 0\n")
        .contains("conprof_scrape_duration_seconds_bucket{le=\"0.5\"} 1\n")
        .contains("conprof_scrape_duration_seconds_bucket{le=\"10\"} 2\n")
        .contains("conprof_scrape_duration_seconds_bucket{le=\"+Inf\"} 2\n")
        .contains("conprof_scrape_duration_seconds_sum 7.3\n")
        .contains("conprof_scrape_duration_seconds_count 2\n")
        .contains("conprof_scrape_targets{job=\"j\",health=\"up\"} 2\n");
    // Every sample line belongs to a family announced by a TYPE line, and no family repeats.
    List<String> types = text.lines().filter(l -> l.startsWith("# TYPE ")).toList();
    assertThat(types).doesNotHaveDuplicates();
    assertThat(text).endsWith("\n");
    assertThat(m.scrapes("a\"b\\c\nd")).isEqualTo(2);
    assertThat(m.failures("a\"b\\c\nd", "http_status")).isEqualTo(1);
  }

  @Test
  void formatValue_spellsNumbersAsPrometheusDoes() {
    assertThat(ScrapeMetrics.formatValue(3)).isEqualTo("3");
    assertThat(ScrapeMetrics.formatValue(0.025)).isEqualTo("0.025");
    assertThat(ScrapeMetrics.formatValue(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(ScrapeMetrics.formatValue(Double.NaN)).isEqualTo("NaN");
  }
}
