package io.conprof.benchmarks.scrape;

import io.conprof.core.model.Labels;
import io.conprof.core.scrape.ScrapeManager;
import io.conprof.core.scrape.ScrapeMetrics;
import io.conprof.core.scrape.TargetHealth;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import io.conprof.core.sink.ProfileSink;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Soak run of the scrape loop: N fake Go targets × 7 profile types at a fixed interval, measuring
 * whether every scheduled scrape happens on time, and what the scraper costs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.conprof.benchmarks.scrape.ScrapeLoadSoak
 *     [--targets 1000] [--interval 10s] [--duration 180s] [--warmup 20s] [--cpu-seconds 1|derived]
 *     [--sink count|tsdb] [--max-requests 256] [--max-requests-per-host 16] [--max-idle-connections N]
 *     [--latency-ms 2]
 * </pre>
 *
 * <p>The targets are a {@link FakePprofTarget} in a child JVM (so the scraper's CPU and heap are
 * measured alone), one loopback address per target. The scraper is a {@link ScrapeManager} with
 * its default {@code OkHttpProfileFetcher}, configured by a YAML scrape config as a user would
 * write it. The sink either counts profiles and bytes ({@code count}) or is a real TSDB in a
 * temporary directory ({@code tsdb}, deleted afterwards).
 *
 * <p>Measurement covers the steady state: after the warm-up, a whole number of intervals. A loop
 * has exactly one slot per interval, so each profile type is scheduled {@code targets × intervals}
 * times in the window; performed are the window's slots of each series for which a profile was
 * stored (its timestamp, the scrape start, matched to the nearest slot of the series). Missed slots, start delays and failures come from {@link ScrapeMetrics} (their
 * increase over the window); CPU is the process CPU time over the window divided by its length
 * (in cores); heap is sampled every second, and measured after a full GC at the end.
 */
public final class ScrapeLoadSoak {
  private ScrapeLoadSoak() {}

  /** Records each series' timestamps and counts bytes; optionally forwards to a real sink. */
  private static final class CountingSink implements ProfileSink {
    final ProfileSink next;
    final Map<Labels, List<Long>> timestamps = new ConcurrentHashMap<>();
    final LongAdder bytes = new LongAdder();
    final LongAdder all = new LongAdder();
    volatile long windowStartMillis = Long.MAX_VALUE;
    volatile long windowEndMillis = Long.MAX_VALUE;

    CountingSink(ProfileSink next) {
      this.next = next;
    }

    @Override
    public void append(Labels labels, long timestampMillis, byte[] profile) throws IOException {
      if (next != null) {
        next.append(labels, timestampMillis, profile);
      }
      all.increment();
      List<Long> ts = timestamps.computeIfAbsent(labels, k -> new ArrayList<>());
      synchronized (ts) {
        ts.add(timestampMillis);
      }
      if (timestampMillis >= windowStartMillis && timestampMillis < windowEndMillis) {
        bytes.add(profile.length);
      }
    }

    /**
     * Slots of the window that got a profile, per type. A series' slots are one interval apart;
     * their phase is that of its earliest (least late) scrape, so a late start is still counted
     * for its own slot, and a slot is counted once.
     */
    Map<String, Long> performedSlots(long startMillis, long endMillis, long intervalMillis) {
      Map<String, Long> out = new TreeMap<>();
      timestamps.forEach((labels, list) -> {
        List<Long> ts;
        synchronized (list) {
          ts = new ArrayList<>(list);
        }
        long first = ts.get(0);
        long earliest = Long.MAX_VALUE;
        for (long t : ts) {
          long d = Math.floorMod(t - first, intervalMillis);
          earliest = Math.min(earliest, d > intervalMillis / 2 ? d - intervalMillis : d);
        }
        long base = first + earliest;
        java.util.Set<Long> slots = new java.util.HashSet<>();
        for (long t : ts) {
          long k = Math.round((t - base) / (double) intervalMillis);
          long slot = base + k * intervalMillis;
          if (slot >= startMillis && slot < endMillis) {
            slots.add(k);
          }
        }
        out.merge(labels.get("__name__"), (long) slots.size(), Long::sum);
      });
      return out;
    }
  }

