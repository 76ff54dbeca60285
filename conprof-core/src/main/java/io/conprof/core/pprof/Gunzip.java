package io.conprof.core.pprof;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Gunzip of an in-memory gzip stream (RFC 1952) with a hard limit on the output.
 *
 * <p>Design: the whole compressed input is handed to one {@link Inflater} at once and inflated
 * straight into the output array, sized from the trailer's ISIZE field (trusted only as a hint,
 * within a plausible ratio) and grown by doubling up to {@code maxBytes + 1}; no intermediate
 * stream buffers are allocated and nothing is copied twice. Concatenated members are read as
 * {@link java.util.zip.GZIPInputStream} reads them (bytes after a member that do not start another
 * are ignored); the header flags, the header CRC, the CRC-32 and the ISIZE of every member are
 * checked, with the same messages that {@code GZIPInputStream} gives. When the output would pass
 * {@code maxBytes} inflation stops there: a decompression bomb costs at most that much work.
 */
final class Gunzip {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;

  private Gunzip() {}

  /**
   * Inflates {@code data}, a gzip stream that starts with the magic bytes.
   *
   * @param maxBytes largest accepted output
   * @throws InvalidProfileException on a truncated or corrupt stream or one that expands past
   *     {@code maxBytes}
   */
  static byte[] gunzip(byte[] data, long maxBytes) throws InvalidProfileException {
    long cap = Math.min(maxBytes + 1, Integer.MAX_VALUE - 16);
    byte[] out = new byte[(int) Math.min(Math.max(sizeHint(data), 4096), cap)];
    int len = 0;
    int pos = 0;
    Inflater inflater = new Inflater(true);
    CRC32 crc = new CRC32();
    try {
      while (true) {
        pos = header(data, pos, len);
        inflater.reset();
        inflater.setInput(data, pos, data.length - pos);
        crc.reset();
        int memberStart = len;
        while (!inflater.finished()) {
          if (len == out.length) {
            if (len >= cap) {
              throw tooLarge(maxBytes);
            }
            out = Arrays.copyOf(out, (int) Math.min((long) out.length * 2, cap));
          }
          int n;
          try {
            n = inflater.inflate(out, len, out.length - len);
          } catch (DataFormatException e) {
            throw new InvalidProfileException("corrupt gzip stream: " + e.getMessage(), e);
          }
          len += n;
          if (n == 0 && !inflater.finished()) {
            if (inflater.needsDictionary()) {
              throw new InvalidProfileException("corrupt gzip stream: a preset dictionary is not allowed");
            }
            if (inflater.needsInput()) {
              throw truncated(len);
            }
          }
        }
        if (len > maxBytes) {
          throw tooLarge(maxBytes);
        }
        crc.update(out, memberStart, len - memberStart);
        pos = data.length - inflater.getRemaining();
        if (data.length - pos < 8) {
          throw truncated(len);
        }
        if (readIntLe(data, pos) != (int) crc.getValue() || readIntLe(data, pos + 4) != (int) inflater.getBytesWritten()) {
          throw new InvalidProfileException("corrupt gzip stream: Corrupt GZIP trailer");
        }
        pos += 8;
        // Another member follows only if its magic does; GZIPInputStream ignores anything else.
        if (data.length - pos < 10 || (data[pos] & 0xff) != 0x1f || (data[pos + 1] & 0xff) != 0x8b) {
          break;
        }
      }
    } finally {
      inflater.end();
    }
    return len == out.length ? out : Arrays.copyOf(out, len);
  }

  /** Checks the member header at {@code pos}; returns the offset of the deflate data. */
  private static int header(byte[] d, int pos, int len) throws InvalidProfileException {
    if (d.length - pos < 10) {
      throw truncated(len);
    }
    if ((d[pos] & 0xff) != 0x1f || (d[pos + 1] & 0xff) != 0x8b) {
      throw new InvalidProfileException("corrupt gzip stream: Not in GZIP format");
    }
    if ((d[pos + 2] & 0xff) != 8) {
      throw new InvalidProfileException("corrupt gzip stream: Unsupported compression method");
    }
    int flags = d[pos + 3] & 0xff;
    int start = pos;
    int p = pos + 10;
    if ((flags & FEXTRA) != 0) {
      if (d.length - p < 2) {
        throw truncated(len);
      }
      p += 2 + ((d[p] & 0xff) | (d[p + 1] & 0xff) << 8);
    }
    if ((flags & FNAME) != 0) {
      p = skipZeroTerminated(d, p, len);
    }
    if ((flags & FCOMMENT) != 0) {
      p = skipZeroTerminated(d, p, len);
    }
    if ((flags & FHCRC) != 0) {
      if (d.length - p < 2) {
        throw truncated(len);
      }
      CRC32 hcrc = new CRC32();
      hcrc.update(d, start, p - start);
      int expected = (d[p] & 0xff) | (d[p + 1] & 0xff) << 8;
      if (((int) hcrc.getValue() & 0xffff) != expected) {
        throw new InvalidProfileException("corrupt gzip stream: Corrupt GZIP header");
      }
      p += 2;
    }
    if (p > d.length) {
      throw truncated(len);
    }
    return p;
  }

  private static int skipZeroTerminated(byte[] d, int p, int len) throws InvalidProfileException {
    while (p < d.length && d[p] != 0) {
      p++;
    }
    if (p >= d.length) {
      throw truncated(len);
    }
    return p + 1;
  }

  private static int readIntLe(byte[] d, int p) {
    return (d[p] & 0xff) | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (d[p + 3] & 0xff) << 24;
  }

  /** The ISIZE field of the last trailer (uncompressed size mod 2^32), used only as a size hint. */
  private static int sizeHint(byte[] data) {
    if (data.length < 18) {
      return 4096;
    }
    int n = data.length;
    long isize = readIntLe(data, n - 4) & 0xffffffffL;
    // Trust the hint only within a plausible ratio; a bomb or a multi-member stream may lie.
    long plausible = Math.min(isize, (long) n * 32);
    return (int) Math.min(plausible, 1 << 30);
  }

  private static InvalidProfileException truncated(int len) {
    return new InvalidProfileException("truncated gzip stream: it ends after " + len + " decompressed bytes");
  }

  private static InvalidProfileException tooLarge(long maxBytes) {
    return new InvalidProfileException(
        "gzip stream expands beyond the limit of " + maxBytes
            + " bytes (decompression stopped there; a decompression bomb?)");
  }
}
