package io.conprof.tsdb.block;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.chunk.Chunk;
import io.conprof.tsdb.chunk.ChunkReader;
import io.conprof.tsdb.index.ChunkMeta;
import io.conprof.tsdb.index.IndexReader;
import io.conprof.tsdb.index.IndexSeries;
import io.conprof.tsdb.index.Postings;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A read-only view of one block directory: {@code meta.json}, {@code index}, {@code chunks/}, {@code
 * tombstones}.
 *
 * <p>Opening reads and validates {@code meta.json} and the tombstones, and maps the index and the chunk
 * segments checking what is cheap: magic numbers, versions, the index's table of contents, symbol table and
 * postings offset table (with their CRCs). Series entries, postings lists and chunks are checked against
 * their own CRCs when they are read; {@link BlockVerifier} checks everything up front. Any damage surfaces
 * as a {@link CorruptBlockException} naming the file and the offset, never as a runtime exception.
 *
 * <p>Queries select series through the postings (Prometheus' rules: an equality matcher is one postings
 * list, other matchers scan the label's values; a matcher that matches the empty string also selects
 * series without the label) and apply the tombstones. All methods are safe for concurrent use; {@link
 * #delete} replaces the tombstones file atomically and readers see either the old or the new set. The
 * caller keeps a block open while series from it are read and closes it after the last reader.
 */
public final class Block implements Closeable {
  private final Path dir;
  private final BlockMeta meta;
  private final IndexReader index;
  private final ChunkReader chunks;
  private volatile Tombstones tombstones;

  private Block(Path dir, BlockMeta meta, IndexReader index, ChunkReader chunks, Tombstones tombstones) {
    this.dir = dir;
    this.meta = meta;
    this.index = index;
    this.chunks = chunks;
    this.tombstones = tombstones;
  }

  /**
   * Opens a block directory.
   *
   * @throws CorruptBlockException when a file is missing, damaged or of an unsupported version
   */
  public static Block open(Path blockDir) throws IOException {
    BlockMeta meta = readMeta(blockDir);
    String dirName = blockDir.getFileName() == null ? "" : blockDir.getFileName().toString();
    if (Ulid.isValid(dirName) && !dirName.equals(meta.ulid())) {
      throw new CorruptBlockException(blockDir.resolve(MetaFile.NAME), -1, "ulid " + meta.ulid()
          + " differs from the directory name " + dirName);
    }
    Tombstones tombstones = Tombstones.read(blockDir);
    IndexReader index = IndexReader.open(blockDir.resolve(BlockWriter.INDEX_NAME));
    ChunkReader chunks;
    try {
      chunks = ChunkReader.open(blockDir.resolve(BlockWriter.CHUNKS_NAME));
    } catch (IOException | RuntimeException e) {
      index.close();
      throw e;
    }
    return new Block(blockDir, meta, index, chunks, tombstones);
  }

  /** The tombstones file of a block directory (absent while the block has no deletions). */
  public static Path tombstonesFile(Path blockDir) {
    return blockDir.resolve(Tombstones.NAME);
  }

  /** Reads and validates only {@code meta.json} of a block directory. */
  public static BlockMeta readMeta(Path blockDir) throws IOException {
    return MetaFile.read(blockDir);
  }

  public BlockMeta meta() {
    return meta;
  }

  public Path dir() {
    return dir;
  }

  /** Bytes of all files of the block on disk now (tombstones included). */
  public long sizeBytes() throws IOException {
    return FileSync.treeBytes(dir);
  }

  /** Number of tombstone intervals currently recorded. */
  public int tombstoneCount() {
    return tombstones.intervalCount();
  }

  /**
   * The series matching all {@code matchers} that have at least one sample in the inclusive range [mint,
   * maxt] not deleted by a tombstone, sorted by labels. An empty matcher list selects every series.
   */
  public List<BlockSeries> select(List<Matcher> matchers, long mint, long maxt) throws IOException {
    return select(postingsFor(matchers), matchers, mint, maxt);
  }

  /** Every series with samples in [mint, maxt], for compaction. */
  List<BlockSeries> selectAll(long mint, long maxt) throws IOException {
    return select(index.allPostings(), List.of(), mint, maxt);
  }

  private List<BlockSeries> select(int[] refs, List<Matcher> matchers, long mint, long maxt) throws IOException {
    List<BlockSeries> out = new ArrayList<>();
    if (maxt < mint || !meta.overlaps(mint, maxt)) {
      return out;
    }
    Tombstones ts = tombstones;
    for (int ref : refs) {
      IndexSeries s = index.series(ref);
      Labels labels = labels(s);
      if (!labels.matches(matchers)) {
        continue; // defensive: the postings already say so
      }
      List<long[]> deleted = ts.intervals(ref);
      List<ChunkMeta> live = new ArrayList<>();
      boolean anySample = false;
      for (ChunkMeta c : s.chunks()) {
        if (!c.overlaps(mint, maxt) || Tombstones.covers(deleted, c.minTimeMillis(), c.maxTimeMillis())) {
          continue;
        }
        live.add(c);
        if (!anySample) {
          anySample = hasLiveSample(c, mint, maxt, deleted);
        }
      }
      if (anySample) {
        out.add(new Series(labels, List.copyOf(live), deleted));
      }
    }
    return out;
  }

  private boolean hasLiveSample(ChunkMeta c, long mint, long maxt, List<long[]> deleted) throws IOException {
    if (c.minTimeMillis() >= mint && c.maxTimeMillis() <= maxt && deleted.isEmpty()) {
      return true;
    }
    for (long t : chunks.timestamps(c.ref())) {
      if (t >= mint && t <= maxt && !Tombstones.isDeleted(deleted, t)) {
        return true;
      }
    }
    return false;
  }

  private Labels labels(IndexSeries s) throws CorruptBlockException {
    try {
      return Labels.of(s.labelPairs().toArray(new String[0]));
    } catch (IllegalArgumentException e) {
      throw new CorruptBlockException(index.file(), s.ref(), "series labels are invalid: " + e.getMessage(), e);
    }
  }

  /** Series refs matching all matchers, by Prometheus' rules. */
  int[] postingsFor(List<Matcher> matchers) throws IOException {
    if (matchers.isEmpty()) {
      return index.allPostings();
    }
    List<int[]> intersect = new ArrayList<>();
    List<int[]> subtract = new ArrayList<>();
    for (Matcher m : matchers) {
      if (m.matchesEmpty()) {
        // selects series without the label too: all series minus those whose value does not match
        List<int[]> excluded = new ArrayList<>();
        for (String v : index.labelValues(m.name())) {
          if (!m.matches(v)) {
            excluded.add(index.postings(m.name(), v));
          }
        }
        subtract.add(Postings.union(excluded));
      } else if (m.type() == Matcher.Type.EQUAL) {
        intersect.add(index.postings(m.name(), m.value()));
      } else {
        List<int[]> included = new ArrayList<>();
        for (String v : index.labelValues(m.name())) {
          if (m.matches(v)) {
            included.add(index.postings(m.name(), v));
          }
        }
        intersect.add(Postings.union(included));
      }
    }
    int[] result;
    if (intersect.isEmpty()) {
      result = index.allPostings();
    } else {
      intersect.sort((a, b) -> Integer.compare(a.length, b.length));
      result = intersect.get(0);
      for (int i = 1; i < intersect.size() && result.length > 0; i++) {
        result = Postings.intersect(result, intersect.get(i));
      }
    }
    for (int[] s : subtract) {
      result = Postings.subtract(result, s);
    }
    return result;
  }

  /** Label names of the series matching {@code matchers} (all names when there are none). */
  public SortedSet<String> labelNames(List<Matcher> matchers) throws IOException {
    TreeSet<String> names = new TreeSet<>();
    if (matchers.isEmpty()) {
      names.addAll(index.labelNames());
      return Collections.unmodifiableSortedSet(names);
    }
    for (int ref : postingsFor(matchers)) {
      List<String> lp = index.series(ref).labelPairs();
      for (int i = 0; i < lp.size(); i += 2) {
        names.add(lp.get(i));
      }
    }
    return Collections.unmodifiableSortedSet(names);
  }

  /** Values of label {@code name} among the series matching {@code matchers}. */
  public SortedSet<String> labelValues(String name, List<Matcher> matchers) throws IOException {
    TreeSet<String> values = new TreeSet<>();
    if (matchers.isEmpty()) {
      values.addAll(index.labelValues(name));
      return Collections.unmodifiableSortedSet(values);
    }
    for (int ref : postingsFor(matchers)) {
      List<String> lp = index.series(ref).labelPairs();
      for (int i = 0; i < lp.size(); i += 2) {
        if (lp.get(i).equals(name)) {
          values.add(lp.get(i + 1));
        }
      }
    }
    return Collections.unmodifiableSortedSet(values);
  }

  /**
   * Deletes the samples in the inclusive range [mint, maxt] of the series matching {@code matchers} by
   * recording tombstones; the tombstones file is replaced atomically. Data is removed at the next
   * compaction of the block.
   */
  public synchronized void delete(List<Matcher> matchers, long mint, long maxt) throws IOException {
    if (maxt < mint) {
      return;
    }
    Tombstones t = tombstones;
    boolean changed = false;
    for (int ref : postingsFor(matchers)) {
      for (ChunkMeta c : index.series(ref).chunks()) {
        if (c.overlaps(mint, maxt)) {
          t = t.with(ref, mint, maxt);
          changed = true;
          break;
        }
      }
    }
    if (changed) {
      t.write(dir, true);
      tombstones = t;
    }
  }

  @Override
  public void close() {
    index.close();
    chunks.close();
  }

  @Override
  public String toString() {
    return "Block[" + meta.ulid() + " [" + meta.minTimeMillis() + ", " + meta.maxTimeMillis() + ")]";
  }

  /** A selected series: its live chunks and the tombstones that apply to it. */
  private final class Series implements BlockSeries {
    private final Labels labels;
    private final List<ChunkMeta> chunkMetas;
    private final List<long[]> deleted;

    Series(Labels labels, List<ChunkMeta> chunkMetas, List<long[]> deleted) {
      this.labels = labels;
      this.chunkMetas = chunkMetas;
      this.deleted = deleted;
    }

    @Override
    public Labels labels() {
      return labels;
    }

    @Override
    public long[] timestamps(long mint, long maxt) throws IOException {
      long[] out = new long[16];
      int n = 0;
      for (ChunkMeta c : chunkMetas) {
        if (!c.overlaps(mint, maxt)) {
          continue;
        }
        for (long t : chunks.timestamps(c.ref())) {
          if (t >= mint && t <= maxt && !Tombstones.isDeleted(deleted, t)) {
            if (n == out.length) {
              out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = t;
          }
        }
      }
      return Arrays.copyOf(out, n);
    }

    @Override
    public Iterator<Sample> samples(long mint, long maxt) throws IOException {
      List<ChunkMeta> selected = new ArrayList<>();
      for (ChunkMeta c : chunkMetas) {
        if (c.overlaps(mint, maxt)) {
          selected.add(c);
        }
      }
      SampleIterator it = new SampleIterator(selected, mint, maxt, deleted);
      it.advance();
      return it;
    }

    @Override
    public String toString() {
      return labels.toString();
    }
  }

  /** Walks chunks one at a time, inflating each only when the iteration reaches it. */
  private final class SampleIterator implements Iterator<Sample> {
    private final List<ChunkMeta> metas;
    private final long mint;
    private final long maxt;
    private final List<long[]> deleted;
    private int chunkIndex;
    private long[] ts = new long[0];
    private byte[][] payloads = new byte[0][];
    private int i;
    private Sample next;
    private IOException pending;

    SampleIterator(List<ChunkMeta> metas, long mint, long maxt, List<long[]> deleted) {
      this.metas = metas;
      this.mint = mint;
      this.maxt = maxt;
      this.deleted = deleted;
    }

    /** Finds the next sample; loads chunks as needed. */
    void advance() throws IOException {
      next = null;
      while (true) {
        while (i < ts.length) {
          long t = ts[i];
          byte[] p = payloads[i];
          i++;
          if (t >= mint && t <= maxt && !Tombstones.isDeleted(deleted, t)) {
            next = new Sample(t, p);
            return;
          }
        }
        if (chunkIndex >= metas.size()) {
          ts = new long[0];
          payloads = new byte[0][];
          return;
        }
        Chunk c = chunks.chunk(metas.get(chunkIndex++).ref());
        ts = c.timestamps();
        payloads = c.payloads();
        i = 0;
      }
    }

    @Override
    public boolean hasNext() {
      if (pending != null) {
        throw new UncheckedIOException(pending);
      }
      return next != null;
    }

    @Override
    public Sample next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Sample s = next;
      try {
        advance();
      } catch (IOException e) {
        next = null;
        pending = e;
      }
      return s;
    }
  }
}
