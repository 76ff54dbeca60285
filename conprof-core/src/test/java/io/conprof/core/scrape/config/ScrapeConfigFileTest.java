package io.conprof.core.scrape.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatObject;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.relabel.RelabelAction;
import io.conprof.core.relabel.RelabelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScrapeConfigFileTest {
  private static final Path BASE = Path.of("/etc/conprof");

  private static ScrapeConfigFile parse(String yaml) {
    return ScrapeConfigFile.parse(yaml, "conprof.yaml", BASE);
  }

  @Test
  void emptyFile_isAnEmptyConfigWithPrometheusDefaults() {
    ScrapeConfigFile f = parse("");
    assertThat(f.scrapeConfigs()).isEmpty();
    assertThat(f.global()).isEqualTo(GlobalConfig.DEFAULT);
    assertThat(f.global().scrapeInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(f.global().scrapeTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void minimalJob_getsEveryDefault() {
    ScrapeConfig job = parse("""
        scrape_configs:
          - job_name: api
            static_configs:
              - targets: ['localhost:6060']
        """).job("api");
    assertThat(job.scrapeInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(job.scrapeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(job.scheme()).isEqualTo("http");
    assertThat(job.params()).isEmpty();
    assertThat(job.basicAuth()).isEmpty();
    assertThat(job.authorization()).isEmpty();
    assertThat(job.tlsConfig()).isEqualTo(TlsConfig.DEFAULT);
    assertThat(job.relabelConfigs()).isEmpty();
    assertThat(job.staticConfigs()).containsExactly(
        new StaticConfig(List.of("localhost:6060"), Labels.EMPTY));
    ProfilingConfig pc = job.profilingConfig();
    assertThat(pc.pathPrefix()).isEmpty();
    assertThat(pc.pprofConfig().keySet()).containsExactly("allocs", "block", "goroutine", "heap",
        "mutex", "profile", "threadcreate");
    assertThat(pc.enabled()).hasSize(7);
    assertThat(pc.pprofConfig().get("heap"))
        .isEqualTo(new PprofConfig("heap", true, "/debug/pprof/heap", false, 0));
    // CPU: recorded for one second less than the 10s timeout.
    assertThat(pc.pprofConfig().get("profile"))
        .isEqualTo(new PprofConfig("profile", true, "/debug/pprof/profile", true, 9));
  }

  @Test
  void fullJob_parsesEveryKey() {
    ScrapeConfigFile f = parse("""
        global:
          scrape_interval: 30s
          scrape_timeout: 20s
          external_labels:
            region: eu-west-1
        scrape_configs:
          - job_name: api
            scrape_interval: 15s
            scrape_timeout: 12s
            scheme: https
            params:
              debug: ['1']
            basic_auth:
              username: alice
              password_file: secrets/pw
            tls_config:
              ca_file: ca.pem
              cert_file: /abs/cert.pem
              key_file: key.pem
              server_name: api.internal
              insecure_skip_verify: false
            static_configs:
              - targets: ['a:6060', 'b:6060']
                labels:
                  env: prod
            file_sd_configs:
              - files: ['targets/*.json', 'more.yaml']
                refresh_interval: 1m
            relabel_configs:
              - source_labels: [__address__]
                target_label: instance
                regex: '(.*):\\d+'
                replacement: '$1'
              - action: hashmod
                source_labels: [__address__]
                modulus: 4
                target_label: __tmp_shard
            profiling_config:
              path_prefix: /app/
              pprof_config:
                fgprof:
                  path: /debug/fgprof
                  delta: true
                  seconds: 5
                mutex:
                  enabled: false
                profile:
                  seconds: 10
          - job_name: other
            bearer_token_file: token
        """);
    assertThat(f.global()).isEqualTo(new GlobalConfig(Duration.ofSeconds(30),
        Duration.ofSeconds(20), Labels.of("region", "eu-west-1")));
    ScrapeConfig api = f.job("api");
    assertThat(api.scrapeInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(api.scrapeTimeout()).isEqualTo(Duration.ofSeconds(12));
    assertThat(api.scheme()).isEqualTo("https");
    assertThat(api.params()).isEqualTo(Map.of("debug", List.of("1")));
    assertThat(api.basicAuth()).contains(new BasicAuth("alice", null,
        Path.of("/etc/conprof/secrets/pw")));
    assertThat(api.tlsConfig()).isEqualTo(new TlsConfig(Path.of("/etc/conprof/ca.pem"),
        Path.of("/abs/cert.pem"), Path.of("/etc/conprof/key.pem"), "api.internal", false));
    assertThat(api.staticConfigs()).containsExactly(new StaticConfig(List.of("a:6060", "b:6060"),
        Labels.of("env", "prod")));
    assertThat(api.fileSdConfigs()).containsExactly(new FileSdConfig(
        List.of("/etc/conprof/targets/*.json", "/etc/conprof/more.yaml"), Duration.ofMinutes(1)));
    assertThat(api.relabelConfigs()).containsExactly(
        RelabelConfig.builder().sourceLabels("__address__").targetLabel("instance")
            .regex("(.*):\\d+").replacement("$1").build(),
        RelabelConfig.builder().action(RelabelAction.HASHMOD).sourceLabels("__address__")
            .modulus(4).targetLabel("__tmp_shard").build());
    ProfilingConfig pc = api.profilingConfig();
    assertThat(pc.pathPrefix()).isEqualTo("/app");
    assertThat(pc.pprofConfig().get("fgprof"))
        .isEqualTo(new PprofConfig("fgprof", true, "/debug/fgprof", true, 5));
    assertThat(pc.pprofConfig().get("mutex").enabled()).isFalse();
    assertThat(pc.pprofConfig().get("profile").seconds()).isEqualTo(10);
    assertThat(pc.enabled()).extracting(PprofConfig::name).containsExactly("allocs", "block",
        "fgprof", "goroutine", "heap", "profile", "threadcreate");
    assertThat(pc.requestPath(pc.pprofConfig().get("heap"))).isEqualTo("/app/debug/pprof/heap");

    ScrapeConfig other = f.job("other");
    assertThat(other.scrapeInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(other.scrapeTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(other.authorization()).contains(new Authorization("Bearer", null,
        Path.of("/etc/conprof/token")));
    assertThat(other.profilingConfig().pprofConfig().get("profile").seconds()).isEqualTo(19);
  }

  @Test
  void timeout_defaultsToIntervalWhenShorterThanGlobalTimeout() {
    ScrapeConfig job = parse("""
        scrape_configs:
          - job_name: fast
            scrape_interval: 5s
        """).job("fast");
    assertThat(job.scrapeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(job.profilingConfig().pprofConfig().get("profile").seconds()).isEqualTo(4);
    GlobalConfig g = parse("global: {scrape_interval: 3s}").global();
    assertThat(g.scrapeTimeout()).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void pprofConfig_mergesWithDefaults() {
    ProfilingConfig pc = parse("""
        scrape_configs:
          - job_name: j
            profiling_config:
              pprof_config:
                heap:
                  path: /custom/heap
                goroutine:
                block: {enabled: true}
                allocs: {enabled: false}
        """).job("j").profilingConfig();
    assertThat(pc.pprofConfig().get("heap"))
        .isEqualTo(new PprofConfig("heap", true, "/custom/heap", false, 0));
    assertThat(pc.pprofConfig().get("goroutine"))
        .isEqualTo(new PprofConfig("goroutine", true, "/debug/pprof/goroutine", false, 0));
    assertThat(pc.pprofConfig().get("block").enabled()).isTrue();
    assertThat(pc.pprofConfig().get("allocs").enabled()).isFalse();
    assertThat(pc.pprofConfig().get("threadcreate").enabled()).isTrue();
  }

  @Test
  void secrets_areNotPrinted() {
    ScrapeConfig job = parse("""
        scrape_configs:
          - job_name: j
            basic_auth: {username: u, password: hunter2}
          - job_name: k
            authorization: {credentials: s3cr3t}
        """).job("j");
    assertThat(job.toString()).doesNotContain("hunter2").contains("<secret>");
    assertThat(parse("""
        scrape_configs:
          - job_name: k
            authorization: {credentials: s3cr3t}
        """).job("k").authorization().orElseThrow().toString()).doesNotContain("s3cr3t");
  }

  @Test
  void relativeTargetPathsAreAllowedOnlyWithRelabelling() {
    ScrapeConfig job = parse("""
        scrape_configs:
          - job_name: j
            static_configs:
              - targets: ['host:80/path']
            relabel_configs:
              - source_labels: [__address__]
                regex: '([^/]+)/.*'
                target_label: __address__
        """).job("j");
    assertThat(job.staticConfigs().get(0).targets()).containsExactly("host:80/path");
  }

  @Test
  void badConfigs_table() {
    String[][] table = {
        {"""
            scrape_configs:
              - job_name: api
                scrape_interval: 1m
                scrape_timeout: 2m
            """, "conprof.yaml:4: scrape_configs[0].scrape_timeout: 2m is greater than"
            + " scrape_interval 1m"},
        {"""
            global:
              scrape_interval: 5s
              scrape_timeout: 6s
            """, "conprof.yaml:3: global.scrape_timeout: 6s is greater than scrape_interval 5s"},
        {"""
            scrape_configs:
              - job_name: api
                scrape_intervall: 1m
            """, "conprof.yaml:3: scrape_configs[0].scrape_intervall: unknown key (did you mean"
            + " scrape_interval?)"},
        {"""
            scrape_config:
              - job_name: api
            """, "conprof.yaml:1: scrape_config: unknown key (did you mean scrape_configs?)"},
        {"""
            scrape_configs:
              - scrape_interval: 1m
            """, "conprof.yaml:2: scrape_configs[0]: job_name is required"},
        {"""
            scrape_configs:
              - job_name: a
              - job_name: a
            """, "conprof.yaml:3: scrape_configs[1].job_name: found multiple scrape configs with"
            + " job name \"a\" (also scrape_configs[0])"},
        {"""
            scrape_configs:
              - job_name: a
                scrape_interval: 1x
            """, "conprof.yaml:3: scrape_configs[0].scrape_interval: not a valid duration string:"
            + " \"1x\""},
        {"""
            scrape_configs:
              - job_name: a
                scrape_interval: 0s
            """, "conprof.yaml:3: scrape_configs[0].scrape_interval: must be greater than zero"},
        {"""
            scrape_configs:
              - job_name: a
                scheme: ftp
            """, "conprof.yaml:3: scrape_configs[0].scheme: unknown scheme \"ftp\" (http or"
            + " https)"},
        {"""
            scrape_configs:
              - job_name: a
                static_configs:
                  - targets: ['host:80/debug']
            """, "conprof.yaml:4: scrape_configs[0].static_configs[0].targets[0]: \"host:80/debug\""
            + " is not a valid hostname (a target is host:port; paths come from"
            + " profiling_config)"},
        {"""
            scrape_configs:
              - job_name: a
                static_configs:
                  - targets: ['h:1']
                    labels: {"": x}
            """, "conprof.yaml:5: scrape_configs[0].static_configs[0].labels.: label name is"
            + " empty"},
        {"""
            scrape_configs:
              - job_name: a
                static_configs: {targets: ['h:1']}
            """, "conprof.yaml:3: scrape_configs[0].static_configs: expected a list, got a"
            + " mapping"},
        {"""
            scrape_configs:
              - job_name: a
                tls_config:
                  insecure_skip_verify: maybe
            """, "conprof.yaml:4: scrape_configs[0].tls_config.insecure_skip_verify: expected true"
            + " or false, got \"maybe\""},
        {"""
            scrape_configs:
              - job_name: a
                tls_config:
                  cert_file: c.pem
            """, "conprof.yaml:4: scrape_configs[0].tls_config: exactly one of key or key_file must"
            + " be configured when a client certificate is configured"},
        {"""
            scrape_configs:
              - job_name: a
                bearer_token: x
                bearer_token_file: y
            """, "conprof.yaml:4: scrape_configs[0].bearer_token_file: at most one of bearer_token"
            + " & bearer_token_file must be configured"},
        {"""
            scrape_configs:
              - job_name: a
                basic_auth: {username: u}
                bearer_token: x
            """, "conprof.yaml:4: scrape_configs[0].bearer_token: at most one of basic_auth,"
            + " oauth2, bearer_token & bearer_token_file must be configured"},
        {"""
            scrape_configs:
              - job_name: a
                basic_auth: {username: u}
                authorization: {credentials: x}
            """, "conprof.yaml:4: scrape_configs[0].authorization: at most one of basic_auth,"
            + " oauth2 & authorization must be configured"},
        {"""
            scrape_configs:
              - job_name: a
                basic_auth: {username: u, password: p, password_file: f}
            """, "conprof.yaml:3: scrape_configs[0].basic_auth.password_file: at most one of"
            + " basic_auth password & password_file must be configured"},
        {"""
            scrape_configs:
              - job_name: a
                authorization:
                  type: Basic
                  credentials: x
            """, "conprof.yaml:4: scrape_configs[0].authorization: authorization type cannot be"
            + " set to \"basic\", use \"basic_auth\" instead"},
        {"""
            scrape_configs:
              - job_name: a
                relabel_configs:
                  - action: replace
            """, "conprof.yaml:4: scrape_configs[0].relabel_configs[0]: relabel configuration"
            + " for replace action requires 'target_label' value"},
        {"""
            scrape_configs:
              - job_name: a
                relabel_configs:
                  - action: rename
            """, "conprof.yaml:4: scrape_configs[0].relabel_configs[0].action: unknown relabel"
            + " action \"rename\""},
        {"""
            scrape_configs:
              - job_name: a
                relabel_configs:
                  - source_labels: [a]
                    regex: 'a('
                    action: keep
            """, "conprof.yaml:5: scrape_configs[0].relabel_configs[0].regex: bad regex \"a(\":"
            + " missing closing )"},
        {"""
            scrape_configs:
              - job_name: a
                relabel_configs:
                  - action: hashmod
                    target_label: x
                    modulus: -1
            """, "conprof.yaml:6: scrape_configs[0].relabel_configs[0].modulus: expected a"
            + " non-negative integer, got \"-1\""},
        {"""
            scrape_configs:
              - job_name: a
                file_sd_configs:
                  - files: ['targets/*/x.json']
            """, "conprof.yaml:4: scrape_configs[0].file_sd_configs[0].files[0]: path name"
            + " \"targets/*/x.json\" is not valid for file discovery (a glob is allowed only in"
            + " the last path element, and the name must end in .json, .yml or .yaml)"},
        {"""
            scrape_configs:
              - job_name: a
                file_sd_configs:
                  - refresh_interval: 1m
            """, "conprof.yaml:4: scrape_configs[0].file_sd_configs[0]: file service discovery"
            + " config must contain at least one path name"},
        {"""
            scrape_configs:
              - job_name: a
                profiling_config:
                  pprof_config:
                    fgprof: {enabled: true}
            """, "conprof.yaml:5: scrape_configs[0].profiling_config.pprof_config.fgprof: path is"
            + " required for profile type \"fgprof\", which has no default"},
        {"""
            scrape_configs:
              - job_name: a
                profiling_config:
                  pprof_config:
                    profile: {seconds: 30}
            """, "conprof.yaml:5: scrape_configs[0].profiling_config.pprof_config.profile.seconds:"
            + " 30 must be at least 1 and less than scrape_timeout 10s (the target records for"
            + " that long before it answers)"},
        {"""
            scrape_configs:
              - job_name: a
                profiling_config:
                  pprof_config:
                    heap: {seconds: 5}
            """, "conprof.yaml:5: scrape_configs[0].profiling_config.pprof_config.heap.seconds:"
            + " seconds is only used by delta profiles; set delta: true or remove it"},
        {"""
            scrape_configs:
              - job_name: a
                profiling_config:
                  pprof_config:
                    heap: {path: debug/heap}
            """, "conprof.yaml:5: scrape_configs[0].profiling_config.pprof_config.heap.path: must"
            + " start with /, got \"debug/heap\""},
        {"""
            scrape_configs:
              - job_name: a
                profiling_config:
                  pprof_config:
                    "heap.v2": {path: /x}
            """, "conprof.yaml:5: scrape_configs[0].profiling_config.pprof_config.heap.v2: profile"
            + " type \"heap.v2\" is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"},
        {"""
            scrape_configs:
              - job_name: a
                profiling_config:
                  pprof_config:
                    heap: {enable: false}
            """, "conprof.yaml:5: scrape_configs[0].profiling_config.pprof_config.heap.enable:"
            + " unknown key (did you mean enabled?)"},
        {"""
            scrape_configs:
              - job_name: a
                scrape_interval: 1s
            """, "conprof.yaml:2: scrape_configs[0].scrape_timeout: scrape_timeout 1s is too short"
            + " for the delta profile \"profile\": it needs at least 2s (1s of recording plus"
            + " time to answer)"},
        {"""
            scrape_configs:
              - job_name: a
                job_name: b
            """, "conprof.yaml:3: duplicate key \"job_name\""},
        {"""
            base: &b {job_name: a}
            scrape_configs:
              - *b
            """, "conprof.yaml:3: YAML aliases (*b) are not supported in config files"},
        {"""
            scrape_configs: []
            ---
            scrape_configs: []
            """, "conprof.yaml:3: more than one YAML document; a config file holds exactly one"},
        {"""
            scrape_configs:
              - job_name: [a
            """, "conprof.yaml:3: invalid YAML: expected ',' or ']', but got <stream end> (while"
            + " parsing a flow sequence)"},
        {"- a\n- b\n", "conprof.yaml:1: expected a mapping, got a list"},
    };
    for (String[] row : table) {
      assertThatThrownBy(() -> parse(row[0])).as(row[0])
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith(row[1]);
    }
  }

  @Test
  void configException_carriesItsParts() {
    ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
        () -> parse("scrape_configs:\n  - job_name: a\n    scheme: ftp\n"));
    assertThat(e.source()).isEqualTo("conprof.yaml");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.yamlPath()).isEqualTo("scrape_configs[0].scheme");
    assertThat(e.reason()).isEqualTo("unknown scheme \"ftp\" (http or https)");
  }

  @Test
  void load_resolvesPathsAgainstTheFilesDirectory(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("conprof.yaml");
    Files.writeString(file, """
        scrape_configs:
          - job_name: a
            bearer_token_file: token.txt
        """);
    ScrapeConfigFile f = ScrapeConfigFile.load(file);
    assertThat(f.job("a").authorization().orElseThrow().credentialsFile())
        .isEqualTo(dir.toAbsolutePath().resolve("token.txt"));
  }

  @Test
  void load_refusesInvalidUtf8AndHugeFiles(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.yaml");
    Files.write(bad, new byte[] {'a', ':', ' ', (byte) 0xff});
    assertThatThrownBy(() -> ScrapeConfigFile.load(bad)).isInstanceOf(ConfigException.class)
        .hasMessage("bad.yaml: file is not valid UTF-8");
    Path huge = dir.resolve("huge.yaml");
    Files.write(huge, ("#" + "x".repeat(1023) + "\n").repeat(4097)
        .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> ScrapeConfigFile.load(huge)).isInstanceOf(ConfigException.class)
        .hasMessage("huge.yaml: file is 4199425 bytes, over the limit of 4194304");
  }

  @Test
  void deepNesting_isRefused() {
    String deep = "a: " + "[".repeat(100) + "]".repeat(100);
    assertThatThrownBy(() -> parse(deep)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("conprof.yaml:1:");
  }

  @Test
  void records_validateDirectConstruction() {
    assertThatThrownBy(() -> new GlobalConfig(Duration.ofSeconds(1), Duration.ofSeconds(2),
        Labels.EMPTY)).hasMessage("2s is greater than scrape_interval 1s");
    assertThatThrownBy(() -> new PprofConfig("heap", true, "heap", false, 0))
        .hasMessage("path heap must start with /");
    assertThatThrownBy(() -> new PprofConfig("profile", true, "/p", true, 0))
        .hasMessageContaining("seconds must be positive for a delta profile");
    assertThatObject(ProfilingConfig.defaults(9).pprofConfig().get("profile").seconds())
        .isEqualTo(9);
  }
}
