package io.conprof.query;

import io.conprof.query.ast.Position;

/**
 * A query that cannot be parsed: where (line and column as Prometheus counts them) and why.
 * {@link #getMessage()} reads like Prometheus', {@code 1:17: unexpected "}" in label matching,
 * expected string}.
 */
public final class QueryParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Position position;
  private final String reason;

  public QueryParseException(Position position, String reason) {
    super(position + ": " + reason);
    this.position = position;
    this.reason = reason;
  }

  /** Where the problem is. */
  public Position position() {
    return position;
  }

  /** 1-based line of the problem. */
  public int line() {
    return position.line();
  }

  /** 1-based column of the problem, in UTF-8 bytes from the start of the line. */
  public int column() {
    return position.column();
  }

  /** The message without the position. */
  public String reason() {
    return reason;
  }
}
