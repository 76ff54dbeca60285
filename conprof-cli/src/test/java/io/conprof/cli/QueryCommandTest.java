package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.Fixtures;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryCommandTest {
  private static final ProfileReader READER = ProfileReader.defaults();

  @TempDir Path tmp;
  private Path db;
  private List<Path> files;
  private final List<Long> ts = new ArrayList<>();

  @BeforeEach
  void importProfiles() throws Exception {
    db = tmp.resolve("db");
    files = Fixtures.queryMany();
    for (String instance : new String[] {"a:1", "b:2"}) {
      List<String> args = new ArrayList<>(List.of("import", "--storage.tsdb.path", db.toString(),
          "--labels", "{__name__=\"heap\",job=\"api\",instance=\"" + instance + "\"}"));
      files.forEach(f -> args.add(f.toString()));
      CliRun r = CliRun.run(args.toArray(new String[0]));
      assertThat(r.exitCode()).as(r.stderr()).isZero();
    }
    for (Path f : files) {
      ts.add(READER.read(f).timeNanos() / 1_000_000);
    }
  }

  private CliRun query(String... args) {
    List<String> all = new ArrayList<>(List.of("query"));
    all.addAll(List.of(args));
    all.addAll(List.of("--storage.tsdb.path", db.toString()));
    return CliRun.run(all.toArray(new String[0]));
  }

  private long last() {
    return ts.get(ts.size() - 1);
  }

  private static long[] totals(byte[] gz) throws Exception {
    return READER.parse(gz).totals();
  }

  @Test
  void timeline_printsTheStableJsonSchema() {
    CliRun r = query("heap{instance=\"a:1\"}", "--from", String.valueOf(ts.get(0)), "--to",
        String.valueOf(ts.get(2)));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("{\"series\":[{\"labels\":{\"__name__\":\"heap\","
        + "\"instance\":\"a:1\",\"job\":\"api\"},\"timestamps\":[" + ts.get(0) + "," + ts.get(1)
        + "," + ts.get(2) + "]}],\"warnings\":[]}\n");
  }

  @Test
  void timeline_tablePrintsOneLinePerSeriesAndNothingWhenEmpty() {
    CliRun r = query("heap", "--from", "2022-02-10T00:00:00Z", "--to", "2022-02-11T00:00:00Z",
        "--output", "table");
    CliRun empty = query("heap{job=\"other\"}", "--from", "-1h", "--to", "now", "--output",
        "table");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout().lines()).containsExactly(
        "{__name__=\"heap\", instance=\"a:1\", job=\"api\"}  8  " + ts.get(0) + "  " + last(),
        "{__name__=\"heap\", instance=\"b:2\", job=\"api\"}  8  " + ts.get(0) + "  " + last());
    assertThat(empty.exitCode()).isZero();
    assertThat(empty.stdout()).isEmpty();
  }

  @Test
  void singleProfile_isByteIdenticalToTheImportedFile() throws Exception {
    Path out = tmp.resolve("back.pb.gz");
    CliRun r = query("heap{instance=\"b:2\"}", "--at", String.valueOf(ts.get(4)), "--output",
        "pprof", "-o", out.toString());
    CliRun stdout = query("heap{instance=\"b:2\"}", "--at", java.math.BigDecimal.valueOf(ts.get(4), 3).toPlainString(),
        "--output", "pprof");

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    byte[] expected = READER.decompress(Files.readAllBytes(files.get(4)));
    assertThat(READER.decompress(Files.readAllBytes(out))).isEqualTo(expected);
    assertThat(READER.decompress(stdout.stdoutBytes())).isEqualTo(expected);
  }

  @Test
  void merge_equalsProfileMergeOfTheSameFilesInTotals() throws Exception {
    Path ours = tmp.resolve("q.pb.gz");
    Path theirs = tmp.resolve("m.pb.gz");
    List<String> mergeArgs = new ArrayList<>(List.of("profile", "merge", "-o", theirs.toString()));
    files.forEach(f -> mergeArgs.add(f.toString()));
    assertThat(CliRun.run(mergeArgs.toArray(new String[0])).exitCode()).isZero();

    CliRun r = query("merge(heap{instance=\"a:1\"}[1h])", "--at", String.valueOf(last()),
        "--output", "pprof", "-o", ours.toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(totals(Files.readAllBytes(ours))).containsExactly(
        totals(Files.readAllBytes(theirs)));
  }

  @Test
  void mergeBy_printsOneProfilePerInstance() throws Exception {
    Path theirs = tmp.resolve("m.pb.gz");
    List<String> mergeArgs = new ArrayList<>(List.of("profile", "merge", "-o", theirs.toString()));
    files.forEach(f -> mergeArgs.add(f.toString()));
    CliRun.run(mergeArgs.toArray(new String[0]));
    long[] expected = totals(Files.readAllBytes(theirs));

    CliRun json = query("merge by (instance) (heap[1h])", "--at", String.valueOf(last()),
        "--output", "json");
    Path dir = tmp.resolve("groups");
    CliRun files = query("merge by (instance) (heap[1h])", "--at", String.valueOf(last()),
        "--output", "pprof", "-o", dir.toString());

    assertThat(json.exitCode()).as(json.stderr()).isZero();
    assertThat(json.stdout()).startsWith("{\"profiles\":[{\"labels\":{\"instance\":\"a:1\"},"
        + "\"timestampMillis\":null,\"sourceProfiles\":8,\"sampleTypes\":[{\"type\":"
        + "\"alloc_objects\",\"unit\":\"count\",\"total\":" + expected[0] + "}");
    assertThat(json.stdout()).contains("{\"labels\":{\"instance\":\"b:2\"}");
    assertThat(json.stdout()).endsWith("\"warnings\":[]}\n");
    assertThat(files.exitCode()).as(files.stderr()).isZero();
    assertThat(totals(Files.readAllBytes(dir.resolve("instance=a_1.pb.gz"))))
        .containsExactly(expected);
    assertThat(totals(Files.readAllBytes(dir.resolve("instance=b_2.pb.gz"))))
        .containsExactly(expected);
  }

  @Test
  void diff_ofARangeWithItselfHasZeroTotals() throws Exception {
    Path out = tmp.resolve("d.pb.gz");
    CliRun r = query("diff(merge(heap[1h]), merge(heap[1h]))", "--at", String.valueOf(last()),
        "--output", "pprof", "-o", out.toString());

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(totals(Files.readAllBytes(out))).containsOnly(0L);
  }

  @Test
  void profile_defaultOutputIsTheTopTable() throws Exception {
    CliRun r = query("heap{instance=\"a:1\"}", "--at", String.valueOf(ts.get(0)));
    CliRun folded = query("heap{instance=\"a:1\"}", "--at", String.valueOf(ts.get(0)),
        "--output", "folded", "--sample-type", "alloc_space");
    Profile p = READER.read(files.get(0));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo(io.conprof.core.pprof.TopTable.of(p, null).format(0));
    assertThat(folded.stdout()).isEqualTo(io.conprof.core.pprof.FoldedStacks.of(p,
        "alloc_space"));
  }

  @Test
  void pathologicalRegex_finishes() {
    CliRun r = query("heap{job=~\"(a+)+$\", instance=~\"(.*)*b.*\"}", "--from", "0", "--to",
        "now");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("{\"series\":[],\"warnings\":[]}\n");
  }

  @Test
  void limits_givePartialResultsWithWarnings() throws Exception {
    CliRun r = query("merge(heap[1h])", "--at", String.valueOf(last()), "--output", "json",
        "--query.max-samples", "5");
    CliRun top = query("merge(heap[1h])", "--at", String.valueOf(last()),
        "--query.max-series", "1");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("\"sourceProfiles\":5,").endsWith("\"warnings\":[\"merge "
        + "sample limit of 5 reached, used partial merge of 5 samples\"]}\n");
    assertThat(top.exitCode()).isZero();
    assertThat(top.stderr()).contains("conprof-cli query: warning: selected 2 series, more "
        + "than the limit of 1; used the first 1 in label order");
  }

  @Test
  void emptyProfile_exitsZero() {
    CliRun r = query("heap{job=\"nope\"}", "--at", "now", "--output", "pprof");

    assertThat(r.exitCode()).isZero();
    assertThat(r.stdoutBytes()).isEmpty();
    assertThat(r.stderr()).contains("no profile matched");
  }

  @Test
  void badQuery_exits2WithThePositionedError() {
    CliRun r = query("heap{job=}");
    CliRun badTime = query("heap", "--at", "yesterday");
    CliRun badOutput = query("heap[5m]", "--output", "pprof");

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("1:10: unexpected \"}\" in label matching, expected string");
    assertThat(badTime.exitCode()).isEqualTo(2);
    assertThat(badTime.stderr()).contains("--at: bad time \"yesterday\"");
    assertThat(badOutput.exitCode()).isEqualTo(2);
    assertThat(badOutput.stderr()).contains("--output pprof does not fit a timeline result");
  }

  @Test
  void storageError_exits3() throws Exception {
    CliRun missing = CliRun.run("query", "heap", "--storage.tsdb.path",
        tmp.resolve("nope").toString());
    Files.createDirectories(tmp.resolve("empty"));
    CliRun notAStore = CliRun.run("query", "heap", "--storage.tsdb.path",
        tmp.resolve("empty").toString());

    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(missing.stderr()).contains("no such directory");
    assertThat(Files.exists(tmp.resolve("nope"))).isFalse();
    assertThat(notAStore.exitCode()).isEqualTo(3);
    assertThat(notAStore.stderr()).contains(tmp.resolve("empty").toString());
    try (var files = Files.list(tmp.resolve("empty"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void queriesAStoreThatAWriterHoldsOpen() throws Exception {
    CliRun before = query("heap", "--from", "0", "--to", "now");
    try (Tsdb open = Tsdb.open(db, TsdbOptions.builder().backgroundCompaction(false).build())) {
      CliRun during = query("heap", "--from", "0", "--to", "now");
      assertThat(during.exitCode()).as(during.stderr()).isZero();
      assertThat(during.stdout()).isEqualTo(before.stdout()).contains("\"timestamps\":[");
    }
  }

  @Test
  void times_acceptNowRelativeUnixAndRfc3339() {
    long now = 1_700_000_000_000L;
    assertThat(QueryTimes.parse("now", now)).isEqualTo(now);
    assertThat(QueryTimes.parse("-1h30m", now)).isEqualTo(now - 5_400_000);
    assertThat(QueryTimes.parse("+5m", now)).isEqualTo(now + 300_000);
    assertThat(QueryTimes.parse("1700000000", now)).isEqualTo(1_700_000_000_000L);
    assertThat(QueryTimes.parse("1700000000.25", now)).isEqualTo(1_700_000_000_250L);
    assertThat(QueryTimes.parse("1700000000123", now)).isEqualTo(1_700_000_000_123L);
    assertThat(QueryTimes.parse("99999999999", now)).isEqualTo(99_999_999_999_000L);
    assertThat(QueryTimes.parse("100000000000", now)).isEqualTo(100_000_000_000L);
    assertThat(QueryTimes.parse("2023-11-14T22:13:20Z", now)).isEqualTo(1_700_000_000_000L);
    assertThat(QueryTimes.parse("2023-11-14T23:13:20.5+01:00", now))
        .isEqualTo(1_700_000_000_500L);
  }
}
