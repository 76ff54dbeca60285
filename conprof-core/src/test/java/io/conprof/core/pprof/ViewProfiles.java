package io.conprof.core.pprof;

import io.conprof.core.pprof.proto.ProfileProto;
import java.util.ArrayList;
import java.util.List;

/** Small profiles built by hand for the view tests (top, folded stacks, flame graph). */
final class ViewProfiles {
  private ViewProfiles() {}

  /**
   * cpu/nanoseconds, stacks root first: main → work → (inlined) helper → leaf: 10; main →
   * work+helper: 5 (flat in the inlined helper); main → rec → rec: 3 (recursion); main → "a;b": 2
   * (a name with the folded separator); and a sample of value 0. Location 2 holds two lines:
   * helper (line[0], the inlined callee) inlined into work.
   */
  static ProfileProto.Profile handBuiltProto() {
    return ProfileProto.Profile.newBuilder()
        .addAllStringTable(List.of("", "cpu", "nanoseconds", "main", "work", "helper", "leaf", "rec", "a;b"))
        .addSampleType(ProfileProto.ValueType.newBuilder().setType(1).setUnit(2))
        .addFunction(fn(1, 3)).addFunction(fn(2, 4)).addFunction(fn(3, 5)).addFunction(fn(4, 6)).addFunction(fn(5, 7))
        .addFunction(fn(6, 8))
        .addLocation(loc(1, 1))
        .addLocation(ProfileProto.Location.newBuilder().setId(2)
            .addLine(ProfileProto.Line.newBuilder().setFunctionId(3)) // helper, inlined
            .addLine(ProfileProto.Line.newBuilder().setFunctionId(2))) // into work
        .addLocation(loc(3, 4))
        .addLocation(loc(4, 5))
        .addLocation(loc(5, 6))
        .addSample(sample(10, 3, 2, 1))
        .addSample(sample(5, 2, 1))
        .addSample(sample(3, 4, 4, 1))
        .addSample(sample(2, 5, 1))
        .addSample(sample(0, 3, 2, 1))
        .build();
  }

  static Profile handBuilt() throws InvalidProfileException {
    return ProfileReader.defaults().parse(handBuiltProto().toByteArray());
  }

  /**
   * A profile whose flame graph has {@code stacks * depth + 1} nodes: {@code stacks} stacks of
   * value 1, each of {@code depth} frames, all distinct below a shared root frame "main".
   */
  static Profile wide(int stacks, int depth) throws InvalidProfileException {
    ProfileProto.Profile.Builder b = ProfileProto.Profile.newBuilder()
        .addAllStringTable(List.of("", "samples", "count", "main"))
        .addSampleType(ProfileProto.ValueType.newBuilder().setType(1).setUnit(2))
        .addFunction(fn(1, 3))
        .addLocation(loc(1, 1));
    long id = 2;
    for (int s = 0; s < stacks; s++) {
      List<Long> locs = new ArrayList<>();
      for (int d = 0; d < depth; d++) {
        b.addStringTable("pkg" + s + ".frame" + d);
        b.addFunction(fn(id, b.getStringTableCount() - 1));
        b.addLocation(loc(id, id));
        locs.add(0, id); // leaf first
        id++;
      }
      locs.add(1L);
      ProfileProto.Sample.Builder sample = ProfileProto.Sample.newBuilder().addValue(1);
      locs.forEach(sample::addLocationId);
      b.addSample(sample);
    }
    return ProfileReader.defaults().parse(b.build().toByteArray());
  }

  static ProfileProto.Function fn(long id, long name) {
    return ProfileProto.Function.newBuilder().setId(id).setName(name).setSystemName(name).build();
  }

  static ProfileProto.Location loc(long id, long fn) {
    return ProfileProto.Location.newBuilder().setId(id).addLine(ProfileProto.Line.newBuilder().setFunctionId(fn)).build();
  }

  static ProfileProto.Sample sample(long value, long... locsLeafFirst) {
    ProfileProto.Sample.Builder b = ProfileProto.Sample.newBuilder().addValue(value);
    for (long l : locsLeafFirst) {
      b.addLocationId(l);
    }
    return b.build();
  }
}
