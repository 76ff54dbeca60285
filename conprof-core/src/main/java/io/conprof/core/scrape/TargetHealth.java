package io.conprof.core.scrape;

import io.conprof.core.model.Labels;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one active target (one address × one profile type), as the targets API shows it.
 *
 * @param labels the series labels its profiles are stored under ({@code __name__}, {@code job},
 *     {@code instance}, ...), without external labels
 * @param discoveredLabels the labels before relabelling
 * @param scrapePool the job name
 * @param scrapeUrl the URL scraped
 * @param health {@link Health#UNKNOWN} until the first scrape ends
 * @param lastError the reason of the last failed scrape, "" after a success
 * @param lastScrape when the last finished scrape started, empty before the first
 * @param lastScrapeDuration how long it took
 * @param profilesStored how many profiles of this target the sink accepted
 */
public record TargetHealth(
    Labels labels,
    Labels discoveredLabels,
    String scrapePool,
    String scrapeUrl,
    Health health,
    String lastError,
    Optional<Instant> lastScrape,
    Duration lastScrapeDuration,
    long profilesStored) {
  /** A target's health, named as Prometheus' API names it ({@link #apiName()}). */
  public enum Health {
    UNKNOWN,
    UP,
    DOWN;

    /** {@code "unknown"}, {@code "up"} or {@code "down"}. */
    public String apiName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public TargetHealth {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(discoveredLabels, "discoveredLabels");
    Objects.requireNonNull(scrapePool, "scrapePool");
    Objects.requireNonNull(scrapeUrl, "scrapeUrl");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(lastScrape, "lastScrape");
    Objects.requireNonNull(lastScrapeDuration, "lastScrapeDuration");
  }
}
