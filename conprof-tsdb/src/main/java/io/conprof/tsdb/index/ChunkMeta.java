package io.conprof.tsdb.index;

/**
 * Where one chunk of a series lives and what it covers.
 *
 * @param minTimeMillis timestamp of the chunk's first sample
 * @param maxTimeMillis timestamp of the chunk's last sample (inclusive)
 * @param ref chunk reference: segment number in the upper 32 bits, offset in the lower 32
 * @param numSamples number of samples in the chunk
 */
public record ChunkMeta(long minTimeMillis, long maxTimeMillis, long ref, int numSamples) {
  public ChunkMeta {
    if (maxTimeMillis < minTimeMillis) {
      throw new IllegalArgumentException("chunk maxTimeMillis " + maxTimeMillis + " < minTimeMillis " + minTimeMillis);
    }
    if (numSamples < 1) {
      throw new IllegalArgumentException("chunk numSamples " + numSamples + " < 1");
    }
  }

  /** Whether the chunk has samples that may fall in the inclusive range [mint, maxt]. */
  public boolean overlaps(long mint, long maxt) {
    return minTimeMillis <= maxt && maxTimeMillis >= mint;
  }
}
