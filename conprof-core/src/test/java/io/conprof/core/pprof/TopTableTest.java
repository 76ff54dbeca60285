package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.GoPprof;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TopTableTest {
  /** Expected first row and header lines of {@code go tool pprof -top -nodecount=3}, per fixture. */
  record Expected(String file, String firstRow, List<String> headers) {
    @Override
    public String toString() {
      return file;
    }
  }

  static Stream<Expected> expected() throws IOException {
    try (InputStream in = TopTableTest.class.getResourceAsStream("/pprof/top.tsv")) {
      List<Expected> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t");
        out.add(new Expected(f[0], f[1], Arrays.asList(f[2].split(" \\| "))));
      }
      return out.stream();
    }
  }

  private static String squash(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expected")
  void format_firstRowAndHeaders_matchGoToolPprof(Expected e) throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof(e.file()));

    String text = TopTable.of(p, null).format(3);

    List<String> lines = text.lines().collect(Collectors.toList());
    int header = lines.indexOf(lines.stream().filter(l -> l.strip().startsWith("flat")).findFirst().orElseThrow());
    assertThat(squash(lines.get(header + 1))).isEqualTo(squash(e.firstRow()));
    assertThat(lines.subList(0, header)).containsAll(e.headers());
  }

  @Test
  void rows_flatAndCumFollowTheirDefinitions() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__sample.cpu"));

    TopTable t = TopTable.of(p, "cpu");

    assertThat(t.total()).isEqualTo(1760000000L);
    assertThat(t.rows().stream().mapToLong(TopTable.Row::flat).sum()).isEqualTo(t.total());
    TopTable.Row first = t.rows().get(0);
    assertThat(first).isEqualTo(new TopTable.Row("runtime.mapiternext", 1280000000L, first.flatPercent(),
        first.sumPercent(), 1370000000L, first.cumPercent()));
    assertThat(first.flatPercent()).isCloseTo(72.727, org.assertj.core.data.Offset.offset(0.001));
    assertThat(t.rows()).allSatisfy(r -> assertThat(Math.abs(r.cum())).isGreaterThanOrEqualTo(Math.abs(r.flat())));
    assertThat(t.rows().get(t.rows().size() - 1).sumPercent()).isCloseTo(100.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void format_agreesWithGoToolPprofRowByRow() throws Exception {
    assumeTrue(GoPprof.available(), GoPprof.MISSING);
    for (String f : List.of("pprof__sample.cpu", "parca__query-fib.pb.gz", "golang-1.19__compress-flate.mem.pprof",
        "golang-1.19__sync.mutex.pprof", "parca__parca-labels.pb.gz")) {
      GoPprof.Result r = GoPprof.run(List.of("-top", "-nodecount=10", "-symbolize=none",
          Fixtures.pprof(f).toString()));
      assertThat(r.exitCode()).isZero();
      List<String> go = rowsOf(r.stdout());
      List<String> ours = rowsOf(TopTable.of(ProfileReader.defaults().read(Fixtures.pprof(f)), null).format(10));
      assertThat(ours).as(f).isEqualTo(go);
    }
  }

  private static List<String> rowsOf(String text) {
    List<String> out = new ArrayList<>();
    boolean rows = false;
    for (String l : text.lines().toList()) {
      if (rows) {
        out.add(squash(l));
      } else if (l.strip().startsWith("flat")) {
        rows = true;
      } else if (l.startsWith("Showing") || l.startsWith("Dropped") || l.startsWith("Type:") || l.startsWith("Duration:")) {
        out.add(squash(l));
      }
    }
    return out;
  }

  @Test
  void diff_totalIsTheBaseSide() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__sample.cpu"));

    TopTable t = TopTable.of(Profile.diff(p, p), "cpu");

    assertThat(t.total()).isEqualTo(1760000000L);
    assertThat(t.rows()).allSatisfy(r -> assertThat(r.flat()).isZero());
  }
}
