package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.TestJson;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conprof-cli serve}: the API and UI over a store, read-only, also while a scraper writes it. */
@SuppressWarnings("unchecked")
class ServeCommandTest {
  @TempDir Path tmp;

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Every file under {@code dir} with the SHA-256 of its content. */
  private static Map<String, String> snapshot(Path dir) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String key = dir.relativize(p).toString();
        out.put(key, Files.isDirectory(p) ? "dir" : HexFormat.of().formatHex(
            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return out;
  }

  private static int timestamps(String body) {
    int n = 0;
    for (Object s : (List<Object>) TestJson.object(body).get("data")) {
      n += ((List<Object>) ((Map<String, Object>) s).get("timestamps")).size();
    }
    return n;
  }

  @Test
  void serve_answersFromAStoreAndWritesNothingInIt() throws Exception {
    Path db = tmp.resolve("data");
    List<String> args = new ArrayList<>(List.of("import", "--storage.tsdb.path", db.toString(),
        "--labels", "{__name__=\"heap\",job=\"api\"}"));
    for (Path f : Fixtures.queryMany()) {
      args.add(f.toString());
    }
    assertThat(CliRun.run(args.toArray(String[]::new)).exitCode()).isZero();
    Map<String, String> before = snapshot(db);

    int port = ChildCli.freePort();
    String web = "http://127.0.0.1:" + port;
    try (ChildCli serve = ChildCli.start("serve", "--storage.tsdb.path", db.toString(),
        "--http-address", "127.0.0.1:" + port)) {
      serve.await("the web server", () -> ChildCli.get(web + "/-/ready").status() == 200);
      assertThat(serve.log()).contains("serving " + db + " read-only", "UI at " + web + "/");
      ChildCli.Http range = ChildCli.get(web + "/api/v1/query_range?query=" + q("heap{job=\"api\"}")
          + "&from=0&to=" + Long.MAX_VALUE);
      assertThat(range.status()).as(range.body()).isEqualTo(200);
      assertThat(timestamps(range.body())).isEqualTo(Fixtures.queryMany().size());
      assertThat(ChildCli.get(web + "/api/v1/targets").body()).contains("\"activeTargets\":[]");
      assertThat(ChildCli.get(web + "/-/reload").status()).isEqualTo(404);
      assertThat(ChildCli.get(web + "/").status()).isEqualTo(200);
      assertThat(serve.stop()).as(serve.log()).isZero();
    }
    assertThat(snapshot(db)).isEqualTo(before);
  }

  @Test
  void serve_followsAStoreThatScrapeIsWriting() throws Exception {
    int scrapePort = ChildCli.freePort();
    int servePort = ChildCli.freePort();
    Path cfg = tmp.resolve("conprof.yaml");
    Files.writeString(cfg, """
        scrape_configs:
          - job_name: conprof
            scrape_interval: 1s
            scrape_timeout: 1s
            static_configs:
              - targets: ['127.0.0.1:%d']
            profiling_config:
              pprof_config:
                profile: {enabled: false}
                mutex: {enabled: false}
                block: {enabled: false}
        """.formatted(scrapePort));
    Path db = tmp.resolve("data");
    String web = "http://127.0.0.1:" + servePort;
    String range = web + "/api/v1/query_range?query=" + q("goroutine{job=\"conprof\"}") + "&from=0&to="
        + Long.MAX_VALUE;
    try (ChildCli scrape = ChildCli.start("scrape", "--config.file", cfg.toString(), "--storage.tsdb.path",
        db.toString(), "--http-address", "127.0.0.1:" + scrapePort)) {
      scrape.await("the first scrape stored", () -> ChildCli.get("http://127.0.0.1:" + scrapePort
          + "/api/v1/targets").body().contains("\"profilesStored\":1"));
      try (ChildCli serve = ChildCli.start("serve", "--storage.tsdb.path", db.toString(),
          "--http-address", "127.0.0.1:" + servePort, "--storage.refresh-interval", "1s")) {
        serve.await("the web server", () -> ChildCli.get(web + "/-/ready").status() == 200);
        serve.await("a first profile", () -> ChildCli.get(range).status() == 200);
        int first = timestamps(ChildCli.get(range).body());
        serve.await("profiles scraped after serve started", () -> {
          ChildCli.Http r = ChildCli.get(range);
          return r.status() == 200 && timestamps(r.body()) >= first + 3;
        });
        assertThat(serve.stop()).as(serve.log()).isZero();
      }
      assertThat(scrape.stop()).as(scrape.log()).isZero();
    }
  }

  @Test
  void serve_refusesADirectoryThatIsNoStore() throws IOException {
    Files.createDirectories(tmp.resolve("empty"));
    CliRun r = CliRun.run("serve", "--storage.tsdb.path", tmp.resolve("empty").toString(), "--http-address",
        "127.0.0.1:0");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).containsOnlyOnce(tmp.resolve("empty").toString()).contains("not a conprof TSDB directory");
    CliRun missing = CliRun.run("serve", "--storage.tsdb.path", tmp.resolve("nope").toString());
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.stderr()).containsOnlyOnce(tmp.resolve("nope").toString()).contains("no such directory");
    assertThat(tmp.resolve("nope")).doesNotExist();
  }
}
