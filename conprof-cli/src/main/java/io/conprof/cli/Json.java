package io.conprof.cli;

/**
 * A minimal JSON writer for the CLI's machine-readable output (one object per line). Strings are
 * escaped per RFC 8259; the caller builds objects in a fixed field order so the schema is stable.
 */
final class Json {
  private final StringBuilder sb = new StringBuilder();
  private boolean needComma;

  Json beginObject() {
    comma();
    sb.append('{');
    needComma = false;
    return this;
  }

  Json endObject() {
    sb.append('}');
    needComma = true;
    return this;
  }

  Json beginArray() {
    comma();
    sb.append('[');
    needComma = false;
    return this;
  }

  Json endArray() {
    sb.append(']');
    needComma = true;
    return this;
  }

  /** Starts a member: {@code "name":}; the value follows. */
  Json name(String name) {
    comma();
    quote(sb, name);
    sb.append(':');
    needComma = false;
    return this;
  }

  Json value(String s) {
    comma();
    if (s == null) {
      sb.append("null");
    } else {
      quote(sb, s);
    }
    needComma = true;
    return this;
  }

  Json value(long v) {
    comma();
    sb.append(v);
    needComma = true;
    return this;
  }

  Json value(boolean v) {
    comma();
    sb.append(v);
    needComma = true;
    return this;
  }

  Json nullValue() {
    comma();
    sb.append("null");
    needComma = true;
    return this;
  }

  Json field(String name, String value) {
    return name(name).value(value);
  }

  Json field(String name, long value) {
    return name(name).value(value);
  }

  Json field(String name, boolean value) {
    return name(name).value(value);
  }

  private void comma() {
    if (needComma) {
      sb.append(',');
    }
  }

  @Override
  public String toString() {
    return sb.toString();
  }

  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** A label set as a JSON object. */
  static void labels(StringBuilder sb, io.conprof.core.model.Labels labels) {
    sb.append('{');
    boolean first = true;
    for (io.conprof.core.model.Label l : labels) {
      sb.append(first ? "" : ",");
      first = false;
      quote(sb, l.name());
      sb.append(':');
      quote(sb, l.value());
    }
    sb.append('}');
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    quote(sb, s);
    return sb.toString();
  }
}
