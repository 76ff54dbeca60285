package io.conprof.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.model.GoStrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random selectors, most of them broken, judged by Prometheus: promtool must accept and
 * refuse the same inputs at the same {@code line:column}, with the same message except where
 * conprof words a message differently on purpose (regexes, durations in brackets). The inputs are
 * built from pieces that Prometheus 2.42 and conprof both understand (no quoted label names, no
 * PromQL operators, literals, aggregations or subqueries), so every difference is a bug in one of
 * them.
 */
class PromtoolRandomSelectorTest {
  /** Fixed by default; -Dconprof.query.seed=N explores other inputs. */
  private static final long SEED = Long.getLong("conprof.query.seed", 20261128L);
  private static final int INPUTS = 1500;
  private static final Pattern ERROR = Pattern.compile(
      "\"r(\\d+)\": could not parse expression: (\\d+:\\d+): parse error: (.*)$");
  private static final List<String> OWN_WORDING = List.of("bad regex ", "not a valid duration string",
      "duration out of range", "unexpected \"]\" in range", "unexpected character in range",
      "unexpected left bracket", "subqueries are not supported", "unknown function with name",
      "offset modifier must be", "@ modifier must be",
      // Prometheus 2.42 names the @ token "<Item 57385>" <op:@>
      "unexpected <op:@>", " in call to merge", " in call to diff");

  private static final String[] NAMES = {"foo", "bar:baz", ":x", "by", "offset", "bool", "on",
      "start", "merge", "diff", "__name__", "Foo_1", "end"};
  private static final String[] INSIDE = {"a=\"b\"", "a=~\"b.*\"", "a!=\"\"", "a!~'x'", "b=`c`",
      "__name__=\"foo\"", "__name__=~\".*\"", "x=\"\"", "y=~\".*\"", "a=~\"(\"", "a=\"\\q\"",
      "a=\"\\x41\"", "a=\"abc", "a", "=", "=~", "!=", "!~", ",", ", ", " ", "\n", "#c\n", "{", ":",
      "1", "!x", "by=\"x\"", "offset='y'", "a=\"é\"", "b='\\''", "c=\"\\u00e9\"", "d=\"\\400\"", "e=\"\\U0001F600\""};
  private static final String[] MODIFIERS = {"[5m]", " [1h30m]", "[", "]", "[0s]", "[1h1h]", "[5]",
      " offset 1h", " offset -5m", " offset", " offset 5", " @ 100", " @ start()", " @", " @ 1e400",
      " x", "{", "}", ")", "(", " @ -1.5", " offset 1d [5m]", "\n"};

  static String randomSelector(Random r) {
    StringBuilder sb = new StringBuilder();
    boolean named = r.nextInt(4) != 0;
    if (named) {
      sb.append(NAMES[r.nextInt(NAMES.length)]);
    }
    if (!named || r.nextInt(5) != 0) {
      sb.append(r.nextBoolean() ? "{" : " {");
      int n = r.nextInt(5);
      for (int i = 0; i < n; i++) {
        sb.append(INSIDE[r.nextInt(INSIDE.length)]);
      }
      if (r.nextInt(6) != 0) {
        sb.append('}');
      }
    }
    int m = r.nextInt(3);
    for (int i = 0; i < m; i++) {
      sb.append(MODIFIERS[r.nextInt(MODIFIERS.length)]);
    }
    return sb.toString();
  }

  @Test
  void randomSelectors_agreeWithPromtool(@TempDir Path dir) throws Exception {
    Path promtool = findPromtool();
    Assumptions.assumeTrue(promtool != null, "promtool is not installed (Debian package prometheus)");
    Random random = new Random(SEED);
    List<String> inputs = new ArrayList<>();
    StringBuilder yaml = new StringBuilder("groups:\n- name: g\n  rules:\n");
    for (int i = 0; i < INPUTS; i++) {
      String q = randomSelector(random);
      if (q.isBlank()) {
        q = "foo";
      }
      inputs.add(q);
      yaml.append("  - record: r").append(i).append("\n    expr: ").append(yamlQuote(q)).append('\n');
    }
    Path rules = dir.resolve("rules.yml");
    Files.writeString(rules, yaml, StandardCharsets.UTF_8);
    Map<Integer, String[]> refused = runPromtool(promtool, rules, dir);

    List<String> disagreements = new ArrayList<>();
    int refusedByBoth = 0;
    for (int i = 0; i < inputs.size(); i++) {
      String[] prom = refused.get(i);
      String ours;
      try {
        QueryParser.parse(inputs.get(i));
        ours = null;
      } catch (QueryParseException e) {
        ours = e.getMessage();
      }
      String where = GoStrings.quote(inputs.get(i));
      if (prom == null && ours == null) {
        continue;
      }
      if (prom == null || ours == null) {
        disagreements.add(where + ": promtool " + (prom == null ? "accepts" : "refuses: "
            + prom[0] + ": " + prom[1]) + ", conprof " + (ours == null ? "accepts" : "refuses: " + ours));
        continue;
      }
      refusedByBoth++;
      String theirs = prom[0] + ": " + prom[1];
      String reason = ours.substring(ours.indexOf(": ") + 2);
      boolean ownWording = OWN_WORDING.stream().anyMatch(reason::contains);
      if (!ours.startsWith(prom[0] + ": ") || (!ownWording && !theirs.equals(ours))) {
        disagreements.add(where + ": promtool says " + theirs + ", conprof says " + ours);
      }
    }
    assertThat(disagreements).isEmpty();
    assertThat(refusedByBoth).isGreaterThan(INPUTS / 3);
    assertThat(INPUTS - refused.size()).isGreaterThan(INPUTS / 10);
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

  static String yamlQuote(String s) {
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

  static Path findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
