package io.conprof.core.model;

import java.util.Objects;

/**
 * One label: a name and a value. Validation of names and values happens when a {@link Labels} is
 * built; a bare {@code Label} only refuses nulls.
 */
public record Label(String name, String value) {
  public Label {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  /** {@code name="value"}, the name quoted when it is not legacy-valid, as Prometheus prints it. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name.length() + value.length() + 4);
    Labels.appendName(sb, name);
    sb.append('=');
    GoStrings.appendQuoted(sb, value);
    return sb.toString();
  }
}
