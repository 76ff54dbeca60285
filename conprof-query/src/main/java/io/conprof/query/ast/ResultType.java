package io.conprof.query.ast;

/** What evaluating an expression yields. */
public enum ResultType {
  /** One profile per matching series: an instant selector, or a single merged or diffed profile. */
  PROFILE("profile"),
  /** Several profiles, one per group: {@code merge by (...)}. */
  PROFILES("profiles"),
  /** Series with the timestamps of their samples over a range, payloads not read: {@code sel[5m]}. */
  TIMELINE("timeline");

  private final String jsonName;

  ResultType(String jsonName) {
    this.jsonName = jsonName;
  }

  /** Lower-case name used in JSON output and error messages. */
  public String jsonName() {
    return jsonName;
  }
}
