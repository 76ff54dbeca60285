package io.conprof.core.model;

/**
 * Prometheus' rules for label and metric names.
 *
 * <p>conprof follows Prometheus 3's "utf8" validation scheme: any non-empty string of valid Unicode
 * is a legal label name. Names outside the legacy character set ({@link #isLegacyValid}) are
 * written quoted in the text form, e.g. {@code {"foo.bar"="x"}}.
 */
public final class LabelNames {
  /** The label that holds the metric name; for conprof, the profile type. */
  public static final String METRIC_NAME = "__name__";

  private LabelNames() {}

  /** True for {@code [a-zA-Z_][a-zA-Z0-9_]*}: a name that needs no quotes in the text form. */
  public static boolean isLegacyValid(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
          || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** True for a legacy metric name, {@code [a-zA-Z_:][a-zA-Z0-9_:]*}. */
  public static boolean isValidMetricName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
          || (i > 0 && c >= '0' && c <= '9');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks a label name: non-null, non-empty and valid Unicode (no unpaired surrogate, so it has a
   * UTF-8 encoding).
   *
   * @throws IllegalArgumentException naming the name and the reason
   */
  public static void validate(String name) {
    if (name == null) {
      throw new IllegalArgumentException("label name is null");
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("label name is empty");
    }
    int bad = firstUnpairedSurrogate(name);
    if (bad >= 0) {
      throw new IllegalArgumentException("label name " + GoStrings.quote(name)
          + " is not valid UTF-8: unpaired surrogate at index " + bad);
    }
  }

  /**
   * Checks a label value: non-null and valid Unicode (no unpaired surrogate).
   *
   * @param name the label the value belongs to, for the message
   * @throws IllegalArgumentException naming the label and the reason
   */
  public static void validateValue(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException("value of label " + GoStrings.quote(name) + " is null");
    }
    int bad = firstUnpairedSurrogate(value);
    if (bad >= 0) {
      throw new IllegalArgumentException("value of label " + GoStrings.quote(name)
          + " is not valid UTF-8: unpaired surrogate at index " + bad);
    }
  }

  /** Index of the first unpaired surrogate in {@code s}, or -1 if {@code s} is valid Unicode. */
  static int firstUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
