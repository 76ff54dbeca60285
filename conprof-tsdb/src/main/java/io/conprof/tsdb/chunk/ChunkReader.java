package io.conprof.tsdb.chunk;

import io.conprof.tsdb.block.CorruptBlockException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads chunks from the segment files of a block's {@code chunks/} directory (layout in {@link ChunkWriter}).
 *
 * <p>Segments are memory-mapped read-only when the reader opens; their headers (magic, version) are
 * checked then. Every chunk read checks that the reference lies inside its segment and, for {@link
 * #chunk(long)}, the chunk's CRC32C; {@link #timestamps(long)} reads only the chunk's length, encoding and
 * timestamp section (which carries its own CRC) so timelines never touch payload pages. Reads use absolute
 * positions on shared buffers and are safe from any number of threads; unlike positional {@code
 * FileChannel} reads they cannot be broken by a reader thread being interrupted. The mappings are released
 * by the garbage collector after {@link #close()}; until then a deleted block still holds its disk space.
 */
public final class ChunkReader implements Closeable {
  /** Largest segment file a reader maps. */
  static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE;

  private final Path dir;
  private final Path[] files;
  private final MappedByteBuffer[] segments;
  private volatile boolean closed;

  private ChunkReader(Path dir, Path[] files, MappedByteBuffer[] segments) {
    this.dir = dir;
    this.files = files;
    this.segments = segments;
  }

  /** Opens the segments under {@code chunksDir}, which must be numbered 000001 onwards without gaps. */
  public static ChunkReader open(Path chunksDir) throws IOException {
    if (!Files.isDirectory(chunksDir)) {
      throw new CorruptBlockException(chunksDir, -1, "chunks directory is missing");
    }
    TreeMap<Integer, Path> byNumber = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(chunksDir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.matches("\\d{6}")) {
          byNumber.put(Integer.parseInt(name), p);
        }
      }
    }
    int expected = 1;
    for (int n : byNumber.keySet()) {
      if (n != expected) {
        throw new CorruptBlockException(chunksDir.resolve(ChunkWriter.segmentName(expected)), -1,
            "chunk segment is missing (found segment " + ChunkWriter.segmentName(n) + " instead)");
      }
      expected++;
    }
    Path[] files = byNumber.values().toArray(new Path[0]);
    MappedByteBuffer[] segs = new MappedByteBuffer[files.length];
    for (int i = 0; i < files.length; i++) {
      segs[i] = map(files[i]);
      checkHeader(files[i], segs[i]);
    }
    return new ChunkReader(chunksDir, files, segs);
  }

  private static MappedByteBuffer map(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > MAX_SEGMENT_BYTES) {
        throw new CorruptBlockException(file, -1, "segment of " + size + " bytes exceeds the limit of " + MAX_SEGMENT_BYTES);
      }
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    } catch (NoSuchFileException e) {
      throw new CorruptBlockException(file, -1, "chunk segment disappeared", e);
    }
  }

  static void checkHeader(Path file, MappedByteBuffer buf) throws CorruptBlockException {
    ByteDecoder d = new ByteDecoder(buf, 0, buf.limit(), file, 0);
    if (d.remaining() < ChunkWriter.HEADER_BYTES) {
      throw new CorruptBlockException(file, 0, "segment of " + d.remaining() + " bytes is shorter than its "
          + ChunkWriter.HEADER_BYTES + "-byte header");
    }
    int magic = d.u32("magic");
    if (magic != ChunkWriter.MAGIC) {
      throw new CorruptBlockException(file, 0, "bad magic " + ByteDecoder.hex(magic) + ", expected "
          + ByteDecoder.hex(ChunkWriter.MAGIC) + " (not a conprof chunk segment)");
    }
    int version = d.u8("version");
    if (version != ChunkWriter.VERSION) {
      throw new CorruptBlockException(file, 4, "unsupported chunk segment version " + version + ", this reader supports "
          + ChunkWriter.VERSION);
    }
    for (int i = 5; i < ChunkWriter.HEADER_BYTES; i++) {
      if (d.u8("header padding") != 0) {
        throw new CorruptBlockException(file, i, "header padding byte is not zero");
      }
    }
  }

  public Path dir() {
    return dir;
  }

  public int segmentCount() {
    return segments.length;
  }

  /** Path of segment number {@code n} (1-based). */
  public Path segmentFile(int n) {
    return files[n - 1];
  }

  /** Size in bytes of segment number {@code n} (1-based). */
  public long segmentBytes(int n) {
    return segments[n - 1].limit();
  }

  /** Location of one chunk in a segment; {@code dataStart..dataEnd} is the encoded data. */
  record Located(MappedByteBuffer buf, Path file, int frameStart, int encodingAt, int dataStart, int dataEnd) {}

  Located locate(long ref) throws CorruptBlockException {
    ensureOpen();
    long segNo = ref >>> 32;
    long off = ref & 0xffff_ffffL;
    if (segNo < 1 || segNo > segments.length) {
      throw new CorruptBlockException(dir, -1, "chunk reference 0x" + Long.toHexString(ref) + " names segment "
          + segNo + " but the block has " + segments.length + " segments");
    }
    MappedByteBuffer buf = segments[(int) segNo - 1];
    Path file = files[(int) segNo - 1];
    if (off < ChunkWriter.HEADER_BYTES || off >= buf.limit()) {
      throw new CorruptBlockException(file, off, "chunk reference 0x" + Long.toHexString(ref)
          + " points outside the segment's chunk area [" + ChunkWriter.HEADER_BYTES + ", " + buf.limit() + ")");
    }
    ByteDecoder d = new ByteDecoder(buf, (int) off, buf.limit(), file, off);
    int len = d.uvarintInt("chunk length", Integer.MAX_VALUE);
    int encodingAt = d.position();
    if ((long) len + 5 > d.remaining()) {
      throw new CorruptBlockException(file, off, "chunk of " + len + " data bytes runs past the end of the segment ("
          + d.remaining() + " bytes remain)");
    }
    int encoding = d.u8("chunk encoding");
    if (encoding != ChunkCodec.ENCODING_ZSTD_BYTES) {
      throw new CorruptBlockException(file, encodingAt, "unknown chunk encoding " + encoding + " (expected "
          + ChunkCodec.ENCODING_ZSTD_BYTES + ")");
    }
    int dataStart = d.position();
    return new Located(buf, file, (int) off, encodingAt, dataStart, dataStart + len);
  }

  /** Reads one chunk and checks its CRC. */
  public Chunk chunk(long ref) throws CorruptBlockException {
    Located l = locate(ref);
    checkFrameCrc(l);
    return new Chunk(l.buf(), l.dataStart(), l.dataEnd(), l.file(), l.dataStart());
  }

  /** Checks the CRC of a located chunk; a mismatch is reported at the chunk's first byte. */
  private static void checkFrameCrc(Located l) throws CorruptBlockException {
    ByteDecoder d = new ByteDecoder(l.buf(), l.encodingAt(), l.dataEnd() + 4, l.file(), l.encodingAt());
    d.skip(l.dataEnd() - l.encodingAt(), "chunk data");
    try {
      d.checkCrc32c(l.encodingAt(), "chunk");
    } catch (CorruptBlockException e) {
      throw new CorruptBlockException(l.file(), l.frameStart(), "chunk of " + (l.dataEnd() - l.dataStart())
          + " data bytes: " + e.reason() + " (CRC stored at offset " + e.offset() + ")");
    }
  }

  /** Reads only the timestamps of one chunk (checked by the timestamp section's own CRC). */
  public long[] timestamps(long ref) throws CorruptBlockException {
    Located l = locate(ref);
    return ChunkCodec.timestamps(l.buf(), l.dataStart(), l.dataEnd(), l.file(), l.dataStart());
  }

  /**
   * Walks every chunk frame of segment {@code n} in file order, checking framing and CRCs, and returns the
   * references of the chunks found. Stops at the first damaged frame and reports it through the exception.
   */
  public List<Long> scanSegment(int n, List<Long> refsOut) throws CorruptBlockException {
    ensureOpen();
    MappedByteBuffer buf = segments[n - 1];
    int off = ChunkWriter.HEADER_BYTES;
    while (off < buf.limit()) {
      long ref = ((long) n << 32) | off;
      Located l = locate(ref);
      checkFrameCrc(l);
      refsOut.add(ref);
      off = l.dataEnd() + 4;
    }
    return refsOut;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("chunk reader for " + dir + " is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
