package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conprof.core.pprof.proto.ProfileProto;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.TestJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class FlameGraphTest {
  @Test
  void tree_valuesAreCumulativeAndSelfIsTheRest() throws IOException {
    FlameGraph g = FlameGraph.of(ViewProfiles.handBuilt(), null);

    FlameGraph.Node root = g.root();
    assertThat(root.name()).isEqualTo("root");
    assertThat(root.value()).isEqualTo(20);
    assertThat(root.children()).extracting(FlameGraph.Node::name).containsExactly("main");
    FlameGraph.Node main = root.children().get(0);
    assertThat(main.children()).extracting(FlameGraph.Node::name).containsExactly("a;b", "rec", "work");
    assertThat(main.children()).extracting(FlameGraph.Node::value).containsExactly(2L, 3L, 15L);
    FlameGraph.Node helper = main.children().get(2).children().get(0);
    assertThat(helper.name()).isEqualTo("helper");
    assertThat(helper.value()).isEqualTo(15);
    assertThat(self(helper)).isEqualTo(5);
    assertThat(helper.children()).containsExactly(new FlameGraph.Node("leaf", 10, List.of()));
    FlameGraph.Node rec = main.children().get(1);
    assertThat(rec.children()).containsExactly(new FlameGraph.Node("rec", 3, List.of()));
    assertThat(self(rec)).isZero();
    assertThat(g.nodeCount()).isEqualTo(8);
    assertThat(g.total()).isEqualTo(20);
    assertThat(g.valueType()).isEqualTo(new ValueType("cpu", "nanoseconds"));
  }

  private static long self(FlameGraph.Node n) {
    return n.value() - n.children().stream().mapToLong(FlameGraph.Node::value).sum();
  }

  /**
   * Every node's value is its children's plus a non-negative self, and children are sorted by
   * distinct names; returns the number of nodes. Plain checks per node, AssertJ only for the verdict.
   */
  private static int checkSums(FlameGraph.Node root) {
    int count = 0;
    List<String> violations = new ArrayList<>();
    List<FlameGraph.Node> todo = new ArrayList<>(List.of(root));
    while (!todo.isEmpty()) {
      FlameGraph.Node n = todo.remove(todo.size() - 1);
      count++;
      if (self(n) < 0) {
        violations.add(n.name() + ": children exceed the value");
      }
      for (int i = 1; i < n.children().size(); i++) {
        if (n.children().get(i - 1).name().compareTo(n.children().get(i).name()) >= 0) {
          violations.add(n.name() + ": children not sorted by distinct names");
        }
      }
      todo.addAll(n.children());
    }
    assertThat(violations).isEmpty();
    return count;
  }

  @Test
  void tree_ofAFixture_hasTheTotalAtTheRoot() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__large.cpu"));

    FlameGraph g = FlameGraph.of(p, "cpu");

    assertThat(g.root().value()).isEqualTo(240290000000L);
    assertThat(g.total()).isEqualTo(240290000000L);
    assertThat(checkSums(g.root())).isEqualTo(g.nodeCount());
  }

  @Test
  void tree_sumOfSelfValuesIsTheTotal() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("parca__query-alloc_objects.pb.gz"));

    FlameGraph g = FlameGraph.of(p, null);

    long selfSum = 0;
    List<FlameGraph.Node> todo = new ArrayList<>(List.of(g.root()));
    while (!todo.isEmpty()) {
      FlameGraph.Node n = todo.remove(todo.size() - 1);
      selfSum += self(n);
      todo.addAll(n.children());
    }
    assertThat(selfSum).isEqualTo(g.total()).isEqualTo(p.totals()[p.sampleTypeIndex(null)]);
  }

  @Test
  void json_hasConprofsShapeAndParsesBackToTheTree() throws IOException {
    FlameGraph g = FlameGraph.of(ViewProfiles.handBuilt(), null);

    String json = g.toJson();

    assertThat(json).startsWith("{\"n\":\"root\",\"f\":\"root\",\"v\":20,\"l\":\"20ns\",\"p\":\"100%\",\"c\":[");
    assertThat(json).contains("{\"n\":\"a;b\",\"f\":\"a;b\",\"v\":2,\"l\":\"2ns\",\"p\":\"10.00%\",\"c\":[]}");
    assertThat(toNode(TestJson.parse(json))).isEqualTo(g.root());
  }

  @Test
  void json_usesOneReportUnitAndPprofsPercentages() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__sample.cpu"));

    String json = FlameGraph.of(p, "cpu").toJson();

    // The smallest self value is 10ms, under 1% of the 1.76s total, so pprof's rule picks the unit
    // of 100 x 10ms: every value is printed in seconds.
    assertThat(json).startsWith("{\"n\":\"root\",\"f\":\"root\",\"v\":1760000000,\"l\":\"1.76s\",\"p\":\"100%\",");
    assertThat(json).contains("\"f\":\"runtime.mapiternext\",\"v\":1370000000,\"l\":\"1.37s\",\"p\":\"77.84%\"");
    assertThat(json).contains("\"v\":10000000,\"l\":\"0.01s\",\"p\":\"0.57%\"");
  }

  @Test
  void json_ofAFixture_parsesBackWithShortNamesAndEscapes() throws IOException {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("parca__query-alloc_objects.pb.gz"));
    FlameGraph g = FlameGraph.of(p, null);

    Object parsed = TestJson.parse(g.toJson()); // throws on trailing text
    assertThat(toNode(parsed)).isEqualTo(g.root());
    @SuppressWarnings("unchecked")
    Map<String, Object> first = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) parsed).get("c")).get(0);
    assertThat(first.get("n")).isEqualTo(FlameGraph.shortName((String) first.get("f")));
  }

  @Test
  void json_escapesQuotesBackslashesAndControlCharacters() throws IOException {
    ProfileProto.Profile p = ViewProfiles.handBuiltProto().toBuilder().setStringTable(8, "q\"b\\s\n\u0001").build();
    FlameGraph g = FlameGraph.of(ProfileReader.defaults().parse(p.toByteArray()), null);

    String json = g.toJson();

    assertThat(json).contains("\"f\":\"q\\\"b\\\\s\\n\\u0001\"");
    assertThat(toNode(TestJson.parse(json))).isEqualTo(g.root());
  }

  @SuppressWarnings("unchecked")
  private static FlameGraph.Node toNode(Object json) {
    Map<String, Object> m = (Map<String, Object>) json;
    assertThat(m).containsOnlyKeys("n", "f", "v", "l", "p", "c");
    List<FlameGraph.Node> children = new ArrayList<>();
    for (Object c : (List<Object>) m.get("c")) {
      children.add(toNode(c));
    }
    return new FlameGraph.Node((String) m.get("f"), (Long) m.get("v"), children);
  }

  @Test
  void shortName_shortensAsPprofsFlameGraph() {
    assertThat(FlameGraph.shortName("net/http.(*conn).serve")).isEqualTo("http.(*conn).serve");
    assertThat(FlameGraph.shortName("github.com/a/b.(*T).m")).isEqualTo("b.(*T).m");
    assertThat(FlameGraph.shortName("main.main")).isEqualTo("main.main");
    assertThat(FlameGraph.shortName("github.com/foo/bar/v2/pkg.F")).isEqualTo("pkg.F");
    assertThat(FlameGraph.shortName("io.conprof.Foo.bar")).isEqualTo("Foo.bar");
    assertThat(FlameGraph.shortName("com.example.Foo$Inner.run(int)")).isEqualTo("Foo$Inner.run");
    assertThat(FlameGraph.shortName("(anonymous namespace)::ns::Server::handle")).isEqualTo("Server::handle");
    assertThat(FlameGraph.shortName("[libc.so.6]")).isEqualTo("[libc.so.6]");
  }

  private static Document parseXml(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void svg_isWellFormedStandaloneAndInteractive() throws Exception {
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__large.cpu"));

    String svg = FlameGraph.of(p, null).toSvg("large <cpu> & more");

    Document doc = parseXml(svg);
    assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(doc.getElementsByTagName("script").getLength()).isEqualTo(1);
    assertThat(svg).contains("function zoom(", "function unzoom(", "function search(", "onclick=", "large &lt;cpu&gt; &amp; more");
    assertThat(svg).contains("<title>root (240.29s, 100.00%)</title>");
    assertThat(svg).containsPattern("<title>time.Now \\([0-9.]+m?s, [0-9.]+%\\)</title>");
    assertThat(svg).doesNotContain("xlink", "href=", "src=", "http://www.w3.org/1999", "@import", "url(");
    // Frames under 1/12,000 of the total are left out, which bounds the size, and the SVG says so.
    assertThat(frames(doc).size()).isLessThan(FlameGraph.of(p, null).nodeCount());
    assertThat(svg).containsPattern("[0-9]+ frames too narrow to draw left out");
  }

  @Test
  void svg_hasATitleWithNameValueAndShareForEveryFrame() throws Exception {
    String svg = FlameGraph.of(ViewProfiles.handBuilt(), null).toSvg("hand built");

    List<Element> frames = frames(parseXml(svg));

    assertThat(frames).hasSize(8);
    List<String> titles = new ArrayList<>();
    for (Element g : frames) {
      assertThat(g.getElementsByTagName("title").getLength()).isEqualTo(1);
      assertThat(g.getElementsByTagName("rect").getLength()).isEqualTo(1);
      titles.add(g.getElementsByTagName("title").item(0).getTextContent());
    }
    // Breadth first, children by name.
    assertThat(titles).containsExactly("root (20ns, 100.00%)", "main (20ns, 100.00%)", "a;b (2ns, 10.00%)",
        "rec (3ns, 15.00%)", "work (15ns, 75.00%)", "rec (3ns, 15.00%)", "helper (15ns, 75.00%)", "leaf (10ns, 50.00%)");
  }

  private static List<Element> frames(Document doc) {
    NodeList gs = doc.getElementsByTagName("g");
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < gs.getLength(); i++) {
      Element g = (Element) gs.item(i);
      if ("f".equals(g.getAttribute("class"))) {
        out.add(g);
      }
    }
    return out;
  }

  /**
   * Runs the SVG's own script under node against a minimal DOM (src/test/resources/flamegraph/
   * svg-dom.js): hover shows the title, click zooms a frame to the full width, reset restores it,
   * and search reports the matched share.
   */
  @Test
  void svg_scriptHoversZoomsAndSearches(@TempDir Path dir) throws Exception {
    assumeTrue(onPath("node"), "node is not installed (apt-get install nodejs); it runs the SVG's script");
    Profile p = ProfileReader.defaults().read(Fixtures.pprof("pprof__sample.cpu"));
    Path svg = dir.resolve("sample.svg");
    Files.writeString(svg, FlameGraph.of(p, null).toSvg("sample"));
    Path js = dir.resolve("svg-dom.js");
    try (InputStream in = FlameGraphTest.class.getResourceAsStream("/flamegraph/svg-dom.js")) {
      Files.write(js, in.readAllBytes());
    }

    Process node = new ProcessBuilder("node", js.toString(), svg.toString(), "runtime\\.mapiter", "runtime.mapiternext")
        .redirectErrorStream(true).start();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor()).as(out).isZero();

    assertThat(out).contains("\"width\":\"934.09\"", "\"hover\":\"runtime.mapiternext (1.37s, 77.84%)\"", "\"idle\":\" \"",
        "\"zoomedWidth\":\"1200\"", "\"zoomedX\":\"0\"", "\"zoomedLabel\":\"runtime.mapiternext\"", "\"rootOpacity\":\"0.5\"",
        "\"unzoomShown\":1", "\"unzoomedWidth\":\"934.09", "\"matched\":\"Matched: 77.84%\"", "\"highlighted\":1");
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void svg_ofAHundredThousandNodeGraph_isBounded() throws Exception {
    FlameGraph g = FlameGraph.of(ViewProfiles.wide(5_000, 20), null);
    assertThat(g.nodeCount()).isEqualTo(100_002);

    String svg = g.toSvg("wide");

    // Every frame is 1/5,000 of the total, wide enough to draw, so the frame budget applies.
    List<Element> frames = frames(parseXml(svg));
    assertThat(frames).hasSize(FlameGraph.MAX_SVG_FRAMES + 1); // the root comes on top
    // Equally wide frames are drawn outer levels first: all 5,000 frames of the first level below main.
    assertThat(svg).contains("<title>pkg4999.frame0 (1, 0.02%)</title>").doesNotContain("<title>pkg0.frame19 ");
    assertThat(svg.length()).isLessThan(8_000_000);
    assertThat(svg).contains((g.nodeCount() - frames.size()) + " frames too narrow to draw left out");
  }

  @Test
  void svg_omitsFramesNarrowerThanOneTwelveThousandthOfTheTotal() throws Exception {
    FlameGraph g = FlameGraph.of(ViewProfiles.wide(20_000, 1), null);

    List<Element> frames = frames(parseXml(g.toSvg("narrow")));

    assertThat(frames).hasSize(2); // root and main; each of the 20,000 leaves is 1/20,000 wide
  }

  @Test
  void views_ofAVeryDeepStack_doNotOverflowTheThreadStack() throws Exception {
    Profile p = ViewProfiles.wide(1, 100_000);

    FlameGraph g = FlameGraph.of(p, null);

    assertThat(g.nodeCount()).isEqualTo(100_002);
    assertThat(objectsCheckingNesting(g.toJson())).isEqualTo(100_002);
    String svg = g.toSvg("deep");
    // The frame budget is spent from the top: root, main and the outermost MAX - 1 frames.
    assertThat(svg).contains("<title>pkg0.frame0 (1, 100.00%)</title>",
        "<title>pkg0.frame" + (FlameGraph.MAX_SVG_FRAMES - 2) + " (1, 100.00%)</title>");
    assertThat(svg).doesNotContain("<title>pkg0.frame" + (FlameGraph.MAX_SVG_FRAMES - 1) + " ");
    assertThat(FoldedStacks.of(p, null)).startsWith("main;pkg0.frame0;").endsWith(";pkg0.frame99999 1\n");
  }

  /**
   * Counts the objects of a JSON text while checking that its brackets nest, without building
   * values (so a 100,000-level tree cannot overflow a recursive parser's stack).
   */
  private static int objectsCheckingNesting(String s) {
    int objects = 0;
    int depth = 0;
    boolean inString = false;
    for (int pos = 0; pos < s.length(); pos++) {
      char c = s.charAt(pos);
      if (inString) {
        if (c == '\\') {
          pos++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        objects += c == '{' ? 1 : 0;
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        assertThat(depth).isNotNegative();
      }
    }
    assertThat(depth).isZero();
    return objects;
  }
}
