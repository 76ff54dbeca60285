package io.conprof.core.scrape;

import io.conprof.core.discovery.Discoverer;
import io.conprof.core.discovery.DiscovererProvider;
import io.conprof.core.discovery.Discovery;
import io.conprof.core.discovery.DiscoveryContext;
import io.conprof.core.discovery.FileDiscovererProvider;
import io.conprof.core.discovery.StaticDiscovererProvider;
import io.conprof.core.discovery.TargetGroup;
import io.conprof.core.model.Labels;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.scrape.config.FileSdConfig;
import io.conprof.core.scrape.config.ScrapeConfig;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import io.conprof.core.scrape.config.StaticConfig;
import io.conprof.core.sink.ProfileSink;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull model: discovers targets, scrapes each one's profiles on a schedule and appends the
 * valid ones to a {@link ProfileSink}.
 *
 * <p>Design. Each job ({@code scrape_configs} entry) runs its discoverers (found through the
 * {@link Discovery} SPI); every change of their target groups rebuilds the job's targets with
 * {@link TargetBuilder} (one target per address × enabled profile type, relabelled) and
 * reconciles the running loops against them: one {@code ScrapeLoop} per target, identified by its
 * series labels, URL, timing, auth, TLS and the external labels. A loop whose identity is
 * unchanged keeps running (and keeps its schedule and health) across discovery updates and
 * {@link #applyConfig} reloads; a new identity starts a loop; a vanished one is stopped, which
 * cancels its next scrape but lets the one in flight finish and store, so a reload never loses
 * a profile that was being fetched.
 *
 * <p>Timing. A loop's scrapes fall on fixed slots {@code offset + k × interval} of the wall clock,
 * where the offset is a stable hash of the target (and of the external labels, so replicas with
 * different external labels spread differently), as in Prometheus: the load of many targets is
 * spread evenly over the interval and the same target is scraped at the same phase after a
 * restart. Scrapes of one loop never overlap; slots that pass during a slow scrape are skipped
 * and counted ({@code conprof_scrapes_missed_total}), and the delay between a slot and the actual
 * start is measured ({@code conprof_scrape_start_delay_seconds}).
 *
 * <p>A scrape succeeds only when the response is HTTP 200 with a valid, non-empty pprof profile
 * (checked by {@link ProfileReader} under a decompression limit); the profile is then appended,
 * gzip framing removed, under the target's labels plus the external labels, timestamped at the
 * scrape's start in ms. Anything else marks the target down with a reason a person can act on
 * ({@code server returned HTTP status 500 Internal Server Error}, {@code empty heap profile from
 * http://...}, {@code Get "...": context deadline exceeded ...}) and stores nothing.
 *
 * <p>Threads and cost. One scheduler thread fires ticks and starts the requests (a start never
 * waits behind parsing or a slow sink); a small worker pool parses and stores profiles; the HTTP
 * work runs in the {@link ProfileFetcher}'s bounded pool. Per loop the cost is one scheduled task and a few hundred bytes of state, so thousands of
 * targets are cheap; the number of requests in flight is the fetcher's limit. Time comes from an
 * injected {@link InstantSource}, so slot arithmetic and timestamps can be tested.
 *
 * <p>Thread-safe. {@link #close()} stops discovery and every loop, waits up to the grace period
 * for scrapes in flight to finish and store, cancels the rest, and stops every thread it started;
 * the sink is the caller's to close afterwards.
 */
public final class ScrapeManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeManager.class);

  /** What the loops share: set once, read from many threads. */
  static final class Shared {
    final ProfileFetcher fetcher;
    final ProfileReader reader;
    final ProfileSink sink;
    final InstantSource clock;
    final ScheduledThreadPoolExecutor scheduler;
    final ExecutorService workers;
    final ScrapeMetrics metrics;
    final long maxBodyBytes;
    final String userAgent;

    Shared(Builder b, ScheduledThreadPoolExecutor scheduler, ExecutorService workers) {
      this.fetcher = b.fetcher;
      this.reader = b.reader;
      this.sink = b.sink;
      this.clock = b.clock;
      this.scheduler = scheduler;
      this.workers = workers;
      this.metrics = b.metrics;
      this.maxBodyBytes = b.maxBodyBytes;
      this.userAgent = b.userAgent;
    }

    long nowNanos() {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
  }

  private final Shared shared;
  private final boolean ownsFetcher;
  private final Discovery discovery;
  private final Duration pollInterval;
  private final Duration shutdownGrace;
  private final Object lock = new Object();
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final Map<ScrapeLoop.Key, ScrapeLoop> loops = new HashMap<>();
  private final List<CompletableFuture<Void>> stopping = new ArrayList<>();
  private Labels externalLabels = Labels.EMPTY;
  private Path baseDirectory = Path.of(".");
  private boolean closed;
  private boolean applying;

  /** One job: its config, discoverers, latest groups per source and targets. */
  private final class Job {
    final ScrapeConfig config;
    final List<Discoverer> discoverers = new ArrayList<>();
    final Map<String, TargetGroup> groups = new LinkedHashMap<>();
    TargetSet targets = new TargetSet(List.of(), List.of());
    boolean stopped;

    Job(ScrapeConfig config) {
      this.config = config;
    }
  }

  private ScrapeManager(Builder b) {
    AtomicInteger workerIds = new AtomicInteger();
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "conprof-scrape-scheduler");
      t.setDaemon(true);
      return t;
    });
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    ExecutorService workers = new ThreadPoolExecutor(b.workerThreads, b.workerThreads, 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "conprof-scrape-worker-" + workerIds.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    ((ThreadPoolExecutor) workers).allowCoreThreadTimeOut(true);
    this.shared = new Shared(b, scheduler, workers);
    this.ownsFetcher = b.ownsFetcher;
    this.discovery = b.discovery;
    this.pollInterval = b.pollInterval;
    this.shutdownGrace = b.shutdownGrace;
    b.metrics.targets(this::targetCounts);
  }

  public static Builder builder(ProfileSink sink) {
    return new Builder(sink);
  }

  /** The scraper's own metrics. */
  public ScrapeMetrics metrics() {
    return shared.metrics;
  }

  /**
   * Applies a (re)loaded config: jobs whose config is unchanged keep running untouched; changed
   * and new jobs restart discovery, and their loops are reconciled as described in the class
   * comment; removed jobs stop. Relative paths were resolved by the config parser.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public void applyConfig(ScrapeConfigFile config) {
    applyConfig(config, baseDirectory);
  }

  /** Like {@link #applyConfig(ScrapeConfigFile)}; file_sd patterns resolve against {@code baseDirectory}. */
  public void applyConfig(ScrapeConfigFile config, Path baseDirectory) {
    Objects.requireNonNull(config, "config");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the scrape manager is closed");
      }
      this.baseDirectory = baseDirectory;
      boolean externalChanged = !config.global().externalLabels().equals(externalLabels);
      externalLabels = config.global().externalLabels();
      Map<String, Job> old = new LinkedHashMap<>(jobs);
      jobs.clear();
      for (ScrapeConfig sc : config.scrapeConfigs()) {
        Job previous = old.remove(sc.jobName());
        if (previous != null && previous.config.equals(sc) && !externalChanged) {
          jobs.put(sc.jobName(), previous);
          continue;
        }
        if (previous != null) {
          stopDiscovery(previous);
        }
        Job job = new Job(sc);
        jobs.put(sc.jobName(), job);
      }
      for (Job gone : old.values()) {
        stopDiscovery(gone);
      }
      // Discoverers send their initial groups synchronously; reconcile once after all of them,
      // so a loop whose target survives the reload is never stopped and restarted.
      applying = true;
      try {
        for (Job job : jobs.values()) {
          if (job.discoverers.isEmpty()) {
            startDiscovery(job);
          }
        }
      } finally {
        applying = false;
      }
      reconcile();
    }
  }

  private void stopDiscovery(Job job) {
    job.stopped = true;
    for (Discoverer d : job.discoverers) {
      try {
        d.close();
      } catch (RuntimeException e) {
        LOG.warn("closing a discoverer of job {} failed", job.config.jobName(), e);
      }
    }
  }

  private void startDiscovery(Job job) {
    DiscoveryContext ctx = new DiscoveryContext(shared.scheduler, baseDirectory, pollInterval);
    ScrapeConfig sc = job.config;
    int i = 0;
    DiscovererProvider<StaticConfig> st = discovery.provider(StaticDiscovererProvider.KIND, StaticConfig.class);
    for (StaticConfig c : sc.staticConfigs()) {
      String name = StaticDiscovererProvider.KIND + "/" + i++;
      start(job, name, st.create(name, c, ctx));
    }
    i = 0;
    DiscovererProvider<FileSdConfig> fp = discovery.provider(FileDiscovererProvider.KIND, FileSdConfig.class);
    for (FileSdConfig c : sc.fileSdConfigs()) {
      String name = FileDiscovererProvider.KIND + "/" + i++;
      start(job, name, fp.create(name, c, ctx));
    }
  }

  private void start(Job job, String name, Discoverer d) {
    job.discoverers.add(d);
    Consumer<List<TargetGroup>> listener = groups -> onGroups(job, name, groups);
    try {
      d.start(listener);
    } catch (RuntimeException e) {
      LOG.warn("discovery {} of job {} failed to start", name, job.config.jobName(), e);
    }
  }

  private void onGroups(Job job, String discoverer, List<TargetGroup> groups) {
    synchronized (lock) {
      if (job.stopped || closed) {
        return;
      }
      for (TargetGroup g : groups) {
        String source = discoverer + "/" + g.source();
        if (g.targets().isEmpty()) {
          job.groups.remove(source);
        } else {
          job.groups.put(source, g);
        }
      }
      job.targets = TargetBuilder.build(job.config, new ArrayList<>(job.groups.values()));
      if (!applying) {
        reconcile();
      }
    }
  }

  /** Makes the running loops match the jobs' targets. Holds {@link #lock}. */
  private void reconcile() {
    Map<ScrapeLoop.Key, ScrapeTarget> wanted = new LinkedHashMap<>();
    Map<ScrapeLoop.Key, ScrapeConfig> configs = new HashMap<>();
    for (Job job : jobs.values()) {
      for (ScrapeTarget t : job.targets.active()) {
        ScrapeLoop.Key k = ScrapeLoop.keyOf(t, job.config, externalLabels);
        if (wanted.putIfAbsent(k, t) == null) {
          configs.put(k, job.config);
        }
      }
    }
    for (var it = loops.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      ScrapeTarget t = wanted.remove(e.getKey());
      if (t == null) {
        stopping.add(e.getValue().stop());
        it.remove();
      } else {
        e.getValue().updateTarget(t);
      }
    }
    for (Map.Entry<ScrapeLoop.Key, ScrapeTarget> e : wanted.entrySet()) {
      ScrapeLoop loop = new ScrapeLoop(shared, e.getValue(), configs.get(e.getKey()), externalLabels);
      loops.put(e.getKey(), loop);
      loop.start();
    }
    stopping.removeIf(CompletableFuture::isDone);
  }

  /** Every target with its health, and the dropped ones. */
  public TargetStatus targets() {
    List<ScrapeLoop> ls;
    List<DroppedTarget> dropped = new ArrayList<>();
    synchronized (lock) {
      ls = new ArrayList<>(loops.values());
      for (Job j : jobs.values()) {
        dropped.addAll(j.targets.dropped());
      }
    }
    List<TargetHealth> active = new ArrayList<>();
    for (ScrapeLoop l : ls) {
      active.add(l.health());
    }
    active.sort(Comparator.comparing(TargetHealth::scrapePool).thenComparing(TargetHealth::labels));
    return new TargetStatus(active, dropped);
  }

  private Map<List<String>, Long> targetCounts() {
    List<ScrapeLoop> ls;
    synchronized (lock) {
      ls = new ArrayList<>(loops.values());
    }
    Map<List<String>, Long> out = new TreeMap<>(Comparator.comparing((List<String> l) -> l.get(0))
        .thenComparing(l -> l.get(1)));
    for (ScrapeLoop l : ls) {
      out.merge(List.of(l.health().scrapePool(), l.currentHealth().apiName()), 1L, Long::sum);
    }
    return out;
  }

  /**
   * The targets a config yields right now, without scraping: each job's discoverers run once
   * (static targets, the current contents of file_sd files) and are closed again.
   */
  public static TargetSet resolveTargets(ScrapeConfigFile config, Path baseDirectory) {
    Discovery discovery = Discovery.load();
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "conprof-discovery-once");
      t.setDaemon(true);
      return t;
    });
    try {
      DiscoveryContext ctx = new DiscoveryContext(scheduler, baseDirectory, Duration.ofHours(1));
      List<ScrapeTarget> active = new ArrayList<>();
      List<DroppedTarget> dropped = new ArrayList<>();
      for (ScrapeConfig sc : config.scrapeConfigs()) {
        Map<String, TargetGroup> groups = new LinkedHashMap<>();
        List<Discoverer> ds = new ArrayList<>();
        int i = 0;
        for (StaticConfig c : sc.staticConfigs()) {
          String name = StaticDiscovererProvider.KIND + "/" + i++;
          ds.add(discovery.provider(StaticDiscovererProvider.KIND, StaticConfig.class).create(name, c, ctx));
        }
        i = 0;
        for (FileSdConfig c : sc.fileSdConfigs()) {
          String name = FileDiscovererProvider.KIND + "/" + i++;
          ds.add(discovery.provider(FileDiscovererProvider.KIND, FileSdConfig.class).create(name, c, ctx));
        }
        for (int d = 0; d < ds.size(); d++) {
          int index = d;
          try (Discoverer disc = ds.get(d)) {
            disc.start(gs -> {
              synchronized (groups) {
                for (TargetGroup g : gs) {
                  groups.put(index + "/" + g.source(), g);
                }
              }
            });
          }
        }
        TargetSet ts;
        synchronized (groups) {
          ts = TargetBuilder.build(sc, new ArrayList<>(groups.values()));
        }
        active.addAll(ts.active());
        dropped.addAll(ts.dropped());
      }
      return new TargetSet(active, dropped);
    } finally {
      scheduler.shutdownNow();
    }
  }

  /**
   * Stops discovery and every loop, lets scrapes in flight finish and store for up to the grace
   * period, cancels what is left, and stops the threads. Idempotent.
   */
  @Override
  public void close() {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      for (Job j : jobs.values()) {
        stopDiscovery(j);
      }
      for (ScrapeLoop l : loops.values()) {
        waits.add(l.stop());
      }
      waits.addAll(stopping);
      loops.clear();
      jobs.clear();
    }
    try {
      CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]))
          .get(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("scrapes still in flight after the {} grace period are cancelled", shutdownGrace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.warn("a scrape loop failed while stopping", e.getCause());
    }
    if (ownsFetcher) {
      shared.fetcher.close();
    }
    // Let cancelled scrapes record their end, then stop our threads.
    try {
      CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0])).get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    shared.scheduler.shutdownNow();
    shared.workers.shutdown();
    try {
      if (!shared.workers.awaitTermination(5, TimeUnit.SECONDS)) {
        shared.workers.shutdownNow();
      }
      shared.scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shared.workers.shutdownNow();
    }
  }

  /** Settings of a {@link ScrapeManager}; each setter validates its argument. */
  public static final class Builder {
    private final ProfileSink sink;
    private ProfileFetcher fetcher;
    private boolean ownsFetcher;
    private ProfileReader reader;
    private InstantSource clock = InstantSource.system();
    private ScrapeMetrics metrics = new ScrapeMetrics();
    private Discovery discovery;
    private long maxBodyBytes = 64L << 20;
    private long maxDecompressedBytes = ProfileReader.DEFAULT_MAX_DECOMPRESSED_BYTES;
    private int workerThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private Duration pollInterval = Duration.ofSeconds(5);
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private String userAgent = OkHttpProfileFetcher.defaultUserAgent();

    private Builder(ProfileSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** The fetcher to use (not closed by the manager); default: an {@link OkHttpProfileFetcher} it owns. */
    public Builder fetcher(ProfileFetcher f) {
      this.fetcher = Objects.requireNonNull(f, "fetcher");
      return this;
    }

    /** Source of wall-clock time for slots and timestamps; default the system clock. */
    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Largest response body accepted (gzipped, as sent); default 64 MiB. */
    public Builder maxBodyBytes(long n) {
      if (n <= 0 || n > Integer.MAX_VALUE - 32) {
        throw new IllegalArgumentException("maxBodyBytes must be in (0, 2 GiB), got " + n);
      }
      this.maxBodyBytes = n;
      return this;
    }

    /** Largest profile after gunzip; decompression stops there (bomb protection); default 128 MiB. */
    public Builder maxDecompressedBytes(long n) {
      if (n <= 0 || n > Integer.MAX_VALUE - 32) {
        throw new IllegalArgumentException("maxDecompressedBytes must be in (0, 2 GiB), got " + n);
      }
      this.maxDecompressedBytes = n;
      return this;
    }

    /** Threads that parse and store profiles; default max(2, cores). */
    public Builder workerThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("workerThreads must be >= 1, got " + n);
      }
      this.workerThreads = n;
      return this;
    }

    /** How often file_sd checks its files for changes; default 5 s. */
    public Builder discoveryPollInterval(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("discoveryPollInterval must be positive, got " + d);
      }
      this.pollInterval = d;
      return this;
    }

    /** How long {@link #close()} lets scrapes in flight finish; default 10 s. */
    public Builder shutdownGrace(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace must not be negative, got " + d);
      }
      this.shutdownGrace = d;
      return this;
    }

    /** The metrics to record into; default a new {@link ScrapeMetrics}. */
    public Builder metrics(ScrapeMetrics m) {
      this.metrics = Objects.requireNonNull(m, "metrics");
      return this;
    }

    /** The {@code User-Agent} header; default {@code conprof/<version>}. */
    public Builder userAgent(String ua) {
      if (ua == null || ua.isBlank()) {
        throw new IllegalArgumentException("userAgent must not be blank");
      }
      this.userAgent = ua;
      return this;
    }

    public ScrapeManager build() {
      if (fetcher == null) {
        fetcher = OkHttpProfileFetcher.builder().userAgent(userAgent).build();
        ownsFetcher = true;
      }
      reader = ProfileReader.builder().maxCompressedBytes(maxBodyBytes).maxDecompressedBytes(maxDecompressedBytes)
          .build();
      if (discovery == null) {
        discovery = Discovery.load();
      }
      return new ScrapeManager(this);
    }
  }
}
