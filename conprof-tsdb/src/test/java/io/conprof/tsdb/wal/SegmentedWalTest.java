package io.conprof.tsdb.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.tsdb.wal.WalRecords.SampleEntry;
import io.conprof.tsdb.wal.WalRecords.SeriesEntry;
import io.conprof.tsdb.wal.WalRecords.TombstoneEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentedWalTest {
  private static final long SEGMENT = 1L << 20;

  @TempDir Path dir;

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static WalRecord seriesRecord(long ref) {
    return WalRecords.series(List.of(new SeriesEntry(ref, List.of("__name__", "heap", "job", "j" + ref))));
  }

  private static WalRecord sampleRecord(long ref, long ts, int n) {
    return WalRecords.samples(List.of(new SampleEntry(ref, ts, bytes(n, (int) ts))));
  }

  private SegmentedWal open(RecordingHandler h) throws IOException {
    return SegmentedWal.open(dir, SEGMENT, h);
  }

  /** Writes series 1 and three samples as three separate batches into segment 00000001. */
  private void writeThree() throws IOException {
    try (SegmentedWal wal = open(new RecordingHandler())) {
      wal.append(List.of(seriesRecord(1), sampleRecord(1, 1000, 100)));
      wal.append(List.of(sampleRecord(1, 2000, 200)));
      Long pos = wal.append(List.of(sampleRecord(1, 3000, 300))).position();
      wal.sync(pos);
    }
  }

  private Path segment(int n) {
    return dir.resolve(String.format("%08d", n));
  }

  @Test
  void replay_returnsEveryRecordTypeAndSampleBytesInOrder() throws IOException {
    byte[] big = bytes(3 << 20, 7); // larger than a segment: gets a segment of its own
    try (SegmentedWal wal = open(new RecordingHandler())) {
      wal.append(List.of(seriesRecord(1), sampleRecord(1, 10, 5)));
      wal.append(List.of(WalRecords.samples(List.of(new SampleEntry(1, 20, big),
          new SampleEntry(1, 30, new byte[] {1, 2, 3})))));
      wal.append(List.of(WalRecords.tombstones(List.of(new TombstoneEntry(1, -5, 15))),
          WalRecords.headState(-100, 2)));
    }
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().records()).isEqualTo(5);
      assertThat(wal.replayStats().corruptFiles()).isZero();
    }
    assertThat(h.events).containsExactly(
        "series 1 [__name__, heap, job, j1]",
        "sample 1 10 5",
        "sample 1 20 " + big.length,
        "sample 1 30 3",
        "tombstone 1 -5 15",
        "state -100 2");
    assertThat(h.sampleBytes.get(0)).isEqualTo(bytes(5, 10));
    assertThat(h.sampleBytes.get(1)).isEqualTo(big);
    assertThat(h.sampleBytes.get(2)).containsExactly(1, 2, 3);
  }

  @Test
  void replay_truncatesTornTail() throws IOException {
    writeThree();
    long size = Files.size(segment(1));
    try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
      f.setLength(size - 150); // cut inside the last record's payload
    }
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().tornBytesCut())
          .isEqualTo(sampleRecord(1, 3000, 300).framedBytes() - 150);
      assertThat(wal.replayStats().corruptFiles()).isZero();
      wal.append(List.of(sampleRecord(1, 4000, 10)));
    }
    assertThat(h.events).containsExactly(
        "series 1 [__name__, heap, job, j1]", "sample 1 1000 100", "sample 1 2000 200");
    RecordingHandler again = new RecordingHandler();
    try (SegmentedWal wal = open(again)) {
      assertThat(wal.replayStats().tornBytesCut()).isZero();
    }
    assertThat(again.events).containsExactly(
        "series 1 [__name__, heap, job, j1]", "sample 1 1000 100", "sample 1 2000 200",
        "sample 1 4000 10");
  }

  @Test
  void replay_cutsZeroFilledTailAsTorn() throws IOException {
    writeThree();
    Files.write(segment(1), new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().tornBytesCut()).isEqualTo(4096);
      assertThat(wal.replayStats().corruptFiles()).isZero();
    }
    assertThat(h.events).hasSize(4);
  }

  @Test
  void replay_stopsSegmentAtBadCrcAndCountsWhatWasDropped() throws IOException {
    writeThree();
    // A second segment written by a later open: its records are still replayed.
    try (SegmentedWal wal = open(new RecordingHandler())) {
      wal.append(List.of(sampleRecord(1, 5000, 50)));
    }
    long secondRecord = 8 + 13 + seriesRecord(1).length + 13 + sampleRecord(1, 1000, 100).length;
    flipByte(segment(1), secondRecord + 13 + 40); // inside the payload of the 2nd batch
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().corruptFiles()).isEqualTo(1);
      assertThat(wal.replayStats().droppedRecords()).isEqualTo(2); // the bad one and the next
      assertThat(Files.size(segment(1))).isEqualTo(secondRecord);
    }
    assertThat(h.events).containsExactly(
        "series 1 [__name__, heap, job, j1]", "sample 1 1000 100", "sample 1 5000 50");
  }

  @Test
  void replay_stopsSegmentAtBadLength() throws IOException {
    writeThree();
    long secondRecord = 8 + 13 + seriesRecord(1).length + 13 + sampleRecord(1, 1000, 100).length;
    flipByte(segment(1), secondRecord + 2); // a length byte: the header CRC no longer matches
    assertThat(SegmentedWal.verify(dir)).singleElement().satisfies(p -> {
      assertThat(p.file()).isEqualTo(segment(1));
      assertThat(p.offset()).isEqualTo(secondRecord);
      assertThat(p.message()).contains("header CRC32C mismatch");
    });
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().corruptFiles()).isEqualTo(1);
    }
    assertThat(h.events).hasSize(2);
    assertThat(SegmentedWal.verify(dir)).isEmpty();
  }

  @Test
  void replay_cutsGarbageTailAsCorruption() throws IOException {
    writeThree();
    long good = Files.size(segment(1));
    Files.write(segment(1), bytes(1000, 3), java.nio.file.StandardOpenOption.APPEND);
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().corruptFiles()).isEqualTo(1);
      assertThat(wal.replayStats().droppedBytes()).isEqualTo(1000);
    }
    assertThat(h.events).hasSize(4);
    assertThat(Files.size(segment(1))).isEqualTo(good);
  }

  @Test
  void replay_movesAsideSegmentWithBadMagic() throws IOException {
    writeThree();
    flipByte(segment(1), 0);
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().corruptFiles()).isEqualTo(1);
    }
    assertThat(h.events).isEmpty();
    assertThat(dir.resolve("00000001.corrupt")).exists();
  }

  @Test
  void append_shortWriteLeavesNoPartOfTheBatch() throws IOException {
    FaultyOpener faults = new FaultyOpener();
    try (SegmentedWal wal = SegmentedWal.open(dir, SEGMENT, new RecordingHandler(), faults)) {
      wal.append(List.of(seriesRecord(1), sampleRecord(1, 1000, 100)));
      faults.shortWriteAfterBytes = 150;
      assertThatThrownBy(() -> wal.append(List.of(seriesRecord(2), sampleRecord(2, 1000, 500))))
          .isInstanceOf(IOException.class)
          .hasMessage("short write");
      wal.append(List.of(sampleRecord(1, 2000, 10)));
    }
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = open(h)) {
      assertThat(wal.replayStats().tornBytesCut()).isZero();
      assertThat(wal.replayStats().corruptFiles()).isZero();
    }
    assertThat(h.events).containsExactly(
        "series 1 [__name__, heap, job, j1]", "sample 1 1000 100", "sample 1 2000 10");
  }

  @Test
  void append_onFullDiskFailsCleanlyAndWorksAgainWhenSpaceReturns() throws IOException {
    FaultyOpener faults = new FaultyOpener();
    try (SegmentedWal wal = SegmentedWal.open(dir, SEGMENT, new RecordingHandler(), faults)) {
      wal.append(List.of(seriesRecord(1), sampleRecord(1, 1000, 100)));
      faults.capacityBytes = faults.used.get() + 50;
      assertThatThrownBy(() -> wal.append(List.of(sampleRecord(1, 2000, 1000))))
          .hasMessageContaining("No space left on device");
      faults.capacityBytes = Long.MAX_VALUE;
      wal.sync(wal.append(List.of(sampleRecord(1, 3000, 10))).position());
    }
    RecordingHandler h = new RecordingHandler();
    open(h).close();
    assertThat(h.events).containsExactly(
        "series 1 [__name__, heap, job, j1]", "sample 1 1000 100", "sample 1 3000 10");
  }

  @Test
  void open_onAFullDiskContinuesInTheLastSegment() throws IOException {
    FaultyOpener faults = new FaultyOpener();
    try (SegmentedWal wal = SegmentedWal.open(dir, SEGMENT, new RecordingHandler(), faults)) {
      wal.append(List.of(seriesRecord(1), sampleRecord(1, 1000, 100)));
    }
    faults.capacityBytes = 0; // not even a new segment header fits
    RecordingHandler h = new RecordingHandler();
    try (SegmentedWal wal = SegmentedWal.open(dir, SEGMENT, h, faults)) {
      assertThat(wal.activeSegment().number()).isEqualTo(1);
      assertThatThrownBy(() -> wal.append(List.of(sampleRecord(1, 2000, 10))))
          .hasMessageContaining("No space left on device");
      faults.capacityBytes = Long.MAX_VALUE;
      wal.append(List.of(sampleRecord(1, 3000, 10)));
    }
    assertThat(h.events).hasSize(2);
    RecordingHandler again = new RecordingHandler();
    open(again).close();
    assertThat(again.events).containsExactly(
        "series 1 [__name__, heap, job, j1]", "sample 1 1000 100", "sample 1 3000 10");
  }

  @Test
  void sync_failurePoisonsTheLog() throws IOException {
    FaultyOpener faults = new FaultyOpener();
    SegmentedWal wal = SegmentedWal.open(dir, SEGMENT, new RecordingHandler(), faults);
    long pos = wal.append(List.of(seriesRecord(1))).position();
    faults.failForce = true;
    assertThatThrownBy(() -> wal.sync(pos)).hasMessageContaining("fsync failed");
    faults.failForce = false;
    assertThatThrownBy(() -> wal.append(List.of(sampleRecord(1, 1, 1))))
        .hasMessageContaining("failed earlier")
        .hasMessageContaining("reopen");
    wal.close();
  }

  @Test
  void sync_concurrentCommittersShareOneFsync() throws Exception {
    FaultyOpener faults = new FaultyOpener();
    try (SegmentedWal wal = SegmentedWal.open(dir, SEGMENT, new RecordingHandler(), faults)) {
      CountDownLatch release = new CountDownLatch(1);
      faults.blockFirstForce = release;
      int before = faults.forces.get();
      long first = wal.append(List.of(seriesRecord(1))).position();
      Thread leader = new Thread(() -> syncQuietly(wal, first));
      leader.start();
      while (faults.blockFirstForce != null) {
        Thread.onSpinWait(); // until the leader is inside fsync
      }
      List<Thread> followers = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long pos = wal.append(List.of(sampleRecord(1, i, 10))).position();
        Thread t = new Thread(() -> syncQuietly(wal, pos));
        followers.add(t);
        t.start();
      }
      for (Thread t : followers) {
        while (t.getState() != Thread.State.BLOCKED) {
          Thread.onSpinWait(); // waiting for the leader's fsync to finish
        }
      }
      release.countDown();
      leader.join();
      for (Thread t : followers) {
        t.join();
      }
      // One fsync for the leader's batch, one shared by all five followers.
      assertThat(faults.forces.get() - before).isEqualTo(2);
    }
  }

  private static void syncQuietly(SegmentedWal wal, long pos) {
    try {
      wal.sync(pos);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void append_rotatesSegmentsAndNeverSplitsABatch() throws IOException {
    try (SegmentedWal wal = SegmentedWal.open(dir, 4096, new RecordingHandler())) {
      wal.append(List.of(seriesRecord(1)));
      for (int i = 0; i < 10; i++) {
        SegmentedWal.Written w = wal.append(List.of(sampleRecord(1, i, 1000), sampleRecord(1, 100 + i, 1000)));
        assertThat(w.payloadOffsets()[1] - w.payloadOffsets()[0]).isPositive();
      }
      assertThat(wal.segments()).hasSizeGreaterThan(3);
    }
    RecordingHandler h = new RecordingHandler();
    open(h).close();
    assertThat(h.events).hasSize(21);
  }

  @Test
  void checkpoint_replacesOldSegments() throws IOException {
    try (SegmentedWal wal = SegmentedWal.open(dir, 4096, new RecordingHandler())) {
      wal.append(List.of(seriesRecord(1), seriesRecord(2)));
      for (int i = 0; i < 10; i++) {
        wal.append(List.of(sampleRecord(1, i, 1000)));
      }
      int last = wal.activeSegment().number();
      wal.checkpoint(last - 1, List.of(seriesRecord(1), WalRecords.headState(8, 3)));
      assertThat(wal.segments()).extracting(WalFile::number).containsExactly(last);
    }
    assertThat(dir.resolve(String.format("checkpoint.%08d", 0)).getParent()).exists();
    RecordingHandler h = new RecordingHandler();
    open(h).close();
    assertThat(h.events).containsExactly(
        "series 1 [__name__, heap, job, j1]", "state 8 3", "sample 1 9 1000");
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x5A);
    }
  }
}