  public static void main(String[] args) throws Exception {
    int targets = 1000;
    Duration interval = Duration.ofSeconds(10);
    Duration duration = Duration.ofSeconds(180);
    Duration warmup = Duration.ofSeconds(20);
    String cpuSeconds = "1";
    String sinkKind = "count";
    int maxRequests = -1;
    int maxPerHost = -1;
    int maxIdle = -1;
    long latencyMillis = 2;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      if (v == null) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      i++;
      switch (a) {
        case "--targets" -> targets = Integer.parseInt(v);
        case "--interval" -> interval = seconds(v);
        case "--duration" -> duration = seconds(v);
        case "--warmup" -> warmup = seconds(v);
        case "--cpu-seconds" -> cpuSeconds = v;
        case "--sink" -> sinkKind = v;
        case "--max-requests" -> maxRequests = Integer.parseInt(v);
        case "--max-requests-per-host" -> maxPerHost = Integer.parseInt(v);
        case "--max-idle-connections" -> maxIdle = Integer.parseInt(v);
        case "--latency-ms" -> latencyMillis = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (!sinkKind.equals("count") && !sinkKind.equals("tsdb")) {
      throw new IllegalArgumentException("--sink must be count or tsdb, got " + sinkKind);
    }
    long intervals = duration.minus(warmup).toMillis() / interval.toMillis();
    if (intervals < 1) {
      throw new IllegalArgumentException("--duration must exceed --warmup by at least one --interval");
    }

    // The fake fleet, in its own JVM.
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        FakePprofTarget.class.getName(), "--targets", Integer.toString(targets),
        "--latency-ms", Long.toString(latencyMillis)));
    Process fake = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader fakeOut = new BufferedReader(new InputStreamReader(fake.getInputStream(), StandardCharsets.UTF_8));
    List<String> addresses = new ArrayList<>();
    for (String line; (line = fakeOut.readLine()) != null && !line.equals("READY"); ) {
      addresses.add(line);
    }
    if (addresses.size() != targets) {
      fake.destroy();
      throw new IllegalStateException("the fake target started " + addresses.size() + " of " + targets
          + " addresses");
    }

    StringBuilder yaml = new StringBuilder()
        .append("global:\n  scrape_interval: ").append(interval.toSeconds()).append("s\n")
        .append("  scrape_timeout: ").append(interval.toSeconds()).append("s\n")
        .append("scrape_configs:\n  - job_name: soak\n    static_configs:\n      - targets:\n");
    for (String address : addresses) {
      yaml.append("          - '").append(address).append("'\n");
    }
    if (!cpuSeconds.equals("derived")) {
      yaml.append("    profiling_config:\n      pprof_config:\n        profile:\n          seconds: ")
          .append(Integer.parseInt(cpuSeconds)).append('\n');
    }
    ScrapeConfigFile config = ScrapeConfigFile.parse(yaml.toString(), "soak.yml", Path.of("."));
    int cpuSecondsUsed = config.job("soak").profilingConfig().pprofConfig().get("profile").seconds();

    Path tsdbDir = null;
    Tsdb tsdb = null;
    if (sinkKind.equals("tsdb")) {
      tsdbDir = Files.createTempDirectory("conprof-soak-tsdb");
      tsdb = Tsdb.open(tsdbDir, TsdbOptions.defaults());
    }
    CountingSink sink = new CountingSink(tsdb == null ? null : tsdb.asSink());
    ScrapeManager.Builder mb = ScrapeManager.builder(sink);
    if (maxRequests > 0 || maxPerHost > 0 || maxIdle >= 0) {
      io.conprof.core.scrape.OkHttpProfileFetcher.Builder fb = io.conprof.core.scrape.OkHttpProfileFetcher.builder();
      if (maxRequests > 0) {
        fb.maxConcurrentRequests(maxRequests);
      }
      if (maxPerHost > 0) {
        fb.maxConcurrentRequestsPerHost(maxPerHost);
      }
      if (maxIdle >= 0) {
        fb.maxIdleConnections(maxIdle);
      }
      mb.fetcher(fb.build());
    }
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    var memory = ManagementFactory.getMemoryMXBean();

    System.out.printf(Locale.ROOT, "soak: %d targets x 7 profile types, interval %ds, CPU profile seconds=%d, "
        + "sink %s, %d intervals measured after %ds warm-up%n", targets, interval.toSeconds(), cpuSecondsUsed,
        sinkKind, intervals, warmup.toSeconds());
    System.out.printf(Locale.ROOT, "fake targets: %s ... %s (pid %d)%n", addresses.get(0),
        addresses.get(addresses.size() - 1), fake.pid());

    long startMillis = System.currentTimeMillis();
    ScrapeManager manager = mb.build();
    manager.applyConfig(config);
    long windowStart = startMillis + warmup.toMillis();
    long windowEnd = windowStart + intervals * interval.toMillis();
    sink.windowStartMillis = windowStart;
    sink.windowEndMillis = windowEnd;

