package io.conprof.core.jvm;

import static io.conprof.core.jvm.ProfileAssert.names;
import static io.conprof.core.jvm.ProfileAssert.topCum;
import static io.conprof.core.jvm.ProfileAssert.topFlat;
import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.pprof.ValueType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JvmProfilerTest {
  static final String W = Workloads.class.getName() + ".";
  static JvmProfiler profiler;
  static ExecutorService pool;

  @BeforeAll
  static void start() {
    profiler = JvmProfiler.start();
    pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-workload");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    profiler.close();
  }

  @Test
  void jfr_isAvailableInThisJvm() {
    assertThat(profiler.jfrAvailable()).as(profiler.unavailableReason().orElse("")).isTrue();
  }

  @Test
  void cpuProfile_showsTheHotMethodAsTopFunction() throws Exception {
    Future<?> work = pool.submit(() -> Workloads.spin(Duration.ofMillis(2500)));
    Snapshot cpu = profiler.cpuSnapshot(Duration.ofSeconds(2));
    work.get();

    assertThat(cpu.sampleTypes()).containsExactly(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds"));
    assertThat(cpu.periodType()).isEqualTo(new ValueType("cpu", "nanoseconds"));
    assertThat(cpu.period()).isEqualTo(20_000_000L); // the default, 50 Hz
    assertThat(cpu.durationNanos()).isEqualTo(2_000_000_000L);
    assertThat(cpu.totals()[0]).isGreaterThan(5);
    assertThat(cpu.totals()[1]).isEqualTo(cpu.totals()[0] * 20_000_000L);
    assertThat(names(topFlat(cpu, 1)).get(0)).as(topFlat(cpu, 1).toString()).isEqualTo(W + "hotLoop");
    assertValid(cpu);
  }

  @Test
  void stacksDeeperThanJfrRecords_endInATruncatedRootFrame() throws Exception {
    Future<?> work = pool.submit(() -> Workloads.spinDeep(200, Duration.ofMillis(2000)));
    Snapshot cpu = profiler.cpuSnapshot(Duration.ofMillis(1500));
    work.get();

    assertThat(cpu.samples().keySet()).anySatisfy(k -> {
      assertThat(k.frames().get(0).function()).isEqualTo(W + "hotLoop");
      assertThat(k.frames().get(k.frames().size() - 1).function()).isEqualTo("[truncated]");
    });
    assertValid(cpu);
  }

  @Test
  void allocsProfile_showsTheAllocationSiteOnTop() throws Exception {
    Snapshot before = profiler.snapshot(JvmProfileType.ALLOCS);
    Workloads.allocate(Duration.ofMillis(1500));
    awaitJfrFlush();
    Snapshot allocs = profiler.snapshot(JvmProfileType.ALLOCS).minus(before, 0, 0);

    assertThat(allocs.sampleTypes()).extracting(ValueType::toString)
        .containsExactly("alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes");
    assertThat(allocs.defaultSampleType()).isEqualTo("alloc_space");
    assertThat(names(topFlat(allocs, 1)).get(0)).as(topFlat(allocs, 1).toString()).isEqualTo(W + "allocateArrays");
    assertThat(allocs.samples().keySet()).anySatisfy(k -> assertThat(k.label()).isEqualTo("byte[]"));
    Snapshot heap = profiler.snapshot(JvmProfileType.HEAP);
    assertThat(heap.defaultSampleType()).isEmpty();
    assertThat(heap.comments()).anySatisfy(c -> assertThat(c).startsWith("inuse_space and inuse_objects are estimates"));
    assertThat(heap.totals()[3]).isPositive().isLessThanOrEqualTo(heap.totals()[1]);
    assertValid(heap);
  }

  @Test
  void heapProfile_inUseColumnsShowWhereTheLiveObjectsWereAllocated() throws Exception {
    try {
      for (int i = 0; i < 40; i++) { // a leak: retained arrays among garbage from another site
        Workloads.retainArrays(2);
        Workloads.allocate(Duration.ofMillis(20));
      }
      System.gc();
      Snapshot heap = profiler.heapSnapshot(0);

      assertThat(heap.comments()).anySatisfy(c -> assertThat(c).contains("live objects JFR's jdk.OldObjectSample held"));
      assertThat(names(topFlat(heap, 3)).get(0)).as(topFlat(heap, 3).toString()).isEqualTo(W + "retainArrays");
      assertThat(heap.totals()[2]).isPositive();
      assertValid(heap);
    } finally {
      Workloads.release();
    }
  }

  @Test
  void mutexProfile_showsTheWaiterOfTheContendedMonitorOnTop() throws Exception {
    Snapshot before = profiler.snapshot(JvmProfileType.MUTEX);
    Workloads.contendMonitor(Duration.ofMillis(1500));
    awaitJfrFlush();
    Snapshot mutex = profiler.snapshot(JvmProfileType.MUTEX).minus(before, 0, 0);

    assertThat(mutex.sampleTypes()).extracting(ValueType::toString).containsExactly("contentions/count", "delay/nanoseconds");
    assertThat(names(topFlat(mutex, 1)).get(0)).as(topFlat(mutex, 1).toString()).isEqualTo(W + "enterMonitor");
    assertThat(mutex.totals()[1]).isGreaterThan(mutex.totals()[0] * 10_000_000L - 1);
    assertValid(mutex);
  }

  @Test
  void blockProfile_showsTheParkedLockWaiterInTheHeaviestStack() throws Exception {
    Snapshot before = profiler.snapshot(JvmProfileType.BLOCK);
    Workloads.contendLock(Duration.ofMillis(1500));
    awaitJfrFlush();
    Snapshot block = profiler.snapshot(JvmProfileType.BLOCK).minus(before, 0, 0);

    StackTable.Key heaviest = block.samples().entrySet().stream()
        .max(java.util.Map.Entry.comparingByValue(java.util.Comparator.comparingLong(v -> v[1]))).orElseThrow().getKey();
    assertThat(heaviest.frames()).extracting(f -> f.function()).contains(W + "lockParked");
    assertThat(names(topCum(block, 1))).contains(W + "lockParked");
    assertValid(block);
  }

  @Test
  void threadcreateProfile_countsStartedThreadsByTheStartingStack() throws Exception {
    Snapshot before = profiler.snapshot(JvmProfileType.THREADCREATE);
    Workloads.startThreads(20);
    awaitJfrFlush();
    Snapshot created = profiler.snapshot(JvmProfileType.THREADCREATE).minus(before, 0, 0);

    assertThat(created.totals()[0]).as(created.samples().keySet().toString()).isGreaterThanOrEqualTo(20);
    assertThat(names(topCum(created, 0))).contains(W + "startThreads");
    assertValid(created);
  }

  @Test
  void goroutineProfile_groupsThreadStacksWithTheirState() throws Exception {
    CompletableFuture<Void> release = new CompletableFuture<>();
    Runnable task = () -> parkUntil(release);
    List<Future<?>> parked = List.of(pool.submit(task), pool.submit(task));
    Thread.sleep(200);
    Snapshot g = ThreadStacks.snapshot(0);
    release.complete(null);
    for (Future<?> f : parked) {
      f.get();
    }

    assertThat(g.sampleTypes()).containsExactly(new ValueType("goroutine", "count"));
    assertThat(g.totals()[0]).isGreaterThanOrEqualTo(3);
    assertThat(g.samples()).anySatisfy((k, v) -> {
      assertThat(k.frames()).anySatisfy(f -> assertThat(f.function()).isEqualTo(JvmProfilerTest.class.getName() + ".parkUntil"));
      assertThat(k.label()).isEqualTo("WAITING");
      assertThat(v[0]).isEqualTo(2);
    });
    assertThat(g.toText()).startsWith("goroutine profile: total ").contains("# labels: {\"state\":\"WAITING\"}");
    assertThat(ThreadStacks.dump()).contains("\"main\" #1").contains("java.lang.Thread.State: ");
    assertValid(g);
  }

  @Test
  void overlappingCpuWindows_eachCoverItsOwnSpan() throws Exception {
    Future<?> work = pool.submit(() -> Workloads.spin(Duration.ofMillis(3000)));
    Future<Snapshot> longer = pool.submit(() -> profiler.cpuSnapshot(Duration.ofSeconds(2)));
    Thread.sleep(1000);
    Snapshot shorter = profiler.cpuSnapshot(Duration.ofSeconds(1));
    Snapshot first = longer.get();
    work.get();

    assertThat(first.durationNanos()).isEqualTo(2_000_000_000L);
    assertThat(shorter.durationNanos()).isEqualTo(1_000_000_000L);
    assertThat(shorter.timeNanos()).isGreaterThan(first.timeNanos());
    assertThat(names(topFlat(first, 1)).get(0)).isEqualTo(W + "hotLoop");
    assertThat(names(topFlat(shorter, 1)).get(0)).isEqualTo(W + "hotLoop");
    assertThat(shorter.totals()[0]).isLessThan(first.totals()[0]);
  }

  @Test
  void anotherRecordingAtAFasterRate_doesNotInflateTheCpuProfile() throws Exception {
    try (Recording other = new Recording()) {
      other.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      other.setToDisk(false);
      other.start();
      Future<?> work = pool.submit(() -> Workloads.spin(Duration.ofMillis(2500)));
      Snapshot cpu = profiler.cpuSnapshot(Duration.ofSeconds(2));
      work.get();

      // One busy thread sampled every 20 ms (the default) gives about 100 samples in 2 s, the other recording's
      // 1 ms would give 2000; JFR delivers events out of order, and an event older than the thread's last kept
      // one passes the per-thread grid, so somewhat more than 100 come through (up to 176 seen).
      long hot = cpu.samples().entrySet().stream()
          .filter(e -> e.getKey().frames().get(0).function().equals(W + "hotLoop"))
          .mapToLong(e -> e.getValue()[0]).sum();
      assertThat(hot).isBetween(5L, 230L);
    }
  }

  static void parkUntil(CompletableFuture<Void> release) {
    release.join();
  }

  private static void assertValid(Snapshot s) throws Exception {
    Profile p = s.toProfile();
    Profile read = ProfileReader.defaults().parse(p.toGzip());
    assertThat(read.totals()).containsExactly(s.totals());
    assertThat(read.sampleTypes()).isEqualTo(s.sampleTypes());
  }

  /** Waits until JFR has delivered the events of the work just done. */
  private static void awaitJfrFlush() throws InterruptedException {
    profiler.engine().awaitDelivery();
  }
}
