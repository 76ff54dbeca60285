package io.conprof.cli;

import io.conprof.core.jvm.SelfProfiler;
import io.conprof.core.sink.ProfileSink;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The small application of {@link SelfProfilerEndToEndTest}, run as a child JVM: it embeds the
 * self-profiler the way {@code docs/embedding.md} shows, writing into a TSDB, and does known work:
 * {@link #hotLoop} burns CPU and {@link #allocateBuffers} allocates 4 KiB buffers.
 *
 * <p>Arguments: the TSDB directory and a number N of CPU windows. It prints {@code written N
 * windows} once the N-th CPU profile is stored, and shuts down when its standard input ends (the
 * host asking it to stop): it stops its worker, closes the profiler, closes the store, prints
 * {@code closed} and returns from {@code main}, so the JVM exits with status 0.
 */
public final class SelfProfiledApp {
  static final String JOB = "selfprofiled-app";
  static final String INSTANCE = "app-1";

  private static volatile boolean running = true;
  private static volatile long result;
  private static volatile Object escape;

  private SelfProfiledApp() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int windows = Integer.parseInt(args[1]);
    Tsdb db = Tsdb.open(dir, TsdbOptions.defaults());
    ProfileSink store = db.asSink();
    AtomicInteger cpuWindows = new AtomicInteger();
    ProfileSink sink = (labels, timestampMillis, profile) -> {
      store.append(labels, timestampMillis, profile);
      if (labels.get("__name__").equals("profile") && cpuWindows.incrementAndGet() == windows) {
        System.out.println("written " + windows + " windows");
      }
    };
    SelfProfiler profiler = SelfProfiler.builder()
        .sink(sink).job(JOB).instance(INSTANCE).interval(Duration.ofSeconds(1)).start();
    Thread worker = new Thread(SelfProfiledApp::work, "app-worker");
    worker.start();

    drain(System.in); // the host asks the application to stop by closing its standard input
    running = false;
    worker.join();
    profiler.close();
    db.close();
    System.out.println("closed");
  }

  private static void drain(InputStream in) throws IOException {
    byte[] buf = new byte[256];
    while (in.read(buf) != -1) {
      // nothing to read but the end
    }
  }

  private static void work() {
    long acc = 1;
    int round = 0;
    while (running) {
      acc += hotLoop(acc);
      if (++round % 4 == 0) {
        allocateBuffers();
      }
    }
    result = acc;
  }

  /** The known hot method: about 1 ms of integer work per call. */
  static long hotLoop(long seed) {
    long x = seed | 1;
    for (int i = 0; i < 500_000; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x;
  }

  /** The known allocation site. */
  static void allocateBuffers() {
    Object[] keep = new Object[16];
    for (int i = 0; i < 256; i++) {
      keep[i & 15] = new byte[4096];
    }
    escape = keep;
  }
}
