package io.conprof.tsdb.chunk;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Appends chunks to the segment files {@code 000001, 000002, ...} of a block's {@code chunks/} directory.
 *
 * <pre>
 * segment := magic:u32 (0x43504348, "CPCH") version:u8 (1) padding:3 bytes (0)  { chunk }
 * chunk   := len:uvarint encoding:u8 data[len] crc:u32      (CRC32C over encoding and data)
 * ref     := segment_number:u32 &lt;&lt; 32 | offset_of_len_in_segment:u32
 * </pre>
 *
 * A new segment is started when a chunk would take the current one past the maximum size; a chunk larger
 * than the maximum gets a segment of its own. Not thread-safe. {@link #close()} flushes and, when asked
 * to, fsyncs every segment; the caller fsyncs the directory.
 */
public final class ChunkWriter implements Closeable {
  public static final int MAGIC = 0x43504348;
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 8;
  /** Default maximum segment size: 512 MiB, as in Prometheus. */
  public static final long DEFAULT_MAX_SEGMENT_BYTES = 512L << 20;

  private final Path dir;
  private final long maxSegmentBytes;
  private final boolean fsync;
  private FileOutputStream file;
  private OutputStream out;
  private int segment;
  private long offset;
  private long totalBytes;

  public ChunkWriter(Path dir, long maxSegmentBytes, boolean fsync) throws IOException {
    if (maxSegmentBytes < HEADER_BYTES + 16 || maxSegmentBytes > 0xffff_ffffL) {
      throw new IllegalArgumentException("maxSegmentBytes " + maxSegmentBytes + " outside [24, 4 GiB)");
    }
    this.dir = dir;
    this.maxSegmentBytes = maxSegmentBytes;
    this.fsync = fsync;
    Files.createDirectories(dir);
  }

  /** File name of segment {@code n}. */
  public static String segmentName(int n) {
    return String.format("%06d", n);
  }

  /** Appends one chunk with {@link ChunkCodec#ENCODING_ZSTD_BYTES} and returns its reference. */
  public long write(byte[] data) throws IOException {
    ByteEncoder head = new ByteEncoder(16);
    head.uvarint(data.length).u8(ChunkCodec.ENCODING_ZSTD_BYTES);
    long size = head.length() + (long) data.length + 4;
    if (out == null || (offset + size > maxSegmentBytes && offset > HEADER_BYTES)) {
      cut();
    }
    if (offset + size > 0xffff_ffffL) {
      throw new IOException("chunk of " + size + " bytes does not fit a segment");
    }
    long ref = ((long) segment << 32) | offset;
    CRC32C crc = new CRC32C();
    crc.update(ChunkCodec.ENCODING_ZSTD_BYTES);
    crc.update(data);
    out.write(head.array(), 0, head.length());
    out.write(data);
    out.write(new ByteEncoder(4).u32((int) crc.getValue()).toByteArray());
    offset += size;
    totalBytes += size;
    return ref;
  }

  private void cut() throws IOException {
    finishSegment();
    segment++;
    file = new FileOutputStream(dir.resolve(segmentName(segment)).toFile());
    out = new BufferedOutputStream(file, 1 << 20);
    out.write(new ByteEncoder(8).u32(MAGIC).u8(VERSION).u8(0).u8(0).u8(0).toByteArray());
    offset = HEADER_BYTES;
    totalBytes += HEADER_BYTES;
  }

  private void finishSegment() throws IOException {
    if (out != null) {
      out.flush();
      if (fsync) {
        file.getFD().sync();
      }
      out.close();
      out = null;
      file = null;
    }
  }

  /** Bytes written to all segments so far, headers included. */
  public long totalBytes() {
    return totalBytes;
  }

  @Override
  public void close() throws IOException {
    finishSegment();
  }
}
