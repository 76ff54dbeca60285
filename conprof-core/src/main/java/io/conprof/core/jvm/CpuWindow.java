package io.conprof.core.jvm;

/** An open CPU profile: samples whose time falls in [start, end) are added to its table. */
final class CpuWindow {
  final long startEpochNanos;
  volatile long endEpochNanos = Long.MAX_VALUE;
  final StackTable table;

  CpuWindow(long startEpochNanos, int maxStacks) {
    this.startEpochNanos = startEpochNanos;
    this.table = new StackTable(2, maxStacks);
  }

  boolean covers(long epochNanos) {
    return epochNanos >= startEpochNanos && epochNanos < endEpochNanos;
  }
}
