package io.conprof.tsdb.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Byte layout of WAL files (see docs/storage-format.md, "WAL").
 *
 * <pre>
 * file    := fileHeader record*
 * fileHeader := magic:u32 = 0x43505741 ("CPWA")  version:u8 = 1  reserved:u8[3] = 0
 * record  := type:u8  length:u32  payloadCrc:u32  headerCrc:u32  payload:u8[length]
 *   type        1..4 (series, samples, tombstones, head state); 0 never starts a record
 *   payloadCrc  CRC32C of the payload
 *   headerCrc   CRC32C of the 9 bytes type, length, payloadCrc
 * </pre>
 *
 * All integers are big-endian. The header has its own CRC so that a damaged length is recognised as
 * damage at once instead of being followed to a wrong place, and so that a record cut short by a
 * crash (valid header, payload running past the end of the file) can be told apart from corruption.
 */
final class Framing {
  static final int MAGIC = 0x43505741;
  static final byte VERSION = 1;
  static final int FILE_HEADER_BYTES = 8;
  static final int RECORD_HEADER_BYTES = 13;
  /** Hard upper bound of one record's payload; writers split larger batches. */
  static final int MAX_RECORD_BYTES = 1 << 30;

  private Framing() {}

  static ByteBuffer fileHeader() {
    ByteBuffer b = ByteBuffer.allocate(FILE_HEADER_BYTES);
    b.putInt(MAGIC).put(VERSION).put((byte) 0).put((byte) 0).put((byte) 0);
    return b.flip();
  }

  static ByteBuffer recordHeader(byte type, int length, int payloadCrc) {
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER_BYTES);
    b.put(type).putInt(length).putInt(payloadCrc);
    b.putInt(headerCrc(b.array()));
    return b.flip();
  }

  static int headerCrc(byte[] header) {
    CRC32C crc = new CRC32C();
    crc.update(header, 0, 9);
    return (int) crc.getValue();
  }
}
