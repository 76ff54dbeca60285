package io.conprof.tsdb;

import io.conprof.tsdb.block.BlockMeta;
import java.nio.file.Path;
import java.util.List;

/**
 * A summary of a database for {@code tsdb inspect}.
 *
 * @param blocks the loaded blocks, oldest first
 * @param damagedBlocks block directories left out on open because they could not be read
 * @param head numbers of the head
 * @param rejected samples refused since the database was opened, by reason
 */
public record TsdbStats(List<BlockMeta> blocks, List<Path> damagedBlocks, HeadStats head,
    Rejected rejected) {
  public TsdbStats {
    blocks = List.copyOf(blocks);
    damagedBlocks = List.copyOf(damagedBlocks);
  }

  /**
   * Numbers of the head.
   *
   * @param minTimeMillis oldest sample ({@link Long#MAX_VALUE} when empty)
   * @param maxTimeMillis newest sample ({@link Long#MIN_VALUE} when empty)
   * @param minValidTimeMillis appends before this are refused
   */
  public record HeadStats(long numSeries, long numSamples, long minTimeMillis, long maxTimeMillis,
      long payloadBytes, long walBytes, int walSegments, long minValidTimeMillis) {}

  /** Counts of refused samples since open, by reason (the exception classes of the same names). */
  public record Rejected(long outOfOrder, long duplicate, long outOfBounds, long tooLarge,
      long tooManySeries) {
    public long total() {
      return outOfOrder + duplicate + outOfBounds + tooLarge + tooManySeries;
    }
  }
}
