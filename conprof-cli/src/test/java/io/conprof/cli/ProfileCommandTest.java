package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.GoPprof;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileCommandTest {
  @Test
  void info_json_printsOneObjectPerFileWithExactTotals() {
    CliRun r = CliRun.run("profile", "info", "--output", "json", Fixtures.pprof("pyroscope__cpu.pb.gz").toString(),
        Fixtures.pprof("golang-1.19__sync.mutex.pprof").toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    String[] lines = r.stdout().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).isEqualTo("{\"file\":\"" + Fixtures.pprof("pyroscope__cpu.pb.gz")
        + "\",\"sampleTypes\":[{\"type\":\"samples\",\"unit\":\"count\",\"total\":47},"
        + "{\"type\":\"cpu\",\"unit\":\"nanoseconds\",\"total\":470000000}],\"samples\":7,"
        + "\"periodType\":{\"type\":\"cpu\",\"unit\":\"nanoseconds\"},\"period\":10000000,"
        + "\"timeNanos\":1619321948265140000,\"durationNanos\":1100177167,\"defaultSampleType\":\"\"}");
    assertThat(lines[1]).contains("{\"type\":\"delay\",\"unit\":\"nanoseconds\",\"total\":655332850}");
  }

  @Test
  void info_text_isReadable() {
    CliRun r = CliRun.run("profile", "info", Fixtures.pprof("golang-1.19__compress-flate.mem.pprof").toString());

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("alloc_space/bytes        total 1048048593 (default)", "samples 184",
        "period 65536 space/bytes");
  }

  @Test
  void info_onJunk_exits2NamingTheFile_andStillReportsTheGoodFiles(@TempDir Path dir) throws Exception {
    Path junk = dir.resolve("junk.pb.gz");
    Files.write(junk, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});

    CliRun r = CliRun.run("profile", "info", "--output", "json", junk.toString(), Fixtures.pprof("pprof__sample.cpu").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).startsWith("conprof-cli profile info: " + junk + ": ");
    assertThat(r.stdout().split("\n")).hasSize(1);
  }

  @Test
  void missingFile_andBadOption_exit2() {
    assertThat(CliRun.run("profile", "info", "/no/such/file").stderr()).contains("/no/such/file: no such file");
    assertThat(CliRun.run("profile", "info", "--output", "yaml", Fixtures.pprof("pprof__sample.cpu").toString()).exitCode()).isEqualTo(2);
    assertThat(CliRun.run("profile", "merge", Fixtures.pprof("pprof__sample.cpu").toString()).exitCode()).isEqualTo(2);
  }

  @Test
  void merge_ofTheQueryManyFiles_equalsGoToolPprofInTotals(@TempDir Path dir) throws Exception {
    List<String> args = new ArrayList<>(List.of("profile", "merge", "-o", dir.resolve("m.pb.gz").toString()));
    for (Path f : Fixtures.queryMany()) {
      args.add(f.toString());
    }

    CliRun r = CliRun.run(args.toArray(String[]::new));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    Profile merged = ProfileReader.defaults().read(dir.resolve("m.pb.gz"));
    assertThat(merged.totals()).containsExactly(8 * 83487L, 8 * 51965338L, 8 * 73788L, 8 * 48928729L);
    if (GoPprof.available()) {
      assertThat(GoPprof.totals(dir.resolve("m.pb.gz"))).containsExactly(merged.totals());
    }
  }

  @Test
  void merge_ofIncompatibleProfiles_exit2NamingTheFile(@TempDir Path dir) {
    Path mutex = Fixtures.pprof("golang-1.19__sync.mutex.pprof");
    CliRun r = CliRun.run("profile", "merge", "-o", dir.resolve("m.pb.gz").toString(),
        Fixtures.pprof("pprof__sample.cpu").toString(), mutex.toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains(mutex + ": cannot merge: incompatible period types");
    assertThat(dir.resolve("m.pb.gz")).doesNotExist();
  }

  @Test
  void diff_ofAFileWithItself_totalsZero_andGoToolPprofReadsIt(@TempDir Path dir) throws Exception {
    Path f = Fixtures.pprof("parca__query-fib.pb.gz");
    Path out = dir.resolve("d.pb.gz");

    CliRun r = CliRun.run("profile", "diff", f.toString(), f.toString(), "-o", out.toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(ProfileReader.defaults().read(out).totals()).containsExactly(0, 0);
    assumeTrue(GoPprof.available(), GoPprof.MISSING);
    assertThat(GoPprof.totals(out)).containsExactly(0, 0);
  }

  @Test
  void top_printsGoToolPprofsTable() {
    CliRun r = CliRun.run("profile", "top", "--nodecount", "3", Fixtures.pprof("pprof__sample.cpu").toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("Type: cpu", "Duration: 2s, Total samples = 1760ms (87.91%)",
        "Showing nodes accounting for 1540ms, 87.50% of 1760ms total");
    assertThat(r.stdout().lines().filter(l -> l.contains("runtime.mapiternext")).findFirst().orElseThrow().strip()
        .replaceAll("\\s+", " ")).isEqualTo("1280ms 72.73% 72.73% 1370ms 77.84% runtime.mapiternext");
  }

  @Test
  void top_withAnUnknownSampleType_exits2ListingTheTypes() {
    CliRun r = CliRun.run("profile", "top", "--sample-type", "alloc_space", Fixtures.pprof("pprof__sample.cpu").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("no sample type \"alloc_space\"; the profile has [samples, cpu]");
  }

  @Test
  void folded_ofMergedFiles_sumsToTheMergedTotal() {
    List<String> args = new ArrayList<>(List.of("profile", "folded", "--sample-type", "inuse_space"));
    Fixtures.queryMany().forEach(f -> args.add(f.toString()));

    CliRun r = CliRun.run(args.toArray(String[]::new));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    long sum = r.stdout().lines().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertThat(sum).isEqualTo(8 * 48928729L);
  }

  @Test
  void flamegraph_writesAStandaloneSvg(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("flame.svg");

    CliRun r = CliRun.run("profile", "flamegraph", "--focus", "mapiternext", "-o", out.toString(),
        Fixtures.pprof("pprof__sample.cpu").toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    String svg = Files.readString(out);
    assertThat(svg).startsWith("<?xml").contains("<svg", "runtime.mapiternext", "pprof__sample.cpu — cpu")
        .doesNotContain("main.busyLoop;");
  }
}
