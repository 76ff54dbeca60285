package io.conprof.tsdb.index;

import io.conprof.tsdb.chunk.ByteEncoder;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Writes a block's {@code index} file, modelled on the Prometheus index v2.
 *
 * <pre>
 * index          := header symbols series postings postings_table toc
 * header         := magic:u32 (0x43504958, "CPIX") version:u8 (1) padding:3 bytes (0)
 * symbols        := len:u32 count:u32 { symbol } crc:u32        len covers count..last symbol; crc over the same
 * symbol         := len:uvarint bytes[len] (UTF-8)              sorted by code point, unique; ref = position
 * series         := len:u32 { series_entry } crc:u32            crc over all entries
 * series_entry   := len:uvarint body[len] crc:u32               crc over body; series ref = file offset of len
 * body           := label_count:uvarint { name_ref:uvarint value_ref:uvarint }
 *                   chunk_count:uvarint { chunk_meta }
 * chunk_meta     := first: mint:varint (maxt-mint):uvarint ref:uvarint num_samples:uvarint
 *                   later: (mint-prev_maxt):varint (maxt-mint):uvarint (ref-prev_ref):varint num_samples:uvarint
 * postings       := len:u32 { postings_list } crc:u32
 * postings_list  := count:u32 { series_ref:u32 } crc:u32        strictly increasing refs; crc over count and refs
 * postings_table := len:u32 count:u32 { name:string value:string offset:uvarint } crc:u32
 *                   sorted by (name, value); offset = file offset of the postings_list; the entry ("", "")
 *                   lists every series
 * toc            := symbols:u64 series:u64 postings:u64 postings_table:u64 crc:u32   (file offsets; crc over them)
 * </pre>
 *
 * Integers are big-endian; varints are LEB128 (signed ones zigzag). Series entries are written in label
 * order, so sorted series refs mean sorted label sets. Refs are 32-bit, which caps an index at 2 GiB (one
 * memory mapping); a block of profiles has a few thousand series, a few hundred bytes each.
 */
public final class IndexWriter {
  private IndexWriter() {}

  /**
   * Writes the index for {@code series}, which must be sorted by labels and have at least one chunk each.
   * Returns the file size. The caller fsyncs the directory.
   */
  public static long write(Path file, List<IndexSeries> series, boolean fsync) throws IOException {
    TreeSet<String> symbolSet = new TreeSet<>(IndexFormat::compareStrings);
    for (IndexSeries s : series) {
      symbolSet.addAll(s.labelPairs());
    }
    Map<String, Integer> symbolRefs = new HashMap<>();
    ByteEncoder symbols = new ByteEncoder();
    symbols.u32(symbolSet.size());
    for (String sym : symbolSet) {
      symbolRefs.put(sym, symbolRefs.size());
      symbols.string(sym);
    }

    try (FileOutputStream fos = new FileOutputStream(file.toFile());
        CountingOut out = new CountingOut(new BufferedOutputStream(fos, 1 << 16))) {
      out.write(new ByteEncoder(8).u32(IndexFormat.MAGIC).u8(IndexFormat.VERSION).u8(0).u8(0).u8(0));

      long symbolsOffset = out.count;
      writeSection(out, symbols);

      long seriesOffset = out.count;
      TreeMap<String, TreeMap<String, List<Integer>>> postings = new TreeMap<>(IndexFormat::compareStrings);
      List<Integer> all = new ArrayList<>(series.size());
      ByteEncoder entries = new ByteEncoder(1 << 16);
      ByteEncoder body = new ByteEncoder(256);
      long entriesStart = seriesOffset + 4;
      for (IndexSeries s : series) {
        long ref = entriesStart + entries.length();
        if (ref > Integer.MAX_VALUE) {
          throw new IOException("index for " + series.size() + " series exceeds 2 GiB");
        }
        if (s.chunks().isEmpty()) {
          throw new IllegalArgumentException("series " + s.labelPairs() + " has no chunks");
        }
        body.reset();
        List<String> lp = s.labelPairs();
        body.uvarint(lp.size() / 2);
        for (int i = 0; i < lp.size(); i += 2) {
          body.uvarint(symbolRefs.get(lp.get(i))).uvarint(symbolRefs.get(lp.get(i + 1)));
          postings.computeIfAbsent(lp.get(i), k -> new TreeMap<>(IndexFormat::compareStrings))
              .computeIfAbsent(lp.get(i + 1), k -> new ArrayList<>()).add((int) ref);
        }
        all.add((int) ref);
        body.uvarint(s.chunks().size());
        ChunkMeta prev = null;
        for (ChunkMeta c : s.chunks()) {
          if (prev == null) {
            body.varint(c.minTimeMillis()).uvarint(c.maxTimeMillis() - c.minTimeMillis()).uvarint(c.ref());
          } else {
            body.varint(c.minTimeMillis() - prev.maxTimeMillis())
                .uvarint(c.maxTimeMillis() - c.minTimeMillis())
                .varint(c.ref() - prev.ref());
          }
          body.uvarint(c.numSamples());
          prev = c;
        }
        entries.uvarint(body.length());
        int bodyStart = entries.length();
        entries.bytes(body.array(), 0, body.length());
        entries.crc32cFrom(bodyStart);
      }
      writeSection(out, entries);

      long postingsOffset = out.count;
      ByteEncoder plists = new ByteEncoder(1 << 16);
      long listsStart = postingsOffset + 4;
      ByteEncoder table = new ByteEncoder(1 << 12);
      int tableCount = 0;
      table.u32(0);
      // the all-series list first: ("", "")
      tableCount += appendList(plists, listsStart, table, "", "", all);
      for (Map.Entry<String, TreeMap<String, List<Integer>>> byName : postings.entrySet()) {
        for (Map.Entry<String, List<Integer>> byValue : byName.getValue().entrySet()) {
          tableCount += appendList(plists, listsStart, table, byName.getKey(), byValue.getKey(), byValue.getValue());
        }
      }
      table.putU32At(0, tableCount);
      writeSection(out, plists);

      long tableOffset = out.count;
      writeSection(out, table);

      ByteEncoder toc = new ByteEncoder(40);
      toc.u64(symbolsOffset).u64(seriesOffset).u64(postingsOffset).u64(tableOffset).crc32cFrom(0);
      out.write(toc);
      out.flush();
      if (fsync) {
        fos.getFD().sync();
      }
      return out.count;
    }
  }

  private static int appendList(ByteEncoder plists, long listsStart, ByteEncoder table, String name, String value,
      List<Integer> refs) {
    long offset = listsStart + plists.length();
    int start = plists.length();
    plists.u32(refs.size());
    for (int r : refs) {
      plists.u32(r);
    }
    plists.crc32cFrom(start);
    table.string(name).string(value).uvarint(offset);
    return 1;
  }

  private static void writeSection(CountingOut out, ByteEncoder body) throws IOException {
    out.write(new ByteEncoder(4).u32(body.length()));
    out.write(body);
    CRC32C crc = new CRC32C();
    crc.update(body.array(), 0, body.length());
    out.write(new ByteEncoder(4).u32((int) crc.getValue()));
  }

  private static final class CountingOut extends java.io.FilterOutputStream {
    long count;

    CountingOut(OutputStream out) {
      super(out);
    }

    void write(ByteEncoder e) throws IOException {
      out.write(e.array(), 0, e.length());
      count += e.length();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }
  }
}
