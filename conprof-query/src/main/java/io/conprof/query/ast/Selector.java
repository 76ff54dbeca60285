package io.conprof.query.ast;

import io.conprof.core.model.Matcher;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A vector selector with its modifiers: {@code heap{job="api"} offset 1h @ 1700000000}.
 *
 * <p>The matchers are in source order, except that a metric name written before the braces
 * comes first as an {@code __name__="…"} EQUAL matcher, as Prometheus 3 builds it. At least one
 * matcher does not match the empty string (the parser refuses selectors that would select every
 * series).
 *
 * @param matchers the label matchers, never empty
 * @param offset how far back to shift the evaluation time; negative shifts forward; zero if absent
 * @param at the {@code @} modifier, if any
 * @param position where the selector starts
 */
public record Selector(List<Matcher> matchers, Duration offset, Optional<At> at, Position position)
    implements Expr {
  public Selector {
    matchers = List.copyOf(matchers);
    if (matchers.isEmpty()) {
      throw new IllegalArgumentException("a selector needs at least one matcher");
    }
    Objects.requireNonNull(offset, "offset");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(position, "position");
  }

  /** A selector without modifiers. */
  public static Selector of(List<Matcher> matchers, Position position) {
    return new Selector(matchers, Duration.ZERO, Optional.empty(), position);
  }

  @Override
  public ResultType type() {
    return ResultType.PROFILE;
  }
}
