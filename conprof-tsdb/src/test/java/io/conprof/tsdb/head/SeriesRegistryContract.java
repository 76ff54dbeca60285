package io.conprof.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Behaviour every {@link SeriesRegistry} must have. */
abstract class SeriesRegistryContract {
  abstract SeriesRegistry open() throws IOException;

  @Test
  void putGetRemove_roundTripFixedSizeEntries() throws IOException {
    try (SeriesRegistry r = open()) {
      SeriesKey a = SeriesKey.of("{a=\"1\"}");
      SeriesKey b = SeriesKey.of("{a=\"2\"}");
      assertThat(a).isNotEqualTo(b);
      assertThat(r.get(a)).isNull();
      r.put(a, new SeriesRegistry.Entry(1, -5, Long.MAX_VALUE));
      r.put(b, new SeriesRegistry.Entry(2, 10, 20));
      r.put(b, new SeriesRegistry.Entry(2, 10, 30));
      assertThat(r.get(a)).isEqualTo(new SeriesRegistry.Entry(1, -5, Long.MAX_VALUE));
      assertThat(r.get(b)).isEqualTo(new SeriesRegistry.Entry(2, 10, 30));
      assertThat(r.size()).isEqualTo(2);
      Map<SeriesKey, SeriesRegistry.Entry> all = new HashMap<>();
      r.forEach(all::put);
      assertThat(all).containsOnlyKeys(a, b);
      r.remove(a);
      assertThat(r.get(a)).isNull();
      r.clear();
      assertThat(r.size()).isZero();
    }
  }
}
