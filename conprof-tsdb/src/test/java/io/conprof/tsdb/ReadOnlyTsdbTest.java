package io.conprof.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.block.BlockMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Tsdb#openReadOnly}: a view of a store that a writer in the same JVM holds open, which never
 * changes a byte of the directory and follows the writer's commits, block cuts, WAL truncations and
 * compactions on refresh.
 */
class ReadOnlyTsdbTest {
  static final Labels HEAP = Labels.of("__name__", "heap", "job", "api");
  static final Labels CPU = Labels.of("__name__", "profile", "job", "api", "instance", "a:1");

  @TempDir Path dir;

  static TsdbOptions writerOptions(SeriesRegistryKind registry) {
    return TsdbOptions.builder()
        .registry(registry)
        .backgroundCompaction(false)
        .blockRange(Duration.ofMillis(1000))
        .retentionTime(Duration.ZERO)
        .walSegmentBytes(64 * 1024)
        .samplesPerChunk(4)
        .build();
  }

  static TsdbOptions readerOptions() {
    return TsdbOptions.builder().readOnlyRefreshInterval(Duration.ZERO).build();
  }

  /** Appends sample {@code n} of both series (timestamp n * 100 ms) in one commit. */
  static void commit(Tsdb db, long n) throws Exception {
    Appender a = db.appender();
    a.append(HEAP, n * 100, DurabilityChild.payload(n, 0));
    a.append(CPU, n * 100, DurabilityChild.payload(n, 1));
    a.commit();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** Every sample of every series: labels to "timestamp sha256(bytes)" lines, in order. */
  static Map<String, List<String>> contents(Tsdb db) throws Exception {
    Map<String, List<String>> out = new TreeMap<>();
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      for (Series s : q.select(List.of())) {
        out.put(s.labels().toString(), lines(s));
      }
    }
    return out;
  }

  static List<String> lines(Series s) throws Exception {
    List<String> lines = new ArrayList<>();
    var it = s.samples();
    while (it.hasNext()) {
      Sample x = it.next();
      lines.add(x.timestampMillis() + " " + sha256(x.bytes()));
    }
    long[] ts = s.timestamps();
    assertThat(ts).hasSize(lines.size());
    return lines;
  }

