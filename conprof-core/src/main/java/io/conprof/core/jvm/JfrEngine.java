package io.conprof.core.jvm;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import io.conprof.core.pprof.ValueType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM profiler's engine: one JFR recording per JVM, aggregated in memory into Go's profiles.
 *
 * <p>Design. Every profiling user in the JVM (the {@code /debug/pprof} endpoint, the
 * self-profiler, a benchmark) shares one engine, acquired and released by reference count: one
 * {@code RecordingStream}, because every additional recording changes the rates of all of them and
 * rotates chunks. The stream's single callback thread turns each event's stack into interned
 * frames (class, method, descriptor, line: never the event or frame objects, which JFR reuses) and
 * adds it to the tables: cumulative ones for allocations, monitor contention, parks and thread
 * starts (Go's {@code allocs}, {@code heap}, {@code mutex}, {@code block} and {@code threadcreate}
 * are cumulative since the program started), and any number of open CPU windows, so that two
 * overlapping {@code profile?seconds=N} requests each get exactly their own window from the one
 * recording. The heap's in-use columns come from JFR's live-object sampler, which JFR writes out
 * only when a recording is dumped; {@link #refreshLiveObjects} does that at most once a minute.
 * Events arrive about a second after they happen (JFR flushes once a second), so a window is
 * built only once a {@code WatermarkEvent} committed after its end has come through the stream
 * (every event committed before it has then been delivered); windows select events by their own
 * timestamps, never by arrival.
 *
 * <p>Guarantees. Readers copy a table under its monitor and never block the callback thread for
 * longer than that copy; memory is bounded by {@link JfrSettings#maxStacks()} per table. Another
 * JFR recording in the same JVM may raise JFR's rates (JFR runs each event at the most detailed
 * setting any recording asks for); the engine keeps its own thresholds and takes at most one CPU
 * sample per thread per period, so its profiles do not change meaning. Where JFR is unavailable
 * (another VM, a jlink image without {@code jdk.jfr}, a read-only temp directory) the engine logs
 * one warning and serves empty profiles that say why in their comment; nothing is thrown into the
 * host.
 *
 * <p>Cost. At the defaults about 50 CPU samples per busy thread, 150 allocation samples and a few lock events a
 * second, each costing a stack walk in the JVM and a stack conversion here.
 */
final class JfrEngine {
  private static final Logger LOG = LoggerFactory.getLogger(JfrEngine.class);
  private static final Object SHARED_LOCK = new Object();
  private static JfrEngine shared;
  private static int references;

  static final ValueType COUNT_SAMPLES = new ValueType("samples", "count");
  static final ValueType CPU_NANOS = new ValueType("cpu", "nanoseconds");
  static final ValueType CONTENTIONS = new ValueType("contentions", "count");
  static final ValueType DELAY = new ValueType("delay", "nanoseconds");
  static final List<ValueType> HEAP_TYPES = List.of(new ValueType("alloc_objects", "count"),
      new ValueType("alloc_space", "bytes"), new ValueType("inuse_objects", "count"),
      new ValueType("inuse_space", "bytes"));

  /** Frames under which a park is a pool thread waiting for work, not blocking. */
  private static final Set<String> IDLE_WAIT_FUNCTIONS = Set.of(
      "java.util.concurrent.ThreadPoolExecutor.getTask",
      "java.util.concurrent.ForkJoinPool.awaitWork",
      "java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue.take",
      "java.util.concurrent.Exchanger.arena");
  /** Code whose parks and lock waits are the profiler's or JFR's own. */
  private static final List<String> OWN_PREFIXES = List.of("jdk.jfr.", JfrEngine.class.getName() + ".",
      "io.conprof.core.jvm.SelfProfiler.", "io.conprof.core.jvm.PprofHandler.");

  private static final long FLUSH_WAIT_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(3);

  final JfrSettings settings;
  final long startEpochNanos;
  final StackTable allocs;
  final StackTable mutex;
  final StackTable block;
  final StackTable threadCreate;
  private final CopyOnWriteArrayList<CpuWindow> windows = new CopyOnWriteArrayList<>();
  private final HashMap<Long, Long> lastCpuSampleNanos = new HashMap<>(); // callback thread only

  private volatile long cpuPeriodNanos;
  private volatile int allocationSamplesPerSecond;
  private volatile String unavailableReason;
  private volatile JfrEventSource source;

  private final StackTable pendingLiveObjects;
  private final Object liveObjectsLock = new Object();
  private volatile Map<StackTable.Key, long[]> liveObjects = Map.of();
  private volatile long liveObjectsEpochNanos;
  private long liveObjectsReadNanos; // guarded by liveObjectsLock
  private boolean liveObjectsFailed; // guarded by liveObjectsLock

  private final Object flushLock = new Object();
  private long deliveredWatermark; // guarded by flushLock

  JfrEngine(JfrSettings settings) {
    this.settings = settings;
    this.startEpochNanos = epochNanos(Instant.now());
    this.allocs = new StackTable(2, settings.maxStacks());
    this.mutex = new StackTable(2, settings.maxStacks());
    this.block = new StackTable(2, settings.maxStacks());
    this.threadCreate = new StackTable(1, settings.maxStacks());
    this.pendingLiveObjects = new StackTable(1, settings.maxStacks());
    this.cpuPeriodNanos = settings.cpuPeriod().toNanos();
    this.allocationSamplesPerSecond = settings.allocationSamplesPerSecond();
  }

  /** The JVM's engine, started on first use with {@code settings}; pair with {@link #release()}. */
  static JfrEngine acquire(JfrSettings settings) {
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        JfrEngine e = new JfrEngine(settings);
        e.start();
        shared = e;
      }
      references++;
      return shared;
    }
  }

  /** Gives up one reference; the last one stops the recording. */
  void release() {
    synchronized (SHARED_LOCK) {
      if (shared != this) {
        return;
      }
      if (--references == 0) {
        shared = null;
        stop();
      }
    }
  }

  /** Starts the JFR stream; on any failure logs one warning and stays usable without JFR. */
  void start() {
    start(JfrEventSource::start);
  }

  /** How the engine starts its JFR source; a seam for tests of the failure path. */
  interface SourceStarter {
    JfrEventSource start(JfrEngine engine, JfrSettings settings) throws Exception;
  }

  void start(SourceStarter starter) {
    try {
      source = starter.start(this, settings);
    } catch (Throwable t) { // LinkageError without jdk.jfr, IllegalStateException, SecurityException, IOException
      unavailableReason = t.getClass().getSimpleName() + ": " + t.getMessage();
      LOG.warn("JFR is unavailable, so CPU, allocation, lock and thread-start profiles will be empty"
          + " (thread stacks still work): {}", unavailableReason);
      source = null;
    }
  }

  void stop() {
    JfrEventSource s = source;
    source = null;
    if (s != null) {
      s.close();
    }
  }

  /** Null when JFR is recording, else why it is not. */
  String unavailableReason() {
    return unavailableReason;
  }

  long cpuPeriodNanos() {
    return cpuPeriodNanos;
  }

  int allocationSamplesPerSecond() {
    return allocationSamplesPerSecond;
  }

  /** Changes the sampling rates of the running recording (the overhead budget uses this). */
  void setRates(Duration cpuPeriod, int allocationPerSecond) {
    this.cpuPeriodNanos = cpuPeriod.toNanos();
    this.allocationSamplesPerSecond = allocationPerSecond;
    JfrEventSource s = source;
    if (s != null) {
      s.setRates(cpuPeriod, allocationPerSecond);
    }
  }

  // ---- events, called on the JFR callback thread (and by tests) ----

  void onExecutionSample(long threadId, long epochNanos, List<Frame> stack) {
    long period = cpuPeriodNanos;
    Long last = lastCpuSampleNanos.get(threadId);
    if (last != null && epochNanos - last < period * 9 / 10 && epochNanos >= last) {
      return; // another recording runs the sampler faster than we asked: keep our rate
    }
    if (lastCpuSampleNanos.size() > 100_000) {
      lastCpuSampleNanos.clear();
    }
    // Keep a per-thread grid of one period, so a faster sampler cannot add up jitter into extra samples.
    boolean onGrid = last != null && epochNanos >= last && epochNanos - last < period * 11 / 10;
    lastCpuSampleNanos.put(threadId, onGrid ? last + period : epochNanos);
    for (CpuWindow w : windows) {
      if (w.covers(epochNanos)) {
        w.table.add(stack, "", 1, period);
      }
    }
  }

  void onAllocationSample(List<Frame> stack, String objectClass, long weightBytes) {
    allocs.add(stack, objectClass == null ? "" : FrameNames.javaClassName(objectClass), 1, weightBytes);
  }

  void onMonitorEnter(List<Frame> stack, long durationNanos) {
    if (durationNanos < settings.mutexThreshold().toNanos() || isOwn(stack)) {
      return;
    }
    mutex.add(stack, "", 1, durationNanos);
    block.add(stack, "", 1, durationNanos);
  }

  void onThreadPark(List<Frame> stack, String parkedClass, long durationNanos) {
    if (durationNanos < settings.blockThreshold().toNanos() || isIdlePark(stack, parkedClass) || isOwn(stack)) {
      return;
    }
    block.add(stack, "", 1, durationNanos);
  }

  void onThreadStart(List<Frame> stack) {
    threadCreate.add(stack, "", 1);
  }

  /** After each JFR flush has been dispatched, with the highest watermark seen so far. */
  void onFlush(long watermark) {
    synchronized (flushLock) {
      deliveredWatermark = Math.max(deliveredWatermark, watermark);
      flushLock.notifyAll();
    }
  }

  /**
   * True for parks of threads waiting for work: a pool worker in {@code getTask}, a fork-join
   * worker in {@code awaitWork}, or a park on the pool itself.
   */
  static boolean isIdlePark(List<Frame> stack, String parkedClass) {
    if (parkedClass != null && parkedClass.startsWith("java.util.concurrent.ForkJoinPool")) {
      return true;
    }
    for (Frame f : stack) {
      if (IDLE_WAIT_FUNCTIONS.contains(f.function())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isOwn(List<Frame> stack) {
    for (Frame f : stack) {
      for (String p : OWN_PREFIXES) {
        if (f.function().startsWith(p)) {
          return true;
        }
      }
    }
    return false;
  }

  // ---- windows and snapshots ----

  CpuWindow openCpuWindow(long startEpochNanos) {
    CpuWindow w = new CpuWindow(startEpochNanos, settings.maxStacks());
    windows.add(w);
    return w;
  }

  /** Ends {@code w} at {@code endEpochNanos}, waits until JFR has delivered its events, builds it. */
  Snapshot closeCpuWindow(CpuWindow w, long endEpochNanos) throws InterruptedException {
    w.endEpochNanos = endEpochNanos;
    try {
      awaitDelivery();
    } finally {
      windows.remove(w);
    }
    List<String> comments = new ArrayList<>();
    comments.add("JVM CPU profile from JFR jdk.ExecutionSample every "
        + TimeUnit.NANOSECONDS.toMillis(cpuPeriodNanos) + " ms; JFR samples at most 5 Java threads per"
        + " tick, so cpu = samples x period is approximate and low when more threads are busy");
    addUnavailable(comments);
    return new Snapshot(JvmProfileType.CPU, List.of(COUNT_SAMPLES, CPU_NANOS), CPU_NANOS, cpuPeriodNanos,
        w.startEpochNanos, Math.max(0, endEpochNanos - w.startEpochNanos), "", comments, "", w.table.copy());
  }

  /** Abandons an open window (the request failed or was interrupted). */
  void discardCpuWindow(CpuWindow w) {
    windows.remove(w);
  }

  /**
   * Waits until JFR has dispatched every event committed before this call (about a second, JFR's
   * flush interval), or gives up after a few seconds.
   */
  void awaitDelivery() throws InterruptedException {
    JfrEventSource s = source;
    if (s == null) {
      return;
    }
    long watermark = s.commitWatermark();
    long deadline = System.nanoTime() + FLUSH_WAIT_LIMIT_NANOS;
    synchronized (flushLock) {
      while (deliveredWatermark < watermark) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        flushLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /**
   * The cumulative allocation profile with in-use columns. Those come from JFR's live-object
   * sampler when it has been read (see {@link #refreshLiveObjects}): the heap used after the last
   * GC, divided equally among the sampled live objects (JFR samples allocations in proportion to
   * bytes allocated, so each live sample stands for about the same share of the live heap).
   * Without live samples the heap used after the last GC is spread over allocation sites in
   * proportion to their allocated bytes, and the comment says so.
   */
  Snapshot allocations(JvmProfileType type, long nowEpochNanos) {
    Map<StackTable.Key, long[]> table = allocs.copy();
    Map<StackTable.Key, long[]> live = liveObjects;
    long totalBytes = 0;
    long samples = 0;
    for (long[] v : table.values()) {
      samples += v[0];
      totalBytes += v[1];
    }
    long liveBytes = liveHeapBytes();
    LinkedHashMap<StackTable.Key, long[]> out = new LinkedHashMap<>();
    List<String> comments = new ArrayList<>();
    comments.add("JVM allocation profile from JFR jdk.ObjectAllocationSample (throttled to "
        + allocationSamplesPerSecond + "/s) since " + Instant.ofEpochSecond(0, startEpochNanos)
        + "; alloc_space sums the samples' weights (an estimate of bytes allocated); alloc_objects counts"
        + " allocation samples, not objects; the label class is the allocated class");
    if (live.isEmpty()) {
      double ratio = totalBytes == 0 ? 0 : Math.min(1.0, (double) liveBytes / totalBytes);
      table.forEach((k, v) -> out.put(k, new long[] {v[0], v[1], Math.round(v[0] * ratio), Math.round(v[1] * ratio)}));
      comments.add("inuse_space and inuse_objects are estimates: the heap used after the last GC ("
          + liveBytes + " bytes) spread over allocation sites in proportion to their allocated bytes;"
          + " no JFR live-object samples have been read yet");
    } else {
      table.forEach((k, v) -> out.put(k, new long[] {v[0], v[1], 0, 0}));
      long liveSamples = 0;
      for (long[] v : live.values()) {
        liveSamples += v[0];
      }
      double bytesPerSample = (double) liveBytes / liveSamples;
      live.forEach((k, v) -> {
        long[] sum = out.computeIfAbsent(k, x -> new long[4]);
        sum[2] += v[0];
        sum[3] += Math.round(v[0] * bytesPerSample);
      });
      comments.add("inuse_space and inuse_objects are estimates: the heap used after the last GC (" + liveBytes
          + " bytes) divided equally among the " + liveSamples + " live objects JFR's jdk.OldObjectSample held at "
          + Instant.ofEpochSecond(0, liveObjectsEpochNanos) + "; inuse_objects counts those samples, not objects");
    }
    addUnavailable(comments);
    long period = samples == 0 ? 0 : totalBytes / samples;
    return new Snapshot(type, HEAP_TYPES, new ValueType("space", "bytes"), period, nowEpochNanos, 0,
        type == JvmProfileType.ALLOCS ? "alloc_space" : "", comments, "class", out);
  }

  /**
   * Reads JFR's current live-object samples if the last read is older than {@code maxAgeNanos}:
   * JFR emits {@code jdk.OldObjectSample} only when a recording is dumped or stopped, so this
   * dumps the stream to a temporary file (deleted at once; about 0.1 s and a chunk rotation) and
   * waits for the events. At most one read runs at a time; failures are logged once and leave the
   * previous samples in place.
   */
  void refreshLiveObjects(long maxAgeNanos) throws InterruptedException {
    JfrEventSource s = source;
    if (s == null) {
      return;
    }
    synchronized (liveObjectsLock) {
      long now = System.nanoTime();
      if (liveObjectsReadNanos != 0 && now - liveObjectsReadNanos < maxAgeNanos) {
        return;
      }
      liveObjectsReadNanos = now;
      long at = epochNanos(Instant.now());
      pendingLiveObjects.clear();
      try {
        s.emitOldObjectSamples();
      } catch (IOException | RuntimeException e) {
        if (e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted()) {
          liveObjectsReadNanos = 0; // the reader is being stopped: not a failure, and read again next time
          throw new InterruptedException("interrupted while JFR wrote its live-object samples");
        }
        if (!liveObjectsFailed) {
          liveObjectsFailed = true;
          LOG.warn("could not read JFR's live-object samples; heap in-use columns stay estimates", e);
        }
        return;
      }
      awaitDelivery();
      Map<StackTable.Key, long[]> read = pendingLiveObjects.copy();
      if (!read.isEmpty()) {
        liveObjects = read;
        liveObjectsEpochNanos = at;
      }
    }
  }

  void onOldObjectSample(List<Frame> stack, String objectClass) {
    pendingLiveObjects.add(stack, objectClass == null ? "" : FrameNames.javaClassName(objectClass), 1);
  }

  Snapshot contention(JvmProfileType type, long nowEpochNanos) {
    List<String> comments = new ArrayList<>();
    if (type == JvmProfileType.MUTEX) {
      comments.add("JVM contended monitor entries (JFR jdk.JavaMonitorEnter) of at least "
          + settings.mutexThreshold().toMillis() + " ms since start, with the waiting thread's stack"
          + " (Go's mutex profile has the holder's)");
    } else {
      comments.add("JVM thread parks (JFR jdk.ThreadPark) of at least " + settings.blockThreshold().toMillis()
          + " ms and contended monitor entries of at least " + settings.mutexThreshold().toMillis()
          + " ms since start, waiter stacks; parks of idle pool threads (ThreadPoolExecutor.getTask,"
          + " ForkJoinPool.awaitWork) are left out");
    }
    addUnavailable(comments);
    StackTable t = type == JvmProfileType.MUTEX ? mutex : block;
    return new Snapshot(type, List.of(CONTENTIONS, DELAY), CONTENTIONS, 1, nowEpochNanos, 0, "", comments, "",
        t.copy());
  }

  Snapshot threadCreation(long nowEpochNanos) {
    List<String> comments = new ArrayList<>();
    comments.add("JVM threads started (JFR jdk.ThreadStart) since the profiler started, by starting stack");
    addUnavailable(comments);
    ValueType t = new ValueType("threadcreate", "count");
    return new Snapshot(JvmProfileType.THREADCREATE, List.of(t), t, 1, nowEpochNanos, 0, "", comments, "",
        threadCreate.copy());
  }

  private void addUnavailable(List<String> comments) {
    String reason = unavailableReason;
    if (reason != null) {
      comments.add("JFR unavailable, so this profile is empty: " + reason);
    }
  }

  /** Heap used after the most recent collection of each heap pool; the current use before any GC. */
  static long liveHeapBytes() {
    long afterGc = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        MemoryUsage u = pool.getCollectionUsage();
        if (u != null) {
          afterGc += u.getUsed();
        }
      }
    }
    return afterGc > 0 ? afterGc : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static long epochNanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
