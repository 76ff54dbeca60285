package io.conprof.core.relabel;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.conprof.core.model.GoStrings;
import io.conprof.core.model.RegexLimits;
import java.util.Map;

/** A relabel config with its regex compiled, and Go's {@code regexp.Expand} template rules. */
final class CompiledRelabel {
  final RelabelConfig config;
  final Pattern pattern;
  private final Map<String, Integer> namedGroups;

  CompiledRelabel(RelabelConfig config) {
    this.config = config;
    this.pattern = compileRegex(config.regex());
    this.namedGroups = pattern.namedGroups();
  }

  /** Compiles as Prometheus does: {@code ^(?:regex)$}, without the dot-matches-newline flag. */
  static Pattern compileRegex(String regex) {
    try {
      RegexLimits.check(regex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad regex " + GoStrings.quote(regex) + ": "
          + e.getMessage(), e);
    }
    try {
      Pattern.compile(regex);
      return Pattern.compile("^(?:" + regex + ")$");
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("bad regex " + GoStrings.quote(regex) + ": "
          + e.getDescription(), e);
    }
  }

  /** A matcher positioned on the whole-string match, or null if {@code value} does not match. */
  Matcher match(String value) {
    Matcher m = pattern.matcher(value);
    return m.find() ? m : null;
  }

  boolean matches(String value) {
    return pattern.matcher(value).find();
  }

  /**
   * Go's {@code Regexp.ExpandString}: {@code $$} is a dollar, {@code $name} / {@code ${name}}
   * take the longest run of letters, digits and underscores as the name, a number names a group
   * by index, any other name a named group; an unknown or unmatched group expands to nothing; a
   * malformed reference is copied literally.
   */
  String expand(String template, Matcher m) {
    StringBuilder out = new StringBuilder(template.length() + 16);
    int i = 0;
    while (i < template.length()) {
      int dollar = template.indexOf('$', i);
      if (dollar < 0) {
        out.append(template, i, template.length());
        break;
      }
      out.append(template, i, dollar);
      i = dollar + 1;
      if (i < template.length() && template.charAt(i) == '$') {
        out.append('$');
        i++;
        continue;
      }
      boolean brace = i < template.length() && template.charAt(i) == '{';
      int nameStart = brace ? i + 1 : i;
      int j = nameStart;
      while (j < template.length()) {
        int cp = template.codePointAt(j);
        if (!Character.isLetter(cp) && !Character.isDigit(cp) && cp != '_') {
          break;
        }
        j += Character.charCount(cp);
      }
      if (j == nameStart || (brace && (j >= template.length() || template.charAt(j) != '}'))) {
        out.append('$');
        continue;
      }
      String name = template.substring(nameStart, j);
      i = brace ? j + 1 : j;
      int group = groupIndex(name);
      if (group >= 0 && group <= m.groupCount()) {
        String g = m.group(group);
        if (g != null) {
          out.append(g);
        }
      }
    }
    return out.toString();
  }

  private int groupIndex(String name) {
    int num = 0;
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      if (c < '0' || c > '9' || num >= 100_000_000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.charAt(0) == '0' && name.length() > 1) {
      num = -1;
    }
    if (num >= 0) {
      return num;
    }
    Integer idx = namedGroups.get(name);
    return idx == null ? -1 : idx;
  }
}
