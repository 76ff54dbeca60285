package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conprof.core.pprof.proto.ProfileProto;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.GoPprof;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileMergerTest {
  private static Profile read(String name) throws IOException {
    return ProfileReader.defaults().read(Fixtures.pprof(name));
  }

  private static Profile merge(List<Profile> profiles) throws InvalidProfileException {
    ProfileMerger m = new ProfileMerger();
    for (Profile p : profiles) {
      m.add(p);
    }
    return m.result();
  }

  @Test
  void merge_ofTheQueryManySeries_sumsTotalsAndCombinesHeadersAsPprof() throws IOException {
    List<Profile> many = new ArrayList<>();
    for (Path f : Fixtures.queryMany()) {
      many.add(ProfileReader.defaults().read(f));
    }

    Profile merged = merge(many);

    // Each of the eight cumulative heap profiles has the same totals (see the fixtures' README).
    assertThat(merged.totals()).containsExactly(8 * 83487L, 8 * 51965338L, 8 * 73788L, 8 * 48928729L);
    assertThat(merged.sampleTypes()).isEqualTo(many.get(0).sampleTypes());
    assertThat(merged.timeNanos()).isEqualTo(1644509272337470000L); // the earliest
    assertThat(merged.period()).isEqualTo(524288);
    assertThat(merged.periodType()).contains(new ValueType("space", "bytes"));
    // pprof -raw reports 18 distinct stacks for each file; they are the same stacks.
    assertThat(merged.sampleCount()).isLessThanOrEqualTo(many.stream().mapToInt(Profile::sampleCount).sum());
  }

  @Test
  void merge_agreesWithGoToolPprof(@TempDir Path dir) throws Exception {
    assumeTrue(GoPprof.available(), GoPprof.MISSING);
    List<Path> files = Fixtures.queryMany();
    List<Profile> many = new ArrayList<>();
    for (Path f : files) {
      many.add(ProfileReader.defaults().read(f));
    }
    Path ours = dir.resolve("ours.pb.gz");
    Files.write(ours, merge(many).toGzip());
    Path theirs = dir.resolve("theirs.pb.gz");
    List<String> args = new ArrayList<>(List.of("-proto", "-symbolize=none", "-output", theirs.toString()));
    files.forEach(f -> args.add(f.toString()));
    GoPprof.Result r = GoPprof.run(args);
    assertThat(r.exitCode()).as(r.stderr()).isZero();

    assertThat(GoPprof.totals(ours)).containsExactly(GoPprof.totals(theirs));
    Profile goMerged = ProfileReader.defaults().read(theirs);
    assertThat(goMerged.sampleTypes()).isEqualTo(many.get(0).sampleTypes());
    assertThat(goMerged.totals()).containsExactly(merge(many).totals());
  }

  @Test
  void merge_withItself_doublesEveryValueAndKeepsTheStacks() throws IOException {
    Profile p = read("pprof__sample.cpu");

    Profile twice = merge(List.of(p, p));

    assertThat(twice.totals()).containsExactly(2 * 176L, 2 * 1760000000L);
    Profile once = merge(List.of(p));
    assertThat(twice.sampleCount()).isEqualTo(once.sampleCount());
    assertThat(twice.durationNanos()).isEqualTo(2 * p.durationNanos());
  }

  @Test
  void merge_ofDifferentSampleTypes_isRefused() throws IOException {
    ProfileMerger m = new ProfileMerger();
    m.add(read("pprof__sample.cpu"));

    assertThatThrownBy(() -> m.add(read("golang-1.19__sync.mutex.pprof")))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessageStartingWith("cannot merge: incompatible period types");
  }

  @Test
  void merge_isStreaming_memoryFollowsTheResultNotTheInputs() throws IOException {
    Profile p = read("parca__query-fib.pb.gz");
    ProfileMerger m = new ProfileMerger();
    m.add(p);
    int distinct = m.sampleCount();

    for (int i = 0; i < 2000; i++) {
      m.add(p);
    }

    assertThat(m.sampleCount()).isEqualTo(distinct);
    assertThat(m.result().totals()).containsExactly(2001 * 2974L, 2001 * 29740000000L);
    assertThat(m.result().serializedSize()).isLessThan(2 * p.serializedSize());
  }

  @Test
  void merge_relocatesAddressesOfTheSameBinaryLoadedElsewhere() throws IOException {
    Profile a = ProfileReader.defaults().parse(withMapping(0x400000, 0x401234).toByteArray());
    Profile b = ProfileReader.defaults().parse(withMapping(0x800000, 0x801234).toByteArray());

    Profile merged = merge(List.of(a, b));

    assertThat(merged.sampleCount()).isEqualTo(1);
    assertThat(merged.proto().getLocationCount()).isEqualTo(1);
    assertThat(merged.proto().getLocation(0).getAddress()).isEqualTo(0x401234);
    assertThat(merged.totals()).containsExactly(2);
  }

  private static ProfileProto.Profile withMapping(long start, long address) {
    return ProfileProto.Profile.newBuilder()
        .addAllStringTable(List.of("", "samples", "count", "/bin/app", "abc123"))
        .addSampleType(ProfileProto.ValueType.newBuilder().setType(1).setUnit(2))
        .addMapping(ProfileProto.Mapping.newBuilder().setId(1).setMemoryStart(start).setMemoryLimit(start + 0x10000)
            .setFilename(3).setBuildId(4))
        .addLocation(ProfileProto.Location.newBuilder().setId(1).setMappingId(1).setAddress(address))
        .addSample(ProfileProto.Sample.newBuilder().addLocationId(1).addValue(1))
        .build();
  }

  @Test
  void diff_ofAProfileWithItself_totalsZero_andMarksTheBase() throws IOException {
    Profile p = read("parca__query-fib.pb.gz");

    Profile d = Profile.diff(p, p);

    assertThat(d.totals()).containsExactly(0, 0);
    assertThat(d.proto().getStringTableList()).contains("pprof::base");
    assertThat(d.sampleCount()).isEqualTo(2 * p.sampleCount());
  }

  @Test
  void diff_givesCurrentMinusBase() throws IOException {
    Profile base = read("pprof__sample.cpu");
    Profile current = merge(List.of(base, base, base));

    assertThat(Profile.diff(base, current).totals()).containsExactly(2 * 176L, 2 * 1760000000L);
  }

  @Test
  void diff_isReadByGoToolPprof(@TempDir Path dir) throws Exception {
    assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Profile p = read("golang-1.19__compress-flate.cpu.pprof");
    Path out = dir.resolve("diff.pb.gz");
    Files.write(out, Profile.diff(p, p).toGzip());

    assertThat(GoPprof.totals(out)).containsExactly(0, 0);
  }

  @Test
  void scale_roundsHalfAwayFromZeroAndDropsZeroSamples() throws IOException {
    Profile p = read("pprof__sample.cpu");

    assertThat(p.scale(-1).totals()).containsExactly(-176, -1760000000L);
    assertThat(p.scale(0).sampleCount()).isZero();
    assertThat(ProfileTransforms.goRound(2.5)).isEqualTo(3);
    assertThat(ProfileTransforms.goRound(-2.5)).isEqualTo(-3);
    assertThat(ProfileTransforms.goRound(-2.4)).isEqualTo(-2);
  }

  @Test
  void selectSampleType_keepsOneColumn() throws IOException {
    Profile heap = read("parca__query-many-1644509272337470000.pb.gz");

    Profile inuse = heap.selectSampleType("inuse_space");

    assertThat(inuse.sampleTypes()).containsExactly(new ValueType("inuse_space", "bytes"));
    assertThat(inuse.totals()).containsExactly(48928729L);
    assertThat(ProfileReader.defaults().parse(inuse.toByteArray())).isEqualTo(inuse);
  }

  @Test
  void filter_focusIgnoreAndLabels() throws IOException {
    Profile p = read("pprof__sample.cpu");
    Profile labelled = read("parca__parca-labels.pb.gz");

    Profile focused = p.filter(ProfileFilter.all().focus("mapiternext"));
    Profile ignored = p.filter(ProfileFilter.all().ignore("mapiternext"));

    assertThat(focused.totals()[1] + ignored.totals()[1]).isEqualTo(p.totals()[1]);
    assertThat(focused.totals()[1]).isGreaterThanOrEqualTo(1370000000L); // cum of runtime.mapiternext
    long withApi = labelled.filter(ProfileFilter.all().labelMatches("api", ".+")).totals()[0];
    long withoutApi = labelled.filter(ProfileFilter.all().labelEquals("api", "")).totals()[0];
    assertThat(withApi + withoutApi).isEqualTo(173);
    assertThat(withApi).isPositive();
    assertThatThrownBy(() -> ProfileFilter.all().focus("("))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad focus regex \"(\"");
  }
}
