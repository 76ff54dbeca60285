package io.conprof.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A series' identity: an immutable set of labels, sorted by name, with unique names.
 *
 * <p>Rules, as in Prometheus: a label with an empty value is the same as an absent label, so it is
 * dropped on construction; names are validated by {@link LabelNames#validate} and values must be
 * valid Unicode; a duplicate name is an error. Names and values are compared by Unicode code point,
 * which is the byte order of their UTF-8 encodings and therefore the order Prometheus (Go) uses.
 *
 * <p>The text form ({@link #toString()}, {@link #parse(String)}) is Prometheus': {@code {a="b",
 * c="d"}} with values in Go's quoted-string syntax and non-legacy names quoted the same way.
 *
 * <p>{@link #stableHash()} is persisted on disk and must never change; see its definition there.
 */
public final class Labels implements Comparable<Labels>, Iterable<Label> {
  /** The empty label set. */
  public static final Labels EMPTY = new Labels(new Label[0]);

  /** The longest text {@link #parse} accepts, in characters. */
  public static final int MAX_TEXT_CHARS = 64 * 1024;

  private static final long FNV64_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV64_PRIME = 0x100000001b3L;
  private static final int SEPARATOR = 0xff;

  private final Label[] labels;
  private int hashCode;
  private volatile long stableHash;
  private volatile boolean stableHashComputed;

  /** Takes ownership of {@code sorted}: sorted by name, unique names, valid, no empty values. */
  private Labels(Label[] sorted) {
    this.labels = sorted;
  }

  /**
   * Builds a label set from name/value pairs: {@code Labels.of("job", "api", "instance", "h:1")}.
   *
   * @throws IllegalArgumentException for an odd count, a duplicate or invalid name, a bad value
   */
  public static Labels of(String... nameValuePairs) {
    if (nameValuePairs.length % 2 != 0) {
      throw new IllegalArgumentException("Labels.of needs name/value pairs, got "
          + nameValuePairs.length + " strings");
    }
    List<Label> list = new ArrayList<>(nameValuePairs.length / 2);
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      list.add(label(nameValuePairs[i], nameValuePairs[i + 1]));
    }
    return fromUnsorted(list);
  }

  /** Builds a label set from a map of name to value; entries with an empty value are dropped. */
  public static Labels of(Map<String, String> map) {
    List<Label> list = new ArrayList<>(map.size());
    for (Map.Entry<String, String> e : map.entrySet()) {
      list.add(label(e.getKey(), e.getValue()));
    }
    return fromUnsorted(list);
  }

  private static Label label(String name, String value) {
    LabelNames.validate(name);
    LabelNames.validateValue(name, value);
    return new Label(name, value);
  }

  /** Sorts, drops empty values and refuses duplicates. The labels are already validated. */
  private static Labels fromUnsorted(List<Label> list) {
    Label[] arr = list.stream().filter(l -> !l.value().isEmpty()).toArray(Label[]::new);
    if (arr.length == 0) {
      return EMPTY;
    }
    Arrays.sort(arr, (a, b) -> compareStrings(a.name(), b.name()));
    for (int i = 1; i < arr.length; i++) {
      if (arr[i].name().equals(arr[i - 1].name())) {
        throw new IllegalArgumentException(
            "duplicate label name " + GoStrings.quote(arr[i].name()));
      }
    }
    return new Labels(arr);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts with these labels. */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (Label l : labels) {
      b.map.put(l.name(), l.value());
    }
    return b;
  }

  /** The value of label {@code name}, or null if absent. */
  public String get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : labels[i].value();
  }

  public boolean has(String name) {
    return indexOf(name) >= 0;
  }

  private int indexOf(String name) {
    if (labels.length < 8) {
      for (int i = 0; i < labels.length; i++) {
        if (labels[i].name().equals(name)) {
          return i;
        }
      }
      return -1;
    }
    int lo = 0;
    int hi = labels.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = compareStrings(labels[mid].name(), name);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }

  public int size() {
    return labels.length;
  }

  public boolean isEmpty() {
    return labels.length == 0;
  }

  /** The labels in order, an unmodifiable view (no copy). */
  public List<Label> asList() {
    return Collections.unmodifiableList(Arrays.asList(labels));
  }

  /** Name to value in label order, unmodifiable. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>(labels.length * 2);
    for (Label l : labels) {
      m.put(l.name(), l.value());
    }
    return Collections.unmodifiableMap(m);
  }

  /** The label names in order, unmodifiable. */
  public Set<String> names() {
    Set<String> s = new LinkedHashSet<>(labels.length * 2);
    for (Label l : labels) {
      s.add(l.name());
    }
    return Collections.unmodifiableSet(s);
  }

  /** These labels with {@code name} set to {@code value} (removed if {@code value} is empty). */
  public Labels with(String name, String value) {
    return toBuilder().set(name, value).build();
  }

  /** These labels without the given names; absent names are ignored. */
  public Labels without(String... names) {
    Builder b = toBuilder();
    for (String n : names) {
      b.remove(n);
    }
    return b.build();
  }

  @Override
  public Iterator<Label> iterator() {
    return asList().iterator();
  }

  /**
   * True if every matcher matches; a label that is absent reads as the empty string, so
   * {@code foo=""} matches a set without {@code foo}.
   */
  public boolean matches(List<Matcher> matchers) {
    for (Matcher m : matchers) {
      if (!m.matches(get(m.name()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A 64-bit hash of the canonical form, identical across JVMs, runs and versions: it is persisted.
   *
   * <p>Definition (never change it): 64-bit FNV-1a (offset basis {@code 0xcbf29ce484222325}, prime
   * {@code 0x100000001b3}) over the byte sequence formed by, for each label in order, the UTF-8
   * bytes of the name, the byte {@code 0xff}, the UTF-8 bytes of the value, the byte {@code 0xff}.
   * The empty set hashes to the offset basis. {@code 0xff} never occurs in UTF-8, so the encoding
   * is unambiguous. This equals Go's {@code hash/fnv.New64a()} over the same bytes.
   */
  public long stableHash() {
    if (stableHashComputed) {
      return stableHash;
    }
    long h = FNV64_OFFSET_BASIS;
    for (Label l : labels) {
      h = fnvUtf8(h, l.name());
      h = (h ^ SEPARATOR) * FNV64_PRIME;
      h = fnvUtf8(h, l.value());
      h = (h ^ SEPARATOR) * FNV64_PRIME;
    }
    stableHash = h;
    stableHashComputed = true;
    return h;
  }

  private static long fnvUtf8(long h, String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp < 0x80) {
        h = (h ^ cp) * FNV64_PRIME;
      } else if (cp < 0x800) {
        h = (h ^ (0xc0 | (cp >>> 6))) * FNV64_PRIME;
        h = (h ^ (0x80 | (cp & 0x3f))) * FNV64_PRIME;
      } else if (cp < 0x10000) {
        h = (h ^ (0xe0 | (cp >>> 12))) * FNV64_PRIME;
        h = (h ^ (0x80 | ((cp >>> 6) & 0x3f))) * FNV64_PRIME;
        h = (h ^ (0x80 | (cp & 0x3f))) * FNV64_PRIME;
      } else {
        h = (h ^ (0xf0 | (cp >>> 18))) * FNV64_PRIME;
        h = (h ^ (0x80 | ((cp >>> 12) & 0x3f))) * FNV64_PRIME;
        h = (h ^ (0x80 | ((cp >>> 6) & 0x3f))) * FNV64_PRIME;
        h = (h ^ (0x80 | (cp & 0x3f))) * FNV64_PRIME;
      }
    }
    return h;
  }

  /**
   * Prometheus order: label by label, by name then by value (code point order); when one set is
   * a prefix of the other, the shorter comes first.
   */
  @Override
  public int compareTo(Labels o) {
    int n = Math.min(labels.length, o.labels.length);
    for (int i = 0; i < n; i++) {
      int c = compareStrings(labels[i].name(), o.labels[i].name());
      if (c != 0) {
        return c;
      }
      c = compareStrings(labels[i].value(), o.labels[i].value());
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(labels.length, o.labels.length);
  }

  /**
   * Compares by Unicode code point, which equals the byte order of the UTF-8 encodings (Go's string
   * order). {@link String#compareTo} differs from it for supplementary characters.
   */
  static int compareStrings(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
          return Integer.compare(a.codePointAt(i), b.codePointAt(i));
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Labels other && Arrays.equals(labels, other.labels));
  }

  @Override
  public int hashCode() {
    int h = hashCode;
    if (h == 0) {
      h = Arrays.hashCode(labels);
      hashCode = h;
    }
    return h;
  }

  /** The canonical text form, e.g. {@code {a="b", "foo.bar"="x\n"}}; {@code {}} when empty. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(labels.length * 16 + 2);
    sb.append('{');
    for (int i = 0; i < labels.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      appendName(sb, labels[i].name());
      sb.append('=');
      GoStrings.appendQuoted(sb, labels[i].value());
    }
    return sb.append('}').toString();
  }

  static void appendName(StringBuilder sb, String name) {
    if (LabelNames.isLegacyValid(name)) {
      sb.append(name);
    } else {
      GoStrings.appendQuoted(sb, name);
    }
  }

  /**
   * Parses the text form: an optional metric name followed by an optional brace block, e.g.
   * {@code heap{job="api", instance="h:6060",}} or {@code {"foo.bar"="x"}}. Names are legacy
   * identifiers or Go-quoted strings; values are Go-quoted strings; only {@code =} is allowed; a
   * trailing comma is allowed; whitespace between tokens is ignored. Input above
   * {@link #MAX_TEXT_CHARS} is refused.
   *
   * @throws IllegalArgumentException like {@code bad labels {a=b}: at 3: expected a quoted string},
   *     where the position is a zero-based character offset into the input
   */
  public static Labels parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_TEXT_CHARS) {
      throw new IllegalArgumentException("bad labels: input is " + text.length()
          + " characters, over the limit of " + MAX_TEXT_CHARS);
    }
    try {
      return new TextParser(text).parse();
    } catch (GoStrings.SyntaxError e) {
      throw new IllegalArgumentException("bad labels " + excerpt(text) + ": " + e.getMessage(), e);
    }
  }

  private static String excerpt(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  private static final class TextParser {
    private final String in;
    private int pos;

    TextParser(String in) {
      this.in = in;
    }

    Labels parse() {
      skipSpace();
      Map<String, String> map = new TreeMap<>(Labels::compareStrings);
      boolean sawSomething = false;
      if (pos < in.length() && isMetricStart(in.charAt(pos))) {
        int start = pos;
        while (pos < in.length() && isMetricPart(in.charAt(pos))) {
          pos++;
        }
        map.put(LabelNames.METRIC_NAME, in.substring(start, pos));
        sawSomething = true;
        skipSpace();
      }
      if (pos < in.length() && in.charAt(pos) == '{') {
        pos++;
        sawSomething = true;
        skipSpace();
        while (pos < in.length() && in.charAt(pos) != '}') {
          int nameAt = pos;
          String name = readName();
          skipSpace();
          expectEquals();
          skipSpace();
          GoStrings.Cursor c = new GoStrings.Cursor(in, pos);
          String value = c.readQuoted();
          pos = c.pos;
          try {
            LabelNames.validate(name);
          } catch (IllegalArgumentException e) {
            throw new GoStrings.SyntaxError(nameAt,
                "expected a valid label name: " + e.getMessage());
          }
          if (map.containsKey(name)) {
            throw new GoStrings.SyntaxError(nameAt,
                "duplicate label name " + GoStrings.quote(name));
          }
          map.put(name, value);
          skipSpace();
          if (pos < in.length() && in.charAt(pos) == ',') {
            pos++;
            skipSpace();
          } else if (pos < in.length() && in.charAt(pos) != '}') {
            throw new GoStrings.SyntaxError(pos, "expected ',' or '}'");
          }
        }
        if (pos >= in.length()) {
          throw new GoStrings.SyntaxError(pos, "expected a label name or '}'");
        }
        pos++;
        skipSpace();
      }
      if (!sawSomething) {
        throw new GoStrings.SyntaxError(pos, "expected a metric name or '{'");
      }
      if (pos != in.length()) {
        throw new GoStrings.SyntaxError(pos, "expected end of input");
      }
      Builder b = new Builder();
      map.forEach((k, v) -> {
        if (!v.isEmpty()) {
          b.map.put(k, v);
        }
      });
      return b.build();
    }

    private String readName() {
      if (pos < in.length() && in.charAt(pos) == '"') {
        GoStrings.Cursor c = new GoStrings.Cursor(in, pos);
        String s = c.readQuoted();
        pos = c.pos;
        return s;
      }
      int start = pos;
      if (pos < in.length() && isNameStart(in.charAt(pos))) {
        pos++;
        while (pos < in.length() && isNamePart(in.charAt(pos))) {
          pos++;
        }
        return in.substring(start, pos);
      }
      throw new GoStrings.SyntaxError(pos, "expected a label name");
    }

    private void expectEquals() {
      if (pos < in.length() && in.charAt(pos) == '=') {
        if (pos + 1 < in.length() && in.charAt(pos + 1) == '~') {
          throw new GoStrings.SyntaxError(pos, "expected '=' (a label set has no regex matchers)");
        }
        pos++;
        return;
      }
      if (pos < in.length() && in.charAt(pos) == '!') {
        throw new GoStrings.SyntaxError(pos, "expected '=' (a label set has no negative matchers)");
      }
      throw new GoStrings.SyntaxError(pos, "expected '='");
    }

    private void skipSpace() {
      while (pos < in.length()) {
        char c = in.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    private static boolean isNameStart(char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isNamePart(char c) {
      return isNameStart(c) || (c >= '0' && c <= '9');
    }

    private static boolean isMetricStart(char c) {
      return isNameStart(c) || c == ':';
    }

    private static boolean isMetricPart(char c) {
      return isNamePart(c) || c == ':';
    }
  }

  /** Collects labels; {@link #set} replaces, an empty value removes. Not thread-safe. */
  public static final class Builder {
    private final Map<String, String> map = new TreeMap<>(Labels::compareStrings);

    private Builder() {}

    /**
     * Sets {@code name} to {@code value}, replacing any previous value; an empty value removes it.
     *
     * @throws IllegalArgumentException for an invalid name or value
     */
    public Builder set(String name, String value) {
      LabelNames.validate(name);
      LabelNames.validateValue(name, value);
      if (value.isEmpty()) {
        map.remove(name);
      } else {
        map.put(name, value);
      }
      return this;
    }

    /** Removes {@code name} if present. */
    public Builder remove(String name) {
      map.remove(name);
      return this;
    }

    /** The current value of {@code name}, or null. */
    public String get(String name) {
      return map.get(name);
    }

    public Labels build() {
      if (map.isEmpty()) {
        return EMPTY;
      }
      Label[] arr = new Label[map.size()];
      int i = 0;
      for (Map.Entry<String, String> e : map.entrySet()) {
        arr[i++] = new Label(e.getKey(), e.getValue());
      }
      return new Labels(arr);
    }
  }
}
