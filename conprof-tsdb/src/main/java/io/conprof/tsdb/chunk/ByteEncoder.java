package io.conprof.tsdb.chunk;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A growable big-endian byte buffer with the varint helpers of the block formats.
 *
 * <p>Internal to conprof-tsdb (public only because the chunk, index and block packages share it).
 */
public final class ByteEncoder {
  private byte[] buf;
  private int len;

  public ByteEncoder() {
    this(64);
  }

  public ByteEncoder(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int n) {
    if (len + n > buf.length) {
      long want = Math.max((long) buf.length * 2, (long) len + n);
      if (want > Integer.MAX_VALUE - 16) {
        if ((long) len + n > Integer.MAX_VALUE - 16) {
          throw new IllegalStateException("encoded data exceeds 2 GiB");
        }
        want = Integer.MAX_VALUE - 16;
      }
      buf = Arrays.copyOf(buf, (int) want);
    }
  }

  public int length() {
    return len;
  }

  public void reset() {
    len = 0;
  }

  public ByteEncoder u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteEncoder u32(int v) {
    ensure(4);
    buf[len++] = (byte) (v >>> 24);
    buf[len++] = (byte) (v >>> 16);
    buf[len++] = (byte) (v >>> 8);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteEncoder u64(long v) {
    u32((int) (v >>> 32));
    return u32((int) v);
  }

  public ByteEncoder uvarint(long v) {
    ensure(10);
    while ((v & ~0x7fL) != 0) {
      buf[len++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  /** Zigzag-encoded signed varint. */
  public ByteEncoder varint(long v) {
    return uvarint((v << 1) ^ (v >> 63));
  }

  public ByteEncoder bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  public ByteEncoder bytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  /** uvarint length + UTF-8 bytes. */
  public ByteEncoder string(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    uvarint(b.length);
    return bytes(b);
  }

  /** Overwrites 4 bytes at {@code at} with a big-endian int. */
  public void putU32At(int at, int v) {
    if (at < 0 || at + 4 > len) {
      throw new IndexOutOfBoundsException(at);
    }
    buf[at] = (byte) (v >>> 24);
    buf[at + 1] = (byte) (v >>> 16);
    buf[at + 2] = (byte) (v >>> 8);
    buf[at + 3] = (byte) v;
  }

  /** Appends the CRC32C of bytes [from, length()). */
  public ByteEncoder crc32cFrom(int from) {
    CRC32C crc = new CRC32C();
    crc.update(buf, from, len - from);
    return u32((int) crc.getValue());
  }

  /** The internal array; valid bytes are [0, length()). */
  public byte[] array() {
    return buf;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, len);
  }

  /** Number of bytes {@link #uvarint(long)} writes for v. */
  public static int uvarintSize(long v) {
    int n = 1;
    while ((v & ~0x7fL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }
}
