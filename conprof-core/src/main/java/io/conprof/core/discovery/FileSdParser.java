package io.conprof.core.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.conprof.core.model.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads Prometheus' file_sd format: a JSON or YAML list of {@code {targets: [host:port, ...],
 * labels: {name: value}}}. The format is chosen by the extension ({@code .json}, {@code .yml},
 * {@code .yaml}); unknown keys and wrong types are refused with the file, group index and reason.
 */
final class FileSdParser {
  /** A target file larger than this is refused unread. */
  static final long MAX_FILE_BYTES = 16L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper();

  private FileSdParser() {}

  /** Groups of {@code file}, sources {@code <file>:<index>}, each with {@code __meta_filepath}. */
  static List<TargetGroup> parse(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    ObjectMapper mapper;
    if (name.endsWith(".json")) {
      mapper = JSON;
    } else if (name.endsWith(".yml") || name.endsWith(".yaml")) {
      mapper = YAML;
    } else {
      throw new IOException(file + ": unsupported file extension (want .json, .yml or .yaml)");
    }
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IOException(file + ": " + size + " bytes exceeds the limit of " + MAX_FILE_BYTES + " bytes");
    }
    byte[] bytes = Files.readAllBytes(file);
    JsonNode root;
    try {
      root = bytes.length == 0 ? null : mapper.readTree(bytes);
    } catch (IOException e) {
      throw new IOException(file + ": not valid " + (mapper == JSON ? "JSON" : "YAML") + ": "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return List.of();
    }
    if (!root.isArray()) {
      throw new IOException(file + ": want a list of target groups, got " + root.getNodeType().toString().toLowerCase(Locale.ROOT));
    }
    List<TargetGroup> out = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      out.add(group(file, i, root.get(i)));
    }
    return out;
  }

  private static TargetGroup group(Path file, int index, JsonNode node) throws IOException {
    String where = file + ": group " + index;
    if (!node.isObject()) {
      throw new IOException(where + ": want a map with \"targets\" and \"labels\"");
    }
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      if (!key.equals("targets") && !key.equals("labels")) {
        throw new IOException(where + ": unknown key \"" + key + "\" (want \"targets\" and \"labels\")");
      }
    }
    Labels.Builder group = Labels.builder();
    JsonNode labels = node.get("labels");
    if (labels != null && !labels.isNull()) {
      if (!labels.isObject()) {
        throw new IOException(where + ": \"labels\" must be a map of label names to values");
      }
      for (Map.Entry<String, JsonNode> e : labels.properties()) {
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw new IOException(where + ": value of label \"" + e.getKey() + "\" must be a string");
        }
        try {
          group.set(e.getKey(), e.getValue().asText());
        } catch (IllegalArgumentException ex) {
          throw new IOException(where + ": " + ex.getMessage(), ex);
        }
      }
    }
    group.set("__meta_filepath", file.toString());
    List<Labels> targets = new ArrayList<>();
    JsonNode ts = node.get("targets");
    if (ts != null && !ts.isNull()) {
      if (!ts.isArray()) {
        throw new IOException(where + ": \"targets\" must be a list of host:port strings");
      }
      for (JsonNode t : ts) {
        if (!t.isTextual() || t.asText().isEmpty()) {
          throw new IOException(where + ": every target must be a non-empty host:port string, got " + t);
        }
        targets.add(Labels.of("__address__", t.asText()));
      }
    }
    return new TargetGroup(file + ":" + index, targets, group.build());
  }
}
