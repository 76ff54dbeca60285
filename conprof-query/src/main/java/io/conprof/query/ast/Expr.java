package io.conprof.query.ast;

/**
 * A parsed query expression: an immutable tree of records, each with the position where it
 * starts in the query text. Produced by {@link io.conprof.query.QueryParser#parse}.
 */
public sealed interface Expr permits Selector, RangeSelector, MergeCall, DiffCall {
  /** Where the expression starts. */
  Position position();

  /** What evaluating the expression yields. */
  ResultType type();
}
