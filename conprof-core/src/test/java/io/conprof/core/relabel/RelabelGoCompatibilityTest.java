package io.conprof.core.relabel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
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
 * Go is the judge of the pieces Prometheus' relabelling takes from Go's standard library:
 * {@code regexp.ExpandString} on an anchored regex, md5-based hashmod, and
 * {@code strings.ToLower/ToUpper}.
 */
class RelabelGoCompatibilityTest {
  private static final String PROGRAM = """
      package main

      import (
      \t"bufio"
      \t"crypto/md5"
      \t"encoding/binary"
      \t"encoding/hex"
      \t"fmt"
      \t"os"
      \t"regexp"
      \t"strings"
      )

      func dec(s string) string {
      \tb, err := hex.DecodeString(s)
      \tif err != nil {
      \t\tpanic(err)
      \t}
      \treturn string(b)
      }

      func main() {
      \tsc := bufio.NewScanner(os.Stdin)
      \tsc.Buffer(make([]byte, 1<<20), 1<<20)
      \tfor sc.Scan() {
      \t\tf := strings.Split(sc.Text(), " ")
      \t\tre := regexp.MustCompile("^(?:" + dec(f[0]) + ")$")
      \t\ttmpl, in := dec(f[1]), dec(f[2])
      \t\tidx := re.FindStringSubmatchIndex(in)
      \t\texp := "-"
      \t\tif idx != nil {
      \t\t\texp = hex.EncodeToString(re.ExpandString(nil, tmpl, in, idx))
      \t\t}
      \t\tsum := md5.Sum([]byte(in))
      \t\th := binary.BigEndian.Uint64(sum[8:])
      \t\tfmt.Printf("%s %d %d %s %s\\n", exp, h%1000, h%7,
      \t\t\thex.EncodeToString([]byte(strings.ToLower(in))),
      \t\t\thex.EncodeToString([]byte(strings.ToUpper(in))))
      \t}
      }
      """;

  @TempDir static Path dir;

  @BeforeAll
  static void requireGo() {
    boolean found = false;
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      found |= new File(d, "go").canExecute();
    }
    Assumptions.assumeTrue(found, "go is not installed (apt-get install golang-go)");
  }

  @Test
  void expandHashmodAndCase_agreeWithGo() throws Exception {
    String[] regexes = {"(.*)", "f(.*)", "(a+)(b*)", "(?P<host>[^:]+):(?P<port>\\d+)",
        "(x)?y", "((a)|b)+", "(?i)(ab)c", ".*"};
    String[] templates = {"$1", "${1}", "$1x", "${1}x", "$$1", "$", "${", "${}", "$2-$1",
        "$host:${port}", "${host}$port", "$0", "$01", "$10", "lit", "a$ b", "${port}${nope}",
        "$1$2$3", "${1"};
    Random rnd = new Random(5);
    List<String[]> cases = new ArrayList<>();
    for (String r : regexes) {
      for (String t : templates) {
        for (int k = 0; k < 6; k++) {
          cases.add(new String[] {r, t, randomInput(rnd)});
        }
      }
    }
    for (int k = 0; k < 2000; k++) {
      cases.add(new String[] {"(.*)", "$1", randomUnicode(rnd)});
    }
    List<String> out = runGo(cases);
    assertThat(out).hasSize(cases.size());
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < cases.size(); i++) {
      String[] c = cases.get(i);
      String[] f = out.get(i).split(" ", -1);
      CompiledRelabel step = new CompiledRelabel(RelabelConfig.builder().regex(c[0])
          .targetLabel("x").replacement(c[1]).build());
      com.google.re2j.Matcher m = step.match(c[2]);
      String ours = m == null ? "-" : hex.formatHex(step.expand(c[1], m)
          .getBytes(StandardCharsets.UTF_8));
      String what = String.format("regex %s template %s input %s", c[0], c[1], c[2]);
      assertThat(ours).as(what).isEqualTo(f[0]);
      assertThat(Relabeler.hashmod(c[2], 1000)).as(what).isEqualTo(f[1]);
      assertThat(Relabeler.hashmod(c[2], 7)).as(what).isEqualTo(f[2]);
      assertThat(hex.formatHex(Relabeler.mapCodePoints(c[2], true)
          .getBytes(StandardCharsets.UTF_8))).as(what).isEqualTo(f[3]);
      assertThat(hex.formatHex(Relabeler.mapCodePoints(c[2], false)
          .getBytes(StandardCharsets.UTF_8))).as(what).isEqualTo(f[4]);
    }
  }

  private static String randomInput(Random rnd) {
    String alphabet = "aabbxy:19AB";
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(7);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String randomUnicode(Random rnd) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      int cp;
      do {
        cp = rnd.nextBoolean() ? rnd.nextInt(0x800) : rnd.nextInt(0x20000);
      } while (cp >= 0xd800 && cp <= 0xdfff);
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }

  private static List<String> runGo(List<String[]> cases) throws IOException,
      InterruptedException {
    Path prog = dir.resolve("relabel.go");
    Files.writeString(prog, PROGRAM);
    HexFormat hex = HexFormat.of();
    StringBuilder sb = new StringBuilder();
    for (String[] c : cases) {
      sb.append(hex.formatHex(c[0].getBytes(StandardCharsets.UTF_8))).append(' ')
          .append(hex.formatHex(c[1].getBytes(StandardCharsets.UTF_8))).append(' ')
          .append(hex.formatHex(c[2].getBytes(StandardCharsets.UTF_8))).append('\n');
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
