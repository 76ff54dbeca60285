package io.conprof.query.eval;

import io.conprof.query.ast.ResultType;
import java.util.List;

/**
 * What a query evaluates to: a {@link Timeline} or {@link Profiles}, with the warnings the
 * evaluation produced (a limit that cut the result short, a profile that was skipped).
 */
public sealed interface QueryResult permits Timeline, Profiles {
  /** Human-readable warnings in the order they arose; empty when the result is complete. */
  List<String> warnings();

  /** The kind of result, as the query's static type names it. */
  ResultType type();

  /** True when there is nothing to show: no series, or no profile. */
  boolean isEmpty();
}
