package io.conprof.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactorTest {
  @TempDir Path dataDir;

  private static Sample s(long t, int v) {
    byte[] b = new byte[64];
    java.util.Arrays.fill(b, (byte) v);
    return new Sample(t, b);
  }

  @Test
  void compact_mergesOverlappingBlocksDeduplicatesAndAppliesTombstones() throws Exception {
    Labels a = Labels.of("__name__", "heap", "job", "a");
    Labels b = Labels.of("__name__", "heap", "job", "b");
    Labels c = Labels.of("__name__", "profile", "job", "c");
    // block 1: [0, 100)
    BlockMeta m1 = TestData.write(dataDir, new TreeMap<>(Map.of(
        a, List.of(s(10, 1), s(60, 2)),
        b, List.of(s(20, 3)))), 0, 100);
    // block 2: [100, 200), a sample of b will be deleted
    BlockMeta m2 = TestData.write(dataDir, new TreeMap<>(Map.of(
        a, List.of(s(110, 4)),
        b, List.of(s(120, 5), s(130, 6), s(140, 7)))), 100, 200);
    // block 3: [50, 150) overlaps both; a@60 is a duplicate with identical bytes; c only here
    BlockMeta m3 = TestData.write(dataDir, new TreeMap<>(Map.of(
        a, List.of(s(60, 2), s(70, 8), s(105, 9)),
        c, List.of(s(55, 10)))), 50, 150);
    List<Block> parents = new ArrayList<>();
    try {
      for (BlockMeta m : List.of(m2, m3, m1)) {
        parents.add(Block.open(dataDir.resolve(m.ulid())));
      }
      parents.get(0).delete(List.of(Matcher.equal("job", "b")), 125, 135);
      BlockMeta out = Compactor.compact(dataDir, parents, TestData.FAST);

      assertThat(out.minTimeMillis()).isZero();
      assertThat(out.maxTimeMillis()).isEqualTo(200);
      assertThat(out.level()).isEqualTo(2);
      assertThat(out.sources()).containsExactlyInAnyOrder(m1.ulid(), m2.ulid(), m3.ulid()).isSorted();
      assertThat(out.parents()).containsExactly(m1.ulid(), m3.ulid(), m2.ulid()); // by minTime
      assertThat(out.numSeries()).isEqualTo(3);
      assertThat(out.numSamples()).isEqualTo(5 + 3 + 1);
      try (Block merged = Block.open(dataDir.resolve(out.ulid()))) {
        List<BlockSeries> all = merged.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(all).extracting(BlockSeries::labels).containsExactly(a, b, c);
        assertThat(TestData.read(all.get(0), Long.MIN_VALUE, Long.MAX_VALUE))
            .containsExactly(s(10, 1), s(60, 2), s(70, 8), s(105, 9), s(110, 4));
        assertThat(TestData.read(all.get(1), Long.MIN_VALUE, Long.MAX_VALUE)).containsExactly(s(20, 3), s(120, 5), s(140, 7));
        assertThat(TestData.read(all.get(2), Long.MIN_VALUE, Long.MAX_VALUE)).containsExactly(s(55, 10));
        assertThat(merged.tombstoneCount()).isZero();
      }
      assertThat(BlockVerifier.verify(dataDir.resolve(out.ulid()))).isEmpty();

      // a second level: the output with a new block
      BlockMeta m4 = TestData.write(dataDir, new TreeMap<>(Map.of(a, List.of(s(250, 11)))), 200, 300);
      try (Block merged = Block.open(dataDir.resolve(out.ulid())); Block b4 = Block.open(dataDir.resolve(m4.ulid()))) {
        BlockMeta out2 = Compactor.compact(dataDir, List.of(merged, b4), TestData.FAST);
        assertThat(out2.level()).isEqualTo(3);
        assertThat(out2.sources()).containsExactlyInAnyOrder(m1.ulid(), m2.ulid(), m3.ulid(), m4.ulid());
        assertThat(out2.parents()).containsExactly(out.ulid(), m4.ulid());
        assertThat(out2.numSamples()).isEqualTo(10);
      }
    } finally {
      parents.forEach(Block::close);
    }
  }

  @Test
  void compact_conflictingDuplicateKeepsTheEarliestParentsCopy() throws Exception {
    Labels a = Labels.of("__name__", "heap");
    BlockMeta m1 = TestData.write(dataDir, Map.of(a, List.of(s(10, 1))), 0, 100);
    BlockMeta m2 = TestData.write(dataDir, Map.of(a, List.of(s(10, 2), s(20, 3))), 5, 100);
    try (Block b1 = Block.open(dataDir.resolve(m1.ulid())); Block b2 = Block.open(dataDir.resolve(m2.ulid()))) {
      BlockMeta out = Compactor.compact(dataDir, List.of(b2, b1), TestData.FAST);
      try (Block merged = Block.open(dataDir.resolve(out.ulid()))) {
        BlockSeries series = merged.select(List.of(), 0, 100).get(0);
        assertThat(TestData.read(series, 0, 100)).containsExactly(s(10, 1), s(20, 3));
      }
    }
  }

  @Test
  void compact_randomBlocksPreserveEverySample() throws Exception {
    Random rnd = new Random(8);
    TreeMap<Labels, List<Sample>> expected = new TreeMap<>();
    List<Block> parents = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        TreeMap<Labels, List<Sample>> series = TestData.randomSeries(rnd, 12, i * 1_000_000L, (i + 1) * 1_000_000L);
        BlockMeta m = TestData.write(dataDir, series, i * 1_000_000L, (i + 1) * 1_000_000L);
        parents.add(Block.open(dataDir.resolve(m.ulid())));
        series.forEach((l, s) -> expected.computeIfAbsent(l, k -> new ArrayList<>()).addAll(s));
      }
      BlockMeta out = Compactor.compact(dataDir, parents, new BlockWriter.Options(32, 3, false, 1, List.of(), List.of()));
      try (Block merged = Block.open(dataDir.resolve(out.ulid()))) {
        List<BlockSeries> all = merged.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE);
        assertThat(all).extracting(BlockSeries::labels).containsExactlyElementsOf(expected.keySet());
        for (BlockSeries s : all) {
          assertThat(TestData.read(s, Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(expected.get(s.labels()));
        }
      }
    } finally {
      parents.forEach(Block::close);
    }
  }

  @Test
  void compact_damagedParentFailsCleanlyAndLeavesNoTemporaryDirectory() throws Exception {
    Labels a = Labels.of("__name__", "heap");
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      samples.add(s(10 + i, i));
    }
    BlockMeta m1 = TestData.write(dataDir, Map.of(a, samples), 0, 100);
    BlockMeta m2 = TestData.write(dataDir, Map.of(a, List.of(s(150, 1))), 100, 200);
    Path seg = dataDir.resolve(m1.ulid()).resolve("chunks/000001");
    byte[] bytes = java.nio.file.Files.readAllBytes(seg);
    bytes[bytes.length - 10] ^= 0x01; // inside the last chunk's payload
    java.nio.file.Files.write(seg, bytes);
    try (Block b1 = Block.open(dataDir.resolve(m1.ulid())); Block b2 = Block.open(dataDir.resolve(m2.ulid()))) {
      assertThatThrownBy(() -> Compactor.compact(dataDir, List.of(b1, b2), TestData.FAST))
          .isInstanceOf(CorruptBlockException.class)
          .hasMessageContaining(seg.toString());
    }
    try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(dataDir)) {
      assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(m1.ulid(), m2.ulid());
    }
  }

  @Test
  void compact_refusesNoParents() {
    assertThatThrownBy(() -> Compactor.compact(dataDir, List.of(), TestData.FAST))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
