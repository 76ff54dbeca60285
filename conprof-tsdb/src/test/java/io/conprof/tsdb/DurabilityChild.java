package io.conprof.tsdb;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import io.conprof.core.model.Matcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * The child process of {@link DurabilityTest}: opens the database and imports profiles forever,
 * printing {@code committed <n> <ts>} after each commit returns, until it is killed. Also used to
 * show the error for missing JVM options ({@code open-only}). With {@code pace=N} it sleeps N ms
 * after each commit, so that its background compaction keeps up and also merges blocks.
 */
public final class DurabilityChild {
  static final Labels A = Labels.of("__name__", "heap", "job", "a");
  static final Labels B = Labels.of("__name__", "allocs", "job", "b");
  static final long STEP_MILLIS = 100;

  private DurabilityChild() {}

  static TsdbOptions options(SeriesRegistryKind registry) {
    return TsdbOptions.builder()
        .registry(registry)
        .maxSeries(1000)
        .blockRange(Duration.ofMillis(1000))
        .retentionTime(Duration.ZERO)
        .walSegmentBytes(256 * 1024)
        .samplesPerChunk(4)
        .backgroundCompaction(true)
        .compactionInterval(Duration.ofMillis(20))
        .build();
  }

  /** The raw profile bytes of sample {@code n} of a series ({@code salt} 0 or 1). */
  static byte[] payload(long n, int salt) {
    Random r = new Random(n * 2 + salt);
    byte[] b = new byte[200 + r.nextInt(8_000)];
    // Compressible but distinct: runs of a few random byte values.
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (r.nextInt(8) + (i / 97));
    }
    b[0] = 0x0a;
    return b;
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(raw);
    }
    return out.toByteArray();
  }

  /** Index of the newest sample of series A, or -1. */
  static long lastIndex(Tsdb db) throws IOException {
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      List<Series> s = q.select(List.of(Matcher.equal("job", "a")));
      if (s.isEmpty()) {
        return -1;
      }
      long[] ts = s.get(0).timestamps();
      return ts.length == 0 ? -1 : ts[ts.length - 1] / STEP_MILLIS;
    }
  }

  public static void main(String[] args) throws Exception {
    Path dir = Paths.get(args[0]);
    SeriesRegistryKind registry = SeriesRegistryKind.valueOf(args[1]);
    boolean openOnly = args.length > 2 && args[2].equals("open-only");
    long paceMillis = args.length > 2 && args[2].startsWith("pace=")
        ? Long.parseLong(args[2].substring("pace=".length())) : 0;
    PrintStream out = System.out;
    try (Tsdb db = Tsdb.open(dir, options(registry))) {
      if (openOnly) {
        out.println("opened");
        return;
      }
      long n = lastIndex(db) + 1;
      out.println("start " + n);
      out.flush();
      for (int i = 0; i < 1_000_000; i++, n++) {
        Appender a = db.appender();
        long ts = n * STEP_MILLIS;
        a.append(A, ts, n % 3 == 0 ? gzip(payload(n, 0)) : payload(n, 0));
        a.append(B, ts, payload(n, 1));
        a.commit();
        out.println("committed " + n + " " + ts);
        out.flush();
        if (paceMillis > 0) {
          Thread.sleep(paceMillis);
        }
      }
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      System.exit(3);
    }
  }

  /** Reads every sample of {@code series} (a helper for the parent). */
  static void forEach(Tsdb db, Labels series, java.util.function.Consumer<Sample> action)
      throws IOException {
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      for (Series s : q.select(List.of(Matcher.equal("job", series.get("job"))))) {
        Iterator<Sample> it = s.samples();
        it.forEachRemaining(action);
      }
    }
  }
}
