package io.conprof.benchmarks.query;

import io.conprof.query.QueryParser;
import io.conprof.query.ast.Expr;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Latency of {@link QueryParser#parse}: lexing, parsing, building the AST and compiling regexes,
 * for a short selector, a selector with regexes, a merge by with modifiers and a diff of merges.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar 'io.conprof.benchmarks.query.QueryParseBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class QueryParseBenchmark {
  @Param({
    "heap{job=\"api\"}",
    "heap{job=~\"api|web\", instance=~\"10\\\\.0\\\\..*:8080\", zone!=\"eu\"}",
    "merge by (instance, zone) (heap{job=\"api\"}[1h] offset 1d @ 1700000000)",
    "diff(merge(profile{job=\"api\"}[1h] offset 1d), merge(profile{job=\"api\"}[1h]))"
  })
  public String query;

  @Benchmark
  public Expr parse() {
    return QueryParser.parse(query);
  }
}
