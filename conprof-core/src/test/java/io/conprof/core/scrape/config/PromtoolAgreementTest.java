package io.conprof.core.scrape.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the part of the dialect that is plain Prometheus (no profiling_config, legacy label names),
 * {@code promtool check config} and our parser accept and refuse the same files.
 */
class PromtoolAgreementTest {
  @TempDir Path dir;

  @BeforeAll
  static void requirePromtool() {
    boolean found = false;
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      found |= new File(d, "promtool").canExecute();
    }
    Assumptions.assumeTrue(found, "promtool is not installed (apt-get install prometheus)");
  }

  private static final String[] CONFIGS = {
      // accepted by both
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['h:1']\n",
      "global:\n  scrape_interval: 15s\n  external_labels: {region: eu}\n",
      "global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: a\n",
      "scrape_configs:\n  - job_name: a\n    scrape_interval: 1h30m\n    scrape_timeout: 1m\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n"
          + "        target_label: x\n        source_labels: [a]\n        modulus: 3\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: labelmap\n"
          + "        regex: '__meta_(.+)'\n        replacement: 'm_${1}'\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [a]\n"
          + "        target_label: '${1}x'\n        regex: '(.*)'\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: KeepEqual\n"
          + "        source_labels: [a]\n        target_label: b\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: labeldrop\n"
          + "        regex: 'tmp_.*'\n",
      "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u, password: p}\n",
      "scrape_configs:\n  - job_name: a\n    authorization: {type: Token, credentials: x}\n",
      "scrape_configs:\n  - job_name: a\n    scheme: https\n    tls_config:\n"
          + "      insecure_skip_verify: true\n      server_name: x\n",
      "scrape_configs:\n  - job_name: a\n    params: {k: [a, b]}\n",
      "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: ['t/*.json']\n",
      // refused by both
      "scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n    scrape_timeout: 20s\n",
      "global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n",
      "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
      "scrape_configs:\n  - job_name: a\n    scrape_interval: 1x\n",
      "scrape_configs:\n  - job_name: a\n    scrape_interval: 1.5s\n",
      "scrape_configs:\n  - job_name: a\n    unknown_key: 1\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n"
          + "        target_label: x\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: replace\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: explode\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - regex: 'a('\n"
          + "        target_label: x\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: uppercase\n"
          + "        target_label: x\n        replacement: y\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: labelkeep\n"
          + "        regex: x\n        target_label: y\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: labelmap\n"
          + "        replacement: '-x'\n",
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: '-${1}'\n",
      "scrape_configs:\n  - job_name: a\n    bearer_token: x\n    bearer_token_file: y\n",
      "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    bearer_token: x\n",
      "scrape_configs:\n  - job_name: a\n    authorization: {type: Basic, credentials: x}\n",
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['h:1/x']\n",
      "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: ['t/*.txt']\n",
      "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: ['t/*/x.json']\n",
      "scrape_configs:\n  - job_name: a\n    job_name: b\n",
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: h:1\n",
  };

  /** Deliberately stricter than Prometheus 2.42: refused here, accepted by promtool. */
  private static final String[] STRICTER = {
      // Prometheus would only fail at scrape time.
      "scrape_configs:\n  - job_name: a\n    scheme: ftp\n",
      // Prometheus reads a zero interval as "use the default"; here it is a mistake.
      "scrape_configs:\n  - job_name: a\n    scrape_interval: 0s\n",
  };

  /** Deliberately looser: Prometheus 3's UTF-8 label names, refused by promtool 2.42. */
  private static final String[] LOOSER = {
      "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: foo.bar\n"
          + "        replacement: x\n",
      "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['h:1']\n"
          + "        labels: {\"foo.bar\": x}\n",
  };

  @Test
  void documentedDifferences_areStillDifferences() throws Exception {
    for (String yaml : STRICTER) {
      Path file = dir.resolve("strict.yml");
      Files.writeString(file, yaml);
      assertThat(promtool(file)).as("promtool accepts:\n%s", yaml).isTrue();
      assertThat(accepts(file)).as("we refuse:\n%s", yaml).isFalse();
    }
    for (String yaml : LOOSER) {
      Path file = dir.resolve("loose.yml");
      Files.writeString(file, yaml);
      assertThat(promtool(file)).as("promtool refuses:\n%s", yaml).isFalse();
      assertThat(accepts(file)).as("we accept:\n%s", yaml).isTrue();
    }
  }

  private static boolean accepts(Path file) throws java.io.IOException {
    try {
      ScrapeConfigFile.load(file);
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }

  @Test
  void acceptanceAgreesWithPromtool() throws Exception {
    java.util.List<String> disagreements = new java.util.ArrayList<>();
    for (int i = 0; i < CONFIGS.length; i++) {
      String yaml = CONFIGS[i];
      Path file = dir.resolve("c" + i + ".yml");
      Files.writeString(file, yaml);
      boolean promtoolAccepts = promtool(file);
      boolean weAccept = accepts(file);
      if (weAccept != promtoolAccepts) {
        disagreements.add("config " + i + " (promtool accepts: " + promtoolAccepts + "):\n"
            + yaml);
      }
    }
    assertThat(disagreements).isEmpty();
  }

  private boolean promtool(Path file) throws Exception {
    Process p = new ProcessBuilder("promtool", "check", "config", file.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("promtool.out").toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool did not finish within 60 s");
    }
    return p.exitValue() == 0;
  }
}
