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

  /**
   * A failure of {@code e} on {@code subject} (a file or directory): "subject: message", unless
   * the message already starts by naming the subject, as the store's and reader's messages do.
   */
  static CliException about(int exitCode, Object subject, Exception e) {
    String message = String.valueOf(e.getMessage());
    String name = String.valueOf(subject);
    return new CliException(exitCode, message.startsWith(name) ? message : name + ": " + message, e);
  }

  int exitCode() {
    return exitCode;
  }
}
