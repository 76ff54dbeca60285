package io.conprof.tsdb.block;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A block file (chunk segment, index, tombstones or {@code meta.json}) is damaged or not in a format this
 * version can read. The message names the file, the byte offset where the problem was found and what was
 * expected versus found, so that an operator can locate the damage with a hex dump.
 */
public final class CorruptBlockException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;
  private final String reason;

  /**
   * @param file the damaged file
   * @param offset byte offset in the file where the problem was detected, or -1 when the whole file is concerned
   * @param reason what was expected versus found
   */
  public CorruptBlockException(Path file, long offset, String reason) {
    super(format(file, offset, reason));
    this.file = Objects.requireNonNull(file, "file");
    this.offset = offset;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public CorruptBlockException(Path file, long offset, String reason, Throwable cause) {
    this(file, offset, reason);
    initCause(cause);
  }

  private static String format(Path file, long offset, String reason) {
    return offset >= 0
        ? "corrupt block file " + file + " at offset " + offset + ": " + reason
        : "corrupt block file " + file + ": " + reason;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** Byte offset in {@link #file()} where the problem was detected, or -1 when it concerns the whole file. */
  public long offset() {
    return offset;
  }

  /** The reason without the file and offset. */
  public String reason() {
    return reason;
  }
}
