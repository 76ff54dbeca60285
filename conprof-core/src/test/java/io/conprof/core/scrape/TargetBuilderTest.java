package io.conprof.core.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.discovery.TargetGroup;
import io.conprof.core.model.Labels;
import io.conprof.core.scrape.config.ScrapeConfig;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TargetBuilderTest {
  private static ScrapeConfig job(String yaml) {
    return ScrapeConfigFile.parse(yaml, "test.yaml", Path.of("/tmp")).scrapeConfigs().get(0);
  }

  private static TargetSet build(ScrapeConfig job, String... addresses) {
    List<Labels> targets = java.util.Arrays.stream(addresses).map(a -> Labels.of("__address__", a)).toList();
    return TargetBuilder.build(job, List.of(new TargetGroup("static_configs/0", targets, Labels.EMPTY)));
  }

  private static Map<String, String> urlsByType(TargetSet set) {
    return set.active().stream().collect(Collectors.toMap(ScrapeTarget::profileType, t -> t.url().toString()));
  }

  private static final String DEFAULT_JOB = """
      scrape_configs:
        - job_name: j
          static_configs:
            - targets: ['h:6060']
      """;

  @Test
  void staticTargetWithDefaultConfig_yieldsSevenActiveTargets() {
    TargetSet set = build(job(DEFAULT_JOB), "h:6060");
    assertThat(set.active()).extracting(ScrapeTarget::profileType)
        .containsExactlyInAnyOrder("allocs", "block", "goroutine", "heap", "mutex", "profile", "threadcreate");
    assertThat(set.dropped()).isEmpty();
    ScrapeTarget cpu = set.active().stream().filter(t -> t.profileType().equals("profile")).findFirst().orElseThrow();
    // The default scrape_timeout is 10s, so the CPU profile records for 9s.
    assertThat(cpu.url().toString()).isEqualTo("http://h:6060/debug/pprof/profile?seconds=9");
    assertThat(cpu.labels().toString()).isEqualTo("{__name__=\"profile\", instance=\"h:6060\", job=\"j\"}");
    assertThat(urlsByType(set)).containsEntry("heap", "http://h:6060/debug/pprof/heap");
    assertThat(cpu.discoveredLabels().toMap()).containsEntry("__address__", "h:6060")
        .containsEntry("__profile_path__", "/debug/pprof/profile").containsEntry("__param_seconds", "9")
        .containsEntry("__scheme__", "http").containsEntry("__scrape_interval__", "1m")
        .containsEntry("__scrape_timeout__", "10s").containsEntry("job", "j");
  }

  @Test
  void disablingMutex_removesOnlyMutex_andCustomKeyAddsItsType() {
    ScrapeConfig job = job("""
        scrape_configs:
          - job_name: j
            profiling_config:
              path_prefix: /app
              pprof_config:
                mutex: {enabled: false}
                fgprof: {path: /debug/fgprof}
            static_configs:
              - targets: ['h:1']
        """);
    Map<String, String> urls = urlsByType(build(job, "h:1"));
    assertThat(urls.keySet()).containsExactlyInAnyOrder(
        "allocs", "block", "goroutine", "heap", "profile", "threadcreate", "fgprof");
    assertThat(urls).containsEntry("fgprof", "http://h:1/app/debug/fgprof");
  }

  @Test
  void relabelDroppingBlockAndMutex_movesThemToDropped() {
    ScrapeConfig job = job("""
        scrape_configs:
          - job_name: j
            relabel_configs:
              - source_labels: [__name__]
                regex: block|mutex
                action: drop
            static_configs:
              - targets: ['h:1']
        """);
    TargetSet set = build(job, "h:1");
    assertThat(set.active()).extracting(ScrapeTarget::profileType)
        .containsExactlyInAnyOrder("allocs", "goroutine", "heap", "profile", "threadcreate");
    assertThat(set.dropped()).extracting(d -> d.discoveredLabels().get("__name__"))
        .containsExactlyInAnyOrder("block", "mutex");
    assertThat(set.dropped()).allSatisfy(d -> {
      assertThat(d.reason()).isEqualTo("dropped by relabelling");
      assertThat(d.job()).isEqualTo("j");
      assertThat(d.discoveredLabels().get("__address__")).isEqualTo("h:1");
    });
  }

  @Test
  void addressWithoutPort_getsSchemeDefaultPort() {
    assertThat(build(job(DEFAULT_JOB), "h").active().get(0).labels().get("instance")).isEqualTo("h:80");
    ScrapeConfig https = job("""
        scrape_configs:
          - job_name: j
            scheme: https
            static_configs:
              - targets: ['h']
        """);
    ScrapeTarget t = build(https, "h").active().get(0);
    assertThat(t.labels().get("instance")).isEqualTo("h:443");
    assertThat(t.url().toString()).startsWith("https://h:443/debug/pprof/");
    assertThat(TargetBuilder.withDefaultPort("[::1]", "http")).isEqualTo("[::1]:80");
    assertThat(TargetBuilder.withDefaultPort("::1", "http")).isEqualTo("[::1]:80");
    assertThat(TargetBuilder.withDefaultPort("[::1]:9", "http")).isEqualTo("[::1]:9");
  }

  @Test
  void addressWithSlash_isDroppedAsInvalidHostname() {
    TargetSet set = build(job(DEFAULT_JOB), "h:1/x");
    assertThat(set.active()).isEmpty();
    assertThat(set.dropped()).hasSize(7)
        .allSatisfy(d -> assertThat(d.reason()).isEqualTo("\"h:1/x\" is not a valid hostname"));
  }

  @Test
  void duplicateTargets_areScrapedOnce() {
    assertThat(build(job(DEFAULT_JOB), "h:1", "h:1", "h:2").active()).hasSize(14);
  }

  @Test
  void metaAndInternalLabels_areDropped_groupLabelsKept_targetLabelsWin() {
    TargetGroup g = new TargetGroup("f.json:0",
        List.of(Labels.of("__address__", "h:1", "zone", "b", "__meta_x", "y")),
        Labels.of("zone", "a", "team", "t", "__meta_filepath", "/f.json"));
    TargetSet set = TargetBuilder.build(job(DEFAULT_JOB), List.of(g));
    assertThat(set.active().get(0).labels().toMap()).containsOnlyKeys("__name__", "instance", "job", "team", "zone")
        .containsEntry("zone", "b").containsEntry("team", "t");
    assertThat(set.active().get(0).discoveredLabels().toMap()).containsEntry("__meta_x", "y")
        .containsEntry("__meta_filepath", "/f.json");
  }

  @Test
  void relabelling_canSetInstanceParamsAndPath() {
    ScrapeConfig job = job("""
        scrape_configs:
          - job_name: j
            params:
              debug: ['0']
              gc: ['1']
            relabel_configs:
              - source_labels: [__address__]
                regex: '([^:]+):.*'
                target_label: instance
                replacement: $1
              - target_label: __param_gc
                replacement: '2'
              - source_labels: [__name__]
                regex: heap
                target_label: __profile_path__
                replacement: /custom/heap
            static_configs:
              - targets: ['h:1']
        """);
    Map<String, String> urls = urlsByType(build(job, "h:1"));
    assertThat(urls).containsEntry("heap", "http://h:1/custom/heap?debug=0&gc=2")
        .containsEntry("profile", "http://h:1/debug/pprof/profile?debug=0&gc=2&seconds=9");
    assertThat(build(job, "h:1").active()).allSatisfy(t -> assertThat(t.labels().get("instance")).isEqualTo("h"));
  }

  @Test
  void hashmod_splitsTheFleetBetweenShardsWithoutOverlap() {
    String shard = """
        scrape_configs:
          - job_name: j
            relabel_configs:
              - source_labels: [__address__]
                modulus: 2
                target_label: __tmp_shard
                action: hashmod
              - source_labels: [__tmp_shard]
                regex: '%d'
                action: keep
            static_configs:
              - targets: ['h:1']
        """;
    String[] fleet = new String[40];
    for (int i = 0; i < fleet.length; i++) {
      fleet[i] = "host" + i + ":6060";
    }
    TargetSet a = build(job(shard.formatted(0)), fleet);
    TargetSet b = build(job(shard.formatted(1)), fleet);
    assertThat(a.active().size() + b.active().size()).isEqualTo(40 * 7);
    assertThat(a.active()).isNotEmpty();
    assertThat(b.active()).isNotEmpty();
    assertThat(a.active()).extracting(t -> t.labels().get("instance"))
        .doesNotContainAnyElementsOf(b.active().stream().map(t -> t.labels().get("instance")).toList());
    // A host's profile types all land in the same shard: the hash is of the address alone.
    assertThat(a.active().size() % 7).isZero();
  }

  @Test
  void relabelledTimeoutAboveInterval_isDroppedWithReason() {
    ScrapeConfig job = job("""
        scrape_configs:
          - job_name: j
            relabel_configs:
              - target_label: __scrape_timeout__
                replacement: 2m
            static_configs:
              - targets: ['h:1']
        """);
    TargetSet set = build(job, "h:1");
    assertThat(set.active()).isEmpty();
    assertThat(set.dropped().get(0).reason())
        .isEqualTo("scrape timeout cannot be greater than scrape interval (2m > 1m)");
  }
}
