package io.conprof.tsdb;

import io.conprof.core.model.Labels;

/** A sample older than the newest sample of its series. */
public final class OutOfOrderSampleException extends SampleRejectedException {
  private static final long serialVersionUID = 1L;
  private final long timestampMillis;
  private final long lastTimestampMillis;

  public OutOfOrderSampleException(Labels series, long timestampMillis, long lastTimestampMillis) {
    super(series, "out-of-order sample: timestamp " + timestampMillis
        + " ms is before the series' last sample at " + lastTimestampMillis + " ms");
    this.timestampMillis = timestampMillis;
    this.lastTimestampMillis = lastTimestampMillis;
  }

  public long timestampMillis() {
    return timestampMillis;
  }

  public long lastTimestampMillis() {
    return lastTimestampMillis;
  }
}
