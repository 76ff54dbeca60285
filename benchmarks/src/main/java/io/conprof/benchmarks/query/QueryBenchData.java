package io.conprof.benchmarks.query;

import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.Fixtures;
import io.conprof.tsdb.SeriesRegistryKind;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Stores for the query benchmarks: temporary directories, head only, in-memory registry. */
final class QueryBenchData {
  /** 2024-01-01T00:00:00Z. */
  static final long T0_MILLIS = 1_704_067_200_000L;

  private QueryBenchData() {}

  static Tsdb open(String what, long maxSeries) throws IOException {
    Path dir = Files.createTempDirectory("conprof-bench-query-" + what);
    return Tsdb.open(dir, TsdbOptions.builder().backgroundCompaction(false)
        .blockRange(java.time.Duration.ofHours(24)).registry(SeriesRegistryKind.IN_MEMORY)
        .maxSeries(maxSeries).build());
  }

  static byte[] fixture(String name) throws IOException {
    return ProfileReader.defaults().decompress(Files.readAllBytes(Fixtures.pprof(name)));
  }

  static void closeAndDelete(Tsdb db) throws IOException {
    Path dir = db.dir();
    db.close();
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
