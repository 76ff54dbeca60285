package io.conprof.core.scrape;

import java.util.Objects;

/**
 * What a {@link ProfileFetcher} got: an HTTP response (any status) with its body, or a failure
 * before a complete response arrived.
 *
 * @param statusCode the HTTP status, or 0 on failure
 * @param statusText the reason phrase as Go prints it ({@code "500 Internal Server Error"}), or ""
 * @param body the complete body (empty on failure)
 * @param failure why no complete response arrived, or null
 * @param message a human-readable reason for the failure, or ""
 */
public record FetchResult(int statusCode, String statusText, byte[] body, Failure failure, String message) {
  /** Kinds of fetch failure, for metrics and for tests. */
  public enum Failure {
    /** The deadline passed before the whole body was read. */
    TIMEOUT,
    /** The body (or its announced Content-Length) exceeds the limit. */
    BODY_TOO_LARGE,
    /** The connection could not be made: refused, unreachable, unknown host. */
    CONNECTION,
    /** TLS handshake or certificate failure. */
    TLS,
    /** The request was cancelled because the fetcher or loop is shutting down. */
    CANCELLED,
    /** Any other I/O error, e.g. the peer closed the connection mid-body. */
    IO
  }

  public FetchResult {
    Objects.requireNonNull(statusText, "statusText");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(message, "message");
  }

  /** A complete response. */
  public static FetchResult response(int statusCode, String statusText, byte[] body) {
    return new FetchResult(statusCode, statusText, body, null, "");
  }

  /** A failure of the given kind. */
  public static FetchResult failed(Failure failure, String message) {
    return new FetchResult(0, "", new byte[0], Objects.requireNonNull(failure, "failure"), message);
  }

  public boolean isFailure() {
    return failure != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FetchResult r && r.statusCode == statusCode && r.statusText.equals(statusText)
        && java.util.Arrays.equals(r.body, body) && r.failure == failure && r.message.equals(message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(statusCode, statusText, java.util.Arrays.hashCode(body), failure, message);
  }

  @Override
  public String toString() {
    return failure != null
        ? "FetchResult[" + failure + ": " + message + "]"
        : "FetchResult[" + statusText + ", " + body.length + " bytes]";
  }
}
