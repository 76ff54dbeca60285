package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.testing.Fixtures;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsdbCommandTest {
  @TempDir Path tmp;

  /** Imports the eight query-many profiles spread 1 h apart: enough for blocks after compact. */
  private Path database() {
    Path db = tmp.resolve("db");
    List<Path> files = Fixtures.queryMany();
    for (int i = 0; i < files.size(); i++) {
      CliRun r = CliRun.run("import", "--storage.tsdb.path", db.toString(), "--labels",
          "heap{job=\"api\"}", "--timestamp", Long.toString(i * 3_600_000L), files.get(i).toString());
      assertThat(r.exitCode()).as(r.stderr()).isZero();
    }
    return db;
  }

  @Test
  void compactThenInspect_showBlocksAndHead() {
    Path db = database();
    CliRun c = CliRun.run("tsdb", "compact", "--storage.tsdb.path", db.toString(),
        "--storage.tsdb.retention.time", "0");
    assertThat(c.exitCode()).as(c.stderr()).isZero();

    CliRun r = CliRun.run("tsdb", "inspect", "--storage.tsdb.path", db.toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    List<String> lines = r.stdout().lines().toList();
    assertThat(lines.get(0)).startsWith("BLOCK").contains("SERIES", "SAMPLES", "CHUNKS", "BYTES");
    // head [0, 7h]: compaction cuts [0,2h) and [2h,4h); 4h..7h stays in the head
    assertThat(lines).filteredOn(l -> l.matches("[0-9A-Z]{26} .*")).hasSize(2);
    assertThat(lines.get(1)).matches("[0-9A-Z]{26} +0 +7200000 +1 +2 +1 +\\d+ +1");
    assertThat(lines.get(lines.size() - 1))
        .startsWith("head: 1 series, 4 samples, time range [14400000, 25200000]");
  }

  @Test
  void inspect_json_hasAStableSchema() {
    Path db = database();
    CliRun r = CliRun.run("tsdb", "inspect", "--output", "json", "--storage.tsdb.path", db.toString());
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).matches("\\{\"blocks\":\\[\\],\"damagedBlocks\":\\[\\],\"head\":\\{"
        + "\"numSeries\":1,\"numSamples\":8,\"minTimeMillis\":0,\"maxTimeMillis\":25200000,"
        + "\"payloadBytes\":\\d+,\"walBytes\":\\d+,\"walSegments\":\\d+,\"minValidTimeMillis\":null},\"rejected\":\\{\"outOfOrder\":0,"
        + "\"duplicate\":0,\"outOfBounds\":0,\"tooLarge\":0,\"tooManySeries\":0}}\n");
  }

  @Test
  void verify_reportsNothingOnAHealthyDatabaseAndNamesFileAndOffsetOfDamage() throws Exception {
    Path db = database();
    CliRun.run("tsdb", "compact", "--storage.tsdb.path", db.toString(),
        "--storage.tsdb.retention.time", "0");
    CliRun ok = CliRun.run("tsdb", "verify", "--storage.tsdb.path", db.toString());
    assertThat(ok.exitCode()).as(ok.stdout() + ok.stderr()).isZero();
    assertThat(ok.stdout()).isEqualTo("ok: no problems found\n");

    Path segment;
    try (Stream<Path> s = Files.list(db.resolve("wal"))) {
      segment = s.filter(p -> p.getFileName().toString().matches("\\d{8}"))
          .filter(p -> p.toFile().length() > 100).findFirst().orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.seek(60);
      int b = f.read();
      f.seek(60);
      f.write(b ^ 0xff);
    }
    CliRun bad = CliRun.run("tsdb", "verify", "--storage.tsdb.path", db.toString());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.stdout()).contains(segment + ":").contains("CRC32C mismatch");
    assertThat(bad.stdout()).endsWith("1 problems found\n");
  }

  @Test
  void inspect_ofAMissingDirectoryIsAUsageError() {
    CliRun r = CliRun.run("tsdb", "inspect", "--storage.tsdb.path", tmp.resolve("nope").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("nope: no such directory");
  }

  @Test
  void verify_listsEveryBlockProblem() throws Exception {
    Path db = database();
    CliRun.run("tsdb", "compact", "--storage.tsdb.path", db.toString(),
        "--storage.tsdb.retention.time", "0");
    List<Path> indexes = new ArrayList<>();
    try (Stream<Path> s = Files.walk(db)) {
      s.filter(p -> p.getFileName().toString().equals("index")).forEach(indexes::add);
    }
    assertThat(indexes).isNotEmpty();
    try (RandomAccessFile f = new RandomAccessFile(indexes.get(0).toFile(), "rw")) {
      f.seek(f.length() - 3);
      f.write(0x55);
    }
    CliRun bad = CliRun.run("tsdb", "verify", "--storage.tsdb.path", db.toString());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.stdout()).contains(indexes.get(0).toString());
  }
}
