package io.conprof.core.scrape.config;

import java.util.List;
import java.util.Map;

/** A YAML document as a tree that remembers the line of every node. Package-private. */
sealed interface YamlNode {
  int line();

  /** What the node is, for messages: "a mapping", "a list", "a string", "null". */
  String kind();

  /** A mapping; keys keep their own lines. */
  record MapNode(int line, Map<String, Entry> entries) implements YamlNode {
    public String kind() {
      return "a mapping";
    }
  }

  /** One key of a mapping, with the line of the key. */
  record Entry(String key, int keyLine, YamlNode value) {}

  record ListNode(int line, List<YamlNode> items) implements YamlNode {
    public String kind() {
      return "a list";
    }
  }

  /** How the parser resolved a scalar (YAML 1.1: {@code yes} and {@code on} are booleans). */
  enum ScalarType { STRING, NUMBER, BOOLEAN, NULL }

  /** A scalar; {@code text} is null for YAML null ({@code ~}, {@code null} or nothing). */
  record ScalarNode(int line, String text, ScalarType type) implements YamlNode {
    public String kind() {
      return type == ScalarType.NULL ? "null" : "a scalar";
    }
  }
}
