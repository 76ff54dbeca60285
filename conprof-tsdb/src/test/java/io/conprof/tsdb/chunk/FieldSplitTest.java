package io.conprof.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.tsdb.block.CorruptBlockException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class FieldSplitTest {
  private static final Path ORIGIN = Path.of("split-test");

  /** Consecutive real Go heap profiles, gunzipped. */
  static List<byte[]> heapSeries() throws IOException {
    String[] names = {"1644509272337470000", "1644509275338070000", "1644509278338696000", "1644509281339135000",
        "1644509284338649000", "1644509287338709000", "1644509290338056000", "1644509293338714000"};
    List<byte[]> out = new ArrayList<>();
    for (String n : names) {
      try (InputStream in = FieldSplitTest.class.getResourceAsStream("/parca__query-many-" + n + ".pb.gz")) {
        assertThat(in).as("fixture %s", n).isNotNull();
        out.add(new GZIPInputStream(new ByteArrayInputStream(in.readAllBytes())).readAllBytes());
      }
    }
    return out;
  }

  /** Random top-level protobuf fields of every wire type, sometimes with non-minimal tag varints. */
  static byte[] randomProtobuf(Random rnd) {
    ByteEncoder e = new ByteEncoder();
    int fields = 1 + rnd.nextInt(40);
    int[] numbers = {1, 2, 3, 4, 5, 6, 9, 12, 13, 300, 0x1fff_ffff};
    for (int i = 0; i < fields; i++) {
      int field = numbers[rnd.nextInt(numbers.length)];
      int wire = new int[] {0, 1, 2, 5}[rnd.nextInt(4)];
      long tag = ((long) field << 3) | wire;
      if (rnd.nextInt(10) == 0) {
        // non-minimal varint: an extra continuation byte carrying zero bits
        while (tag >= 0x80) {
          e.u8((int) (tag & 0x7f) | 0x80);
          tag >>>= 7;
        }
        e.u8((int) tag | 0x80).u8(0);
      } else {
        e.uvarint(tag);
      }
      switch (wire) {
        case 0 -> e.uvarint(rnd.nextLong());
        case 1 -> e.u64(rnd.nextLong());
        case 5 -> e.u32(rnd.nextInt());
        default -> {
          byte[] body = new byte[rnd.nextInt(60)];
          rnd.nextBytes(body);
          e.uvarint(body.length).bytes(body);
        }
      }
    }
    return e.toByteArray();
  }

  @Test
  void splitJoin_roundTripsProtobufOpaqueAndEmptySamplesByteForByte() throws Exception {
    Random rnd = new Random(17);
    for (int iter = 0; iter < 500; iter++) {
      int n = 1 + rnd.nextInt(20);
      byte[][] payloads = new byte[n][];
      for (int i = 0; i < n; i++) {
        payloads[i] = switch (rnd.nextInt(5)) {
          case 0 -> new byte[0];
          case 1 -> ChunkCodecTest.randomBytes(rnd, rnd.nextInt(100));
          default -> randomProtobuf(rnd);
        };
      }
      ByteEncoder section = FieldSplit.split(payloads, n);
      byte[][] back = FieldSplit.join(section.toByteArray(), n, ORIGIN, 0);
      for (int i = 0; i < n; i++) {
        assertThat(back[i]).as("iteration %d sample %d", iter, i).isEqualTo(payloads[i]);
      }
    }
  }

  @Test
  void encode_tooManyFieldNumbersFallsBackToWholePayloads() throws Exception {
    ByteEncoder e = new ByteEncoder();
    for (int f = 1; f <= FieldSplit.MAX_STREAMS + 1; f++) {
      e.uvarint(((long) f << 3)).uvarint(0);
    }
    byte[] p = e.toByteArray();
    assertThat(FieldSplit.split(new byte[][] {p}, 1)).isNull();
    byte[] data = ChunkCodec.encode(new long[] {1, 2}, new byte[][] {p, p}, 2, 3);
    assertThat(data[data[1] + 6]).as("payload codec").isEqualTo((byte) ChunkCodec.CODEC_ZSTD);
    byte[][] back = Chunk.ofData(data, ORIGIN).payloads();
    assertThat(back[0]).isEqualTo(p);
    assertThat(back[1]).isEqualTo(p);
  }

  @Test
  void parses_acceptsPprofAndRefusesBrokenFields() throws Exception {
    assertThat(FieldSplit.parses(heapSeries().get(0))).isTrue();
    assertThat(FieldSplit.parses(new byte[0])).isFalse();
    assertThat(FieldSplit.parses(new byte[] {0x12, 0x05, 1, 2})).as("length past the end").isFalse();
    assertThat(FieldSplit.parses(new byte[] {0x03})).as("wire type 3 (group)").isFalse();
    assertThat(FieldSplit.parses(new byte[] {0x00, 0x01})).as("field 0").isFalse();
    assertThat(FieldSplit.parses(new byte[] {0x08, (byte) 0x96, 0x01})).isTrue();
  }

  @Test
  void join_damagedSectionsFailCleanly() {
    Random rnd = new Random(23);
    byte[][] payloads = {randomProtobuf(rnd), randomProtobuf(rnd), new byte[] {9, 9, 9}};
    byte[] good = FieldSplit.split(payloads, 3).toByteArray();
    for (int i = 0; i < 3000; i++) {
      byte[] bad = good.clone();
      if (i % 4 == 0) {
        bad = java.util.Arrays.copyOf(bad, rnd.nextInt(bad.length));
      } else {
        bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
      }
      try {
        FieldSplit.join(bad, 3, ORIGIN, 0);
      } catch (CorruptBlockException expected) {
        assertThat(expected.file()).isEqualTo(ORIGIN);
      }
    }
  }

  @Test
  void encode_realHeapProfilesCompressBetterSplitThanWhole() throws Exception {
    List<byte[]> profiles = heapSeries();
    byte[][] payloads = profiles.toArray(new byte[0][]);
    long[] ts = new long[payloads.length];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 1_644_509_272_337L + 3000L * i;
    }
    byte[] data = ChunkCodec.encode(ts, payloads, payloads.length, 3);
    Chunk chunk = Chunk.ofData(data, ORIGIN);
    byte[][] back = chunk.payloads();
    for (int i = 0; i < payloads.length; i++) {
      assertThat(back[i]).isEqualTo(payloads[i]);
    }
    ByteEncoder whole = new ByteEncoder();
    for (byte[] p : payloads) {
      whole.uvarint(p.length).bytes(p);
    }
    int wholeCompressed = com.github.luben.zstd.Zstd.compress(whole.toByteArray(), 3).length;
    assertThat(data.length).as("split chunk vs zstd of the plain concatenation").isLessThan(wholeCompressed * 9 / 10);
  }
}
