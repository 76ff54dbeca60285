package io.conprof.benchmarks.web;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.FlameGraph;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileBuilder;
import io.conprof.core.pprof.ValueType;
import io.conprof.core.testing.Fixtures;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.FsyncPolicy;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The store the web-UI benchmark serves: {@value #TYPES_COUNT} profile types × {@value #INSTANCES}
 * instances = 50 series of one day at a 10 s interval (432,000 profiles, small real pprof fixtures as
 * payloads, since a timeline never reads payloads), plus one series holding a synthetic CPU profile
 * whose flame graph has about {@value #FLAME_NODES} nodes.
 *
 * <p>Building takes a minute or two (commits of 500 profiles, WAL fsync once a second, then one
 * compaction that writes all but the newest three hours into blocks, as a server running for a day
 * would hold them). A store already built in the directory is reused; the time range it covers is in
 * {@value #META_FILE}, so the benchmark passes explicit times to the UI instead of "the last day".
 */
final class UiBenchStore {
  static final String META_FILE = "ui-bench.properties";
  static final long STEP_MILLIS = 10_000;
  static final long DAY_MILLIS = 86_400_000;
  static final int INSTANCES = 10;
  static final int TYPES_COUNT = 5;
  static final int FLAME_NODES = 100_000;
  /** The 50 timeline series; the flame series has another job, so it is not among them. */
  static final String TIMELINE_QUERY = "{job=~\"api-[0-9]+\"}";
  static final String FLAME_QUERY = "cpu{job=\"flamegraph-bench\"}";

  /** Profile type → a small real fixture of conprof-core's test-jar stored for every sample of it. */
  private static final String[][] TYPES = {
      {"cpu", "converted__java.cpu.pb.gz"},
      {"heap", "converted__java.heap.pb.gz"},
      {"goroutine", "converted__go.godoc.thread.pb.gz"},
      {"mutex", "golang-1.19__sync.mutex.pprof"},
      {"block", "parca__symbolizer-profile.pb.gz"},
  };

  /**
   * What a built store holds: the timeline range [{@code fromMillis}, {@code toMillis}), the time of
   * the large profile and its flame graph's node count (root included).
   */
  record Meta(long fromMillis, long toMillis, long flameTimeMillis, int flameNodes, long flameRawBytes,
      long profiles) {}

  private UiBenchStore() {}

  static TsdbOptions options() {
    return TsdbOptions.builder()
        .fsyncPolicy(FsyncPolicy.interval(Duration.ofSeconds(1)))
        .backgroundCompaction(false)
        .build();
  }

  /** Reads the metadata of a store built earlier in {@code dir}, or null if there is none. */
  static Meta existing(Path dir) throws IOException {
    Path file = dir.resolve(META_FILE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    try {
      return new Meta(Long.parseLong(p.getProperty("fromMillis")), Long.parseLong(p.getProperty("toMillis")),
          Long.parseLong(p.getProperty("flameTimeMillis")), Integer.parseInt(p.getProperty("flameNodes")),
          Long.parseLong(p.getProperty("flameRawBytes")), Long.parseLong(p.getProperty("profiles")));
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a complete benchmark store description (" + e + "); delete "
          + dir + " to rebuild", e);
    }
  }

  /** Labels of timeline series {@code i} (0-49): type i / 10, instance i % 10, two jobs of five instances. */
  static Labels series(int i) {
    int instance = i % INSTANCES;
    return Labels.of("__name__", TYPES[i / INSTANCES][0], "job", "api-" + instance / 5,
        "instance", String.format(Locale.ROOT, "10.0.0.%d:6060", 10 + instance));
  }

  /**
   * Builds the store in the empty or absent {@code dir}, its day ending at {@code endMillis} (rounded
   * down to the step), and records its metadata.
   */
  static Meta build(Path dir, long endMillis, java.io.PrintStream log) throws Exception {
    if (Files.exists(dir)) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IOException(dir + " is not empty and holds no " + META_FILE
              + " (not a finished benchmark store): delete it or pass another --dir");
        }
      }
    }
    Files.createDirectories(dir);
    long to = endMillis - endMillis % STEP_MILLIS;
    long from = to - DAY_MILLIS;
    byte[][] payloads = new byte[TYPES.length][];
    for (int t = 0; t < TYPES.length; t++) {
      payloads[t] = Files.readAllBytes(Fixtures.pprof(TYPES[t][1]));
    }
    Labels[] series = new Labels[TYPES.length * INSTANCES];
    for (int i = 0; i < series.length; i++) {
      series[i] = series(i);
    }
    Profile flame = largeProfile(FLAME_NODES, 42);
    int nodes = FlameGraph.of(flame, null).nodeCount();
    if (Math.abs(nodes - FLAME_NODES) > FLAME_NODES / 20) {
      throw new IllegalStateException("the synthetic profile's flame graph has " + nodes
          + " nodes, not about " + FLAME_NODES);
    }
    byte[] flameBytes = flame.toByteArray();
    long flameTime = to - 15 * 60_000L;
    long started = System.nanoTime();
    long profiles = 0;
    try (Tsdb db = Tsdb.open(dir, options())) {
      Appender app = db.appender();
      int inBatch = 0;
      for (long t = from; t < to; t += STEP_MILLIS) {
        for (int s = 0; s < series.length; s++) {
          app.append(series[s], t, payloads[s / INSTANCES]);
        }
        profiles += series.length;
        if (t == flameTime) {
          app.append(Labels.of("__name__", "cpu", "job", "flamegraph-bench", "instance", "synthetic:0"), t,
              flameBytes);
          profiles++;
        }
        if (++inBatch == 10) {
          app.commit();
          inBatch = 0;
        }
        if ((t - from) % (2 * 3_600_000L) == 0 && t > from) {
          log.printf(Locale.ROOT, "  %,d profiles appended (%.0f s)%n", profiles,
              (System.nanoTime() - started) / 1e9);
        }
      }
      app.commit();
      log.printf(Locale.ROOT, "  %,d profiles appended in %.0f s; compacting%n", profiles,
          (System.nanoTime() - started) / 1e9);
      db.compact();
    }
    Meta meta = new Meta(from, to, flameTime, nodes, flameBytes.length, profiles);
    Properties p = new Properties();
    p.setProperty("fromMillis", Long.toString(meta.fromMillis()));
    p.setProperty("toMillis", Long.toString(meta.toMillis()));
    p.setProperty("flameTimeMillis", Long.toString(meta.flameTimeMillis()));
    p.setProperty("flameNodes", Integer.toString(meta.flameNodes()));
    p.setProperty("flameRawBytes", Long.toString(meta.flameRawBytes()));
    p.setProperty("profiles", Long.toString(meta.profiles()));
    try (Writer w = Files.newBufferedWriter(dir.resolve(META_FILE), StandardCharsets.UTF_8)) {
      p.store(w, "conprof UiResponsiveness benchmark store");
    }
    log.printf(Locale.ROOT, "  built in %.0f s%n", (System.nanoTime() - started) / 1e9);
    return meta;
  }

  /**
   * A CPU profile (samples/count, cpu/nanoseconds) whose flame graph has {@code targetNodes} nodes
   * (root included, give or take one stack): seeded random stacks 12-56 frames deep over a pool of
   * 40,000 Java-like methods, sharing prefixes as services do (few frames near the root, where
   * nine stacks in ten follow an existing path, more and more new branches further down), with
   * heavy-tailed sample counts so that some frames are wide and most are narrow, as in a real
   * profile.
   */
  static Profile largeProfile(int targetNodes, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<ProfileBuilder.Frame> pool = new ArrayList<>();
    for (int pkg = 0; pkg < 200; pkg++) {
      for (int cls = 0; cls < 20; cls++) {
        String className = String.format(Locale.ROOT, "com.example.svc%d.%s%d", pkg,
            CLASS_WORDS[(pkg + cls) % CLASS_WORDS.length], cls);
        for (int m = 0; m < 10; m++) {
          String method = METHOD_WORDS[(cls * 7 + m) % METHOD_WORDS.length] + m;
          pool.add(new ProfileBuilder.Frame(className + "." + method, "",
              CLASS_WORDS[(pkg + cls) % CLASS_WORDS.length] + cls + ".java", 10 + m * 17L));
        }
      }
    }
    ProfileBuilder b = ProfileBuilder.create(
        List.of(new ValueType("samples", "count"), new ValueType("cpu", "nanoseconds")),
        new ValueType("cpu", "nanoseconds"), 10_000_000L)
        .durationNanos(10_000_000_000L)
        .timeNanos(1_700_000_000_000_000_000L);
    // the trie of (parent node, function index) -> node, mirroring the flame graph's tree
    Map<Long, Integer> children = new HashMap<>();
    List<List<Integer>> childList = new ArrayList<>();
    childList.add(new ArrayList<>());
    int nodes = 1;
    List<ProfileBuilder.Frame> stack = new ArrayList<>();
    while (nodes < targetNodes) {
      int depth = 12 + rnd.nextInt(45);
      int node = 0;
      stack.clear();
      for (int d = 0; d < depth; d++) {
        List<Integer> kids = childList.get(node);
        double reuse = d < 4 ? 0.97 : d < 12 ? 0.85 : 0.6;
        int fn;
        if (!kids.isEmpty() && rnd.nextDouble() < reuse) {
          // earlier children are picked more often: min of two uniform draws
          int k = Math.min(rnd.nextInt(kids.size()), rnd.nextInt(kids.size()));
          fn = kids.get(k);
        } else {
          fn = rnd.nextInt(pool.size());
        }
        long key = (long) node * pool.size() + fn;
        Integer next = children.get(key);
        if (next == null) {
          next = nodes++;
          children.put(key, next);
          childList.add(new ArrayList<>());
          childList.get(node).add(fn);
        }
        node = next;
        stack.add(pool.get(fn));
      }
      long count = 1 + (long) Math.floor(Math.pow(rnd.nextDouble(), -1.3));
      count = Math.min(count, 5_000);
      List<ProfileBuilder.Frame> leafFirst = new ArrayList<>(stack);
      java.util.Collections.reverse(leafFirst);
      b.addSample(leafFirst, new long[] {count, count * 10_000_000L});
    }
    return b.build();
  }

  private static final String[] CLASS_WORDS = {"Handler", "Service", "Repository", "Codec", "Cache",
      "Router", "Filter", "Pool", "Parser", "Writer", "Reader", "Scheduler", "Client", "Mapper"};
  private static final String[] METHOD_WORDS = {"handle", "process", "encode", "decode", "lookup",
      "apply", "run", "read", "write", "visit", "resolve", "compute", "dispatch"};
}
