package io.conprof.tsdb.chunk;

import io.conprof.tsdb.block.CorruptBlockException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * A bounds-checked reader over a window of a block file. Every read checks the remaining bytes first and a
 * failure is a {@link CorruptBlockException} naming the file and the absolute file offset, never an
 * {@code IndexOutOfBoundsException} or {@code BufferUnderflowException}. Lengths read from the data are
 * checked against the bytes that remain before anything is allocated, so a corrupt length cannot make a
 * reader allocate more memory than the file holds.
 *
 * <p>Internal to conprof-tsdb (public only because the chunk, index and block packages share it). Not
 * thread-safe; create one per read, they are cheap.
 */
public final class ByteDecoder {
  private final ByteBuffer buf;
  private final Path file;
  private final long fileOffset;
  private final int start;
  private final int limit;
  private int pos;

  /**
   * @param buf the bytes; only absolute reads are used, so a shared read-only buffer is safe
   * @param start first index of the window in {@code buf}
   * @param limit index after the last byte of the window
   * @param file the file the bytes come from, for error messages
   * @param fileOffset the file offset of {@code buf} index {@code start}
   */
  public ByteDecoder(ByteBuffer buf, int start, int limit, Path file, long fileOffset) {
    if (start < 0 || limit < start || limit > buf.limit()) {
      throw new IllegalArgumentException("window [" + start + ", " + limit + ") outside buffer of " + buf.limit());
    }
    this.buf = buf;
    this.start = start;
    this.limit = limit;
    this.pos = start;
    this.file = file;
    this.fileOffset = fileOffset;
  }

  public static ByteDecoder of(byte[] bytes, Path file, long fileOffset) {
    return new ByteDecoder(ByteBuffer.wrap(bytes), 0, bytes.length, file, fileOffset);
  }

  /** Absolute file offset of the next byte to read. */
  public long fileOffset() {
    return fileOffset + (pos - start);
  }

  /** Buffer index of the next byte to read. */
  public int position() {
    return pos;
  }

  public int remaining() {
    return limit - pos;
  }

  public Path file() {
    return file;
  }

  /** A corruption error at the current position. */
  public CorruptBlockException corrupt(String reason) {
    return new CorruptBlockException(file, fileOffset(), reason);
  }

  /** A corruption error at the given buffer index. */
  public CorruptBlockException corruptAt(int index, String reason) {
    return new CorruptBlockException(file, fileOffset + (index - start), reason);
  }

  private void need(int n, String what) throws CorruptBlockException {
    if (n < 0 || n > limit - pos) {
      throw corrupt("need " + n + " bytes for " + what + " but only " + (limit - pos) + " remain");
    }
  }

  public void skip(int n, String what) throws CorruptBlockException {
    need(n, what);
    pos += n;
  }

  public int u8(String what) throws CorruptBlockException {
    need(1, what);
    return buf.get(pos++) & 0xff;
  }

  /** Big-endian unsigned 32-bit value as an int (bit pattern). */
  public int u32(String what) throws CorruptBlockException {
    need(4, what);
    int v = buf.getInt(pos);
    pos += 4;
    return v;
  }

  /** Big-endian 64-bit value. */
  public long u64(String what) throws CorruptBlockException {
    need(8, what);
    long v = buf.getLong(pos);
    pos += 8;
    return v;
  }

  /** Unsigned LEB128 varint of at most 10 bytes. */
  public long uvarint(String what) throws CorruptBlockException {
    long result = 0;
    int shift = 0;
    int at = pos;
    for (int i = 0; i < 10; i++) {
      if (pos >= limit) {
        throw corruptAt(at, "truncated varint for " + what);
      }
      int b = buf.get(pos++) & 0xff;
      if (i == 9 && b > 1) {
        throw corruptAt(at, "varint overflows 64 bits for " + what);
      }
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
      shift += 7;
    }
    throw corruptAt(at, "varint longer than 10 bytes for " + what);
  }

  /** An unsigned varint that must lie in [0, max]. */
  public int uvarintInt(String what, int max) throws CorruptBlockException {
    int at = pos;
    long v = uvarint(what);
    if (v < 0 || v > max) {
      throw corruptAt(at, what + " " + Long.toUnsignedString(v) + " out of range [0, " + max + "]");
    }
    return (int) v;
  }

  /** Zigzag-encoded signed varint. */
  public long varint(String what) throws CorruptBlockException {
    long u = uvarint(what);
    return (u >>> 1) ^ -(u & 1);
  }

  public byte[] bytes(int n, String what) throws CorruptBlockException {
    need(n, what);
    byte[] out = new byte[n];
    buf.get(pos, out, 0, n);
    pos += n;
    return out;
  }

  /** A uvarint length followed by that many bytes of strict UTF-8. */
  public String string(String what) throws CorruptBlockException {
    int at = pos;
    int n = uvarintInt(what + " length", remaining());
    byte[] b = bytes(n, what);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw corruptAt(at, what + " is not valid UTF-8");
    }
  }

  /** CRC32C of buffer indexes [from, to). */
  public int crc32c(int from, int to) {
    CRC32C crc = new CRC32C();
    crc.update(buf.duplicate().limit(to).position(from));
    return (int) crc.getValue();
  }

  /**
   * Reads a big-endian CRC32C at the current position and compares it with the CRC of buffer indexes
   * [from, current position).
   */
  public void checkCrc32c(int from, String what) throws CorruptBlockException {
    int end = pos;
    int expected = crc32c(from, end);
    int found = u32(what + " CRC32C");
    if (found != expected) {
      throw corruptAt(end, what + " CRC32C mismatch: stored " + hex(found) + ", computed " + hex(expected));
    }
  }

  static String hex(int v) {
    return String.format("0x%08x", v);
  }
}
