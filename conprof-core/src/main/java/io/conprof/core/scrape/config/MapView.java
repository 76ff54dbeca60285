package io.conprof.core.scrape.config;

import io.conprof.core.model.Durations;
import io.conprof.core.scrape.config.YamlNode.MapNode;
import io.conprof.core.scrape.config.YamlNode.ScalarNode;
import io.conprof.core.scrape.config.YamlNode.ScalarType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML mapping being bound to a record: typed getters that know the YAML path and line of every
 * value, and {@link #finish()} which refuses every key nobody asked for.
 */
final class MapView {
  private final ConfigParser ctx;
  private final MapNode node;
  final String path;
  private final Set<String> known = new LinkedHashSet<>();

  private MapView(ConfigParser ctx, MapNode node, String path) {
    this.ctx = ctx;
    this.node = node;
    this.path = path;
  }

  /** The mapping at {@code node}; YAML null counts as an empty mapping. */
  static MapView of(ConfigParser ctx, YamlNode node, String path, int fallbackLine) {
    if (node == null || (node instanceof ScalarNode s && s.type() == ScalarType.NULL)) {
      int line = node == null ? fallbackLine : node.line();
      return new MapView(ctx, new MapNode(line, Map.of()), path);
    }
    if (node instanceof MapNode m) {
      return new MapView(ctx, m, path);
    }
    throw ctx.error(node.line(), path, "expected a mapping, got " + node.kind());
  }

  int line() {
    return node.line();
  }

  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The value of {@code key}, or null when absent or YAML null. */
  YamlNode get(String key) {
    known.add(key);
    YamlNode.Entry e = node.entries().get(key);
    if (e == null) {
      return null;
    }
    YamlNode v = e.value();
    if (v instanceof ScalarNode s && s.type() == ScalarType.NULL) {
      return null;
    }
    return v;
  }

  boolean has(String key) {
    return get(key) != null;
  }

  /** The line of {@code key}'s value, or of this mapping when absent. */
  int line(String key) {
    YamlNode.Entry e = node.entries().get(key);
    return e == null ? node.line() : e.value().line();
  }

  String string(String key, String defaultValue) {
    YamlNode v = get(key);
    if (v == null) {
      return defaultValue;
    }
    return scalarText(v, path(key));
  }

  String scalarText(YamlNode v, String p) {
    if (v instanceof ScalarNode s) {
      return s.text();
    }
    throw ctx.error(v.line(), p, "expected a string, got " + v.kind());
  }

  String requiredString(String key) {
    String s = string(key, null);
    if (s == null || s.isEmpty()) {
      throw ctx.error(line(key), path.isEmpty() ? key : path, key + " is required");
    }
    return s;
  }

  /** A Prometheus duration, or null when absent. */
  Duration duration(String key) {
    String s = string(key, null);
    if (s == null) {
      return null;
    }
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw ctx.error(line(key), path(key), e.getMessage());
    }
  }

  /** A boolean (YAML 1.1: true/false, yes/no, on/off), or null when absent. */
  Boolean bool(String key) {
    YamlNode v = get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof ScalarNode s && s.type() == ScalarType.BOOLEAN) {
      return switch (s.text().toLowerCase(java.util.Locale.ROOT)) {
        case "true", "yes", "on", "y" -> Boolean.TRUE;
        default -> Boolean.FALSE;
      };
    }
    throw ctx.error(v.line(), path(key), "expected true or false, got "
        + (v instanceof ScalarNode s ? "\"" + s.text() + "\"" : v.kind()));
  }

  /** A non-negative integer, or null when absent. */
  Long integer(String key) {
    YamlNode v = get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof ScalarNode s && s.type() == ScalarType.NUMBER
        && s.text().matches("[0-9]{1,18}")) {
      return Long.parseLong(s.text());
    }
    throw ctx.error(v.line(), path(key), "expected a non-negative integer, got "
        + (v instanceof ScalarNode s ? "\"" + s.text() + "\"" : v.kind()));
  }

  /** A list of nodes; empty when absent. */
  List<YamlNode> list(String key) {
    YamlNode v = get(key);
    if (v == null) {
      return List.of();
    }
    if (v instanceof YamlNode.ListNode l) {
      return l.items();
    }
    throw ctx.error(v.line(), path(key), "expected a list, got " + v.kind());
  }

  /** A list of strings; empty when absent. */
  List<String> stringList(String key) {
    List<YamlNode> items = list(key);
    List<String> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      YamlNode item = items.get(i);
      String p = path(key) + "[" + i + "]";
      if (item instanceof ScalarNode s && s.type() == ScalarType.NULL) {
        throw ctx.error(item.line(), p, "expected a string, got null");
      }
      out.add(scalarText(item, p));
    }
    return out;
  }

  /** A mapping of strings to strings, in file order; empty when absent. */
  Map<String, String> stringMap(String key) {
    MapView m = MapView.of(ctx, get(key), path(key), line(key));
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : m.node.entries().keySet()) {
      String value = m.string(k, "");
      out.put(k, value);
    }
    return out;
  }

  /** The nested mapping at {@code key}; empty when absent. */
  MapView map(String key) {
    return MapView.of(ctx, get(key), path(key), line(key));
  }

  /** The keys in file order. */
  Set<String> keys() {
    return node.entries().keySet();
  }

  /** The line of a key itself. */
  int keyLine(String key) {
    YamlNode.Entry e = node.entries().get(key);
    return e == null ? node.line() : e.keyLine();
  }

  /** Refuses every key that no getter asked for, suggesting a known key when one is close. */
  void finish() {
    for (YamlNode.Entry e : node.entries().values()) {
      if (!known.contains(e.key())) {
        String hint = closest(e.key());
        throw ctx.error(e.keyLine(), path(e.key()), "unknown key"
            + (hint == null ? "" : " (did you mean " + hint + "?)"));
      }
    }
  }

  private String closest(String key) {
    String best = null;
    int bestDistance = 3;
    for (String k : known) {
      int d = editDistance(key, k);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
