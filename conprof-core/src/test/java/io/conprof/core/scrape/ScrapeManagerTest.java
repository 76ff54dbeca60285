package io.conprof.core.scrape;

import static io.conprof.core.scrape.ScrapeTestSupport.await;
import static io.conprof.core.scrape.ScrapeTestSupport.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.scrape.ScrapeTestSupport.MemorySink;
import io.conprof.core.scrape.ScrapeTestSupport.TestServer;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import io.conprof.core.sink.ProfileSink;
import io.conprof.core.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeManagerTest {
  @TempDir Path dir;
  private byte[] good;
  private TestServer a;
  private TestServer b;
  private final Map<String, String> lastHeaders = new ConcurrentHashMap<>();

  @BeforeEach
  void servers() throws Exception {
    good = Files.readAllBytes(Fixtures.pprof("converted__gobench.heap.pb.gz"));
    a = new TestServer(ex -> {
      ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
      lastHeaders.put(":uri", ex.getRequestURI().toString());
      respond(ex, 200, good);
    });
    b = new TestServer(ex -> respond(ex, 200, good));
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
  }

  @Test
  void profiles_areStoredWithTargetAndExternalLabels_atTheScrapeStartTime() throws Exception {
    Instant fixed = Instant.parse("2026-01-02T03:04:05.678Z");
    MemorySink sink = new MemorySink();
    ScrapeConfigFile cfg = ScrapeConfigFile.parse("""
        global:
          scrape_interval: 2s
          scrape_timeout: 2s
          external_labels: {replica: r1, job: ignored}
        scrape_configs:
          - job_name: api
            static_configs:
              - targets: ['%s']
                labels: {team: core}
        """.formatted(a.address()), "t.yaml", dir);
    // A frozen clock: slots are computed from it and the real scheduler fires at once.
    try (ScrapeManager m = ScrapeManager.builder(sink).clock(InstantSource.fixed(fixed)).build()) {
      m.applyConfig(cfg);
      assertThat(m.targets().active()).hasSize(7);
      await("a profile", () -> !sink.all().isEmpty());
    }
    ScrapeTestSupport.Stored s = sink.all().get(0);
    assertThat(s.timestampMillis()).isEqualTo(fixed.toEpochMilli());
    assertThat(s.labels().toMap()).containsEntry("instance", a.address()).containsEntry("job", "api")
        .containsEntry("team", "core").containsEntry("replica", "r1").containsKey("__name__");
  }

  @Test
  void request_carriesUserAgent_timeoutHeader_andBearerTokenReReadEachScrape() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "first\n");
    MemorySink sink = new MemorySink();
    ScrapeConfigFile cfg = ScrapeConfigFile.parse("""
        scrape_configs:
          - job_name: api
            scrape_interval: 1s
            scrape_timeout: 1s
            bearer_token_file: token
            params: {debug: ['0']}
        %s
            static_configs:
              - targets: ['%s']
        """.formatted(ScrapeTestSupport.onlyType("heap"), a.address()), "t.yaml", dir);
    try (ScrapeManager m = ScrapeManager.builder(sink).build()) {
      m.applyConfig(cfg);
      await("first scrape", () -> sink.all().size() >= 1);
      assertThat(lastHeaders.get("authorization")).isEqualTo("Bearer first");
      assertThat(lastHeaders.get("user-agent")).startsWith("conprof/");
      assertThat(lastHeaders.get("x-prometheus-scrape-timeout-seconds")).isEqualTo("1");
      assertThat(lastHeaders.get(":uri")).isEqualTo("/debug/pprof/heap?debug=0");
      Files.writeString(token, "second");
      await("the new token", () -> "Bearer second".equals(lastHeaders.get("authorization")));
      Files.delete(token);
      await("the target down", () -> m.targets().active().get(0).health() == TargetHealth.Health.DOWN);
      assertThat(m.targets().active().get(0).lastError())
          .startsWith("unable to read authorization credentials_file " + token);
    }
  }

  @Test
  void basicAuth_sendsUserAndPasswordFromFile() throws Exception {
    Files.writeString(dir.resolve("pw"), "s3cret\n");
    MemorySink sink = new MemorySink();
    ScrapeConfigFile cfg = ScrapeConfigFile.parse("""
        scrape_configs:
          - job_name: api
            scrape_interval: 1s
            scrape_timeout: 1s
            basic_auth: {username: alice, password_file: pw}
        %s
            static_configs:
              - targets: ['%s']
        """.formatted(ScrapeTestSupport.onlyType("heap"), a.address()), "t.yaml", dir);
    try (ScrapeManager m = ScrapeManager.builder(sink).build()) {
      m.applyConfig(cfg);
      await("first scrape", () -> sink.all().size() >= 1);
    }
    assertThat(lastHeaders.get("authorization")).isEqualTo("Basic "
        + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void sinkRefusal_isRecordedAndCounted_andTheLoopGoesOn() throws Exception {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    io.conprof.core.sink.ProfileSink refusing = (labels, ts, profile) -> {
      calls.incrementAndGet();
      throw new java.io.IOException("out of order sample for " + labels);
    };
    try (ScrapeManager m = ScrapeManager.builder(refusing).build()) {
      m.applyConfig(ScrapeTestSupport.heapJobs("1s", "1s", List.of(a.address())));
      await("two refused appends", () -> calls.get() >= 2);
      await("health recorded", () -> m.targets().active().get(0).lastScrape().isPresent());
      TargetHealth t = m.targets().active().get(0);
      // The target answered correctly, so it is up; the store's refusal is its last error.
      assertThat(t.health()).isEqualTo(TargetHealth.Health.UP);
      assertThat(t.lastError()).startsWith("storing the profile failed: out of order sample for {__name__=\"heap\"");
      assertThat(t.profilesStored()).isZero();
      StringBuilder text = new StringBuilder();
      m.metrics().writeText(text);
      assertThat(text.toString()).containsPattern("conprof_profile_append_failures_total [1-9]");
      assertThat(m.metrics().profilesStored()).isZero();
    }
  }

  @Test
  void scrapesStartOnTime_whileEveryWorkerIsBusyStoring() throws Exception {
    // Regression: starts were queued on the worker pool, behind parsing and slow sink appends.
    CountDownLatch appending = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ProfileSink slow = (labels, timestampMillis, profile) -> {
      appending.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    java.util.concurrent.atomic.AtomicInteger requestsToC = new java.util.concurrent.atomic.AtomicInteger();
    try (TestServer c = new TestServer(ex -> {
      requestsToC.incrementAndGet();
      respond(ex, 200, good);
    });
        ScrapeManager m = ScrapeManager.builder(slow).workerThreads(1).build()) {
      m.applyConfig(ScrapeTestSupport.heapJobs("1s", "1s", List.of(a.address())));
      assertThat(appending.await(30, TimeUnit.SECONDS)).isTrue();
      // The only worker is now blocked in the sink; a new target must still be scraped.
      m.applyConfig(ScrapeTestSupport.heapJobs("1s", "1s", List.of(a.address(), c.address())));
      await("a request to the new target while the worker is blocked", () -> requestsToC.get() > 0);
      assertThat(release.getCount()).isEqualTo(1);
      release.countDown();
    }
  }

  @Test
  void reload_keepsUnchangedLoops_startsNewOnes_andLetsRemovedOnesFinishTheirScrape() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TestServer held = new TestServer(ex -> {
      arrived.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      respond(ex, 200, good);
    });
    MemorySink sink = new MemorySink();
    try (ScrapeManager m = ScrapeManager.builder(sink).build()) {
      m.applyConfig(ScrapeTestSupport.heapJobs("2s", "2s", List.of(a.address())));
      await("a scraped", () -> !sink.of(a.address()).isEmpty());
      TargetHealth before = m.targets().active().get(0);

      // Reload adding the held target: a's loop is kept, with its state.
      m.applyConfig(ScrapeTestSupport.heapJobs("2s", "2s", List.of(a.address(), held.address())));
      assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();
      // Reload while held's scrape is in flight: held gone, b added as the second job.
      m.applyConfig(ScrapeTestSupport.heapJobs("2s", "2s", List.of(a.address(), b.address())));
      assertThat(m.targets().active()).extracting(t -> t.labels().get("instance"))
          .containsExactlyInAnyOrder(a.address(), b.address());
      TargetHealth after = m.targets().active().stream()
          .filter(t -> t.labels().get("instance").equals(a.address())).findFirst().orElseThrow();
      // The kept loop kept its state: not reset to unknown / zero.
      assertThat(after.health()).isEqualTo(TargetHealth.Health.UP);
      assertThat(after.profilesStored()).isGreaterThanOrEqualTo(before.profilesStored());
      assertThat(after.lastScrape()).isPresent();

      release.countDown();
      await("the removed target's in-flight profile stored", () -> sink.of(held.address()).size() == 1);
      await("b scraped", () -> !sink.of(b.address()).isEmpty());
    } finally {
      release.countDown();
      held.close();
    }
  }

  @Test
  void close_letsAScrapeInFlightFinishWithinTheGracePeriod() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    TestServer slowish = new TestServer(ex -> {
      arrived.countDown();
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      respond(ex, 200, good);
    });
    MemorySink sink = new MemorySink();
    try {
      ScrapeManager m = ScrapeManager.builder(sink).shutdownGrace(Duration.ofSeconds(20)).build();
      m.applyConfig(ScrapeTestSupport.heapJobs("2s", "2s", List.of(slowish.address())));
      assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();
      m.close();
      assertThat(sink.of(slowish.address())).hasSize(1);
      assertThatThrownBy(() -> m.applyConfig(ScrapeTestSupport.heapJobs("2s", "2s", List.of(a.address()))))
          .isInstanceOf(IllegalStateException.class).hasMessage("the scrape manager is closed");
    } finally {
      slowish.close();
    }
  }

  @Test
  void fileSd_targetsAppearAndDisappearAsTheFileChanges() throws Exception {
    Path targets = dir.resolve("targets.json");
    Files.writeString(targets, "[{\"targets\": [\"" + a.address() + "\"]}]");
    ScrapeConfigFile cfg = ScrapeConfigFile.parse("""
        scrape_configs:
          - job_name: files
            scrape_interval: 1s
            scrape_timeout: 1s
        %s
            file_sd_configs:
              - files: ['*.json']
        """.formatted(ScrapeTestSupport.onlyType("heap")), "t.yaml", dir);
    MemorySink sink = new MemorySink();
    try (ScrapeManager m = ScrapeManager.builder(sink).discoveryPollInterval(Duration.ofMillis(50)).build()) {
      m.applyConfig(cfg, dir);
      assertThat(m.targets().active()).extracting(t -> t.labels().get("instance")).containsExactly(a.address());
      Files.writeString(targets, "[{\"targets\": [\"" + b.address() + "\"], \"labels\": {\"x\": \"y\"}}]");
      Files.setLastModifiedTime(targets, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
      await("b replaces a", () -> m.targets().active().size() == 1
          && b.address().equals(m.targets().active().get(0).labels().get("instance")));
      assertThat(m.targets().active().get(0).discoveredLabels().get("__meta_filepath")).isEqualTo(targets.toString());
    }
  }

  @Test
  void resolveTargets_listsActiveAndDroppedWithoutScraping() {
    ScrapeConfigFile cfg = ScrapeConfigFile.parse("""
        scrape_configs:
          - job_name: j
            relabel_configs:
              - source_labels: [__name__]
                regex: block|mutex
                action: drop
            static_configs:
              - targets: ['h:1']
        """, "t.yaml", dir);
    TargetSet set = ScrapeManager.resolveTargets(cfg, dir);
    assertThat(set.active()).hasSize(5);
    assertThat(set.dropped()).hasSize(2);
  }
}
