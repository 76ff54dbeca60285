package io.conprof.benchmarks.query;

import io.conprof.core.model.Labels;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.query.QueryParser;
import io.conprof.query.ast.Expr;
import io.conprof.query.eval.QueryEngine;
import io.conprof.query.eval.QueryLimits;
import io.conprof.query.eval.QueryResult;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.Tsdb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Merge throughput through the evaluator, in stored profiles per second: {@code
 * merge(heap{job="api"}[1d])} over {@value #PROFILES} profiles in one series, 10 s apart, the
 * eight consecutive heap profiles of one process ({@code parca__query-many-*}) cycled. Each
 * profile is read from the head, parsed and merged, and the result serialised, which is the
 * whole cost of the query; compare with {@code MergeBenchmark.parseAndMerge} (files, no store).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'io.conprof.benchmarks.query.MergeQueryBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class MergeQueryBenchmark {
  static final int PROFILES = 200;

  private Tsdb db;
  private QueryEngine engine;
  private Expr expr;

  @Setup(Level.Trial)
  public void build() throws Exception {
    db = QueryBenchData.open("merge", 1000);
    List<byte[]> raw = new ArrayList<>();
    for (Path f : Fixtures.queryMany()) {
      raw.add(ProfileReader.defaults().decompress(Files.readAllBytes(f)));
    }
    Appender a = db.appender();
    for (int i = 0; i < PROFILES; i++) {
      a.append(Labels.of("__name__", "heap", "job", "api"), QueryBenchData.T0_MILLIS + i * 10_000L,
          raw.get(i % raw.size()));
    }
    a.commit();
    engine = new QueryEngine(db, QueryLimits.DEFAULTS);
    expr = QueryParser.parse("merge(heap{job=\"api\"}[1d])");
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    QueryBenchData.closeAndDelete(db);
  }

  @Benchmark
  @OperationsPerInvocation(PROFILES)
  public QueryResult merge() throws Exception {
    return engine.instant(expr, QueryBenchData.T0_MILLIS + PROFILES * 10_000L);
  }
}
