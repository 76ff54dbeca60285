package io.conprof.tsdb;

import io.conprof.core.model.Labels;

/** A sample larger than {@link TsdbOptions#maxSampleBytes()}, or an empty one. */
public final class SampleTooLargeException extends SampleRejectedException {
  private static final long serialVersionUID = 1L;
  private final long sizeBytes;
  private final long maxBytes;

  public SampleTooLargeException(Labels series, long sizeBytes, long maxBytes) {
    super(series, sizeBytes == 0
        ? "empty sample: a profile must have between 1 and " + maxBytes + " bytes"
        : "sample of " + sizeBytes + " bytes (uncompressed) exceeds the limit of " + maxBytes
            + " bytes (maxSampleBytes)");
    this.sizeBytes = sizeBytes;
    this.maxBytes = maxBytes;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }
}
