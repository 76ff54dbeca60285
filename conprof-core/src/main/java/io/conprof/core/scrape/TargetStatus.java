package io.conprof.core.scrape;

import java.util.List;

/**
 * Every target a {@link ScrapeManager} knows, for {@code /api/v1/targets}.
 *
 * @param active scraped targets in job, then label order
 * @param dropped targets removed by relabelling or invalid
 */
public record TargetStatus(List<TargetHealth> active, List<DroppedTarget> dropped) {
  public TargetStatus {
    active = List.copyOf(active);
    dropped = List.copyOf(dropped);
  }
}
