package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.GoPprof;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  /**
   * The whole report (header lines from "Type:" on, and every row) equals what {@code go tool pprof
   * -top -symbolize=none} prints, for every fixture, at several node counts.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("expected")
  void format_agreesWithGoToolPprofRowByRow(Expected e) throws Exception {
    assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Profile p = ProfileReader.defaults().read(Fixtures.pprof(e.file()));
    for (int nodeCount : new int[] {10, 0}) {
      GoPprof.Result r = GoPprof.run(List.of("-top", "-nodecount=" + nodeCount, "-symbolize=none",
          Fixtures.pprof(e.file()).toString()));
      assertThat(r.exitCode()).as(r.stderr()).isZero();

      assertThat(rowsOf(TopTable.of(p, null).format(nodeCount))).as("-nodecount=%d", nodeCount)
          .isEqualTo(rowsOf(r.stdout()));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"pprof__sample.cpu, samples", "parca__query-alloc_objects.pb.gz, alloc_objects",
      "parca__query-alloc_objects.pb.gz, inuse_space", "golang-1.19__sync.mutex.pprof, contentions",
      "golang-1.19__compress-flate.mem.pprof, inuse_objects"})
  void format_ofAChosenSampleType_agreesWithGoToolPprof(String file, String sampleType) throws Exception {
    assumeTrue(GoPprof.available(), GoPprof.MISSING);
    GoPprof.Result r = GoPprof.run(List.of("-top", "-nodecount=20", "-sample_index=" + sampleType, "-symbolize=none",
        Fixtures.pprof(file).toString()));
    assertThat(r.exitCode()).as(r.stderr()).isZero();

    String ours = TopTable.of(ProfileReader.defaults().read(Fixtures.pprof(file)), sampleType).format(20);

    assertThat(rowsOf(ours)).isEqualTo(rowsOf(r.stdout()));
  }

  @Test
  void format_ofTheHandBuiltProfile_agreesWithGoToolPprof(@TempDir Path dir) throws Exception {
    assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Profile p = ViewProfiles.handBuilt();
    Path file = dir.resolve("hand.pb.gz");
    Files.write(file, p.toGzip());

    GoPprof.Result r = GoPprof.run(List.of("-top", "-symbolize=none", file.toString()));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(rowsOf(TopTable.of(p, null).format(0))).isEqualTo(rowsOf(r.stdout()));
  }

  @Test
  void rows_ofTheHandBuiltProfile_countRecursionOnceAndInlinedFramesAsFunctions() throws IOException {
    TopTable t = TopTable.of(ViewProfiles.handBuilt(), null);

    assertThat(t.total()).isEqualTo(20);
    assertThat(t.valueType()).isEqualTo(new ValueType("cpu", "nanoseconds"));
    assertThat(t.rows()).containsExactly(
        new TopTable.Row("leaf", 10, 50.0, 50.0, 10, 50.0),
        new TopTable.Row("helper", 5, 25.0, 75.0, 15, 75.0),
        new TopTable.Row("rec", 3, 15.0, 90.0, 3, 15.0),
        new TopTable.Row("a;b", 2, 10.0, 100.0, 2, 10.0),
        new TopTable.Row("main", 0, 0.0, 100.0, 20, 100.0),
        new TopTable.Row("work", 0, 0.0, 100.0, 15, 75.0));
  }

  @Test
  void format_ofTheHandBuiltProfile_isExactlyPprofsText() throws IOException {
    TopTable t = TopTable.of(ViewProfiles.handBuilt(), null);

    assertThat(t.format(0)).isEqualTo("""
        Type: cpu
        Showing nodes accounting for 20ns, 100% of 20ns total
              flat  flat%   sum%        cum   cum%
              10ns 50.00% 50.00%       10ns 50.00%  leaf
               5ns 25.00% 75.00%       15ns 75.00%  helper (inline)
               3ns 15.00% 90.00%        3ns 15.00%  rec
               2ns 10.00%   100%        2ns 10.00%  a;b
                 0     0%   100%       20ns   100%  main
                 0     0%   100%       15ns 75.00%  work
        """);
    // Without work among the shown nodes, helper has no caller edge left, so no "(inline)" label.
    assertThat(t.format(4)).endsWith("""
        Showing top 4 nodes out of 6
              flat  flat%   sum%        cum   cum%
              10ns 50.00% 50.00%       10ns 50.00%  leaf
               5ns 25.00% 75.00%       15ns 75.00%  helper
               3ns 15.00% 90.00%        3ns 15.00%  rec
               2ns 10.00%   100%        2ns 10.00%  a;b
        """);
  }

  @Test
  void of_unknownSampleType_isRefusedWithTheKnownTypes() throws IOException {
    Profile p = ViewProfiles.handBuilt();

    assertThatThrownBy(() -> TopTable.of(p, "alloc_space")).hasMessageContaining("alloc_space").hasMessageContaining("cpu");
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
        // File, Build ID and Time lines are left out: Time depends on the local time zone of the go process.
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
