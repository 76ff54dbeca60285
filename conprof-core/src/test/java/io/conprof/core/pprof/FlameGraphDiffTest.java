package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlameGraphDiffTest {
  private static Profile read(String name) throws Exception {
    return ProfileReader.defaults().read(Fixtures.pprof(name));
  }

  private static List<FlameGraph.Node> all(FlameGraph.Node root) {
    List<FlameGraph.Node> out = new ArrayList<>();
    List<FlameGraph.Node> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      FlameGraph.Node n = todo.remove(todo.size() - 1);
      out.add(n);
      todo.addAll(n.children());
    }
    return out;
  }

  @Test
  void diffAgainstItself_everyNodeHasEqualValueAndBaseValue() throws Exception {
    Profile p = read("pprof__sample.cpu");
    FlameGraph d = FlameGraph.diff(p, p, null);
    FlameGraph plain = FlameGraph.of(p, null);
    assertThat(d.isDiff()).isTrue();
    assertThat(d.nodeCount()).isEqualTo(plain.nodeCount());
    for (FlameGraph.Node n : all(d.root())) {
      assertThat(n.baseValue()).as(n.name()).isEqualTo(n.value());
    }
    assertThat(d.root().value()).isEqualTo(plain.total());
    assertThat(d.toJson()).contains("\"b\":" + plain.total());
    assertThat(plain.toJson()).doesNotContain("\"b\":");
  }

  @Test
  void diffOfDoubledTarget_targetValuesAreTwiceTheBase() throws Exception {
    Profile p = read("parca__query-fib.pb.gz");
    ProfileMerger m = new ProfileMerger();
    m.add(p);
    m.add(p);
    FlameGraph d = FlameGraph.diff(p, m.result(), null);
    for (FlameGraph.Node n : all(d.root())) {
      assertThat(n.value()).as(n.name()).isEqualTo(2 * n.baseValue());
    }
  }

  @Test
  void framesOnlyInTheBaseKeepTheirBaseValueWithZeroValue() throws Exception {
    Profile base = read("parca__query-two-stacks.pb.gz");
    Profile target = read("parca__query-single-stack.pb.gz");
    FlameGraph d = FlameGraph.diff(base, target, null);
    FlameGraph t = FlameGraph.of(target, null);
    FlameGraph b = FlameGraph.of(base, null);
    assertThat(d.root().value()).isEqualTo(t.total());
    assertThat(d.root().baseValue()).isEqualTo(b.total());
    long baseOnly = all(d.root()).stream().filter(n -> n.value() == 0 && n.baseValue() > 0).count();
    long union = all(d.root()).size();
    assertThat(union).isGreaterThanOrEqualTo(Math.max(t.nodeCount(), b.nodeCount()));
    assertThat(baseOnly).isEqualTo(union - t.nodeCount());
  }

  @Test
  void diffNeedsTheSampleTypeOnBothSides() throws Exception {
    Profile cpu = read("pprof__sample.cpu");
    Profile heap = read("golang-1.19__compress-flate.mem.pprof");
    assertThatThrownBy(() -> FlameGraph.diff(heap, cpu, "cpu")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no sample type \"cpu\"");
  }

  @Test
  void pruned_dropsNarrowFramesKeepsValuesAndUnit() throws Exception {
    Profile p = read("pprof__large.cpu");
    FlameGraph full = FlameGraph.of(p, null);
    FlameGraph pruned = full.pruned(0.0001);
    long cutoff = (long) Math.ceil(0.0001 * full.total());
    assertThat(pruned.nodeCount()).isLessThan(full.nodeCount() / 10).isPositive();
    assertThat(pruned.root().value()).isEqualTo(full.total());
    long wideInFull = all(full.root()).stream().filter(n -> n.value() >= cutoff).count();
    // every frame at least as wide as the cutoff is kept (all its ancestors are wider)
    assertThat((long) pruned.nodeCount()).isEqualTo(wideInFull);
    assertThat(all(pruned.root())).allSatisfy(n -> assertThat(n.value()).isGreaterThanOrEqualTo(cutoff));
    assertThat(all(pruned.root())).hasSize(pruned.nodeCount());
    // the widest top-level frame and the report's unit are those of the full graph
    String unit = full.toJson().replaceAll("(?s)^.*?\"l\":\"[0-9.]+([a-zA-Z]+)\".*$", "$1");
    assertThat(pruned.toJson()).startsWith("{\"n\":\"root\",\"f\":\"root\",\"v\":" + full.total())
        .contains("\"l\":\"" + full.toJson().split("\"l\":\"")[1].split("\"")[0] + "\"");
    assertThat(unit).isNotEmpty();
    assertThat(full.pruned(0)).isSameAs(full);
    assertThat(full.pruned(1.0).nodeCount()).isEqualTo(1 + (int) full.root().children().stream()
        .filter(n -> n.value() >= full.total()).count());
  }
}
