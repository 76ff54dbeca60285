package io.conprof.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Sample;
import io.conprof.tsdb.block.BlockMeta;
import io.conprof.tsdb.block.BlockWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing acknowledged is lost: a real child JVM imports profiles and is killed with SIGKILL at
 * random moments, some of them while a block is being written; after each kill the database opens
 * and holds every profile whose commit had returned, byte for byte, exactly once.
 */
class DurabilityTest {
  @TempDir Path dir;

  private static List<String> javaCommand(boolean withJvmOptions, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (withJvmOptions) {
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (a.startsWith("--add-") || a.startsWith("-Dchronicle")) {
          cmd.add(a);
        }
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

  private static boolean compactionLeftovers(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.anyMatch(p -> p.getFileName().toString().endsWith(BlockWriter.TMP_CREATION_SUFFIX));
    }
  }

  @Test
  void sigkill_atRandomMoments_losesNoCommittedProfileAndDuplicatesNone() throws Exception {
    Random random = new Random(42);
    int kills = 24;
    int killsDuringBlockWrite = 0;
    long committedHigh = -1;
    for (int k = 0; k < kills; k++) {
      SeriesRegistryKind registry = k % 6 == 5 ? SeriesRegistryKind.CHRONICLE
          : SeriesRegistryKind.IN_MEMORY;
      Process p = new ProcessBuilder(javaCommand(true, dir.toString(), registry.name()))
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      AtomicLong lastCommitted = new AtomicLong(-1);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith("committed ")) {
              lastCommitted.set(Long.parseLong(line.split(" ")[1]));
            }
          }
        } catch (IOException e) {
          // the child died; what it printed before is what counts
        }
      });
      reader.start();
      boolean targetCompaction = k % 2 == 1;
      long goal = committedHigh + 5 + random.nextInt(60);
      boolean sawBlockWrite = false;
      while (p.isAlive()) {
        long done = lastCommitted.get();
        if (targetCompaction) {
          if (compactionLeftovers(dir)) {
            sawBlockWrite = true;
            break;
          }
          if (done >= goal + 200) {
            break; // no block write caught this time
          }
        } else if (done >= goal) {
          Thread.sleep(random.nextInt(15));
          break;
        }
        Thread.onSpinWait();
      }
      assertThat(p.isAlive()).as("child died by itself").isTrue();
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      reader.join();
      if (sawBlockWrite && compactionLeftovers(dir)) {
        killsDuringBlockWrite++;
      }
      // A child killed while compacting right after open may not have printed anything.
      committedHigh = Math.max(committedHigh, lastCommitted.get());
      verify(registry, committedHigh);
    }
    assertThat(killsDuringBlockWrite).as("kills while a block was being written").isPositive();
  }

  /** Every sample of 0..committedHigh is present once, byte-identical; nothing else is. */
  private void verify(SeriesRegistryKind registry, long committedHigh) throws Exception {
    TsdbOptions o = TsdbOptions.builder().registry(registry).maxSeries(1000)
        .backgroundCompaction(false).blockRange(java.time.Duration.ofMillis(1000))
        .retentionTime(java.time.Duration.ZERO).build();
    try (Tsdb db = Tsdb.open(dir, o)) {
      long distinct = 0;
      for (int salt = 0; salt < 2; salt++) {
        List<Sample> samples = new ArrayList<>();
        DurabilityChild.forEach(db, salt == 0 ? DurabilityChild.A : DurabilityChild.B, samples::add);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < samples.size(); i++) {
          Sample s = samples.get(i);
          long n = s.timestampMillis() / DurabilityChild.STEP_MILLIS;
          assertThat(s.timestampMillis()).isEqualTo(i * DurabilityChild.STEP_MILLIS);
          assertThat(seen.add(n)).isTrue();
          assertThat(s.bytes()).as("bytes of sample %d", n)
              .isEqualTo(DurabilityChild.payload(n, salt));
        }
        // a commit may be durable without its line having been printed, never the other way round
        assertThat(samples.size() - 1L).isGreaterThanOrEqualTo(committedHigh);
        distinct += samples.size();
      }
      TsdbStats st = db.stats();
      long stored = st.head().numSamples();
      for (BlockMeta m : st.blocks()) {
        stored += m.numSamples();
      }
      assertThat(stored).as("samples stored in blocks and head").isEqualTo(distinct);
      assertThat(st.damagedBlocks()).isEmpty();
    }
  }

  @Test
  void open_withoutJvmOptionsNamesEveryMissingOption() throws Exception {
    Process p = new ProcessBuilder(
        javaCommand(false, dir.toString(), SeriesRegistryKind.CHRONICLE.name(), "open-only"))
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isEqualTo(3);
    assertThat(out).contains("JVM options, which are missing: "
        + "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED "
        + "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
    assertThat(out).contains("--add-opens=java.base/java.util=ALL-UNNAMED");
  }

  @Test
  void diskFull_failsTheCommitCleanlyAndTheDatabaseOpensWithEverythingCommitted() throws Exception {
    Path mnt = dir.resolve("small");
    Files.createDirectories(mnt);
    Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt.toString())
        .redirectErrorStream(true).start();
    String why = new String(m.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Assumptions.assumeTrue(m.waitFor() == 0, "cannot mount a small tmpfs here: " + why);
    try {
      Path db = mnt.resolve("db");
      TsdbOptions o = TsdbOptions.builder().registry(SeriesRegistryKind.IN_MEMORY)
          .backgroundCompaction(false).walSegmentBytes(64 * 1024).build();
      int committed = 0;
      try (Tsdb t = Tsdb.open(db, o)) {
        IOException failure = null;
        for (int n = 0; n < 1000 && failure == null; n++) {
          Appender a = t.appender();
          a.append(DurabilityChild.A, n * 100L, DurabilityChild.payload(n, 0));
          try {
            a.commit();
            committed++;
          } catch (IOException e) {
            failure = e;
          }
        }
        assertThat(failure).isNotNull();
        assertThat(failure.getMessage()).contains("No space left on device");
        assertThat(committed).isPositive();
        // Fill the last bytes too, so that the reopen below finds no room at all.
        int failures = 0;
        for (int n = committed + 1; failures < 50 && n < committed + 5_000; n++) {
          Appender a = t.appender();
          a.append(DurabilityChild.A, n * 100L, DurabilityChild.payload(n, 0));
          try {
            a.commit();
            committed++;
          } catch (IOException e) {
            failures++;
          }
        }
        assertThat(failures).isEqualTo(50);
        // still usable for reading after the failure
        List<Sample> all = new ArrayList<>();
        DurabilityChild.forEach(t, DurabilityChild.A, all::add);
        assertThat(all).hasSize(committed);
      } catch (IOException closeFailure) {
        // closing a full disk may fail; what matters is the reopen below
      }
      try (Tsdb t = Tsdb.open(db, o)) {
        List<Sample> all = new ArrayList<>();
        DurabilityChild.forEach(t, DurabilityChild.A, all::add);
        assertThat(all).hasSize(committed);
        for (Sample s : all) {
          assertThat(s.bytes())
              .isEqualTo(DurabilityChild.payload(s.timestampMillis() / 100, 0));
        }
      }
    } finally {
      new ProcessBuilder("umount", mnt.toString()).start().waitFor();
    }
  }

  @Test
  void lock_isStillHeldAfterASecondOpenInTheSameProcessWasRefused() throws Exception {
    try (Tsdb db = Tsdb.open(dir, DurabilityChild.options(SeriesRegistryKind.IN_MEMORY))) {
      assertThatThrownBy(() -> Tsdb.open(db.dir(), DurabilityChild.options(SeriesRegistryKind.IN_MEMORY)))
          .isInstanceOf(TsdbLockedException.class);
      Process p = new ProcessBuilder(javaCommand(true, dir.toString(), "IN_MEMORY", "open-only"))
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).isNotZero();
      assertThat(out).contains("locked by another writer (pid " + ProcessHandle.current().pid() + ")");
    }
  }

  @Test
  void open_whileAnotherProcessHoldsTheDirectoryNamesItsPid() throws Exception {
    Process p = new ProcessBuilder(javaCommand(true, dir.toString(), "IN_MEMORY"))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(r.readLine()).startsWith("start");
      assertThatThrownBy(() -> Tsdb.open(dir, DurabilityChild.options(SeriesRegistryKind.IN_MEMORY)))
          .isInstanceOf(TsdbLockedException.class)
          .hasMessageContaining("pid " + p.pid());
    } finally {
      p.destroyForcibly();
      p.waitFor();
    }
  }
}
