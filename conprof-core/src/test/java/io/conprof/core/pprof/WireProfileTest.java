package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.protobuf.CodedOutputStream;
import io.conprof.core.pprof.proto.ProfileProto;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.Fixtures.Expected;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WireProfileTest {
  static Stream<Expected> fixtures() {
    return Fixtures.expected().stream();
  }

  private static byte[] raw(String file) throws IOException {
    return ProfileReader.defaults().decompress(Files.readAllBytes(Fixtures.pprof(file)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void everyFixture_decodesToTheProfileOfTheProtobufJavaPath(Expected e) throws IOException {
    byte[] raw = raw(e.file());
    Profile viaMessages = ProfileReader.parseValidatedMessage(raw);

    WireProfile wire = WireProfile.decode(raw);

    assertThat(wire).as("decoded on the fast path").isNotNull();
    Profile viaWire = new Profile(wire);
    assertThat(viaWire.proto()).isEqualTo(viaMessages.proto());
    ProfileProto.Profile p = viaMessages.proto();
    assertThat(wire.stringCount).isEqualTo(p.getStringTableCount());
    for (int i = 0; i < wire.stringCount; i++) {
      assertThat(wire.string(i)).isEqualTo(p.getStringTable(i));
    }
    assertThat(wire.sampleCount).isEqualTo(p.getSampleCount());
    assertThat(wire.locationCount).isEqualTo(p.getLocationCount());
    assertThat(wire.functionCount).isEqualTo(p.getFunctionCount());
    assertThat(wire.mappingCount).isEqualTo(p.getMappingCount());
    for (int i = 0; i < p.getLocationCount(); i++) {
      assertThat(wire.locationIndex.indexOf(p.getLocation(i).getId())).isEqualTo(i);
    }
    for (int i = 0; i < p.getMappingCount(); i++) {
      ProfileProto.Mapping m = p.getMapping(i);
      assertThat(wire.mappings[i]).containsExactly(m.getId(), m.getMemoryStart(), m.getMemoryLimit(), m.getFileOffset(),
          m.getFilename(), m.getBuildId(), m.getHasFunctions() ? 1 : 0, m.getHasFilenames() ? 1 : 0,
          m.getHasLineNumbers() ? 1 : 0, m.getHasInlineFrames() ? 1 : 0);
    }
    assertThat(Arrays.stream(wire.comments, 0, wire.commentCount).boxed().toList()).isEqualTo(p.getCommentList());
    assertThat(new long[] {wire.timeNanos, wire.durationNanos, wire.period, wire.defaultSampleType, wire.dropFrames,
        wire.keepFrames, wire.docUrl})
        .containsExactly(p.getTimeNanos(), p.getDurationNanos(), p.getPeriod(), p.getDefaultSampleType(),
            p.getDropFrames(), p.getKeepFrames(), p.getDocUrl());
    assertThat(viaWire.totals()).containsExactly(viaMessages.totals());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void merge_ofWireProfiles_isByteForByteTheMergeOfMessages(Expected e) throws IOException {
    byte[] raw = raw(e.file());
    ProfileMerger viaWire = new ProfileMerger();
    ProfileMerger viaMessages = new ProfileMerger();
    Profile wire = ProfileReader.defaults().parse(raw);
    Profile message = ProfileReader.parseValidatedMessage(raw);
    assertThat(wire.wire).isNotNull();
    assertThat(message.wire).isNull();

    viaWire.add(wire);
    viaWire.add(wire);
    viaMessages.add(message);
    viaMessages.add(message);

    byte[] merged = bytes(viaWire);
    assertThat(merged).isEqualTo(bytes(viaMessages));
    // The hand-written encoding is protobuf's canonical one.
    assertThat(merged).isEqualTo(ProfileProto.Profile.parseFrom(merged).toByteArray());
  }

  @Test
  void merge_ofTheQueryManySeries_isCanonicalProtobuf() throws IOException {
    ProfileMerger m = new ProfileMerger();
    for (var f : Fixtures.queryMany()) {
      m.add(ProfileReader.defaults().read(f));
    }
    byte[] merged = bytes(m);
    assertThat(merged).isEqualTo(ProfileProto.Profile.parseFrom(merged).toByteArray());
  }

  private static byte[] bytes(ProfileMerger m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    m.writeTo(out);
    return out.toByteArray();
  }

  /** Both paths must agree: the same profile, or the same error message. */
  private static void assertSameOutcome(byte[] input) {
    Object viaMessages;
    try {
      viaMessages = ProfileReader.parseValidatedMessage(input).proto();
    } catch (InvalidProfileException e) {
      viaMessages = e.getMessage();
    }
    Object viaReader;
    try {
      viaReader = ProfileReader.parseValidated(input).proto();
    } catch (InvalidProfileException e) {
      viaReader = e.getMessage();
    }
    assertThat(viaReader).isEqualTo(viaMessages);
  }

  @Test
  void truncatedInputs_giveTheErrorsOfTheProtobufJavaPath() throws IOException {
    for (String file : List.of("pprof__sample.cpu", "parca__parca-labels.pb.gz", "golang-1.19__sync.mutex.pprof")) {
      byte[] raw = raw(file);
      for (int cut = 0; cut < raw.length; cut += Math.max(1, raw.length / 300)) {
        assertSameOutcome(Arrays.copyOf(raw, cut));
      }
    }
  }

  @Test
  void seededCorruptions_giveTheOutcomeOfTheProtobufJavaPath() throws IOException {
    Random random = new Random(42);
    for (String file : List.of("pprof__sample.cpu", "parca__query-two-stacks.pb.gz", "converted__java.cpu.pb.gz")) {
      byte[] raw = raw(file);
      for (int i = 0; i < 400; i++) {
        byte[] bad = raw.clone();
        int flips = 1 + random.nextInt(3);
        for (int f = 0; f < flips; f++) {
          int at = random.nextInt(bad.length);
          bad[at] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : (byte) (bad[at] ^ (1 << random.nextInt(8)));
        }
        assertSameOutcome(bad);
      }
    }
  }

  @Test
  void randomBytes_giveTheErrorOfTheProtobufJavaPath() {
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] bytes = new byte[1 + random.nextInt(200)];
      random.nextBytes(bytes);
      assertSameOutcome(bytes);
    }
  }

  @Test
  void structuralErrors_areReportedAsByTheValidator() {
    ProfileProto.Profile.Builder ok = ProfileProto.Profile.newBuilder()
        .addAllStringTable(List.of("", "samples", "count", "main", "main.go"))
        .addSampleType(ProfileProto.ValueType.newBuilder().setType(1).setUnit(2))
        .addFunction(ProfileProto.Function.newBuilder().setId(1).setName(3).setFilename(4))
        .addLocation(ProfileProto.Location.newBuilder().setId(1)
            .addLine(ProfileProto.Line.newBuilder().setFunctionId(1).setLine(7)))
        .addSample(ProfileProto.Sample.newBuilder().addLocationId(1).addValue(5));
    assertThat(WireProfile.decode(ok.build().toByteArray())).isNotNull();

    List<ProfileProto.Profile.Builder> bad = List.of(
        ok.clone().setStringTable(0, "x"),
        ok.clone().clearStringTable(),
        ok.clone().addFunction(ProfileProto.Function.newBuilder().setId(1)),
        ok.clone().addFunction(ProfileProto.Function.newBuilder().setId(2).setSystemName(99)),
        ok.clone().addLocation(ProfileProto.Location.newBuilder().setId(0)),
        ok.clone().addLocation(ProfileProto.Location.newBuilder().setId(2).setMappingId(5)),
        ok.clone().addMapping(ProfileProto.Mapping.newBuilder().setId(1).setBuildId(-1)),
        ok.clone().addSample(ProfileProto.Sample.newBuilder().addLocationId(3).addValue(1)),
        ok.clone().addSample(ProfileProto.Sample.newBuilder().addLocationId(1)),
        ok.clone().addSample(ProfileProto.Sample.newBuilder().addValue(1)
            .addLabel(ProfileProto.Label.newBuilder().setKey(1).setNumUnit(77))),
        ok.clone().addComment(12),
        ok.clone().setDocUrl(5),
        ok.clone().setPeriodType(ProfileProto.ValueType.newBuilder().setType(-3)));
    for (ProfileProto.Profile.Builder b : bad) {
      byte[] bytes = b.build().toByteArray();
      assertThat(WireProfile.decode(bytes)).isNull();
      Throwable viaReader = catchThrowable(() -> ProfileReader.defaults().parse(bytes));
      Throwable viaMessages = catchThrowable(() -> ProfileReader.parseValidatedMessage(bytes));
      assertThat(viaReader).isInstanceOf(InvalidProfileException.class).hasMessage(viaMessages.getMessage());
    }
  }

  @Test
  void unknownFieldsAndUnpackedRepeatedFields_areReadAsProtobufReadsThem() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(bytes);
    for (String s : List.of("", "samples", "count", "main")) {
      c.writeString(6, s);
    }
    c.writeTag(1, 2);
    c.writeUInt32NoTag(4);
    c.writeInt64NoTag(1 << 3);
    c.writeInt64NoTag(1); // type = 1
    c.writeInt64NoTag(2 << 3);
    c.writeInt64NoTag(2); // unit = 2
    c.writeUInt64(99, 12345); // unknown varint field
    c.writeFixed32(98, 7); // unknown fixed32
    c.writeFixed64(97, 7); // unknown fixed64
    c.writeString(96, "ignored"); // unknown length-delimited
    // A sample with an unpacked location id and value, and a function and location.
    ByteArrayOutputStream sample = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(sample);
    s.writeUInt64(1, 1);
    s.writeInt64(2, 9);
    s.writeUInt64(15, 3); // unknown inside a sample
    s.flush();
    c.writeByteArray(2, sample.toByteArray());
    c.writeByteArray(5, ProfileProto.Function.newBuilder().setId(1).setName(3).build().toByteArray());
    c.writeByteArray(4, ProfileProto.Location.newBuilder().setId(1).setAddress(0x10)
        .addLine(ProfileProto.Line.newBuilder().setFunctionId(1)).build().toByteArray());
    c.writeInt64(9, 1000);
    c.writeInt64(13, 3); // an unpacked comment
    c.flush();
    byte[] raw = bytes.toByteArray();

    assertThat(WireProfile.decode(raw)).isNotNull();
    assertSameOutcome(raw);
    Profile p = ProfileReader.defaults().parse(raw);
    assertThat(p.totals()).containsExactly(9);
    assertThat(p.comments()).containsExactly("main");

    ProfileMerger m = new ProfileMerger();
    m.add(p);
    ProfileMerger viaMessages = new ProfileMerger();
    viaMessages.add(ProfileReader.parseValidatedMessage(raw));
    assertThat(bytes(m)).isEqualTo(bytes(viaMessages));
  }

  @Test
  void invalidUtf8InTheStringTable_isRefusedAsProtobufRefusesIt() throws IOException {
    for (byte[] bad : List.of(new byte[] {(byte) 0xc0, (byte) 0x80}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xe2, (byte) 0x82})) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream c = CodedOutputStream.newInstance(bytes);
      c.writeString(6, "");
      c.writeByteArray(6, bad);
      c.flush();
      assertThat(WireProfile.decode(bytes.toByteArray())).isNull();
      assertSameOutcome(bytes.toByteArray());
    }
    ByteArrayOutputStream good = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(good);
    c.writeString(6, "");
    c.writeString(6, "héllo wörld € 𝄞");
    c.flush();
    WireProfile w = WireProfile.decode(good.toByteArray());
    assertThat(w).isNotNull();
    assertThat(w.string(1)).isEqualTo("héllo wörld € 𝄞");
  }

  @Test
  void theDecompressedSizeLimit_holdsForRawInput() throws IOException {
    byte[] raw = raw("pprof__sample.cpu");
    ProfileReader small = ProfileReader.builder().maxDecompressedBytes(raw.length - 1).build();
    Throwable t = catchThrowable(() -> small.parse(raw));
    assertThat(t).isInstanceOf(InvalidProfileException.class)
        .hasMessage("profile of " + raw.length + " bytes exceeds the limit of " + (raw.length - 1) + " bytes");
    assertThat(ProfileReader.builder().maxDecompressedBytes(raw.length).build().parse(raw).wire).isNotNull();
  }
}
