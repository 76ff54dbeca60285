package io.conprof.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.tsdb.block.CorruptBlockException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkCodecTest {
  private static final Path ORIGIN = Path.of("test-chunk");

  @Test
  void roundTrip_randomSamplesIncludingEmptyPayloadsAndNegativeDeltaOfDelta() throws Exception {
    Random rnd = new Random(42);
    for (int iter = 0; iter < 300; iter++) {
      int n = 1 + rnd.nextInt(40);
      long[] ts = randomTimestamps(rnd, n);
      byte[][] payloads = new byte[n][];
      byte[] base = randomBytes(rnd, rnd.nextInt(3000));
      for (int i = 0; i < n; i++) {
        switch (rnd.nextInt(5)) {
          case 0 -> payloads[i] = new byte[0];
          case 1 -> payloads[i] = randomBytes(rnd, rnd.nextInt(200));
          case 2 -> payloads[i] = FieldSplitTest.randomProtobuf(rnd);
          default -> {
            payloads[i] = base.clone();
            if (payloads[i].length > 0) {
              payloads[i][rnd.nextInt(payloads[i].length)] ^= 1;
            }
          }
        }
      }
      byte[] data = ChunkCodec.encode(ts, payloads, n, 1 + rnd.nextInt(5));
      Chunk chunk = Chunk.ofData(data, ORIGIN);
      assertThat(chunk.numSamples()).isEqualTo(n);
      assertThat(chunk.timestamps()).as("iteration %d", iter).containsExactly(ts);
      byte[][] back = chunk.payloads();
      assertThat(back.length).isEqualTo(n);
      for (int i = 0; i < n; i++) {
        assertThat(back[i]).as("iteration %d sample %d", iter, i).isEqualTo(payloads[i]);
      }
    }
  }

  @Test
  void roundTrip_extremeTimestampsWrapAroundExactly() throws Exception {
    long[] ts = {Long.MIN_VALUE, Long.MAX_VALUE, 0, Long.MIN_VALUE, -1, 1};
    byte[][] payloads = new byte[ts.length][];
    Arrays.fill(payloads, new byte[0]);
    Chunk chunk = Chunk.ofData(ChunkCodec.encode(ts, payloads, ts.length, 3), ORIGIN);
    assertThat(chunk.timestamps()).containsExactly(ts);
    for (byte[] p : chunk.payloads()) {
      assertThat(p).isEmpty();
    }
  }

  @Test
  void encode_equalDeltasCostOneByteEach() {
    long[] ts = new long[32];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 1_700_000_000_000L + i * 10_000L;
    }
    byte[][] payloads = new byte[32][];
    Arrays.fill(payloads, new byte[0]);
    byte[] data = ChunkCodec.encode(ts, payloads, 32, 3);
    assertThat(data[0]).as("sample count").isEqualTo((byte) 32);
    // timestamp section: t0 (6 bytes) + d1 (3 bytes) + 30 zero delta-of-deltas (1 byte each)
    assertThat(data[1]).as("timestamp section length").isEqualTo((byte) (6 + 3 + 30));
  }

  @Test
  void encode_similarPayloadsCompressTogether() {
    Random rnd = new Random(7);
    byte[] base = randomBytes(rnd, 20_000);
    byte[][] payloads = new byte[16][];
    long[] ts = new long[16];
    for (int i = 0; i < 16; i++) {
      payloads[i] = base.clone();
      payloads[i][rnd.nextInt(base.length)] ^= 0x55;
      ts[i] = i * 10_000L;
    }
    byte[] data = ChunkCodec.encode(ts, payloads, 16, 3);
    // random bytes do not compress alone, but 16 near-copies cost little more than one
    assertThat(data.length).isLessThan(2 * base.length);
  }

  @Test
  void timestamps_neverInflatePayloads() throws Exception {
    Random rnd = new Random(3);
    byte[] base = randomBytes(rnd, 5000);
    byte[][] payloads = {base, base, base};
    Chunk chunk = Chunk.ofData(ChunkCodec.encode(new long[] {1, 2, 3}, payloads, 3, 3), ORIGIN);
    long before = ChunkCodec.DECOMPRESSIONS.get();
    chunk.timestamps();
    chunk.numSamples();
    assertThat(ChunkCodec.DECOMPRESSIONS.get()).isEqualTo(before);
    chunk.payloads();
    assertThat(ChunkCodec.DECOMPRESSIONS.get()).isEqualTo(before + 1);
  }

  @Test
  void decode_damagedTimestampSectionFailsWithOffset() throws Exception {
    byte[] data = ChunkCodec.encode(new long[] {10, 20, 30}, new byte[][] {{1}, {2}, {3}}, 3, 3);
    data[3] ^= 0x40;
    assertThatThrownBy(() -> Chunk.ofData(data, ORIGIN))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("test-chunk")
        .hasMessageContaining("timestamp section CRC32C mismatch");
  }

  @Test
  void decode_everyTruncationFailsCleanly() throws Exception {
    Random rnd = new Random(11);
    byte[][] payloads = {randomBytes(rnd, 100), new byte[0], randomBytes(rnd, 50)};
    byte[] data = ChunkCodec.encode(new long[] {5, 6, 100}, payloads, 3, 3);
    for (int len = 0; len < data.length; len++) {
      byte[] cut = Arrays.copyOf(data, len);
      assertThatThrownBy(() -> Chunk.ofData(cut, ORIGIN).payloads())
          .as("truncated to %d bytes", len)
          .isInstanceOf(CorruptBlockException.class);
    }
  }

  @Test
  void decode_randomGarbageNeverThrowsAnythingButCorruptBlockException() throws Exception {
    Random rnd = new Random(5);
    ByteEncoder many = new ByteEncoder();
    for (int i = 0; i < 10; i++) {
      many.bytes(FieldSplitTest.randomProtobuf(rnd));
    }
    byte[] base = many.toByteArray();
    byte[][] goods = {
        ChunkCodec.encode(new long[] {1, 2}, new byte[][] {randomBytes(rnd, 300), randomBytes(rnd, 300)}, 2, 3),
        ChunkCodec.encode(new long[] {1, 2, 3}, new byte[][] {base, base, base}, 3, 3),
        ChunkCodec.encode(new long[] {1, 2, 3}, SymbolDictionaryCodecTest.goSeries("cpu").subList(0, 3)
            .toArray(new byte[0][]), 3, 3)};
    assertThat(goods[1][goods[1][1] + 2 + 4]).as("payload codec")
        .isIn((byte) ChunkCodec.CODEC_ZSTD_SPLIT, (byte) ChunkCodec.CODEC_ZSTD_SYMBOLS);
    assertThat(goods[2][goods[2][1] + 2 + 4]).as("payload codec").isEqualTo((byte) ChunkCodec.CODEC_ZSTD_SYMBOLS);
    for (int i = 0; i < 4500; i++) {
      byte[] good = goods[i % 3];
      byte[] bad = good.clone();
      int flips = 1 + rnd.nextInt(4);
      for (int f = 0; f < flips; f++) {
        bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
      }
      try {
        Chunk c = Chunk.ofData(bad, ORIGIN);
        c.timestamps();
        c.payloads();
      } catch (CorruptBlockException expected) {
        assertThat(expected.file()).isEqualTo(ORIGIN);
      }
    }
  }

  static long[] randomTimestamps(Random rnd, int n) {
    long[] ts = new long[n];
    long t = rnd.nextBoolean() ? rnd.nextLong() : 1_700_000_000_000L + rnd.nextInt(1_000_000);
    int mode = rnd.nextInt(3);
    long step = 1 + rnd.nextInt(60_000);
    for (int i = 0; i < n; i++) {
      ts[i] = t;
      t += switch (mode) {
        case 0 -> step; // equal deltas
        case 1 -> 1 + rnd.nextInt(100_000); // jittered, negative delta-of-delta
        default -> rnd.nextLong(); // arbitrary
      };
    }
    return ts;
  }

  static byte[] randomBytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }
}
