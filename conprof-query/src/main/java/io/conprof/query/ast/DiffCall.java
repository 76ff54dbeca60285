package io.conprof.query.ast;

import java.util.Objects;

/**
 * {@code diff(a, b)}: the profile {@code b} minus the profile {@code a}, pprof's
 * {@code -diff_base} convention (values of {@code a} negated and merged into {@code b}).
 *
 * @param base {@code a}, a {@link ResultType#PROFILE} expression
 * @param target {@code b}, a {@link ResultType#PROFILE} expression
 * @param position where the call starts
 */
public record DiffCall(Expr base, Expr target, Position position) implements Expr {
  public DiffCall {
    Objects.requireNonNull(position, "position");
    for (Expr e : new Expr[] {base, target}) {
      Objects.requireNonNull(e, "argument");
      if (e.type() != ResultType.PROFILE) {
        throw new IllegalArgumentException("diff needs profile arguments, got "
            + e.type().jsonName());
      }
    }
  }

  @Override
  public ResultType type() {
    return ResultType.PROFILE;
  }
}
