package io.conprof.tsdb.head;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** A {@link SeriesRegistry} on the Java heap; for tests and for embedding without Chronicle. */
public final class InMemorySeriesRegistry implements SeriesRegistry {
  private final Map<SeriesKey, Entry> map = new ConcurrentHashMap<>();

  @Override
  public Entry get(SeriesKey key) {
    return map.get(key);
  }

  @Override
  public void put(SeriesKey key, Entry entry) {
    map.put(key, entry);
  }

  @Override
  public void remove(SeriesKey key) {
    map.remove(key);
  }

  @Override
  public long size() {
    return map.size();
  }

  @Override
  public void forEach(BiConsumer<SeriesKey, Entry> action) {
    map.forEach(action);
  }

  @Override
  public void clear() {
    map.clear();
  }

  @Override
  public boolean recovered() {
    return false;
  }

  @Override
  public void close() {
    map.clear();
  }
}
