package io.conprof.cli;

/** A failure a command reports to the user: the message goes to stderr, the code is the exit code. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Bad usage or unreadable input. */
  static final int USAGE = 2;

  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
