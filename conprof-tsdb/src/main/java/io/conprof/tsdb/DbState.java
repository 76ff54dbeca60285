package io.conprof.tsdb;

import java.util.List;

/**
 * An immutable view of the database that queriers read: the blocks, and the time from which the
 * head's samples belong to this view (older ones are in the blocks). Compaction publishes a new
 * state; a querier holds the state it started with, so it never sees a sample twice or misses one,
 * and the head drops a range only after every querier of older states has closed.
 */
final class DbState {
  final List<BlockHandle> blocks;
  final long headMinTimeMillis;
  /**
   * The newest head sample of this view: {@link Long#MAX_VALUE} on a writer, whose queriers see
   * every sample committed before each select; a read-only view's refresh sets it to the newest
   * sample it had read, so its queriers see the store as of that refresh.
   */
  final long headMaxTimeMillis;
  private int readers;
  private boolean retired;
  private boolean released;

  DbState(List<BlockHandle> blocks, long headMinTimeMillis) {
    this(blocks, headMinTimeMillis, Long.MAX_VALUE);
  }

  DbState(List<BlockHandle> blocks, long headMinTimeMillis, long headMaxTimeMillis) {
    this.blocks = List.copyOf(blocks);
    this.headMinTimeMillis = headMinTimeMillis;
    this.headMaxTimeMillis = headMaxTimeMillis;
    for (BlockHandle b : this.blocks) {
      b.retain();
    }
  }

  /** Registers a reader; false if this state was already released (take the current one). */
  synchronized boolean tryAcquire() {
    if (released) {
      return false;
    }
    readers++;
    return true;
  }

  void release() {
    boolean drop;
    synchronized (this) {
      readers--;
      drop = retired && readers == 0 && !released;
      if (drop) {
        released = true;
      }
      notifyAll();
    }
    if (drop) {
      releaseBlocks();
    }
  }

  /** No new readers will take this state; its blocks are released after the last reader. */
  void retire() {
    boolean drop;
    synchronized (this) {
      retired = true;
      drop = readers == 0 && !released;
      if (drop) {
        released = true;
      }
    }
    if (drop) {
      releaseBlocks();
    }
  }

  synchronized int readers() {
    return readers;
  }

  /**
   * Waits until no reader holds this state; returns false if {@code stop} became true first.
   * {@code onWait} runs every {@code logEveryMillis} while waiting.
   */
  synchronized boolean awaitNoReaders(long logEveryMillis, java.util.function.BooleanSupplier stop,
      Runnable onWait) throws InterruptedException {
    long waited = 0;
    while (readers > 0) {
      if (stop.getAsBoolean()) {
        return false;
      }
      wait(100);
      waited += 100;
      if (readers > 0 && waited % logEveryMillis == 0) {
        onWait.run();
      }
    }
    return true;
  }

  private void releaseBlocks() {
    for (BlockHandle b : blocks) {
      b.release();
    }
  }
}
