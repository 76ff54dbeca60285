package io.conprof.tsdb;

import java.time.Duration;
import java.util.Objects;

/**
 * When the WAL is forced to the device. Either way a commit has been written to the kernel (which
 * survives SIGKILL of the process) before it returns; the policy decides what survives power loss.
 *
 * <ul>
 *   <li>{@link #everyCommit()} (the default): {@code commit()} returns only after an fsync covering
 *       its batch. Concurrent commits share one fsync (group commit). Nothing acknowledged is lost on
 *       power loss, on a device that honours flushes.
 *   <li>{@link #interval(Duration)}: {@code commit()} returns after the write; a background thread
 *       fsyncs every interval. Power loss can lose the commits of the last interval.
 * </ul>
 */
public final class FsyncPolicy {
  private static final FsyncPolicy EVERY_COMMIT = new FsyncPolicy(Duration.ZERO);
  private final Duration interval;

  private FsyncPolicy(Duration interval) {
    this.interval = interval;
  }

  public static FsyncPolicy everyCommit() {
    return EVERY_COMMIT;
  }

  /** Fsync every {@code interval} (at least 1 ms) in the background. */
  public static FsyncPolicy interval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.toMillis() < 1) {
      throw new IllegalArgumentException("fsync interval must be at least 1 ms, got " + interval);
    }
    return new FsyncPolicy(interval);
  }

  public boolean isEveryCommit() {
    return interval.isZero();
  }

  /** The background fsync interval; zero for {@link #everyCommit()}. */
  public Duration interval() {
    return interval;
  }

  @Override
  public String toString() {
    return isEveryCommit() ? "every-commit" : "interval(" + interval + ")";
  }
}
