package io.conprof.tsdb.chunk;

import io.conprof.tsdb.block.CorruptBlockException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One chunk read from a segment file (or just encoded), whose CRC has been checked. Decoding is lazy:
 * {@link #timestamps()} reads only the timestamp section, {@link #payloads()} inflates the payloads.
 * Immutable and safe to share between threads.
 */
public final class Chunk {
  private final ByteBuffer buf;
  private final int start;
  private final int end;
  private final Path file;
  private final long fileOffset;
  private final int numSamples;

  Chunk(ByteBuffer buf, int start, int end, Path file, long fileOffset) throws CorruptBlockException {
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.file = file;
    this.fileOffset = fileOffset;
    this.numSamples = ChunkCodec.readTimestampSection(new ByteDecoder(buf, start, end, file, fileOffset))[0];
  }

  /** A chunk over encoded data ({@link ChunkCodec#encode}), for data that never went through a file. */
  public static Chunk ofData(byte[] data, Path origin) throws CorruptBlockException {
    return new Chunk(ByteBuffer.wrap(data), 0, data.length, origin, 0);
  }

  public int numSamples() {
    return numSamples;
  }

  /** The timestamps in stored order. Never inflates the payloads. */
  public long[] timestamps() throws CorruptBlockException {
    return ChunkCodec.timestamps(buf, start, end, file, fileOffset);
  }

  /** The payloads in stored order; inflates the whole payload section. */
  public byte[][] payloads() throws CorruptBlockException {
    ByteDecoder d = new ByteDecoder(buf, start, end, file, fileOffset);
    ChunkCodec.readTimestampSection(d);
    return ChunkCodec.decodePayloads(d, numSamples);
  }
}
