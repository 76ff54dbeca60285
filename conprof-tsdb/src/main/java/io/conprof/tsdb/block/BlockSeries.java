package io.conprof.tsdb.block;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import java.io.IOException;
import java.util.Iterator;

/**
 * One series selected from a block, with tombstones applied. Reading goes to the block's files lazily,
 * so the block must stay open while this is used.
 */
public interface BlockSeries {
  Labels labels();

  /**
   * The samples with {@code mint <= timestamp <= maxt}, in timestamp order. Inflates the payloads of each
   * chunk that overlaps the range, one chunk at a time. A chunk that turns out damaged part-way through the
   * iteration is reported by {@code next()}/{@code hasNext()} as an {@link java.io.UncheckedIOException}
   * wrapping a {@link CorruptBlockException}.
   */
  Iterator<Sample> samples(long mint, long maxt) throws IOException;

  /** The timestamps with {@code mint <= timestamp <= maxt}, ascending. Never inflates payloads. */
  long[] timestamps(long mint, long maxt) throws IOException;
}
