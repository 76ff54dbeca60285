package io.conprof.core.scrape;

import io.conprof.core.model.Label;
import io.conprof.core.model.Labels;
import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.scrape.config.Authorization;
import io.conprof.core.scrape.config.BasicAuth;
import io.conprof.core.scrape.config.ScrapeConfig;
import io.conprof.core.scrape.config.TlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes one target (address × profile type) on its schedule and keeps its health. Owned by a
 * {@link ScrapeManager}, which supplies the shared fetcher, reader, sink, clock and threads.
 *
 * <p>Scrapes of one loop never overlap: the next one is scheduled when the current one is done,
 * at the next slot {@code offset + k × interval}; slots that passed meanwhile are counted as
 * missed. Stopping cancels the next scrape but lets the one in flight finish and store.
 */
final class ScrapeLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeLoop.class);
  static final long MAX_SECRET_FILE_BYTES = 64 * 1024;

  /** What makes a loop the same loop across reloads. */
  record Key(Labels labels, String url, Duration interval, Duration timeout,
      Optional<BasicAuth> basicAuth, Optional<Authorization> authorization, TlsConfig tls, Labels externalLabels) {}

  private final ScrapeManager.Shared shared;
  private final Key key;
  private final Labels seriesLabels;
  private final long intervalNanos;
  private final long offsetNanos;
  private volatile ScrapeTarget target;

  private TargetHealth.Health health = TargetHealth.Health.UNKNOWN;
  private String lastError = "";
  private Instant lastScrape;
  private Duration lastDuration = Duration.ZERO;
  private long profilesStored;

  private boolean stopped;
  private ScheduledFuture<?> next;
  private CompletableFuture<FetchResult> inFlight;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private long slotNanos;

  ScrapeLoop(ScrapeManager.Shared shared, ScrapeTarget target, ScrapeConfig job, Labels externalLabels) {
    this.shared = shared;
    this.target = target;
    this.key = keyOf(target, job, externalLabels);
    Labels.Builder b = target.labels().toBuilder();
    for (Label l : externalLabels) {
      if (b.get(l.name()) == null) {
        b.set(l.name(), l.value());
      }
    }
    this.seriesLabels = b.build();
    this.intervalNanos = target.interval().toNanos();
    this.offsetNanos = Math.floorMod(target.labels().stableHash() ^ externalLabels.stableHash() ^ target.url().hashCode(),
        intervalNanos);
  }

  static Key keyOf(ScrapeTarget t, ScrapeConfig job, Labels externalLabels) {
    return new Key(t.labels(), t.url().toString(), t.interval(), t.timeout(), job.basicAuth(), job.authorization(),
        job.tlsConfig(), externalLabels);
  }

  Key key() {
    return key;
  }

  void updateTarget(ScrapeTarget t) {
    this.target = t;
  }

  /**
   * The first slot at or after {@code nowNanos} whose position within the interval is
   * {@code offsetNanos}: Prometheus' stable spreading of loops over the interval.
   */
  static long firstSlotNanos(long nowNanos, long intervalNanos, long offsetNanos) {
    long slot = nowNanos - Math.floorMod(nowNanos, intervalNanos) + offsetNanos;
    return slot < nowNanos ? slot + intervalNanos : slot;
  }

  /** The next slot strictly after {@code previousSlot} that is not before {@code nowNanos}, and how many were skipped. */
  static long[] nextSlotNanos(long previousSlot, long nowNanos, long intervalNanos) {
    long next = previousSlot + intervalNanos;
    long skipped = 0;
    if (next < nowNanos) {
      skipped = (nowNanos - next + intervalNanos - 1) / intervalNanos;
      next += skipped * intervalNanos;
    }
    return new long[] {next, skipped};
  }

  synchronized void start() {
    slotNanos = firstSlotNanos(shared.nowNanos(), intervalNanos, offsetNanos);
    schedule();
  }

  private void schedule() {
    long delay = Math.max(0, slotNanos - shared.nowNanos());
    try {
      next = shared.scheduler.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      stopped = true;
      done.complete(null);
    }
  }

  /**
   * Starts the scrape on the scheduler thread: building the request and handing it to the
   * fetcher's queue is cheap and never waits for a worker, so scrapes start on time even while
   * the workers are busy parsing and storing (a slow sink once delayed every start by up to 0.5 s).
   */
  private void tick() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      next = null;
    }
    scrape();
  }

  /** Runs one scrape now (tests call it directly); the result is handled asynchronously. */
  void scrape() {
    long startNanos = shared.nowNanos();
    long startMillis = Math.floorDiv(startNanos, 1_000_000L);
    long monoStart = System.nanoTime();
    shared.metrics.startDelay((startNanos - slotNanos) / 1e9);
    ScrapeTarget t = target;
    CompletableFuture<FetchResult> f;
    try {
      FetchRequest req = new FetchRequest(t.url(), headers(), t.timeout(), shared.maxBodyBytes, tls(key.tls()));
      f = shared.fetcher.fetch(req);
    } catch (IOException | RuntimeException e) {
      f = CompletableFuture.completedFuture(FetchResult.failed(FetchResult.Failure.IO, e.getMessage()));
    }
    synchronized (this) {
      inFlight = f;
    }
    f.whenComplete((r, err) -> {
      FetchResult result = r != null ? r
          : FetchResult.failed(FetchResult.Failure.CANCELLED, "scrape cancelled");
      try {
        shared.workers.execute(() -> finish(result, startMillis, monoStart));
      } catch (RejectedExecutionException e) {
        finish(result, startMillis, monoStart);
      }
    });
  }

  private void finish(FetchResult r, long startMillis, long monoStart) {
    ScrapeTarget t = target;
    String job = t.job();
    String error = null;
    String reason = null;
    byte[] raw = null;
    if (r.isFailure()) {
      error = r.message();
      reason = r.failure().name().toLowerCase(java.util.Locale.ROOT);
    } else if (r.statusCode() != 200) {
      error = "server returned HTTP status " + r.statusText();
      reason = "http_status";
    } else {
      try {
        raw = shared.reader.decompress(r.body());
        Profile p = shared.reader.parse(raw);
        if (p.sampleCount() == 0) {
          error = "empty " + t.profileType() + " profile from " + t.url();
          reason = "empty_profile";
        }
      } catch (InvalidProfileException e) {
        error = "invalid " + t.profileType() + " profile from " + t.url() + ": " + e.getMessage();
        reason = "invalid_profile";
      }
    }
    boolean cancelledByShutdown;
    synchronized (this) {
      cancelledByShutdown = stopped && r.failure() == FetchResult.Failure.CANCELLED;
    }
    String appendError = null;
    if (error == null) {
      try {
        shared.sink.append(seriesLabels, startMillis, raw);
        shared.metrics.stored();
      } catch (IOException | RuntimeException e) {
        appendError = "storing the profile failed: " + e.getMessage();
        shared.metrics.appendFailed();
        LOG.warn("target {} {}: {}", t.url(), seriesLabels, appendError, e);
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - monoStart);
    shared.metrics.scraped(job, took.toNanos() / 1e9, r.body().length);
    if (error != null && !cancelledByShutdown) {
      shared.metrics.failed(job, reason);
      LOG.debug("scrape of {} failed: {}", t.url(), error);
    }
    synchronized (this) {
      if (!cancelledByShutdown) {
        lastScrape = Instant.ofEpochMilli(startMillis);
        lastDuration = took;
        if (error != null) {
          health = TargetHealth.Health.DOWN;
          lastError = error;
        } else {
          health = TargetHealth.Health.UP;
          lastError = appendError == null ? "" : appendError;
          if (appendError == null) {
            profilesStored++;
          }
        }
      }
      inFlight = null;
      if (stopped) {
        done.complete(null);
        return;
      }
      long[] ns = nextSlotNanos(slotNanos, shared.nowNanos(), intervalNanos);
      slotNanos = ns[0];
      if (ns[1] > 0) {
        shared.metrics.missed(ns[1]);
      }
      schedule();
    }
  }

  /**
   * Stops the loop: no new scrape starts. The returned future completes when the scrape in flight
   * (if any) has finished and stored its profile.
   */
  synchronized CompletableFuture<Void> stop() {
    if (!stopped) {
      stopped = true;
      if (next != null) {
        next.cancel(false);
        next = null;
      }
      if (inFlight == null) {
        done.complete(null);
      }
    }
    return done;
  }

  synchronized TargetHealth health() {
    ScrapeTarget t = target;
    return new TargetHealth(t.labels(), t.discoveredLabels(), t.job(), t.url().toString(), health, lastError,
        Optional.ofNullable(lastScrape), lastDuration, profilesStored);
  }

  synchronized TargetHealth.Health currentHealth() {
    return health;
  }

  private Map<String, String> headers() throws IOException {
    Map<String, String> h = new HashMap<>();
    h.put("User-Agent", shared.userAgent);
    // As Prometheus sends it: seconds without trailing zeros ("10", "1.5").
    h.put("X-Prometheus-Scrape-Timeout-Seconds",
        java.math.BigDecimal.valueOf(target.timeout().toMillis(), 3).stripTrailingZeros().toPlainString());
    if (key.basicAuth().isPresent()) {
      BasicAuth a = key.basicAuth().get();
      String password = a.passwordFile() != null ? readSecret(a.passwordFile(), "basic_auth password_file")
          : a.password() == null ? "" : a.password();
      h.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (a.username() + ":" + password).getBytes(StandardCharsets.UTF_8)));
    } else if (key.authorization().isPresent()) {
      Authorization a = key.authorization().get();
      String credentials = a.credentialsFile() != null
          ? readSecret(a.credentialsFile(), "authorization credentials_file")
          : a.credentials() == null ? "" : a.credentials();
      h.put("Authorization", a.type() + " " + credentials);
    }
    return h;
  }

  /** Re-read at every scrape so a rotated token is used at once; surrounding whitespace trimmed. */
  static String readSecret(Path file, String what) throws IOException {
    try {
      long size = Files.size(file);
      if (size > MAX_SECRET_FILE_BYTES) {
        throw new IOException("unable to read " + what + " " + file + ": " + size + " bytes exceeds the limit of "
            + MAX_SECRET_FILE_BYTES);
      }
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("unable to read")) {
        throw e;
      }
      throw new IOException("unable to read " + what + " " + file + ": " + e, e);
    }
  }

  static TlsSettings tls(TlsConfig c) {
    if (c.equals(TlsConfig.DEFAULT)) {
      return TlsSettings.DEFAULT;
    }
    return new TlsSettings(c.caFile(), c.certFile(), c.keyFile(), c.serverName(), c.insecureSkipVerify());
  }
}
