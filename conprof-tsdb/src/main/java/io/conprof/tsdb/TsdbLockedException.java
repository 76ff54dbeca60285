package io.conprof.tsdb;

import java.io.IOException;
import java.nio.file.Path;

/** Another process (or another {@link Tsdb} in this one) has the database directory open. */
public final class TsdbLockedException extends IOException {
  private static final long serialVersionUID = 1L;

  TsdbLockedException(Path dir, String holder) {
    super("database directory " + dir + " is locked by another writer"
        + (holder.isEmpty() ? "" : " (" + holder + ")")
        + "; only one process may open it at a time: stop the other one or use another directory");
  }
}
