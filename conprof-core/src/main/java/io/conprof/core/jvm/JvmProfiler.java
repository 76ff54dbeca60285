package io.conprof.core.jvm;

import io.conprof.core.pprof.Profile;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handle on the JVM's profiler: Go-compatible pprof profiles of this JVM, from JFR and {@code
 * ThreadMXBean}.
 *
 * <p>All handles in a JVM share one JFR recording (see {@code JfrEngine}); the first handle's
 * {@link JfrSettings} configure it. {@link #close()} gives the handle up, and the last one stops
 * the recording. Cumulative profiles ({@code allocs}, {@code heap}, {@code mutex}, {@code block},
 * {@code threadcreate}) count from when the recording started, as Go's count from program start.
 * Where JFR is unavailable the profiles are valid but empty, with the reason in their comment.
 *
 * <pre>{@code
 * try (JvmProfiler profiler = JvmProfiler.start()) {
 *   Profile cpu = profiler.cpuProfile(Duration.ofSeconds(10));
 *   Profile allocs = profiler.profile(JvmProfileType.ALLOCS);
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class JvmProfiler implements AutoCloseable {
  /** How old JFR's live-object samples may be before a heap profile reads them again. */
  static final long LIVE_OBJECTS_MAX_AGE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(60);

  private final JfrEngine engine;
  private final AtomicBoolean closed = new AtomicBoolean();

  private JvmProfiler(JfrEngine engine) {
    this.engine = engine;
  }

  /** A handle on the JVM's profiler, starting it with the default settings if nothing runs yet. */
  public static JvmProfiler start() {
    return start(JfrSettings.defaults());
  }

  /** A handle on the JVM's profiler, starting it with {@code settings} if nothing runs yet. */
  public static JvmProfiler start(JfrSettings settings) {
    return new JvmProfiler(JfrEngine.acquire(Objects.requireNonNull(settings, "settings")));
  }

  /** Whether JFR records; when not, {@link #unavailableReason()} says why. */
  public boolean jfrAvailable() {
    return engine.unavailableReason() == null;
  }

  public Optional<String> unavailableReason() {
    return Optional.ofNullable(engine.unavailableReason());
  }

  /**
   * The current state of a cumulative profile or the thread stacks.
   *
   * @throws IllegalArgumentException for {@link JvmProfileType#CPU}, which needs a window: {@link #cpuProfile}
   */
  public Profile profile(JvmProfileType type) {
    return snapshot(type).toProfile();
  }

  /** A CPU profile of the next {@code duration}; blocks for it plus up to about a second for JFR to flush. */
  public Profile cpuProfile(Duration duration) throws InterruptedException {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    return cpuSnapshot(duration).toProfile();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.release();
    }
  }

  Snapshot snapshot(JvmProfileType type) {
    long now = JfrEngine.epochNanos(Instant.now());
    return switch (type) {
      case ALLOCS -> engine.allocations(type, now);
      case HEAP -> heapSnapshot(LIVE_OBJECTS_MAX_AGE_NANOS);
      case MUTEX, BLOCK -> engine.contention(type, now);
      case THREADCREATE -> engine.threadCreation(now);
      case GOROUTINE -> ThreadStacks.snapshot(now);
      case CPU -> throw new IllegalArgumentException("the CPU profile covers a window: use cpuProfile(Duration)");
    };
  }

  /**
   * The heap profile, first reading JFR's live-object samples if they are older than {@code
   * maxAgeNanos} (0 forces a read, as {@code heap?gc=1} does).
   */
  Snapshot heapSnapshot(long maxAgeNanos) {
    try {
      engine.refreshLiveObjects(maxAgeNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // build from the samples read before
    }
    return engine.allocations(JvmProfileType.HEAP, JfrEngine.epochNanos(Instant.now()));
  }

  Snapshot cpuSnapshot(Duration duration) throws InterruptedException {
    long start = JfrEngine.epochNanos(Instant.now());
    CpuWindow w = engine.openCpuWindow(start);
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      engine.discardCpuWindow(w);
      throw e;
    }
    return engine.closeCpuWindow(w, start + duration.toNanos());
  }

  JfrEngine engine() {
    return engine;
  }
}
