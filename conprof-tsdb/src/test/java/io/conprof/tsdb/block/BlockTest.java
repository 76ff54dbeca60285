package io.conprof.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockTest {
  private static final long MINT = 1_700_000_000_000L;
  private static final long MAXT = MINT + 7_200_000L;

  @TempDir Path dataDir;

  @Test
  void write_thenSelectAllReturnsEverySampleByteIdentical() throws Exception {
    TreeMap<Labels, List<Sample>> series = TestData.randomSeries(new Random(1), 20, MINT, MAXT);
    BlockMeta meta = TestData.write(dataDir, series, MINT, MAXT);
    assertThat(dataDir.resolve(meta.ulid())).isDirectory();
    try (Stream<Path> s = Files.list(dataDir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly(meta.ulid());
    }
    assertThat(meta.numSeries()).isEqualTo(20);
    assertThat(meta.numSamples()).isEqualTo(series.values().stream().mapToLong(List::size).sum());
    assertThat(meta.level()).isEqualTo(1);
    assertThat(meta.sources()).containsExactly(meta.ulid());
    assertThat(meta.numBytes()).isPositive();
    try (Block block = Block.open(dataDir.resolve(meta.ulid()))) {
      assertThat(block.meta()).isEqualTo(meta);
      List<BlockSeries> all = block.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(all).extracting(BlockSeries::labels).containsExactlyElementsOf(series.keySet());
      for (BlockSeries s : all) {
        assertThat(TestData.read(s, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(series.get(s.labels()));
        assertThat(s.timestamps(Long.MIN_VALUE, Long.MAX_VALUE))
            .containsExactly(series.get(s.labels()).stream().mapToLong(Sample::timestampMillis).toArray());
      }
    }
    assertThat(BlockVerifier.verify(dataDir.resolve(meta.ulid()))).isEmpty();
  }

  @Test
  void select_matchersFollowPrometheusRules() throws Exception {
    TreeMap<Labels, List<Sample>> series = TestData.randomSeries(new Random(2), 25, MINT, MAXT);
    BlockMeta meta = TestData.write(dataDir, series, MINT, MAXT);
    List<List<Matcher>> cases = List.of(
        List.of(Matcher.equal("__name__", "heap")),
        List.of(Matcher.equal("__name__", "heap"), Matcher.equal("job", "api")),
        List.of(Matcher.notEqual("job", "api")),
        List.of(Matcher.regex("instance", "10\\.0\\.0\\.1.*")),
        List.of(Matcher.notRegex("__name__", "heap|allocs"), Matcher.regex("job", ".+")),
        List.of(Matcher.equal("zone", "")),
        List.of(Matcher.notEqual("zone", ""), Matcher.equal("job", "db")),
        List.of(Matcher.regex("zone", "eu-0|")),
        List.of(Matcher.equal("missing", "x")),
        List.of(Matcher.equal("__name__", "nope")));
    try (Block block = Block.open(dataDir.resolve(meta.ulid()))) {
      for (List<Matcher> ms : cases) {
        List<Labels> expected = series.keySet().stream().filter(l -> l.matches(ms)).toList();
        assertThat(block.select(ms, Long.MIN_VALUE, Long.MAX_VALUE)).as("%s", ms).extracting(BlockSeries::labels)
            .containsExactlyElementsOf(expected);
        List<String> expectedJobs = expected.stream().map(l -> l.get("job")).distinct().sorted().toList();
        assertThat(block.labelValues("job", ms)).as("%s", ms).containsExactlyElementsOf(expectedJobs);
      }
      assertThat(block.labelNames(List.of())).containsExactly("__name__", "instance", "job", "zone");
      assertThat(block.labelNames(List.of(Matcher.equal("zone", "")))).containsExactly("__name__", "instance", "job");
      assertThat(block.labelValues("__name__", List.of())).containsExactly("allocs", "goroutine", "heap", "profile");
    }
  }

  @Test
  void select_timeRangeIsInclusiveAndDropsSeriesWithoutSamplesInIt() throws Exception {
    Labels a = Labels.of("__name__", "heap", "job", "a");
    Labels b = Labels.of("__name__", "heap", "job", "b");
    TreeMap<Labels, List<Sample>> series = new TreeMap<>();
    List<Sample> as = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      as.add(new Sample(MINT + i * 10_000L, new byte[] {(byte) i}));
    }
    series.put(a, as);
    series.put(b, List.of(new Sample(MINT + 5_000, new byte[] {42}), new Sample(MINT + 95_000, new byte[0])));
    BlockMeta meta = TestData.write(dataDir, series, MINT, MAXT);
    try (Block block = Block.open(dataDir.resolve(meta.ulid()))) {
      List<BlockSeries> sel = block.select(List.of(), MINT + 20_000, MINT + 40_000);
      assertThat(sel).extracting(BlockSeries::labels).containsExactly(a);
      assertThat(sel.get(0).timestamps(MINT + 20_000, MINT + 40_000)).containsExactly(MINT + 20_000, MINT + 30_000, MINT + 40_000);
      assertThat(TestData.read(sel.get(0), MINT + 20_000, MINT + 40_000)).isEqualTo(as.subList(2, 5));
      assertThat(block.select(List.of(), MINT + 95_000, MINT + 95_000)).extracting(BlockSeries::labels).containsExactly(b);
      assertThat(block.select(List.of(), MAXT, Long.MAX_VALUE)).isEmpty();
      assertThat(block.select(List.of(), 0, MINT - 1)).isEmpty();
    }
  }

  @Test
  void write_cutsChunksAtMaxSamples() throws Exception {
    Labels a = Labels.of("__name__", "heap");
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      samples.add(new Sample(MINT + i, new byte[] {1, 2, 3}));
    }
    BlockMeta meta = TestData.write(dataDir, Map.of(a, samples), MINT, MAXT);
    assertThat(meta.numChunks()).isEqualTo(3); // 4 + 4 + 2
  }

  @Test
  void write_refusesUnsortedSeriesBadTimestampsAndLeavesNothingBehind() throws Exception {
    Labels a = Labels.of("__name__", "a");
    Labels b = Labels.of("__name__", "b");
    List<SeriesSource> unsorted = List.of(new TestData.Series(b, List.of(new Sample(MINT, new byte[0]))),
        new TestData.Series(a, List.of(new Sample(MINT, new byte[0]))));
    assertThatThrownBy(() -> BlockWriter.write(dataDir, unsorted.iterator(), MINT, MAXT, TestData.FAST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not after");
    List<SeriesSource> dup = List.of(new TestData.Series(a, List.of(new Sample(MINT, new byte[0]), new Sample(MINT, new byte[0]))));
    assertThatThrownBy(() -> BlockWriter.write(dataDir, dup.iterator(), MINT, MAXT, TestData.FAST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not after");
    List<SeriesSource> outside = List.of(new TestData.Series(a, List.of(new Sample(MAXT, new byte[0]))));
    assertThatThrownBy(() -> BlockWriter.write(dataDir, outside.iterator(), MINT, MAXT, TestData.FAST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the block range");
    Iterator<SeriesSource> failing = new Iterator<>() {
      int n;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public SeriesSource next() {
        if (n++ > 0) {
          throw new IllegalStateException("source failed");
        }
        return new TestData.Series(a, List.of(new Sample(MINT, new byte[10])));
      }
    };
    assertThatThrownBy(() -> BlockWriter.write(dataDir, failing, MINT, MAXT, TestData.FAST))
        .isInstanceOf(IllegalStateException.class);
    try (Stream<Path> s = Files.list(dataDir)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void emptyBlock_opensAndSelectsNothing() throws Exception {
    BlockMeta meta = TestData.write(dataDir, Map.of(), MINT, MAXT);
    assertThat(meta.numSeries()).isZero();
    try (Block block = Block.open(dataDir.resolve(meta.ulid()))) {
      assertThat(block.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE)).isEmpty();
      assertThat(block.labelNames(List.of())).isEmpty();
    }
    assertThat(BlockVerifier.verify(dataDir.resolve(meta.ulid()))).isEmpty();
  }

  @Test
  void delete_masksSamplesAndSurvivesReopen() throws Exception {
    TreeMap<Labels, List<Sample>> series = new TreeMap<>();
    Labels a = Labels.of("__name__", "heap", "job", "a");
    Labels b = Labels.of("__name__", "heap", "job", "b");
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      samples.add(new Sample(MINT + i * 1000L, new byte[] {(byte) i, 7, 7, 7}));
    }
    series.put(a, samples);
    series.put(b, samples);
    BlockMeta meta = TestData.write(dataDir, series, MINT, MAXT);
    Path dir = dataDir.resolve(meta.ulid());
    try (Block block = Block.open(dir)) {
      block.delete(List.of(Matcher.equal("job", "a")), MINT + 2000, MINT + 4000);
      block.delete(List.of(Matcher.equal("job", "a")), MINT + 5000, MINT + 5000);
      List<BlockSeries> sel = block.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(sel.get(0).timestamps(Long.MIN_VALUE, Long.MAX_VALUE))
          .containsExactly(MINT, MINT + 1000, MINT + 6000, MINT + 7000, MINT + 8000, MINT + 9000);
      assertThat(TestData.read(sel.get(1), Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(samples);
      assertThat(block.tombstoneCount()).isEqualTo(2);
      block.delete(List.of(Matcher.equal("job", "a")), MINT + 4001, MINT + 4999);
      assertThat(block.tombstoneCount()).as("adjacent intervals merge").isEqualTo(1);
    }
    try (Block block = Block.open(dir)) {
      List<BlockSeries> sel = block.select(List.of(Matcher.equal("job", "a")), Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(TestData.read(sel.get(0), Long.MIN_VALUE, Long.MAX_VALUE)).extracting(Sample::timestampMillis)
          .containsExactly(MINT, MINT + 1000, MINT + 6000, MINT + 7000, MINT + 8000, MINT + 9000);
      block.delete(List.of(Matcher.equal("job", "a")), Long.MIN_VALUE, Long.MAX_VALUE);
      assertThat(block.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE)).extracting(BlockSeries::labels).containsExactly(b);
    }
    assertThat(BlockVerifier.verify(dir)).isEmpty();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("chunks", "index", "meta.json", "tombstones");
    }
  }

  @Test
  void concurrentReaders_seeEitherTheOldOrTheNewTombstonesWhileDeleting() throws Exception {
    TreeMap<Labels, List<Sample>> series = TestData.randomSeries(new Random(31), 10, MINT, MAXT);
    BlockMeta meta = TestData.write(dataDir, series, MINT, MAXT);
    Labels victim = series.firstKey();
    List<Sample> before = series.get(victim);
    long cut = before.get(before.size() / 2).timestampMillis();
    List<Sample> after = before.stream().filter(s -> s.timestampMillis() < cut).toList();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try (Block block = Block.open(dataDir.resolve(meta.ulid()))) {
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        readers.add(pool.submit(() -> {
          start.await();
          int checked = 0;
          for (int round = 0; round < 8; round++) {
            for (BlockSeries s : block.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE)) {
              List<Sample> got = TestData.read(s, Long.MIN_VALUE, Long.MAX_VALUE);
              if (s.labels().equals(victim)) {
                assertThat(got).satisfiesAnyOf(g -> assertThat(g).isEqualTo(before), g -> assertThat(g).isEqualTo(after));
              } else {
                assertThat(got).isEqualTo(series.get(s.labels()));
              }
              checked++;
            }
          }
          return checked;
        }));
      }
      java.util.concurrent.Future<?> deleter = pool.submit(() -> {
        start.await();
        List<Matcher> ms = new ArrayList<>();
        victim.forEach(l -> ms.add(Matcher.equal(l.name(), l.value())));
        block.delete(ms, cut, Long.MAX_VALUE);
        return null;
      });
      start.countDown();
      deleter.get();
      for (java.util.concurrent.Future<Integer> r : readers) {
        assertThat(r.get()).isEqualTo(8 * 10);
      }
      BlockSeries v = block.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE).get(0);
      assertThat(TestData.read(v, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(after);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void open_missingFilesAreCorruptBlockExceptions() throws Exception {
    BlockMeta meta = TestData.write(dataDir, TestData.randomSeries(new Random(4), 3, MINT, MAXT), MINT, MAXT);
    Path dir = dataDir.resolve(meta.ulid());
    Files.delete(dir.resolve("index"));
    assertThatThrownBy(() -> Block.open(dir)).isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("index file is missing");
    Files.delete(dir.resolve("meta.json"));
    assertThatThrownBy(() -> Block.open(dir)).isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("meta.json is missing");
  }

  @Test
  void ulid_isCrockfordBase32WithTimePrefix() {
    Random rnd = new Random(1);
    String u = Ulid.generate(1_700_000_000_123L, rnd);
    assertThat(u).hasSize(26).matches("[0-9A-HJKMNP-TV-Z]{26}");
    assertThat(Ulid.isValid(u)).isTrue();
    assertThat(Ulid.timeMillis(u)).isEqualTo(1_700_000_000_123L);
    assertThat(Ulid.generate(1_700_000_000_124L, rnd)).isGreaterThan(u);
    assertThat(Ulid.generate(0, rnd)).startsWith("0000000000");
    assertThat(Ulid.isValid("01ARYZ6S41TSV4RRFFQ69G5FAV")).isTrue();
    assertThat(Ulid.timeMillis("01ARYZ6S41TSV4RRFFQ69G5FAV")).isEqualTo(1469918176385L); // example of the ULID spec
    assertThat(Ulid.isValid("01ARZ3NDEKTSV4RRFFQ69G5FAU")).isFalse(); // U is not in the alphabet
    assertThat(Ulid.isValid("81ARZ3NDEKTSV4RRFFQ69G5FAV")).isFalse(); // overflows 128 bits
  }

  @Test
  void tombstones_mergeOverlappingAndAdjacentIntervals() {
    Tombstones t = Tombstones.EMPTY.with(5, 10, 20).with(5, 30, 40).with(5, 21, 25).with(5, 0, 1).with(7, 3, 3);
    assertThat(t.intervals(5)).containsExactly(new long[] {0, 1}, new long[] {10, 25}, new long[] {30, 40});
    assertThat(t.with(5, 2, 35).intervals(5)).containsExactly(new long[] {0, 40});
    assertThat(t.with(5, Long.MIN_VALUE, Long.MAX_VALUE).intervals(5)).containsExactly(new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
    assertThat(Tombstones.isDeleted(t.intervals(5), 24)).isTrue();
    assertThat(Tombstones.isDeleted(t.intervals(5), 27)).isFalse();
    assertThat(Tombstones.covers(t.intervals(5), 31, 39)).isTrue();
  }

  @Test
  void tombstones_roundTripThroughTheFile() throws IOException {
    Tombstones t = Tombstones.EMPTY.with(100, -5, 5).with(16, Long.MIN_VALUE, 0).with(100, 10, 20);
    t.write(dataDir, false);
    Tombstones back = Tombstones.read(dataDir);
    assertThat(back.intervals(100)).containsExactly(new long[] {-5, 5}, new long[] {10, 20});
    assertThat(back.intervals(16)).containsExactly(new long[] {Long.MIN_VALUE, 0});
    assertThat(back.intervalCount()).isEqualTo(3);
  }
}
