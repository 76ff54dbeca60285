package io.conprof.benchmarks.tsdb;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.Querier;
import io.conprof.tsdb.Series;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import io.conprof.tsdb.TsdbStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of reading one profile from a block: the profile of one series at an instant, as the UI asks for it
 * when a point of the timeline is clicked: a querier from the instant, {@code select} of one series by all its
 * labels, then the first sample at or after the instant, whose payload (raw pprof protobuf) is returned.
 * Reading it decodes the chunk that holds it (up to 32 consecutive profiles compressed together).
 *
 * <p>The store is built once per trial in a temporary directory (deleted afterwards): 4 series × 4 h at 10 s
 * (5,760 samples), compacted into 2 h blocks, none in the head. Payloads are the eight consecutive heap
 * profiles of one process from conprof-core's fixtures ({@code parca__query-many-*.pb.gz}, 9.7-14.7 KB gzip,
 * 24-38 KB of protobuf), in turn, each series starting at another one. {@code read_warm} reads the same
 * profile every time (its chunk's file pages are in the page cache and its code paths hot); {@code
 * read_coldish} reads a random series at a random instant every time, so consecutive reads decode different
 * chunks of different blocks (the page cache still holds the files: dropping it needs root and would disturb
 * other work on the machine). No chunk cache exists, so both decode a chunk; neither re-gzips.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'io.conprof.benchmarks.tsdb.ProfileReadBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g",
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dchronicle.analytics.disable=true"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ProfileReadBenchmark {
  static final int SERIES = 4;
  static final long SPAN_MILLIS = 4 * TsdbBenchData.HOUR_MILLIS;

  Path dir;
  Tsdb db;
  List<List<Matcher>> selectors;
  final SplittableRandom random = new SplittableRandom(42);

  @Setup(Level.Trial)
  public void build() throws Exception {
    dir = TsdbBenchData.tempDir("read");
    Labels[] series = TsdbBenchData.series("heap", SERIES);
    long start = System.nanoTime();
    db = TsdbBenchData.build(dir, TsdbOptions.builder(), series, TsdbBenchData.T0_MILLIS,
        TsdbBenchData.T0_MILLIS + SPAN_MILLIS, TsdbBenchData.consecutiveHeapProfiles(), true);
    selectors = new ArrayList<>();
    for (Labels l : series) {
      List<Matcher> m = new ArrayList<>();
      l.forEach(label -> m.add(Matcher.equal(label.name(), label.value())));
      selectors.add(List.copyOf(m));
    }
    TsdbStats stats = db.stats();
    System.out.printf("store built in %.1f s: %d blocks of %d bytes in all, head %d samples%n",
        (System.nanoTime() - start) / 1e9, stats.blocks().size(),
        stats.blocks().stream().mapToLong(b -> b.numBytes()).sum(), stats.head().numSamples());
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    db.close();
    TsdbBenchData.deleteTree(dir);
  }

  /** The payload of the first sample of {@code series} at or after {@code t}. */
  byte[] profileAt(int series, long t) throws Exception {
    try (Querier q = db.querier(t, t + 60_000)) {
      List<Series> found = q.select(selectors.get(series));
      if (found.size() != 1) {
        throw new IllegalStateException("expected one series for " + selectors.get(series) + ", got " + found);
      }
      Iterator<Sample> it = found.get(0).samples();
      while (it.hasNext()) {
        Sample s = it.next();
        if (s.timestampMillis() >= t) {
          return s.bytes();
        }
      }
      throw new IllegalStateException("no sample at or after " + t);
    }
  }

  @Benchmark
  public byte[] read_warm() throws Exception {
    return profileAt(1, TsdbBenchData.T0_MILLIS + TsdbBenchData.HOUR_MILLIS + 5_000);
  }

  @Benchmark
  public byte[] read_coldish() throws Exception {
    long steps = SPAN_MILLIS / TsdbBenchData.STEP_MILLIS;
    return profileAt(random.nextInt(SERIES),
        TsdbBenchData.T0_MILLIS + random.nextLong(steps) * TsdbBenchData.STEP_MILLIS - random.nextInt(10_000));
  }
}
