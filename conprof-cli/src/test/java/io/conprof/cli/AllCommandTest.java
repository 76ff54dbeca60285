package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.testing.TestJson;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conprof-cli all} in a child JVM scraping itself: the out-of-the-box demo, end to end. */
@SuppressWarnings("unchecked")
class AllCommandTest {
  @TempDir Path dir;

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static Path selfConfig(Path dir, int port) throws Exception {
    Path cfg = dir.resolve("conprof.yaml");
    Files.writeString(cfg, """
        scrape_configs:
          - job_name: conprof
            scrape_interval: 2s
            scrape_timeout: 2s
            static_configs:
              - targets: ['127.0.0.1:%d']
            profiling_config:
              pprof_config:
                profile: {seconds: 1}
                mutex: {enabled: false}
                block: {enabled: false}
        """.formatted(port));
    return cfg;
  }

  @Test
  void all_scrapesItselfAndServesTheApiAndUi() throws Exception {
    int port = ChildCli.freePort();
    String web = "http://127.0.0.1:" + port;
    Path db = dir.resolve("data");
    try (ChildCli all = ChildCli.start("all", "--config.file", selfConfig(dir, port).toString(),
        "--storage.tsdb.path", db.toString(), "--http-address", "127.0.0.1:" + port)) {
      all.await("the web server", () -> ChildCli.get(web + "/-/ready").status() == 200);
      assertThat(all.log()).contains("conprof-cli all: scraping 1 job(s) into " + db, "UI at " + web + "/");
      all.await("profiles of every type", () -> {
        ChildCli.Http r = ChildCli.get(web + "/api/v1/label/__name__/values?start=0");
        return r.status() == 200 && r.body().contains("\"profile\"") && r.body().contains("\"heap\"");
      });
      List<Object> types = (List<Object>) TestJson.object(ChildCli.get(web + "/api/v1/label/__name__/values?start=0")
          .body()).get("data");
      assertThat(types).contains("allocs", "goroutine", "heap", "profile", "threadcreate").doesNotContain("mutex");

      long now = System.currentTimeMillis();
      ChildCli.Http range = ChildCli.get(web + "/api/v1/query_range?query=" + q("heap{job=\"conprof\"}")
          + "&from=" + (now - 600_000) + "&to=" + (now + 60_000));
      assertThat(range.status()).isEqualTo(200);
      List<Object> series = (List<Object>) TestJson.object(range.body()).get("data");
      assertThat(series).hasSize(1);
      Map<String, Object> heap = (Map<String, Object>) series.get(0);
      assertThat(heap.get("labels")).isEqualTo(Map.of("__name__", "heap", "job", "conprof",
          "instance", "127.0.0.1:" + port));
      long t = (Long) ((List<Object>) heap.get("timestamps")).get(0);

      ChildCli.Http top = ChildCli.get(web + "/api/v1/query?query=" + q("heap{job=\"conprof\"}") + "&time=" + t
          + "&report=top");
      assertThat(top.status()).as(top.body()).isEqualTo(200);
      Map<String, Object> table = (Map<String, Object>) TestJson.object(top.body()).get("data");
      assertThat((List<Object>) table.get("items")).isNotEmpty();
      assertThat(table.get("sampleType")).isEqualTo("inuse_space");

      ChildCli.Http merged = ChildCli.get(web + "/api/v1/query?mode=merge&query=" + q("profile{job=\"conprof\"}")
          + "&from=" + (now - 600_000) + "&to=" + (System.currentTimeMillis() + 1000) + "&report=flamegraph");
      assertThat(merged.status()).as(merged.body()).isEqualTo(200);
      assertThat((String) ((Map<String, Object>) TestJson.object(merged.body()).get("data")).get("n"))
          .isEqualTo("root");

      assertThat(ChildCli.get(web + "/api/v1/targets?state=active").body()).contains("\"health\":\"up\"");
      assertThat(ChildCli.get(web + "/metrics").body()).contains("conprof_http_requests_total{handler=",
          "conprof_tsdb_head_series", "conprof_profiles_stored_total");
      ChildCli.Http ui = ChildCli.get(web + "/");
      assertThat(ui.status()).isEqualTo(200);
      assertThat(ui.contentType()).startsWith("text/html");

      assertThat(all.stop()).as(all.log()).isZero();
    }
    // What the API served is in the store after the process stopped.
    ChildCli.Http none = ChildCli.get("http://127.0.0.1:" + port + "/-/ready");
    assertThat(none.status()).isEqualTo(-1);
    assertThat(CliRun.run("tsdb", "verify", "--storage.tsdb.path", db.toString()).exitCode()).isZero();
  }

  @Test
  void all_servesUnderTheExternalUrlsPath() throws Exception {
    int port = ChildCli.freePort();
    String web = "http://127.0.0.1:" + port;
    try (ChildCli all = ChildCli.start("all", "--config.file", selfConfig(dir, port).toString(),
        "--storage.tsdb.path", dir.resolve("data").toString(), "--http-address", "127.0.0.1:" + port,
        "--web.external-url", "http://proxy.example/conprof/")) {
      all.await("the web server", () -> ChildCli.get(web + "/conprof/-/ready").status() == 200);
      assertThat(ChildCli.get(web + "/-/ready").status()).isEqualTo(404);
      assertThat(ChildCli.get(web + "/conprof/api/v1/labels").status()).isEqualTo(200);
      assertThat(ChildCli.get(web + "/conprof/").status()).isEqualTo(200);
      assertThat(all.stop()).isZero();
    }
  }

  @Test
  void all_refusesABadExternalUrlOrTimeoutBeforeOpeningTheStore() throws Exception {
    Path cfg = selfConfig(dir, 1);
    CliRun bad = CliRun.run("all", "--config.file", cfg.toString(), "--storage.tsdb.path",
        dir.resolve("d").toString(), "--web.external-url", "conprof");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stderr()).contains("--web.external-url: external URL conprof: want an absolute http or https URL");
    CliRun timeout = CliRun.run("all", "--config.file", cfg.toString(), "--storage.tsdb.path",
        dir.resolve("d").toString(), "--query.timeout", "soon");
    assertThat(timeout.exitCode()).isEqualTo(2);
    assertThat(timeout.stderr()).contains("--query.timeout:");
    assertThat(dir.resolve("d")).doesNotExist();
  }
}
