package io.conprof.benchmarks.jvm;

import io.conprof.core.jvm.SelfProfiler;
import io.conprof.core.sink.ProfileSink;
import io.conprof.tsdb.SeriesRegistryKind;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * Overhead of profiling this JVM, measured so that a shared, noisy machine can still resolve 1%:
 * an interleaved A/B(/C) run in one JVM.
 *
 * <p>Design. Worker threads run a workload of {@link OverheadWorkloads} without pause. The run
 * switches between three settings many times: no profiler ({@code none}); conprof's {@link
 * SelfProfiler} exactly as an application embeds it, with every default (all seven profile types
 * every 10 s, JFR at 50 Hz CPU and 150 allocation samples/s, 10 ms lock and park thresholds, 1%
 * overhead budget) writing into a TSDB ({@code conprof}); and a JFR recording with the JDK's own
 * {@code profile.jfc} settings ({@code jfr-profile}). Each phase starts its setting, discards a
 * warm-up (the start of the recording, and the end of the previous phase), measures a window of
 * 10 s (so that the self-profiler's first tick, at 10 s, falls inside it: each conprof window pays
 * for one full round of profile building and storing, and for the first live-object read, which in
 * steady state happens once a minute), then stops the setting. Every round runs the three settings
 * in one of the six orders, in turn, so none is favoured by its position. Background load that
 * drifts over minutes (other processes compiling) then hits the settings of one round alike, and
 * the per-round ratios {@code profiled / none - 1} cancel it; the summary gives their mean with a
 * 95% Student-t interval, their median with a distribution-free 95% interval (order statistics),
 * and how many rounds were slower. A first round is run and discarded to warm up JIT and JFR.
 *
 * <p>Two measures per window: throughput (operations per second of wall time, what a user sees)
 * and operations per second of the workers' own CPU time (from {@link ThreadMXBean}), which leaves
 * out time the workers were not scheduled because of other processes, and so shows only the cost
 * the profiler adds inside the workers' threads (stack-walk suspensions, cache and TLB pollution).
 * On Linux it also reads each thread's {@code schedstat}: the share of time the workers were
 * stopped, neither running nor waiting for a CPU (JFR suspends a thread to walk its stack; a
 * safepoint stops all), which background load hardly changes, and the CPU time of JFR's threads
 * (its native sampler included) and the self-profiler's thread, which on a machine with no idle
 * core would come out of the application's share; the CPU of all other threads (compiler, GC) is
 * printed too.
 *
 * <p>Run (build first: {@code ./mvnw -B -q -pl benchmarks -am package -DskipTests}):
 * {@code java -Xms1g -Xmx1g -cp benchmarks/target/benchmarks.jar
 * io.conprof.benchmarks.jvm.InterleavedProfilerOverhead --rounds 24}. Options: {@code --rounds N}
 * (24), {@code --warmup-seconds S} (2), {@code --window-seconds S} (10), {@code --threads N} (1),
 * {@code --workload cpu|alloc} (cpu).
 */
public final class InterleavedProfilerOverhead {
  enum Setting {
    NONE("none"), CONPROF("conprof"), JFR_PROFILE("jfr-profile");

    final String label;

    Setting(String label) {
      this.label = label;
    }
  }

  private static final Setting[][] ORDERS = {
    {Setting.NONE, Setting.CONPROF, Setting.JFR_PROFILE},
    {Setting.CONPROF, Setting.JFR_PROFILE, Setting.NONE},
    {Setting.JFR_PROFILE, Setting.NONE, Setting.CONPROF},
    {Setting.NONE, Setting.JFR_PROFILE, Setting.CONPROF},
    {Setting.JFR_PROFILE, Setting.CONPROF, Setting.NONE},
    {Setting.CONPROF, Setting.NONE, Setting.JFR_PROFILE},
  };

  /** One measured window. */
  record Window(int round, Setting setting, double opsPerSecond, double opsPerWorkerCpuSecond,
      double workerCores, double otherCores, double workerStoppedFraction, double profilerCores, double loadAverage,
      long profilesWritten) {}

