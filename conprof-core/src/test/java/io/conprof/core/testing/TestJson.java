package io.conprof.core.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser for tests: objects become {@code Map<String, Object>} (insertion order),
 * arrays {@code List<Object>}, integers {@code Long}, other numbers {@code Double}, and true,
 * false and null themselves. Malformed input throws {@link IllegalArgumentException} with the
 * offset.
 */
public final class TestJson {
  private final String s;
  private int pos;

  private TestJson(String s) {
    this.s = s;
  }

  public static Object parse(String json) {
    TestJson r = new TestJson(json);
    r.ws();
    Object v = r.value();
    r.ws();
    if (r.pos != json.length()) {
      throw r.error("trailing characters");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(String json) {
    return (Map<String, Object>) parse(json);
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + pos + " of JSON: "
        + s.substring(Math.max(0, pos - 20), Math.min(s.length(), pos + 20)));
  }

  private void ws() {
    while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
      pos++;
    }
  }

  private char peek() {
    if (pos >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(pos);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private Object value() {
    char c = peek();
    switch (c) {
      case '{' -> {
        pos++;
        Map<String, Object> m = new LinkedHashMap<>();
        ws();
        if (peek() == '}') {
          pos++;
          return m;
        }
        while (true) {
          ws();
          String k = string();
          ws();
          expect(':');
          ws();
          m.put(k, value());
          ws();
          if (peek() == '}') {
            pos++;
            return m;
          }
          expect(',');
        }
      }
      case '[' -> {
        pos++;
        List<Object> l = new ArrayList<>();
        ws();
        if (peek() == ']') {
          pos++;
          return l;
        }
        while (true) {
          ws();
          l.add(value());
          ws();
          if (peek() == ']') {
            pos++;
            return l;
          }
          expect(',');
        }
      }
      case '"' -> {
        return string();
      }
      default -> {
        if (s.startsWith("true", pos)) {
          pos += 4;
          return Boolean.TRUE;
        }
        if (s.startsWith("false", pos)) {
          pos += 5;
          return Boolean.FALSE;
        }
        if (s.startsWith("null", pos)) {
          pos += 4;
          return null;
        }
        return number();
      }
    }
  }

  private Object number() {
    int start = pos;
    boolean integral = true;
    while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
      integral &= Character.isDigit(s.charAt(pos)) || (pos == start && s.charAt(pos) == '-');
      pos++;
    }
    if (pos == start) {
      throw error("unexpected character");
    }
    String t = s.substring(start, pos);
    try {
      return integral ? (Object) Long.parseLong(t) : (Object) Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw error("bad number " + t);
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      char c = s.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < ' ') {
        pos--;
        throw error("raw control character");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
          pos += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }
}
