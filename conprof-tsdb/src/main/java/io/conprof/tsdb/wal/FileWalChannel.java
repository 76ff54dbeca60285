package io.conprof.tsdb.wal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@link WalChannel} over a {@link FileChannel}; appends are serialised by the caller. */
final class FileWalChannel implements WalChannel {
  static final WalChannel.Opener OPENER = FileWalChannel::open;

  private final FileChannel channel;
  private long end;

  private FileWalChannel(FileChannel channel) throws IOException {
    this.channel = channel;
    this.end = channel.size();
  }

  static WalChannel open(Path file) throws IOException {
    return new FileWalChannel(
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  @Override
  public synchronized void append(ByteBuffer... buffers) throws IOException {
    for (ByteBuffer b : buffers) {
      while (b.hasRemaining()) {
        end += channel.write(b, end);
      }
    }
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
  public synchronized long size() {
    return end;
  }

  @Override
  public void force() throws IOException {
    channel.force(false);
  }

  @Override
  public synchronized void truncate(long sizeBytes) throws IOException {
    channel.truncate(sizeBytes);
    end = Math.min(end, sizeBytes);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
