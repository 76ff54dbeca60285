package io.conprof.tsdb.wal;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * Reads varints, integers and strings from a record payload with bounds checks; every failure is a
 * {@link DecodeException} saying what was expected at which offset.
 */
final class Decbuf {
  private final byte[] buf;
  private final int end;
  private int pos;

  Decbuf(byte[] buf, int from, int end) {
    this.buf = buf;
    this.pos = from;
    this.end = end;
  }

  static final class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;
    final int offset;

    DecodeException(int offset, String message) {
      super(message);
      this.offset = offset;
    }
  }

  int position() {
    return pos;
  }

  int remaining() {
    return end - pos;
  }

  int getInt() throws DecodeException {
    need(4, "a 4-byte integer");
    int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16)
        | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  long getUvarint() throws DecodeException {
    long v = 0;
    int start = pos;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) {
        throw new DecodeException(start, "varint runs past the end of the record");
      }
      byte b = buf[pos++];
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new DecodeException(start, "varint longer than 10 bytes");
  }

  long getVarint() throws DecodeException {
    long u = getUvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** A uvarint that must be in [0, max]. */
  int getCount(long max, String what) throws DecodeException {
    int start = pos;
    long v = getUvarint();
    if (v < 0 || v > max) {
      throw new DecodeException(start, what + " " + v + " is out of range [0, " + max + "]");
    }
    return (int) v;
  }

  String getString() throws DecodeException {
    int n = getCount(remaining(), "string length");
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buf, pos, n))
          .toString();
      pos += n;
      return s;
    } catch (CharacterCodingException e) {
      throw new DecodeException(pos, "string is not valid UTF-8");
    }
  }

  private void need(int n, String what) throws DecodeException {
    if (end - pos < n) {
      throw new DecodeException(pos, "expected " + what + ", found " + (end - pos) + " bytes");
    }
  }
}
