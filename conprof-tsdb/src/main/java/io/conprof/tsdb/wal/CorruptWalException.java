package io.conprof.tsdb.wal;

import java.io.IOException;
import java.nio.file.Path;

/** WAL bytes that cannot be what was written; names the file, the offset and what was found. */
public final class CorruptWalException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  public CorruptWalException(Path file, long offset, String message) {
    super(file + " at offset " + offset + ": " + message);
    this.file = file;
    this.offset = offset;
  }

  /** The damaged file. */
  public Path file() {
    return file;
  }

  /** Byte offset of the damage in {@link #file()}. */
  public long offset() {
    return offset;
  }
}
