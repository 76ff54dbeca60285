package io.conprof.core.jvm;

import java.time.Duration;
import java.util.Objects;

/**
 * How the JFR recording behind the JVM profiler samples.
 *
 * <p>The recording is shared by everything in the JVM that profiles through conprof (the endpoint
 * and the self-profiler): the first user's settings configure it; later users share it as it is.
 *
 * @param cpuPeriod time between {@code jdk.ExecutionSample} ticks; default 20 ms (50 Hz), 10 ms gives Go's 100 Hz
 * @param allocationSamplesPerSecond throttle of {@code jdk.ObjectAllocationSample}
 * @param mutexThreshold shortest {@code jdk.JavaMonitorEnter} wait recorded
 * @param blockThreshold shortest {@code jdk.ThreadPark} recorded
 * @param maxStacks distinct stacks kept per profile; further stacks are counted under {@code [other]}
 */
public record JfrSettings(Duration cpuPeriod, int allocationSamplesPerSecond, Duration mutexThreshold,
    Duration blockThreshold, int maxStacks) {
  /** Longest CPU period the overhead budget may lower the sampling rate to. */
  static final Duration MAX_CPU_PERIOD = Duration.ofSeconds(1);

  public JfrSettings {
    Objects.requireNonNull(cpuPeriod, "cpuPeriod");
    Objects.requireNonNull(mutexThreshold, "mutexThreshold");
    Objects.requireNonNull(blockThreshold, "blockThreshold");
    if (cpuPeriod.compareTo(Duration.ofMillis(1)) < 0 || cpuPeriod.compareTo(MAX_CPU_PERIOD) > 0) {
      throw new IllegalArgumentException("cpuPeriod must be between 1 ms and 1 s, got " + cpuPeriod);
    }
    if (allocationSamplesPerSecond < 1 || allocationSamplesPerSecond > 10_000) {
      throw new IllegalArgumentException(
          "allocationSamplesPerSecond must be between 1 and 10000, got " + allocationSamplesPerSecond);
    }
    if (mutexThreshold.isNegative() || blockThreshold.isNegative()) {
      throw new IllegalArgumentException("thresholds must not be negative, got mutex "
          + mutexThreshold + " and block " + blockThreshold);
    }
    if (maxStacks < 1) {
      throw new IllegalArgumentException("maxStacks must be positive, got " + maxStacks);
    }
  }

  /**
   * 50 Hz CPU sampling (JFR's own default period), 150 allocation samples/s, 10 ms lock and park
   * thresholds, 10,000 stacks. CPU sampling is the profiler's main cost inside the application's
   * threads (JFR suspends a thread to walk its stack): at Go's 100 Hz a CPU-bound thread lost about
   * 1.4% of its throughput, as much as with JFR's {@code profile} settings; 50 Hz halves that
   * (docs/benchmarks.md, "JVM self-profiling overhead"). {@code withCpuPeriod(Duration.ofMillis(10))}
   * gives Go's rate.
   */
  public static JfrSettings defaults() {
    return new JfrSettings(Duration.ofMillis(20), 150, Duration.ofMillis(10), Duration.ofMillis(10), 10_000);
  }

  public JfrSettings withCpuPeriod(Duration period) {
    return new JfrSettings(period, allocationSamplesPerSecond, mutexThreshold, blockThreshold, maxStacks);
  }

  public JfrSettings withAllocationSamplesPerSecond(int perSecond) {
    return new JfrSettings(cpuPeriod, perSecond, mutexThreshold, blockThreshold, maxStacks);
  }

  public JfrSettings withThresholds(Duration mutex, Duration block) {
    return new JfrSettings(cpuPeriod, allocationSamplesPerSecond, mutex, block, maxStacks);
  }
}
