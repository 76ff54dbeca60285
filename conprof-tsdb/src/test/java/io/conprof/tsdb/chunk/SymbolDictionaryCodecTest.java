package io.conprof.tsdb.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.pprof.ProfileBuilder;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.pprof.ValueType;
import io.conprof.tsdb.block.CorruptBlockException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class SymbolDictionaryCodecTest {
  private static final Path ORIGIN = Path.of("codec3-test");

  /** Twelve consecutive profiles of one Go process ("cpu" or "heap"), gunzipped. */
  static List<byte[]> goSeries(String type) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (int i = 40; i < 52; i++) {
      String name = "/series/go-" + type + "-" + i + ".pb.gz";
      try (InputStream in = SymbolDictionaryCodecTest.class.getResourceAsStream(name)) {
        assertThat(in).as("fixture %s", name).isNotNull();
        out.add(new GZIPInputStream(new ByteArrayInputStream(in.readAllBytes())).readAllBytes());
      }
    }
    return out;
  }

  private static byte[][] array(List<byte[]> l) {
    return l.toArray(new byte[0][]);
  }

  /** Number of profiles stored verbatim in a section (stream 0: kind u8, len uvarint). */
  private static int verbatimCount(byte[] section, int n) throws CorruptBlockException {
    ByteDecoder d = ByteDecoder.of(section, ORIGIN, 0);
    d.u8("version");
    for (int i = 0; i < SymbolDictionaryCodec.STREAMS; i++) {
      d.uvarint("len");
    }
    int verbatim = 0;
    for (int i = 0; i < n; i++) {
      verbatim += d.u8("kind") == 0 ? 1 : 0;
      d.uvarint("len");
    }
    return verbatim;
  }

  private static byte[][] roundTrip(byte[][] payloads) throws CorruptBlockException {
    byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    return SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0);
  }

  @Test
  void goCpuAndHeapSeries_roundTripByteForByteWithEveryProfileModelled() throws Exception {
    for (String type : new String[] {"cpu", "heap"}) {
      byte[][] payloads = array(goSeries(type));
      byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
      assertThat(verbatimCount(section, payloads.length)).as("%s profiles stored verbatim", type).isZero();
      byte[][] back = SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0);
      for (int i = 0; i < payloads.length; i++) {
        assertThat(back[i]).as("%s profile %d", type, i).isEqualTo(payloads[i]);
      }
    }
  }

  @Test
  void parcaHeapSeries_roundTripsByteForByteWithEveryProfileModelled() throws Exception {
    byte[][] payloads = array(FieldSplitTest.heapSeries());
    byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    assertThat(verbatimCount(section, payloads.length)).isZero();
    assertThat(SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0)).isDeepEqualTo(payloads);
  }

  @Test
  void chunkEncode_picksCodec3ForGoSeriesAndItIsSmallerThanCodec2() throws Exception {
    for (String type : new String[] {"cpu", "heap"}) {
      byte[][] payloads = array(goSeries(type));
      long[] ts = new long[payloads.length];
      for (int i = 0; i < ts.length; i++) {
        ts[i] = 1_700_000_000_000L + 10_000L * i;
      }
      byte[] data = ChunkCodec.encode(ts, payloads, payloads.length, 3);
      ByteDecoder d = ByteDecoder.of(data, ORIGIN, 0);
      ChunkCodec.readTimestampSection(d);
      assertThat(d.u8("codec")).as("%s payload codec", type).isEqualTo(ChunkCodec.CODEC_ZSTD_SYMBOLS);
      byte[] split = FieldSplit.split(payloads, payloads.length).toByteArray();
      int codec2Bytes = com.github.luben.zstd.Zstd.compress(split, 3).length;
      assertThat(data.length).as("%s chunk vs codec-2 payloads", type).isLessThan(codec2Bytes);
      Chunk chunk = Chunk.ofData(data, ORIGIN);
      assertThat(chunk.timestamps()).containsExactly(ts);
      assertThat(chunk.payloads()).isDeepEqualTo(payloads);
    }
  }

  @Test
  void mixedChunk_profileOfAnotherProducerAndGarbageInTheMiddleRoundTrip() throws Exception {
    List<byte[]> heap = goSeries("heap");
    Random rnd = new Random(5);
    List<byte[]> mixed = new ArrayList<>(heap.subList(0, 4));
    mixed.add(FieldSplitTest.heapSeries().get(0)); // another process and encoder version
    mixed.add(ChunkCodecTest.randomBytes(rnd, 500));
    mixed.add(new byte[0]);
    mixed.add(FieldSplitTest.randomProtobuf(rnd));
    mixed.addAll(heap.subList(4, 8));
    byte[][] payloads = array(mixed);
    byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    assertThat(verbatimCount(section, payloads.length)).isBetween(2, 3);
    assertThat(SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0)).isDeepEqualTo(payloads);
  }

  @Test
  void otherProducers_jvmProfilesAndGoProfilesReEncodedByProtobufJavaAreModelledAndRoundTrip() throws Exception {
    // conprof-core's own JVM profiles (protobuf-java field order: samples before locations and functions)
    Random rnd = new Random(11);
    List<ProfileBuilder.Frame> frames = new ArrayList<>();
    for (int f = 0; f < 40; f++) {
      frames.add(new ProfileBuilder.Frame("com.example.Service.method" + f, null, "Service.java", 10 + f));
    }
    List<byte[]> jvm = new ArrayList<>();
    for (int p = 0; p < 10; p++) {
      ProfileBuilder b = ProfileBuilder.create(List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")),
          new ValueType("cpu", "nanoseconds"), 10_000_000L).timeNanos(1_700_000_000_000_000_000L + p * 10_000_000_000L);
      for (int s = 0; s < 30; s++) {
        List<ProfileBuilder.Frame> stack = new ArrayList<>();
        int depth = 3 + rnd.nextInt(12);
        for (int d = 0; d < depth; d++) {
          stack.add(frames.get(rnd.nextInt(frames.size())));
        }
        long count = 1 + rnd.nextInt(20);
        b.addSample(stack, new long[] {count, count * 10_000_000L}, Map.of("thread", "worker-" + rnd.nextInt(4)));
      }
      jvm.add(b.build().toByteArray());
    }
    byte[][] payloads = array(jvm);
    byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    assertThat(verbatimCount(section, payloads.length)).as("JVM profiles stored verbatim").isZero();
    assertThat(SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0)).isDeepEqualTo(payloads);

    // the Go heap series parsed and written again by protobuf-java
    List<byte[]> reEncoded = new ArrayList<>();
    for (byte[] go : goSeries("heap")) {
      reEncoded.add(ProfileReader.defaults().parse(go).toByteArray());
    }
    assertThat(reEncoded.get(0)).isNotEqualTo(goSeries("heap").get(0));
    payloads = array(reEncoded);
    section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    assertThat(verbatimCount(section, payloads.length)).as("re-encoded profiles stored verbatim").isZero();
    assertThat(SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0)).isDeepEqualTo(payloads);
  }

  @Test
  void profilesThatDoNotFitTheModel_areStoredVerbatimWhileTheOthersAreModelled() throws Exception {
    byte[][] payloads = array(goSeries("cpu").subList(0, 8));
    // a Location without an id (field 4: address 5 only) appended to profiles 1, 4 and 6
    for (int i : new int[] {1, 4, 6}) {
      byte[] p = payloads[i];
      byte[] bent = java.util.Arrays.copyOf(p, p.length + 4);
      bent[p.length] = 0x22;
      bent[p.length + 1] = 2;
      bent[p.length + 2] = 0x18;
      bent[p.length + 3] = 5;
      payloads[i] = bent;
    }
    byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    assertThat(verbatimCount(section, payloads.length)).isEqualTo(3);
    assertThat(SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0)).isDeepEqualTo(payloads);
  }

  @Test
  void nonCanonicalVarintInAModelledField_isStoredVerbatimAndRoundTrips() throws Exception {
    byte[][] payloads = array(goSeries("cpu").subList(0, 3));
    // re-encode the length varint of the first sample (field 2) with a redundant continuation byte
    byte[] p = payloads[1];
    int at = 0;
    while (p[at] != 0x12) {
      at = FieldSplit.fieldEnd(p, at, p.length);
    }
    int last = at + 1;
    while ((p[last] & 0x80) != 0) {
      last++;
    }
    byte[] bent = new byte[p.length + 1];
    System.arraycopy(p, 0, bent, 0, last + 1);
    bent[last] |= (byte) 0x80;
    bent[last + 1] = 0;
    System.arraycopy(p, last + 1, bent, last + 2, p.length - last - 1);
    assertThat(FieldSplit.parses(bent)).isTrue();
    payloads[1] = bent;
    byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    assertThat(verbatimCount(section, payloads.length)).isEqualTo(1);
    assertThat(SymbolDictionaryCodec.decode(section, payloads.length, ORIGIN, 0)).isDeepEqualTo(payloads);
  }

  @Test
  void seededRandomPayloads_roundTripThroughModelOrVerbatimFallback() throws Exception {
    Random rnd = new Random(99);
    List<byte[]> heap = goSeries("heap");
    for (int iter = 0; iter < 200; iter++) {
      int n = 1 + rnd.nextInt(12);
      byte[][] payloads = new byte[n][];
      for (int i = 0; i < n; i++) {
        payloads[i] = switch (rnd.nextInt(5)) {
          case 0 -> new byte[0];
          case 1 -> ChunkCodecTest.randomBytes(rnd, rnd.nextInt(300));
          case 2 -> FieldSplitTest.randomProtobuf(rnd);
          case 3 -> pprofLike(rnd);
          default -> heap.get(rnd.nextInt(heap.size()));
        };
      }
      assertThat(roundTrip(payloads)).as("iteration %d", iter).isDeepEqualTo(payloads);
    }
  }

  /** A structurally valid small profile with random ids, references and values (protobuf-java's field order). */
  private static byte[] pprofLike(Random rnd) {
    int strings = 1 + rnd.nextInt(6);
    int functions = rnd.nextInt(4);
    int locations = rnd.nextInt(5);
    ByteEncoder p = new ByteEncoder();
    for (int s = 0; s < 1 + rnd.nextInt(5); s++) {
      ByteEncoder sample = new ByteEncoder();
      if (locations > 0) {
        ByteEncoder locs = new ByteEncoder();
        for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
          locs.uvarint(1 + rnd.nextInt(locations));
        }
        sample.u8(0x0a).uvarint(locs.length()).bytes(locs.toByteArray());
      }
      for (int v = 0; v < 2; v++) {
        sample.u8(0x10).uvarint(rnd.nextInt(3) == 0 ? -rnd.nextInt(100) : rnd.nextInt(1000));
      }
      p.u8(0x12).uvarint(sample.length()).bytes(sample.toByteArray());
    }
    for (int l = 1; l <= locations; l++) {
      ByteEncoder loc = new ByteEncoder();
      loc.u8(0x08).uvarint(l).u8(0x18).uvarint(rnd.nextInt(1 << 20));
      if (functions > 0) {
        ByteEncoder line = new ByteEncoder().u8(0x08).uvarint(1 + rnd.nextInt(functions)).u8(0x10).uvarint(rnd.nextInt(500));
        loc.u8(0x22).uvarint(line.length()).bytes(line.toByteArray());
      }
      p.u8(0x22).uvarint(loc.length()).bytes(loc.toByteArray());
    }
    for (int f = 1; f <= functions; f++) {
      ByteEncoder fn = new ByteEncoder().u8(0x08).uvarint(f).u8(0x10).uvarint(rnd.nextInt(strings));
      p.u8(0x2a).uvarint(fn.length()).bytes(fn.toByteArray());
    }
    for (int s = 0; s < strings; s++) {
      byte[] b = s == 0 ? new byte[0] : ("s" + rnd.nextInt(8)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      p.u8(0x32).uvarint(b.length).bytes(b);
    }
    p.u8(0x48).uvarint(rnd.nextLong() & Long.MAX_VALUE);
    return p.toByteArray();
  }

  @Test
  void decode_everyDamagedByteOrTruncationFailsWithCorruptBlockExceptionOrDiffers() throws Exception {
    byte[][] payloads = array(goSeries("heap").subList(0, 3));
    byte[] section = SymbolDictionaryCodec.encode(payloads, payloads.length).toByteArray();
    Random rnd = new Random(3);
    for (int iter = 0; iter < 1000; iter++) {
      byte[] bad = section.clone();
      int flips = 1 + rnd.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bad[rnd.nextInt(bad.length)] ^= (byte) (1 + rnd.nextInt(255));
      }
      try {
        byte[][] back = SymbolDictionaryCodec.decode(bad, payloads.length, ORIGIN, 100);
        long total = 0;
        for (byte[] b : back) {
          total += b.length;
        }
        assertThat(total).as("decoded bytes of a damaged section, iteration %d", iter).isLessThanOrEqualTo(1L << 20);
      } catch (CorruptBlockException e) {
        assertThat(e.getMessage()).contains(ORIGIN.toString());
      }
    }
    for (int cut = 0; cut < section.length; cut += 1 + cut / 16) {
      byte[] truncated = java.util.Arrays.copyOf(section, cut);
      assertThatThrownBy(() -> SymbolDictionaryCodec.decode(truncated, payloads.length, ORIGIN, 0))
          .as("truncated to %d bytes", cut)
          .isInstanceOf(CorruptBlockException.class);
    }
  }

  @Test
  void decode_hugeDeclaredLengthsAndCountsAreRefusedBeforeAllocating() {
    // a section whose only profile declares 200 MB and whose layout claims a billion strings
    ByteEncoder profiles = new ByteEncoder().u8(1).uvarint(200 << 20);
    // counts of kinds 0, 2, 3, 4, 5, 6, then one explicit run
    ByteEncoder layout = new ByteEncoder().uvarint(0).uvarint(0).uvarint(0).uvarint(0).uvarint(0).uvarint(100_000_000)
        .uvarint(2).uvarint(100_000_000L << 3 | 6);
    ByteEncoder[] streams = new ByteEncoder[SymbolDictionaryCodec.STREAMS];
    for (int i = 0; i < streams.length; i++) {
      streams[i] = new ByteEncoder();
    }
    streams[0] = profiles;
    streams[2] = layout;
    for (int i = 4; i <= 8; i++) {
      streams[i].uvarint(0);
    }
    ByteEncoder section = new ByteEncoder().u8(SymbolDictionaryCodec.VERSION);
    for (ByteEncoder s : streams) {
      section.uvarint(s.length());
    }
    for (ByteEncoder s : streams) {
      section.bytes(s.toByteArray());
    }
    assertThatThrownBy(() -> SymbolDictionaryCodec.decode(section.toByteArray(), 1, ORIGIN, 7))
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining("100000000 strings");
  }

  @Test
  void predictLayout_refusesSamplesWhoseStacksHoldMoreReferencesThanTheProfileHasBytes() {
    long[] counts = {0, 0, 1000, 0, 1, 0, 0};
    int[] deep = new int[1_000_000];
    assertThat(SymbolDictionaryCodec.predictLayout(counts, j -> deep, g -> new int[0], 1, 10_000)).isNull();
    byte[] layout = SymbolDictionaryCodec.predictLayout(counts, j -> new int[] {0}, g -> new int[0], 1, 10_000);
    assertThat(layout).hasSize(1001);
    assertThat(layout[0]).isEqualTo((byte) 4);
    assertThat(layout[1000]).isEqualTo((byte) 2);
  }

  @Test
  void chunkDecode_damagedCodec3SectionNamesTheFileAndTheReason() throws Exception {
    byte[][] payloads = array(goSeries("cpu"));
    long[] ts = new long[payloads.length];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = 10_000L * i;
    }
    byte[] data = ChunkCodec.encode(ts, payloads, payloads.length, 3);
    ByteDecoder d = ByteDecoder.of(data, ORIGIN, 0);
    ChunkCodec.readTimestampSection(d);
    assertThat(d.u8("codec")).isEqualTo(ChunkCodec.CODEC_ZSTD_SYMBOLS);
    int rawLen = d.uvarintInt("raw length", Integer.MAX_VALUE);
    int frameAt = d.position();
    byte[] section = com.github.luben.zstd.Zstd.decompress(java.util.Arrays.copyOfRange(data, frameAt, data.length), rawLen);
    section[0] = 9;
    byte[] frame = com.github.luben.zstd.Zstd.compress(section, 3);
    byte[] bad = java.util.Arrays.copyOf(data, frameAt + frame.length);
    System.arraycopy(frame, 0, bad, frameAt, frame.length);
    assertThatThrownBy(() -> Chunk.ofData(bad, ORIGIN).payloads())
        .isInstanceOf(CorruptBlockException.class)
        .hasMessageContaining(ORIGIN.toString())
        .hasMessageContaining("codec-3 section version 9");
  }
}
