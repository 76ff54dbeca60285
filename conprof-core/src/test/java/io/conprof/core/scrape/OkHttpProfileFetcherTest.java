package io.conprof.core.scrape;

import static io.conprof.core.scrape.ScrapeTestSupport.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.scrape.ScrapeTestSupport.TestServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class OkHttpProfileFetcherTest {
  private static FetchRequest get(String address, String path) {
    return new FetchRequest(URI.create("http://" + address + path), Map.of(), Duration.ofSeconds(20), 1 << 20,
        TlsSettings.DEFAULT);
  }

  @Test
  void concurrentRequests_neverExceedTheLimit_andConnectionsAreReused() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    Set<String> clientPorts = ConcurrentHashMap.newKeySet();
    try (TestServer server = new TestServer(ex -> {
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      clientPorts.add(String.valueOf(ex.getRemoteAddress().getPort()));
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inFlight.decrementAndGet();
      respond(ex, 200, "ok".getBytes());
    });
        OkHttpProfileFetcher f = OkHttpProfileFetcher.builder().maxConcurrentRequests(3)
            .maxConcurrentRequestsPerHost(3).build()) {
      List<CompletableFuture<FetchResult>> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        all.add(f.fetch(get(server.address(), "/x" + i)));
      }
      for (CompletableFuture<FetchResult> r : all) {
        FetchResult res = r.get(30, TimeUnit.SECONDS);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(new String(res.body())).isEqualTo("ok");
        assertThat(res.statusText()).isEqualTo("200 OK");
      }
      assertThat(maxInFlight.get()).isBetween(1, 3);
      // Keep-alive: 40 requests over at most 3 concurrent connections (plus a few replaced ones).
      assertThat(clientPorts.size()).isLessThanOrEqualTo(6);
    }
  }

  @Test
  void timedRequests_haveTheirOwnLane_soInstantOnesNeverQueueBehindThem() throws Exception {
    // Regression: with one queue, CPU profiles (held by the server for ?seconds=N) filled the
    // request limit and every heap or goroutine scrape waited behind them.
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger heldNow = new AtomicInteger();
    AtomicInteger maxHeld = new AtomicInteger();
    AtomicInteger heldArrived = new AtomicInteger();
    try (TestServer server = new TestServer(ex -> {
      if (ex.getRequestURI().getQuery() != null) {
        maxHeld.accumulateAndGet(heldNow.incrementAndGet(), Math::max);
        heldArrived.incrementAndGet();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        heldNow.decrementAndGet();
      }
      respond(ex, 200, "ok".getBytes());
    });
        OkHttpProfileFetcher f = OkHttpProfileFetcher.builder().maxConcurrentRequests(2)
            .maxConcurrentRequestsPerHost(2).maxConcurrentTimedRequests(3).build()) {
      List<CompletableFuture<FetchResult>> held = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        held.add(f.fetch(get(server.address(), "/debug/pprof/profile?seconds=9")));
      }
      ScrapeTestSupport.await("3 timed requests held by the server", () -> heldArrived.get() == 3);
      // The timed lane is full (3 held, 2 queued); instant requests still pass, beyond its limit.
      for (int i = 0; i < 4; i++) {
        FetchResult r = f.fetch(get(server.address(), "/debug/pprof/heap")).get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
      }
      assertThat(held).noneMatch(CompletableFuture::isDone);
      assertThat(heldArrived.get()).isEqualTo(3);
      release.countDown();
      for (CompletableFuture<FetchResult> r : held) {
        assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      assertThat(maxHeld.get()).isEqualTo(3);
    }
  }

  @Test
  void keepAlive_keepsAConnectionPerTargetOfALargeFleet_byDefault() throws Exception {
    // Regression: the default pool kept 256 idle connections, so a fleet of a few hundred
    // targets reconnected for a third of its scrapes. 300 connections at once stand for 300 targets.
    int connections = 300;
    CountDownLatch allArrived = new CountDownLatch(connections);
    try (TestServer server = new TestServer(ex -> {
      allArrived.countDown();
      try {
        allArrived.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      respond(ex, 200, "ok".getBytes());
    });
        OkHttpProfileFetcher f = OkHttpProfileFetcher.builder().build()) {
      List<CompletableFuture<FetchResult>> all = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        all.add(f.fetch(get(server.address(), "/debug/pprof/profile?seconds=1")));
      }
      for (CompletableFuture<FetchResult> r : all) {
        assertThat(r.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      }
      ScrapeTestSupport.await("300 idle connections kept", () -> f.idleConnectionCount() == connections);
    }
  }

  @Test
  void onlyAPositiveSecondsParameter_makesARequestTimed() {
    assertThat(OkHttpProfileFetcher.isTimed(HttpUrl.get("http://h/debug/pprof/profile?seconds=9"))).isTrue();
    assertThat(OkHttpProfileFetcher.isTimed(HttpUrl.get("http://h/debug/pprof/heap?gc=1&seconds=0.5"))).isTrue();
    assertThat(OkHttpProfileFetcher.isTimed(HttpUrl.get("http://h/debug/pprof/heap"))).isFalse();
    assertThat(OkHttpProfileFetcher.isTimed(HttpUrl.get("http://h/debug/pprof/heap?seconds=0"))).isFalse();
    assertThat(OkHttpProfileFetcher.isTimed(HttpUrl.get("http://h/debug/pprof/heap?seconds=x"))).isFalse();
  }

  @Test
  void closedFetcher_failsRequestsAsCancelled() throws Exception {
    OkHttpProfileFetcher f = OkHttpProfileFetcher.builder().build();
    f.close();
    FetchResult r = f.fetch(get("127.0.0.1:1", "/")).get(5, TimeUnit.SECONDS);
    assertThat(r.failure()).isEqualTo(FetchResult.Failure.CANCELLED);
  }

  @Test
  void badLimitsAndRequests_areRefusedWithTheReason() {
    assertThatThrownBy(() -> OkHttpProfileFetcher.builder().maxConcurrentRequests(0))
        .hasMessage("maxConcurrentRequests must be >= 1, got 0");
    assertThatThrownBy(() -> OkHttpProfileFetcher.builder().maxConcurrentTimedRequests(0))
        .hasMessage("maxConcurrentTimedRequests must be >= 1, got 0");
    assertThatThrownBy(() -> new FetchRequest(URI.create("ftp://h/x"), Map.of(), Duration.ofSeconds(1), 10,
        TlsSettings.DEFAULT)).hasMessage("url must be http or https, got ftp://h/x");
    assertThatThrownBy(() -> new TlsSettings(null, java.nio.file.Path.of("c.pem"), null, null, false))
        .hasMessage("tls_config: cert_file and key_file must be given together");
  }
}
