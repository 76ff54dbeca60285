package io.conprof.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadRegistryFailureTest {
  @TempDir Path dir;

  /** A registry that refuses new keys while {@code full} is set, as a full Chronicle Map does. */
  static final class FillingRegistry extends ForwardingRegistry {
    volatile boolean full;

    @Override
    public void put(SeriesKey key, Entry entry) {
      if (full && get(key) == null) {
        throw new IllegalStateException("Attempt to allocate #2 extra segment tier, 1 is maximum");
      }
      super.put(key, entry);
    }
  }

  /** Delegates to an in-memory registry. */
  static class ForwardingRegistry implements SeriesRegistry {
    private final InMemorySeriesRegistry inner = new InMemorySeriesRegistry();

    @Override
    public Entry get(SeriesKey key) {
      return inner.get(key);
    }

    @Override
    public void put(SeriesKey key, Entry entry) {
      inner.put(key, entry);
    }

    @Override
    public void remove(SeriesKey key) {
      inner.remove(key);
    }

    @Override
    public long size() {
      return inner.size();
    }

    @Override
    public void forEach(java.util.function.BiConsumer<SeriesKey, Entry> action) {
      inner.forEach(action);
    }

    @Override
    public void clear() {
      inner.clear();
    }

    @Override
    public boolean recovered() {
      return false;
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @Test
  void commit_whoseNewSeriesTheRegistryRefusesWritesNothingAndOldSeriesStillWork() throws Exception {
    FillingRegistry registry = new FillingRegistry();
    Labels a = Labels.of("job", "a");
    Labels b = Labels.of("job", "b");
    try (Head h = Head.open(dir, HeadTest.OPTIONS, registry, Long.MIN_VALUE)) {
      h.commit(List.of(new Head.Pending(a, 1, new byte[] {1})));
      registry.full = true;
      long before = h.wal().writtenPosition();
      assertThatThrownBy(() -> h.commit(List.of(new Head.Pending(a, 2, new byte[] {2}),
          new Head.Pending(b, 2, new byte[] {3}))))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("registry refused 1 new series");
      assertThat(h.wal().writtenPosition()).isEqualTo(before);
      assertThat(h.select(List.of(), 0, 10)).singleElement()
          .satisfies(s -> assertThat(s.timestamps()).containsExactly(1));
      h.commit(List.of(new Head.Pending(a, 3, new byte[] {4})));
      assertThat(registry.size()).isEqualTo(1);
    }
  }
}
