package io.conprof.tsdb;

import static io.conprof.tsdb.ReadOnlyTsdbTest.blockIds;
import static io.conprof.tsdb.ReadOnlyTsdbTest.readerOptions;
import static io.conprof.tsdb.ReadOnlyTsdbTest.sha256;
import static io.conprof.tsdb.ReadOnlyTsdbTest.tree;
import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only view beside a real writer in a child JVM ({@link DurabilityChild}: two series, one
 * commit per step and a 5 ms pause, blocks of one second cut and merged by its background thread,
 * WAL segments of 256 KiB truncated behind them): every refresh shows every profile committed before
 * it, byte for byte, exactly once; after the writer is killed with SIGKILL the store is read as it
 * was left and not one byte of it changes.
 */
class ReadOnlyChildWriterTest {
  @TempDir Path dir;

  private static List<String> javaCommand(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-") || a.startsWith("-Dchronicle")) {
        cmd.add(a);
      }
    }
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DurabilityChild.class.getName());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Waits until the child has printed commit {@code n}; fails if it dies first. */
  private static void awaitCommitted(Process p, AtomicLong committed, long n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2); // a hung child, not a timing
    while (committed.get() < n) {
      assertThat(p.isAlive()).as("writer child alive").isTrue();
      assertThat(System.nanoTime()).as("writer child makes progress").isLessThan(deadline);
      Thread.sleep(2);
    }
  }

  /**
   * Every sample of both series: steps 0..m, each once and byte-identical, with m at least {@code
   * committed}. Returns m.
   */
  private static long checkComplete(Tsdb reader, long committed) throws Exception {
    long[] sizes = new long[2];
    for (int salt = 0; salt < 2; salt++) {
      Labels l = salt == 0 ? DurabilityChild.A : DurabilityChild.B;
      List<String> got = lines(reader, l);
      assertThat((long) got.size()).as("%s samples", l).isGreaterThan(committed);
      for (int n = 0; n < got.size(); n++) {
        assertThat(got.get(n)).as("%s step %d", l, n)
            .isEqualTo(n * DurabilityChild.STEP_MILLIS + " "
                + sha256(DurabilityChild.payload(n, salt)));
      }
      sizes[salt] = got.size();
    }
    assertThat(sizes[1]).as("both series of every commit").isEqualTo(sizes[0]);
    return sizes[0] - 1;
  }

  private static List<String> lines(Tsdb db, Labels l) throws Exception {
    try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
      return lines(q, l);
    }
  }

  private static List<String> lines(Querier q, Labels l) throws Exception {
    List<String> out = new ArrayList<>();
    for (Series s : q.select(List.of(Matcher.equal("job", l.get("job"))))) {
      Iterator<Sample> it = s.samples();
      while (it.hasNext()) {
        Sample x = it.next();
        out.add(x.timestampMillis() + " " + sha256(x.bytes()));
      }
    }
    return out;
  }

  @Test
  void readOnlyView_followsChildJvmWriter_andSigkilledStoreStaysByteIdentical() throws Exception {
    Process p = new ProcessBuilder(
        javaCommand(dir.toString(), SeriesRegistryKind.IN_MEMORY.name(), "pace=5"))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    AtomicLong committed = new AtomicLong(-1);
    Thread stdout = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("committed ")) {
            committed.set(Long.parseLong(line.split(" ")[1]));
          }
        }
      } catch (IOException e) {
        // the child died; what it printed before is what counts
      }
    });
    stdout.start();
    Map<String, String> afterKill;
    try {
      awaitCommitted(p, committed, 30);
      try (Tsdb reader = Tsdb.openReadOnly(dir, readerOptions())) {
        Set<String> seenBlocks = new TreeSet<>();
        Querier held = null;
        List<String> heldLines = null;
        for (int round = 0; round < 16; round++) {
          awaitCommitted(p, committed, committed.get() + 25);
          long before = committed.get();
          reader.refresh();
          checkComplete(reader, before);
          seenBlocks.addAll(blockIds(reader));
          if (round == 2) {
            held = reader.querier(Long.MIN_VALUE, Long.MAX_VALUE);
            heldLines = lines(held, DurabilityChild.A);
          }
        }
        assertThat(seenBlocks).as("blocks the writer compacted away while the view was open")
            .hasSizeGreaterThan(blockIds(reader).size());
        assertThat(lines(held, DurabilityChild.A)).as("a querier held across those compactions")
            .isEqualTo(heldLines);
        held.close();

        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        try (Stream<Path> wal = Files.list(dir.resolve(Tsdb.WAL_DIR))) {
          assertThat(wal.map(f -> f.getFileName().toString()))
              .as("the writer truncated its WAL").anyMatch(f -> f.startsWith("checkpoint."))
              .doesNotContain("00000001");
        }
        stdout.join();
        afterKill = tree(dir);
        long last = committed.get();
        reader.refresh();
        checkComplete(reader, last);
      }
      assertThat(tree(dir)).isEqualTo(afterKill);
      try (Tsdb again = Tsdb.openReadOnly(dir, readerOptions())) {
        checkComplete(again, committed.get());
      }
      assertThat(tree(dir)).isEqualTo(afterKill);
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
