package io.conprof.core.scrape;

import io.conprof.core.model.LabelNames;
import io.conprof.core.model.Labels;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * One active target: one discovered address × one profile type, after relabelling.
 *
 * @param job the scrape pool ({@code job_name})
 * @param labels the series labels of the profiles scraped from it: {@code __name__} (the profile
 *     type), {@code job}, {@code instance} and every other public label; no other {@code __} label
 * @param discoveredLabels the labels before relabelling, with {@code __address__},
 *     {@code __name__}, {@code __profile_path__}, {@code __scheme__}, {@code __param_*},
 *     {@code __scrape_interval__}, {@code __scrape_timeout__} and the discoverer's {@code __meta_*}
 * @param url the URL scraped: {@code scheme://address + profile path + ?params}
 * @param interval time between scrapes
 * @param timeout deadline of one scrape
 */
public record ScrapeTarget(String job, Labels labels, Labels discoveredLabels, URI url, Duration interval, Duration timeout) {
  public ScrapeTarget {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(discoveredLabels, "discoveredLabels");
    Objects.requireNonNull(url, "url");
    if (!labels.has(LabelNames.METRIC_NAME)) {
      throw new IllegalArgumentException("target labels need __name__: " + labels);
    }
  }

  /** The profile type: the value of {@code __name__}. */
  public String profileType() {
    return labels.get(LabelNames.METRIC_NAME);
  }
}
