package io.conprof.benchmarks.query;

import io.conprof.core.model.Labels;
import io.conprof.query.QueryParser;
import io.conprof.query.ast.Expr;
import io.conprof.query.eval.QueryEngine;
import io.conprof.query.eval.QueryLimits;
import io.conprof.query.eval.QueryResult;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.Tsdb;
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

/**
 * Selecting among {@value #SERIES} series through the evaluator: the latency of a timeline query
 * ({@code sel[1h]}, payloads not read) whose selector picks one series by equality, about 1,000 by
 * a prefix regex, one by a regex that must test every value of a label, and none by the
 * pathological {@code (a+)+$}.
 *
 * <p>Series are {@code {__name__="cpu", job="job<i % 100>", pod="pod-<i>"}}, each with one tiny
 * profile ({@code parca__query-two-stacks.pb.gz}) in the head of a store built once per trial.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'io.conprof.benchmarks.query.SeriesSelectBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx3g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class SeriesSelectBenchmark {
  static final int SERIES = 100_000;

  @Param({
    "cpu{pod=\"pod-54321\"}[1h]",
    "cpu{pod=~\"pod-54.*\"}[1h]",
    "cpu{pod=~\".*-54321\"}[1h]",
    "cpu{pod=~\"(a+)+$\"}[1h]"
  })
  public String query;

  private Tsdb db;
  private QueryEngine engine;
  private Expr expr;

  @Setup(Level.Trial)
  public void build() throws Exception {
    db = QueryBenchData.open("select", SERIES * 2L);
    byte[] payload = QueryBenchData.fixture("parca__query-two-stacks.pb.gz");
    Appender a = db.appender();
    for (int i = 0; i < SERIES; i++) {
      a.append(Labels.of("__name__", "cpu", "job", "job" + (i % 100), "pod", "pod-" + i),
          QueryBenchData.T0_MILLIS, payload);
      if (a.pendingSamples() == 10_000) {
        a.commit();
      }
    }
    a.commit();
    engine = new QueryEngine(db, QueryLimits.DEFAULTS.withMaxSeries(SERIES));
    expr = QueryParser.parse(query);
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    QueryBenchData.closeAndDelete(db);
  }

  @Benchmark
  public QueryResult select() throws Exception {
    return engine.instant(expr, QueryBenchData.T0_MILLIS + 1);
  }
}
