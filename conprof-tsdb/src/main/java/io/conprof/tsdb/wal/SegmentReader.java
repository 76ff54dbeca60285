package io.conprof.tsdb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads the records of one WAL file in order, checking every header and payload CRC. It stops at
 * the first problem and says which kind it is: a torn tail (the file simply ends inside a record,
 * or the rest of the file is zero bytes: what a crash during a write leaves) or corruption (bytes
 * that cannot be what the writer wrote). Memory is bounded: payloads are checksummed in 1 MiB
 * pieces and only the first piece is kept.
 */
final class SegmentReader {
  static final int KEPT_PREFIX_BYTES = 1 << 20;

  enum Stop {
    NONE,
    END,
    TORN,
    CORRUPT
  }

  /** A record whose CRCs matched; {@code prefix} holds its first bytes (all, if it is small). */
  record Frame(byte type, long payloadOffset, int length, byte[] prefix) {}

  private final WalFile file;
  private final long size;
  private long position;
  private Stop stop = Stop.NONE;
  private String problem = "";
  private final ByteBuffer scratch = ByteBuffer.allocate(KEPT_PREFIX_BYTES);

  SegmentReader(WalFile file) throws IOException {
    this(file, 0);
  }

  /**
   * Resumes reading at {@code position}, the end of a record read earlier (or of the file header);
   * the file's size is taken now, so bytes appended later are left for the next reader.
   */
  SegmentReader(WalFile file, long position) throws IOException {
    this.file = file;
    this.size = file.channel.size();
    this.position = position;
  }

  /** Checks the file header; false (with {@link #stop()} set) if it is missing or wrong. */
  boolean readFileHeader() throws IOException {
    if (size < Framing.FILE_HEADER_BYTES) {
      return halt(Stop.TORN, "file header cut short (" + size + " bytes)");
    }
    ByteBuffer h = ByteBuffer.allocate(Framing.FILE_HEADER_BYTES);
    file.channel.readFully(h, 0);
    h.flip();
    int magic = h.getInt();
    byte version = h.get();
    if (magic != Framing.MAGIC) {
      if (magic == 0 && allZero(0)) {
        return halt(Stop.TORN, "file is zero-filled");
      }
      return halt(
          Stop.CORRUPT, String.format("bad magic %08x, expected %08x", magic, Framing.MAGIC));
    }
    if (version != Framing.VERSION) {
      return halt(
          Stop.CORRUPT,
          "unsupported WAL format version " + version + ", this reader reads " + Framing.VERSION);
    }
    position = Framing.FILE_HEADER_BYTES;
    return true;
  }

  /** The next intact record, or null when reading stopped; see {@link #stop()}. */
  Frame next() throws IOException {
    if (stop != Stop.NONE) {
      return null;
    }
    if (position == size) {
      halt(Stop.END, "");
      return null;
    }
    long remaining = size - position;
    if (remaining < Framing.RECORD_HEADER_BYTES) {
      halt(Stop.TORN, "record header cut short: " + remaining + " bytes left");
      return null;
    }
    byte[] header = new byte[Framing.RECORD_HEADER_BYTES];
    file.channel.readFully(ByteBuffer.wrap(header), position);
    ByteBuffer h = ByteBuffer.wrap(header);
    byte type = h.get();
    int length = h.getInt();
    int payloadCrc = h.getInt();
    int headerCrc = h.getInt();
    if (type == 0 && allZero(position)) {
      halt(Stop.TORN, "zero-filled tail of " + remaining + " bytes");
      return null;
    }
    if (headerCrc != Framing.headerCrc(header)) {
      halt(Stop.CORRUPT, "record header CRC32C mismatch");
      return null;
    }
    if (type < WalRecords.SERIES || type > WalRecords.MAX_TYPE) {
      halt(Stop.CORRUPT, "unknown record type " + type);
      return null;
    }
    if (length < 0 || length > Framing.MAX_RECORD_BYTES) {
      halt(Stop.CORRUPT, "record length " + Integer.toUnsignedString(length)
          + " exceeds the limit of " + Framing.MAX_RECORD_BYTES + " bytes");
      return null;
    }
    long payloadOffset = position + Framing.RECORD_HEADER_BYTES;
    if (payloadOffset + length > size) {
      halt(
          Stop.TORN,
          "record of " + length + " bytes runs past the end of the file (" + size + " bytes)");
      return null;
    }
    CRC32C crc = new CRC32C();
    byte[] prefix = null;
    long p = payloadOffset;
    long end = payloadOffset + length;
    while (p < end) {
      scratch.clear();
      scratch.limit((int) Math.min(scratch.capacity(), end - p));
      file.channel.readFully(scratch, p);
      scratch.flip();
      if (prefix == null) {
        prefix = new byte[scratch.remaining()];
        scratch.duplicate().get(prefix);
      }
      crc.update(scratch);
      p += scratch.limit();
    }
    if (prefix == null) {
      prefix = new byte[0];
    }
    if ((int) crc.getValue() != payloadCrc) {
      halt(Stop.CORRUPT, String.format(
          "payload CRC32C mismatch in record of %d bytes: stored %08x, computed %08x",
          length, payloadCrc, (int) crc.getValue()));
      return null;
    }
    position = end;
    return new Frame(type, payloadOffset, length, prefix);
  }

  /** Why reading stopped. */
  Stop stop() {
    return stop;
  }

  /** Human-readable reason for a TORN or CORRUPT stop. */
  String problem() {
    return problem;
  }

  /** Offset just after the last intact record (or file header): where a repair cuts the file. */
  long position() {
    return position;
  }

  long size() {
    return size;
  }

  /**
   * How many records after the damaged one at {@code damagedAt} still look intact (a header whose CRC
   * matches and whose payload fits in the file). Best effort, for the log message only.
   */
  int countAfter(long damagedAt) throws IOException {
    Window w = new Window();
    int count = 0;
    byte[] header = new byte[Framing.RECORD_HEADER_BYTES];
    long p = damagedAt + 1;
    while (p + Framing.RECORD_HEADER_BYTES <= size) {
      w.read(p, header);
      ByteBuffer h = ByteBuffer.wrap(header);
      byte type = h.get();
      int length = h.getInt();
      h.getInt();
      int headerCrc = h.getInt();
      if (type >= WalRecords.SERIES && type <= WalRecords.MAX_TYPE && length >= 0
          && headerCrc == Framing.headerCrc(header)
          && p + Framing.RECORD_HEADER_BYTES + length <= size) {
        count++;
        p += Framing.RECORD_HEADER_BYTES + length;
      } else {
        p++;
      }
    }
    return count;
  }

  /** A 1 MiB read-ahead window over the file for the byte-by-byte scan. */
  private final class Window {
    private final byte[] buf = new byte[KEPT_PREFIX_BYTES];
    private long start = -1;
    private int len;

    void read(long p, byte[] out) throws IOException {
      if (start < 0 || p < start || p + out.length > start + len) {
        start = p;
        len = (int) Math.min(buf.length, size - p);
        file.channel.readFully(ByteBuffer.wrap(buf, 0, len), p);
      }
      System.arraycopy(buf, (int) (p - start), out, 0, out.length);
    }
  }

  private boolean halt(Stop s, String why) {
    stop = s;
    problem = why;
    return false;
  }

  private boolean allZero(long from) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    long p = from;
    while (p < size) {
      b.clear();
      b.limit((int) Math.min(b.capacity(), size - p));
      file.channel.readFully(b, p);
      b.flip();
      while (b.hasRemaining()) {
        if (b.get() != 0) {
          return false;
        }
      }
      p += b.limit();
    }
    return true;
  }
}
