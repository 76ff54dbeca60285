package io.conprof.core.model;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A label matcher: {@code name op "value"} with Prometheus' four operators.
 *
 * <p>Regular expressions are RE2 (RE2/J), which matches in time linear in the input, so no user
 * regex can hang the process. They are anchored exactly as Prometheus anchors them: the value is
 * compiled as {@code ^(?s:value)$}, so {@code =~"a"} does not match {@code "ab"} and {@code .}
 * matches a newline. The value must also compile on its own, so {@code a)(b} is refused even
 * though its anchored form would compile.
 *
 * <p>Fast paths, as in Prometheus: a regex without metacharacters is a string comparison, an
 * alternation of such literals ({@code a|b|c}) is a set lookup, {@code .*} matches everything and
 * {@code .+} matches every non-empty string.
 *
 * <p>An absent label reads as the empty string ({@link #matches} with null).
 */
public final class Matcher {
  /** The matcher operators. */
  public enum Type {
    EQUAL("="),
    NOT_EQUAL("!="),
    REGEX("=~"),
    NOT_REGEX("!~");

    private final String symbol;

    Type(String symbol) {
      this.symbol = symbol;
    }

    /** The operator as written in a selector: {@code =}, {@code !=}, {@code =~}, {@code !~}. */
    public String symbol() {
      return symbol;
    }
  }

  private static final String META = "\\.+*?()|[]{}^$";

  private final Type type;
  private final String name;
  private final String value;
  /** For regex types: the positive match, fast path or RE2. */
  private final StringPredicate regex;

  private interface StringPredicate {
    boolean test(String s);
  }

  private Matcher(Type type, String name, String value, StringPredicate regex) {
    this.type = type;
    this.name = name;
    this.value = value;
    this.regex = regex;
  }

  /**
   * A matcher; for the regex types the value is compiled here.
   *
   * @throws IllegalArgumentException for an invalid name or value, or a regex that does not
   *     compile (the message names the regex and RE2's reason)
   */
  public static Matcher of(Type type, String name, String value) {
    Objects.requireNonNull(type, "type");
    LabelNames.validate(name);
    LabelNames.validateValue(name, value);
    StringPredicate regex = null;
    if (type == Type.REGEX || type == Type.NOT_REGEX) {
      regex = compile(type, name, value);
    }
    return new Matcher(type, name, value, regex);
  }

  public static Matcher equal(String name, String value) {
    return of(Type.EQUAL, name, value);
  }

  public static Matcher notEqual(String name, String value) {
    return of(Type.NOT_EQUAL, name, value);
  }

  public static Matcher regex(String name, String value) {
    return of(Type.REGEX, name, value);
  }

  public static Matcher notRegex(String name, String value) {
    return of(Type.NOT_REGEX, name, value);
  }

  private static StringPredicate compile(Type type, String name, String value) {
    if (value.equals(".*")) {
      return s -> true;
    }
    if (value.equals(".+")) {
      return s -> !s.isEmpty();
    }
    if (isLiteral(value)) {
      return value::equals;
    }
    if (value.indexOf('|') >= 0) {
      String[] parts = value.split("\\|", -1);
      boolean allLiteral = true;
      for (String p : parts) {
        allLiteral &= isLiteral(p);
      }
      if (allLiteral) {
        Set<String> set = new HashSet<>(List.of(dedupe(parts)));
        return set::contains;
      }
    }
    Pattern pattern;
    try {
      RegexLimits.check(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad regex " + GoStrings.quote(value) + " in matcher "
          + render(type, name, value) + ": " + e.getMessage(), e);
    }
    try {
      Pattern.compile(value);
      pattern = Pattern.compile("^(?s:" + value + ")$");
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("bad regex " + GoStrings.quote(value) + " in matcher "
          + render(type, name, value) + ": " + e.getDescription(), e);
    }
    return s -> pattern.matcher(s).matches();
  }

  private static String[] dedupe(String[] parts) {
    return new LinkedHashSet<>(Arrays.asList(parts)).toArray(new String[0]);
  }

  private static boolean isLiteral(String v) {
    for (int i = 0; i < v.length(); i++) {
      if (META.indexOf(v.charAt(i)) >= 0) {
        return false;
      }
    }
    return true;
  }

  public String name() {
    return name;
  }

  public Type type() {
    return type;
  }

  public String value() {
    return value;
  }

  /** True if the label value matches; null (an absent label) counts as the empty string. */
  public boolean matches(String labelValue) {
    String s = labelValue == null ? "" : labelValue;
    return switch (type) {
      case EQUAL -> s.equals(value);
      case NOT_EQUAL -> !s.equals(value);
      case REGEX -> regex.test(s);
      case NOT_REGEX -> !regex.test(s);
    };
  }

  /** True if this matcher matches an absent label (the empty string). */
  public boolean matchesEmpty() {
    return matches("");
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Matcher m && m.type == type && m.name.equals(name)
        && m.value.equals(value));
  }

  @Override
  public int hashCode() {
    return (type.hashCode() * 31 + name.hashCode()) * 31 + value.hashCode();
  }

  /** Selector syntax, e.g. {@code job=~"a.*"} or {@code "foo.bar"!="x"}. */
  @Override
  public String toString() {
    return render(type, name, value);
  }

  private static String render(Type type, String name, String value) {
    StringBuilder sb = new StringBuilder();
    Labels.appendName(sb, name);
    sb.append(type.symbol());
    GoStrings.appendQuoted(sb, value);
    return sb.toString();
  }
}
