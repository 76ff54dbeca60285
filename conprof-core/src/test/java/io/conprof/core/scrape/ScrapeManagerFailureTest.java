package io.conprof.core.scrape;

import static io.conprof.core.scrape.ScrapeTestSupport.await;
import static io.conprof.core.scrape.ScrapeTestSupport.respond;
import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.scrape.ScrapeTestSupport.MemorySink;
import io.conprof.core.scrape.ScrapeTestSupport.TestServer;
import io.conprof.core.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Every way a target can fail, side by side with a healthy target in one manager: each failing
 * target is down with its reason, nothing of it is stored, the healthy one is unaffected, and
 * closing leaves no thread behind.
 */
class ScrapeManagerFailureTest {
  private static final long MAX_BODY = 1 << 20;
  private static final long MAX_DECOMPRESSED = 8 << 20;

  private static byte[] gzipBomb() throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        gz.write(zeros);
      }
    }
    return bos.toByteArray();
  }

  @Test
  void failingTargets_areDownWithTheirReason_storeNothing_andLeaveTheHealthyTargetAlone() throws Exception {
    byte[] good = Files.readAllBytes(Fixtures.pprof("converted__gobench.heap.pb.gz"));
    byte[] bomb = gzipBomb();
    assertThat(bomb.length).isLessThan((int) MAX_BODY);
    byte[] big = new byte[(int) MAX_BODY * 2];
    new Random(1).nextBytes(big);

    List<TestServer> servers = new ArrayList<>();
    Map<String, String> caseByAddress = new java.util.LinkedHashMap<>();
    Function<com.sun.net.httpserver.HttpHandler, String> serve = h -> {
      try {
        TestServer s = new TestServer(h);
        servers.add(s);
        return s.address();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    caseByAddress.put(serve.apply(ex -> respond(ex, 200, good)), "good");
    caseByAddress.put(serve.apply(ex -> respond(ex, 500, "boom".getBytes())), "http500");
    caseByAddress.put(serve.apply(ex -> respond(ex, 200, "hello, I am not a profile".getBytes())), "notPprof");
    caseByAddress.put(serve.apply(ex -> respond(ex, 200, ScrapeTestSupport.EMPTY_PROFILE)), "empty");
    caseByAddress.put(serve.apply(ex -> {
      sleepQuietly(5000);
      respond(ex, 200, good);
    }), "slow");
    caseByAddress.put(serve.apply(ex -> respond(ex, 200, big)), "tooLarge");
    caseByAddress.put(serve.apply(ex -> {
      // Chunked: no Content-Length, so the limit must be enforced while streaming.
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        for (int i = 0; i < 4; i++) {
          out.write(big, 0, big.length / 2);
        }
      } catch (IOException expected) {
        // the client hung up at the limit
      }
    }), "tooLargeChunked");
    caseByAddress.put(serve.apply(ex -> respond(ex, 200, bomb)), "gzipBomb");
    caseByAddress.put(serve.apply(ex -> {
      ex.sendResponseHeaders(200, good.length);
      OutputStream out = ex.getResponseBody();
      out.write(good, 0, 100);
      out.flush();
      sleepQuietly(5000);
      ex.close();
    }), "stallMidBody");
    int closedPort;
    try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = ss.getLocalPort();
    }
    caseByAddress.put("127.0.0.1:" + closedPort, "refused");

    Set<String> threadsBefore = ScrapeTestSupport.threadNames();
    MemorySink sink = new MemorySink();
    List<String> addresses = new ArrayList<>(caseByAddress.keySet());
    ScrapeManager manager = ScrapeManager.builder(sink)
        .maxBodyBytes(MAX_BODY)
        .maxDecompressedBytes(MAX_DECOMPRESSED)
        .shutdownGrace(Duration.ofMillis(200))
        .build();
    try {
      manager.applyConfig(ScrapeTestSupport.heapJobs("1s", "500ms", addresses));
      await("every target scraped twice", () -> manager.targets().active().stream()
          .allMatch(t -> t.lastScrape().isPresent())
          && sink.of(addresses.get(0)).size() >= 2);
      Map<String, TargetHealth> byCase = manager.targets().active().stream()
          .collect(Collectors.toMap(t -> caseByAddress.get(t.labels().get("instance")), t -> t));
      assertThat(byCase).hasSize(caseByAddress.size());

      TargetHealth ok = byCase.get("good");
      assertThat(ok.health()).isEqualTo(TargetHealth.Health.UP);
      assertThat(ok.lastError()).isEmpty();
      assertThat(ok.profilesStored()).isGreaterThanOrEqualTo(2);

      Map<String, String> expected = new java.util.HashMap<>();
      for (Map.Entry<String, TargetHealth> e : byCase.entrySet()) {
        if (e.getKey().equals("good")) {
          continue;
        }
        TargetHealth t = e.getValue();
        String url = t.scrapeUrl();
        assertThat(t.health()).as(e.getKey()).isEqualTo(TargetHealth.Health.DOWN);
        assertThat(t.profilesStored()).as(e.getKey()).isZero();
        assertThat(sink.of(t.labels().get("instance"))).as(e.getKey()).isEmpty();
        expected.put(e.getKey(), t.lastError());
        switch (e.getKey()) {
          case "http500" -> assertThat(t.lastError()).isEqualTo("server returned HTTP status 500 Internal Server Error");
          case "notPprof" -> assertThat(t.lastError()).startsWith("invalid heap profile from " + url + ": ")
              .contains("not a pprof profile");
          case "empty" -> assertThat(t.lastError()).isEqualTo("empty heap profile from " + url);
          case "slow", "stallMidBody" -> assertThat(t.lastError())
              .isEqualTo("Get \"" + url + "\": context deadline exceeded (scrape_timeout 500ms)");
          case "tooLarge" -> assertThat(t.lastError()).isEqualTo("Get \"" + url + "\": response body of "
              + (MAX_BODY * 2) + " bytes (Content-Length) exceeds the limit of " + MAX_BODY + " bytes");
          case "tooLargeChunked" -> assertThat(t.lastError()).isEqualTo("Get \"" + url
              + "\": response body exceeds the limit of " + MAX_BODY + " bytes (reading stopped there)");
          case "gzipBomb" -> assertThat(t.lastError()).startsWith("invalid heap profile from " + url + ": ")
              .contains("gzip stream expands beyond the limit of " + MAX_DECOMPRESSED + " bytes");
          case "refused" -> assertThat(t.lastError()).startsWith("Get \"" + url + "\": ")
              .containsIgnoringCase("connection refused");
          default -> throw new AssertionError("unexpected case " + e.getKey());
        }
      }
      assertThat(sink.all()).allSatisfy(s -> assertThat(s.labels().get("instance")).isEqualTo(addresses.get(0)));
      assertThat(sink.all().get(0).labels().toString())
          .isEqualTo("{__name__=\"heap\", instance=\"" + addresses.get(0) + "\", job=\"job0\"}");
      // Stored as raw protobuf (gzip framing removed), as the design asks.
      assertThat(io.conprof.core.pprof.ProfileReader.isGzip(sink.all().get(0).profile())).isFalse();

      StringBuilder text = new StringBuilder();
      manager.metrics().writeText(text);
      assertThat(text.toString())
          .contains("conprof_scrape_failures_total{job=\"job1\",reason=\"http_status\"} ")
          .contains("conprof_scrape_failures_total{job=\"job4\",reason=\"timeout\"} ")
          .contains("conprof_scrape_failures_total{job=\"job5\",reason=\"body_too_large\"} ")
          .contains("conprof_scrape_failures_total{job=\"job9\",reason=\"connection\"} ")
          .contains("conprof_scrape_targets{job=\"job0\",health=\"up\"} 1\n")
          .contains("conprof_scrape_targets{job=\"job1\",health=\"down\"} 1\n");
    } finally {
      manager.close();
    }
    assertThat(ScrapeTestSupport.leakedThreads(threadsBefore)).isEmpty();
    for (TestServer s : servers) {
      s.close();
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
