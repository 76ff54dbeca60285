package io.conprof.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go's {@code regexp}, which Prometheus uses, judges our matchers: for seeded random regexes and
 * inputs, {@code ^(?s:re)$} must match in Go exactly when {@link Matcher#matches} says so.
 */
class MatcherGoCompatibilityTest {
  private static final String PROGRAM = """
      package main

      import (
      \t"bufio"
      \t"encoding/hex"
      \t"fmt"
      \t"os"
      \t"regexp"
      \t"strings"
      )

      func main() {
      \tsc := bufio.NewScanner(os.Stdin)
      \tsc.Buffer(make([]byte, 1<<20), 1<<20)
      \tfor sc.Scan() {
      \t\tf := strings.Split(sc.Text(), " ")
      \t\tre, _ := hex.DecodeString(f[0])
      \t\tin, _ := hex.DecodeString(f[1])
      \t\tr, err := regexp.Compile("^(?s:" + string(re) + ")$")
      \t\tif err != nil {
      \t\t\tfmt.Println("E")
      \t\t} else if r.MatchString(string(in)) {
      \t\t\tfmt.Println("1")
      \t\t} else {
      \t\t\tfmt.Println("0")
      \t\t}
      \t}
      }
      """;

  private static final String[] ATOMS = {"a", "b", "ab", ".", "\\d", "\\w", "\\s", "[a-c]",
      "[^a]", "\\.", "é", "\\pL", "\\p{Greek}", "[[:alpha:]]", "(?i:A)", "\\n", "x", "\\b", "^",
      "$", "\\A", "\\z"};
  private static final String[] INPUTS_ALPHABET = {"a", "b", "c", "A", "1", " ", "\n", ".", "é",
      "λ", "x", "_"};

  @TempDir static Path dir;

  @BeforeAll
  static void requireGo() {
    Assumptions.assumeTrue(GoCompatibilityTest.goAvailable(),
        "go is not installed (apt-get install golang-go)");
  }

  @Test
  void regexMatching_agreesWithGo() throws Exception {
    Random rnd = new Random(17);
    List<String[]> cases = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String re = randomRegex(rnd, 0);
      for (int k = 0; k < 8; k++) {
        cases.add(new String[] {re, randomInput(rnd)});
      }
    }
    for (String literalSet : new String[] {"a|b", "a|", "ab|a", ".*", ".+", "", "a"}) {
      for (int k = 0; k < 8; k++) {
        cases.add(new String[] {literalSet, randomInput(rnd)});
      }
    }
    List<String> out = runGo(cases);
    assertThat(out).hasSize(cases.size());
    int compared = 0;
    for (int i = 0; i < cases.size(); i++) {
      String re = cases.get(i)[0];
      String in = cases.get(i)[1];
      if (out.get(i).equals("E")) {
        continue;
      }
      boolean ours = Matcher.regex("l", re).matches(in);
      assertThat(ours).as("%s =~ %s", GoStrings.quote(in), GoStrings.quote(re))
          .isEqualTo(out.get(i).equals("1"));
      compared++;
    }
    assertThat(compared).isGreaterThan(cases.size() / 2);
  }

  private static String randomRegex(Random rnd, int depth) {
    StringBuilder sb = new StringBuilder();
    int parts = 1 + rnd.nextInt(3);
    for (int i = 0; i < parts; i++) {
      String atom = depth < 2 && rnd.nextInt(4) == 0
          ? "(" + randomRegex(rnd, depth + 1) + ")" : ATOMS[rnd.nextInt(ATOMS.length)];
      sb.append(atom);
      switch (rnd.nextInt(7)) {
        case 0 -> sb.append('*');
        case 1 -> sb.append('+');
        case 2 -> sb.append('?');
        case 3 -> sb.append("{1,2}");
        default -> { }
      }
      if (rnd.nextInt(6) == 0) {
        sb.append('|');
      }
    }
    return sb.toString();
  }

  private static String randomInput(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      sb.append(INPUTS_ALPHABET[rnd.nextInt(INPUTS_ALPHABET.length)]);
    }
    return sb.toString();
  }

  private static List<String> runGo(List<String[]> cases) throws IOException,
      InterruptedException {
    Path prog = dir.resolve("match.go");
    Files.writeString(prog, PROGRAM);
    HexFormat hex = HexFormat.of();
    StringBuilder sb = new StringBuilder();
    for (String[] c : cases) {
      sb.append(hex.formatHex(c[0].getBytes(StandardCharsets.UTF_8))).append(' ')
          .append(hex.formatHex(c[1].getBytes(StandardCharsets.UTF_8))).append('\n');
    }
    Path in = dir.resolve("in.txt");
    Files.writeString(in, sb);
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder pb = new ProcessBuilder("go", "run", prog.toString());
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("GOCACHE", dir.resolve("gocache").toString());
    pb.environment().put("GOPATH", dir.resolve("gopath").toString());
    pb.environment().put("GO111MODULE", "off");
    Process p = pb.redirectInput(in.toFile()).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("go run did not finish within 300 s");
    }
    assertThat(p.exitValue()).as("go run failed: %s", Files.readString(err)).isZero();
    return Files.readAllLines(out, StandardCharsets.UTF_8);
  }
}
