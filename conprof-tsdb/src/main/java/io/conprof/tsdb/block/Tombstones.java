package io.conprof.tsdb.block;

import io.conprof.tsdb.chunk.ByteDecoder;
import io.conprof.tsdb.chunk.ByteEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The deleted time ranges of a block's series, and the {@code tombstones} file that keeps them.
 *
 * <pre>
 * tombstones := magic:u32 (0x43505453, "CPTS") version:u8 (1) count:uvarint { entry } crc:u32
 * entry      := series_ref:uvarint mint:varint maxt:varint      (inclusive range; sorted by ref, then mint)
 * crc        := CRC32C over count and the entries
 * </pre>
 *
 * Immutable: {@link #with} returns a new instance with an interval added (and overlapping intervals of the
 * series merged). The file is replaced atomically (temporary file, fsync, rename, fsync of the directory).
 */
final class Tombstones {
  static final String NAME = "tombstones";
  static final int MAGIC = 0x43505453;
  static final int VERSION = 1;
  static final long MAX_BYTES = 256L << 20;
  static final Tombstones EMPTY = new Tombstones(new TreeMap<>());

  /** series ref -> sorted, disjoint, non-adjacent [mint, maxt] intervals. */
  private final TreeMap<Long, List<long[]>> bySeries;

  private Tombstones(TreeMap<Long, List<long[]>> bySeries) {
    this.bySeries = bySeries;
  }

  boolean isEmpty() {
    return bySeries.isEmpty();
  }

  int intervalCount() {
    int n = 0;
    for (List<long[]> l : bySeries.values()) {
      n += l.size();
    }
    return n;
  }

  /** The series refs with tombstones, ascending. */
  Iterable<Long> seriesRefs() {
    return Collections.unmodifiableSet(bySeries.keySet());
  }

  /** Intervals of {@code ref}, sorted and disjoint; empty when none. */
  List<long[]> intervals(long ref) {
    List<long[]> l = bySeries.get(ref);
    return l == null ? List.of() : l;
  }

  /** A copy with [mint, maxt] deleted from series {@code ref}. */
  Tombstones with(long ref, long mint, long maxt) {
    if (maxt < mint) {
      return this;
    }
    TreeMap<Long, List<long[]>> copy = new TreeMap<>(bySeries);
    copy.put(ref, add(intervals(ref), mint, maxt));
    return new Tombstones(copy);
  }

  /** Adds [lo, hi] to sorted disjoint intervals, merging overlapping and adjacent ones. */
  static List<long[]> add(List<long[]> existing, long lo, long hi) {
    List<long[]> out = new ArrayList<>(existing.size() + 1);
    List<long[]> after = new ArrayList<>();
    for (long[] e : existing) {
      if (e[1] < lo && e[1] + 1 < lo) {
        out.add(e);
      } else if (e[0] > hi && e[0] - 1 > hi) {
        after.add(e);
      } else {
        lo = Math.min(lo, e[0]);
        hi = Math.max(hi, e[1]);
      }
    }
    out.add(new long[] {lo, hi});
    out.addAll(after);
    return List.copyOf(out);
  }

  /** Whether {@code t} lies in one of the sorted {@code intervals}. */
  static boolean isDeleted(List<long[]> intervals, long t) {
    for (long[] iv : intervals) {
      if (t >= iv[0] && t <= iv[1]) {
        return true;
      }
      if (iv[0] > t) {
        return false;
      }
    }
    return false;
  }

  /** Whether the intervals cover all of [mint, maxt]. */
  static boolean covers(List<long[]> intervals, long mint, long maxt) {
    for (long[] iv : intervals) {
      if (iv[0] <= mint && iv[1] >= maxt) {
        return true;
      }
    }
    return false;
  }

  byte[] encode() {
    ByteEncoder e = new ByteEncoder(64 + intervalCount() * 12);
    e.u32(MAGIC).u8(VERSION);
    int crcFrom = e.length();
    e.uvarint(intervalCount());
    for (Map.Entry<Long, List<long[]>> s : bySeries.entrySet()) {
      for (long[] iv : s.getValue()) {
        e.uvarint(s.getKey()).varint(iv[0]).varint(iv[1]);
      }
    }
    e.crc32cFrom(crcFrom);
    return e.toByteArray();
  }

  void write(Path blockDir, boolean fsync) throws IOException {
    FileSync.writeAtomically(blockDir.resolve(NAME), encode(), fsync);
  }

  /** Reads the tombstones of a block; a missing file means none. */
  static Tombstones read(Path blockDir) throws IOException {
    Path file = blockDir.resolve(NAME);
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new CorruptBlockException(file, -1, "tombstones file of " + size + " bytes exceeds the limit of " + MAX_BYTES);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return EMPTY;
    }
    ByteDecoder d = ByteDecoder.of(bytes, file, 0);
    if (bytes.length < 5) {
      throw d.corrupt("tombstones file of " + bytes.length + " bytes is shorter than its 5-byte header");
    }
    int magic = d.u32("magic");
    if (magic != MAGIC) {
      throw d.corruptAt(0, String.format("bad magic 0x%08x, expected 0x%08x (not a conprof tombstones file)", magic, MAGIC));
    }
    int version = d.u8("version");
    if (version != VERSION) {
      throw d.corruptAt(4, "unsupported tombstones version " + version + ", this reader supports " + VERSION);
    }
    if (bytes.length < 5 + 1 + 4) {
      throw d.corrupt("tombstones file truncated: no room for count and CRC32C");
    }
    ByteDecoder crc = ByteDecoder.of(bytes, file, 0);
    crc.skip(bytes.length - 4, "tombstone entries");
    crc.checkCrc32c(5, "tombstones");
    ByteDecoder body = new ByteDecoder(java.nio.ByteBuffer.wrap(bytes), 5, bytes.length - 4, file, 5);
    int count = body.uvarintInt("tombstone count", body.remaining() / 3);
    TreeMap<Long, List<long[]>> map = new TreeMap<>();
    long prevRef = -1;
    long prevMint = Long.MIN_VALUE;
    for (int i = 0; i < count; i++) {
      int at = body.position();
      long ref = body.uvarint("series ref");
      long mint = body.varint("mint");
      long maxt = body.varint("maxt");
      if (maxt < mint || ref < prevRef || (ref == prevRef && mint <= prevMint)) {
        throw body.corruptAt(at, "tombstone entry " + i + " (ref " + ref + ", [" + mint + ", " + maxt + "]) is out of order or empty");
      }
      map.put(ref, add(map.getOrDefault(ref, List.of()), mint, maxt));
      prevRef = ref;
      prevMint = mint;
    }
    if (body.remaining() != 0) {
      throw body.corrupt(body.remaining() + " trailing bytes after " + count + " tombstone entries");
    }
    return new Tombstones(map);
  }
}
