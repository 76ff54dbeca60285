package io.conprof.tsdb.block;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Builds series for block tests. */
final class TestData {
  private TestData() {}

  record Series(Labels labels, List<Sample> sampleList) implements SeriesSource {
    @Override
    public Iterator<Sample> samples() {
      return sampleList.iterator();
    }
  }

  static final BlockWriter.Options FAST = new BlockWriter.Options(4, 3, false, 1, List.of(), List.of());

  /** Profile-like payloads: a shared random body with a few bytes changed per sample; some are empty. */
  static TreeMap<Labels, List<Sample>> randomSeries(Random rnd, int seriesCount, long mint, long maxt) {
    TreeMap<Labels, List<Sample>> out = new TreeMap<>();
    String[] names = {"heap", "allocs", "profile", "goroutine"};
    for (int s = 0; s < seriesCount; s++) {
      Labels labels = Labels.of("__name__", names[s % names.length], "job", s % 3 == 0 ? "api" : "db",
          "instance", "10.0.0." + s + ":8080");
      if (s % 5 == 0) {
        labels = labels.with("zone", "eu-" + (s % 2));
      }
      byte[] base = new byte[200 + rnd.nextInt(2000)];
      rnd.nextBytes(base);
      List<Sample> samples = new ArrayList<>();
      long t = mint + rnd.nextInt(1000);
      int n = 1 + rnd.nextInt(30);
      for (int i = 0; i < n && t < maxt; i++) {
        byte[] p = rnd.nextInt(10) == 0 ? new byte[0] : base.clone();
        if (p.length > 0) {
          p[rnd.nextInt(p.length)] ^= (byte) (1 + rnd.nextInt(255));
        }
        samples.add(new Sample(t, p));
        t += 1 + rnd.nextInt(20_000);
      }
      out.put(labels, samples);
    }
    return out;
  }

  static Iterator<SeriesSource> sources(Map<Labels, List<Sample>> series) {
    List<SeriesSource> list = new ArrayList<>();
    series.forEach((l, s) -> list.add(new Series(l, s)));
    return list.iterator();
  }

  static BlockMeta write(Path dataDir, Map<Labels, List<Sample>> series, long mint, long maxt) throws IOException {
    return BlockWriter.write(dataDir, sources(series), mint, maxt, FAST);
  }

  static List<Sample> read(BlockSeries s, long mint, long maxt) throws IOException {
    List<Sample> out = new ArrayList<>();
    s.samples(mint, maxt).forEachRemaining(out::add);
    return out;
  }

  static BlockMeta meta(String ulid, long mint, long maxt, int level, long bytes) {
    return new BlockMeta(ulid, mint, maxt, 1, 1, 1, bytes, level, List.of(ulid), List.of(), false);
  }
}
