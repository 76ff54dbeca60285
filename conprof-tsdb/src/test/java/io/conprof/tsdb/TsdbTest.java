package io.conprof.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.block.BlockMeta;
import io.conprof.tsdb.block.BlockWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsdbTest {
  static final Labels HEAP = Labels.of("__name__", "heap", "job", "api");
  static final Labels CPU = Labels.of("__name__", "profile", "job", "api");

  @TempDir Path dir;

  static TsdbOptions.Builder opts() {
    return TsdbOptions.builder()
        .registry(SeriesRegistryKind.IN_MEMORY)
        .backgroundCompaction(false)
        .blockRange(Duration.ofMillis(1000))
        .retentionTime(Duration.ZERO)
        .walSegmentBytes(64 * 1024);
  }

  static byte[] profile(long ts, int size) {
    byte[] b = new byte[size];
    new Random(ts * 31 + size).nextBytes(b);
    b[0] = 0x0a; // not gzip
    return b;
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  static void append(Tsdb db, Labels l, long ts, byte[] bytes) throws Exception {
    Appender a = db.appender();
    a.append(l, ts, bytes);
    a.commit();
  }

  static List<Sample> read(Tsdb db, Labels l, long mint, long maxt) throws IOException {
    try (Querier q = db.querier(mint, maxt)) {
      List<Matcher> ms = new ArrayList<>();
      for (var label : l) {
        ms.add(Matcher.equal(label.name(), label.value()));
      }
      List<Series> ss = q.select(ms);
      List<Sample> out = new ArrayList<>();
      for (Series s : ss) {
        if (s.labels().equals(l)) {
          s.samples().forEachRemaining(out::add);
        }
      }
      return out;
    }
  }

  @Test
  void appendAndQuery_returnGunzippedBytesAcrossRestart() throws Exception {
    byte[] raw = profile(5, 5000);
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      Appender a = db.appender();
      a.append(HEAP, 1000, gzip(raw));
      a.append(HEAP, 2000, profile(2000, 300));
      a.append(CPU, 1500, profile(1500, 700));
      a.commit();
      assertThat(read(db, HEAP, 0, 10_000))
          .containsExactly(new Sample(1000, raw), new Sample(2000, profile(2000, 300)));
    }
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThat(read(db, HEAP, 0, 10_000))
          .containsExactly(new Sample(1000, raw), new Sample(2000, profile(2000, 300)));
      assertThat(read(db, CPU, 1500, 1500)).containsExactly(new Sample(1500, profile(1500, 700)));
      assertThat(read(db, CPU, 1501, 9000)).isEmpty();
      try (Querier q = db.querier(0, 10_000)) {
        assertThat(q.labelNames(List.of())).containsExactly("__name__", "job");
        assertThat(q.labelValues("__name__", List.of())).containsExactly("heap", "profile");
        assertThat(q.labelValues("__name__", List.of(Matcher.equal("__name__", "heap"))))
            .containsExactly("heap");
        assertThat(q.select(List.of(Matcher.regex("__name__", "h.*")))).singleElement()
            .satisfies(s -> assertThat(s.timestamps()).containsExactly(1000, 2000));
      }
    }
  }

  @Test
  void asSink_storesEachProfileAndReportsRefusalsAsIoErrors() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      io.conprof.core.sink.ProfileSink sink = db.asSink();
      sink.append(HEAP, 1000, gzip(profile(1, 100)));
      assertThat(read(db, HEAP, 0, 5000)).containsExactly(new Sample(1000, profile(1, 100)));
      assertThatThrownBy(() -> sink.append(HEAP, 999, profile(2, 100)))
          .isInstanceOf(IOException.class)
          .hasCauseInstanceOf(OutOfOrderSampleException.class)
          .hasMessageContaining("out-of-order sample");
    }
  }

  @Test
  void commit_refusesOutOfOrderSampleNamingSeriesAndBothTimestamps() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      append(db, HEAP, 2000, profile(1, 10));
      Appender a = db.appender();
      a.append(CPU, 2100, profile(2, 10));
      a.append(HEAP, 1999, profile(3, 10));
      assertThatThrownBy(a::commit)
          .isInstanceOf(OutOfOrderSampleException.class)
          .hasMessage("series {__name__=\"heap\", job=\"api\"}: out-of-order sample: timestamp "
              + "1999 ms is before the series' last sample at 2000 ms");
      // the whole batch was refused, CPU included
      assertThat(read(db, CPU, 0, 10_000)).isEmpty();
      assertThat(a.pendingSamples()).isZero();
    }
  }

  @Test
  void commit_acceptsIdenticalDuplicateAsNoOpAndRefusesDifferentBytes() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      append(db, HEAP, 2000, profile(1, 10));
      append(db, HEAP, 2000, profile(1, 10));
      assertThat(read(db, HEAP, 0, 10_000)).hasSize(1);
      assertThatThrownBy(() -> append(db, HEAP, 2000, profile(2, 10)))
          .isInstanceOf(DuplicateSampleException.class)
          .hasMessageContaining("series {__name__=\"heap\", job=\"api\"}")
          .hasMessageContaining("timestamp 2000 ms equals the series' last sample at 2000 ms");
      Appender a = db.appender();
      a.append(CPU, 2100, profile(5, 10));
      a.append(CPU, 2100, profile(6, 10));
      assertThatThrownBy(a::commit).isInstanceOf(DuplicateSampleException.class);
      assertThat(db.stats().rejected()).isEqualTo(new TsdbStats.Rejected(0, 2, 0, 0, 0));
    }
  }

  @Test
  void append_refusesEmptyAndOversizedSamplesNamingTheLimit() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().maxSampleBytes(1000).build())) {
      Appender a = db.appender();
      assertThatThrownBy(() -> a.append(HEAP, 1, new byte[0]))
          .isInstanceOf(SampleTooLargeException.class)
          .hasMessageContaining("empty sample")
          .hasMessageContaining("1000 bytes");
      assertThatThrownBy(() -> a.append(HEAP, 1, profile(1, 1001)))
          .isInstanceOf(SampleTooLargeException.class)
          .hasMessage("series {__name__=\"heap\", job=\"api\"}: sample of 1001 bytes "
              + "(uncompressed) exceeds the limit of 1000 bytes (maxSampleBytes)");
      assertThatThrownBy(() -> a.append(HEAP, 1, gzip(new byte[5000])))
          .isInstanceOf(io.conprof.core.pprof.InvalidProfileException.class)
          .hasMessageContaining("1000");
    }
  }

  @Test
  void commit_refusesNewSeriesBeyondMaxSeries() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().maxSeries(1).build())) {
      append(db, HEAP, 1, profile(1, 10));
      assertThatThrownBy(() -> append(db, CPU, 1, profile(1, 10)))
          .isInstanceOf(TooManySeriesException.class)
          .hasMessageContaining("maximum of 1 series");
    }
  }

  @Test
  void open_secondWriterGetsLockedErrorNamingDirectory() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThatThrownBy(() -> Tsdb.open(db.dir(), opts().build()))
          .isInstanceOf(TsdbLockedException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("locked by another writer")
          .hasMessageContaining("held by this process");
    }
    Tsdb.open(dir, opts().build()).close(); // released on close
  }

  /** Appends one sample per 100 ms for both series over [0, n*100). */
  static void fill(Tsdb db, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      Appender a = db.appender();
      a.append(HEAP, i * 100L, profile(i * 100L, 200 + i));
      a.append(CPU, i * 100L, profile(i * 100L + 1, 100 + i));
      a.commit();
    }
  }

  static void assertComplete(Tsdb db, int n) throws IOException {
    List<Sample> heap = read(db, HEAP, Long.MIN_VALUE, Long.MAX_VALUE);
    assertThat(heap).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(heap.get(i)).isEqualTo(new Sample(i * 100L, profile(i * 100L, 200 + i)));
    }
    assertThat(read(db, CPU, Long.MIN_VALUE, Long.MAX_VALUE)).hasSize(n);
  }

  @Test
  void compact_cutsHeadIntoBlocksAndEverySampleStaysExactlyOnce() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 100); // 10 s of data, block range 1 s
      db.compact();
      TsdbStats st = db.stats();
      assertThat(st.blocks()).isNotEmpty();
      assertThat(st.head().minTimeMillis()).isGreaterThanOrEqualTo(8000);
      assertComplete(db, 100);
      assertThat(db.stats().head().walSegments()).isLessThan(10);
    }
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertComplete(db, 100);
      assertThatThrownBy(() -> append(db, HEAP, 500, profile(1, 10)))
          .isInstanceOf(OutOfBoundsSampleException.class)
          .hasMessageContaining("timestamp 500 ms is before the oldest time the head accepts");
    }
  }

  @Test
  void compact_mergesBlocksIntoHigherLevels() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 200);
      db.compact();
      assertThat(db.stats().blocks()).extracting(BlockMeta::level).contains(2);
      assertComplete(db, 200);
    }
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertComplete(db, 200);
    }
  }

  @Test
  void retention_byTimeDeletesOldBlocks() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().retentionTime(Duration.ofSeconds(5)).build())) {
      fill(db, 200);
      db.compact();
      long oldest = db.stats().blocks().get(0).minTimeMillis();
      assertThat(oldest).isGreaterThan(0);
      List<Sample> heap = read(db, HEAP, Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(heap.get(0).timestampMillis()).isEqualTo(oldest);
      assertThat(heap.get(heap.size() - 1).timestampMillis()).isEqualTo(19_900);
    }
  }

  @Test
  void retention_bySizeKeepsNewestBlocksWithinTheLimit() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().retentionBytes(200_000).build())) {
      fill(db, 200);
      db.compact();
      long total = db.stats().head().walBytes();
      for (BlockMeta m : db.stats().blocks()) {
        total += m.numBytes();
      }
      assertThat(total).isLessThanOrEqualTo(200_000);
      assertThat(read(db, HEAP, 19_900, 19_900)).hasSize(1);
    }
  }

  @Test
  void delete_hidesSamplesInHeadAndBlocksAndSurvivesRestartAndCompaction() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 50);
      db.compact();
      db.delete(List.of(Matcher.equal("__name__", "heap")), 1000, 4500);
      assertThat(read(db, HEAP, 0, 10_000)).extracting(Sample::timestampMillis)
          .noneMatch(t -> t >= 1000 && t <= 4500)
          .hasSize(50 - 36);
      assertThat(read(db, CPU, 0, 10_000)).hasSize(50);
    }
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThat(read(db, HEAP, 0, 10_000)).hasSize(50 - 36);
      fill2(db, 50, 100);
      db.compact();
      assertThat(read(db, HEAP, 0, 4999)).hasSize(50 - 36);
    }
  }

  private static void fill2(Tsdb db, int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      Appender a = db.appender();
      a.append(HEAP, i * 100L, profile(i * 100L, 200 + i));
      a.append(CPU, i * 100L, profile(i * 100L + 1, 100 + i));
      a.commit();
    }
  }

  @Test
  void querier_openDuringCompactionKeepsItsViewAndNewQuerierSeesBlocks() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 50);
      Querier before = db.querier(Long.MIN_VALUE, Long.MAX_VALUE);
      List<Series> selected = before.select(List.of(Matcher.equal("__name__", "heap")));
      Thread compactor = new Thread(() -> {
        try {
          db.compact();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      compactor.start();
      // the old view reads everything from the head while compaction waits for it
      Iterator<Sample> it = selected.get(0).samples();
      int n = 0;
      while (it.hasNext()) {
        assertThat(it.next().timestampMillis()).isEqualTo(n * 100L);
        n++;
      }
      assertThat(n).isEqualTo(50);
      before.close();
      compactor.join();
      assertThat(db.stats().blocks()).isNotEmpty();
      assertComplete(db, 50);
    }
  }

  @Test
  void open_removesLeftoversAndParentsAndLeavesOutDamagedBlock() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 50);
      db.compact();
    }
    List<BlockMeta> blocks;
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      blocks = db.stats().blocks();
    }
    assertThat(blocks.size()).isGreaterThanOrEqualTo(2);
    Files.createDirectories(dir.resolve("01ARZ3NDEKTSV4RRFFQ69G5FAV" + BlockWriter.TMP_CREATION_SUFFIX));
    Files.createDirectories(dir.resolve("01ARZ3NDEKTSV4RRFFQ69G5FAW" + BlockWriter.TMP_DELETION_SUFFIX));
    Path damaged = dir.resolve(blocks.get(1).ulid());
    try (RandomAccessFile f = new RandomAccessFile(damaged.resolve("meta.json").toFile(), "rw")) {
      f.setLength(5);
    }
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThat(db.stats().damagedBlocks()).containsExactly(damaged);
      assertThat(db.stats().blocks()).hasSize(blocks.size() - 1);
      assertThat(read(db, HEAP, 4900, 4900)).hasSize(1); // the head still answers
    }
    assertThat(dir.resolve("01ARZ3NDEKTSV4RRFFQ69G5FAV" + BlockWriter.TMP_CREATION_SUFFIX)).doesNotExist();
    assertThat(dir.resolve("01ARZ3NDEKTSV4RRFFQ69G5FAW" + BlockWriter.TMP_DELETION_SUFFIX)).doesNotExist();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  @Test
  void open_afterCrashBetweenBlockWriteAndWalTruncation_keepsEverySampleOnce() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    try (Tsdb db = Tsdb.open(a, opts().build())) {
      fill(db, 30);
    }
    copyTree(a, b); // b: the WAL as it was before compaction
    try (Tsdb db = Tsdb.open(a, opts().build())) {
      db.compact();
    }
    try (var s = Files.list(a)) {
      for (Path p : s.toList()) {
        if (p.getFileName().toString().matches("[0-9A-Z]{26}")) {
          copyTree(p, b.resolve(p.getFileName().toString())); // the blocks, as if just renamed
        }
      }
    }
    try (Tsdb db = Tsdb.open(b, opts().build())) {
      assertComplete(db, 30);
      TsdbStats st = db.stats();
      long stored = st.head().numSamples();
      for (BlockMeta m : st.blocks()) {
        stored += m.numSamples();
      }
      assertThat(st.blocks()).isNotEmpty();
      assertThat(stored).isEqualTo(60);
    }
  }

  @Test
  void open_deletesParentsOfALoadedBlock() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 200);
      db.compact();
    }
    // Simulate a crash after a compaction wrote its block but before the parents were removed:
    // restore a copy of one parent next to its child.
    Path child;
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      BlockMeta merged = db.stats().blocks().stream().filter(m -> m.level() > 1).findFirst()
          .orElseThrow();
      child = dir.resolve(merged.ulid());
      String parent = merged.parents().get(0);
      Files.createDirectories(dir.resolve(parent));
      try (var files = Files.list(child)) {
        for (Path p : files.toList()) {
          if (Files.isRegularFile(p)) {
            Files.copy(p, dir.resolve(parent).resolve(p.getFileName()));
          }
        }
      }
    }
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertComplete(db, 200);
    }
    assertThat(child).exists();
  }
}