  private final int threads;
  private final boolean allocationWorkload;
  private final Duration warmup;
  private final Duration window;
  private final Duration initialWarmup;
  private final PrintStream out;
  private final List<AtomicLong> counters = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;
  private volatile long checksum;

  InterleavedProfilerOverhead(int threads, boolean allocationWorkload, Duration warmup, Duration window,
      Duration initialWarmup, PrintStream out) {
    this.threads = threads;
    this.allocationWorkload = allocationWorkload;
    this.warmup = warmup;
    this.window = window;
    this.initialWarmup = initialWarmup;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    int rounds = 24;
    int threads = 1;
    long warmupSeconds = 2;
    long windowSeconds = 10;
    long initialWarmupSeconds = 60;
    String workload = "cpu";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--rounds" -> rounds = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--warmup-seconds" -> warmupSeconds = Long.parseLong(v);
        case "--window-seconds" -> windowSeconds = Long.parseLong(v);
        case "--initial-warmup-seconds" -> initialWarmupSeconds = Long.parseLong(v);
        case "--workload" -> workload = v;
        default -> throw new IllegalArgumentException("unknown argument " + a + "; usage: InterleavedProfilerOverhead"
            + " [--rounds N] [--threads N] [--warmup-seconds S] [--window-seconds S] [--initial-warmup-seconds S]"
            + " [--workload cpu|alloc]");
      }
    }
    if (!workload.equals("cpu") && !workload.equals("alloc")) {
      throw new IllegalArgumentException("--workload must be cpu or alloc, got " + workload);
    }
    if (rounds < 2 || threads < 1 || warmupSeconds < 0 || windowSeconds < 1 || initialWarmupSeconds < 0) {
      throw new IllegalArgumentException("need --rounds >= 2, --threads >= 1, --warmup-seconds >= 0,"
          + " --window-seconds >= 1, --initial-warmup-seconds >= 0");
    }
    PrintStream out = System.out;
    Path dir = Files.createTempDirectory("conprof-overhead-");
    TsdbOptions options = TsdbOptions.builder().registry(SeriesRegistryKind.IN_MEMORY).build();
    try (Tsdb tsdb = Tsdb.open(dir, options)) {
      InterleavedProfilerOverhead run = new InterleavedProfilerOverhead(threads, workload.equals("alloc"),
          Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(windowSeconds),
          Duration.ofSeconds(initialWarmupSeconds), out);
      out.printf(Locale.ROOT, "# %s workload, %d worker thread(s), %d rounds of 3 x (%d s warm-up + %d s window)"
          + " after %d s of each setting discarded; %d CPUs; %s%n", workload, threads, rounds, warmupSeconds,
          windowSeconds, initialWarmupSeconds,
          Runtime.getRuntime().availableProcessors(), Runtime.version());
      out.printf(Locale.ROOT, "# started %s, load average %s%n", Instant.now(), loadAverages());
      List<Window> windows = run.run(rounds, tsdb.asSink());
      out.printf(Locale.ROOT, "# ended %s, load average %s%n", Instant.now(), loadAverages());
      run.summarize(windows);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  List<Window> run(int rounds, ProfileSink sink) throws Exception {
    startWorkers();
    try {
      out.println("round,setting,ops_per_s,ops_per_worker_cpu_s,worker_cores,other_cores,worker_stopped,"
          + "profiler_cores,load1,profiles_written");
      for (Setting s : ORDERS[0]) { // JIT-compiles the workload, JFR's parser and the profiler's own code
        print(measure(0, s, sink, initialWarmup), "warm-up, discarded");
      }
      List<Window> windows = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        for (Setting s : ORDERS[(r - 1) % ORDERS.length]) {
          Window w = measure(r, s, sink, warmup);
          windows.add(w);
          print(w, "");
        }
      }
      return windows;
    } finally {
      running = false;
      for (Thread t : workers) {
        t.join();
      }
    }
  }

  private void startWorkers() {
    for (int i = 0; i < threads; i++) {
      AtomicLong ops = new AtomicLong();
      counters.add(ops);
      Thread t = new Thread(() -> work(ops), "workload-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  private void work(AtomicLong ops) {
    long acc = 0;
    long n = 0;
    while (running) {
      acc += allocationWorkload ? OverheadWorkloads.allocationHeavy() : OverheadWorkloads.cpuBound();
      ops.lazySet(++n);
    }
    checksum = acc;
  }

  /** Starts {@code s}, discards the warm-up, measures one window, stops {@code s}. */
  private Window measure(int round, Setting s, ProfileSink sink, Duration warmup) throws Exception {
    AutoCloseable stop = () -> { };
    SelfProfiler self = null;
    switch (s) {
      case NONE -> { }
      case CONPROF -> {
        self = SelfProfiler.builder().sink(sink).start(); // every default
        stop = self;
      }
      case JFR_PROFILE -> stop = startJfrProfile();
    }
    try {
      Thread.sleep(warmup.toMillis());
      long ops0 = ops();
      long workerCpu0 = workerCpuNanos();
      long processCpu0 = processCpuNanos();
      TaskTimes tasks0 = TaskTimes.read();
      long t0 = System.nanoTime();
      Thread.sleep(window.toMillis());
      long ops1 = ops();
      long workerCpu1 = workerCpuNanos();
      long processCpu1 = processCpuNanos();
      TaskTimes tasks1 = TaskTimes.read();
      long t1 = System.nanoTime();
      double seconds = (t1 - t0) / 1e9;
      double workerSeconds = (workerCpu1 - workerCpu0) / 1e9;
      double otherSeconds = (processCpu1 - processCpu0) / 1e9 - workerSeconds;
      double workerStopped = (tasks1.workerStoppedNanos() - tasks0.workerStoppedNanos()) / 1e9 / threads;
      double profilerSeconds = (tasks1.profilerCpuNanos - tasks0.profilerCpuNanos) / 1e9;
      return new Window(round, s, (ops1 - ops0) / seconds, (ops1 - ops0) / workerSeconds, workerSeconds / seconds,
          otherSeconds / seconds, workerStopped / seconds, profilerSeconds / seconds, loadAverage1(),
          self == null ? 0 : self.profilesWritten());
    } finally {
      stop.close();
    }
  }

  private static AutoCloseable startJfrProfile() throws IOException, ParseException {
    Recording r = new Recording(Configuration.getConfiguration("profile"));
    r.setName("jfr-profile");
    r.setToDisk(true);
    r.start();
    return r::close;
  }

  private long ops() {
    long sum = 0;
    for (AtomicLong c : counters) {
      sum += c.get();
    }
    return sum;
  }

  private long workerCpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : workers) {
      sum += mx.getThreadCpuTime(t.getId());
    }
    return sum;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private void print(Window w, String note) {
    out.printf(Locale.ROOT, "%d,%s,%.1f,%.1f,%.4f,%.4f,%.5f,%.4f,%.2f,%d%s%n", w.round(), w.setting().label,
        w.opsPerSecond(), w.opsPerWorkerCpuSecond(), w.workerCores(), w.otherCores(), w.workerStoppedFraction(),
        w.profilerCores(), w.loadAverage(), w.profilesWritten(),
        note.isEmpty() ? "" : "," + note);
  }

  void summarize(List<Window> windows) {
    int rounds = windows.stream().mapToInt(Window::round).max().orElse(0);
    Window[][] byRound = new Window[rounds + 1][Setting.values().length];
    for (Window w : windows) {
      byRound[w.round()][w.setting().ordinal()] = w;
    }
    out.println();
    out.println("| setting | ops/s, mean ± sd over rounds | ops per worker CPU-second | workers stopped, not"
        + " waiting for a CPU (share of wall time) | JFR and profiler threads' CPU (cores) | all other threads' CPU"
        + " (cores) |");
    out.println("|---|---|---|---|---|---|");
    for (Setting s : Setting.values()) {
      double[] ops = column(byRound, s, Window::opsPerSecond);
      double[] perCpu = column(byRound, s, Window::opsPerWorkerCpuSecond);
      double[] stopped = column(byRound, s, Window::workerStoppedFraction);
      double[] profiler = column(byRound, s, Window::profilerCores);
      double[] other = column(byRound, s, Window::otherCores);
      out.printf(Locale.ROOT, "| %s | %,.0f ± %,.0f | %,.0f ± %,.0f | %.3f%% ± %.3f%% | %.4f ± %.4f | %.4f ± %.4f |%n",
          s.label, mean(ops), sd(ops), mean(perCpu), sd(perCpu), 100 * mean(stopped), 100 * sd(stopped),
          mean(profiler), sd(profiler), mean(other), sd(other));
    }
    out.println();
    out.println("| comparison, per-round ratio − 1 | measure | mean [95% CI] | median [95% CI] | rounds slower |");
    out.println("|---|---|---|---|---|");
    compare(byRound, Setting.CONPROF, Setting.NONE);
    compare(byRound, Setting.JFR_PROFILE, Setting.NONE);
    compare(byRound, Setting.CONPROF, Setting.JFR_PROFILE);
    out.println();
    out.println("| comparison, per-round difference | measure | mean [95% CI] | median [95% CI] |");
    out.println("|---|---|---|---|");
    difference(byRound, Setting.CONPROF, Setting.NONE);
    difference(byRound, Setting.JFR_PROFILE, Setting.NONE);
    double[] load = windows.stream().mapToDouble(Window::loadAverage).toArray();
    Arrays.sort(load);
    out.printf(Locale.ROOT, "%n1-minute load average over the windows: min %.2f, median %.2f, max %.2f%n", load[0],
        load[load.length / 2], load[load.length - 1]);
  }

  private void compare(Window[][] byRound, Setting a, Setting b) {
    for (int measure = 0; measure < 2; measure++) {
      double[] d = new double[byRound.length - 1];
      int slower = 0;
      for (int r = 1; r < byRound.length; r++) {
        Window wa = byRound[r][a.ordinal()];
        Window wb = byRound[r][b.ordinal()];
        d[r - 1] = measure == 0 ? wa.opsPerSecond() / wb.opsPerSecond() - 1
            : wa.opsPerWorkerCpuSecond() / wb.opsPerWorkerCpuSecond() - 1;
        if (d[r - 1] < 0) {
          slower++;
        }
      }
      double m = mean(d);
      double half = tQuantile975(d.length - 1) * sd(d) / Math.sqrt(d.length);
      double[] med = medianWithInterval(d);
      out.printf(Locale.ROOT, "| %s vs %s | %s | %+.2f%% [%+.2f%%, %+.2f%%] | %+.2f%% [%+.2f%%, %+.2f%%] | %d of %d |%n",
          a.label, b.label, measure == 0 ? "ops/s" : "ops per worker CPU-s", 100 * m, 100 * (m - half),
          100 * (m + half), 100 * med[0], 100 * med[1], 100 * med[2], slower, d.length);
    }
  }

  /** Differences of the workers' stopped share and of the profiler threads' CPU, in percentage points. */
  private void difference(Window[][] byRound, Setting a, Setting b) {
    Measure[] measures = {Window::workerStoppedFraction, Window::profilerCores};
    String[] names = {"workers stopped (points of wall time)", "JFR and profiler CPU (points of one core)"};
    for (int m = 0; m < measures.length; m++) {
      double[] d = new double[byRound.length - 1];
      for (int r = 1; r < byRound.length; r++) {
        d[r - 1] = measures[m].of(byRound[r][a.ordinal()]) - measures[m].of(byRound[r][b.ordinal()]);
      }
      double mean = mean(d);
      double half = tQuantile975(d.length - 1) * sd(d) / Math.sqrt(d.length);
      double[] med = medianWithInterval(d);
      out.printf(Locale.ROOT, "| %s − %s | %s | %+.3f [%+.3f, %+.3f] | %+.3f [%+.3f, %+.3f] |%n", a.label, b.label,
          names[m], 100 * mean, 100 * (mean - half), 100 * (mean + half), 100 * med[0], 100 * med[1], 100 * med[2]);
    }
  }

  private interface Measure {
    double of(Window w);
  }

  private static double[] column(Window[][] byRound, Setting s, Measure m) {
    double[] v = new double[byRound.length - 1];
    for (int r = 1; r < byRound.length; r++) {
      v[r - 1] = m.of(byRound[r][s.ordinal()]);
    }
    return v;
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  static double sd(double[] v) {
    if (v.length < 2) {
      return Double.NaN;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  /**
   * The 0.975 quantile of Student's t with {@code df} degrees of freedom, by the Cornish-Fisher
   * expansion around the normal quantile (error below 0.001 from 5 degrees of freedom on).
   */
  static double tQuantile975(int df) {
    double z = 1.959963984540054;
    double z3 = z * z * z;
    double z5 = z3 * z * z;
    double z7 = z5 * z * z;
    double z9 = z7 * z * z;
    double v = df;
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
        + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v * v * v * v);
  }

  /**
   * The median and a distribution-free interval of at least 95% for it: the k-th smallest and k-th
   * largest values, with k the largest rank for which P(Binomial(n, 1/2) < k) is at most 2.5%
   * (NaN bounds below 6 values, where no such k exists).
   */
  static double[] medianWithInterval(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    int k = 0;
    double below = 0; // P(X < k + 1) as k grows
    for (int j = 0; j < n; j++) {
      below += binomialHalf(n, j);
      if (below > 0.025) {
        break;
      }
      k = j + 1;
    }
    if (k == 0) {
      return new double[] {median, Double.NaN, Double.NaN};
    }
    return new double[] {median, v[k - 1], v[n - k]};
  }

  private static double binomialHalf(int n, int j) {
    double logC = 0;
    for (int i = 1; i <= j; i++) {
      logC += Math.log(n - j + i) - Math.log(i);
    }
    return Math.exp(logC - n * Math.log(2));
  }

  /**
   * Per-thread times from Linux's {@code /proc/self/task/<tid>/schedstat} (nanoseconds on a CPU,
   * nanoseconds runnable but waiting for one): for the workers, the time they were neither running
   * nor waiting for a CPU (stopped: a JFR sampler suspension, a safepoint, a page fault), and the
   * CPU time of JFR's threads (the native sampler included, which no Java API shows) and the
   * self-profiler's. Zero where procfs is missing.
   */
  private record TaskTimes(long nanoTime, long workerCpuNanos, long workerWaitNanos, long profilerCpuNanos,
      int workers) {
    long workerStoppedNanos() {
      return (long) workers * nanoTime - workerCpuNanos - workerWaitNanos;
    }

    static TaskTimes read() {
      long cpu = 0;
      long wait = 0;
      long profiler = 0;
      int workers = 0;
      long now = System.nanoTime();
      try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          try {
            String comm = Files.readString(task.resolve("comm")).strip();
            String[] f = Files.readString(task.resolve("schedstat")).strip().split(" ");
            if (comm.startsWith("workload-")) {
              cpu += Long.parseLong(f[0]);
              wait += Long.parseLong(f[1]);
              workers++;
            } else if (comm.startsWith("JFR ") || comm.startsWith("conprof-self")) {
              profiler += Long.parseLong(f[0]);
            }
          } catch (IOException | RuntimeException e) {
            // the thread ended
          }
        }
      } catch (IOException e) {
        return new TaskTimes(now, 0, 0, 0, 0);
      }
      return new TaskTimes(now, cpu, wait, profiler, workers);
    }
  }

  private static double loadAverage1() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
  }

  private static String loadAverages() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }
}
