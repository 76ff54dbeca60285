package io.conprof.benchmarks.tsdb;

import io.conprof.core.model.Labels;
import io.conprof.core.testing.Fixtures;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.FsyncPolicy;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Data and stores shared by the TSDB benchmarks: real pprof fixtures from conprof-core's test-jar, series
 * labelled like a scrape of 100 Go services ({@code __name__}, {@code job}, {@code instance}), timestamps
 * aligned to the default 2 h block range, and stores built in a temporary directory.
 */
final class TsdbBenchData {
  /** 2023-11-15T00:00:00Z, a multiple of the 2 h block range, so every block covers a whole range. */
  static final long T0_MILLIS = 1_700_006_400_000L;
  static final long STEP_MILLIS = 10_000;
  static final long HOUR_MILLIS = 3_600_000;

  private TsdbBenchData() {}

  /** The bytes of a fixture of conprof-core's test-jar, as a scrape would receive them. */
  static byte[] fixture(String name) {
    try {
      return Files.readAllBytes(Fixtures.pprof(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The eight consecutive heap profiles of one process (9.7-14.7 KB gzip each), in time order. */
  static List<byte[]> consecutiveHeapProfiles() {
    List<byte[]> out = new ArrayList<>();
    for (Path p : Fixtures.queryMany()) {
      try {
        out.add(Files.readAllBytes(p));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Series {@code i} of {@code NAME{job="api-N", instance="10.0.X.Y:6060"}}: ten jobs of ten instances. */
  static Labels oneSeries(String name, int i) {
    return Labels.of("__name__", name, "job", "api-" + (i % 10),
        "instance", String.format(Locale.ROOT, "10.0.%d.%d:6060", i / 256, i % 256));
  }

  static Labels[] series(String name, int count) {
    Labels[] out = new Labels[count];
    for (int i = 0; i < count; i++) {
      out[i] = oneSeries(name, i);
    }
    return out;
  }

  static Path tempDir(String what) {
    try {
      return Files.createTempDirectory("conprof-bench-" + what);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Fills a new store with {@code series.length} series from {@code fromMillis} (inclusive) to {@code toMillis}
   * (exclusive) every {@link #STEP_MILLIS}, one commit per timestamp holding a sample of every series;
   * series {@code s} at step {@code k} gets {@code payloads[(k + s) % payloads.length]}. With {@code
   * intoBlocks}, one sample of another series is then added 3.5 h after the end and the store compacted, so
   * that every sample of the range is in blocks and none in the head. Returns the open store.
   */
  static Tsdb build(Path dir, TsdbOptions.Builder options, Labels[] series, long fromMillis, long toMillis,
      List<byte[]> payloads, boolean intoBlocks) throws Exception {
    Tsdb db = Tsdb.open(dir, options.fsyncPolicy(FsyncPolicy.interval(java.time.Duration.ofSeconds(1)))
        .backgroundCompaction(false).build());
    try {
      Appender app = db.appender();
      long k = 0;
      for (long t = fromMillis; t < toMillis; t += STEP_MILLIS, k++) {
        for (int s = 0; s < series.length; s++) {
          app.append(series[s], t, payloads.get((int) ((k + s) % payloads.size())));
        }
        app.commit();
      }
      if (intoBlocks) {
        app.append(Labels.of("__name__", "flush", "job", "bench"), toMillis + 7 * HOUR_MILLIS / 2,
            payloads.get(0));
        app.commit();
        db.compact();
      }
      return db;
    } catch (Exception | Error e) {
      db.close();
      throw e;
    }
  }
}
