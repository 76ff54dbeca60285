package io.conprof.tsdb;

import static io.conprof.tsdb.TsdbTest.CPU;
import static io.conprof.tsdb.TsdbTest.HEAP;
import static io.conprof.tsdb.TsdbTest.fill;
import static io.conprof.tsdb.TsdbTest.opts;
import static io.conprof.tsdb.TsdbTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Sample;
import io.conprof.tsdb.block.BlockMeta;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage to WAL segments, chunk files, the index and meta.json: the database opens, verify names it. */
class TsdbCorruptionTest {
  @TempDir Path dir;

  private List<BlockMeta> withBlocks() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 50);
      db.compact();
      return db.stats().blocks();
    }
  }

  private static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xA5);
    }
  }

  @Test
  void damagedChunk_failsOnlyTheReadWithFileAndOffsetAndVerifyNamesIt() throws Exception {
    List<BlockMeta> blocks = withBlocks();
    Path chunk = dir.resolve(blocks.get(0).ulid()).resolve("chunks").resolve("000001");
    flip(chunk, Files.size(chunk) / 2);
    assertThat(Tsdb.verify(dir)).anySatisfy(p -> {
      assertThat(p.file()).isEqualTo(chunk);
      assertThat(p.offset()).isNotNegative();
    });
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThatThrownBy(() -> {
        read(db, HEAP, 0, 999);
        read(db, CPU, 0, 999);
      }).isInstanceOfAny(IOException.class, UncheckedIOException.class)
          .hasMessageContaining(chunk.toString());
      // other blocks and the head still answer
      assertThat(read(db, HEAP, 2000, 4900)).hasSize(30);
    }
  }

  @Test
  void truncatedIndex_leavesTheBlockOutAndTheRestOpens() throws Exception {
    List<BlockMeta> blocks = withBlocks();
    Path index = dir.resolve(blocks.get(0).ulid()).resolve("index");
    try (RandomAccessFile f = new RandomAccessFile(index.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    assertThat(Tsdb.verify(dir)).anySatisfy(p -> assertThat(p.file()).isEqualTo(index));
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThat(db.stats().damagedBlocks()).containsExactly(index.getParent());
      assertThat(read(db, HEAP, 0, 999)).isEmpty();
      assertThat(read(db, HEAP, 1000, 4900)).hasSize(40);
    }
  }

  @Test
  void garbageMetaJson_leavesTheBlockOut() throws Exception {
    List<BlockMeta> blocks = withBlocks();
    Path meta = dir.resolve(blocks.get(1).ulid()).resolve("meta.json");
    Files.writeString(meta, "{\"ulid\": 12, nonsense");
    assertThat(Tsdb.verify(dir)).anySatisfy(p -> assertThat(p.file()).isEqualTo(meta));
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThat(db.stats().damagedBlocks()).containsExactly(meta.getParent());
      assertThat(db.stats().blocks()).hasSize(blocks.size() - 1);
    }
  }

  private Path newestSegment() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
      return s.filter(p -> p.getFileName().toString().matches("\\d{8}"))
          .max(Path::compareTo).orElseThrow();
    }
  }

  @Test
  void tornWalTail_isCutAndEveryEarlierCommitRemains() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 10);
    }
    Path seg = newestSegment();
    long size = Files.size(seg);
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(size - 40); // inside the last batch (the sample at 900 ms of CPU and HEAP)
    }
    assertThat(Tsdb.verify(dir)).isEmpty(); // a torn newest tail is what a crash leaves
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      List<Sample> heap = read(db, HEAP, 0, 10_000);
      assertThat(heap).extracting(Sample::timestampMillis)
          .containsExactly(0L, 100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L);
      TsdbTest.append(db, HEAP, 900, TsdbTest.profile(9, 9));
    }
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      assertThat(read(db, HEAP, 0, 10_000)).hasSize(10);
    }
  }

  @Test
  void corruptWalRecord_dropsTheRestOfThatSegmentOnlyAndTheDatabaseOpens() throws Exception {
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      fill(db, 10);
    }
    Path first = newestSegment();
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      TsdbTest.append(db, HEAP, 1000, TsdbTest.profile(10, 10));
    }
    flip(first, Files.size(first) / 2);
    List<StorageProblem> problems = Tsdb.verify(dir);
    assertThat(problems).singleElement().satisfies(p -> assertThat(p.file()).isEqualTo(first));
    try (Tsdb db = Tsdb.open(dir, opts().build())) {
      List<Sample> heap = read(db, HEAP, 0, 10_000);
      assertThat(heap).isNotEmpty().hasSizeLessThan(11);
      assertThat(heap.get(heap.size() - 1).timestampMillis()).isEqualTo(1000); // later segment kept
    }
    assertThat(Tsdb.verify(dir)).isEmpty(); // repaired on open
  }
}
