package io.conprof.benchmarks.tsdb;

import io.conprof.core.model.Matcher;
import io.conprof.tsdb.Querier;
import io.conprof.tsdb.Series;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import io.conprof.tsdb.TsdbStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Latency of a timeline: the timestamps of every sample of 100 series over one day at 10 s intervals (8,640
 * per series, 864,000 in all), as the UI's timeline asks for them: a querier over the day, {@code select} by
 * {@code __name__="heap"}, then {@link Series#timestamps()} of every series, which never reads a payload.
 *
 * <p>The store is built once per trial in a temporary directory (deleted afterwards). Payloads are all one
 * tiny valid profile ({@code parca__query-two-stacks.pb.gz}, 165 bytes of protobuf), since this path reads
 * no payload. {@code where=blocks}: the day is compacted into blocks of the default 2 h range and merged into
 * larger levels by the planner, and the head holds none of it (the setup prints the blocks);
 * {@code where=head}: the same day in the head of a store with a 24 h block range, never compacted
 * (timestamps in memory, payloads in the WAL).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'io.conprof.benchmarks.tsdb.TimelineQueryBenchmark'
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
public class TimelineQueryBenchmark {
  static final int SERIES = 100;
  static final long DAY_MILLIS = 24 * TsdbBenchData.HOUR_MILLIS;
  static final List<Matcher> HEAP = List.of(Matcher.equal("__name__", "heap"));

  @Param({"blocks", "head"})
  public String where;

  Path dir;
  Tsdb db;

  @Setup(Level.Trial)
  public void build() throws Exception {
    dir = TsdbBenchData.tempDir("timeline");
    boolean blocks = where.equals("blocks");
    TsdbOptions.Builder options = TsdbOptions.builder();
    if (!blocks) {
      options.blockRange(Duration.ofHours(24));
    }
    long start = System.nanoTime();
    db = TsdbBenchData.build(dir, options, TsdbBenchData.series("heap", SERIES), TsdbBenchData.T0_MILLIS,
        TsdbBenchData.T0_MILLIS + DAY_MILLIS, List.of(TsdbBenchData.fixture("parca__query-two-stacks.pb.gz")),
        blocks);
    long samples = timeline(null);
    if (samples != SERIES * (DAY_MILLIS / TsdbBenchData.STEP_MILLIS)) {
      throw new IllegalStateException("the timeline has " + samples + " samples, expected 864,000");
    }
    TsdbStats stats = db.stats();
    System.out.printf("store built in %.1f s: %d blocks %s, head %d samples%n",
        (System.nanoTime() - start) / 1e9, stats.blocks().size(),
        stats.blocks().stream().map(b -> (b.maxTimeMillis() - b.minTimeMillis()) / TsdbBenchData.HOUR_MILLIS + "h")
            .toList(), stats.head().numSamples());
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    db.close();
    TsdbBenchData.deleteTree(dir);
  }

  long timeline(Blackhole bh) throws Exception {
    long n = 0;
    try (Querier q = db.querier(TsdbBenchData.T0_MILLIS, TsdbBenchData.T0_MILLIS + DAY_MILLIS - 1)) {
      for (Series s : q.select(HEAP)) {
        long[] ts = s.timestamps();
        n += ts.length;
        if (bh != null) {
          bh.consume(ts);
        }
      }
    }
    return n;
  }

  @Benchmark
  public long timeline_100series_1day(Blackhole bh) throws Exception {
    return timeline(bh);
  }
}
