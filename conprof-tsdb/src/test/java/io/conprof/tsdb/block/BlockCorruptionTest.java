package io.conprof.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.chunk.ChunkReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages each file of a block (bit flips, truncation) and checks that {@link BlockVerifier} names the file
 * at a plausible offset and that opening and querying fail only with a clean {@link IOException}.
 */
class BlockCorruptionTest {
  private static final long MINT = 0;
  private static final long MAXT = 7_200_000;

  @TempDir Path dataDir;
  private Path dir;

  @BeforeEach
  void writeBlock() throws IOException {
    TreeMap<Labels, List<Sample>> series = TestData.randomSeries(new Random(21), 8, MINT, MAXT);
    BlockMeta meta = TestData.write(dataDir, series, MINT, MAXT);
    dir = dataDir.resolve(meta.ulid());
    try (Block b = Block.open(dir)) {
      b.delete(List.of(Matcher.equal("job", "api")), 1000, 5000);
      b.delete(List.of(Matcher.equal("job", "db")), 8000, 9000);
    }
    assertThat(BlockVerifier.verify(dir)).isEmpty();
  }

  @Test
  void chunkSegment_flipsAreReportedInTheDamagedChunk() throws Exception {
    Path seg = dir.resolve("chunks/000001");
    List<Long> frames = new ArrayList<>();
    try (ChunkReader r = ChunkReader.open(dir.resolve("chunks"))) {
      r.scanSegment(1, frames);
    }
    long size = Files.size(seg);
    for (long at : offsets(size, 150, 1)) {
      damage(seg, bytes -> flip(bytes, at, 0x04), () -> {
        List<BlockVerifier.Problem> problems = BlockVerifier.verify(dir);
        BlockVerifier.Problem p = problemIn(problems, seg, at);
        if (at >= 8) {
          long frameStart = frameStart(frames, at);
          long frameEnd = frameEnd(frames, at, size);
          assertThat(p.offset()).as("flip at %d: %s", at, problems).isBetween(frameStart, frameEnd);
        } else {
          assertThat(p.offset()).isBetween(0L, 8L);
        }
        queryAll();
      });
    }
  }

  @Test
  void chunkSegment_truncationsAreReported() throws Exception {
    Path seg = dir.resolve("chunks/000001");
    long size = Files.size(seg);
    for (long len : offsets(size, 60, 2)) {
      damage(seg, bytes -> Arrays.copyOf(bytes, (int) len), () -> {
        List<BlockVerifier.Problem> problems = BlockVerifier.verify(dir);
        BlockVerifier.Problem p = problemIn(problems, seg, len);
        assertThat(p.offset()).isBetween(-1L, len);
        queryAll();
      });
    }
  }

  @Test
  void index_flipsAndTruncationsAreReported() throws Exception {
    Path index = dir.resolve("index");
    long size = Files.size(index);
    for (long at : offsets(size, 200, 3)) {
      damage(index, bytes -> flip(bytes, at, 0x20), () -> {
        BlockVerifier.Problem p = problemIn(BlockVerifier.verify(dir), index, at);
        assertThat(p.offset()).isBetween(-1L, size);
        queryAll();
      });
    }
    for (long len : offsets(size, 40, 4)) {
      damage(index, bytes -> Arrays.copyOf(bytes, (int) len), () -> {
        BlockVerifier.Problem p = problemIn(BlockVerifier.verify(dir), index, len);
        assertThat(p.offset()).isBetween(-1L, len);
        queryAll();
      });
    }
  }

  @Test
  void tombstones_flipsAndTruncationsAreReported() throws Exception {
    Path file = dir.resolve("tombstones");
    long size = Files.size(file);
    for (long at = 0; at < size; at++) {
      long flipAt = at;
      damage(file, bytes -> flip(bytes, flipAt, 0x01), () -> {
        BlockVerifier.Problem p = problemIn(BlockVerifier.verify(dir), file, flipAt);
        assertThat(p.offset()).isBetween(0L, size);
        queryAll();
      });
    }
    for (long len = 0; len < size; len++) {
      long cut = len;
      damage(file, bytes -> Arrays.copyOf(bytes, (int) cut), () -> {
        BlockVerifier.Problem p = problemIn(BlockVerifier.verify(dir), file, cut);
        assertThat(p.offset()).isBetween(-1L, cut);
        queryAll();
      });
    }
  }

