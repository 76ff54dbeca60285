package io.conprof.tsdb.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One encoded WAL record, ready to be framed and appended: a type and its payload in parts (so that
 * large profile payloads are written straight from the caller's arrays, never copied). Built by
 * {@link WalRecords}.
 */
public final class WalRecord {
  final byte type;
  final byte[][] parts;
  final int length;
  final int crc32c;
  /** For a samples record: the offset of each sample's bytes from the start of the payload. */
  final long[] sampleOffsets;
  /** For a samples record: the CRC32C of each sample's bytes. */
  final int[] sampleCrcs;

  /** For a samples record: the largest sample timestamp, else {@link Long#MIN_VALUE}. */
  final long maxTimestampMillis;

  WalRecord(byte type, byte[][] parts, long[] sampleOffsets, int[] sampleCrcs) {
    this(type, parts, sampleOffsets, sampleCrcs, Long.MIN_VALUE);
  }

  WalRecord(byte type, byte[][] parts, long[] sampleOffsets, int[] sampleCrcs,
      long maxTimestampMillis) {
    this.type = type;
    this.maxTimestampMillis = maxTimestampMillis;
    this.parts = parts;
    long total = 0;
    CRC32C crc = new CRC32C();
    for (byte[] p : parts) {
      total += p.length;
      crc.update(p);
    }
    if (total > Framing.MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "WAL record of " + total + " bytes exceeds the limit of " + Framing.MAX_RECORD_BYTES);
    }
    this.length = (int) total;
    this.crc32c = (int) crc.getValue();
    this.sampleOffsets = sampleOffsets;
    this.sampleCrcs = sampleCrcs;
  }

  /** Header plus payload: the bytes this record takes in a WAL file. */
  public long framedBytes() {
    return Framing.RECORD_HEADER_BYTES + (long) length;
  }

  /** Number of samples in a samples record (0 for other types). */
  public int sampleCount() {
    return sampleOffsets == null ? 0 : sampleOffsets.length;
  }

  /** Offset of the {@code i}-th sample's bytes from the start of a samples record's payload. */
  public long sampleOffset(int i) {
    return sampleOffsets[i];
  }

  /** CRC32C of the {@code i}-th sample's bytes of a samples record. */
  public int sampleCrc(int i) {
    return sampleCrcs[i];
  }

  ByteBuffer[] buffers() {
    ByteBuffer[] out = new ByteBuffer[parts.length + 1];
    out[0] = Framing.recordHeader(type, length, crc32c);
    for (int i = 0; i < parts.length; i++) {
      out[i + 1] = ByteBuffer.wrap(parts[i]);
    }
    return out;
  }
}
