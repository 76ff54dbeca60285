package io.conprof.query.web;

import io.conprof.core.model.JsonStrings;
import java.util.Collection;

/** JSON lists of strings and numbers for the API; strings and label sets come from {@link JsonStrings}. */
final class JsonText {
  private JsonText() {}

  static StringBuilder strings(StringBuilder sb, Collection<String> values) {
    sb.append('[');
    boolean first = true;
    for (String v : values) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      JsonStrings.quote(sb, v);
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
