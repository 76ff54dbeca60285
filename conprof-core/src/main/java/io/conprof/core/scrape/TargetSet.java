package io.conprof.core.scrape;

import java.util.List;

/**
 * The targets of one or more jobs: active ones in label order, dropped ones in discovery order.
 *
 * @param active distinct by {@link ScrapeTarget#labels()}
 * @param dropped removed by relabelling or invalid
 */
public record TargetSet(List<ScrapeTarget> active, List<DroppedTarget> dropped) {
  public TargetSet {
    active = List.copyOf(active);
    dropped = List.copyOf(dropped);
  }
}
