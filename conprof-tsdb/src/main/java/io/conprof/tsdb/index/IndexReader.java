package io.conprof.tsdb.index;

import io.conprof.tsdb.block.CorruptBlockException;
import io.conprof.tsdb.chunk.ByteDecoder;
import java.io.Closeable;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Reads an {@code index} file (grammar in {@link IndexWriter}).
 *
 * <p>Opening maps the file read-only and checks the header, the table of contents and the CRCs of the
 * symbol table and the postings offset table, which are then held in memory (they are small: the distinct
 * label strings, and one entry per label pair). Series entries and postings lists are decoded on demand,
 * each checked against its own CRC. Every length read from the file is checked against the bytes that
 * remain before anything is allocated. All reads are absolute on a shared read-only mapping, so any number
 * of threads may use one reader. {@link #verify(Consumer)} does the full check (section CRCs, order,
 * cross-references) for {@code tsdb verify}.
 */
public final class IndexReader implements Closeable {
  private final Path file;
  private final MappedByteBuffer buf;
  private final long seriesStart;
  private final long seriesEnd;
  private final long postingsStart;
  private final long postingsEnd;
  private final String[] symbols;
  /** name -> (sorted values, offsets of their postings lists). */
  private final Map<String, ValueOffsets> table;
  private final long allPostingsOffset;
  private volatile boolean closed;

  private record ValueOffsets(String[] values, long[] offsets) {}

  private IndexReader(Path file, MappedByteBuffer buf, long[] toc, String[] symbols, Map<String, ValueOffsets> table,
      long allPostingsOffset) {
    this.file = file;
    this.buf = buf;
    this.seriesStart = toc[1] + 4;
    this.seriesEnd = toc[2] - 4;
    this.postingsStart = toc[2] + 4;
    this.postingsEnd = toc[3] - 4;
    this.symbols = symbols;
    this.table = table;
    this.allPostingsOffset = allPostingsOffset;
  }

