package io.conprof.core.pprof;

import java.io.IOException;

/**
 * A byte sequence is not a pprof profile conprof can accept: it is truncated, not protobuf, too
 * large, or structurally invalid. The message says what is wrong and where (which message, which
 * id, which byte limit), so a person can act on it.
 */
public final class InvalidProfileException extends IOException {
  private static final long serialVersionUID = 1L;

  public InvalidProfileException(String message) {
    super(message);
  }

  public InvalidProfileException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The same error with the name of the input (a file or URL) in front of the message. */
  public InvalidProfileException withSource(String source) {
    InvalidProfileException e = new InvalidProfileException(source + ": " + getMessage(), getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }
}
