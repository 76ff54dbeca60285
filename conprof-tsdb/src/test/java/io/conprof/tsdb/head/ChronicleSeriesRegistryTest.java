package io.conprof.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleSeriesRegistryTest extends SeriesRegistryContract {
  @TempDir Path dir;

  @Override
  SeriesRegistry open() throws IOException {
    return ChronicleSeriesRegistry.open(dir.resolve("head-series.cmap"), 1000);
  }

  @Test
  void jvmOptions_areAllPresentUnderTheBuildsArgLine() {
    assertThat(ChronicleJvmOptions.missing()).isEmpty();
  }

  @Test
  void reopen_afterCleanCloseKeepsEntriesWithoutRecovery() throws IOException {
    SeriesKey k = SeriesKey.of("{job=\"x\"}");
    try (SeriesRegistry r = open()) {
      assertThat(r.recovered()).isFalse();
      r.put(k, new SeriesRegistry.Entry(7, 1, 2));
    }
    assertThat(dir.resolve("head-series.cmap.clean")).exists();
    try (SeriesRegistry r = open()) {
      assertThat(r.recovered()).isFalse();
      assertThat(r.get(k)).isEqualTo(new SeriesRegistry.Entry(7, 1, 2));
      assertThat(dir.resolve("head-series.cmap.clean")).doesNotExist();
    }
  }

  @Test
  void reopen_withoutCleanMarkerRecoversTheFile() throws IOException {
    SeriesKey k = SeriesKey.of("{job=\"x\"}");
    try (SeriesRegistry r = open()) {
      r.put(k, new SeriesRegistry.Entry(7, 1, 2));
    }
    Files.delete(dir.resolve("head-series.cmap.clean")); // as after SIGKILL
    try (SeriesRegistry r = open()) {
      assertThat(r.recovered()).isTrue();
      assertThat(r.get(k)).isEqualTo(new SeriesRegistry.Entry(7, 1, 2));
    }
  }

  @Test
  void open_ofAGarbageFileRebuildsAnEmptyRegistry() throws IOException {
    Files.write(dir.resolve("head-series.cmap"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    try (SeriesRegistry r = open()) {
      assertThat(r.recovered()).isTrue();
      assertThat(r.size()).isZero();
      r.put(SeriesKey.of("{a=\"b\"}"), new SeriesRegistry.Entry(1, 1, 1));
    }
  }
}
