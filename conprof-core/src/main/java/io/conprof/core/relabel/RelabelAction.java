package io.conprof.core.relabel;

import io.conprof.core.model.GoStrings;
import java.util.Locale;

/** The relabelling actions of Prometheus, with their names as written in YAML. */
public enum RelabelAction {
  /** Sets {@code target_label} to the expanded {@code replacement} when {@code regex} matches. */
  REPLACE("replace"),
  /** Drops the target unless {@code regex} matches the joined source values. */
  KEEP("keep"),
  /** Drops the target when {@code regex} matches the joined source values. */
  DROP("drop"),
  /** Drops the target unless the joined source values equal the value of {@code target_label}. */
  KEEPEQUAL("keepequal"),
  /** Drops the target when the joined source values equal the value of {@code target_label}. */
  DROPEQUAL("dropequal"),
  /** Sets {@code target_label} to the md5 of the joined source values modulo {@code modulus}. */
  HASHMOD("hashmod"),
  /** Copies every label whose name matches {@code regex} to the name {@code replacement}. */
  LABELMAP("labelmap"),
  /** Removes every label whose name matches {@code regex}. */
  LABELDROP("labeldrop"),
  /** Removes every label whose name does not match {@code regex}. */
  LABELKEEP("labelkeep"),
  /** Sets {@code target_label} to the joined source values in lower case. */
  LOWERCASE("lowercase"),
  /** Sets {@code target_label} to the joined source values in upper case. */
  UPPERCASE("uppercase");

  private final String yamlName;

  RelabelAction(String yamlName) {
    this.yamlName = yamlName;
  }

  /** The name used in configuration files, e.g. {@code labelmap}. */
  public String yamlName() {
    return yamlName;
  }

  /**
   * The action with this name, case-insensitively as Prometheus reads it.
   *
   * @throws IllegalArgumentException {@code unknown relabel action "x"}
   */
  public static RelabelAction parse(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (RelabelAction a : values()) {
      if (a.yamlName.equals(lower)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown relabel action " + GoStrings.quote(name));
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
