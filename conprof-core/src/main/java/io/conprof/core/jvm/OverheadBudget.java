package io.conprof.core.jvm;

import java.time.Duration;

/**
 * Keeps profiling within a share of one core by lowering the sampling rates when the measured
 * cost is above it, and raising them back toward the configured rates once the cost is well below
 * (under a quarter of the budget). Each step halves or doubles the CPU sampling rate and the
 * allocation throttle; the CPU period never exceeds one second, the throttle never goes below 1/s.
 */
final class OverheadBudget {
  /** Sampling rates: CPU period and allocation samples per second. */
  record Rates(Duration cpuPeriod, int allocationSamplesPerSecond) {}

  private final double budgetFraction;
  private final Rates configured;

  OverheadBudget(double budgetFraction, Rates configured) {
    this.budgetFraction = budgetFraction;
    this.configured = configured;
  }

  /** The rates to use next, given the current ones and the share of one core used since the last step. */
  Rates next(Rates current, double usedFraction) {
    if (usedFraction > budgetFraction) {
      Duration slower = current.cpuPeriod().multipliedBy(2);
      if (slower.compareTo(JfrSettings.MAX_CPU_PERIOD) > 0) {
        slower = JfrSettings.MAX_CPU_PERIOD;
      }
      return new Rates(slower, Math.max(1, current.allocationSamplesPerSecond() / 2));
    }
    if (usedFraction < budgetFraction / 4 && !current.equals(configured)) {
      Duration faster = current.cpuPeriod().dividedBy(2);
      if (faster.compareTo(configured.cpuPeriod()) < 0) {
        faster = configured.cpuPeriod();
      }
      int more = (int) Math.min(configured.allocationSamplesPerSecond(), 2L * current.allocationSamplesPerSecond());
      return new Rates(faster, more);
    }
    return current;
  }
}
