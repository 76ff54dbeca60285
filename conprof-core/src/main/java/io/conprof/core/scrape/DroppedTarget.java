package io.conprof.core.scrape;

import io.conprof.core.model.Labels;
import java.util.Objects;

/**
 * A discovered target × profile type that is not scraped.
 *
 * @param job the scrape pool
 * @param discoveredLabels the labels before relabelling
 * @param reason why: {@code "dropped by relabelling"} or the error that made the target invalid
 */
public record DroppedTarget(String job, Labels discoveredLabels, String reason) {
  public DroppedTarget {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(discoveredLabels, "discoveredLabels");
    Objects.requireNonNull(reason, "reason");
  }
}
