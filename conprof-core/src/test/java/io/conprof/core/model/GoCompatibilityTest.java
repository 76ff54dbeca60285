package io.conprof.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go itself is the judge of quoting, string order and the stable hash: a small Go program prints
 * {@code strconv.Quote}, {@code sort.Strings} order and FNV-1a of {@code n 0xff s 0xff} for strings
 * we generate (every code point up to U+2FFFF plus seeded random ones), and we compare.
 */
class GoCompatibilityTest {
  private static final String PROGRAM = """
      package main

      import (
      \t"bufio"
      \t"encoding/hex"
      \t"fmt"
      \t"hash/fnv"
      \t"os"
      \t"sort"
      \t"strconv"
      )

      func main() {
      \tsc := bufio.NewScanner(os.Stdin)
      \tsc.Buffer(make([]byte, 1<<20), 1<<20)
      \tvar all []string
      \tfor sc.Scan() {
      \t\tb, err := hex.DecodeString(sc.Text())
      \t\tif err != nil {
      \t\t\tpanic(err)
      \t\t}
      \t\ts := string(b)
      \t\tall = append(all, s)
      \t\th := fnv.New64a()
      \t\th.Write([]byte{'n', 0xff})
      \t\th.Write(b)
      \t\th.Write([]byte{0xff})
      \t\tfmt.Printf("Q %s %d\\n", strconv.Quote(s), int64(h.Sum64()))
      \t}
      \tsort.Strings(all)
      \tfor _, s := range all {
      \t\tfmt.Printf("S %s\\n", hex.EncodeToString([]byte(s)))
      \t}
      }
      """;

  @TempDir static Path dir;

  @BeforeAll
  static void requireGo() {
    Assumptions.assumeTrue(goAvailable(), "go is not installed (apt-get install golang-go)");
  }

  static boolean goAvailable() {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(d, "go").canExecute()) {
        return true;
      }
    }
    return false;
  }

  @Test
  void quoteOrderAndHash_agreeWithGo() throws Exception {
    Random rnd = new Random(7);
    List<String> inputs = new ArrayList<>(List.of("", "\"x\"\n", "a\\b", "\u00a0\u00ad\u2028",
        "\ufeff\uffff\ue000", "\ud83d\ude00", "\udb40\udc01", "\u0378", "\u0080\u009f", "\u007f"));
    for (int i = 0; i < 3000; i++) {
      inputs.add(LabelsTest.randomString(rnd, 1 + rnd.nextInt(4)));
    }
    // Every BMP code point once, in chunks, so each Unicode category is compared with Go's.
    StringBuilder chunk = new StringBuilder();
    for (int cp = 0; cp < 0x30000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) {
        continue;
      }
      chunk.appendCodePoint(cp);
      if (chunk.length() >= 256) {
        inputs.add(chunk.toString());
        chunk.setLength(0);
      }
    }
    inputs.add(chunk.toString());

    List<String> out = runGo(inputs);
    List<String> quoted = new ArrayList<>();
    List<String> sorted = new ArrayList<>();
    for (String line : out) {
      if (line.startsWith("Q ")) {
        quoted.add(line.substring(2));
      } else if (line.startsWith("S ")) {
        sorted.add(new String(HexFormat.of().parseHex(line.substring(2)), StandardCharsets.UTF_8));
      }
    }
    assertThat(quoted).hasSize(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      String s = inputs.get(i);
      String line = quoted.get(i);
      int sp = line.lastIndexOf(' ');
      String goQuoted = line.substring(0, sp);
      assertThat(GoStrings.quote(s)).as("quote of %s", HexFormat.of().formatHex(
          s.getBytes(StandardCharsets.UTF_8))).isEqualTo(goQuoted);
      assertThat(GoStrings.unquote(goQuoted)).isEqualTo(s);
      if (!s.isEmpty()) {
        long goHash = Long.parseLong(line.substring(sp + 1));
        assertThat(Labels.of("n", s).stableHash()).isEqualTo(goHash);
      }
    }
    String[] ours = inputs.toArray(new String[0]);
    Arrays.sort(ours, Labels::compareStrings);
    assertThat(ours).containsExactlyElementsOf(sorted);
  }

  private static List<String> runGo(List<String> inputs) throws IOException, InterruptedException {
    Path prog = dir.resolve("quote.go");
    Files.writeString(prog, PROGRAM);
    Path in = dir.resolve("in.txt");
    StringBuilder sb = new StringBuilder();
    for (String s : inputs) {
      sb.append(HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8))).append('\n');
    }
    Files.writeString(in, sb);
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder pb = new ProcessBuilder("go", "run", prog.toString());
    pb.environment().put("HOME", dir.toString());
    pb.environment().put("GOCACHE", dir.resolve("gocache").toString());
    pb.environment().put("GOPATH", dir.resolve("gopath").toString());
    pb.environment().put("GOFLAGS", "");
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
