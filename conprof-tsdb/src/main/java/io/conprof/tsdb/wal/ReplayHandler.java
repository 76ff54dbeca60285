package io.conprof.tsdb.wal;

import java.util.List;

/** Receives the decoded records of a WAL replay, in the order they were written. */
public interface ReplayHandler {

  /** A series record: {@code nameValues} alternates label names and values, sorted by name. */
  void series(long ref, List<String> nameValues);

  /** A sample whose bytes are in {@code file} at {@code offset} with the given CRC32C. */
  void sample(long ref, long timestampMillis, WalFile file, long offset, int length, int crc32c);

  /** A deletion of the series' samples in [minTimeMillis, maxTimeMillis]. */
  void tombstone(long ref, long minTimeMillis, long maxTimeMillis);

  /** The head's persistent state at a truncation. */
  void headState(long minValidTimeMillis, long nextSeriesRef);
}