  @Test
  void metaJson_truncationsAndBadFieldsAreReported() throws Exception {
    Path meta = dir.resolve("meta.json");
    long size = Files.size(meta);
    for (long len : offsets(size, 50, 5)) {
      damage(meta, bytes -> Arrays.copyOf(bytes, (int) len), () -> {
        BlockVerifier.Problem p = problemIn(BlockVerifier.verify(dir), meta, len);
        assertThat(p.offset()).isBetween(-1L, len);
        queryAll();
      });
    }
    String json = Files.readString(meta);
    List<String[]> edits = List.of(
        new String[] {"\"version\" : 1", "\"version\" : 2", "unsupported meta.json version 2"},
        new String[] {"\"formatVersion\" : 1", "\"formatVersion\" : 9", "unsupported block format version 9"},
        new String[] {"\"level\" : 1", "\"level\" : 0", "level 0 < 1"},
        new String[] {"\"maxTime\" : 7200000", "\"maxTime\" : -1", "maxTimeMillis -1 <= minTimeMillis 0"},
        new String[] {"\"minTime\" : 0", "\"minTime\" : \"0\"", "\"minTime\" is missing or not a 64-bit integer"},
        new String[] {"\"numSeries\" : 8", "\"numSeries\" : 9", "stats say 9 series"},
        new String[] {"\"ulid\" : \"", "\"ulid\" : \"U", "is not a ULID"},
        new String[] {"\"compaction\" : {", "\"compaction\" : 1, \"x\" : {", "\"compaction\" is missing or not an object"});
    for (String[] e : edits) {
      assertThat(json).contains(e[0]);
      Files.writeString(meta, json.replace(e[0], e[1]));
      List<BlockVerifier.Problem> problems = BlockVerifier.verify(dir);
      assertThat(problems).as("%s", e[1]).anySatisfy(p -> {
        assertThat(p.file()).isEqualTo(meta);
        assertThat(p.message()).contains(e[2]);
      });
      queryAll();
    }
    Files.writeString(meta, json);
    // random flips never crash
    byte[] good = json.getBytes(StandardCharsets.UTF_8);
    Random rnd = new Random(6);
    for (int i = 0; i < 200; i++) {
      byte[] bad = good.clone();
      bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
      Files.write(meta, bad);
      BlockVerifier.verify(dir);
      queryAll();
    }
    Files.write(meta, good);
  }

  @Test
  void verify_reportsChunkReferencesOutsideTheSegment() throws Exception {
    Path seg = dir.resolve("chunks/000001");
    byte[] bytes = Files.readAllBytes(seg);
    Files.write(seg, Arrays.copyOf(bytes, 8)); // header only: every chunk ref now points past the end
    List<BlockVerifier.Problem> problems = BlockVerifier.verify(dir);
    assertThat(problems).anySatisfy(p -> {
      assertThat(p.file()).isEqualTo(seg);
      assertThat(p.message()).contains("points outside the segment");
    });
    assertThat(problems).anySatisfy(p -> {
      assertThat(p.file()).isEqualTo(dir.resolve("index"));
      assertThat(p.message()).contains("which is not the start of an intact chunk");
    });
  }

  /** Applies a damage to a file, runs the check, restores the file. */
  private void damage(Path file, Damage d, Check check) throws Exception {
    byte[] good = Files.readAllBytes(file);
    byte[] bad = good.clone();
    Files.write(file, d.apply(bad));
    try {
      check.run();
    } finally {
      Files.write(file, good);
    }
  }

  private interface Damage {
    byte[] apply(byte[] bytes);
  }

  private static byte[] flip(byte[] bytes, long at, int mask) {
    bytes[(int) at] ^= (byte) mask;
    return bytes;
  }

  private interface Check {
    void run() throws Exception;
  }

  private static BlockVerifier.Problem problemIn(List<BlockVerifier.Problem> problems, Path file, long at) {
    assertThat(problems).as("damage at %d of %s", at, file).isNotEmpty();
    return problems.stream().filter(p -> p.file().equals(file)).findFirst()
        .orElseGet(() -> fail("no problem names " + file + " (damage at " + at + "): " + problems));
  }

  /** Opens the block and reads everything; only IOExceptions (possibly wrapped by an iterator) may come out. */
  private void queryAll() {
    try (Block b = Block.open(dir)) {
      b.labelNames(List.of());
      b.labelValues("job", List.of(Matcher.regex("instance", ".+")));
      for (BlockSeries s : b.select(List.of(Matcher.regex("__name__", ".+")), Long.MIN_VALUE, Long.MAX_VALUE)) {
        s.timestamps(Long.MIN_VALUE, Long.MAX_VALUE);
        Iterator<Sample> it = s.samples(Long.MIN_VALUE, Long.MAX_VALUE);
        while (it.hasNext()) {
          it.next();
        }
      }
    } catch (IOException expected) {
      assertThat(expected).isInstanceOf(CorruptBlockException.class);
    } catch (UncheckedIOException expected) {
      assertThat(expected.getCause()).isInstanceOf(CorruptBlockException.class);
    }
  }

  private static long[] offsets(long size, int count, long seed) {
    Random rnd = new Random(seed);
    long[] out = new long[Math.min(count, (int) size)];
    for (int i = 0; i < out.length; i++) {
      out[i] = i < 12 ? Math.min(i, size - 1) : (long) (rnd.nextDouble() * size);
    }
    return out;
  }

  private static long frameStart(List<Long> frames, long at) {
    long start = 8;
    for (long ref : frames) {
      long off = ref & 0xffffffffL;
      if (off <= at) {
        start = off;
      }
    }
    return start;
  }

  private static long frameEnd(List<Long> frames, long at, long size) {
    for (long ref : frames) {
      long off = ref & 0xffffffffL;
      if (off > at) {
        return off;
      }
    }
    return size;
  }
}
