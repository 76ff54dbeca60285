package io.conprof.benchmarks.tsdb;

import io.conprof.core.model.Labels;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.FsyncPolicy;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Ingest into the TSDB as the scrape loop does it: one profile per commit, each commit returning once durable
 * under the fsync policy, from 1, 4 or 16 appending threads (concurrent commits share fsyncs: group commit).
 * The score is profiles per second; multiply by the input's 28,557 bytes for MB/s of gzip received.
 *
 * <p>Input: {@code parca__query-profile-with-labels.pb.gz} from conprof-core's test fixtures, a real CPU profile
 * with sample labels from Parca's test data (439 samples), 28,557 bytes gzip, 81,381 bytes of protobuf: the
 * issue's "30 KB gzip" profile. It goes to 100
 * series ({@code process_cpu{job, instance}}, ten jobs of ten instances) in turn with increasing timestamps 100 ms
 * apart, so each series gets one profile every 10 s of data time; each thread owns its own series. What is
 * measured is everything {@code append} + {@code commit} do: gunzip (samples are stored raw), series lookup
 * in the Chronicle Map registry, WAL framing with CRC32C, write and (under {@code every-commit}) fsync. Every
 * iteration starts from an empty store in a fresh temporary directory, deleted afterwards. The data of one
 * iteration spans well under a block range, so compaction never runs during measurement.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'io.conprof.benchmarks.tsdb.IngestBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
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
public class IngestBenchmark {
  static final String PROFILE = "parca__query-profile-with-labels.pb.gz";
  static final int SERIES = 100;

  /** {@code every-commit} is the default policy; {@code interval-1s} fsyncs in the background every second. */
  @Param({"every-commit", "interval-1s"})
  public String fsync;

  byte[] profile;
  Labels[] series;
  Path dir;
  Tsdb db;
  final AtomicLong clock = new AtomicLong();
  final AtomicInteger threadIds = new AtomicInteger();

  @Setup(Level.Trial)
  public void load() {
    profile = TsdbBenchData.fixture(PROFILE);
    series = TsdbBenchData.series("process_cpu", SERIES);
  }

  @Setup(Level.Iteration)
  public void open() throws Exception {
    dir = TsdbBenchData.tempDir("ingest");
    FsyncPolicy policy = switch (fsync) {
      case "every-commit" -> FsyncPolicy.everyCommit();
      case "interval-1s" -> FsyncPolicy.interval(Duration.ofSeconds(1));
      default -> throw new IllegalArgumentException("unknown fsync policy " + fsync);
    };
    db = Tsdb.open(dir, TsdbOptions.builder().fsyncPolicy(policy).build());
    clock.set(0);
  }

  @TearDown(Level.Iteration)
  public void close() throws Exception {
    db.close();
    TsdbBenchData.deleteTree(dir);
  }

  /** One appending thread: its own appender and its share of the series. */
  @State(Scope.Thread)
  public static class Writer {
    Labels[] mine;
    int next;
    Appender appender;

    @Setup(Level.Trial)
    public void assign(IngestBenchmark b, BenchmarkParams params) {
      int threads = params.getThreads();
      int id = b.threadIds.getAndIncrement() % threads;
      int n = 0;
      for (int i = id; i < SERIES; i += threads) {
        n++;
      }
      mine = new Labels[n];
      for (int i = id, j = 0; i < SERIES; i += threads, j++) {
        mine[j] = b.series[i];
      }
    }

    @Setup(Level.Iteration)
    public void open(IngestBenchmark b) {
      appender = b.db.appender();
    }

    /** Timestamps come from one shared clock, so every series' samples are in order and near each other. */
    void appendAndCommit(IngestBenchmark b) throws Exception {
      long t = TsdbBenchData.T0_MILLIS + b.clock.getAndIncrement() * 100;
      appender.append(mine[next], t, b.profile);
      next = next + 1 == mine.length ? 0 : next + 1;
      appender.commit();
    }
  }

  @Benchmark
  @Threads(1)
  public void commit_1thread(Writer w) throws Exception {
    w.appendAndCommit(this);
  }

  @Benchmark
  @Threads(4)
  public void commit_4threads(Writer w) throws Exception {
    w.appendAndCommit(this);
  }

  @Benchmark
  @Threads(16)
  public void commit_16threads(Writer w) throws Exception {
    w.appendAndCommit(this);
  }
}
