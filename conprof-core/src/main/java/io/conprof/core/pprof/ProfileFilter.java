package io.conprof.core.pprof;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which samples of a profile to keep, in the sense of pprof's {@code -focus}, {@code -ignore} and
 * {@code -tagfocus}: a sample is kept when none of its frames matches {@code ignore}, at least one
 * matches {@code focus} (when set), and it carries every required sample label. A frame matches
 * when the regex is found (unanchored, as in pprof) in one of its function names or file names, or
 * in its mapping's file name. Regexes are RE2 (linear time), so no pattern can hang the process.
 *
 * <p>Immutable: each method returns a new filter.
 */
public final class ProfileFilter {
  private static final ProfileFilter ALL = new ProfileFilter(null, null, List.of());

  private final Pattern focus;
  private final Pattern ignore;
  private final List<LabelCondition> labels;

  record LabelCondition(String key, Pattern valuePattern, boolean negate) {}

  private ProfileFilter(Pattern focus, Pattern ignore, List<LabelCondition> labels) {
    this.focus = focus;
    this.ignore = ignore;
    this.labels = List.copyOf(labels);
  }

  /** The filter that keeps every sample. */
  public static ProfileFilter all() {
    return ALL;
  }

  /** Keep only samples with a frame matching {@code regex}. */
  public ProfileFilter focus(String regex) {
    return new ProfileFilter(compile(regex, "focus"), ignore, labels);
  }

  /** Drop samples with a frame matching {@code regex}. */
  public ProfileFilter ignore(String regex) {
    return new ProfileFilter(focus, compile(regex, "ignore"), labels);
  }

  /** Keep only samples whose string label {@code key} equals {@code value} ("" = label absent). */
  public ProfileFilter labelEquals(String key, String value) {
    Objects.requireNonNull(value, "value");
    return withLabel(new LabelCondition(key, Pattern.compile(Pattern.quote(value), Pattern.DOTALL), false));
  }

  /** Keep only samples whose string label {@code key} fully matches {@code regex}. */
  public ProfileFilter labelMatches(String key, String regex) {
    return withLabel(new LabelCondition(key, compile("(?s:" + regex + ")", "label " + key), false));
  }

  /** Drop samples whose string label {@code key} fully matches {@code regex}. */
  public ProfileFilter labelNotMatches(String key, String regex) {
    return withLabel(new LabelCondition(key, compile("(?s:" + regex + ")", "label " + key), true));
  }

  private ProfileFilter withLabel(LabelCondition c) {
    Objects.requireNonNull(c.key(), "key");
    List<LabelCondition> l = new ArrayList<>(labels);
    l.add(c);
    return new ProfileFilter(focus, ignore, l);
  }

  Pattern focusPattern() {
    return focus;
  }

  Pattern ignorePattern() {
    return ignore;
  }

  List<LabelCondition> labelConditions() {
    return labels;
  }

  boolean keepsEverything() {
    return focus == null && ignore == null && labels.isEmpty();
  }

  private static Pattern compile(String regex, String what) {
    Objects.requireNonNull(regex, what);
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("bad " + what + " regex \"" + regex + "\": " + e.getDescription(), e);
    }
  }
}
