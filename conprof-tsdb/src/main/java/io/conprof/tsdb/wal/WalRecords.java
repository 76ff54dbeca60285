package io.conprof.tsdb.wal;

import io.conprof.tsdb.wal.Decbuf.DecodeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes the payloads of the four WAL record types.
 *
 * <pre>
 * series     := count:uvarint ( ref:uvarint  pairs:uvarint ( name:str value:str )* )*
 * samples    := metaLen:u32 meta data
 *   meta     := count:uvarint ( ref:uvarint  ts:varint  len:uvarint  crc:u32 )*
 *   data     := the sample bytes, concatenated in meta order (uncompressed pprof protobuf)
 * tombstones := count:uvarint ( ref:uvarint  mint:varint  maxt:varint )*
 * headState  := minValidTime:varint  nextSeriesRef:uvarint
 * str        := len:uvarint  utf8:u8[len]
 * </pre>
 *
 * Sample metadata comes before the data so that a replay reads a few bytes per sample and leaves
 * the payloads on disk, where the head reads them on demand (each checked by its own CRC32C).
 */
public final class WalRecords {
  static final byte SERIES = 1;
  static final byte SAMPLES = 2;
  static final byte TOMBSTONES = 3;
  static final byte HEAD_STATE = 4;
  static final byte MAX_TYPE = 4;

  private WalRecords() {}

  /** One series of a series record. */
  public record SeriesEntry(long ref, List<String> nameValues) {
    public SeriesEntry {
      nameValues = List.copyOf(nameValues);
      if (nameValues.size() % 2 != 0) {
        throw new IllegalArgumentException("nameValues must alternate names and values");
      }
    }
  }

  /** One sample of a samples record. */
  public record SampleEntry(long ref, long timestampMillis, byte[] bytes) {}

  /** One deleted interval of a tombstones record. */
  public record TombstoneEntry(long ref, long minTimeMillis, long maxTimeMillis) {}

  public static WalRecord series(List<SeriesEntry> series) {
    Encbuf e = new Encbuf();
    e.putUvarint(series.size());
    for (SeriesEntry s : series) {
      e.putUvarint(s.ref());
      e.putUvarint(s.nameValues().size() / 2);
      for (String nv : s.nameValues()) {
        e.putString(nv);
      }
    }
    return new WalRecord(SERIES, new byte[][] {e.toByteArray()}, null, null);
  }

  public static WalRecord samples(List<SampleEntry> samples) {
    Encbuf meta = new Encbuf();
    meta.putInt(0);
    meta.putUvarint(samples.size());
    int[] crcs = new int[samples.size()];
    long maxTs = Long.MIN_VALUE;
    for (int i = 0; i < samples.size(); i++) {
      SampleEntry s = samples.get(i);
      maxTs = Math.max(maxTs, s.timestampMillis());
      CRC32C crc = new CRC32C();
      crc.update(s.bytes());
      crcs[i] = (int) crc.getValue();
      meta.putUvarint(s.ref());
      meta.putVarint(s.timestampMillis());
      meta.putUvarint(s.bytes().length);
      meta.putInt(crcs[i]);
    }
    meta.setInt(0, meta.length() - 4);
    byte[][] parts = new byte[samples.size() + 1][];
    parts[0] = meta.toByteArray();
    long[] offsets = new long[samples.size()];
    long off = parts[0].length;
    for (int i = 0; i < samples.size(); i++) {
      parts[i + 1] = samples.get(i).bytes();
      offsets[i] = off;
      off += parts[i + 1].length;
    }
    return new WalRecord(SAMPLES, parts, offsets, crcs, maxTs);
  }

  public static WalRecord tombstones(List<TombstoneEntry> tombstones) {
    Encbuf e = new Encbuf();
    e.putUvarint(tombstones.size());
    for (TombstoneEntry t : tombstones) {
      e.putUvarint(t.ref());
      e.putVarint(t.minTimeMillis());
      e.putVarint(t.maxTimeMillis());
    }
    return new WalRecord(TOMBSTONES, new byte[][] {e.toByteArray()}, null, null);
  }

  public static WalRecord headState(long minValidTimeMillis, long nextSeriesRef) {
    Encbuf e = new Encbuf();
    e.putVarint(minValidTimeMillis);
    e.putUvarint(nextSeriesRef);
    return new WalRecord(HEAD_STATE, new byte[][] {e.toByteArray()}, null, null);
  }

