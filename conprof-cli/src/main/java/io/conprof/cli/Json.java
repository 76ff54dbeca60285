package io.conprof.cli;

import io.conprof.core.model.JsonStrings;

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
    JsonStrings.quote(sb, name);
    sb.append(':');
    needComma = false;
    return this;
  }

  Json value(String s) {
    comma();
    if (s == null) {
      sb.append("null");
    } else {
      JsonStrings.quote(sb, s);
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
}
