package io.conprof.core.model;

/** A time interval in milliseconds since the epoch, inclusive on both ends. */
public record TimeRange(long minMillis, long maxMillis) {
  private static final TimeRange ALL = new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

  public TimeRange {
    if (minMillis > maxMillis) {
      throw new IllegalArgumentException("time range min " + minMillis
          + " is after max " + maxMillis);
    }
  }

  /** All representable times. */
  public static TimeRange all() {
    return ALL;
  }

  /** True if {@code minMillis <= t <= maxMillis}. */
  public boolean contains(long t) {
    return t >= minMillis && t <= maxMillis;
  }

  /** True if this range and the inclusive range {@code [mint, maxt]} share at least one instant. */
  public boolean overlaps(long mint, long maxt) {
    return mint <= maxMillis && maxt >= minMillis;
  }
}
