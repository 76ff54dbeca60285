package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.pprof.proto.ProfileProto;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.Fixtures.Expected;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfileReaderTest {
  static Stream<Expected> fixtures() {
    return Fixtures.expected().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void read_reportsWhatGoToolPprofReports(Expected e) throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof(e.file()));

    assertThat(p.sampleTypes()).extracting(ValueType::toString).containsExactlyElementsOf(e.sampleTypes());
    assertThat(p.totals()).containsExactly(e.totals());
    assertThat(p.sampleCount()).isEqualTo(e.samplesInFile());
    assertThat(p.period()).isEqualTo(e.period());
    assertThat(p.timeNanos()).isEqualTo(e.timeNanos());
    assertThat(p.durationNanos()).isEqualTo(e.durationNanos());
    assertThat(p.periodType().map(vt -> vt.type() + " " + vt.unit()).orElse("")).isEqualTo(e.periodType());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void parseWriteParse_givesAnEqualProfile(Expected e) throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof(e.file()));

    Profile viaGzip = ProfileReader.defaults().parse(p.toGzip());
    Profile viaRaw = ProfileReader.defaults().parse(p.toByteArray());

    assertThat(viaGzip).isEqualTo(p);
    assertThat(viaRaw).isEqualTo(p);
    assertThat(ProfileReader.isGzip(p.toGzip())).isTrue();
  }

  @Test
  void decompress_detectsGzipByMagicNotByName() throws IOException {
    byte[] gz = Files.readAllBytes(Fixtures.pprof("pprof__sample.cpu"));
    assertThat(ProfileReader.isGzip(gz)).isTrue();
    byte[] raw = ProfileReader.defaults().decompress(gz);
    assertThat(ProfileReader.isGzip(raw)).isFalse();
    assertThat(raw).hasSize(3843); // protobuf size given by the fixture's README
    assertThat(ProfileReader.defaults().decompress(raw)).isSameAs(raw);
  }

  @Test
  void truncatedGzip_isRefusedWithAClearMessage() throws IOException {
    byte[] gz = Files.readAllBytes(Fixtures.pprof("pprof__sample.cpu"));
    byte[] cut = Arrays.copyOf(gz, gz.length / 2);

    assertThatThrownBy(() -> ProfileReader.defaults().parse(cut, "cut.pb.gz"))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessageStartingWith("cut.pb.gz: truncated gzip stream");
  }

  @Test
  void truncatedProtobuf_isRefusedWithAClearMessage() throws IOException {
    byte[] raw = ProfileReader.defaults().decompress(Files.readAllBytes(Fixtures.pprof("pprof__sample.cpu")));
    byte[] cut = Arrays.copyOf(raw, raw.length - 7);

    assertThatThrownBy(() -> ProfileReader.defaults().parse(cut))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessageContaining("not a pprof profile")
        .hasMessageContaining(cut.length + " bytes");
  }

  @Test
  void randomBytes_areRefused() {
    Random r = new Random(42);
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[1 + r.nextInt(5000)];
      r.nextBytes(junk);
      assertThatThrownBy(() -> ProfileReader.defaults().parse(junk))
          .isInstanceOf(InvalidProfileException.class)
          .hasMessageNotContaining("null");
    }
  }

  @Test
  void emptyInput_isRefused() {
    assertThatThrownBy(() -> ProfileReader.defaults().parse(new byte[0]))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessage("empty input: 0 bytes is not a pprof profile");
  }

  @Test
  void gzipBomb_isRefusedWithoutExpandingIt() throws IOException {
    // 1 GiB of zeros compresses to about 1 MB; the reader must stop at its limit.
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bomb, 1 << 16) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 1024; i++) {
        gz.write(zeros);
      }
    }
    ProfileReader reader = ProfileReader.builder().maxDecompressedBytes(16 << 20).build();

    assertThatThrownBy(() -> reader.parse(bomb.toByteArray()))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessageContaining("expands beyond the limit of 16777216 bytes");
    assertThatThrownBy(() -> ProfileReader.defaults().decompress(bomb.toByteArray()))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessageContaining("expands beyond the limit of " + ProfileReader.DEFAULT_MAX_DECOMPRESSED_BYTES);
  }

  @Test
  void inputOverTheCompressedLimit_isRefusedBeforeReading(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("big.pb.gz");
    Files.write(f, new byte[4096]);
    ProfileReader reader = ProfileReader.builder().maxCompressedBytes(1000).build();

    assertThatThrownBy(() -> reader.read(f))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessage(f + ": file of 4096 bytes exceeds the limit of 1000 bytes");
  }

  private static ProfileProto.Profile.Builder minimal() {
    return ProfileProto.Profile.newBuilder()
        .addAllStringTable(List.of("", "samples", "count", "main", "main.go"))
        .addSampleType(ProfileProto.ValueType.newBuilder().setType(1).setUnit(2))
        .addFunction(ProfileProto.Function.newBuilder().setId(1).setName(3).setSystemName(3).setFilename(4))
        .addLocation(ProfileProto.Location.newBuilder().setId(1).addLine(ProfileProto.Line.newBuilder().setFunctionId(1).setLine(7)))
        .addSample(ProfileProto.Sample.newBuilder().addLocationId(1).addValue(5));
  }

  @Test
  void minimalProfile_isValid() throws IOException {
    Profile p = ProfileReader.defaults().parse(minimal().build().toByteArray());
    assertThat(p.totals()).containsExactly(5);
  }

  @Test
  void danglingLocationId_isRefusedNamingTheSample() {
    byte[] bad = minimal().addSample(ProfileProto.Sample.newBuilder().addLocationId(99).addValue(1)).build().toByteArray();

    assertThatThrownBy(() -> ProfileReader.defaults().parse(bad))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessage("sample #1 refers to location id 99, which does not exist (1 locations)");
  }

  @Test
  void structuralErrors_sayWhatIsWrongAndWhere() {
    assertInvalid(minimal().setStringTable(0, "x"), "string_table[0] must be \"\", found \"x\"");
    assertInvalid(minimal().addFunction(ProfileProto.Function.newBuilder().setId(0).setName(3)),
        "function #1 has the reserved id 0");
    assertInvalid(minimal().addFunction(ProfileProto.Function.newBuilder().setId(1).setName(3)),
        "function id 1 is used twice (function #0 and #1)");
    assertInvalid(minimal().addLocation(ProfileProto.Location.newBuilder().setId(2).setMappingId(3)),
        "location id 2 refers to mapping id 3, which does not exist (0 mappings)");
    assertInvalid(minimal().addLocation(ProfileProto.Location.newBuilder().setId(2)
            .addLine(ProfileProto.Line.newBuilder().setFunctionId(9))),
        "location id 2 line #0 refers to function id 9, which does not exist (1 functions)");
    assertInvalid(minimal().addSample(ProfileProto.Sample.newBuilder().addLocationId(1).addValue(1).addValue(2)),
        "sample #1 has 2 values but the profile has 1 sample types");
    assertInvalid(minimal().setSampleType(0, ProfileProto.ValueType.newBuilder().setType(1).setUnit(17)),
        "sample_type #0 unit refers to string 17, outside the string table of 5 entries");
    assertInvalid(minimal().addSample(ProfileProto.Sample.newBuilder().addLocationId(1).addValue(1)
            .addLabel(ProfileProto.Label.newBuilder().setKey(-2))),
        "sample #1 label #0 key refers to string -2, outside the string table of 5 entries");
    assertInvalid(minimal().clearStringTable(),
        "not a pprof profile: the string table is empty (string_table[0] must be \"\")");
  }

  private static void assertInvalid(ProfileProto.Profile.Builder b, String message) {
    byte[] bytes = b.build().toByteArray();
    assertThatThrownBy(() -> ProfileReader.defaults().parse(bytes))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessage(message);
  }

  @Test
  void sampleTypeIndex_defaultsLikePprof() throws IOException {
    Profile heap = ProfileReader.defaults().read(Fixtures.pprof("parca__query-many-1644509272337470000.pb.gz"));
    Profile mem = ProfileReader.defaults().read(Fixtures.pprof("golang-1.19__compress-flate.mem.pprof"));

    assertThat(heap.sampleTypes().get(heap.sampleTypeIndex(null)).type()).isEqualTo("inuse_space");
    assertThat(mem.sampleTypes().get(mem.sampleTypeIndex("")).type()).isEqualTo("alloc_space");
    assertThatThrownBy(() -> heap.sampleTypeIndex("cpu"))
        .hasMessage("no sample type \"cpu\"; the profile has [alloc_objects, alloc_space, inuse_objects, inuse_space]");
  }
}
