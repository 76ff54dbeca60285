package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.Fixtures;
import io.conprof.tsdb.Querier;
import io.conprof.tsdb.Series;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest {
  @TempDir Path tmp;

  private List<Sample> stored(Path db, String job) throws Exception {
    List<Sample> out = new ArrayList<>();
    try (Tsdb t = Tsdb.open(db, TsdbOptions.builder().backgroundCompaction(false).build());
        Querier q = t.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      for (Series s : q.select(List.of(Matcher.equal("job", job)))) {
        assertThat(s.labels().toString()).isEqualTo(Labels.of("__name__", "heap", "job", job).toString());
        s.samples().forEachRemaining(out::add);
      }
    }
    return out;
  }

  @Test
  void import_printsOneCommittedLinePerFileAndStoresTheRawProtobuf() throws Exception {
    Path db = tmp.resolve("db");
    List<Path> files = Fixtures.queryMany();
    List<String> args = new ArrayList<>(List.of("import", "--storage.tsdb.path", db.toString(),
        "--labels", "{__name__=\"heap\",job=\"api\"}"));
    for (int i = files.size() - 1; i >= 0; i--) {
      args.add(files.get(i).toString()); // newest first: imported in time order anyway
    }
    CliRun r = CliRun.run(args.toArray(new String[0]));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    List<String> expected = new ArrayList<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      long ms = Long.parseLong(name.substring("parca__query-many-".length(), name.indexOf('.')))
          / 1_000_000;
      expected.add("committed " + f + " " + ms);
    }
    assertThat(r.stdout().lines()).containsExactlyElementsOf(expected);

    List<Sample> samples = stored(db, "api");
    assertThat(samples).hasSize(files.size());
    for (int i = 0; i < files.size(); i++) {
      byte[] raw = ProfileReader.defaults().decompress(Files.readAllBytes(files.get(i)));
      assertThat(samples.get(i).bytes()).isEqualTo(raw);
    }
  }

  @Test
  void import_skipsAnInvalidFileNamingItAndExits1() throws Exception {
    Path db = tmp.resolve("db");
    Path junk = tmp.resolve("junk.pb.gz");
    Files.write(junk, new byte[] {1, 2, 3});
    Path good = Fixtures.pprof("pprof__sample.cpu");

    CliRun r = CliRun.run("import", "--storage.tsdb.path", db.toString(), "--labels",
        "{__name__=\"heap\",job=\"x\"}", junk.toString(), good.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("skipped " + junk + ": not a pprof profile");
    assertThat(r.stdout()).isEqualTo("committed " + good + " 1506718679257\n");
  }

  @Test
  void import_usesTimestampOptionElseTheFilesModificationTime() throws Exception {
    Path db = tmp.resolve("db");
    Path noTime = tmp.resolve("java.heap.pb.gz"); // time_nanos is 0
    Files.copy(Fixtures.pprof("converted__java.heap.pb.gz"), noTime);
    Files.setLastModifiedTime(noTime, FileTime.fromMillis(1_700_000_000_123L));

    CliRun r = CliRun.run("import", "--storage.tsdb.path", db.toString(), "--labels",
        "heap{job=\"m\"}", noTime.toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("committed " + noTime + " 1700000000123\n");

    CliRun again = CliRun.run("import", "--storage.tsdb.path", db.toString(), "--labels",
        "heap{job=\"m\"}", "--timestamp", "1700000000999", noTime.toString());
    assertThat(again.exitCode()).as(again.stderr()).isZero();
    assertThat(again.stdout()).isEqualTo("committed " + noTime + " 1700000000999\n");
    assertThat(stored(db, "m")).extracting(Sample::timestampMillis)
        .containsExactly(1_700_000_000_123L, 1_700_000_000_999L);
  }

  @Test
  void import_refusesOutOfOrderFileNamingSeriesAndExits1() throws Exception {
    Path db = tmp.resolve("db");
    Path f = Fixtures.pprof("pprof__sample.cpu");
    CliRun.run("import", "--storage.tsdb.path", db.toString(), "--labels", "{job=\"o\"}",
        "--timestamp", "2000000", f.toString());
    CliRun r = CliRun.run("import", "--storage.tsdb.path", db.toString(), "--labels",
        "{job=\"o\"}", "--timestamp", "1999999", f.toString());
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.stderr()).contains("skipped " + f + ": series {job=\"o\"}: out-of-order sample:"
        + " timestamp 1999999 ms is before the series' last sample at 2000000 ms");
  }

  @Test
  void import_withBadLabelsIsAUsageError() {
    CliRun r = CliRun.run("import", "--storage.tsdb.path", tmp.resolve("db").toString(),
        "--labels", "{job=api}", "x.pb.gz");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("--labels: bad labels");
  }
}