  /** Decodes one intact frame and hands its content to {@code handler}. */
  static void decode(WalFile file, SegmentReader.Frame frame, ReplayHandler handler)
      throws IOException {
    try {
      switch (frame.type()) {
        case SERIES -> decodeSeries(full(file, frame), frame.length(), handler);
        case SAMPLES -> decodeSamples(file, frame, handler);
        case TOMBSTONES -> decodeTombstones(full(file, frame), frame.length(), handler);
        case HEAD_STATE -> {
          Decbuf d = new Decbuf(full(file, frame), 0, frame.length());
          long minValid = d.getVarint();
          long nextRef = d.getUvarint();
          handler.headState(minValid, nextRef);
        }
        default -> throw new DecodeException(0, "unknown record type " + frame.type());
      }
    } catch (DecodeException e) {
      throw new CorruptWalException(
          file.path(),
          frame.payloadOffset() + e.offset,
          "undecodable record of type " + frame.type() + ": " + e.getMessage());
    }
  }

  private static byte[] full(WalFile file, SegmentReader.Frame frame) throws IOException {
    if (frame.prefix().length == frame.length()) {
      return frame.prefix();
    }
    byte[] b = new byte[frame.length()];
    file.channel.readFully(ByteBuffer.wrap(b), frame.payloadOffset());
    return b;
  }

  private static void decodeSeries(byte[] b, int len, ReplayHandler handler)
      throws DecodeException {
    Decbuf d = new Decbuf(b, 0, len);
    int count = d.getCount(d.remaining(), "series count");
    long[] refs = new long[count];
    List<List<String>> labels = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      refs[i] = d.getUvarint();
      int pairs = d.getCount(d.remaining() / 2, "label count");
      List<String> nv = new ArrayList<>(pairs * 2);
      for (int j = 0; j < pairs * 2; j++) {
        nv.add(d.getString());
      }
      labels.add(nv);
    }
    if (d.remaining() != 0) {
      throw new DecodeException(d.position(), d.remaining() + " unexpected trailing bytes");
    }
    for (int i = 0; i < count; i++) {
      handler.series(refs[i], labels.get(i));
    }
  }

  private static void decodeTombstones(byte[] b, int len, ReplayHandler handler)
      throws DecodeException {
    Decbuf d = new Decbuf(b, 0, len);
    int count = d.getCount(d.remaining(), "tombstone count");
    for (int i = 0; i < count; i++) {
      handler.tombstone(d.getUvarint(), d.getVarint(), d.getVarint());
    }
    if (d.remaining() != 0) {
      throw new DecodeException(d.position(), d.remaining() + " unexpected trailing bytes");
    }
  }

  private static void decodeSamples(WalFile file, SegmentReader.Frame frame, ReplayHandler handler)
      throws IOException, DecodeException {
    byte[] prefix = frame.prefix();
    Decbuf lenBuf = new Decbuf(prefix, 0, prefix.length);
    int metaLen = lenBuf.getInt();
    if (metaLen < 0 || metaLen > frame.length() - 4) {
      throw new DecodeException(0, "sample metadata length " + metaLen + " exceeds the record");
    }
    byte[] meta;
    if (4 + metaLen <= prefix.length) {
      meta = prefix;
    } else {
      meta = new byte[4 + metaLen];
      file.channel.readFully(ByteBuffer.wrap(meta), frame.payloadOffset());
    }
    Decbuf d = new Decbuf(meta, 4, 4 + metaLen);
    int count = d.getCount(metaLen, "sample count");
    long[] refs = new long[count];
    long[] tss = new long[count];
    long[] offsets = new long[count];
    int[] lens = new int[count];
    int[] crcs = new int[count];
    long dataOffset = 4L + metaLen;
    long dataEnd = frame.length();
    for (int i = 0; i < count; i++) {
      refs[i] = d.getUvarint();
      tss[i] = d.getVarint();
      int at = d.position();
      lens[i] = d.getCount(Integer.MAX_VALUE, "sample length");
      crcs[i] = d.getInt();
      if (dataOffset + lens[i] > dataEnd) {
        throw new DecodeException(
            at, "sample of " + lens[i] + " bytes runs past the end of the record");
      }
      offsets[i] = frame.payloadOffset() + dataOffset;
      dataOffset += lens[i];
    }
    if (dataOffset != dataEnd || d.remaining() != 0) {
      throw new DecodeException(d.position(), "sample data does not fill the record exactly");
    }
    for (int i = 0; i < count; i++) {
      file.observeSampleTimestamp(tss[i]);
      handler.sample(refs[i], tss[i], file, offsets[i], lens[i], crcs[i]);
    }
  }
}