  /** Equal contents; on a difference, says where the first one is instead of printing both. */
  static void assertSame(Map<String, List<String>> actual, Map<String, List<String>> expected) {
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String k : expected.keySet()) {
      List<String> a = actual.get(k);
      List<String> e = expected.get(k);
      for (int i = 0; i < Math.min(a.size(), e.size()); i++) {
        assertThat(a.get(i)).as("%s sample %d of %d (expected %d)", k, i, a.size(), e.size())
            .isEqualTo(e.get(i));
      }
      assertThat(a.size()).as("%s samples", k).isEqualTo(e.size());
    }
  }

  /** Relative path to sha256 of every file (and "dir" for directories) under {@code root}. */
  static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String rel = root.relativize(p).toString();
        out.put(rel, Files.isDirectory(p) ? "dir" : sha256(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  static Set<String> blockIds(Tsdb db) {
    Set<String> ids = new TreeSet<>();
    for (BlockMeta m : db.stats().blocks()) {
      ids.add(m.ulid());
    }
    return ids;
  }

  @Test
  void openReadOnly_besideWriterHoldingTheLock_readsEverySampleByteForByte() throws Exception {
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.CHRONICLE))) {
      for (long n = 0; n < 40; n++) {
        commit(writer, n);
      }
      writer.compact();
      writer.delete(List.of(Matcher.equal("job", "api")), 500, 700);
      Map<String, String> before = tree(dir);
      try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
        assertThat(reader.readOnly()).isTrue();
        assertThat(blockIds(reader)).isEqualTo(blockIds(writer)).isNotEmpty();
        assertSame(contents(reader), contents(writer));
        assertThat(contents(reader).get(HEAP.toString())).hasSize(40 - 3);
        try (Querier q = reader.querier(0, Long.MAX_VALUE)) {
          assertThat(q.labelNames(List.of())).containsExactly("__name__", "instance", "job");
          assertThat(q.labelValues("__name__", List.of(Matcher.equal("job", "api"))))
              .containsExactly("heap", "profile");
          assertThat(q.select(List.of(Matcher.equal("instance", "a:1")))).hasSize(1);
        }
        assertThatThrownBy(() -> Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY)))
            .isInstanceOf(TsdbLockedException.class);
      }
      assertThat(tree(dir)).isEqualTo(before);
    }
  }

  @Test
  void readOnlySession_onStoreLeftByCrashedWriter_changesNoFile() throws Exception {
    long lastCommitSize;
    Path segment;
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.CHRONICLE))) {
      for (long n = 0; n < 30; n++) {
        commit(writer, n);
      }
      writer.compact();
      for (long n = 30; n < 35; n++) {
        commit(writer, n);
      }
      segment = newestSegment();
      lastCommitSize = Files.size(segment);
      commit(writer, 35);
    }
    // What a crash leaves: half of the last commit, an interrupted block write, and the registry.
    long full = Files.size(segment);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(lastCommitSize + (full - lastCommitSize) / 2);
    }
    Path leftover = Files.createDirectories(dir.resolve("01JDX4T8Q6M0Z3N5A7B9C1D2E3.tmp-for-creation"));
    Files.write(leftover.resolve("index"), new byte[] {1, 2, 3});
    assertThat(dir.resolve(Tsdb.REGISTRY_FILE)).exists();
    Map<String, String> before = tree(dir);

    try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
      Map<String, List<String>> c = contents(reader);
      assertThat(c.get(HEAP.toString())).hasSize(35);
      assertThat(c.get(CPU.toString())).hasSize(35);
      reader.refresh();
      assertSame(contents(reader), c);
      assertThat(reader.stats().head().numSeries()).isEqualTo(2);
    }
    assertThat(tree(dir)).isEqualTo(before);
  }

  private Path newestSegment() throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(Tsdb.WAL_DIR))) {
      return s.filter(p -> p.getFileName().toString().matches("\\d{8}")).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
  }

  @Test
  void refresh_seesNewCommitsByteIdentical_andNothingBefore() throws Exception {
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
      commit(writer, 0);
      try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
        assertSame(contents(reader), contents(writer));
        for (long n = 1; n < 12; n++) {
          commit(writer, n);
          Map<String, List<String>> stale = contents(reader);
          assertThat(stale.get(HEAP.toString())).hasSize((int) n);
          reader.refresh();
          assertSame(contents(reader), contents(writer));
        }
      }
    }
  }

  @Test
  void refresh_afterBlockCutWalTruncationAndCompaction_hasNoDuplicatesAndNoGaps()
      throws Exception {
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY));
        Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
      Set<String> seenBlocks = new TreeSet<>();
      long n = 0;
      Querier held = null;
      Map<String, List<String>> heldContents = null;
      for (int round = 0; round < 12; round++) {
        // Rounds alternate: refresh after every commit, or only after several compactions.
        int commits = round % 2 == 0 ? 9 : 40;
        for (int i = 0; i < commits; i++, n++) {
          commit(writer, n);
          if (round % 2 == 0) {
            reader.refresh();
          }
          if (n % 10 == 0) {
            writer.compact();
          }
        }
        reader.refresh();
        Map<String, List<String>> c = contents(reader);
        assertSame(c, contents(writer));
        List<String> heap = c.get(HEAP.toString());
        assertThat(heap).hasSize((int) n);
        for (int i = 0; i < n; i++) {
          assertThat(heap.get(i)).startsWith(i * 100 + " ");
        }
        seenBlocks.addAll(blockIds(reader));
        if (round == 3) {
          held = reader.querier(Long.MIN_VALUE, Long.MAX_VALUE);
          heldContents = contents(reader);
        }
      }
      assertThat(blockIds(reader)).isEqualTo(blockIds(writer));
      assertThat(seenBlocks).as("blocks the writer compacted away meanwhile")
          .hasSizeGreaterThan(blockIds(reader).size());
      try (Stream<Path> wal = Files.list(dir.resolve(Tsdb.WAL_DIR))) {
        assertThat(wal.map(p -> p.getFileName().toString()))
            .as("the writer truncated its WAL").anyMatch(f -> f.startsWith("checkpoint."))
            .doesNotContain("00000001");
      }
      // A querier opened before its blocks were compacted away still reads all it saw.
      Map<String, List<String>> late = new TreeMap<>();
      for (Series s : held.select(List.of())) {
        late.put(s.labels().toString(), lines(s));
      }
      held.close();
      assertSame(late, heldContents);
    }
  }

  @Test
  void refresh_tornTailWrittenByHand_isSkippedThenReadOnceComplete() throws Exception {
    Path segment;
    long before;
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
      for (long n = 0; n < 5; n++) {
        commit(writer, n);
      }
      segment = newestSegment();
      before = Files.size(segment);
      commit(writer, 5);
    }
    byte[] all = Files.readAllBytes(segment);
    byte[] record = java.util.Arrays.copyOfRange(all, (int) before, all.length);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(before);
    }
    try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
      assertThat(contents(reader).get(HEAP.toString())).hasSize(5);
      int[] cuts = {1, 12, 17, record.length / 2, record.length - 1};
      int written = 0;
      for (int cut : cuts) {
        appendBytes(segment, record, written, cut);
        written = cut;
        reader.refresh();
        assertThat(contents(reader).get(HEAP.toString())).as("torn at %d", cut).hasSize(5);
        assertThat(Files.size(segment)).isEqualTo(before + cut);
      }
      appendBytes(segment, record, written, record.length);
      reader.refresh();
      Map<String, List<String>> c = contents(reader);
      assertThat(c.get(HEAP.toString())).hasSize(6);
      assertThat(c.get(HEAP.toString()).get(5))
          .isEqualTo("500 " + sha256(DurabilityChild.payload(5, 0)));
      assertThat(c.get(CPU.toString()).get(5))
          .isEqualTo("500 " + sha256(DurabilityChild.payload(5, 1)));
    }
    assertThat(Files.readAllBytes(segment)).isEqualTo(all);
  }

  private static void appendBytes(Path file, byte[] b, int from, int to) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer buf = ByteBuffer.wrap(b, from, to - from);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  @Test
  void refresh_seesWritersDeletionInBlocksAndHead() throws Exception {
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
      for (long n = 0; n < 30; n++) {
        commit(writer, n);
      }
      writer.compact();
      try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
        assertThat(blockIds(reader)).isNotEmpty();
        writer.delete(List.of(Matcher.equal("__name__", "heap")), 300, 2500);
        assertThat(contents(reader).get(HEAP.toString())).hasSize(30);
        reader.refresh();
        assertSame(contents(reader), contents(writer));
        assertThat(contents(reader).get(HEAP.toString())).hasSize(30 - 23);
        assertThat(contents(reader).get(CPU.toString())).hasSize(30);
      }
    }
  }

  @Test
  void refresh_walCutBelowWhatWasRead_rebuildsTheView() throws Exception {
    Path segment;
    long before;
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
      for (long n = 0; n < 8; n++) {
        commit(writer, n);
      }
      segment = newestSegment();
      before = Files.size(segment);
      commit(writer, 8);
    }
    try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
      assertThat(contents(reader).get(HEAP.toString())).hasSize(9);
      // What a writer's repair of a damaged tail does to a file the view has read.
      try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
        ch.truncate(before);
      }
      reader.refresh();
      try (Tsdb fresh = Tsdb.openReadOnly(dir, readerOptions())) {
        assertSame(contents(reader), contents(fresh));
      }
      assertThat(contents(reader).get(HEAP.toString())).hasSize(8);
    }
  }

  @Test
  void backgroundRefresh_picksUpCommitsWithoutACall() throws Exception {
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
      commit(writer, 0);
      try (Tsdb reader = Tsdb.openReadOnly(dir, TsdbOptions.builder()
          .readOnlyRefreshInterval(Duration.ofMillis(5)).build())) {
        commit(writer, 1);
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos(); // liveness guard only
        while (contents(reader).get(HEAP.toString()).size() < 2) {
          assertThat(System.nanoTime()).as("background refresh happened").isLessThan(deadline);
          Thread.sleep(5);
        }
        assertSame(contents(reader), contents(writer));
      }
    }
  }

  @Test
  void writes_areRefusedWithReadOnlyMessage() throws Exception {
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
      commit(writer, 0);
    }
    Map<String, String> before = tree(dir);
    try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
      String message = "store opened read-only: cannot %s in " + dir;
      assertThatThrownBy(reader::appender).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(message.formatted("append"));
      assertThatThrownBy(reader::asSink).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(message.formatted("append"));
      assertThatThrownBy(() -> reader.delete(List.of(Matcher.equal("job", "api")), 0, 1000))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(message.formatted("delete"));
      assertThatThrownBy(reader::compact).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(message.formatted("compact"));
      assertThat(contents(reader).get(HEAP.toString())).hasSize(1);
    }
    assertThat(tree(dir)).isEqualTo(before);
  }

  @Test
  void openReadOnly_missingOrEmptyDirectory_failsNamingIt() throws Exception {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> Tsdb.openReadOnly(missing, readerOptions()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(missing + ": no such directory: there is no store to read");
    assertThat(missing).doesNotExist();
    Path empty = Files.createDirectory(dir.resolve("empty"));
    assertThatThrownBy(() -> Tsdb.openReadOnly(empty, readerOptions()))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessage(empty + ": not a conprof TSDB directory (no wal/, no lock file and no block): "
            + "nothing to read");
    try (Stream<Path> s = Files.list(empty)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void openReadOnly_beforeTheWriterCreatedItsWal_seesItsCommitsOnRefresh() throws Exception {
    Files.write(dir.resolve(Tsdb.LOCK_FILE), new byte[0]); // a writer stopped right after locking
    try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
      assertThat(contents(reader)).isEmpty();
      assertThat(dir.resolve(Tsdb.WAL_DIR)).doesNotExist();
      try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
        commit(writer, 0);
        commit(writer, 1);
        reader.refresh();
        assertSame(contents(reader), contents(writer));
        assertThat(contents(reader).get(HEAP.toString())).hasSize(2);
      }
    }
  }

  @Test
  void close_ofReader_leavesWriterWorking_andQueriersFailAfterClose() throws Exception {
    try (Tsdb writer = Tsdb.open(dir, writerOptions(SeriesRegistryKind.IN_MEMORY))) {
      commit(writer, 0);
      Tsdb reader = Tsdb.openReadOnly(dir, TsdbOptions.builder()
          .readOnlyRefreshInterval(Duration.ofMillis(10)).build());
      reader.close();
      assertThatThrownBy(() -> reader.querier(0, 1)).isInstanceOf(IllegalStateException.class);
      commit(writer, 1);
      assertThat(contents(writer).get(HEAP.toString())).hasSize(2);
    }
  }
}
