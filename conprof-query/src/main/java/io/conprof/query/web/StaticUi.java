package io.conprof.query.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's files, read from the jar (resource folder {@code io/conprof/query/web/ui/}) and kept
 * in memory once read. The UI is static: no build step, no network, relative URLs only, so it
 * works under any path prefix. {@code index.html} is served for the UI's pages, every other file
 * under {@code static/}; names are checked against a strict pattern so no path can leave the
 * folder.
 */
final class StaticUi {
  static final String FOLDER = "ui/";
  private static final long MAX_FILE_BYTES = 8L << 20;

  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /** A file of the UI by name (e.g. {@code app.js}), or null when there is none. */
  byte[] file(String name) throws IOException {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}") || name.contains("..")) {
      return null;
    }
    byte[] cached = cache.get(name);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = StaticUi.class.getResourceAsStream(FOLDER + name)) {
      if (in == null) {
        return null;
      }
      byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw new IOException("UI file " + name + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      cache.put(name, bytes);
      return bytes;
    }
  }

  static String contentType(String name) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "json" -> "application/json";
      case "ico" -> "image/x-icon";
      case "png" -> "image/png";
      default -> "application/octet-stream";
    };
  }
}
