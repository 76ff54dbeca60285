/**
 * Evaluation of parsed queries against a {@link io.conprof.tsdb.Tsdb}: {@link
 * io.conprof.query.eval.QueryEngine} turns an {@link io.conprof.query.ast.Expr} into a {@link
 * io.conprof.query.eval.Timeline} or {@link io.conprof.query.eval.Profiles}, within the {@link
 * io.conprof.query.eval.QueryLimits} it is given.
 */
package io.conprof.query.eval;
