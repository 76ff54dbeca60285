package io.conprof.core.pprof;

import java.util.Objects;

/** A pprof value type: what a column of sample values counts ({@code cpu}) and in which unit. */
public record ValueType(String type, String unit) {
  public ValueType {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(unit, "unit");
  }

  @Override
  public String toString() {
    return type + "/" + unit;
  }
}
