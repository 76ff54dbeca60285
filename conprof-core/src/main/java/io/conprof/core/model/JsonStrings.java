package io.conprof.core.model;

/**
 * JSON text for the strings and label sets conprof writes (CLI output, the HTTP API, flame-graph
 * trees): RFC 8259 string escapes, control characters as {@code \\uXXXX}, and U+2028 / U+2029
 * escaped too so the text is also a valid JavaScript literal.
 */
public final class JsonStrings {
  private JsonStrings() {}

  /** Appends {@code s} as a JSON string literal; returns {@code sb}. */
  public static StringBuilder quote(StringBuilder sb, String s) {
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
            sb.append("\\u").append(Character.forDigit(c >> 12, 16)).append(Character.forDigit((c >> 8) & 15, 16))
                .append(Character.forDigit((c >> 4) & 15, 16)).append(Character.forDigit(c & 15, 16));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  /** {@code s} as a JSON string literal. */
  public static String quote(String s) {
    return quote(new StringBuilder(s.length() + 2), s).toString();
  }

  /** Appends {@code labels} as a JSON object of name to value, in label order; returns {@code sb}. */
  public static StringBuilder labels(StringBuilder sb, Labels labels) {
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
}
