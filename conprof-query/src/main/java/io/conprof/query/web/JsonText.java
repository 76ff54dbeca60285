package io.conprof.query.web;

import io.conprof.core.model.Label;
import io.conprof.core.model.Labels;
import java.util.Collection;

/** The few JSON writing helpers the API needs: strings quoted per RFC 8259, label maps, lists. */
final class JsonText {
  private JsonText() {}

  static StringBuilder quote(StringBuilder sb, String s) {
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
          // < > & escaped as Go's encoding/json does, so JSON is safe to embed in HTML.
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  static String quote(String s) {
    return quote(new StringBuilder(s.length() + 2), s).toString();
  }

  static StringBuilder labels(StringBuilder sb, Labels labels) {
    sb.append('{');
    boolean first = true;
    for (Label l : labels) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      quote(sb, l.name()).append(':');
      quote(sb, l.value());
    }
    return sb.append('}');
  }

  static StringBuilder strings(StringBuilder sb, Collection<String> values) {
    sb.append('[');
    boolean first = true;
    for (String v : values) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      quote(sb, v);
    }
    return sb.append(']');
  }

  /** A finite number as JSON (NaN and infinities, which JSON lacks, as 0). */
  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return "0";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
