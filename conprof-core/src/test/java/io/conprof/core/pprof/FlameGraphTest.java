package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.pprof.proto.ProfileProto;
import io.conprof.core.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class FlameGraphTest {
  /**
   * main → work → (inlined) helper → leaf: 10; main → work+helper: 5 (flat in the inlined helper); main → rec → rec: 3.
   * Location 2 holds two lines: helper inlined into work.
   */
  static Profile handBuilt() throws InvalidProfileException {
    ProfileProto.Profile p = ProfileProto.Profile.newBuilder()
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
    return ProfileReader.defaults().parse(p.toByteArray());
  }

  private static ProfileProto.Function fn(long id, long name) {
    return ProfileProto.Function.newBuilder().setId(id).setName(name).setSystemName(name).build();
  }

  private static ProfileProto.Location loc(long id, long fn) {
    return ProfileProto.Location.newBuilder().setId(id).addLine(ProfileProto.Line.newBuilder().setFunctionId(fn)).build();
  }

  private static ProfileProto.Sample sample(long value, long... locsLeafFirst) {
    ProfileProto.Sample.Builder b = ProfileProto.Sample.newBuilder().addValue(value);
    for (long l : locsLeafFirst) {
      b.addLocationId(l);
    }
    return b.build();
  }

  @Test
  void folded_expandsInlinedFramesAndKeepsSeparatorsOutOfNames() throws IOException {
    String folded = FoldedStacks.of(handBuilt(), null);

    assertThat(folded).isEqualTo("""
        main;a:b 2
        main;rec;rec 3
        main;work;helper 5
        main;work;helper;leaf 10
        """);
  }

  @Test
  void folded_ofAFixture_sumsToTheTotal() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("golang-1.19__compress-flate.cpu.pprof"));

    long sum = FoldedStacks.of(p, "cpu").lines().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();

    assertThat(sum).isEqualTo(9490000000L);
  }

  @Test
  void tree_valuesAreCumulative() throws IOException {
    FlameGraph g = FlameGraph.of(handBuilt(), null);

    FlameGraph.Node root = g.root();
    assertThat(root.value()).isEqualTo(20);
    assertThat(root.children()).extracting(FlameGraph.Node::name).containsExactly("main");
    FlameGraph.Node main = root.children().get(0);
    assertThat(main.children()).extracting(FlameGraph.Node::name).containsExactly("a;b", "rec", "work");
    assertThat(main.children()).extracting(FlameGraph.Node::value).containsExactly(2L, 3L, 15L);
    assertThat(g.nodeCount()).isEqualTo(8);
    checkSums(root);
  }

  private static void checkSums(FlameGraph.Node n) {
    long children = n.children().stream().mapToLong(FlameGraph.Node::value).sum();
    assertThat(children).isLessThanOrEqualTo(n.value());
    n.children().forEach(FlameGraphTest::checkSums);
  }

  @Test
  void tree_ofAFixture_hasTheTotalAtTheRoot() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__large.cpu"));

    FlameGraph g = FlameGraph.of(p, "cpu");

    assertThat(g.root().value()).isEqualTo(240290000000L);
    assertThat(g.total()).isEqualTo(240290000000L);
    checkSums(g.root());
  }

  @Test
  void json_hasConprofsShape() throws IOException {
    String json = FlameGraph.of(handBuilt(), null).toJson();

    assertThat(json).startsWith("{\"n\":\"root\",\"f\":\"root\",\"v\":20,\"l\":\"20ns\",\"p\":\"100.00%\",\"c\":[");
    assertThat(json).contains("{\"n\":\"a;b\",\"f\":\"a;b\",\"v\":2,\"l\":\"2ns\",\"p\":\"10.00%\",\"c\":[]}");
    assertThat(json.chars().filter(c -> c == '{').count()).isEqualTo(8);
  }

  @Test
  void shortName_dropsThePackagePath() {
    assertThat(FlameGraph.shortName("net/http.(*conn).serve")).isEqualTo("http.(*conn).serve");
    assertThat(FlameGraph.shortName("main.main")).isEqualTo("main.main");
    assertThat(FlameGraph.shortName("io.conprof.Foo.bar")).isEqualTo("io.conprof.Foo.bar");
  }

  @Test
  void svg_isWellFormedStandaloneAndInteractive() throws Exception {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__large.cpu"));

    String svg = FlameGraph.of(p, null).toSvg("large <cpu> & more");

    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("script").getLength()).isEqualTo(1);
    assertThat(svg).contains("function zoom(", "function search(", "large &lt;cpu&gt; &amp; more");
    assertThat(svg).contains("<title>root (240.29s, 100.00%)</title>", "<title>time.Now (");
    assertThat(svg).doesNotContain("http://www.w3.org/1999/xlink", "href=");
    // Frames under 1/12,000 of the total are left out, which bounds the size.
    assertThat(doc.getElementsByTagName("g").getLength()).isLessThan(FlameGraph.of(p, null).nodeCount());
    assertThat(svg.length()).isLessThan(2_000_000);
  }
}
