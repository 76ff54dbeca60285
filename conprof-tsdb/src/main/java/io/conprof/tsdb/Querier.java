package io.conprof.tsdb;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.block.BlockSeries;
import io.conprof.tsdb.head.Head;
import io.conprof.tsdb.head.HeadSeries;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the database over the inclusive time range [mint, maxt]: the blocks as they were when the
 * querier was created, and the head's samples from where those blocks end, as committed when each
 * {@code select} runs. Compaction or retention running meanwhile change nothing it sees, so it never
 * sees a sample twice or misses one. Blocks outside the range are not read. Close it when done:
 * until then the blocks it may read are kept and the head keeps their range. Safe for use by one
 * thread at a time; any number of queriers may run concurrently, also during compaction.
 *
 * <p>On a store opened with {@link Tsdb#openReadOnly} a querier sees the store as of the refresh
 * before it was created: the head's samples up to the newest one that refresh had read.
 */
public final class Querier implements Closeable {
  private final DbState state;
  private final Head head;
  private final long mint;
  private final long maxt;
  private final List<BlockHandle> blocks = new ArrayList<>();
  private boolean closed;

  Querier(DbState state, Head head, long mint, long maxt) {
    this.state = state;
    this.head = head;
    this.mint = mint;
    this.maxt = maxt;
    for (BlockHandle b : state.blocks) {
      if (b.block.meta().overlaps(mint, maxt)) {
        blocks.add(b);
      }
    }
  }

  public long minTimeMillis() {
    return mint;
  }

  public long maxTimeMillis() {
    return maxt;
  }

  private long headMint() {
    return Math.max(mint, state.headMinTimeMillis);
  }

  private long headMaxt() {
    return Math.min(maxt, state.headMaxTimeMillis);
  }

  /**
   * The series matching every matcher (all series for an empty list) that have samples in range,
   * sorted by labels.
   */
  public List<Series> select(List<Matcher> matchers) throws IOException {
    checkOpen();
    TreeMap<Labels, List<Object>> parts = new TreeMap<>();
    for (BlockHandle b : blocks) {
      for (BlockSeries s : b.block.select(matchers, mint, maxt)) {
        parts.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(s);
      }
    }
    if (headMint() <= headMaxt()) {
      for (HeadSeries s : head.select(matchers, headMint(), headMaxt())) {
        parts.computeIfAbsent(s.labels(), k -> new ArrayList<>()).add(s);
      }
    }
    List<Series> out = new ArrayList<>(parts.size());
    for (var e : parts.entrySet()) {
      out.add(new MergedSeries(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** Label names of the series matching {@code matchers} (all series for an empty list). */
  public SortedSet<String> labelNames(List<Matcher> matchers) throws IOException {
    checkOpen();
    SortedSet<String> out = new TreeSet<>();
    for (BlockHandle b : blocks) {
      out.addAll(b.block.labelNames(matchers));
    }
    if (headMint() <= headMaxt()) {
      out.addAll(head.labelNames(matchers, headMint(), headMaxt()));
    }
    return out;
  }

  /** Values of label {@code name} among the series matching {@code matchers}. */
  public SortedSet<String> labelValues(String name, List<Matcher> matchers) throws IOException {
    checkOpen();
    SortedSet<String> out = new TreeSet<>();
    for (BlockHandle b : blocks) {
      out.addAll(b.block.labelValues(name, matchers));
    }
    if (headMint() <= headMaxt()) {
      out.addAll(head.labelValues(name, matchers, headMint(), headMaxt()));
    }
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("querier is closed");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      state.release();
    }
  }

  /** One series assembled from its parts in blocks (in time order) and the head. */
  private final class MergedSeries implements Series {
    private final Labels labels;
    private final List<Object> parts;

    MergedSeries(Labels labels, List<Object> parts) {
      this.labels = labels;
      this.parts = parts;
    }

    @Override
    public Labels labels() {
      return labels;
    }

    @Override
    public long[] timestamps() throws IOException {
      List<long[]> arrays = new ArrayList<>();
      int total = 0;
      for (Object p : parts) {
        long[] ts = p instanceof BlockSeries b ? b.timestamps(mint, maxt) : ((HeadSeries) p).timestamps();
        arrays.add(ts);
        total += ts.length;
      }
      if (arrays.size() == 1) {
        return arrays.get(0);
      }
      long[] all = new long[total];
      int at = 0;
      for (long[] a : arrays) {
        System.arraycopy(a, 0, all, at, a.length);
        at += a.length;
      }
      Arrays.sort(all);
      int n = 0;
      for (int i = 0; i < all.length; i++) {
        if (n == 0 || all[i] != all[n - 1]) {
          all[n++] = all[i];
        }
      }
      return Arrays.copyOf(all, n);
    }

    @Override
    public Iterator<Sample> samples() throws IOException {
      List<Iterator<Sample>> its = new ArrayList<>();
      for (Object p : parts) {
        its.add(p instanceof BlockSeries b ? b.samples(mint, maxt) : ((HeadSeries) p).samples());
      }
      return its.size() == 1 ? its.get(0) : new MergingIterator(its);
    }
  }

  /**
   * Merges sample iterators by timestamp; where overlapping blocks hold the same timestamp the first
   * source (the older block) wins and the others are skipped.
   */
  private static final class MergingIterator implements Iterator<Sample> {
    private record Head(Sample sample, int source, Iterator<Sample> rest) {}

    private final PriorityQueue<Head> queue = new PriorityQueue<>((a, b) -> {
      int c = Long.compare(a.sample().timestampMillis(), b.sample().timestampMillis());
      return c != 0 ? c : Integer.compare(a.source(), b.source());
    });
    private long lastTs = Long.MIN_VALUE;
    private boolean any;

    MergingIterator(List<Iterator<Sample>> its) {
      for (int i = 0; i < its.size(); i++) {
        if (its.get(i).hasNext()) {
          queue.add(new Head(its.get(i).next(), i, its.get(i)));
        }
      }
      skipDuplicates();
    }

    private void skipDuplicates() {
      while (any && !queue.isEmpty() && queue.peek().sample().timestampMillis() == lastTs) {
        advance(queue.poll());
      }
    }

    private void advance(Head h) {
      if (h.rest().hasNext()) {
        queue.add(new Head(h.rest().next(), h.source(), h.rest()));
      }
    }

    @Override
    public boolean hasNext() {
      return !queue.isEmpty();
    }

    @Override
    public Sample next() {
      Head h = queue.poll();
      if (h == null) {
        throw new NoSuchElementException();
      }
      advance(h);
      lastTs = h.sample().timestampMillis();
      any = true;
      skipDuplicates();
      return h.sample();
    }
  }
}
