package io.conprof.benchmarks.jvm;

import io.conprof.core.jvm.SelfProfiler;
import java.io.IOException;
import java.text.ParseException;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Overhead of profiling this JVM: throughput of a CPU-bound and an allocation-heavy workload with
 * no profiler ({@code none}), with conprof's self-profiler at its defaults ({@code conprof}: JFR at
 * 50 Hz CPU, 150 allocation samples/s, 10 ms lock and park thresholds, every profile type built
 * every 10 s into a sink that discards it), and with a plain JFR recording using the JDK's own
 * {@code profile} settings ({@code jfr-profile}) for comparison. Each configuration runs in its own
 * forked JVM, all in one JMH run; compare the scores of {@code none} with the others, taking the
 * error columns (99.9% intervals over forks × iterations) as the spread.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ProfilerOverhead}. The measurement
 * iterations are 10 s long so that each covers at least one self-profiler tick. On a shared machine
 * the forks run minutes apart and background load differs between them by more than the 1% to be
 * resolved; {@link InterleavedProfilerOverhead} alternates the settings in one JVM and compares
 * neighbouring windows instead.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 5, time = 10)
@Fork(value = 3, jvmArgs = {"-Xmx1g", "-Xms1g"})
@State(Scope.Benchmark)
public class ProfilerOverheadBenchmark {
  @Param({"none", "conprof", "jfr-profile"})
  public String profiler;

  private SelfProfiler self;
  private Recording jfr;

  @Setup(Level.Trial)
  public void start() throws IOException, ParseException {
    switch (profiler) {
      case "none" -> { }
      case "conprof" -> self = SelfProfiler.builder().sink((labels, ts, profile) -> { }).start();
      case "jfr-profile" -> {
        jfr = new Recording(Configuration.getConfiguration("profile"));
        jfr.setToDisk(true);
        jfr.start();
      }
      default -> throw new IllegalArgumentException("unknown profiler " + profiler);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (self != null) {
      self.close();
    }
    if (jfr != null) {
      jfr.close();
    }
  }

  /** Integer work in a small call tree, so samples land in several methods. */
  @Benchmark
  public long cpuBound() {
    return OverheadWorkloads.cpuBound();
  }

  /** Short-lived arrays and objects of mixed sizes, as request handling allocates. */
  @Benchmark
  public void allocationHeavy(Blackhole bh) {
    for (int i = 0; i < 100; i++) {
      bh.consume(new byte[64 + (i & 7) * 128]);
      bh.consume(new StringBuilder(16).append(i).append(':').append(i * 31).toString());
      bh.consume(new long[] {i, i + 1L});
    }
  }
}
