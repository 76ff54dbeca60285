package io.conprof.tsdb.block;

import java.util.List;
import java.util.Objects;

/**
 * What {@code meta.json} says about a block.
 *
 * @param ulid the block's identity and directory name
 * @param minTimeMillis start of the block's time range, inclusive
 * @param maxTimeMillis end of the block's time range, exclusive
 * @param numSeries series in the block
 * @param numSamples samples in the block (before tombstones)
 * @param numChunks chunks in the block
 * @param numBytes bytes of the block's index, chunk segments and tombstones when it was written
 * @param level compaction level: 1 for a block cut from the head, max(parents) + 1 for a compacted one
 * @param sources ULIDs of the level-1 blocks whose data this block holds
 * @param parents ULIDs of the blocks this one was compacted from (empty for level 1)
 * @param deletable true when the block's data lives on in another block and it may be removed
 */
public record BlockMeta(String ulid, long minTimeMillis, long maxTimeMillis, long numSeries, long numSamples,
    long numChunks, long numBytes, int level, List<String> sources, List<String> parents, boolean deletable) {
  public BlockMeta {
    Objects.requireNonNull(ulid, "ulid");
    sources = List.copyOf(sources);
    parents = List.copyOf(parents);
    if (maxTimeMillis <= minTimeMillis) {
      throw new IllegalArgumentException("block " + ulid + ": maxTimeMillis " + maxTimeMillis + " <= minTimeMillis " + minTimeMillis);
    }
    if (numSeries < 0 || numSamples < 0 || numChunks < 0 || numBytes < 0) {
      throw new IllegalArgumentException("block " + ulid + ": negative stats");
    }
    if (level < 1) {
      throw new IllegalArgumentException("block " + ulid + ": level " + level + " < 1");
    }
  }

  /** Whether the half-open block range [minTimeMillis, maxTimeMillis) meets the inclusive range [mint, maxt]. */
  public boolean overlaps(long mint, long maxt) {
    return minTimeMillis <= maxt && maxTimeMillis > mint;
  }
}
