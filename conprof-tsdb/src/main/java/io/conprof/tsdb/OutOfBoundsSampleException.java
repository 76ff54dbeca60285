package io.conprof.tsdb;

import io.conprof.core.model.Labels;

/**
 * A sample older than the head accepts: before the end of the newest block, or more than half a
 * block range before the newest sample in the head (Prometheus' rule).
 */
public final class OutOfBoundsSampleException extends SampleRejectedException {
  private static final long serialVersionUID = 1L;
  private final long timestampMillis;
  private final long minTimestampMillis;

  public OutOfBoundsSampleException(Labels series, long timestampMillis, long minTimestampMillis) {
    super(series, "sample too old: timestamp " + timestampMillis
        + " ms is before the oldest time the head accepts, " + minTimestampMillis + " ms");
    this.timestampMillis = timestampMillis;
    this.minTimestampMillis = minTimestampMillis;
  }

  public long timestampMillis() {
    return timestampMillis;
  }

  public long minTimestampMillis() {
    return minTimestampMillis;
  }
}
