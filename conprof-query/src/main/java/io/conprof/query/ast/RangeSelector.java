package io.conprof.query.ast;

import java.time.Duration;
import java.util.Objects;

/**
 * A selector over a range of time, {@code heap{job="api"}[1h]}: a timeline on its own, the input
 * of {@code merge}. The selector's offset and {@code @} apply to the end of the range.
 *
 * @param selector what to select
 * @param range how far back from the evaluation time, positive
 * @param position where the expression starts (the selector's start)
 */
public record RangeSelector(Selector selector, Duration range, Position position) implements Expr {
  public RangeSelector {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(position, "position");
    if (range == null || range.isZero() || range.isNegative()) {
      throw new IllegalArgumentException("range must be positive, got " + range);
    }
  }

  @Override
  public ResultType type() {
    return ResultType.TIMELINE;
  }
}
