package io.conprof.query.web;

/**
 * A request the API answers with an error envelope: {@code {"status":"error","errorType":...,
 * "error":...}} with the HTTP status of its {@link Kind}, as Prometheus and conprof do.
 */
final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Prometheus' error types and their statuses. */
  enum Kind {
    BAD_DATA("bad_data", 400),
    EXECUTION("execution", 422),
    TIMEOUT("timeout", 503),
    CANCELED("canceled", 503),
    NOT_FOUND("not_found", 404),
    INTERNAL("internal", 500),
    UNAVAILABLE("unavailable", 503);

    final String type;
    final int status;

    Kind(String type, int status) {
      this.type = type;
      this.status = status;
    }
  }

  private final Kind kind;

  ApiException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  ApiException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  static ApiException badData(String message) {
    return new ApiException(Kind.BAD_DATA, message);
  }

  Kind kind() {
    return kind;
  }
}