  public static IndexReader open(Path file) throws IOException {
    MappedByteBuffer buf;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > IndexFormat.MAX_INDEX_BYTES) {
        throw new CorruptBlockException(file, -1, "index of " + size + " bytes exceeds the limit of "
            + IndexFormat.MAX_INDEX_BYTES);
      }
      buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    } catch (NoSuchFileException e) {
      throw new CorruptBlockException(file, -1, "index file is missing", e);
    }
    int size = buf.limit();
    if (size < IndexFormat.HEADER_BYTES + IndexFormat.TOC_BYTES) {
      throw new CorruptBlockException(file, 0, "index of " + size + " bytes is shorter than header and TOC ("
          + (IndexFormat.HEADER_BYTES + IndexFormat.TOC_BYTES) + " bytes)");
    }
    ByteDecoder h = new ByteDecoder(buf, 0, size, file, 0);
    int magic = h.u32("magic");
    if (magic != IndexFormat.MAGIC) {
      throw new CorruptBlockException(file, 0, String.format("bad magic 0x%08x, expected 0x%08x (not a conprof index)",
          magic, IndexFormat.MAGIC));
    }
    int version = h.u8("version");
    if (version != IndexFormat.VERSION) {
      throw new CorruptBlockException(file, 4, "unsupported index version " + version + ", this reader supports "
          + IndexFormat.VERSION);
    }
    for (int i = 5; i < IndexFormat.HEADER_BYTES; i++) {
      if (h.u8("header padding") != 0) {
        throw new CorruptBlockException(file, i, "header padding byte is not zero");
      }
    }
    long[] toc = readToc(file, buf);
    String[] symbols = readSymbols(file, buf, toc);
    ValueOffsetsTable t = readTable(file, buf, toc);
    return new IndexReader(file, buf, toc, symbols, t.byName, t.allOffset);
  }

  private static long[] readToc(Path file, MappedByteBuffer buf) throws CorruptBlockException {
    int tocAt = buf.limit() - IndexFormat.TOC_BYTES;
    ByteDecoder d = new ByteDecoder(buf, tocAt, buf.limit(), file, tocAt);
    long[] toc = new long[4];
    for (int i = 0; i < 4; i++) {
      toc[i] = d.u64("TOC entry");
    }
    d.checkCrc32c(tocAt, "TOC");
    long prev = IndexFormat.HEADER_BYTES;
    String[] names = {"symbols", "series", "postings", "postings table"};
    for (int i = 0; i < 4; i++) {
      if (toc[i] < prev || toc[i] > tocAt - 8) {
        throw new CorruptBlockException(file, tocAt + 8L * i, "TOC offset of the " + names[i] + " section " + toc[i]
            + " outside [" + prev + ", " + (tocAt - 8) + "]");
      }
      prev = toc[i] + 8;
    }
    // each section's length must end it exactly where the next one starts
    long[] ends = {toc[1], toc[2], toc[3], tocAt};
    for (int i = 0; i < 4; i++) {
      int len = buf.getInt((int) toc[i]);
      if (len < 0 || toc[i] + 4 + len + 4 != ends[i]) {
        throw new CorruptBlockException(file, toc[i], names[i] + " section length " + Integer.toUnsignedString(len)
            + " does not end at the next section (offset " + ends[i] + ")");
      }
    }
    return toc;
  }

  private static ByteDecoder section(Path file, MappedByteBuffer buf, long offset, String name) throws CorruptBlockException {
    int at = (int) offset;
    int len = buf.getInt(at);
    ByteDecoder d = new ByteDecoder(buf, at + 4, at + 4 + len + 4, file, at + 4);
    d.skip(len, name + " section");
    d.checkCrc32c(at + 4, name + " section");
    return new ByteDecoder(buf, at + 4, at + 4 + len, file, at + 4);
  }

  private static String[] readSymbols(Path file, MappedByteBuffer buf, long[] toc) throws CorruptBlockException {
    ByteDecoder d = section(file, buf, toc[0], "symbols");
    int count = d.u32("symbol count");
    if (count < 0 || count > d.remaining()) {
      throw d.corruptAt(d.position() - 4, "symbol count " + Integer.toUnsignedString(count) + " exceeds the "
          + d.remaining() + " bytes of the symbol table");
    }
    String[] symbols = new String[count];
    for (int i = 0; i < count; i++) {
      int at = d.position();
      symbols[i] = d.string("symbol");
      if (i > 0 && IndexFormat.compareStrings(symbols[i - 1], symbols[i]) >= 0) {
        throw d.corruptAt(at, "symbol table is not sorted and unique at symbol " + i);
      }
    }
    if (d.remaining() != 0) {
      throw d.corrupt(d.remaining() + " trailing bytes after " + count + " symbols");
    }
    return symbols;
  }

  private record ValueOffsetsTable(Map<String, ValueOffsets> byName, long allOffset) {}

  private static ValueOffsetsTable readTable(Path file, MappedByteBuffer buf, long[] toc) throws CorruptBlockException {
    ByteDecoder d = section(file, buf, toc[3], "postings table");
    int count = d.u32("postings table entry count");
    if (count < 1 || count > d.remaining()) {
      throw d.corruptAt(d.position() - 4, "postings table entry count " + Integer.toUnsignedString(count)
          + " impossible for " + d.remaining() + " bytes");
    }
    long postingsLo = toc[2] + 4;
    long postingsHi = toc[3] - 4;
    Map<String, List<String>> values = new HashMap<>();
    Map<String, List<Long>> offsets = new HashMap<>();
    String prevName = null;
    String prevValue = null;
    long allOffset = -1;
    for (int i = 0; i < count; i++) {
      int at = d.position();
      String name = d.string("label name");
      String value = d.string("label value");
      long off = d.uvarint("postings offset");
      if (off < postingsLo || off + 8 > postingsHi) {
        throw d.corruptAt(at, "postings offset " + off + " for " + name + "=\"" + value + "\" outside the postings section ["
            + postingsLo + ", " + postingsHi + ")");
      }
      if (i == 0) {
        if (!name.isEmpty() || !value.isEmpty()) {
          throw d.corruptAt(at, "first postings table entry must be the all-series entry (\"\", \"\")");
        }
        allOffset = off;
      } else {
        if (name.isEmpty()
            || (prevName != null && (IndexFormat.compareStrings(prevName, name) > 0
                || (prevName.equals(name) && IndexFormat.compareStrings(prevValue, value) >= 0)))) {
          throw d.corruptAt(at, "postings table entry " + i + " (" + name + "=\"" + value + "\") out of order");
        }
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        offsets.computeIfAbsent(name, k -> new ArrayList<>()).add(off);
        prevName = name;
        prevValue = value;
      }
    }
    if (d.remaining() != 0) {
      throw d.corrupt(d.remaining() + " trailing bytes after " + count + " postings table entries");
    }
    Map<String, ValueOffsets> byName = new HashMap<>();
    for (Map.Entry<String, List<String>> e : values.entrySet()) {
      List<Long> offs = offsets.get(e.getKey());
      long[] o = new long[offs.size()];
      for (int i = 0; i < o.length; i++) {
        o[i] = offs.get(i);
      }
      byName.put(e.getKey(), new ValueOffsets(e.getValue().toArray(new String[0]), o));
    }
    return new ValueOffsetsTable(byName, allOffset);
  }

  public Path file() {
    return file;
  }

  public int symbolCount() {
    return symbols.length;
  }

  /** Label names that occur in the index, sorted. */
  public SortedSet<String> labelNames() {
    ensureOpen();
    TreeSet<String> names = new TreeSet<>(IndexFormat::compareStrings);
    names.addAll(table.keySet());
    return Collections.unmodifiableSortedSet(names);
  }

  /** Values of label {@code name}, sorted; empty when the name does not occur. */
  public List<String> labelValues(String name) {
    ensureOpen();
    ValueOffsets v = table.get(name);
    return v == null ? List.of() : List.of(v.values());
  }

  /** Refs of every series, in label order. */
  public int[] allPostings() throws CorruptBlockException {
    ensureOpen();
    return readPostings(allPostingsOffset, "all series");
  }

  /** Refs of the series with label {@code name="value"}; empty when none. */
  public int[] postings(String name, String value) throws CorruptBlockException {
    ensureOpen();
    ValueOffsets v = table.get(name);
    if (v == null) {
      return Postings.EMPTY;
    }
    int i = Arrays.binarySearch(v.values(), value, IndexFormat::compareStrings);
    return i < 0 ? Postings.EMPTY : readPostings(v.offsets()[i], name + "=\"" + value + "\"");
  }

  private int[] readPostings(long offset, String what) throws CorruptBlockException {
    int at = (int) offset;
    ByteDecoder d = new ByteDecoder(buf, at, (int) postingsEnd, file, at);
    int count = d.u32("postings count of " + what);
    if (count < 0 || (long) count * 4 + 4 > d.remaining()) {
      throw d.corruptAt(at, "postings list of " + what + " claims " + Integer.toUnsignedString(count)
          + " entries but only " + d.remaining() + " bytes remain in the postings section");
    }
    int[] refs = new int[count];
    for (int i = 0; i < count; i++) {
      refs[i] = d.u32("series ref");
      if (refs[i] < seriesStart || refs[i] >= seriesEnd || (i > 0 && refs[i] <= refs[i - 1])) {
        throw d.corruptAt(d.position() - 4, "postings list of " + what + " has series ref " + Integer.toUnsignedString(refs[i])
            + (i > 0 && refs[i] <= refs[i - 1] ? " out of order" : " outside the series section"));
      }
    }
    d.checkCrc32c(at, "postings list of " + what);
    return refs;
  }

  /** Reads the series at {@code ref}, checking its CRC. */
  public IndexSeries series(long ref) throws CorruptBlockException {
    ensureOpen();
    if (ref < seriesStart || ref >= seriesEnd) {
      throw new CorruptBlockException(file, ref, "series ref " + ref + " outside the series section ["
          + seriesStart + ", " + seriesEnd + ")");
    }
    ByteDecoder d = new ByteDecoder(buf, (int) ref, (int) seriesEnd, file, ref);
    int len = d.uvarintInt("series entry length", Math.max(0, d.remaining() - 4));
    int bodyStart = d.position();
    d.skip(len, "series entry");
    d.checkCrc32c(bodyStart, "series entry");
    ByteDecoder b = new ByteDecoder(buf, bodyStart, bodyStart + len, file, ref + (bodyStart - (int) ref));
    int labelCount = b.uvarintInt("label count", b.remaining() / 2);
    List<String> pairs = new ArrayList<>(labelCount * 2);
    for (int i = 0; i < labelCount; i++) {
      int at = b.position();
      int n = b.uvarintInt("label name ref", Integer.MAX_VALUE);
      int v = b.uvarintInt("label value ref", Integer.MAX_VALUE);
      if (n >= symbols.length || v >= symbols.length) {
        throw b.corruptAt(at, "label symbol ref " + Math.max(n, v) + " beyond the " + symbols.length + " symbols");
      }
      if (i > 0 && IndexFormat.compareStrings(pairs.get(pairs.size() - 2), symbols[n]) >= 0) {
        throw b.corruptAt(at, "label names of the series are not sorted and unique");
      }
      pairs.add(symbols[n]);
      pairs.add(symbols[v]);
    }
    int chunkCount = b.uvarintInt("chunk count", b.remaining() / 4);
    List<ChunkMeta> chunks = new ArrayList<>(chunkCount);
    long prevMaxt = 0;
    long prevRef = 0;
    for (int i = 0; i < chunkCount; i++) {
      int at = b.position();
      long mint;
      long cref;
      if (i == 0) {
        mint = b.varint("chunk mint");
        long span = b.uvarint("chunk span");
        cref = b.uvarint("chunk ref");
        chunks.add(meta(b, at, mint, span, cref));
      } else {
        mint = prevMaxt + b.varint("chunk mint delta");
        long span = b.uvarint("chunk span");
        cref = prevRef + b.varint("chunk ref delta");
        chunks.add(meta(b, at, mint, span, cref));
      }
      prevMaxt = chunks.get(i).maxTimeMillis();
      prevRef = cref;
    }
    if (b.remaining() != 0) {
      throw b.corrupt(b.remaining() + " trailing bytes in series entry");
    }
    return new IndexSeries(ref, pairs, chunks);
  }

  private static ChunkMeta meta(ByteDecoder b, int at, long mint, long span, long cref) throws CorruptBlockException {
    int n = b.uvarintInt("chunk sample count", Integer.MAX_VALUE);
    long maxt = mint + span;
    if (span < 0 || maxt < mint || n < 1) {
      throw b.corruptAt(at, "chunk meta with mint " + mint + ", span " + span + ", " + n + " samples is impossible");
    }
    return new ChunkMeta(mint, maxt, cref, n);
  }

  /**
   * Full structural check: every section CRC, every series entry (order, symbol refs, chunk metas), every
   * postings list (order, refs at series entries, label present), the all-series list and that every label
   * pair of every series is in its postings list. Problems are reported as exceptions carrying file and
   * offset; the check continues past a damaged series or list where it can.
   *
   * @return the series found, in file order (for cross-checks against chunks and tombstones)
   */
  public List<IndexSeries> verify(Consumer<CorruptBlockException> problems) {
    ensureOpen();
    try {
      section(file, buf, seriesStart - 4, "series");
    } catch (CorruptBlockException e) {
      problems.accept(e);
    }
    try {
      section(file, buf, postingsStart - 4, "postings");
    } catch (CorruptBlockException e) {
      problems.accept(e);
    }
    List<IndexSeries> series = new ArrayList<>();
    long pos = seriesStart;
    List<String> prevLabels = null;
    long pairCount = 0;
    while (pos < seriesEnd) {
      IndexSeries s;
      try {
        s = series(pos);
      } catch (CorruptBlockException e) {
        problems.accept(e);
        break;
      }
      if (prevLabels != null && compareLabels(prevLabels, s.labelPairs()) >= 0) {
        problems.accept(new CorruptBlockException(file, pos, "series " + s.labelPairs() + " is not after the previous series "
            + prevLabels + " in label order"));
      }
      ChunkMeta prev = null;
      for (ChunkMeta c : s.chunks()) {
        if (prev != null && (c.minTimeMillis() <= prev.maxTimeMillis() || c.ref() <= prev.ref())) {
          problems.accept(new CorruptBlockException(file, pos, "chunks of series " + s.labelPairs()
              + " overlap in time or are not in file order"));
          break;
        }
        prev = c;
      }
      prevLabels = s.labelPairs();
      pairCount += s.labelPairs().size() / 2;
      series.add(s);
      ByteDecoder d = new ByteDecoder(buf, (int) pos, (int) seriesEnd, file, pos);
      try {
        int len = d.uvarintInt("series entry length", d.remaining());
        pos = d.position() + (long) len + 4;
      } catch (CorruptBlockException e) {
        problems.accept(e);
        break;
      }
    }
    Map<Long, IndexSeries> byRef = new HashMap<>();
    for (IndexSeries s : series) {
      byRef.put(s.ref(), s);
    }
    try {
      int[] all = allPostings();
      if (all.length != series.size()) {
        problems.accept(new CorruptBlockException(file, allPostingsOffset, "all-series postings list has " + all.length
            + " entries, the series section has " + series.size() + " series"));
      }
      checkRefs(all, allPostingsOffset, "all series", null, null, byRef, problems);
    } catch (CorruptBlockException e) {
      problems.accept(e);
    }
    long listed = 0;
    for (Map.Entry<String, ValueOffsets> e : table.entrySet()) {
      ValueOffsets vo = e.getValue();
      for (int i = 0; i < vo.values().length; i++) {
        try {
          int[] p = readPostings(vo.offsets()[i], e.getKey() + "=\"" + vo.values()[i] + "\"");
          listed += p.length;
          checkRefs(p, vo.offsets()[i], e.getKey() + "=\"" + vo.values()[i] + "\"", e.getKey(), vo.values()[i], byRef,
              problems);
        } catch (CorruptBlockException ex) {
          problems.accept(ex);
        }
      }
    }
    if (listed != pairCount) {
      problems.accept(new CorruptBlockException(file, postingsStart - 4, "postings lists hold " + listed
          + " entries but the series have " + pairCount + " label pairs"));
    }
    return series;
  }

  private void checkRefs(int[] list, long at, String what, String name, String value, Map<Long, IndexSeries> byRef,
      Consumer<CorruptBlockException> problems) {
    for (int r : list) {
      IndexSeries s = byRef.get((long) r);
      if (s == null) {
        problems.accept(new CorruptBlockException(file, at, "postings list of " + what + " has ref " + r
            + " which is not the start of a series entry"));
        return;
      }
      if (name != null) {
        boolean has = false;
        List<String> lp = s.labelPairs();
        for (int i = 0; i < lp.size(); i += 2) {
          if (lp.get(i).equals(name) && lp.get(i + 1).equals(value)) {
            has = true;
          }
        }
        if (!has) {
          problems.accept(new CorruptBlockException(file, at, "postings list of " + what + " has series " + lp
              + " which lacks that label"));
          return;
        }
      }
    }
  }

  static int compareLabels(List<String> a, List<String> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = IndexFormat.compareStrings(a.get(i), b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("index reader for " + file + " is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