    sleepUntil(windowStart);
    Snapshot before = Snapshot.take(manager.metrics(), os, fake);
    long peakHeap = 0;
    int peakThreads = 0;
    long lastReport = System.currentTimeMillis();
    while (System.currentTimeMillis() < windowEnd) {
      Thread.sleep(Math.min(1000, Math.max(1, windowEnd - System.currentTimeMillis())));
      peakHeap = Math.max(peakHeap, memory.getHeapMemoryUsage().getUsed());
      peakThreads = Math.max(peakThreads, threads.getThreadCount());
      if (System.currentTimeMillis() - lastReport >= 30_000) {
        lastReport = System.currentTimeMillis();
        System.out.printf(Locale.ROOT, "  t+%ds stored %d, missed %d%n", (lastReport - windowStart) / 1000,
            manager.metrics().profilesStored(), manager.metrics().missedScrapes());
      }
    }
    Snapshot after = Snapshot.take(manager.metrics(), os, fake);
    // Scrapes that started inside the window may still be finishing.
    Thread.sleep(Math.min(interval.toMillis(), 1000L * (cpuSecondsUsed + 2)));
    System.gc();
    MemoryUsage heapAfterGc = memory.getHeapMemoryUsage();
    int threadsNow = threads.getThreadCount();
    List<TargetHealth> health = manager.targets().active();
    manager.close();
    if (tsdb != null) {
      tsdb.close();
      deleteRecursively(tsdbDir);
    }
    fake.getOutputStream().write(("WINDOW " + windowStart + " " + windowEnd + " " + interval.toMillis() + "\n")
        .getBytes(StandardCharsets.UTF_8));
    fake.getOutputStream().close();
    String fakeStats = "";
    String arrivals = "";
    for (String line; (line = fakeOut.readLine()) != null; ) {
      if (line.startsWith("STATS ")) {
        fakeStats = line.substring(6);
      } else if (line.startsWith("ARRIVALS ")) {
        arrivals = line.substring(9);
      }
    }
    fake.waitFor();

