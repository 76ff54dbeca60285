package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-profiler embedded in a real application: {@link SelfProfiledApp} runs in a child JVM,
 * writes profiles into a TSDB at a 1 s interval while it burns CPU in a known method and allocates
 * at a known site, and is asked to stop by closing its standard input. It must exit by itself,
 * with status 0, within a second of being asked; {@code conprof-cli query} then reads every
 * profile type back from its store, with the hot method on top of the merged CPU profile and the
 * allocation site in the allocation profile.
 */
class SelfProfilerEndToEndTest {
  private static final int WINDOWS = 3;
  private static final long SHUTDOWN_BOUND_MILLIS = 1_000;
  private static final String HOT_METHOD = SelfProfiledApp.class.getName() + ".hotLoop";
  private static final String ALLOCATION_SITE = SelfProfiledApp.class.getName() + ".allocateBuffers";
  private static final String SELECTOR =
      "{job=\"" + SelfProfiledApp.JOB + "\", instance=\"" + SelfProfiledApp.INSTANCE + "\"}";

  @TempDir Path tmp;

  private static List<String> javaCommand(String... args) {
    return ChildCli.javaCommand(SelfProfiledApp.class.getName(), args);
  }

  @Test
  void embeddedSelfProfiler_writesProfilesTheCliReadsBack_andTheHostStopsWithinASecond() throws Exception {
    Path db = tmp.resolve("db");
    Path stderr = tmp.resolve("app.stderr");
    Process app = new ProcessBuilder(javaCommand(db.toString(), String.valueOf(WINDOWS)))
        .redirectError(stderr.toFile())
        .start();
    List<String> lines = new CopyOnWriteArrayList<>();
    CountDownLatch written = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
          if (line.equals("written " + WINDOWS + " windows")) {
            written.countDown();
          }
        }
      } catch (IOException e) {
        lines.add("reading the application's output failed: " + e);
      }
    });
    reader.start();
    long exitMillis;
    try {
      boolean wrote = written.await(120, TimeUnit.SECONDS);
      assertThat(wrote).as("the application wrote %d CPU windows; stdout %s, stderr:%n%s", WINDOWS, lines,
          readQuietly(stderr)).isTrue();

      long asked = System.nanoTime();
      app.getOutputStream().close(); // the host asks the application to stop
      app.waitFor(30, TimeUnit.SECONDS);
      exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
    } finally {
      app.destroyForcibly();
      app.waitFor(30, TimeUnit.SECONDS);
      reader.join();
    }

    assertThat(app.exitValue()).as("exit status; stderr:%n%s", readQuietly(stderr)).isZero();
    assertThat(lines).endsWith("closed");
    assertThat(exitMillis).as("milliseconds from asking the application to stop to its exit")
        .isLessThanOrEqualTo(SHUTDOWN_BOUND_MILLIS);

    CliRun timeline = CliRun.run("query", SELECTOR, "--from", "-1h", "--to", "now", "--output", "table",
        "--storage.tsdb.path", db.toString());
    assertThat(timeline.exitCode()).as(timeline.stderr()).isZero();
    Map<String, Integer> profilesByName = timeline.stdout().lines()
        .collect(Collectors.toMap(SelfProfilerEndToEndTest::profileName, SelfProfilerEndToEndTest::profileCount));
    assertThat(profilesByName).containsOnlyKeys("profile", "allocs", "heap", "mutex", "block", "goroutine",
        "threadcreate");
    assertThat(profilesByName.get("profile")).isGreaterThanOrEqualTo(WINDOWS);
    assertThat(profilesByName.values()).allMatch(n -> n >= WINDOWS - 1, "at least one per completed tick");

    CliRun cpu = CliRun.run("query", "merge(profile" + SELECTOR + "[1h])", "--output", "top",
        "--storage.tsdb.path", db.toString());
    assertThat(cpu.exitCode()).as(cpu.stderr()).isZero();
    assertThat(cpu.stdout()).contains("Type: cpu");
    assertThat(firstRow(cpu.stdout())).as(cpu.stdout()).endsWith(" " + HOT_METHOD);

    CliRun allocs = CliRun.run("query", "allocs" + SELECTOR, "--output", "top", "--sample-type", "alloc_space",
        "--storage.tsdb.path", db.toString());
    assertThat(allocs.exitCode()).as(allocs.stderr()).isZero();
    assertThat(allocs.stdout()).contains("Type: alloc_space");
    assertThat(firstRow(allocs.stdout())).as(allocs.stdout()).endsWith(" " + ALLOCATION_SITE);
  }

  /** The {@code __name__} of a timeline table line {@code {__name__="x", ...}  N  first  last}. */
  private static String profileName(String tableLine) {
    String prefix = "{__name__=\"";
    assertThat(tableLine).startsWith(prefix);
    return tableLine.substring(prefix.length(), tableLine.indexOf('"', prefix.length()));
  }

  /** The number of profiles on a timeline table line. */
  private static int profileCount(String tableLine) {
    return Integer.parseInt(tableLine.substring(tableLine.lastIndexOf('}') + 1).strip().split(" +")[0]);
  }

  /** The first function row of a top table, without trailing inline marks. */
  private static String firstRow(String top) {
    List<String> rows = top.lines().collect(Collectors.toList());
    for (int i = 0; i < rows.size() - 1; i++) {
      if (rows.get(i).strip().startsWith("flat  flat%")) {
        return rows.get(i + 1).replace(" (inline)", "").stripTrailing();
      }
    }
    return "";
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
