package io.conprof.core.scrape.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every {@code yaml} block of docs/configuration.md is a complete config that parses. */
class ConfigurationDocTest {
  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  @Test
  void everyYamlExampleInTheReferenceParses() throws IOException {
    List<String> blocks = yamlBlocks(Files.readString(DOC));
    assertThat(blocks).as("yaml examples in %s", DOC).hasSizeGreaterThanOrEqualTo(8);
    for (int i = 0; i < blocks.size(); i++) {
      String name = "configuration.md yaml block " + (i + 1);
      ScrapeConfigFile f = ScrapeConfigFile.parse(blocks.get(i), name, Path.of("/etc/conprof"));
      assertThat(f.scrapeConfigs()).as(name).isNotEmpty();
    }
  }

  @Test
  void everyErrorMessageInTheReferenceIsOneWeProduce() throws IOException {
    String doc = Files.readString(DOC);
    int start = doc.indexOf("```text\nconprof.yaml:");
    int end = doc.indexOf("```", start + 7);
    String[] documented = doc.substring(start + 8, end).strip().split("\n");
    String[] inputs = {
        "scrape_configs:\n  - job_name: api\n    scrape_interval: 1m\n    scrape_timeout: 2m\n",
        "scrape_configs:\n  - job_name: api\n    scrape_intervall: 1m\n",
        "scrape_configs:\n  - scrape_interval: 1m\n",
        "scrape_configs:\n  - job_name: a\n  - job_name: a\n",
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - source_labels: [a]\n"
            + "        regex: 'a('\n        action: keep\n",
        "scrape_configs:\n  - job_name: a\n    profiling_config:\n      pprof_config:\n"
            + "        profile: {seconds: 30}\n",
    };
    assertThat(documented).hasSameSizeAs(inputs);
    for (int i = 0; i < inputs.length; i++) {
      String in = inputs[i];
      assertThatThrownBy(() -> ScrapeConfigFile.parse(in, "conprof.yaml", Path.of("/x")))
          .isInstanceOf(ConfigException.class).hasMessage(documented[i]);
    }
  }

  static List<String> yamlBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    String[] lines = markdown.split("\n", -1);
    StringBuilder current = null;
    for (String line : lines) {
      if (current == null && line.strip().equals("```yaml")) {
        current = new StringBuilder();
      } else if (current != null && line.strip().equals("```")) {
        blocks.add(current.toString());
        current = null;
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    assertThat(current).as("unterminated yaml block").isNull();
    return blocks;
  }
}
