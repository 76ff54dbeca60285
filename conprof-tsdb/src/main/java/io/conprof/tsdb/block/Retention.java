package io.conprof.tsdb.block;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which blocks retention removes, with Prometheus' semantics ({@code BeyondTimeRetention}, {@code
 * BeyondSizeRetention}): whole blocks only, never the head. Both return the blocks to delete, newest first;
 * deleting them is the caller's job.
 */
public final class Retention {
  private Retention() {}

  /**
   * Blocks whose data is entirely older than the retention window: sorted by maxTime descending, the first
   * block whose {@code newest.maxTime - block.maxTime >= retentionMillis} and every block after it. A
   * retention of zero or less disables time retention.
   */
  public static List<BlockMeta> beyondTime(List<BlockMeta> blocks, long retentionMillis) {
    List<BlockMeta> sorted = newestFirst(blocks);
    if (sorted.isEmpty() || retentionMillis <= 0) {
      return List.of();
    }
    long newest = sorted.get(0).maxTimeMillis();
    for (int i = 1; i < sorted.size(); i++) {
      if (newest - sorted.get(i).maxTimeMillis() >= retentionMillis) {
        return List.copyOf(sorted.subList(i, sorted.size()));
      }
    }
    return List.of();
  }

  /**
   * Blocks beyond the size limit: starting from {@code headBytes} (WAL and head files), blocks are added
   * newest first; the first block that takes the total past {@code maxBytes} and every older one are
   * returned. Block sizes are {@link BlockMeta#numBytes()}. A limit of zero or less disables size retention.
   */
  public static List<BlockMeta> beyondSize(List<BlockMeta> blocks, long headBytes, long maxBytes) {
    if (maxBytes <= 0) {
      return List.of();
    }
    List<BlockMeta> sorted = newestFirst(blocks);
    long total = headBytes;
    for (int i = 0; i < sorted.size(); i++) {
      total += sorted.get(i).numBytes();
      if (total > maxBytes) {
        return List.copyOf(sorted.subList(i, sorted.size()));
      }
    }
    return List.of();
  }

  private static List<BlockMeta> newestFirst(List<BlockMeta> blocks) {
    List<BlockMeta> sorted = new ArrayList<>(blocks);
    sorted.sort(Comparator.comparingLong(BlockMeta::maxTimeMillis).reversed().thenComparing(BlockMeta::ulid));
    return sorted;
  }
}
