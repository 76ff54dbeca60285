package io.conprof.query.eval;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds one query runs within. Hitting {@code maxSeries}, {@code maxSamples}, {@code
 * maxBytes} or {@code timeout} does not fail the query: it returns what was gathered so far with a
 * warning saying which limit cut it short.
 *
 * @param maxSeries most series a selector reads (the first ones in label order); further matches
 *     are left out
 * @param maxSamples most stored profiles one {@code merge} reads
 * @param maxBytes most payload bytes (uncompressed protobuf) one {@code merge} reads
 * @param timeout wall-clock budget of the whole query
 * @param lookback how far from the evaluation time an instant selector looks for a profile
 */
public record QueryLimits(int maxSeries, long maxSamples, long maxBytes, Duration timeout,
    Duration lookback) {
  /** 10,000 series, 100,000 profiles and 2 GiB per merge, 30 s per query, 5 m lookback. */
  public static final QueryLimits DEFAULTS = new QueryLimits(10_000, 100_000, 2L << 30,
      Duration.ofSeconds(30), Duration.ofMinutes(5));

  public QueryLimits {
    if (maxSeries < 1) {
      throw new IllegalArgumentException("maxSeries must be positive: " + maxSeries);
    }
    if (maxSamples < 1) {
      throw new IllegalArgumentException("maxSamples must be positive: " + maxSamples);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
    }
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(lookback, "lookback");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (lookback.isNegative()) {
      throw new IllegalArgumentException("lookback must not be negative: " + lookback);
    }
  }

  public QueryLimits withMaxSeries(int n) {
    return new QueryLimits(n, maxSamples, maxBytes, timeout, lookback);
  }

  public QueryLimits withMaxSamples(long n) {
    return new QueryLimits(maxSeries, n, maxBytes, timeout, lookback);
  }

  public QueryLimits withMaxBytes(long n) {
    return new QueryLimits(maxSeries, maxSamples, n, timeout, lookback);
  }

  public QueryLimits withTimeout(Duration d) {
    return new QueryLimits(maxSeries, maxSamples, maxBytes, d, lookback);
  }

  public QueryLimits withLookback(Duration d) {
    return new QueryLimits(maxSeries, maxSamples, maxBytes, timeout, d);
  }
}
