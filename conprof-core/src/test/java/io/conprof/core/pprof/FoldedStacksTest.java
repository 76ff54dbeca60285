package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.pprof.proto.ProfileProto;
import io.conprof.core.testing.Fixtures;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FoldedStacksTest {
  @Test
  void of_expandsInlinedFramesKeepsRecursionAndOmitsZeroStacks() throws IOException {
    String folded = FoldedStacks.of(ViewProfiles.handBuilt(), null);

    assertThat(folded).isEqualTo("""
        main;a:b 2
        main;rec;rec 3
        main;work;helper 5
        main;work;helper;leaf 10
        """);
  }

  @Test
  void of_sumsEqualStacksAndDropsStacksThatCancel() throws IOException {
    ProfileProto.Profile p = ViewProfiles.handBuiltProto().toBuilder()
        .addSample(ViewProfiles.sample(7, 4, 4, 1)) // main;rec;rec again
        .addSample(ViewProfiles.sample(-2, 5, 1)) // main;a;b cancels to 0
        .build();

    String folded = FoldedStacks.of(ProfileReader.defaults().parse(p.toByteArray()), "cpu");

    assertThat(folded).isEqualTo("""
        main;rec;rec 10
        main;work;helper 5
        main;work;helper;leaf 10
        """);
  }

  @Test
  void write_appendsTheSameTextAsOf() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__sample.cpu"));
    StringBuilder out = new StringBuilder();

    FoldedStacks.write(p, "samples", out);

    assertThat(out.toString()).isEqualTo(FoldedStacks.of(p, "samples"));
    assertThat(out.toString().lines().toList()).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void of_usesTheDefaultSampleTypeWhenNoneIsGiven() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("golang-1.19__compress-flate.mem.pprof"));

    assertThat(FoldedStacks.of(p, null)).isEqualTo(FoldedStacks.of(p, p.sampleTypes().get(p.sampleTypeIndex(null)).type()));
    assertThat(FoldedStacks.of(p, "")).isEqualTo(FoldedStacks.of(p, null));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pprof__large.cpu", "golang-1.19__compress-flate.cpu.pprof", "parca__query-alloc_objects.pb.gz",
      "pprof__go.nomappings.crash", "parca__symbolizer-normal-cpu.stripped.pprof"})
  void of_valuesSumToTheProfileTotal(String file) throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof(file));
    int column = p.sampleTypeIndex(null);

    List<String> lines = FoldedStacks.of(p, null).lines().toList();

    long sum = lines.stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertThat(sum).isEqualTo(p.totals()[column]);
    assertThat(lines).allSatisfy(l -> assertThat(l).matches("[^ ].*[^;] -?[0-9]+"));
  }
}
