package io.conprof.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus as the judge: every comparable row of {@code selectors.tsv} goes into one rules file
 * as a recording rule's expression, and {@code promtool check rules} (which parses each with
 * PromQL's parser and reports every failure with its {@code line:column}) must refuse exactly the
 * rows conprof refuses, at the same position, with the same message for rows marked exact.
 * promtool prints no parsed form, so matchers are checked by the table alone.
 */
class PromtoolOracleTest {
  private static final Pattern ERROR = Pattern.compile(
      "\"r(\\d+)\": could not parse expression: (\\d+:\\d+): parse error: (.*)$");

  @Test
  void promtool_acceptsAndRefusesTheSameSelectors(@TempDir Path dir) throws Exception {
    Path promtool = findPromtool();
    Assumptions.assumeTrue(promtool != null, "promtool is not installed (Debian package prometheus)");
    List<SelectorTable.Row> rows = new ArrayList<>();
    for (SelectorTable.Row r : SelectorTable.load().rows()) {
      if (r.mode() != SelectorTable.Mode.NONE) {
        rows.add(r);
      }
    }
    StringBuilder yaml = new StringBuilder("groups:\n- name: g\n  rules:\n");
    for (int i = 0; i < rows.size(); i++) {
      yaml.append("  - record: r").append(i).append('\n')
          .append("    expr: ").append(yamlQuote(rows.get(i).input())).append('\n');
    }
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, yaml, StandardCharsets.UTF_8);
    Map<Integer, String[]> refused = runPromtool(promtool, rules, dir);

    List<String> disagreements = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      SelectorTable.Row row = rows.get(i);
      String[] prom = refused.get(i);
      String ours;
      try {
        QueryParser.parse(row.input());
        ours = null;
      } catch (QueryParseException e) {
        ours = e.getMessage();
      }
      if (prom == null && ours == null) {
        continue;
      }
      if (prom == null || ours == null) {
        disagreements.add(row + ": promtool " + (prom == null ? "accepts" : "refuses: "
            + String.join(": ", prom)) + ", conprof " + (ours == null ? "accepts" : "refuses: " + ours));
        continue;
      }
      String theirs = prom[0] + ": " + prom[1];
      boolean same = row.mode() == SelectorTable.Mode.EXACT ? theirs.equals(ours)
          : ours.startsWith(prom[0] + ": ");
      if (!same) {
        disagreements.add(row + ": promtool says " + theirs + ", conprof says " + ours);
      }
    }
    assertThat(disagreements).isEmpty();
    assertThat(rows).hasSizeGreaterThan(150);
  }

  private static Map<Integer, String[]> runPromtool(Path promtool, Path rules, Path dir)
      throws IOException, InterruptedException {
    Path out = dir.resolve("out.txt");
    Process p = new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("promtool check rules did not finish");
    }
    Map<Integer, String[]> refused = new HashMap<>();
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      var m = ERROR.matcher(line);
      if (m.find()) {
        refused.put(Integer.parseInt(m.group(1)), new String[] {m.group(2), m.group(3)});
      } else if (line.contains("\"r")) {
        throw new IllegalStateException("unexpected promtool output: " + line);
      }
    }
    return refused;
  }

  /** A YAML double-quoted scalar: Go's quoting is valid YAML for these inputs except \x and \a. */
  private static String yamlQuote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  private static Path findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

}
