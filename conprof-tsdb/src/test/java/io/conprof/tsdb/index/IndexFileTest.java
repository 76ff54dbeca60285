package io.conprof.tsdb.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.tsdb.block.CorruptBlockException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexFileTest {
  @TempDir Path dir;

  static List<IndexSeries> sampleSeries() {
    List<IndexSeries> out = new ArrayList<>();
    long ref = (1L << 32) | 8;
    String[] names = {"allocs", "heap", "profile"};
    for (String name : names) {
      for (int inst = 0; inst < 4; inst++) {
        List<ChunkMeta> chunks = new ArrayList<>();
        long t = 1_000_000L * inst;
        for (int c = 0; c <= inst; c++) {
          chunks.add(new ChunkMeta(t, t + 9_000, ref, 10));
          t += 10_000;
          ref += 1000 + inst;
        }
        out.add(new IndexSeries(0, List.of("__name__", name, "instance", "10.0.0." + inst + ":8080", "job", inst < 2 ? "api" : "db"),
            chunks));
      }
    }
    return out;
  }

  private Path writeSample() throws Exception {
    Path file = dir.resolve("index");
    IndexWriter.write(file, sampleSeries(), true);
    return file;
  }

  @Test
  void writeRead_roundTripsSeriesPostingsAndLabels() throws Exception {
    Path file = writeSample();
    List<IndexSeries> expected = sampleSeries();
    try (IndexReader r = IndexReader.open(file)) {
      int[] all = r.allPostings();
      assertThat(all).hasSize(expected.size());
      for (int i = 0; i < all.length; i++) {
        IndexSeries s = r.series(all[i]);
        assertThat(s.labelPairs()).isEqualTo(expected.get(i).labelPairs());
        assertThat(s.chunks()).isEqualTo(expected.get(i).chunks());
      }
      assertThat(r.labelNames()).containsExactly("__name__", "instance", "job");
      assertThat(r.labelValues("job")).containsExactly("api", "db");
      assertThat(r.labelValues("nope")).isEmpty();
      int[] heap = r.postings("__name__", "heap");
      int[] api = r.postings("job", "api");
      int[] heapApi = Postings.intersect(heap, api);
      assertThat(heapApi).hasSize(2);
      for (int ref : heapApi) {
        assertThat(r.series(ref).labelPairs()).containsSubsequence("__name__", "heap").containsSubsequence("job", "api");
      }
      assertThat(Postings.subtract(heap, api)).hasSize(2);
      assertThat(r.postings("job", "missing")).isEmpty();
      List<CorruptBlockException> problems = new ArrayList<>();
      assertThat(r.verify(problems::add)).hasSize(expected.size());
      assertThat(problems).isEmpty();
    }
  }

  @Test
  void writeRead_emptyIndex() throws Exception {
    Path file = dir.resolve("index");
    IndexWriter.write(file, List.of(), false);
    try (IndexReader r = IndexReader.open(file)) {
      assertThat(r.allPostings()).isEmpty();
      assertThat(r.labelNames()).isEmpty();
      List<CorruptBlockException> problems = new ArrayList<>();
      r.verify(problems::add);
      assertThat(problems).isEmpty();
    }
  }

  @Test
  void open_badMagicAndVersionNameFileAndOffset() throws Exception {
    Path file = writeSample();
    patch(file, 0, 0x00);
    assertThatThrownBy(() -> IndexReader.open(file)).isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining(file + " at offset 0: bad magic");
    Path file2 = dir.resolve("index2");
    IndexWriter.write(file2, sampleSeries(), false);
    patch(file2, 4, 7);
    assertThatThrownBy(() -> IndexReader.open(file2)).isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining(file2 + " at offset 4: unsupported index version 7");
  }

  @Test
  void everySingleByteFlip_isDetectedByOpenReadOrVerify() throws Exception {
    Path file = writeSample();
    byte[] good = Files.readAllBytes(file);
    for (int at = 0; at < good.length; at++) {
      byte[] bad = good.clone();
      bad[at] ^= 0x10;
      Files.write(file, bad);
      List<CorruptBlockException> problems = new ArrayList<>();
      try (IndexReader r = IndexReader.open(file)) {
        r.verify(problems::add);
      } catch (CorruptBlockException e) {
        problems.add(e);
      }
      assertThat(problems).as("flip at %d", at).isNotEmpty();
      assertThat(problems.get(0).file()).isEqualTo(file);
    }
  }

  @Test
  void randomDamageAndTruncation_neverThrowAnythingButCorruptBlockException() throws Exception {
    Path file = writeSample();
    byte[] good = Files.readAllBytes(file);
    Random rnd = new Random(9);
    for (int i = 0; i < 1500; i++) {
      byte[] bad = i % 3 == 0 ? Arrays.copyOf(good, rnd.nextInt(good.length)) : good.clone();
      if (i % 3 != 0) {
        for (int f = 0; f < 1 + rnd.nextInt(6); f++) {
          bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
        }
      }
      Files.write(file, bad);
      try (IndexReader r = IndexReader.open(file)) {
        for (int ref : r.allPostings()) {
          r.series(ref);
        }
        r.postings("job", "api");
        r.series(rnd.nextInt(bad.length));
        r.verify(p -> { });
      } catch (CorruptBlockException expected) {
        assertThat(expected.file()).isEqualTo(file);
      }
    }
  }

  @Test
  void postings_setOperations() {
    int[] a = {1, 3, 5, 7, 9};
    int[] b = {3, 4, 5, 10};
    assertThat(Postings.intersect(a, b)).containsExactly(3, 5);
    assertThat(Postings.subtract(a, b)).containsExactly(1, 7, 9);
    assertThat(Postings.union(a, b)).containsExactly(1, 3, 4, 5, 7, 9, 10);
    assertThat(Postings.union(List.of(a, b, new int[] {0, 11}))).containsExactly(0, 1, 3, 4, 5, 7, 9, 10, 11);
    assertThat(Postings.union(List.of())).isEmpty();
  }

  static void patch(Path file, long offset, int value) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      f.write(value);
    }
  }
}
