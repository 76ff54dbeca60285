package io.conprof.core.scrape.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML document into a {@link YamlNode} tree with lines, using Jackson's streaming YAML
 * parser. Refuses what a config never needs and an attacker could abuse: aliases (no "billion
 * laughs"), more than one document, duplicate keys, nesting deeper than {@link #MAX_DEPTH}, and
 * input above {@link #MAX_CHARS}.
 */
final class YamlTreeReader {
  static final int MAX_CHARS = 4 * 1024 * 1024;
  static final int MAX_DEPTH = 32;

  private final String source;
  private JsonParser parser;

  YamlTreeReader(String source) {
    this.source = source;
  }

  /** The root node, or null for an empty document. */
  YamlNode read(String text) {
    if (text.length() > MAX_CHARS) {
      throw new ConfigException(source, 0, "", "file is " + text.length()
          + " characters, over the limit of " + MAX_CHARS);
    }
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_CHARS + 1);
    options.setMaxAliasesForCollections(0);
    options.setNestingDepthLimit(MAX_DEPTH + 8);
    YAMLFactory factory = YAMLFactory.builder().loaderOptions(options)
        .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build();
    try (JsonParser p = factory.createParser(text)) {
      this.parser = p;
      JsonToken t = p.nextToken();
      if (t == null) {
        return null;
      }
      YamlNode root = readValue(t, 0);
      JsonToken next = p.nextToken();
      if (next != null) {
        throw new ConfigException(source, line(), "",
            "more than one YAML document; a config file holds exactly one");
      }
      return root;
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      String reason = e.getOriginalMessage();
      if (e.getCause() instanceof MarkedYAMLException m && m.getProblem() != null) {
        reason = m.getProblem() + (m.getContext() == null ? "" : " (" + m.getContext() + ")");
        if (m.getProblemMark() != null) {
          line = m.getProblemMark().getLine() + 1;
        }
      }
      throw new ConfigException(source, line, "", "invalid YAML: " + reason, e);
    } catch (IOException e) {
      throw new ConfigException(source, 0, "", "cannot read YAML: " + e.getMessage(), e);
    }
  }

  private int line() {
    return parser.currentTokenLocation().getLineNr();
  }

  private YamlNode readValue(JsonToken t, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new ConfigException(source, line(), "", "nesting deeper than " + MAX_DEPTH);
    }
    int line = line();
    if (parser instanceof YAMLParser yp && yp.isCurrentAlias()) {
      throw new ConfigException(source, line, "", "YAML aliases (*" + parser.getText()
          + ") are not supported in config files");
    }
    switch (t) {
      case START_OBJECT -> {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        JsonToken k;
        while ((k = parser.nextToken()) == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          int keyLine = line();
          if (entries.containsKey(key)) {
            throw new ConfigException(source, keyLine, "", "duplicate key \"" + key + "\"");
          }
          YamlNode value = readValue(parser.nextToken(), depth + 1);
          entries.put(key, new YamlNode.Entry(key, keyLine, value));
        }
        if (k != JsonToken.END_OBJECT) {
          throw new ConfigException(source, line(), "", "unexpected " + k + " in a mapping");
        }
        return new YamlNode.MapNode(line, entries);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        JsonToken i;
        while ((i = parser.nextToken()) != JsonToken.END_ARRAY) {
          if (i == null) {
            throw new ConfigException(source, line(), "", "unexpected end of a list");
          }
          items.add(readValue(i, depth + 1));
        }
        return new YamlNode.ListNode(line, items);
      }
      case VALUE_NULL -> {
        return new YamlNode.ScalarNode(line, null, YamlNode.ScalarType.NULL);
      }
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> {
        YamlNode.ScalarType type = switch (t) {
          case VALUE_TRUE, VALUE_FALSE -> YamlNode.ScalarType.BOOLEAN;
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> YamlNode.ScalarType.NUMBER;
          default -> YamlNode.ScalarType.STRING;
        };
        return new YamlNode.ScalarNode(line, parser.getText(), type);
      }
      case VALUE_EMBEDDED_OBJECT -> throw new ConfigException(source, line, "",
          "binary or tagged values are not supported");
      default -> throw new ConfigException(source, line, "", "unexpected YAML token " + t);
    }
  }
}
