package io.conprof.benchmarks.jvm;

import io.conprof.core.jvm.JvmProfileType;
import io.conprof.core.jvm.JvmProfiler;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileBuilder;
import io.conprof.core.pprof.ProfileBuilder.Frame;
import io.conprof.core.pprof.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * Cost of building profiles: {@link ProfileBuilder} over synthetic stacks (interning and protobuf
 * encoding, then gzip as served), and each JVM profile type from a live profiler after a workload
 * that recorded allocations, parks and thread starts across many distinct stacks.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class ProfileBuildBenchmark {
  static final List<ValueType> CPU = List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds"));

  /** Synthetic stacks: depth 20-60 over a pool of frames, as a service's CPU profile has. */
  @State(Scope.Benchmark)
  public static class Stacks {
    @Param({"100", "1000", "10000"})
    public int stacks;

    List<List<Frame>> data;

    @Setup
    public void setup() {
      Random random = new Random(42);
      List<Frame> pool = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        String fn = "com.example.pkg" + (i % 40) + ".Class" + (i % 300) + ".method" + i;
        pool.add(new Frame(fn, fn + "(Ljava/lang/String;)V", "", 10 + i % 90));
      }
      data = new ArrayList<>(stacks);
      for (int s = 0; s < stacks; s++) {
        int depth = 20 + random.nextInt(41);
        List<Frame> stack = new ArrayList<>(depth);
        for (int d = 0; d < depth; d++) {
          stack.add(pool.get((int) Math.min(pool.size() - 1, Math.abs(random.nextGaussian()) * 300 + d * 25)));
        }
        data.add(List.copyOf(stack));
      }
    }
  }

  @Benchmark
  public byte[] builderToGzip(Stacks s) {
    ProfileBuilder b = ProfileBuilder.create(CPU, CPU.get(1), 10_000_000L);
    for (List<Frame> stack : s.data) {
      b.addSample(stack, new long[] {3, 30_000_000L});
    }
    return b.build().toGzip();
  }

  /** A live profiler that has recorded a workload with many distinct stacks. */
  @State(Scope.Benchmark)
  public static class Live {
    @Param({"ALLOCS", "HEAP", "MUTEX", "BLOCK", "GOROUTINE", "THREADCREATE"})
    public JvmProfileType type;

    JvmProfiler profiler;
    static volatile Object sink;

    @Setup(Level.Trial)
    public void setup() throws InterruptedException {
      profiler = JvmProfiler.start();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        Thread thread = new Thread(() -> {
          Random r = new Random(seed);
          while (System.nanoTime() < end) {
            recurse(r.nextInt(30), r);
          }
        }, "workload-" + t);
        thread.start();
        threads.add(thread);
      }
      for (Thread t : threads) {
        t.join();
      }
      Thread.sleep(2_000); // JFR delivers events about a second after they happen
    }

    static void recurse(int depth, Random r) {
      if (depth > 0) {
        recurse(depth - 1, r);
        return;
      }
      sink = new byte[r.nextInt(4096)];
      if (r.nextInt(50) == 0) {
        LockSupport.parkNanos(15_000_000L);
      }
    }

    @TearDown(Level.Trial)
    public void stop() {
      profiler.close();
    }
  }

  @Benchmark
  public Profile jvmProfile(Live live) {
    return live.profiler.profile(live.type);
  }
}
