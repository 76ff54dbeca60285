package io.conprof.tsdb.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens WAL files through a wrapper that injects faults: a disk that fills up after a number of
 * bytes (writing what fits, then failing like ENOSPC), a short write, a failing fsync, and a fsync
 * that blocks until released. Counts fsyncs.
 */
final class FaultyOpener implements WalChannel.Opener {
  /** Appends fail once the total of all files would exceed this; what fits is written. */
  volatile long capacityBytes = Long.MAX_VALUE;
  /** The next append writes this many bytes then fails with a short write; -1 = off. */
  volatile long shortWriteAfterBytes = -1;
  volatile boolean failForce;
  volatile CountDownLatch blockFirstForce;
  final AtomicInteger forces = new AtomicInteger();
  final AtomicLong used = new AtomicLong();

  @Override
  public WalChannel open(Path file) throws IOException {
    WalChannel inner = FileWalChannel.open(file);
    used.addAndGet(inner.size());
    return new WalChannel() {
      @Override
      public void append(ByteBuffer... buffers) throws IOException {
        for (ByteBuffer b : buffers) {
          long room = capacityBytes - used.get();
          long shortAfter = shortWriteAfterBytes;
          if (shortAfter >= 0 && shortAfter < b.remaining()) {
            shortWriteAfterBytes = -1;
            writePart(b, (int) shortAfter);
            throw new IOException("short write");
          } else if (shortAfter >= 0) {
            shortWriteAfterBytes = shortAfter - b.remaining();
          }
          if (room < b.remaining()) {
            writePart(b, (int) Math.max(0, room));
            throw new IOException("No space left on device");
          }
          used.addAndGet(b.remaining());
          inner.append(b);
        }
      }

      private void writePart(ByteBuffer b, int n) throws IOException {
        ByteBuffer part = b.duplicate();
        part.limit(part.position() + n);
        used.addAndGet(n);
        inner.append(part);
      }

      @Override
      public void readFully(ByteBuffer dst, long position) throws IOException {
        inner.readFully(dst, position);
      }

      @Override
      public long size() throws IOException {
        return inner.size();
      }

      @Override
      public void force() throws IOException {
        CountDownLatch latch = blockFirstForce;
        if (latch != null) {
          blockFirstForce = null;
          try {
            latch.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
        if (failForce) {
          throw new IOException("fsync failed: Input/output error");
        }
        forces.incrementAndGet();
        inner.force();
      }

      @Override
      public void truncate(long sizeBytes) throws IOException {
        used.addAndGet(sizeBytes - inner.size());
        inner.truncate(sizeBytes);
      }

      @Override
      public void close() throws IOException {
        inner.close();
      }
    };
  }
}
