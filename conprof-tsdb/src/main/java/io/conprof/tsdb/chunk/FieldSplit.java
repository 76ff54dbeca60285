package io.conprof.tsdb.chunk;

import io.conprof.tsdb.block.CorruptBlockException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reversible, byte-exact transform of the payloads of a chunk that groups the top-level protobuf fields
 * of all samples by field number before compression.
 *
 * <p>A pprof profile is a protobuf whose top-level fields are long runs of samples (field 2), mappings (3),
 * locations (4), functions (5) and strings (6). Consecutive profiles of one process repeat most of their
 * locations, functions and strings, but with the fields of a profile interleaved in one stream, zstd has to
 * find each repeat a whole profile back. Grouped, all string tables of the chunk follow each other, then all
 * functions, and so on: the repeats are close and the statistics of each group are homogeneous. On
 * consecutive Go heap profiles this makes the zstd output about 15-20% smaller at the same level.
 *
 * <pre>
 * split_section := { layout } stream_count:uvarint { stream }          (one layout per sample, in order)
 * layout        := run_count:uvarint { field:uvarint count:uvarint }   (runs of consecutive top-level fields)
 * stream        := field:uvarint len:uvarint bytes[len]                (ascending field numbers)
 * </pre>
 *
 * A stream holds the raw bytes (tag included, exactly as received) of every entry of its field, in sample
 * order. A sample that does not parse as a sequence of protobuf fields (wire types 0, 1, 2 and 5) is kept
 * whole under pseudo-field 0, whose entries are {@code len:uvarint bytes[len]}. Joining walks each layout
 * and takes entries from the streams, so the samples come back byte for byte; every stream must be
 * consumed exactly. At most {@value #MAX_STREAMS} streams; payloads with more field numbers are not split.
 */
final class FieldSplit {
  /** Largest protobuf field number. */
  static final int MAX_FIELD = 0x1fff_ffff;
  /** Most streams (distinct top-level field numbers) in one section; pprof uses 14. */
  static final int MAX_STREAMS = 1024;

  private FieldSplit() {}

  /** End index of the protobuf field starting at {@code pos}, or -1 if there is none. */
  static int fieldEnd(byte[] b, int pos, int limit) {
    long tag = 0;
    int shift = 0;
    int p = pos;
    while (true) {
      if (p >= limit || shift > 35) {
        return -1;
      }
      int x = b[p++] & 0xff;
      tag |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    if ((tag >>> 3) == 0 || (tag >>> 3) > MAX_FIELD) {
      return -1;
    }
    switch ((int) (tag & 7)) {
      case 0 -> {
        for (int i = 0; i < 10; i++) {
          if (p >= limit) {
            return -1;
          }
          if ((b[p++] & 0x80) == 0) {
            return p;
          }
        }
        return -1;
      }
      case 1 -> {
        return limit - p >= 8 ? p + 8 : -1;
      }
      case 5 -> {
        return limit - p >= 4 ? p + 4 : -1;
      }
      case 2 -> {
        long len = 0;
        shift = 0;
        while (true) {
          if (p >= limit || shift > 63) {
            return -1;
          }
          int x = b[p++] & 0xff;
          len |= (long) (x & 0x7f) << shift;
          if ((x & 0x80) == 0) {
            break;
          }
          shift += 7;
        }
        return len >= 0 && len <= limit - p ? (int) (p + len) : -1;
      }
      default -> {
        return -1;
      }
    }
  }

  /** Field number of the field starting at {@code pos} (which {@link #fieldEnd} accepted). */
  static int fieldNumber(byte[] b, int pos) {
    long tag = 0;
    int shift = 0;
    while (true) {
      int x = b[pos++] & 0xff;
      tag |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return (int) (tag >>> 3);
      }
      shift += 7;
    }
  }

  /** Whether {@code b} is a sequence of well-formed top-level protobuf fields (an empty array is not). */
  static boolean parses(byte[] b) {
    int p = 0;
    while (p < b.length) {
      p = fieldEnd(b, p, b.length);
      if (p < 0) {
        return false;
      }
    }
    return b.length > 0;
  }

  /** The split section of {@code n} payloads, or null when they use more than {@link #MAX_STREAMS} field numbers. */
  static ByteEncoder split(byte[][] payloads, int n) {
    ByteEncoder layouts = new ByteEncoder(n * 8);
    TreeMap<Integer, ByteEncoder> streams = new TreeMap<>();
    ByteEncoder runs = new ByteEncoder(64);
    for (int i = 0; i < n; i++) {
      byte[] b = payloads[i];
      if (b.length == 0) {
        layouts.uvarint(0);
        continue;
      }
      if (!parses(b)) {
        layouts.uvarint(1).uvarint(0).uvarint(1);
        streams.computeIfAbsent(0, k -> new ByteEncoder()).uvarint(b.length).bytes(b);
        continue;
      }
      runs.reset();
      int runCount = 0;
      int p = 0;
      int runField = -1;
      int runLen = 0;
      while (p < b.length) {
        int end = fieldEnd(b, p, b.length);
        int field = fieldNumber(b, p);
        streams.computeIfAbsent(field, k -> new ByteEncoder(1024)).bytes(b, p, end - p);
        if (field == runField) {
          runLen++;
        } else {
          if (runLen > 0) {
            runs.uvarint(runField).uvarint(runLen);
            runCount++;
          }
          runField = field;
          runLen = 1;
        }
        p = end;
      }
      runs.uvarint(runField).uvarint(runLen);
      runCount++;
      layouts.uvarint(runCount).bytes(runs.array(), 0, runs.length());
    }
    if (streams.size() > MAX_STREAMS) {
      return null;
    }
    ByteEncoder out = layouts;
    out.uvarint(streams.size());
    for (Map.Entry<Integer, ByteEncoder> e : streams.entrySet()) {
      out.uvarint(e.getKey()).uvarint(e.getValue().length()).bytes(e.getValue().array(), 0, e.getValue().length());
    }
    return out;
  }

  /**
   * Restores {@code n} payloads from a split section. Memory besides the output is O(n + streams).
   *
   * @param file, fileOffset where the section came from, for error messages
   */
  static byte[][] join(byte[] section, int n, Path file, long fileOffset) throws CorruptBlockException {
    ByteBuffer buf = ByteBuffer.wrap(section);
    ByteDecoder d = new ByteDecoder(buf, 0, section.length, file, fileOffset);
    int[] layoutStart = new int[n];
    for (int i = 0; i < n; i++) {
      layoutStart[i] = d.position();
      int runs = d.uvarintInt("layout run count", d.remaining() / 2);
      for (int r = 0; r < runs; r++) {
        d.uvarintInt("layout field", MAX_FIELD);
        d.uvarintInt("layout run length", section.length);
      }
    }
    int streamCount = d.uvarintInt("stream count", MAX_STREAMS);
    int[] fields = new int[streamCount];
    int[] pos = new int[streamCount];
    int[] ends = new int[streamCount];
    for (int i = 0; i < streamCount; i++) {
      int field = d.uvarintInt("stream field", MAX_FIELD);
      if (i > 0 && field <= fields[i - 1]) {
        throw d.corrupt("stream fields not ascending: " + field + " after " + fields[i - 1]);
      }
      fields[i] = field;
      int len = d.uvarintInt("stream length", d.remaining());
      pos[i] = d.position();
      d.skip(len, "stream");
      ends[i] = pos[i] + len;
    }
    if (d.remaining() != 0) {
      throw d.corrupt(d.remaining() + " trailing bytes after the split streams");
    }
    byte[][] out = new byte[n][];
    ByteEncoder sample = new ByteEncoder(4096);
    for (int i = 0; i < n; i++) {
      sample.reset();
      ByteDecoder l = new ByteDecoder(buf, layoutStart[i], section.length, file, fileOffset + layoutStart[i]);
      int runs = l.uvarintInt("layout run count", l.remaining() / 2);
      for (int r = 0; r < runs; r++) {
        int field = l.uvarintInt("layout field", MAX_FIELD);
        int count = l.uvarintInt("layout run length", section.length);
        int s = java.util.Arrays.binarySearch(fields, field);
        if (s < 0) {
          throw l.corrupt("sample " + i + " needs field " + field + " but there is no stream for it");
        }
        for (int c = 0; c < count; c++) {
          int start = pos[s];
          int end;
          if (field == 0) {
            ByteDecoder o = new ByteDecoder(buf, start, ends[s], file, fileOffset + start);
            int len = o.uvarintInt("opaque sample length", o.remaining());
            start = o.position();
            end = start + len;
          } else {
            end = fieldEnd(section, start, ends[s]);
            if (end < 0 || fieldNumber(section, start) != field) {
              throw new CorruptBlockException(file, fileOffset + start, "stream of field " + field
                  + " does not hold a well-formed entry for sample " + i);
            }
          }
          sample.bytes(section, start, end - start);
          pos[s] = end;
        }
      }
      out[i] = sample.toByteArray();
    }
    for (int s = 0; s < streamCount; s++) {
      if (pos[s] != ends[s]) {
        throw d.corrupt("stream of field " + fields[s] + " has " + (ends[s] - pos[s]) + " bytes left after all samples");
      }
    }
    return out;
  }
}
