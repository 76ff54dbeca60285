package io.conprof.tsdb.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** A {@link WalChannel} that only reads; used for checkpoints and by {@code verify}. */
final class ReadOnlyWalChannel implements WalChannel {
  private final FileChannel channel;

  ReadOnlyWalChannel(FileChannel channel) {
    this.channel = channel;
  }

  @Override
  public void append(ByteBuffer... buffers) throws IOException {
    throw new IOException("read-only WAL file");
  }

  @Override
  public void readFully(ByteBuffer dst, long position) throws IOException {
    long pos = position;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw new EOFException("end of file at offset " + pos);
      }
      pos += n;
    }
  }

  @Override
  public long size() throws IOException {
    return channel.size();
  }

  @Override
  public void force() {
    // nothing was written
  }

  @Override
  public void truncate(long sizeBytes) throws IOException {
    throw new IOException("read-only WAL file");
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
