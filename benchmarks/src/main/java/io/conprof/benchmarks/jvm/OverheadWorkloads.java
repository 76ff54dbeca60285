package io.conprof.benchmarks.jvm;

/**
 * The workloads whose throughput the overhead benchmarks compare with and without a profiler, shared
 * by the JMH benchmark ({@link ProfilerOverheadBenchmark}) and the interleaved A/B run ({@link
 * InterleavedProfilerOverhead}), so both measure the same code.
 */
final class OverheadWorkloads {
  /** Where the allocation-heavy workload publishes an object now and then, so nothing is elided. */
  static volatile Object escape;

  private OverheadWorkloads() {}

  /** Integer work in a small call tree, so samples land in several methods; about 5 µs. */
  static long cpuBound() {
    long acc = 0;
    for (int i = 0; i < 1_000; i++) {
      acc += i % 3 == 0 ? mix(acc + i) : scramble(acc ^ i);
    }
    return acc;
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x;
  }

  private static long scramble(long x) {
    for (int k = 0; k < 4; k++) {
      x = Long.rotateLeft(x * 0x9e3779b97f4a7c15L, 17) ^ k;
    }
    return x;
  }

  /** Short-lived arrays and strings of mixed sizes, as request handling allocates; returns a checksum. */
  static long allocationHeavy() {
    long sum = 0;
    for (int i = 0; i < 100; i++) {
      byte[] b = new byte[64 + (i & 7) * 128];
      String s = new StringBuilder(16).append(i).append(':').append(i * 31).toString();
      long[] l = {i, i + 1L};
      sum += b.length + s.length() + l[1];
      if ((i & 63) == 0) {
        escape = b;
      }
    }
    return sum;
  }
}
