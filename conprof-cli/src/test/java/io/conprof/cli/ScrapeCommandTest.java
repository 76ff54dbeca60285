package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.conprof.core.model.Matcher;
import io.conprof.core.testing.Fixtures;
import io.conprof.tsdb.Querier;
import io.conprof.tsdb.Series;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeCommandTest {
  @TempDir Path dir;

  private static String config(String... addresses) {
    StringBuilder sb = new StringBuilder("""
        scrape_configs:
          - job_name: fake
            scrape_interval: 2s
            scrape_timeout: 2s
            static_configs:
              - targets: [""");
    for (int i = 0; i < addresses.length; i++) {
      sb.append(i == 0 ? "" : ", ").append('\'').append(addresses[i]).append('\'');
    }
    return sb.append("]\n").toString();
  }

  private static HttpServer fakeTarget(byte[] profile) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-target");
      t.setDaemon(true);
      return t;
    }));
    s.createContext("/", ex -> {
      ex.sendResponseHeaders(200, profile.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(profile);
      }
    });
    s.start();
    return s;
  }

  private static String address(HttpServer s) {
    return "127.0.0.1:" + s.getAddress().getPort();
  }

  private record Http(int status, String body) {}

  private static Http get(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(20000);
      int status = c.getResponseCode();
      var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Http(status, body);
    } catch (java.io.IOException e) {
      return new Http(-1, e.toString());
    }
  }

  private static void await(String what, BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void targets_printsActiveAndDroppedTargetsWithoutScraping() throws Exception {
    Path cfg = dir.resolve("c.yaml");
    Files.writeString(cfg, config("h:6060") + """
            relabel_configs:
              - source_labels: [__name__]
                regex: block|mutex
                action: drop
        """);
    CliRun r = CliRun.run("targets", "--config.file", cfg.toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("active  fake http://h:6060/debug/pprof/profile?seconds=1 "
        + "{__name__=\"profile\", instance=\"h:6060\", job=\"fake\"}\n")
        .contains("dropped fake {__address__=\"h:6060\", __name__=\"block\"")
        .endsWith("5 active, 2 dropped\n");
    CliRun json = CliRun.run("targets", "--config.file", cfg.toString(), "--output", "json");
    assertThat(json.stdout()).startsWith("{\"activeTargets\":[{\"discoveredLabels\":{\"__address__\":\"h:6060\"");
  }

  @Test
  void examplesConfig_isValid_andYieldsTheDocumentedTargets() {
    Path example = Path.of("..", "examples", "conprof.yaml");
    CliRun r = CliRun.run("targets", "--config.file", example.toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout())
        .contains("active  go-demo http://127.0.0.1:6060/debug/pprof/profile?seconds=9 "
            + "{__name__=\"profile\", env=\"dev\", instance=\"127.0.0.1:6060\", job=\"go-demo\"}")
        .contains("active  conprof http://127.0.0.1:10902/debug/pprof/heap ")
        .endsWith("7 active, 5 dropped\n");
  }

  @Test
  void targets_badConfig_exitsTwoWithThePathAndReason() throws Exception {
    Path cfg = dir.resolve("bad.yaml");
    Files.writeString(cfg, "scrape_configs:\n  - job_name: x\n    scrape_intervl: 1s\n");
    CliRun r = CliRun.run("targets", "--config.file", cfg.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).startsWith("conprof-cli targets: bad.yaml:3").contains("scrape_intervl");
  }

  @Test
  void scrape_storesProfiles_servesTheApi_reloadsOnSighup_andExitsZeroOnSigterm() throws Exception {
    byte[] profile = Files.readAllBytes(Fixtures.pprof("converted__gobench.heap.pb.gz"));
    HttpServer a = fakeTarget(profile);
    HttpServer b = fakeTarget(profile);
    int port;
    try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = ss.getLocalPort();
    }
    String web = "http://127.0.0.1:" + port;
    Path cfg = dir.resolve("conprof.yaml");
    Files.writeString(cfg, config(address(a)));
    Path db = dir.resolve("data");
    List<String> cmd = ChildCli.javaCommand(Main.class.getName(), "scrape",
        "--config.file", cfg.toString(), "--storage.tsdb.path", db.toString(),
        "--http-address", "127.0.0.1:" + port, "--storage.tsdb.retention.time", "1d");
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    List<String> stderr = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          stderr.add(line);
        }
      } catch (java.io.IOException e) {
        stderr.add(e.toString());
      }
    });
    reader.start();
    try {
      await("the web server", () -> get(web + "/-/ready").status() == 200 || !p.isAlive());
      assertThat(p.isAlive()).as(String.join("\n", stderr)).isTrue();
      assertThat(get(web + "/-/healthy").body()).isEqualTo("conprof is Healthy.\n");
      await("all 7 targets up", () -> count(get(web + "/api/v1/targets").body(), "\"health\":\"up\"") == 7);
      Http targets = get(web + "/api/v1/targets?state=active");
      assertThat(targets.body()).startsWith("{\"status\":\"success\",\"data\":{\"activeTargets\":[")
          .contains("\"scrapeUrl\":\"http://" + address(a) + "/debug/pprof/profile?seconds=1\"")
          .contains("\"labels\":{\"__name__\":\"profile\",\"instance\":\"" + address(a) + "\",\"job\":\"fake\"}")
          .contains("\"scrapePool\":\"fake\"").contains("\"lastError\":\"\"");
      assertThat(get(web + "/api/v1/targets?state=nonsense").status()).isEqualTo(400);
      assertThat(get(web + "/metrics").body()).contains("# TYPE conprof_profiles_stored_total counter")
          .contains("conprof_scrape_targets{job=\"fake\",health=\"up\"} 7");
      // conprof serves its own Go-compatible /debug/pprof, so it can scrape itself.
      assertThat(get(web + "/debug/pprof/").body()).contains("goroutine");
      assertThat(get(web + "/debug/pprof/nosuch").status()).isEqualTo(404);

      // SIGHUP reloads: a second target appears.
      Files.writeString(cfg, config(address(a), address(b)));
      Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      await("14 targets after SIGHUP", () -> count(get(web + "/api/v1/targets").body(), "\"scrapePool\"") == 14);

      // A broken config is refused by /-/reload and the running one kept.
      Files.writeString(cfg, "scrape_configs: [");
      Http reload = get(web + "/-/reload");
      assertThat(reload.status()).isEqualTo(500);
      assertThat(reload.body()).startsWith("failed to reload config: conprof.yaml");
      assertThat(count(get(web + "/api/v1/targets").body(), "\"scrapePool\"")).isEqualTo(14);
      await("b scraped", () -> get(web + "/api/v1/targets").body().contains(address(b) + "\",\"job\":\"fake\"}"));

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      reader.join(10_000);
      assertThat(p.exitValue()).as(String.join("\n", stderr)).isZero();
    } finally {
      p.destroyForcibly();
      a.stop(0);
      b.stop(0);
    }
    try (Tsdb t = Tsdb.open(db, TsdbOptions.builder().backgroundCompaction(false).build());
        Querier q = t.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      List<Series> series = q.select(List.of(Matcher.equal("job", "fake"), Matcher.equal("instance", address(a))));
      assertThat(series).hasSize(7);
      for (Series s : series) {
        assertThat(s.timestamps()).isNotEmpty();
      }
    }
  }
}
