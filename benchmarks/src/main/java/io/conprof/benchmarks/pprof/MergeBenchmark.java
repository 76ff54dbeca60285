package io.conprof.benchmarks.pprof;

import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileMerger;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Merge throughput in profiles per second, single-threaded, over the eight consecutive heap
 * profiles of one process ({@code parca__query-many-*}), cycled {@value #PROFILES} times:
 * {@code mergeParsed} folds already parsed profiles, {@code parseAndMerge} includes gunzip and
 * parsing, which is what merging files costs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@State(Scope.Benchmark)
public class MergeBenchmark {
  static final int PROFILES = 200;

  private final List<byte[]> gzipped = new ArrayList<>();
  private final List<Profile> parsed = new ArrayList<>();

  @Setup
  public void setup() throws IOException {
    for (Path f : Fixtures.queryMany()) {
      byte[] gz = Files.readAllBytes(f);
      gzipped.add(gz);
      parsed.add(ProfileReader.defaults().parse(gz));
    }
  }

  @Benchmark
  @OperationsPerInvocation(PROFILES)
  public Profile mergeParsed() throws InvalidProfileException {
    ProfileMerger m = new ProfileMerger();
    for (int i = 0; i < PROFILES; i++) {
      m.add(parsed.get(i % parsed.size()));
    }
    return m.result();
  }

  @Benchmark
  @OperationsPerInvocation(PROFILES)
  public Profile parseAndMerge() throws InvalidProfileException {
    ProfileMerger m = new ProfileMerger();
    for (int i = 0; i < PROFILES; i++) {
      m.add(ProfileReader.defaults().parse(gzipped.get(i % gzipped.size())));
    }
    return m.result();
  }
}
