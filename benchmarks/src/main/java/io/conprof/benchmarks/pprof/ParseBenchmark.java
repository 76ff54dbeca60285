package io.conprof.benchmarks.pprof;

import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parse throughput of the pprof reader over real fixtures, single-threaded: raw protobuf → parsed
 * and validated {@link Profile}, and gzip → parsed. The {@code bytes} counter is raw protobuf bytes
 * processed per second: divide by 1e6 for MB/s.
 *
 * <p>The reader decodes and validates the wire format without building protobuf message objects
 * (what merging uses); views such as the top table need the message tree, which a profile builds
 * from its bytes on first use. {@code parseRawWithMessages} measures reading plus that build, by
 * asking for the sample types (answered from the message tree).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@State(Scope.Benchmark)
public class ParseBenchmark {
  @Param({
    "pprof__large.cpu",
    "parca__query-alloc_objects.pb.gz",
    "golang-1.19__compress-flate.cpu.pprof",
    "parca__query-many-1644509293338714000.pb.gz",
    "parca__parca-labels.pb.gz"
  })
  public String file;

  private byte[] gzipped;
  private byte[] raw;

  @Setup
  public void setup() throws IOException {
    gzipped = Files.readAllBytes(Fixtures.pprof(file));
    raw = ProfileReader.defaults().decompress(gzipped);
  }

  /** Raw protobuf bytes consumed, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  @Benchmark
  public Profile parseRaw(Bytes counter) throws InvalidProfileException {
    counter.bytes += raw.length;
    return ProfileReader.defaults().parse(raw);
  }

  @Benchmark
  public Object parseRawWithMessages(Bytes counter) throws InvalidProfileException {
    counter.bytes += raw.length;
    return ProfileReader.defaults().parse(raw).sampleTypes();
  }

  @Benchmark
  public Profile parseGzip(Bytes counter) throws InvalidProfileException {
    counter.bytes += raw.length;
    return ProfileReader.defaults().parse(gzipped);
  }
}