    // Report.
    double windowSeconds = (windowEnd - windowStart) / 1000.0;
    long scheduledPerType = targets * intervals;
    System.out.println();
    System.out.printf(Locale.ROOT, "window: %.0f s (%d intervals), from %s%n", windowSeconds, intervals,
        Instant.ofEpochMilli(windowStart));
    System.out.println("type          scheduled  performed  not performed");
    long scheduledAll = 0;
    long performedAll = 0;
    Map<String, Long> performedByType = sink.performedSlots(windowStart, windowEnd, interval.toMillis());
    for (String type : new TreeMap<>(config.job("soak").profilingConfig().pprofConfig()).keySet()) {
      long performed = performedByType.getOrDefault(type, 0L);
      scheduledAll += scheduledPerType;
      performedAll += performed;
      System.out.printf(Locale.ROOT, "%-12s %10d %10d %10d (%.3f%%)%n", type, scheduledPerType, performed,
          scheduledPerType - performed, 100.0 * (scheduledPerType - performed) / scheduledPerType);
    }
    System.out.printf(Locale.ROOT, "%-12s %10d %10d %10d (%.3f%%)%n", "all", scheduledAll, performedAll,
        scheduledAll - performedAll, 100.0 * (scheduledAll - performedAll) / scheduledAll);
    System.out.printf(Locale.ROOT, "profiles stored: %.1f/s, %.1f MB/s of uncompressed pprof%n",
        performedAll / windowSeconds, sink.bytes.sum() / 1e6 / windowSeconds);
    long missed = after.missed - before.missed;
    System.out.printf(Locale.ROOT, "missed slots (conprof_scrapes_missed_total increase): %d (%.3f%% of scheduled)%n",
        missed, 100.0 * missed / scheduledAll);
    Map<String, Double> delay = after.diff(before, "conprof_scrape_start_delay_seconds_bucket");
    Map<String, Double> dur = after.diff(before, "conprof_scrape_duration_seconds_bucket");
    System.out.println("start delay (slot to start): " + quantiles(delay));
    System.out.println("  buckets: " + buckets(delay));
    System.out.println("lateness of request arrivals at the targets: " + arrivals);
    System.out.println("scrape duration (request to stored): " + quantiles(dur));
    System.out.println("  buckets: " + buckets(dur));
    Map<String, Double> failures = after.diffByLabel(before, "conprof_scrape_failures_total");
    System.out.println("failures by reason: " + (failures.isEmpty() ? "none" : failures));
    long down = health.stream().filter(h -> h.health() != TargetHealth.Health.UP).count();
    System.out.printf(Locale.ROOT, "targets not up at the end: %d of %d%n", down, health.size());
    double cores = (after.cpuNanos - before.cpuNanos) / 1e9 / windowSeconds;
    double fakeCores = (after.fakeCpuNanos - before.fakeCpuNanos) / 1e9 / windowSeconds;
    System.out.printf(Locale.ROOT, "scraper CPU: %.3f cores (%.1f%% of the machine's %d); fake targets: %.3f cores%n",
        cores, 100 * cores / os.getAvailableProcessors(), os.getAvailableProcessors(), fakeCores);
    System.out.printf(Locale.ROOT, "scraper heap: %.1f MB used after full GC, peak %.1f MB used, max %.0f MB "
        + "(committed %.0f MB)%n", heapAfterGc.getUsed() / 1e6, peakHeap / 1e6, heapAfterGc.getMax() / 1e6,
        heapAfterGc.getCommitted() / 1e6);
    System.out.printf(Locale.ROOT, "scraper threads: %d at the end, %d peak sampled, %d peak (JVM)%n", threadsNow,
        peakThreads, threads.getPeakThreadCount());
    System.out.printf(Locale.ROOT, "system load average at the end: %.2f%n", os.getSystemLoadAverage());
    System.out.println("fake targets served: " + fakeStats);
  }

  /** The metrics and CPU times at one instant. */
  private record Snapshot(long missed, Map<String, Double> samples, long cpuNanos, long fakeCpuNanos) {
    static Snapshot take(ScrapeMetrics m, com.sun.management.OperatingSystemMXBean os, Process fake) {
      StringBuilder text = new StringBuilder();
      try {
        m.writeText(text);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Map<String, Double> samples = new LinkedHashMap<>();
      for (String line : text.toString().split("\n")) {
        if (!line.startsWith("#") && !line.isBlank()) {
          int sp = line.lastIndexOf(' ');
          samples.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
      }
      long fakeCpu = fake.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
      return new Snapshot(m.missedScrapes(), samples, os.getProcessCpuTime(), fakeCpu);
    }

    /** Increase of every sample of {@code family}, keyed by its labels, in exposition order. */
    Map<String, Double> diff(Snapshot before, String family) {
      Map<String, Double> out = new LinkedHashMap<>();
      samples.forEach((k, v) -> {
        if (k.startsWith(family + "{")) {
          out.put(k.substring(family.length()), v - before.samples.getOrDefault(k, 0.0));
        }
      });
      return out;
    }

    Map<String, Double> diffByLabel(Snapshot before, String family) {
      Map<String, Double> out = new TreeMap<>();
      diff(before, family).forEach((k, v) -> {
        if (v > 0) {
          out.put(k, v);
        }
      });
      return out;
    }
  }

  /** p50, p99, p99.9 and max as bucket upper bounds ("≤ 0.005 s"), from cumulative buckets. */
  private static String quantiles(Map<String, Double> cumulative) {
    List<Map.Entry<String, Double>> b = new ArrayList<>(cumulative.entrySet());
    double total = b.isEmpty() ? 0 : b.get(b.size() - 1).getValue();
    if (total == 0) {
      return "no observations";
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "n=%.0f", total));
    for (double q : new double[] {0.5, 0.99, 0.999, 1.0}) {
      for (Map.Entry<String, Double> e : b) {
        if (e.getValue() >= q * total) {
          sb.append(q == 1.0 ? ", max" : String.format(Locale.ROOT, ", p%s", trim(q * 100))).append(" <= ")
              .append(le(e.getKey())).append(" s");
          break;
        }
      }
    }
    return sb.toString();
  }

  private static String buckets(Map<String, Double> cumulative) {
    StringBuilder sb = new StringBuilder();
    double prev = 0;
    for (Map.Entry<String, Double> e : cumulative.entrySet()) {
      double n = e.getValue() - prev;
      prev = e.getValue();
      if (n > 0) {
        sb.append(sb.length() == 0 ? "" : ", ").append("<=").append(le(e.getKey())).append(": ")
            .append(String.format(Locale.ROOT, "%.0f", n));
      }
    }
    return sb.toString();
  }

  private static String le(String labels) {
    int i = labels.indexOf("le=\"");
    return labels.substring(i + 4, labels.indexOf('"', i + 4));
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static Duration seconds(String v) {
    if (!v.endsWith("s")) {
      throw new IllegalArgumentException("durations are whole seconds like 10s, got " + v);
    }
    return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
  }

  private static void sleepUntil(long millis) throws InterruptedException {
    for (long now; (now = System.currentTimeMillis()) < millis; ) {
      Thread.sleep(millis - now);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
