package io.conprof.core.pprof;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A profile as a flame-graph tree: the root's children are the outermost frames, each node's value
 * is the total of the samples whose stack passes through it (its own value is what its children do
 * not account for). Children are sorted by name, as conprof's flame-graph report sorted them.
 *
 * <p>Renderings: {@link #toJson()} in conprof's shape ({@code n} short name, {@code f} full name,
 * {@code v} value, {@code l} formatted value, {@code p} share, {@code c} children) and {@link
 * #toSvg(String)}, a standalone SVG that needs nothing but a browser: hover shows a frame's name,
 * value and share; click zooms into a frame; search highlights matching frames and shows their
 * share. To keep the SVG small for huge graphs, frames narrower than 0.1 pixel-equivalents of the
 * 1200-pixel width (value below 1/12,000 of the total) are left out, and so are their descendants.
 */
public final class FlameGraph {
  /** One frame of the tree. */
  public record Node(String name, long value, List<Node> children) {}

  private static final int WIDTH = 1200;
  private static final int FRAME_HEIGHT = 16;
  private static final double MIN_SHARE = 1.0 / 12_000;

  private final Node root;
  private final ValueType valueType;
  private final long total;
  private final int nodeCount;

  private FlameGraph(Node root, ValueType valueType, long total, int nodeCount) {
    this.root = root;
    this.valueType = valueType;
    this.total = total;
    this.nodeCount = nodeCount;
  }

  /** The flame graph of {@code profile}'s column {@code sampleType} (null or "" = default). */
  public static FlameGraph of(Profile profile, String sampleType) {
    StackTable st = new StackTable(profile, sampleType);
    MutableNode root = new MutableNode("root");
    int[] count = {1};
    for (int s = 0; s < st.stacks.length; s++) {
      long v = st.values[s];
      if (v == 0) {
        continue;
      }
      int[] stack = st.stacks[s];
      MutableNode n = root;
      root.value += v;
      for (int i = stack.length - 1; i >= 0; i--) {
        n = n.child(st.names.get(stack[i]), count);
        n.value += v;
      }
    }
    return new FlameGraph(root.freeze(), st.valueType, root.value, count[0]);
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

  /** The tree as conprof's flame-graph JSON. */
  public String toJson() {
    StringBuilder sb = new StringBuilder(nodeCount * 64);
    json(root, sb);
    return sb.toString();
  }

  private void json(Node n, StringBuilder sb) {
    sb.append("{\"n\":");
    quote(sb, shortName(n.name()));
    sb.append(",\"f\":");
    quote(sb, n.name());
    sb.append(",\"v\":").append(n.value()).append(",\"l\":");
    quote(sb, ValueFormat.auto(valueType.unit(), n.value()));
    sb.append(",\"p\":");
    quote(sb, share(n.value()));
    sb.append(",\"c\":[");
    for (int i = 0; i < n.children().size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      json(n.children().get(i), sb);
    }
    sb.append("]}");
  }

  private String share(long v) {
    return String.format(Locale.ROOT, "%.2f%%", total == 0 ? 0.0 : 100.0 * v / total);
  }

  /** The function name without its package path: {@code net/http.(*conn).serve} → {@code http.(*conn).serve}. */
  static String shortName(String name) {
    int paren = name.indexOf('(');
    String head = paren > 0 ? name.substring(0, paren) : name;
    int slash = head.lastIndexOf('/');
    return slash >= 0 ? name.substring(slash + 1) : name;
  }

  /** A standalone, interactive SVG flame graph. */
  public String toSvg(String title) {
    int depth = maxDepth(root, 0);
    int height = (depth + 1) * FRAME_HEIGHT + 60;
    StringBuilder sb = new StringBuilder(nodeCount * 200 + 8192);
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
    sb.append("<text id=\"details\" x=\"10\" y=\"").append(height - 8).append("\"> </text>\n");
    sb.append("<g id=\"frames\">\n");
    frames(sb, root, 0, 0, depth);
    sb.append("</g>\n");
    sb.append("<script type=\"text/ecmascript\"><![CDATA[\n").append(SCRIPT).append("\n]]></script>\n");
    sb.append("</svg>\n");
    return sb.toString();
  }

  private void frames(StringBuilder sb, Node n, double start, int level, int depth) {
    if (total == 0) {
      return;
    }
    double share = (double) Math.abs(n.value()) / Math.abs(total);
    if (share < MIN_SHARE && level > 0) {
      return;
    }
    double x = start * WIDTH;
    double w = share * WIDTH;
    double y = (depth - level) * FRAME_HEIGHT + 30;
    sb.append("<g class=\"f\" data-x=\"").append(fmt(start)).append("\" data-w=\"").append(fmt(share))
        .append("\"><title>");
    xml(sb, n.name());
    sb.append(" (").append(ValueFormat.auto(valueType.unit(), n.value())).append(", ").append(share(n.value())).append(")</title>");
    sb.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(y)).append("\" width=\"").append(fmt(w))
        .append("\" height=\"").append(FRAME_HEIGHT - 1).append("\" fill=\"").append(color(n.name(), level))
        .append("\" rx=\"2\"/><text x=\"").append(fmt(x + 3)).append("\" y=\"").append(fmt(y + 11.5)).append("\">");
    xml(sb, w > 30 ? fit(n.name(), w) : "");
    sb.append("</text></g>\n");
    double childStart = start;
    for (Node c : n.children()) {
      frames(sb, c, childStart, level + 1, depth);
      childStart += (double) Math.abs(c.value()) / Math.abs(total);
    }
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

  private static int maxDepth(Node n, int d) {
    int m = d;
    for (Node c : n.children()) {
      m = Math.max(m, maxDepth(c, d + 1));
    }
    return m;
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

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  private static final String SCRIPT = String.join("\n",
      "var frames, details, W = " + WIDTH + ", zoomed = null;",
      "function init(evt) {",
      "  frames = document.getElementById('frames').getElementsByTagName('g');",
      "  details = document.getElementById('details').firstChild;",
      "  for (var i = 0; i < frames.length; i++) {",
      "    var g = frames[i];",
      "    g.onmouseover = function() { details.nodeValue = this.getElementsByTagName('title')[0].textContent; };",
      "    g.onmouseout = function() { details.nodeValue = ' '; };",
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
    Map<String, MutableNode> children;

    MutableNode(String name) {
      this.name = name;
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

    Node freeze() {
      if (children == null) {
        return new Node(name, value, List.of());
      }
      List<Node> out = new ArrayList<>(children.size());
      for (MutableNode c : children.values()) {
        out.add(c.freeze());
      }
      out.sort(Comparator.comparing(Node::name));
      return new Node(name, value, Collections.unmodifiableList(out));
    }
  }
}
