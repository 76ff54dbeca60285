package io.conprof.core.scrape.config;

import io.conprof.core.model.Labels;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code global} section: defaults for every job, and labels added to everything stored.
 *
 * @param scrapeInterval default interval of the jobs (Prometheus' default: 1m)
 * @param scrapeTimeout default timeout of the jobs (10s, or the interval when that is shorter)
 * @param externalLabels labels the scraper attaches to every series it stores
 */
public record GlobalConfig(Duration scrapeInterval, Duration scrapeTimeout, Labels externalLabels) {
  public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofMinutes(1);
  public static final Duration DEFAULT_SCRAPE_TIMEOUT = Duration.ofSeconds(10);
  public static final GlobalConfig DEFAULT = new GlobalConfig(DEFAULT_SCRAPE_INTERVAL,
      DEFAULT_SCRAPE_TIMEOUT, Labels.EMPTY);

  public GlobalConfig {
    Objects.requireNonNull(scrapeInterval, "scrapeInterval");
    Objects.requireNonNull(scrapeTimeout, "scrapeTimeout");
    Objects.requireNonNull(externalLabels, "externalLabels");
    ScrapeConfig.checkTiming(scrapeInterval, scrapeTimeout);
  }
}
