package io.conprof.tsdb.head;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * Maps a series' {@link SeriesKey} to its head series reference and first/last sample timestamps.
 * An accelerator, never the source of truth: the WAL series records are; after replay the head
 * checks the registry against them and rebuilds it when they disagree.
 */
public interface SeriesRegistry extends Closeable {

  /** The fixed-size value stored per series. */
  record Entry(long seriesRef, long firstTimestampMillis, long lastTimestampMillis) {}

  /** The entry for {@code key}, or null. */
  Entry get(SeriesKey key);

  void put(SeriesKey key, Entry entry);

  void remove(SeriesKey key);

  long size();

  void forEach(BiConsumer<SeriesKey, Entry> action);

  void clear();

  /** True when the store was found after an unclean stop and recovered. */
  boolean recovered();

  /** Flushes and closes; a persistent registry records that it was shut down cleanly. */
  @Override
  void close() throws IOException;
}
