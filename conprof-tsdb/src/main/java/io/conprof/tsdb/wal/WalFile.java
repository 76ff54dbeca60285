package io.conprof.tsdb.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * One file of the WAL, a numbered segment or a checkpoint, open for positional reads. The head keeps
 * its samples' payloads here (file, offset, length, CRC32C) instead of on the Java heap, so the
 * memory of the head is a few dozen bytes per sample whatever the size of the profiles.
 */
public final class WalFile {
  private final Path path;
  private final int number;
  private final boolean checkpoint;
  final WalChannel channel;
  private volatile long maxSampleTimestampMillis = Long.MIN_VALUE;

  WalFile(Path path, int number, boolean checkpoint, WalChannel channel) {
    this.path = path;
    this.number = number;
    this.checkpoint = checkpoint;
    this.channel = channel;
  }

  /** The file on disk. */
  public Path path() {
    return path;
  }

  /** The segment number, or for a checkpoint the number of the last segment it replaces. */
  public int number() {
    return number;
  }

  public boolean isCheckpoint() {
    return checkpoint;
  }

  /** The largest sample timestamp stored in this file, {@link Long#MIN_VALUE} if none. */
  public long maxSampleTimestampMillis() {
    return maxSampleTimestampMillis;
  }

  synchronized void observeSampleTimestamp(long timestampMillis) {
    if (timestampMillis > maxSampleTimestampMillis) {
      maxSampleTimestampMillis = timestampMillis;
    }
  }

  /**
   * Reads {@code length} bytes at {@code offset} and checks them against {@code crc32c}.
   *
   * @throws CorruptWalException if the bytes are missing or do not match the checksum
   */
  public byte[] read(long offset, int length, int crc32c) throws IOException {
    byte[] out = new byte[length];
    try {
      channel.readFully(ByteBuffer.wrap(out), offset);
    } catch (EOFException e) {
      throw new CorruptWalException(path, offset, "sample of " + length + " bytes runs past end of file");
    } catch (ClosedChannelException e) {
      throw new IOException(path + " was closed: the WAL file was removed after truncation", e);
    }
    CRC32C crc = new CRC32C();
    crc.update(out);
    if ((int) crc.getValue() != crc32c) {
      throw new CorruptWalException(
          path,
          offset,
          String.format(
              "sample CRC32C mismatch: stored %08x, computed %08x", crc32c, (int) crc.getValue()));
    }
    return out;
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
