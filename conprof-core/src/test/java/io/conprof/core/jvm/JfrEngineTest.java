package io.conprof.core.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileBuilder.Frame;
import io.conprof.core.pprof.ProfileReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's aggregation rules, fed with synthetic events (no JFR involved). */
class JfrEngineTest {
  static final Frame PARK = Frame.of("jdk.internal.misc.Unsafe.park");
  static final Frame APP = new Frame("com.example.App.work", "com.example.App.work()V", "", 12);

  static JfrEngine engineWithoutJfr() {
    JfrEngine e = new JfrEngine(JfrSettings.defaults().withCpuPeriod(Duration.ofMillis(10)));
    e.start((engine, settings) -> {
      throw new IllegalStateException("no JFR in this test");
    });
    return e;
  }

  @Test
  void start_failingSource_failsSoftAndServesEmptyProfilesSayingWhy() throws Exception {
    JfrEngine e = engineWithoutJfr();

    assertThat(e.unavailableReason()).isEqualTo("IllegalStateException: no JFR in this test");
    for (JvmProfileType type : List.of(JvmProfileType.ALLOCS, JvmProfileType.HEAP)) {
      Snapshot s = e.allocations(type, 1);
      assertThat(s.samples()).isEmpty();
      assertThat(s.comments()).contains("JFR unavailable, so this profile is empty: IllegalStateException: no JFR in this test");
      Profile p = ProfileReader.defaults().parse(s.toProfile().toGzip());
      assertThat(p.sampleCount()).isZero();
    }
    CpuWindow w = e.openCpuWindow(0);
    assertThat(e.closeCpuWindow(w, 1_000).samples()).isEmpty();
  }

  @Test
  void threadPark_belowThresholdOrIdleOrOwn_isLeftOut() {
    JfrEngine e = engineWithoutJfr();
    long tenMs = Duration.ofMillis(10).toNanos();

    e.onThreadPark(List.of(PARK, APP), null, tenMs - 1);
    e.onThreadPark(List.of(PARK, Frame.of("java.util.concurrent.ThreadPoolExecutor.getTask"), APP), null, tenMs);
    e.onThreadPark(List.of(PARK, APP), "java.util.concurrent.ForkJoinPool", tenMs);
    e.onThreadPark(List.of(PARK, Frame.of("jdk.jfr.internal.PlatformRecorder.periodicTask")), null, tenMs);
    e.onThreadPark(List.of(PARK, Frame.of(SelfProfiler.class.getName() + ".run")), null, tenMs);
    e.onThreadPark(List.of(PARK, APP), "java.util.concurrent.locks.ReentrantLock$NonfairSync", tenMs);

    assertThat(e.block.copy().values()).singleElement().isEqualTo(new long[] {1, tenMs});
    assertThat(e.mutex.copy()).isEmpty();
  }

  @Test
  void monitorEnter_countsInMutexAndBlock() {
    JfrEngine e = engineWithoutJfr();

    e.onMonitorEnter(List.of(APP), 50_000_000L);
    e.onMonitorEnter(List.of(APP), 1_000_000L);

    assertThat(e.mutex.copy().values()).singleElement().isEqualTo(new long[] {1, 50_000_000L});
    assertThat(e.block.copy().values()).singleElement().isEqualTo(new long[] {1, 50_000_000L});
  }

  @Test
  void executionSample_takesAtMostOneSamplePerThreadPerPeriod() throws Exception {
    JfrEngine e = engineWithoutJfr();
    CpuWindow w = e.openCpuWindow(0);

    for (long t = 0; t < 100_000_000L; t += 1_000_000L) { // thread 1 sampled every 1 ms by a faster recording
      e.onExecutionSample(1, t, List.of(APP));
    }
    e.onExecutionSample(2, 5_000_000L, List.of(APP));
    Snapshot s = e.closeCpuWindow(w, 100_000_000L);

    // thread 1: 0, 9, 19, ..., 99 ms (11 on a 10 ms grid, not 100); thread 2: 1
    assertThat(s.totals()).containsExactly(12, 120_000_000L);
  }

  @Test
  void cpuWindow_takesOnlySamplesInsideItsSpan() throws Exception {
    JfrEngine e = engineWithoutJfr();
    CpuWindow w = e.openCpuWindow(1_000_000_000L);

    e.onExecutionSample(1, 999_999_999L, List.of(APP));
    e.onExecutionSample(2, 1_000_000_000L, List.of(APP));
    e.onExecutionSample(3, 1_999_999_999L, List.of(APP));
    w.endEpochNanos = 2_000_000_000L;
    e.onExecutionSample(4, 2_000_000_000L, List.of(APP));
    Snapshot s = e.closeCpuWindow(w, 2_000_000_000L);

    assertThat(s.totals()[0]).isEqualTo(2);
    assertThat(s.timeNanos()).isEqualTo(1_000_000_000L);
    assertThat(s.durationNanos()).isEqualTo(1_000_000_000L);
  }

  @Test
  void stackTable_foldsStacksBeyondTheLimitIntoOther() {
    StackTable t = new StackTable(1, 2);
    t.add(List.of(Frame.of("a")), "", 1);
    t.add(List.of(Frame.of("b")), "", 1);
    t.add(List.of(Frame.of("c")), "", 1);
    t.add(List.of(Frame.of("d")), "", 1);
    t.add(List.of(Frame.of("a")), "", 1);

    assertThat(t.copy()).hasSize(3)
        .containsEntry(new StackTable.Key(List.of(Frame.of("a")), ""), new long[] {2})
        .containsEntry(new StackTable.Key(List.of(FrameNames.OTHER), ""), new long[] {2});
  }

  @Test
  void allocations_estimateInUseAsTheLiveShareOfAllocatedBytes() {
    JfrEngine e = engineWithoutJfr();
    e.onAllocationSample(List.of(APP), "[B", 4L << 40); // far more than any heap: ratio well below 1

    Snapshot heap = e.allocations(JvmProfileType.HEAP, 0);
    long[] v = heap.samples().values().iterator().next();

    assertThat(heap.samples().keySet().iterator().next().label()).isEqualTo("byte[]");
    assertThat(v[0]).isEqualTo(1);
    assertThat(v[1]).isEqualTo(4L << 40);
    String comment = heap.comments().get(1);
    long live = Long.parseLong(comment.substring(comment.indexOf('(') + 1, comment.indexOf(" bytes)")));
    assertThat(live).isPositive();
    assertThat(v[3]).isEqualTo(live);
  }
}
