package io.conprof.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.tsdb.block.CorruptBlockException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkSegmentFilesTest {
  @TempDir Path dir;

  private record Written(long ref, long[] ts, byte[][] payloads) {}

  private List<Written> writeChunks(Path chunksDir, int count, long maxSegmentBytes, long seed) throws Exception {
    Random rnd = new Random(seed);
    List<Written> out = new ArrayList<>();
    try (ChunkWriter w = new ChunkWriter(chunksDir, maxSegmentBytes, true)) {
      for (int c = 0; c < count; c++) {
        int n = 1 + rnd.nextInt(10);
        long[] ts = ChunkCodecTest.randomTimestamps(rnd, n);
        byte[][] p = new byte[n][];
        for (int i = 0; i < n; i++) {
          p[i] = ChunkCodecTest.randomBytes(rnd, rnd.nextInt(400));
        }
        out.add(new Written(w.write(ChunkCodec.encode(ts, p, n, 3)), ts, p));
      }
    }
    return out;
  }

  @Test
  void writeRead_roundTripsAcrossSegments() throws Exception {
    Path chunks = dir.resolve("chunks");
    List<Written> written = writeChunks(chunks, 60, 4096, 1);
    try (ChunkReader r = ChunkReader.open(chunks)) {
      assertThat(r.segmentCount()).isGreaterThan(1);
      for (Written w : written) {
        Chunk c = r.chunk(w.ref());
        assertThat(c.timestamps()).containsExactly(w.ts());
        assertThat(r.timestamps(w.ref())).containsExactly(w.ts());
        byte[][] back = c.payloads();
        for (int i = 0; i < back.length; i++) {
          assertThat(back[i]).isEqualTo(w.payloads()[i]);
        }
      }
      List<Long> scanned = new ArrayList<>();
      for (int s = 1; s <= r.segmentCount(); s++) {
        r.scanSegment(s, scanned);
      }
      assertThat(scanned).containsExactlyElementsOf(written.stream().map(Written::ref).toList());
    }
    assertThat(chunks.resolve("000001")).exists();
  }

  @Test
  void chunk_crcMismatchNamesFileAndOffset() throws Exception {
    Path chunks = dir.resolve("chunks");
    List<Written> written = writeChunks(chunks, 3, ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES, 2);
    Path seg = chunks.resolve("000001");
    long secondRef = written.get(1).ref();
    long lastByteOfSecond = (written.get(2).ref() & 0xffffffffL) - 5; // last data byte before the CRC
    flip(seg, lastByteOfSecond);
    try (ChunkReader r = ChunkReader.open(chunks)) {
      r.chunk(written.get(0).ref());
      assertThatThrownBy(() -> r.chunk(secondRef))
          .isInstanceOf(CorruptBlockException.class)
          .hasMessageContaining(seg.toString())
          .hasMessageContaining("CRC32C mismatch")
          .hasMessageContaining("CRC stored at offset " + (lastByteOfSecond + 1))
          .satisfies(e -> assertThat(((CorruptBlockException) e).offset()).isEqualTo(secondRef & 0xffffffffL));
      // the timestamp section carries its own CRC and is intact
      assertThat(r.timestamps(secondRef)).containsExactly(written.get(1).ts());
    }
  }

  @Test
  void timestamps_readableWhenOnlyPayloadBytesAreDamaged() throws Exception {
    Path chunks = dir.resolve("chunks");
    long[] ts = {1000, 2000, 3000};
    byte[][] p = {new byte[500], new byte[500], new byte[500]};
    long ref;
    try (ChunkWriter w = new ChunkWriter(chunks, ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES, false)) {
      ref = w.write(ChunkCodec.encode(ts, p, 3, 3));
    }
    Path seg = chunks.resolve("000001");
    flip(seg, Files.size(seg) - 6);
    try (ChunkReader r = ChunkReader.open(chunks)) {
      long before = ChunkCodec.DECOMPRESSIONS.get();
      assertThat(r.timestamps(ref)).containsExactly(ts);
      assertThat(ChunkCodec.DECOMPRESSIONS.get()).isEqualTo(before);
      assertThatThrownBy(() -> r.chunk(ref)).isInstanceOf(CorruptBlockException.class);
    }
  }

  @Test
  void chunk_readsSurviveAnInterruptedReaderThread() throws Exception {
    Path chunks = dir.resolve("chunks");
    List<Written> written = writeChunks(chunks, 3, ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES, 8);
    try (ChunkReader r = ChunkReader.open(chunks)) {
      Thread.currentThread().interrupt();
      try {
        // a FileChannel would be closed for every thread by this read (ClosedByInterruptException)
        assertThat(r.chunk(written.get(0).ref()).timestamps()).containsExactly(written.get(0).ts());
      } finally {
        assertThat(Thread.interrupted()).isTrue();
      }
      assertThat(r.chunk(written.get(1).ref()).timestamps()).containsExactly(written.get(1).ts());
    }
  }

  @Test
  void open_badMagicNamesFile() throws Exception {
    Path chunks = dir.resolve("chunks");
    writeChunks(chunks, 1, ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES, 3);
    flip(chunks.resolve("000001"), 0);
    assertThatThrownBy(() -> ChunkReader.open(chunks))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("000001 at offset 0: bad magic");
  }

  @Test
  void open_unsupportedVersionNamesFile() throws Exception {
    Path chunks = dir.resolve("chunks");
    writeChunks(chunks, 1, ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES, 3);
    try (RandomAccessFile f = new RandomAccessFile(chunks.resolve("000001").toFile(), "rw")) {
      f.seek(4);
      f.write(9);
    }
    assertThatThrownBy(() -> ChunkReader.open(chunks))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("000001 at offset 4: unsupported chunk segment version 9");
  }

  @Test
  void open_missingSegmentIsReported() throws Exception {
    Path chunks = dir.resolve("chunks");
    writeChunks(chunks, 30, 2048, 4);
    Files.delete(chunks.resolve("000002"));
    assertThatThrownBy(() -> ChunkReader.open(chunks))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("000002: chunk segment is missing");
  }

  @Test
  void chunk_everyTruncationOfTheSegmentFailsCleanly() throws Exception {
    Path chunks = dir.resolve("chunks");
    List<Written> written = writeChunks(chunks, 1, ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES, 5);
    Path seg = chunks.resolve("000001");
    byte[] full = Files.readAllBytes(seg);
    Random rnd = new Random(55);
    for (int i = 0; i < 120; i++) {
      int len = i < 40 ? i : rnd.nextInt(full.length); // every header and length prefix, then anywhere
      Files.write(seg, java.util.Arrays.copyOf(full, len));
      assertThatThrownBy(() -> {
        try (ChunkReader r = ChunkReader.open(chunks)) {
          r.chunk(written.get(0).ref()).payloads();
        }
      }).as("segment truncated to %d bytes", len).isInstanceOf(CorruptBlockException.class)
          .hasMessageContaining(seg.toString());
    }
  }

  @Test
  void chunk_referenceOutsideSegmentIsRejected() throws Exception {
    Path chunks = dir.resolve("chunks");
    writeChunks(chunks, 1, ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES, 6);
    try (ChunkReader r = ChunkReader.open(chunks)) {
      assertThatThrownBy(() -> r.chunk((1L << 32) | 1_000_000))
          .isInstanceOf(CorruptBlockException.class)
          .hasMessageContaining("points outside the segment");
      assertThatThrownBy(() -> r.chunk((7L << 32) | 8))
          .isInstanceOf(CorruptBlockException.class)
          .hasMessageContaining("names segment 7 but the block has 1 segments");
    }
  }

  static void flip(Path file, long offset) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xff);
    }
  }
}
