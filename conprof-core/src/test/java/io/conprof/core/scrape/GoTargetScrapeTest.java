package io.conprof.core.scrape;

import static io.conprof.core.scrape.ScrapeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.scrape.ScrapeTestSupport.MemorySink;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import io.conprof.core.testing.GoPprof;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Go program serving net/http/pprof, built from src/test/resources/goapp/main.go, scraped
 * with the default profile types; go tool pprof judges the stored CPU profile.
 */
class GoTargetScrapeTest {
  @TempDir Path dir;

  @Test
  void everyDefaultProfileType_isStored_andTheCpuProfileNamesTheBusyFunction() throws Exception {
    Assumptions.assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Path src = dir.resolve("main.go");
    try (InputStream in = GoTargetScrapeTest.class.getResourceAsStream("/goapp/main.go")) {
      Files.copy(in, src);
    }
    Path bin = dir.resolve("goapp");
    ProcessBuilder build = new ProcessBuilder("go", "build", "-o", bin.toString(), src.toString())
        .directory(dir.toFile()).redirectErrorStream(true);
    build.environment().put("GO111MODULE", "off");
    build.environment().put("GOCACHE", dir.resolve("gocache").toString());
    build.environment().put("GOPATH", dir.resolve("gopath").toString());
    build.environment().put("HOME", dir.toString());
    Process b = build.start();
    String buildOutput = new String(b.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(b.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(b.exitValue()).as("go build: " + buildOutput).isZero();

    Process app = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).startsWith("LISTEN ");
      String address = line.substring("LISTEN ".length()).trim();

      ScrapeConfigFile cfg = ScrapeConfigFile.parse("""
          scrape_configs:
            - job_name: goapp
              scrape_interval: 2s
              scrape_timeout: 2s
              static_configs:
                - targets: ['%s']
          """.formatted(address), "t.yaml", dir);
      MemorySink sink = new MemorySink();
      Set<String> all = Set.of("allocs", "block", "goroutine", "heap", "mutex", "profile", "threadcreate");
      try (ScrapeManager m = ScrapeManager.builder(sink).build()) {
        m.applyConfig(cfg);
        await("every profile type stored", () -> sink.all().stream().map(s -> s.labels().get("__name__"))
            .collect(Collectors.toSet()).containsAll(all));
        assertThat(m.targets().active()).hasSize(7).allSatisfy(t -> {
          if (t.health() == TargetHealth.Health.DOWN) {
            throw new AssertionError(t.labels() + " is down: " + t.lastError());
          }
        });
        assertThat(m.targets().active().stream()
            .filter(t -> t.labels().get("__name__").equals("profile")).findFirst().orElseThrow().scrapeUrl())
            .isEqualTo("http://" + address + "/debug/pprof/profile?seconds=1");
      }
      List<ScrapeTestSupport.Stored> cpu = sink.all().stream()
          .filter(s -> s.labels().get("__name__").equals("profile")).toList();
      assertThat(cpu.get(0).labels().toString())
          .isEqualTo("{__name__=\"profile\", instance=\"" + address + "\", job=\"goapp\"}");
      Path file = dir.resolve("cpu.pb");
      Files.write(file, cpu.get(0).profile());
      GoPprof.Result top = GoPprof.run(List.of("-top", "-symbolize=none", file.toString()));
      assertThat(top.exitCode()).as(top.stderr()).isZero();
      assertThat(top.stdout()).contains("main.spinForever");
    } finally {
      app.destroy();
      if (!app.waitFor(10, TimeUnit.SECONDS)) {
        app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
