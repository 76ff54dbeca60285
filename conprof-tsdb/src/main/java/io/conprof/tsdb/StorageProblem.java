package io.conprof.tsdb;

import java.nio.file.Path;

/** Damage found by {@link Tsdb#verify}: the file, the byte offset and what is wrong. */
public record StorageProblem(Path file, long offset, String message) {
  @Override
  public String toString() {
    return file + " at offset " + offset + ": " + message;
  }
}
