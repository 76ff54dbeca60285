package io.conprof.core.scrape.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of valid configs: each either parses or fails with a
 * {@link ConfigException} that has a location, never with any other exception.
 */
class ConfigFuzzTest {
  private static final String[] SNIPPETS = {":", "-", "[", "]", "{", "}", "\"", "'", "\n", " ",
      "  ", "*", "&a", "!!binary ", "0", "1m", "-1", "null", "~", "yes", "\\", "\u0000", "é",
      "${1}", "$", "#", ",", "?", "|", ">", "0s", "1y", "99999999999999999999", "(", ")"};

  @Test
  void mutatedConfigs_failOnlyWithConfigException() throws Exception {
    List<String> seeds = ConfigurationDocTest.yamlBlocks(
        Files.readString(Path.of("..", "docs", "configuration.md")));
    Random rnd = new Random(1234);
    int parsed = 0;
    int refused = 0;
    for (int i = 0; i < 4000; i++) {
      StringBuilder sb = new StringBuilder(seeds.get(rnd.nextInt(seeds.size())));
      int mutations = 1 + rnd.nextInt(3);
      for (int k = 0; k < mutations && sb.length() > 0; k++) {
        int at = rnd.nextInt(sb.length());
        switch (rnd.nextInt(3)) {
          case 0 -> sb.deleteCharAt(at);
          case 1 -> sb.insert(at, SNIPPETS[rnd.nextInt(SNIPPETS.length)]);
          default -> sb.replace(at, Math.min(sb.length(), at + 1 + rnd.nextInt(8)),
              SNIPPETS[rnd.nextInt(SNIPPETS.length)]);
        }
      }
      String text = sb.toString();
      try {
        ScrapeConfigFile.parse(text, "fuzz.yaml", Path.of("/etc/conprof"));
        parsed++;
      } catch (ConfigException e) {
        assertThat(e.getMessage()).as(text).startsWith("fuzz.yaml");
        refused++;
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("unexpected " + e + " for input:\n" + text, e);
      }
    }
    assertThat(parsed).isPositive();
    assertThat(refused).isPositive();
  }
}
