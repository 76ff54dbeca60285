package io.conprof.query.ast;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code merge(sel[range])}: all profiles of the range merged into one; with
 * {@code by (label, …)} one merged profile per distinct combination of those labels' values.
 *
 * @param argument a {@link ResultType#TIMELINE} expression
 * @param by the grouping labels of a {@code by} clause (possibly empty), or empty without one
 * @param position where the call starts
 */
public record MergeCall(Expr argument, Optional<List<String>> by, Position position)
    implements Expr {
  public MergeCall {
    Objects.requireNonNull(argument, "argument");
    Objects.requireNonNull(position, "position");
    by = by.map(List::copyOf);
    if (argument.type() != ResultType.TIMELINE) {
      throw new IllegalArgumentException("merge needs a timeline argument, got "
          + argument.type().jsonName());
    }
  }

  @Override
  public ResultType type() {
    return by.isPresent() ? ResultType.PROFILES : ResultType.PROFILE;
  }
}
