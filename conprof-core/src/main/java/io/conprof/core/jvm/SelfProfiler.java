package io.conprof.core.jvm;

import io.conprof.core.model.Labels;
import io.conprof.core.sink.ProfileSink;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous profiling of this JVM into a {@link ProfileSink} (the TSDB, or anything else).
 *
 * <p>Design. One daemon thread wakes every {@link Builder#interval} (default 10 s). It closes the
 * current CPU window and opens the next at the same instant, so consecutive CPU profiles tile time
 * without gaps or overlap, and writes one profile per enabled type with the labels {@code
 * __name__} (Go's name: {@code profile}, {@code allocs}, {@code heap}, {@code mutex}, {@code
 * block}, {@code goroutine}, {@code threadcreate}), {@code job} and {@code instance}. The CPU
 * profile is stamped with its window's start, the others with the tick; {@code allocs}, {@code
 * heap}, {@code mutex}, {@code block} and {@code threadcreate} are cumulative since the profiler
 * started, like Go's, so any two of them subtract into a delta.
 *
 * <p>Overhead budget. After each tick it measures the CPU time of JFR's threads and its own (see
 * {@code OverheadMeter}) as a share of one core over the interval. Above the budget (default 1% of
 * one core) it halves the CPU sampling rate and the allocation throttle of the shared recording;
 * below a quarter of the budget it doubles them back toward the configured rates. A profile the
 * sink refuses is logged and skipped; the loop never dies of one failure.
 *
 * <p>Shutdown. {@link #close()} stops the thread and releases the profiler within a second: the
 * thread is interrupted wherever it waits (for the next tick, for JFR to deliver a window's
 * events, for a heap read), and the CPU window still open is dropped, not written (completing it
 * would mean waiting up to a second for JFR's next flush). It is never interrupted inside {@link
 * ProfileSink#append}: an interrupt during file I/O closes the channel ({@code
 * ClosedByInterruptException}) and would break the host's store. {@code close()} waits for an
 * append in progress for at most {@value #CLOSE_WAIT_MILLIS} ms in all; the thread then stops
 * before its next append. The thread is a daemon and never holds the JVM up.
 */
public final class SelfProfiler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SelfProfiler.class);
  private static final long CLOSE_WAIT_MILLIS = 900;

  private final ProfileSink sink;
  private final Duration interval;
  private final Set<JvmProfileType> types;
  private final String job;
  private final String instance;
  private final JvmProfiler profiler;
  private final OverheadBudget budget;
  private final double budgetFraction;
  private final OverheadMeter meter = new OverheadMeter();
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Orders close()'s interrupt against the thread entering the sink. */
  private final Object sinkLock = new Object();
  private boolean inSink; // guarded by sinkLock
  private final AtomicLong profilesWritten = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile double lastOverheadFraction;

  private SelfProfiler(Builder b) {
    this.sink = b.sink;
    this.interval = b.interval;
    this.types = EnumSet.copyOf(b.types);
    this.job = b.job;
    this.instance = b.instance;
    this.profiler = JvmProfiler.start(b.settings);
    JfrEngine engine = profiler.engine();
    this.budgetFraction = b.overheadBudget;
    this.budget = new OverheadBudget(b.overheadBudget,
        new OverheadBudget.Rates(engine.settings.cpuPeriod(), engine.settings.allocationSamplesPerSecond()));
    this.thread = new Thread(this::run, OverheadMeter.SELF_THREAD_NAME);
    thread.setDaemon(true);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Profiles written to the sink so far. */
  public long profilesWritten() {
    return profilesWritten.get();
  }

  /** Profiles that could not be built or that the sink refused. */
  public long failures() {
    return failures.get();
  }

  /** The profiler's CPU time over the last interval as a share of one core (0.01 = 1%). */
  public double lastOverheadFraction() {
    return lastOverheadFraction;
  }

  /** Whether JFR records; when not, only {@code goroutine} profiles have content. */
  public boolean jfrAvailable() {
    return profiler.jfrAvailable();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (sinkLock) {
      if (!inSink) { // else the thread sees closed when the append returns
        thread.interrupt();
      }
    }
    try {
      thread.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      profiler.close();
    }
  }

  JfrEngine engine() {
    return profiler.engine();
  }

  boolean threadAlive() {
    return thread.isAlive();
  }

  private void run() {
    JfrEngine engine = profiler.engine();
    long intervalNanos = interval.toNanos();
    long nextTick = System.nanoTime() + intervalNanos;
    long lastCpu = meter.profilerCpuNanos();
    long lastWall = System.nanoTime();
    CpuWindow window = types.contains(JvmProfileType.CPU) ? engine.openCpuWindow(nowEpochNanos()) : null;
    try {
      while (!closed.get()) {
        long wait = nextTick - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        nextTick = Math.max(nextTick + intervalNanos, System.nanoTime() + intervalNanos / 2);
        long tick = nowEpochNanos();
        if (window != null) {
          CpuWindow previous = window;
          window = engine.openCpuWindow(tick);
          write(JvmProfileType.CPU, previous.startEpochNanos, () -> engine.closeCpuWindow(previous, tick));
        }
        for (JvmProfileType type : types) {
          if (type != JvmProfileType.CPU) {
            write(type, tick, () -> profiler.snapshot(type));
          }
        }
        long cpu = meter.profilerCpuNanos();
        long wall = System.nanoTime();
        keepToBudget(engine, (double) Math.max(0, cpu - lastCpu) / Math.max(1, wall - lastWall));
        lastCpu = cpu;
        lastWall = wall;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() asked us to stop
    } finally {
      if (window != null) {
        engine.discardCpuWindow(window);
      }
    }
  }

  private interface SnapshotSource {
    Snapshot take() throws InterruptedException;
  }

  private void write(JvmProfileType type, long timestampEpochNanos, SnapshotSource source) throws InterruptedException {
    try {
      byte[] profile = source.take().toProfile().toByteArray();
      Labels labels = Labels.of("__name__", type.goName(), "job", job, "instance", instance);
      synchronized (sinkLock) {
        if (closed.get()) {
          throw new InterruptedException("closed"); // close() may have interrupted us already, or not
        }
        inSink = true;
      }
      try {
        sink.append(labels, TimeUnit.NANOSECONDS.toMillis(timestampEpochNanos), profile);
      } finally {
        synchronized (sinkLock) {
          inSink = false;
        }
      }
      profilesWritten.incrementAndGet();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      failures.incrementAndGet();
      LOG.warn("self-profiler could not store its {} profile; it goes on with the next", type.goName(), e);
    }
  }

  private void keepToBudget(JfrEngine engine, double usedFraction) {
    lastOverheadFraction = usedFraction;
    OverheadBudget.Rates current = new OverheadBudget.Rates(
        Duration.ofNanos(engine.cpuPeriodNanos()), engine.allocationSamplesPerSecond());
    OverheadBudget.Rates next = budget.next(current, usedFraction);
    if (!next.equals(current)) {
      LOG.info("profiling used {}% of one core (budget {}%, measured from {}); sampling rates now: CPU every {} ms,"
          + " {} allocation samples/s", String.format("%.2f", usedFraction * 100),
          String.format("%.2f", budgetFraction * 100), meter.source(), next.cpuPeriod().toMillis(),
          next.allocationSamplesPerSecond());
      engine.setRates(next.cpuPeriod(), next.allocationSamplesPerSecond());
    }
  }

  private static long nowEpochNanos() {
    return JfrEngine.epochNanos(Instant.now());
  }

  /** Settings of a {@link SelfProfiler}; only the sink is required. */
  public static final class Builder {
    private ProfileSink sink;
    private Duration interval = Duration.ofSeconds(10);
    private Set<JvmProfileType> types = EnumSet.allOf(JvmProfileType.class);
    private String job = "jvm";
    private String instance = ManagementFactory.getRuntimeMXBean().getName();
    private double overheadBudget = 0.01;
    private JfrSettings settings = JfrSettings.defaults();

    private Builder() {}

    /** Where profiles go (required). */
    public Builder sink(ProfileSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /** Time between profiles; default 10 s, at least 1 s. */
    public Builder interval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("interval must be at least 1s, got " + interval);
      }
      this.interval = interval;
      return this;
    }

    /** The {@code job} label; default "jvm". */
    public Builder job(String job) {
      this.job = nonEmpty(job, "job");
      return this;
    }

    /** The {@code instance} label; default the JVM's name, {@code pid@host}. */
    public Builder instance(String instance) {
      this.instance = nonEmpty(instance, "instance");
      return this;
    }

    /** The profile types to write; default all. */
    public Builder types(Set<JvmProfileType> types) {
      Objects.requireNonNull(types, "types");
      if (types.isEmpty()) {
        throw new IllegalArgumentException("types must name at least one profile type");
      }
      this.types = EnumSet.copyOf(types);
      return this;
    }

    /** Share of one core profiling may use, in (0, 1]; default 0.01 (1%). */
    public Builder overheadBudget(double fractionOfOneCore) {
      if (!(fractionOfOneCore > 0 && fractionOfOneCore <= 1)) {
        throw new IllegalArgumentException("overheadBudget must be in (0, 1], got " + fractionOfOneCore);
      }
      this.overheadBudget = fractionOfOneCore;
      return this;
    }

    /** JFR settings, used if this is the first profiler user in the JVM. */
    public Builder settings(JfrSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Starts profiling. */
    public SelfProfiler start() {
      if (sink == null) {
        throw new IllegalStateException("a SelfProfiler needs a sink: call sink(...) before start()");
      }
      SelfProfiler p = new SelfProfiler(this);
      p.thread.start();
      return p;
    }

    private static String nonEmpty(String value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isEmpty()) {
        throw new IllegalArgumentException(what + " must not be empty");
      }
      return value;
    }
  }
}
