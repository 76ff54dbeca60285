package io.conprof.core.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.pprof.ValueType;
import io.conprof.core.sink.ProfileSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SelfProfilerTest {
  record Stored(Labels labels, long timestampMillis, byte[] profile) {}

  static final class MemorySink implements ProfileSink {
    final ConcurrentLinkedQueue<Stored> stored = new ConcurrentLinkedQueue<>();

    @Override
    public void append(Labels labels, long timestampMillis, byte[] profile) {
      stored.add(new Stored(labels, timestampMillis, profile));
    }
  }

  @Test
  void embeddedInAnApplication_writesEveryProfileTypeWithItsLabels() throws Exception {
    MemorySink sink = new MemorySink();
    SelfProfiler profiler = SelfProfiler.builder()
        .sink(sink).job("test-app").instance("localhost:0").interval(Duration.ofSeconds(1)).start();
    try {
      for (int i = 0; i < 60 && names(sink).size() < 7; i++) {
        Workloads.spin(Duration.ofMillis(500)); // the application's work, until every type was written once
      }
    } finally {
      profiler.close();
    }

    assertThat(profiler.threadAlive()).isFalse();
    Map<String, List<Stored>> byName = sink.stored.stream()
        .collect(Collectors.groupingBy(s -> s.labels().get("__name__")));
    assertThat(byName).containsOnlyKeys("profile", "allocs", "heap", "mutex", "block", "goroutine", "threadcreate");
    for (Stored s : sink.stored) {
      assertThat(s.labels().get("job")).isEqualTo("test-app");
      assertThat(s.labels().get("instance")).isEqualTo("localhost:0");
      assertThat(s.labels().size()).isEqualTo(3);
      Profile p = ProfileReader.defaults().parse(s.profile(), s.labels().toString());
      assertThat(p.sampleTypes()).as(s.labels().toString()).isEqualTo(expectedTypes(s.labels().get("__name__")));
    }
    List<Stored> cpu = byName.get("profile");
    long samples = 0;
    for (Stored s : cpu) {
      Profile p = ProfileReader.defaults().parse(s.profile());
      assertThat(p.durationNanos()).isPositive();
      assertThat(s.timestampMillis()).isEqualTo(p.timeNanos() / 1_000_000);
      samples += p.totals()[0];
    }
    assertThat(samples).isPositive();
    for (int i = 1; i < cpu.size(); i++) { // windows tile time: each starts where the previous ended
      Profile prev = ProfileReader.defaults().parse(cpu.get(i - 1).profile());
      Profile next = ProfileReader.defaults().parse(cpu.get(i).profile());
      assertThat(next.timeNanos()).isEqualTo(prev.timeNanos() + prev.durationNanos());
    }
    assertThat(profiler.profilesWritten()).isEqualTo(sink.stored.size());
    assertThat(profiler.failures()).isZero();
  }

  @Test
  void aSinkThatFails_isLoggedAndTheLoopGoesOn() throws Exception {
    int[] calls = {0};
    ProfileSink failing = (labels, ts, profile) -> {
      calls[0]++;
      throw new IOException("disk full");
    };
    SelfProfiler profiler = SelfProfiler.builder().sink(failing).interval(Duration.ofSeconds(1))
        .types(EnumSet.of(JvmProfileType.GOROUTINE)).start();
    try {
      for (int i = 0; i < 100 && profiler.failures() < 2; i++) {
        Thread.sleep(200);
      }
    } finally {
      profiler.close();
    }

    assertThat(profiler.failures()).isGreaterThanOrEqualTo(2).isEqualTo(calls[0]);
    assertThat(profiler.profilesWritten()).isZero();
    assertThat(profiler.threadAlive()).isFalse();
  }

  @Test
  void close_duringAnAppend_neverInterruptsTheSink_andWaitsForTheAppend() throws Exception {
    Path file = Files.createTempFile("conprof-sink-", ".bin");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Throwable> sinkErrors = new CopyOnWriteArrayList<>();
    boolean[] completed = {false};
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ProfileSink fileSink = (labels, ts, profile) -> {
        entered.countDown();
        try {
          release.await(); // the host's store is busy; close() is called meanwhile
          channel.write(ByteBuffer.wrap(profile)); // an interrupt now would close the host's channel
          completed[0] = true;
        } catch (InterruptedException | IOException e) {
          sinkErrors.add(e);
        }
      };
      SelfProfiler profiler = SelfProfiler.builder().sink(fileSink).interval(Duration.ofSeconds(1))
          .types(EnumSet.of(JvmProfileType.GOROUTINE)).start();
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
      Thread closer = new Thread(profiler::close);
      closer.start();
      while (closer.getState() != Thread.State.TIMED_WAITING && closer.isAlive()) {
        Thread.onSpinWait(); // until close() waits for the append
      }
      release.countDown();
      closer.join();

      assertThat(sinkErrors).isEmpty();
      assertThat(completed[0]).isTrue();
      assertThat(channel.isOpen()).isTrue();
      assertThat(profiler.threadAlive()).isFalse();
      assertThat(profiler.profilesWritten()).isEqualTo(1);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void close_whileWaitingForJfr_returnsWithinASecondAndWritesNothingMore() throws Exception {
    MemorySink sink = new MemorySink();
    SelfProfiler profiler = SelfProfiler.builder().sink(sink).interval(Duration.ofSeconds(1)).start();
    for (int i = 0; i < 100 && sink.stored.isEmpty(); i++) {
      Workloads.spin(Duration.ofMillis(100));
    }
    Workloads.spin(Duration.ofMillis(1_200)); // into a tick, waiting for JFR to deliver the next window
    long start = System.nanoTime();
    profiler.close();
    long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    int stored = sink.stored.size();
    Thread.sleep(1_200);

    assertThat(closeMillis).as("milliseconds in close()").isLessThan(1_000);
    assertThat(profiler.threadAlive()).isFalse();
    assertThat(sink.stored).hasSize(stored);
    assertThat(profiler.failures()).isZero();
  }

  @Test
  void heapRead_interrupted_throwsInterruptedExceptionInsteadOfFailing() throws Exception {
    try (JvmProfiler profiler = JvmProfiler.start()) {
      JfrEngine engine = profiler.engine();
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> engine.refreshLiveObjects(0)).isInstanceOf(InterruptedException.class);
      } finally {
        Thread.interrupted();
      }
      for (int i = 0; i < 20; i++) { // live objects for JFR's sampler to hold
        Workloads.retainArrays(2);
        Workloads.allocate(Duration.ofMillis(20));
      }
      engine.refreshLiveObjects(0); // a later read is not marked as failed and still reads the samples

      assertThat(engine.allocations(JvmProfileType.HEAP, 0).comments())
          .anyMatch(c -> c.contains("live objects JFR's jdk.OldObjectSample held"));
    } finally {
      Workloads.release();
    }
  }

  @Test
  void overBudget_lowersTheSharedRecordingsSamplingRates() throws Exception {
    MemorySink sink = new MemorySink();
    SelfProfiler profiler = SelfProfiler.builder().sink(sink).interval(Duration.ofSeconds(1))
        .types(EnumSet.of(JvmProfileType.GOROUTINE)).overheadBudget(1e-9).start();
    try {
      long configured = profiler.engine().cpuPeriodNanos();
      for (int i = 0; i < 100 && profiler.engine().cpuPeriodNanos() == configured; i++) {
        Workloads.spin(Duration.ofMillis(200));
      }

      assertThat(profiler.lastOverheadFraction()).isPositive();
      assertThat(profiler.engine().cpuPeriodNanos()).isGreaterThan(configured);
      assertThat(profiler.engine().allocationSamplesPerSecond()).isLessThan(JfrSettings.defaults().allocationSamplesPerSecond());
    } finally {
      profiler.close();
    }
  }

  @Test
  void builder_refusesBadSettingsWithTheReason() {
    assertThatThrownBy(() -> SelfProfiler.builder().start())
        .hasMessage("a SelfProfiler needs a sink: call sink(...) before start()");
    assertThatThrownBy(() -> SelfProfiler.builder().interval(Duration.ofMillis(10)))
        .hasMessage("interval must be at least 1s, got PT0.01S");
    assertThatThrownBy(() -> SelfProfiler.builder().overheadBudget(0))
        .hasMessage("overheadBudget must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> SelfProfiler.builder().types(EnumSet.noneOf(JvmProfileType.class)))
        .hasMessage("types must name at least one profile type");
  }

  @Test
  void defaults_sampleCpuAt50HzAndStartTheSelfProfilerWithThem() {
    assertThat(JfrSettings.defaults()).isEqualTo(new JfrSettings(Duration.ofMillis(20), 150, Duration.ofMillis(10),
        Duration.ofMillis(10), 10_000));
    SelfProfiler profiler = SelfProfiler.builder().sink(new MemorySink())
        .types(EnumSet.of(JvmProfileType.GOROUTINE)).start();
    try {
      assertThat(profiler.engine().cpuPeriodNanos()).isEqualTo(20_000_000L);
    } finally {
      profiler.close();
    }
  }

  @Test
  void overheadBudget_lowersRatesAboveTheBudgetAndRestoresThemWellBelowIt() {
    OverheadBudget.Rates configured = new OverheadBudget.Rates(Duration.ofMillis(10), 150);
    OverheadBudget budget = new OverheadBudget(0.01, configured);

    OverheadBudget.Rates lowered = budget.next(configured, 0.03);
    assertThat(lowered).isEqualTo(new OverheadBudget.Rates(Duration.ofMillis(20), 75));
    assertThat(budget.next(lowered, 0.005)).isEqualTo(lowered); // within budget: keep
    assertThat(budget.next(lowered, 0.001)).isEqualTo(configured);
    assertThat(budget.next(configured, 0.001)).isEqualTo(configured);

    OverheadBudget.Rates slowest = new OverheadBudget.Rates(Duration.ofMillis(800), 1);
    assertThat(budget.next(slowest, 0.5)).isEqualTo(new OverheadBudget.Rates(Duration.ofSeconds(1), 1));
  }

  @Test
  void overheadMeter_countsJfrAndSelfProfilerThreadsOnly() {
    assertThat(OverheadMeter.isProfilerThread("JFR Recorder Th")).isTrue();
    assertThat(OverheadMeter.isProfilerThread("JFR Thread Samp")).isTrue();
    assertThat(OverheadMeter.isProfilerThread("conprof-self-pr")).isTrue();
    assertThat(OverheadMeter.isProfilerThread("conprof-pprof-h")).isFalse();
    assertThat(OverheadMeter.isProfilerThread("main")).isFalse();
    try (JvmProfiler running = JvmProfiler.start()) {
      assertThat(running.jfrAvailable()).isTrue();
      OverheadMeter meter = new OverheadMeter();
      long first = meter.profilerCpuNanos();
      Workloads.spin(Duration.ofMillis(300));
      assertThat(meter.profilerCpuNanos()).isGreaterThanOrEqualTo(first).isPositive();
    }
  }

  private static java.util.Set<String> names(MemorySink sink) {
    return sink.stored.stream().map(s -> s.labels().get("__name__")).collect(Collectors.toSet());
  }

  private static List<ValueType> expectedTypes(String name) {
    return switch (name) {
      case "profile" -> List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds"));
      case "allocs", "heap" -> JfrEngine.HEAP_TYPES;
      case "mutex", "block" -> List.of(new ValueType("contentions", "count"), new ValueType("delay", "nanoseconds"));
      case "goroutine" -> List.of(new ValueType("goroutine", "count"));
      case "threadcreate" -> List.of(new ValueType("threadcreate", "count"));
      default -> throw new AssertionError("unexpected profile " + name);
    };
  }
}
