package io.conprof.core.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.model.Labels;
import io.conprof.core.scrape.config.FileSdConfig;
import io.conprof.core.scrape.config.StaticConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDiscovererTest {
  @TempDir Path dir;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final List<List<TargetGroup>> updates = new ArrayList<>();
  /** The current view: source → group, as a consumer of updates builds it. */
  private final Map<String, TargetGroup> view = new LinkedHashMap<>();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  private FileDiscoverer start(String... patterns) {
    // A poll interval of an hour: the test drives polls itself.
    DiscoveryContext ctx = new DiscoveryContext(scheduler, dir, Duration.ofHours(1));
    FileDiscoverer d = new FileDiscoverer(List.of(patterns), Duration.ofHours(1), ctx);
    d.start(groups -> {
      synchronized (updates) {
        updates.add(groups);
        for (TargetGroup g : groups) {
          if (g.targets().isEmpty()) {
            view.remove(g.source());
          } else {
            view.put(g.source(), g);
          }
        }
      }
    });
    return d;
  }

  private List<String> addresses() {
    List<String> out = new ArrayList<>();
    for (TargetGroup g : view.values()) {
      for (Labels t : g.targets()) {
        out.add(t.get("__address__"));
      }
    }
    return out;
  }

  private static void write(Path f, String text, long mtimeMillis) throws IOException {
    Files.writeString(f, text);
    Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeMillis));
  }

  @Test
  void jsonAndYamlFilesMatchedByGlob_yieldGroupsWithLabelsAndFilepath() throws IOException {
    Files.createDirectories(dir.resolve("t"));
    write(dir.resolve("t/a.json"), "[{\"targets\": [\"h1:1\", \"h2:2\"], \"labels\": {\"env\": \"prod\"}}]", 1000);
    write(dir.resolve("t/b.yml"), "- targets: ['h3:3']\n  labels:\n    env: dev\n- targets: ['h4:4']\n", 1000);
    write(dir.resolve("t/c.txt"), "ignored by the glob", 1000);
    try (FileDiscoverer d = start("t/*.json", "t/*.yml")) {
      assertThat(d.errors()).isEmpty();
      assertThat(updates).hasSize(1);
      assertThat(addresses()).containsExactly("h1:1", "h2:2", "h3:3", "h4:4");
      TargetGroup a = view.get(dir.resolve("t/a.json") + ":0");
      assertThat(a.groupLabels().toMap()).containsEntry("env", "prod")
          .containsEntry("__meta_filepath", dir.resolve("t/a.json").toString());
      assertThat(view).containsKey(dir.resolve("t/b.yml") + ":1");
    }
  }

  @Test
  void changedFile_isReloaded_andOnlyChangedGroupsAreSent() throws IOException {
    Path a = dir.resolve("a.json");
    Path b = dir.resolve("b.json");
    write(a, "[{\"targets\": [\"h1:1\"]}, {\"targets\": [\"h2:2\"]}]", 1000);
    write(b, "[{\"targets\": [\"h9:9\"]}]", 1000);
    try (FileDiscoverer d = start("*.json")) {
      d.poll(false, false);
      assertThat(updates).hasSize(1); // nothing changed, nothing sent
      write(a, "[{\"targets\": [\"h1:1\", \"h3:3\"]}]", 2000);
      d.poll(false, false);
      assertThat(updates).hasSize(2);
      // Group 0 changed, group 1 is gone (sent as an empty group); b.json was not re-sent.
      assertThat(updates.get(1)).extracting(TargetGroup::source)
          .containsExactlyInAnyOrder(a + ":0", a + ":1");
      assertThat(addresses()).containsExactlyInAnyOrder("h1:1", "h3:3", "h9:9");
    }
  }

  @Test
  void badFile_keepsLastGoodTargets_andRecordsTheReason() throws IOException {
    Path a = dir.resolve("a.json");
    write(a, "[{\"targets\": [\"h1:1\"]}]", 1000);
    try (FileDiscoverer d = start("a.json")) {
      write(a, "[{\"targets\": [\"h1:1\"", 2000);
      d.poll(false, false);
      assertThat(addresses()).containsExactly("h1:1");
      assertThat(d.errors().get(a)).startsWith(a + ": not valid JSON");
      write(a, "[{\"targets\": [\"h1:1\"], \"labls\": {}}]", 3000);
      d.poll(false, false);
      assertThat(d.errors().get(a)).isEqualTo(a + ": group 0: unknown key \"labls\" (want \"targets\" and \"labels\")");
      write(a, "[{\"targets\": [\"h5:5\"]}]", 4000);
      d.poll(false, false);
      assertThat(d.errors()).isEmpty();
      assertThat(addresses()).containsExactly("h5:5");
    }
  }

  @Test
  void badFileAtStart_yieldsNoTargets_andOtherFilesStillLoad() throws IOException {
    write(dir.resolve("a.yaml"), "targets: [h1:1]\n", 1000);
    write(dir.resolve("b.yaml"), "- targets: [h2:2]\n  labels: {zone: [1, 2]}\n", 1000);
    write(dir.resolve("c.yaml"), "- targets: [h3:3]\n", 1000);
    try (FileDiscoverer d = start("*.yaml")) {
      assertThat(addresses()).containsExactly("h3:3");
      assertThat(d.errors().get(dir.resolve("a.yaml"))).endsWith("want a list of target groups, got object");
      assertThat(d.errors().get(dir.resolve("b.yaml"))).isEqualTo(dir.resolve("b.yaml") + ": group 0: value of label \"zone\" must be a string");
    }
  }

  @Test
  void deletedFile_removesItsTargets() throws IOException {
    write(dir.resolve("a.json"), "[{\"targets\": [\"h1:1\"]}]", 1000);
    write(dir.resolve("b.json"), "[{\"targets\": [\"h2:2\"]}]", 1000);
    try (FileDiscoverer d = start("*.json")) {
      Files.delete(dir.resolve("a.json"));
      d.poll(false, false);
      assertThat(addresses()).containsExactly("h2:2");
    }
  }

  @Test
  void forcedRefresh_rereadsUnchangedFilesButSendsNothingWhenEqual() throws IOException {
    write(dir.resolve("a.json"), "[{\"targets\": [\"h1:1\"]}]", 1000);
    try (FileDiscoverer d = start("a.json")) {
      d.poll(true, false);
      assertThat(updates).hasSize(1);
    }
  }

  @Test
  void closedDiscoverer_sendsNothingMore() throws IOException {
    write(dir.resolve("a.json"), "[{\"targets\": [\"h1:1\"]}]", 1000);
    FileDiscoverer d = start("a.json");
    d.close();
    write(dir.resolve("a.json"), "[{\"targets\": [\"h2:2\"]}]", 2000);
    d.poll(true, false);
    assertThat(updates).hasSize(1);
  }

  @Test
  void serviceLoader_findsBothBuiltInProviders() {
    Discovery discovery = Discovery.load();
    assertThat(discovery.kinds()).contains("static_configs", "file_sd_configs");
    DiscovererProvider<StaticConfig> st = discovery.provider("static_configs", StaticConfig.class);
    List<List<TargetGroup>> got = new ArrayList<>();
    try (Discoverer d = st.create("static_configs/0",
        new StaticConfig(List.of("a:1", "b:2"), Labels.of("env", "x")),
        new DiscoveryContext(scheduler, dir, Duration.ofSeconds(1)))) {
      d.start(got::add);
    }
    assertThat(got).hasSize(1);
    assertThat(got.get(0).get(0).targets()).extracting(t -> t.get("__address__")).containsExactly("a:1", "b:2");
    assertThat(got.get(0).get(0).groupLabels().get("env")).isEqualTo("x");
    assertThat(discovery.provider("file_sd_configs", FileSdConfig.class)).isInstanceOf(FileDiscovererProvider.class);
  }
}
