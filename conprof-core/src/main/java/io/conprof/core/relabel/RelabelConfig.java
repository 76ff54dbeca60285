package io.conprof.core.relabel;

import com.google.re2j.Pattern;
import io.conprof.core.model.GoStrings;
import io.conprof.core.model.LabelNames;
import java.util.List;
import java.util.Objects;

/**
 * One Prometheus {@code relabel_config}. The canonical constructor takes every field and checks
 * them with Prometheus' rules; {@link #builder()} starts from Prometheus' defaults (separator
 * {@code ;}, regex {@code (.*)}, replacement {@code $1}, action {@code replace}, modulus 0).
 *
 * @param sourceLabels labels whose values are joined with {@code separator}
 * @param regex the regular expression (RE2 syntax), anchored at both ends when applied
 * @param modulus for {@code hashmod}; 0 means unset
 * @param targetLabel for {@code replace} it may contain {@code $1}, {@code ${name}} references
 */
public record RelabelConfig(
    List<String> sourceLabels,
    String separator,
    String regex,
    long modulus,
    String targetLabel,
    String replacement,
    RelabelAction action) {

  public static final String DEFAULT_SEPARATOR = ";";
  public static final String DEFAULT_REGEX = "(.*)";
  public static final String DEFAULT_REPLACEMENT = "$1";

  /** Prometheus' check of a templated label name: letters, underscores and $-references. */
  private static final Pattern RELABEL_TARGET = Pattern.compile(
      "^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$");

  /**
   * Validates as Prometheus' {@code relabel.Config.Validate} does.
   *
   * @throws IllegalArgumentException with Prometheus' message for the first problem found
   */
  public RelabelConfig {
    sourceLabels = List.copyOf(Objects.requireNonNull(sourceLabels, "sourceLabels"));
    Objects.requireNonNull(separator, "separator");
    Objects.requireNonNull(regex, "regex");
    Objects.requireNonNull(targetLabel, "targetLabel");
    Objects.requireNonNull(replacement, "replacement");
    Objects.requireNonNull(action, "action");
    for (String s : sourceLabels) {
      try {
        LabelNames.validate(s);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("invalid source label: " + e.getMessage(), e);
      }
    }
    if (modulus < 0) {
      throw new IllegalArgumentException("modulus must not be negative, got " + modulus);
    }
    CompiledRelabel.compileRegex(regex);
    validate(sourceLabels, separator, regex, modulus, targetLabel, replacement, action);
  }

  private static void validate(List<String> sourceLabels, String separator, String regex,
      long modulus, String targetLabel, String replacement, RelabelAction action) {
    if (modulus == 0 && action == RelabelAction.HASHMOD) {
      throw new IllegalArgumentException(
          "relabel configuration for hashmod requires non-zero modulus");
    }
    boolean needsTarget = switch (action) {
      case REPLACE, HASHMOD, LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> true;
      default -> false;
    };
    if (needsTarget && targetLabel.isEmpty()) {
      throw new IllegalArgumentException("relabel configuration for " + action
          + " action requires 'target_label' value");
    }
    boolean templated = targetLabel.contains("$");
    if (action == RelabelAction.REPLACE && !templated && !isValidName(targetLabel)) {
      throw invalidTarget(targetLabel, action);
    }
    if (action == RelabelAction.REPLACE && templated
        && !RELABEL_TARGET.matcher(targetLabel).matches()) {
      throw invalidTarget(targetLabel, action);
    }
    boolean simpleTarget = switch (action) {
      case LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL, HASHMOD -> true;
      default -> false;
    };
    // These actions do not expand templates, so a '$' in their target is always a mistake.
    if (simpleTarget && (templated || !isValidName(targetLabel))) {
      throw invalidTarget(targetLabel, action);
    }
    boolean noReplacement = switch (action) {
      case LOWERCASE, UPPERCASE, KEEPEQUAL, DROPEQUAL -> true;
      default -> false;
    };
    if (noReplacement && !replacement.equals(DEFAULT_REPLACEMENT)) {
      throw new IllegalArgumentException("'replacement' can not be set for " + action + " action");
    }
    if (action == RelabelAction.LABELMAP && !RELABEL_TARGET.matcher(replacement).matches()) {
      throw new IllegalArgumentException(GoStrings.quote(replacement)
          + " is invalid 'replacement' for " + action + " action");
    }
    if ((action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL)
        && (!regex.equals(DEFAULT_REGEX) || modulus != 0 || !separator.equals(DEFAULT_SEPARATOR)
            || !replacement.equals(DEFAULT_REPLACEMENT))) {
      throw new IllegalArgumentException(action
          + " action requires only 'source_labels' and `target_label`, and no other fields");
    }
    if ((action == RelabelAction.LABELDROP || action == RelabelAction.LABELKEEP)
        && (!sourceLabels.isEmpty() || !targetLabel.isEmpty() || modulus != 0
            || !separator.equals(DEFAULT_SEPARATOR) || !replacement.equals(DEFAULT_REPLACEMENT))) {
      throw new IllegalArgumentException(action
          + " action requires only 'regex', and no other fields");
    }
  }

  static boolean isValidName(String name) {
    try {
      LabelNames.validate(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static IllegalArgumentException invalidTarget(String targetLabel, RelabelAction action) {
    return new IllegalArgumentException(GoStrings.quote(targetLabel)
        + " is invalid 'target_label' for " + action + " action");
  }

  /** A builder preset with Prometheus' defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RelabelConfig}; unset fields keep Prometheus' defaults. */
  public static final class Builder {
    private List<String> sourceLabels = List.of();
    private String separator = DEFAULT_SEPARATOR;
    private String regex = DEFAULT_REGEX;
    private long modulus;
    private String targetLabel = "";
    private String replacement = DEFAULT_REPLACEMENT;
    private RelabelAction action = RelabelAction.REPLACE;

    private Builder() {}

    public Builder sourceLabels(String... names) {
      this.sourceLabels = List.of(names);
      return this;
    }

    public Builder sourceLabels(List<String> names) {
      this.sourceLabels = List.copyOf(names);
      return this;
    }

    public Builder separator(String separator) {
      this.separator = Objects.requireNonNull(separator, "separator");
      return this;
    }

    public Builder regex(String regex) {
      this.regex = Objects.requireNonNull(regex, "regex");
      return this;
    }

    public Builder modulus(long modulus) {
      this.modulus = modulus;
      return this;
    }

    public Builder targetLabel(String targetLabel) {
      this.targetLabel = Objects.requireNonNull(targetLabel, "targetLabel");
      return this;
    }

    public Builder replacement(String replacement) {
      this.replacement = Objects.requireNonNull(replacement, "replacement");
      return this;
    }

    public Builder action(RelabelAction action) {
      this.action = Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException when the combination is invalid (see the constructor)
     */
    public RelabelConfig build() {
      return new RelabelConfig(sourceLabels, separator, regex, modulus, targetLabel, replacement,
          action);
    }
  }
}
