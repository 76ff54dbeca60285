package io.conprof.core.pprof;

import com.google.re2j.Matcher;
import io.conprof.core.model.JsonStrings;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A profile as a flame-graph tree: the root's children are the outermost frames, each node's value
 * is the total of the samples whose stack passes through it (its own value, "self", is what its
 * children do not account for). Children are sorted by name, as conprof's flame-graph report sorted
 * them. Frames are named as in {@link TopTable} (inlined functions are frames of their own).
 *
 * <p>Renderings: {@link #toJson()} in conprof's shape ({@code n} short name, {@code f} full name,
 * {@code v} value, {@code l} formatted value, {@code p} share, {@code c} children) and {@link
 * #toSvg(String)}, a standalone SVG that needs nothing but a browser (no external resources, no
 * network): hover shows a frame's name, value and share; click zooms into a frame; search
 * highlights frames matching a regular expression and shows their share.
 *
 * <p>Cost: building is one pass over the samples' frames; the renderings are linear in the number
 * of nodes, and iterative, so arbitrarily deep stacks cannot overflow the thread's stack. The SVG is
 * bounded: a frame is drawn only if its value is at least 1/12,000 of the total (0.1 pixel of the
 * 1,200-pixel width, flamegraph.pl's default minimum width), and of those at most {@value
 * #MAX_SVG_FRAMES} of the widest (equally wide frames: outer levels first); frames left out take
 * their descendants with them, and the SVG says
 * how many were left out. A 100,000-node graph therefore gives an SVG of a few megabytes at most.
 */
public final class FlameGraph {
  /**
   * One frame of the tree: its cumulative {@code value} and, in a {@linkplain #diff diff} graph,
   * its cumulative {@code baseValue} in the base profile (0 otherwise).
   */
  public record Node(String name, long value, long baseValue, List<Node> children) {
    public Node(String name, long value, List<Node> children) {
      this(name, value, 0, children);
    }
  }

  private static final int WIDTH = 1200;
  private static final int FRAME_HEIGHT = 16;
  private static final double MIN_SHARE = 1.0 / 12_000;
  static final int MAX_SVG_FRAMES = 20_000;

  private final Node root;
  private final ValueType valueType;
  private final long total;
  private final int nodeCount;
  private final long reportTotal; // pprof's total (absolute values; the base side of a diff)
  private final boolean diff;
  private long unitMinValue = -1; // pprof's unit choice of the unpruned graph, kept by pruned()

  private FlameGraph(Node root, ValueType valueType, long total, int nodeCount, long reportTotal, boolean diff) {
    this.root = root;
    this.valueType = valueType;
    this.total = total;
    this.nodeCount = nodeCount;
    this.reportTotal = reportTotal;
    this.diff = diff;
  }

  /** The flame graph of {@code profile}'s column {@code sampleType} (null or "" = default). */
  public static FlameGraph of(Profile profile, String sampleType) {
    StackTable st = new StackTable(profile, sampleType);
    MutableNode root = new MutableNode("root");
    int[] count = {1};
    add(root, st, false, count);
    return new FlameGraph(root.freeze(), st.valueType, root.value, count[0], st.total, false);
  }

  /**
   * A differential flame graph of {@code target} against {@code base} (column {@code sampleType},
   * null or "" = the target's default): the tree of both profiles' stacks, each node with its
   * value in the target ({@link Node#value()}, which sizes the frame) and in the base ({@link
   * Node#baseValue()}), so a renderer can colour frames by growth. Shares are of the target's
   * total. Both profiles must have the sample type.
   *
   * @throws IllegalArgumentException when a profile lacks the sample type
   */
  public static FlameGraph diff(Profile base, Profile target, String sampleType) {
    StackTable t = new StackTable(target, sampleType);
    StackTable b = new StackTable(base, t.valueType.type());
    MutableNode root = new MutableNode("root");
    int[] count = {1};
    add(root, t, false, count);
    add(root, b, true, count);
    return new FlameGraph(root.freeze(), t.valueType, root.value, count[0], t.total, true);
  }

  private static void add(MutableNode root, StackTable st, boolean base, int[] count) {
    for (int s = 0; s < st.stacks.length; s++) {
      long v = st.values[s];
      if (v == 0) {
        continue;
      }
      int[] stack = st.stacks[s];
      MutableNode n = root;
      n.add(v, base);
      for (int i = stack.length - 1; i >= 0; i--) {
        n = n.child(st.names.get(stack[i]), count);
        n.add(v, base);
      }
    }
  }

  /**
   * This graph without the frames narrower than {@code minShare} of the total (in a diff: of the
   * larger of the two totals, a frame staying if it is wide enough on either side), and their
   * descendants. The kept frames' values are unchanged, so a parent's self value grows by what
   * was dropped below it, and the report's unit stays the one of the whole graph. A browser draws
   * nothing narrower than a pixel anyway: at 1/10,000 a 425,000-node CPU profile keeps a few
   * thousand frames. {@code minShare <= 0} returns this graph.
   */
  public FlameGraph pruned(double minShare) {
    if (!(minShare > 0)) {
      return this;
    }
    long scale = Math.max(Math.abs(root.value()), Math.abs(root.baseValue()));
    long cutoff = (long) Math.ceil(minShare * scale);
    List<Node> order = new ArrayList<>();
    List<Integer> parents = new ArrayList<>();
    order.add(root);
    parents.add(-1);
    for (int i = 0; i < order.size(); i++) {
      for (Node c : order.get(i).children()) {
        if (Math.max(Math.abs(c.value()), Math.abs(c.baseValue())) >= cutoff) {
          order.add(c);
          parents.add(i);
        }
      }
    }
    if (order.size() == nodeCount) {
      return this;
    }
    List<List<Node>> kids = new ArrayList<>(order.size());
    for (int i = 0; i < order.size(); i++) {
      kids.add(null);
    }
    Node[] built = new Node[order.size()];
    for (int i = order.size() - 1; i >= 0; i--) {
      Node n = order.get(i);
      List<Node> children = kids.get(i);
      if (children == null) {
        children = List.of();
      } else {
        java.util.Collections.reverse(children);
        children = Collections.unmodifiableList(children);
      }
      built[i] = new Node(n.name(), n.value(), n.baseValue(), children);
      int parent = parents.get(i);
      if (parent >= 0) {
        if (kids.get(parent) == null) {
          kids.set(parent, new ArrayList<>());
        }
        kids.get(parent).add(built[i]);
      }
    }
    FlameGraph g = new FlameGraph(built[0], valueType, total, order.size(), reportTotal, diff);
    g.unitMinValue = unitMinValue >= 0 ? unitMinValue : minReportValue();
    return g;
  }

  /** Whether this is a {@linkplain #diff differential} graph. */
  public boolean isDiff() {
    return diff;
  }

  public Node root() {
    return root;
  }

  public ValueType valueType() {
    return valueType;
  }

  /** Sum of the sample values (the root's value). */
  public long total() {
    return total;
  }

  /** Number of nodes including the root. */
  public int nodeCount() {
    return nodeCount;
  }

  /**
   * The tree as the flame-graph JSON of pprof's web UI, which conprof's UI consumed: {@code n} the
   * name shortened as pprof shortens it, {@code f} the full name, {@code v} the cumulative value,
   * {@code l} that value in the one unit pprof picks for the whole report, {@code p} its share of
   * pprof's total as pprof prints percentages, {@code c} the children ({@code []} for a leaf, where
   * Go writes {@code null}).
   */
  public String toJson() {
    ValueFormat format = ValueFormat.forRange(valueType.unit(),
        unitMinValue >= 0 ? unitMinValue : minReportValue(), reportTotal);
    StringBuilder sb = new StringBuilder(nodeCount * 64);
    List<Node> path = new ArrayList<>();
    int[] next = new int[16];
    Map<String, String> shortNames = new HashMap<>();
    openJson(root, sb, format, shortNames);
    path.add(root);
    while (!path.isEmpty()) {
      int top = path.size() - 1;
      Node n = path.get(top);
      if (next[top] < n.children().size()) {
        if (next[top] > 0) {
          sb.append(',');
        }
        Node c = n.children().get(next[top]++);
        openJson(c, sb, format, shortNames);
        path.add(c);
        if (path.size() > next.length) {
          next = Arrays.copyOf(next, next.length * 2);
        }
        next[path.size() - 1] = 0;
      } else {
        sb.append("]}");
        path.remove(top);
      }
    }
    return sb.toString();
  }

  /** pprof's choice of the report unit: the smallest non-zero self (else cumulative) value. */
  private long minReportValue() {
    long min = 0;
    List<Node> todo = new ArrayList<>(root.children());
    while (!todo.isEmpty()) {
      Node n = todo.remove(todo.size() - 1);
      long self = n.value();
      for (Node c : n.children()) {
        self -= c.value();
      }
      long m = self != 0 ? Math.abs(self) : Math.abs(n.value());
      if (m > 0 && (min == 0 || m < min)) {
        min = m;
      }
      todo.addAll(n.children());
    }
    return min;
  }

  private void openJson(Node n, StringBuilder sb, ValueFormat format, Map<String, String> shortNames) {
    sb.append("{\"n\":");
    // the same function recurs in many nodes: shorten each distinct name once
    JsonStrings.quote(sb, n == root ? n.name() : shortNames.computeIfAbsent(n.name(), FlameGraph::shortName));
    sb.append(",\"f\":");
    JsonStrings.quote(sb, n.name());
    sb.append(",\"v\":").append(n.value());
    if (diff) {
      sb.append(",\"b\":").append(n.baseValue());
    }
    sb.append(",\"l\":");
    JsonStrings.quote(sb, format.format(n.value()));
    sb.append(",\"p\":");
    JsonStrings.quote(sb, ValueFormat.percentageStripped(n.value(), reportTotal));
    sb.append(",\"c\":[");
  }

  private String share(long v) {
    return ValueFormat.fixed2(total == 0 ? 0.0 : 100.0 * v / total) + "%";
  }

  private static final Pattern CPP_ANONYMOUS = Pattern.compile("^\\(anonymous namespace\\)::");
  private static final Pattern GO_VERSION = Pattern.compile("^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$");
  private static final Pattern[] SHORTENERS = {
    Pattern.compile("^(?:[\\w\\-\\.]+\\/)+(.+)"), // Go: drop the package path
    Pattern.compile("^(?:[a-z]\\w*\\.)*([A-Z][\\w\\$]*\\.(?:<init>|[a-z][\\w\\$]*(?:\\$\\d+)?))(?:(?:\\()|$)"), // Java
    Pattern.compile("^(?:[_a-zA-Z]\\w*::)+(_*[A-Z]\\w*::~?[_a-zA-Z]\\w*(?:<.*>)?)"), // C++
  };

  /**
   * The short name pprof's flame graph shows (its graph.ShortenFunctionName, same regular
   * expressions, RE2 semantics): {@code net/http.(*conn).serve} → {@code http.(*conn).serve},
   * {@code io.conprof.Foo.bar} → {@code Foo.bar}.
   */
  static String shortName(String name) {
    // Each expression needs a character the cheap checks look for first: most names skip most
    // regular expressions (RE2 matching costs microseconds per name).
    String f = name.startsWith("(anonymous namespace)::") ? CPP_ANONYMOUS.matcher(name).replaceAll("") : name;
    if (f.contains("/v")) {
      f = GO_VERSION.matcher(f).replaceAll("$1$2");
    }
    for (int i = 0; i < SHORTENERS.length; i++) {
      boolean candidate = switch (i) {
        case 0 -> f.indexOf('/') >= 0;
        case 1 -> f.indexOf('.') >= 0;
        default -> f.contains("::");
      };
      if (!candidate) {
        continue;
      }
      Matcher m = SHORTENERS[i].matcher(f);
      if (m.find()) {
        StringBuilder sb = new StringBuilder();
        for (int g = 1; g <= m.groupCount(); g++) {
          if (m.group(g) != null) {
            sb.append(m.group(g));
          }
        }
        return sb.toString();
      }
    }
    return f;
  }


  /** A frame to draw: its node, left edge and width as shares of the total, and its level. */
  private record Placed(Node node, double start, double share, int level) {}

  /**
   * The frames the SVG draws besides the root, parents before children: at least 1/12,000 of the
   * total wide, and at most {@link #MAX_SVG_FRAMES} of them (the widest; among equally wide frames
   * the outer levels first; a frame left out hides its descendants).
   */
  private List<Placed> drawnFrames() {
    List<Placed> out = new ArrayList<>();
    if (total == 0) {
      return out;
    }
    double absTotal = Math.abs((double) total);
    long minAbs = Math.max(1, (long) Math.ceil(absTotal * MIN_SHARE));
    long[] widths = new long[Math.max(0, nodeCount - 1)];
    int n = 0;
    List<Node> todo = new ArrayList<>(root.children());
    while (!todo.isEmpty()) {
      Node node = todo.remove(todo.size() - 1);
      long w = Math.abs(node.value());
      if (w >= minAbs && n < widths.length) {
        widths[n++] = w;
        todo.addAll(node.children());
      }
    }
    long ties = Long.MAX_VALUE; // frames exactly at the threshold that may still be drawn
    if (n > MAX_SVG_FRAMES) {
      long[] sorted = Arrays.copyOf(widths, n);
      Arrays.sort(sorted);
      long threshold = sorted[n - MAX_SVG_FRAMES]; // the MAX-th widest
      int wider = n - upperBound(sorted, threshold);
      minAbs = Math.max(minAbs, threshold);
      ties = MAX_SVG_FRAMES - wider;
    }
    // Breadth first, so frames at the threshold are spent on the outer levels first.
    out.add(new Placed(root, 0, Math.abs(root.value()) / absTotal, 0));
    for (int i = 0; i < out.size(); i++) {
      Placed p = out.get(i);
      double childStart = p.start();
      for (Node c : p.node().children()) {
        long w = Math.abs(c.value());
        double share = w / absTotal;
        if (w > minAbs || (w == minAbs && ties-- > 0)) {
          out.add(new Placed(c, childStart, share, p.level() + 1));
        }
        childStart += share;
      }
    }
    return out;
  }

  /** The index of the first element of sorted {@code a} greater than {@code v}. */
  private static int upperBound(long[] a, long v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** A standalone, interactive SVG flame graph (see the class comment for the size bound). */
  public String toSvg(String title) {
    List<Placed> frames = drawnFrames();
    int depth = 0;
    for (Placed p : frames) {
      depth = Math.max(depth, p.level());
    }
    int omitted = nodeCount - frames.size();
    int height = (depth + 1) * FRAME_HEIGHT + 60;
    StringBuilder sb = new StringBuilder(frames.size() * 240 + 8192);
    sb.append("<?xml version=\"1.0\" standalone=\"no\"?>\n");
    sb.append("<svg version=\"1.1\" width=\"").append(WIDTH).append("\" height=\"").append(height)
        .append("\" onload=\"init(evt)\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
        .append("\" xmlns=\"http://www.w3.org/2000/svg\">\n");
    sb.append("<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
        + " .f:hover rect{stroke:#000;stroke-width:0.5;cursor:pointer} #details{font-size:12px}"
        + " .btn{cursor:pointer;fill:#333} .hl rect{fill:#e040e0 !important}</style>\n");
    sb.append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#f8f8f8\"/>\n");
    sb.append("<text x=\"").append(WIDTH / 2).append("\" y=\"20\" text-anchor=\"middle\" style=\"font-size:16px\">");
    xml(sb, title == null ? "" : title);
    sb.append("</text>\n");
    sb.append("<text id=\"unzoom\" class=\"btn\" x=\"10\" y=\"20\" onclick=\"unzoom()\" style=\"opacity:0\">Reset Zoom</text>\n");
    sb.append("<text id=\"search\" class=\"btn\" x=\"").append(WIDTH - 10).append("\" y=\"20\" text-anchor=\"end\" onclick=\"search()\">Search</text>\n");
    sb.append("<text id=\"matched\" x=\"").append(WIDTH - 10).append("\" y=\"").append(height - 8).append("\" text-anchor=\"end\"></text>\n");
    sb.append("<text id=\"details\" x=\"10\" y=\"").append(height - 8).append("\">")
        .append(omitted > 0 ? omitted + (omitted == 1 ? " frame" : " frames") + " too narrow to draw left out" : " ")
        .append("</text>\n");
    sb.append("<g id=\"frames\">\n");
    for (Placed p : frames) {
      frame(sb, p, depth);
    }
    sb.append("</g>\n");
    sb.append("<script type=\"text/ecmascript\"><![CDATA[\n").append(SCRIPT).append("\n]]></script>\n");
    sb.append("</svg>\n");
    return sb.toString();
  }

  private void frame(StringBuilder sb, Placed p, int depth) {
    Node n = p.node();
    double x = p.start() * WIDTH;
    double w = p.share() * WIDTH;
    double y = (depth - p.level()) * FRAME_HEIGHT + 30;
    sb.append("<g class=\"f\" data-x=\"").append(frac(p.start())).append("\" data-w=\"").append(frac(p.share()))
        .append("\"><title>");
    xml(sb, n.name());
    sb.append(" (").append(ValueFormat.auto(valueType.unit(), n.value())).append(", ").append(share(n.value())).append(")</title>");
    sb.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" width=\"").append(fmt(w))
        .append("\" height=\"").append(FRAME_HEIGHT - 1).append("\" fill=\"").append(color(n.name(), p.level()))
        .append("\" rx=\"2\"/><text x=\"").append(fmt(x + 3)).append("\" y=\"").append(fmt(y + 11.5)).append("\">");
    xml(sb, w > 30 ? fit(n.name(), w) : "");
    sb.append("</text></g>\n");
  }

  /** A share of the width, precise enough to zoom into the narrowest drawn frame (1/12,000). */
  private static String frac(double share) {
    return String.format(Locale.ROOT, "%.8f", share);
  }

  private static String fit(String name, double width) {
    int chars = (int) ((width - 6) / 7);
    if (chars >= name.length()) {
      return name;
    }
    return chars < 3 ? "" : name.substring(0, chars - 2) + "..";
  }

  private static String color(String name, int level) {
    if (level == 0) {
      return "rgb(200,200,200)";
    }
    int h = name.hashCode();
    int r = 205 + Math.floorMod(h, 50);
    int g = 80 + Math.floorMod(h >>> 8, 130);
    int b = 40 + Math.floorMod(h >>> 16, 50);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }

  private static void xml(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        default -> {
          if (c < 0x20 && c != '\t') {
            sb.append(' ');
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  private static final String SCRIPT = String.join("\n",
      "var frames, details, W = " + WIDTH + ", zoomed = null;",
      "function init(evt) {",
      "  frames = document.getElementById('frames').getElementsByTagName('g');",
      "  details = document.getElementById('details').firstChild;",
      "  var idle = details.nodeValue;",
      "  for (var i = 0; i < frames.length; i++) {",
      "    var g = frames[i];",
      "    g.onmouseover = function() { details.nodeValue = this.getElementsByTagName('title')[0].textContent; };",
      "    g.onmouseout = function() { details.nodeValue = idle; };",
      "    g.onclick = function() { zoom(this); };",
      "  }",
      "}",
      "function layout(x0, w0) {",
      "  for (var i = 0; i < frames.length; i++) {",
      "    var g = frames[i], r = g.getElementsByTagName('rect')[0], t = g.getElementsByTagName('text')[0];",
      "    var x = (parseFloat(g.getAttribute('data-x')) - x0) / w0 * W;",
      "    var w = parseFloat(g.getAttribute('data-w')) / w0 * W;",
      "    if (x + w <= 0.01 || x >= W - 0.01) { g.style.display = 'none'; continue; }",
      "    g.style.display = '';",
      "    if (x < 0) { w += x; x = 0; }",
      "    if (x + w > W) { w = W - x; }",
      "    r.setAttribute('x', x); r.setAttribute('width', w); t.setAttribute('x', x + 3);",
      "    var name = g.getElementsByTagName('title')[0].textContent.replace(/ \\([^(]*\\)$/, '');",
      "    var chars = Math.floor((w - 6) / 7);",
      "    t.textContent = w < 30 ? '' : (chars >= name.length ? name : name.substring(0, chars - 2) + '..');",
      "  }",
      "}",
      "function zoom(g) {",
      "  zoomed = g;",
      "  var x0 = parseFloat(g.getAttribute('data-x')), w0 = parseFloat(g.getAttribute('data-w'));",
      "  var y0 = parseFloat(g.getElementsByTagName('rect')[0].getAttribute('y'));",
      "  layout(x0, w0);",
      "  for (var i = 0; i < frames.length; i++) {",
      "    var f = frames[i], y = parseFloat(f.getElementsByTagName('rect')[0].getAttribute('y'));",
      "    f.style.opacity = y > y0 ? '0.5' : '1';",
      "  }",
      "  document.getElementById('unzoom').style.opacity = 1;",
      "}",
      "function unzoom() {",
      "  zoomed = null; layout(0, 1);",
      "  for (var i = 0; i < frames.length; i++) { frames[i].style.opacity = '1'; }",
      "  document.getElementById('unzoom').style.opacity = 0;",
      "}",
      "function search() {",
      "  var term = prompt('Search frames (regular expression):', '');",
      "  var matched = document.getElementById('matched');",
      "  var re = null;",
      "  if (term) { try { re = new RegExp(term); } catch (e) { alert('bad regular expression: ' + e.message); return; } }",
      "  var share = 0, spans = [];",
      "  for (var i = 0; i < frames.length; i++) {",
      "    var g = frames[i], name = g.getElementsByTagName('title')[0].textContent.replace(/ \\([^(]*\\)$/, '');",
      "    if (re && re.test(name)) {",
      "      g.classList.add('hl');",
      "      var x = parseFloat(g.getAttribute('data-x')), w = parseFloat(g.getAttribute('data-w'));",
      "      var inside = false;",
      "      for (var j = 0; j < spans.length; j++) { if (x >= spans[j][0] && x + w <= spans[j][1] + 1e-9) { inside = true; } }",
      "      if (!inside) { spans.push([x, x + w]); share += w; }",
      "    } else { g.classList.remove('hl'); }",
      "  }",
      "  matched.textContent = re ? 'Matched: ' + (share * 100).toFixed(2) + '%' : '';",
      "}");

  private static final class MutableNode {
    final String name;
    long value;
    long baseValue;
    Map<String, MutableNode> children;
    Node frozen;

    MutableNode(String name) {
      this.name = name;
    }

    void add(long v, boolean base) {
      if (base) {
        baseValue += v;
      } else {
        value += v;
      }
    }

    MutableNode child(String childName, int[] count) {
      if (children == null) {
        children = new HashMap<>(4);
      }
      MutableNode c = children.get(childName);
      if (c == null) {
        c = new MutableNode(childName);
        children.put(childName, c);
        count[0]++;
      }
      return c;
    }

    /** This subtree as immutable nodes, children sorted by name; iterative, children before parents. */
    Node freeze() {
      List<MutableNode> order = new ArrayList<>();
      List<MutableNode> todo = new ArrayList<>();
      todo.add(this);
      while (!todo.isEmpty()) {
        MutableNode m = todo.remove(todo.size() - 1);
        order.add(m);
        if (m.children != null) {
          todo.addAll(m.children.values());
        }
      }
      for (int i = order.size() - 1; i >= 0; i--) {
        MutableNode m = order.get(i);
        if (m.children == null) {
          m.frozen = new Node(m.name, m.value, m.baseValue, List.of());
          continue;
        }
        List<Node> out = new ArrayList<>(m.children.size());
        for (MutableNode c : m.children.values()) {
          out.add(c.frozen);
          c.frozen = null;
        }
        out.sort(Comparator.comparing(Node::name));
        m.frozen = new Node(m.name, m.value, m.baseValue, Collections.unmodifiableList(out));
        m.children = null;
      }
      return frozen;
    }
  }
}
