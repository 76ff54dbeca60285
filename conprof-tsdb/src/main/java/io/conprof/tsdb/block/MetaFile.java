package io.conprof.tsdb.block;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@code meta.json}, Prometheus' fields plus a format version:
 *
 * <pre>
 * {
 *   "ulid": "01JDX...", "minTime": 0, "maxTime": 7200000,
 *   "stats": {"numSeries": 1, "numSamples": 720, "numChunks": 23, "numBytes": 123456},
 *   "compaction": {"level": 1, "sources": ["01JDX..."], "parents": [{"ulid": "01JDW..."}], "deletable": false},
 *   "version": 1,
 *   "conprof": {"format": "conprof-block", "formatVersion": 1}
 * }
 * </pre>
 *
 * {@code version} is the meta.json version (1, as in Prometheus); {@code conprof.formatVersion} is the
 * version of the block's file formats (chunks, index, tombstones). Unknown fields are ignored, so that a
 * later minor version can add some. Written through a temporary file, fsync and rename.
 */
final class MetaFile {
  static final String NAME = "meta.json";
  static final int META_VERSION = 1;
  static final int FORMAT_VERSION = 1;
  static final String FORMAT = "conprof-block";
  static final long MAX_BYTES = 1 << 20;
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private MetaFile() {}

  static void write(Path dir, BlockMeta m, boolean fsync) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("ulid", m.ulid());
    root.put("minTime", m.minTimeMillis());
    root.put("maxTime", m.maxTimeMillis());
    ObjectNode stats = root.putObject("stats");
    stats.put("numSeries", m.numSeries());
    stats.put("numSamples", m.numSamples());
    stats.put("numChunks", m.numChunks());
    stats.put("numBytes", m.numBytes());
    ObjectNode compaction = root.putObject("compaction");
    compaction.put("level", m.level());
    ArrayNode sources = compaction.putArray("sources");
    m.sources().forEach(sources::add);
    ArrayNode parents = compaction.putArray("parents");
    m.parents().forEach(p -> parents.addObject().put("ulid", p));
    compaction.put("deletable", m.deletable());
    root.put("version", META_VERSION);
    ObjectNode conprof = root.putObject("conprof");
    conprof.put("format", FORMAT);
    conprof.put("formatVersion", FORMAT_VERSION);
    byte[] bytes = MAPPER.writeValueAsBytes(root);
    FileSync.writeAtomically(dir.resolve(NAME), bytes, fsync);
  }

  static BlockMeta read(Path dir) throws IOException {
    Path file = dir.resolve(NAME);
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new CorruptBlockException(file, -1, "meta.json of " + size + " bytes exceeds the limit of " + MAX_BYTES);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CorruptBlockException(file, -1, "meta.json is missing", e);
    }
    if (bytes.length == 0) {
      throw new CorruptBlockException(file, 0, "meta.json is empty");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      throw new CorruptBlockException(file, at, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CorruptBlockException(file, 0, "meta.json is not a JSON object");
    }
    Fields f = new Fields(file, root);
    int version = (int) f.longField(root, "version");
    if (version != META_VERSION) {
      throw new CorruptBlockException(file, -1, "unsupported meta.json version " + version + ", this reader supports "
          + META_VERSION);
    }
    JsonNode conprof = f.object(root, "conprof");
    String format = f.text(conprof, "format");
    if (!FORMAT.equals(format)) {
      throw new CorruptBlockException(file, -1, "format \"" + format + "\" is not \"" + FORMAT + "\"");
    }
    long formatVersion = f.longField(conprof, "formatVersion");
    if (formatVersion != FORMAT_VERSION) {
      throw new CorruptBlockException(file, -1, "unsupported block format version " + formatVersion
          + ", this reader supports " + FORMAT_VERSION);
    }
    String ulid = f.text(root, "ulid");
    if (!Ulid.isValid(ulid)) {
      throw new CorruptBlockException(file, -1, "ulid \"" + ulid + "\" is not a ULID");
    }
    JsonNode stats = f.object(root, "stats");
    JsonNode compaction = f.object(root, "compaction");
    List<String> sources = new ArrayList<>();
    for (JsonNode s : f.array(compaction, "sources")) {
      if (!s.isTextual() || !Ulid.isValid(s.asText())) {
        throw new CorruptBlockException(file, -1, "compaction.sources holds " + s + ", not a ULID");
      }
      sources.add(s.asText());
    }
    List<String> parents = new ArrayList<>();
    for (JsonNode p : f.array(compaction, "parents")) {
      String pu = p.isObject() ? f.text(p, "ulid") : null;
      if (pu == null || !Ulid.isValid(pu)) {
        throw new CorruptBlockException(file, -1, "compaction.parents holds " + p + ", not {\"ulid\": ULID}");
      }
      parents.add(pu);
    }
    JsonNode deletable = compaction.get("deletable");
    if (deletable != null && !deletable.isBoolean()) {
      throw new CorruptBlockException(file, -1, "compaction.deletable is not a boolean");
    }
    try {
      return new BlockMeta(ulid, f.longField(root, "minTime"), f.longField(root, "maxTime"),
          f.longField(stats, "numSeries"), f.longField(stats, "numSamples"), f.longField(stats, "numChunks"),
          f.longField(stats, "numBytes"), (int) f.longField(compaction, "level"), sources, parents,
          deletable != null && deletable.booleanValue());
    } catch (IllegalArgumentException e) {
      throw new CorruptBlockException(file, -1, e.getMessage(), e);
    }
  }

  private record Fields(Path file, JsonNode root) {
    long longField(JsonNode node, String name) throws CorruptBlockException {
      JsonNode v = node.get(name);
      if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new CorruptBlockException(file, -1, "field \"" + name + "\" is missing or not a 64-bit integer");
      }
      long l = v.longValue();
      if ((name.equals("level") || name.equals("version")) && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
        throw new CorruptBlockException(file, -1, "field \"" + name + "\" = " + l + " out of range");
      }
      return l;
    }

    String text(JsonNode node, String name) throws CorruptBlockException {
      JsonNode v = node.get(name);
      if (v == null || !v.isTextual()) {
        throw new CorruptBlockException(file, -1, "field \"" + name + "\" is missing or not a string");
      }
      return v.asText();
    }

    JsonNode object(JsonNode node, String name) throws CorruptBlockException {
      JsonNode v = node.get(name);
      if (v == null || !v.isObject()) {
        throw new CorruptBlockException(file, -1, "field \"" + name + "\" is missing or not an object");
      }
      return v;
    }

    JsonNode array(JsonNode node, String name) throws CorruptBlockException {
      JsonNode v = node.get(name);
      if (v == null || !v.isArray()) {
        throw new CorruptBlockException(file, -1, "field \"" + name + "\" is missing or not an array");
      }
      return v;
    }
  }
}
