package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigCommandTest {
  @Test
  void validConfig_succeedsWithASummary(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("conprof.yaml");
    Files.writeString(f, """
        scrape_configs:
          - job_name: api
            scrape_interval: 15s
            static_configs:
              - targets: ['127.0.0.1:6060', '127.0.0.1:6061']
        """);

    CliRun r = CliRun.run("check", "config", f.toString());

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("Checking " + f + "\n SUCCESS: " + f
        + " is valid conprof config file syntax (1 job, 2 static targets)\n");
  }

  @Test
  void badConfig_failsWithThePathAndLine(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, """
        scrape_configs:
          - job_name: api
            scrape_interval: 1m
            scrape_timeout: 2m
        """);

    CliRun r = CliRun.run("check", "config", f.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stdout()).startsWith("Checking " + f + "\n  FAILED: bad.yaml:4: ")
        .contains("scrape_configs[0].scrape_timeout");
  }

  @Test
  void missingReferencedFile_andMissingConfig_fail(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("tls.yaml");
    Files.writeString(f, """
        scrape_configs:
          - job_name: api
            scheme: https
            tls_config:
              ca_file: does-not-exist.pem
            static_configs:
              - targets: ['127.0.0.1:6060']
        """);

    CliRun r = CliRun.run("check", "config", f.toString(), dir.resolve("absent.yaml").toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stdout()).contains("tls_config.ca_file", "does-not-exist.pem", "does not exist or is not readable",
        "absent.yaml: no such file");
  }

  @Test
  void everyExampleConfig_isValid() throws Exception {
    List<String> args = new java.util.ArrayList<>(List.of("check", "config"));
    try (var files = Files.list(Path.of("..", "examples"))) {
      files.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(f -> args.add(f.toString()));
    }
    assertThat(args).hasSizeGreaterThan(3);

    CliRun r = CliRun.run(args.toArray(String[]::new));

    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(r.stdout()).doesNotContain("FAILED");
  }
}
