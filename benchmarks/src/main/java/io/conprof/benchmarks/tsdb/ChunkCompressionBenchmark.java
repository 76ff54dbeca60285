package io.conprof.benchmarks.tsdb;

import io.conprof.tsdb.block.CorruptBlockException;
import io.conprof.tsdb.chunk.Chunk;
import io.conprof.tsdb.chunk.ChunkCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Bytes on disk of a series of profiles against the gzip bytes received, per chunk payload codec, with encode
 * and decode speed. A plain main (sizes are deterministic; the speeds are indicative, best of a few runs):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.conprof.benchmarks.tsdb.ChunkCompressionBenchmark DIR [DIR...]
 * </pre>
 *
 * Each DIR holds the {@code *.pb.gz} files of one series (one process, one profile type), in name order. The
 * profiles are gunzipped (as ingest does), cut into chunks of {@code -Dchunk.samples} (default 32, the TSDB's
 * default) and encoded at {@code -Dchunk.zstdLevel} (default 3) with codecs up to 1, 2 and 3; then codec 3 with
 * larger chunks and a higher level, to show what the remaining factor costs. Every chunk is decoded and
 * compared with its input. Chunk segment framing (a few bytes per chunk) is not counted. Speeds are the best of
 * five runs after a warm-up of {@code -Dchunk.warmupMillis} (default 5000) over codecs 1-3.
 */
public final class ChunkCompressionBenchmark {
  private static final int RUNS = 5;

  private ChunkCompressionBenchmark() {}

  record Series(String name, long gzipBytes, List<byte[]> profiles, long rawBytes) {}

  record Result(long diskBytes, double encodeMbPerSecond, double decodeMbPerSecond, int[] codecUse) {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: ChunkCompressionBenchmark DIR [DIR...]  (each DIR: the *.pb.gz files of one series)");
      System.exit(2);
    }
    int samples = Integer.getInteger("chunk.samples", 32);
    int level = Integer.getInteger("chunk.zstdLevel", 3);
    System.out.printf(Locale.ROOT, "%-22s %8s %7s %9s %6s %6s %8s %9s %9s  %s%n", "series", "profiles", "gzip KB",
        "raw KB", "codec", "chunk", "zstd", "disk KB", "disk/gzip", "encode / decode MB/s of raw, codecs used");
    List<Series> series = new ArrayList<>();
    for (String dir : args) {
      series.add(load(Path.of(dir)));
    }
    // warm up the JIT on every codec before anything is timed
    long warmUntil = System.nanoTime() + Long.getLong("chunk.warmupMillis", 5000) * 1_000_000;
    while (System.nanoTime() < warmUntil) {
      for (Series s : series) {
        for (int codec = 1; codec <= 3; codec++) {
          run(s, codec, samples, level, 1);
        }
      }
    }
    for (Series s : series) {
      int[][] variants = {
          {1, samples, level}, {2, samples, level}, {3, samples, level},
          {3, samples, 19}, {3, 120, level}, {3, 120, 19}};
      for (int[] v : variants) {
        Result r = run(s, v[0], v[1], v[2], RUNS);
        System.out.printf(Locale.ROOT, "%-22s %8d %7.1f %9.1f %6s %6d %8d %9.1f %9s  %.0f / %.0f  %s%n", s.name(),
            s.profiles().size(), s.gzipBytes() / 1024.0, s.rawBytes() / 1024.0, "<=" + v[0], v[1], v[2],
            r.diskBytes() / 1024.0, String.format(Locale.ROOT, "1/%.2f", (double) s.gzipBytes() / r.diskBytes()),
            r.encodeMbPerSecond(), r.decodeMbPerSecond(), Arrays.toString(r.codecUse()));
      }
    }
  }

  static Series load(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".pb.gz")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IOException("no *.pb.gz files in " + dir);
    }
    long gzip = 0;
    long raw = 0;
    List<byte[]> profiles = new ArrayList<>();
    for (Path f : files) {
      byte[] gz = Files.readAllBytes(f);
      gzip += gz.length;
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
        byte[] p = in.readAllBytes();
        raw += p.length;
        profiles.add(p);
      }
    }
    return new Series(dir.getFileName().toString(), gzip, profiles, raw);
  }

  static Result run(Series s, int maxCodec, int samplesPerChunk, int level, int runs) throws CorruptBlockException {
    List<byte[]> profiles = s.profiles();
    int chunks = (profiles.size() + samplesPerChunk - 1) / samplesPerChunk;
    byte[][] encoded = new byte[chunks][];
    long bestEncode = Long.MAX_VALUE;
    long bestDecode = Long.MAX_VALUE;
    for (int run = 0; run < runs; run++) {
      long t0 = System.nanoTime();
      for (int c = 0; c < chunks; c++) {
        int from = c * samplesPerChunk;
        int n = Math.min(samplesPerChunk, profiles.size() - from);
        long[] ts = new long[n];
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
          ts[i] = 1_700_000_000_000L + 10_000L * (from + i);
          payloads[i] = profiles.get(from + i);
        }
        encoded[c] = ChunkCodec.encode(ts, payloads, n, level, maxCodec);
      }
      long t1 = System.nanoTime();
      for (int c = 0; c < chunks; c++) {
        byte[][] back = Chunk.ofData(encoded[c], Path.of(s.name() + "-chunk-" + c)).payloads();
        for (int i = 0; i < back.length; i++) {
          if (!Arrays.equals(back[i], profiles.get(c * samplesPerChunk + i))) {
            throw new IllegalStateException(s.name() + ": profile " + (c * samplesPerChunk + i) + " did not round-trip");
          }
        }
      }
      long t2 = System.nanoTime();
      bestEncode = Math.min(bestEncode, t1 - t0);
      bestDecode = Math.min(bestDecode, t2 - t1);
    }
    long disk = 0;
    int[] use = new int[4];
    for (byte[] e : encoded) {
      disk += e.length;
      use[payloadCodec(e)]++;
    }
    double mb = s.rawBytes() / 1e6;
    return new Result(disk, mb / (bestEncode / 1e9), mb / (bestDecode / 1e9), use);
  }

  /** The payload codec byte of encoded chunk data (after the sample count, timestamp section and its CRC). */
  private static int payloadCodec(byte[] data) {
    int p = 0;
    while ((data[p] & 0x80) != 0) {
      p++;
    }
    p++;
    long tsLen = 0;
    int shift = 0;
    while (true) {
      int b = data[p++] & 0xff;
      tsLen |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    return data[p + (int) tsLen + 4] & 0xff;
  }
}
