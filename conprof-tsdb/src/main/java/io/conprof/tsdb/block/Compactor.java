package io.conprof.tsdb.block;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges parent blocks into one new block.
 *
 * <p>The parents may overlap in time (vertical compaction). Series are merged by labels in a streaming
 * k-way merge, and the samples of a series by timestamp, so memory holds one chunk per parent per series
 * plus the output's index entries, not the data. Tombstones are applied: deleted samples are not written.
 * When two parents hold a sample at the same timestamp of the same series, one copy is kept: identical
 * bytes are the normal case (the same profile reached two blocks, e.g. through a replayed WAL); different
 * bytes are kept from the parent that comes first by (minTime, ULID) and counted in a warning.
 *
 * <p>The new block covers [min parent minTime, max parent maxTime), has level max(parent levels) + 1, the
 * union of the parents' sources and the parents' ULIDs as parents. Samples are decoded and re-encoded, so
 * the output's chunks are full-sized even when the parents' were not. Marking and removing the parents is
 * the caller's job (a crash in between leaves both; the database deletes parents of loaded blocks on open).
 */
public final class Compactor {
  private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

  private Compactor() {}

  /**
   * Writes the merged block under {@code dataDir}; {@code options} gives chunking, zstd level and fsync
   * (its level, sources and parents are replaced).
   */
  public static BlockMeta compact(Path dataDir, List<Block> parents, BlockWriter.Options options) throws IOException {
    if (parents.isEmpty()) {
      throw new IllegalArgumentException("nothing to compact: no parent blocks");
    }
    List<Block> ordered = new ArrayList<>(parents);
    ordered.sort(Comparator.comparingLong((Block b) -> b.meta().minTimeMillis()).thenComparing(b -> b.meta().ulid()));
    long mint = Long.MAX_VALUE;
    long maxt = Long.MIN_VALUE;
    int level = 0;
    TreeSet<String> sources = new TreeSet<>();
    List<String> parentIds = new ArrayList<>();
    List<List<BlockSeries>> inputs = new ArrayList<>();
    for (Block b : ordered) {
      BlockMeta m = b.meta();
      mint = Math.min(mint, m.minTimeMillis());
      maxt = Math.max(maxt, m.maxTimeMillis());
      level = Math.max(level, m.level());
      sources.addAll(m.sources());
      parentIds.add(m.ulid());
      inputs.add(b.selectAll(Long.MIN_VALUE, Long.MAX_VALUE));
    }
    BlockWriter.Options opts = options.withLevel(level + 1, List.copyOf(sources), parentIds);
    MergedSeries merged = new MergedSeries(inputs);
    try {
      BlockMeta meta = BlockWriter.write(dataDir, merged, mint, maxt, opts);
      if (merged.conflicts > 0) {
        LOG.warn("compaction into {} found {} samples with equal timestamps but different bytes in parents {}; kept the"
            + " copy of the earliest parent", meta.ulid(), merged.conflicts, parentIds);
      }
      return meta;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** k-way merge of sorted series lists by labels. */
  private static final class MergedSeries implements Iterator<SeriesSource> {
    private final List<List<BlockSeries>> inputs;
    private final int[] pos;
    long conflicts;

    MergedSeries(List<List<BlockSeries>> inputs) {
      this.inputs = inputs;
      this.pos = new int[inputs.size()];
    }

    @Override
    public boolean hasNext() {
      for (int i = 0; i < inputs.size(); i++) {
        if (pos[i] < inputs.get(i).size()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public SeriesSource next() {
      Labels min = null;
      for (int i = 0; i < inputs.size(); i++) {
        if (pos[i] < inputs.get(i).size()) {
          Labels l = inputs.get(i).get(pos[i]).labels();
          if (min == null || l.compareTo(min) < 0) {
            min = l;
          }
        }
      }
      if (min == null) {
        throw new NoSuchElementException();
      }
      List<BlockSeries> same = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        if (pos[i] < inputs.get(i).size() && inputs.get(i).get(pos[i]).labels().equals(min)) {
          same.add(inputs.get(i).get(pos[i]));
          pos[i]++;
        }
      }
      Labels labels = min;
      return new SeriesSource() {
        @Override
        public Labels labels() {
          return labels;
        }

        @Override
        public Iterator<Sample> samples() {
          try {
            List<Iterator<Sample>> its = new ArrayList<>();
            for (BlockSeries s : same) {
              its.add(s.samples(Long.MIN_VALUE, Long.MAX_VALUE));
            }
            return its.size() == 1 ? its.get(0) : new MergedSamples(its, MergedSeries.this);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
    }
  }

  /** Merges sample iterators by timestamp; on equal timestamps the earliest input wins. */
  private static final class MergedSamples implements Iterator<Sample> {
    private final List<Iterator<Sample>> its;
    private final Sample[] heads;
    private final MergedSeries stats;

    MergedSamples(List<Iterator<Sample>> its, MergedSeries stats) {
      this.its = its;
      this.heads = new Sample[its.size()];
      this.stats = stats;
      for (int i = 0; i < heads.length; i++) {
        heads[i] = its.get(i).hasNext() ? its.get(i).next() : null;
      }
    }

    @Override
    public boolean hasNext() {
      for (Sample h : heads) {
        if (h != null) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Sample next() {
      int best = -1;
      for (int i = 0; i < heads.length; i++) {
        if (heads[i] != null && (best < 0 || heads[i].timestampMillis() < heads[best].timestampMillis())) {
          best = i;
        }
      }
      if (best < 0) {
        throw new NoSuchElementException();
      }
      Sample out = heads[best];
      for (int i = 0; i < heads.length; i++) {
        if (heads[i] != null && heads[i].timestampMillis() == out.timestampMillis()) {
          if (i != best && !Arrays.equals(heads[i].bytes(), out.bytes())) {
            stats.conflicts++;
          }
          heads[i] = its.get(i).hasNext() ? its.get(i).next() : null;
        }
      }
      return out;
    }
  }
}
