package io.conprof.tsdb;

import io.conprof.core.model.Labels;

/**
 * A sample with the timestamp of the series' last sample but different bytes. (The same bytes again
 * are accepted as a no-op, as conprof did.)
 */
public final class DuplicateSampleException extends SampleRejectedException {
  private static final long serialVersionUID = 1L;
  private final long timestampMillis;

  public DuplicateSampleException(Labels series, long timestampMillis, long lastTimestampMillis) {
    super(series, "duplicate sample: timestamp " + timestampMillis
        + " ms equals the series' last sample at " + lastTimestampMillis
        + " ms, with different bytes");
    this.timestampMillis = timestampMillis;
  }

  public long timestampMillis() {
    return timestampMillis;
  }
}
