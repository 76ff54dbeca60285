package io.conprof.tsdb;

import static io.conprof.tsdb.TsdbTest.CPU;
import static io.conprof.tsdb.TsdbTest.HEAP;
import static io.conprof.tsdb.TsdbTest.append;
import static io.conprof.tsdb.TsdbTest.profile;
import static io.conprof.tsdb.TsdbTest.read;
import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.tsdb.head.ChronicleSeriesRegistry;
import io.conprof.tsdb.head.SeriesKey;
import io.conprof.tsdb.head.SeriesRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleRegistryTsdbTest {
  @TempDir Path dir;

  private static TsdbOptions options() {
    return TsdbTest.opts().registry(SeriesRegistryKind.CHRONICLE).maxSeries(1000).build();
  }

  @Test
  void open_rebuildsRegistryThatDisagreesWithTheWal() throws Exception {
    try (Tsdb db = Tsdb.open(dir, options())) {
      append(db, HEAP, 1000, profile(1, 10));
      append(db, CPU, 1000, profile(2, 10));
    }
    Path file = dir.resolve(Tsdb.REGISTRY_FILE);
    try (SeriesRegistry r = ChronicleSeriesRegistry.open(file, 1000)) {
      assertThat(r.size()).isEqualTo(2);
      r.put(SeriesKey.of(HEAP.toString()), new SeriesRegistry.Entry(99, 0, 0)); // stale ref
      r.put(SeriesKey.of("{job=\"gone\"}"), new SeriesRegistry.Entry(42, 0, 0)); // extra
    }
    Files.delete(file.resolveSibling(file.getFileName() + ".clean")); // as after SIGKILL
    try (Tsdb db = Tsdb.open(dir, options())) {
      append(db, HEAP, 1100, profile(3, 10));
      assertThat(read(db, HEAP, 0, 5000)).hasSize(2);
      assertThat(db.stats().head().numSeries()).isEqualTo(2);
    }
    try (SeriesRegistry r = ChronicleSeriesRegistry.open(file, 1000)) {
      assertThat(r.size()).isEqualTo(2);
      assertThat(r.get(SeriesKey.of(HEAP.toString())).lastTimestampMillis()).isEqualTo(1100);
      assertThat(r.get(SeriesKey.of("{job=\"gone\"}"))).isNull();
    }
  }
}
