package io.conprof.core.jvm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Measures the CPU time the profiler costs: JFR's threads (the sampler, recorder, periodic-task
 * and event-stream threads, whose names start with "JFR ") and the self-profiler's own thread.
 *
 * <p>On Linux it reads {@code /proc/self/task/<tid>/schedstat} (nanoseconds on CPU) or, failing
 * that, {@code stat} (clock ticks of 10 ms) for every thread whose {@code comm} name matches; this
 * sees JFR's native sampler thread, which no Java API shows. Elsewhere it sums {@link
 * ThreadMXBean#getThreadCpuTime} over the matching Java threads, which misses the native sampler.
 * Threads serving on-demand {@code /debug/pprof} requests are not counted: the budget is for
 * continuous profiling, not for work a user asked for.
 */
final class OverheadMeter {
  static final String SELF_THREAD_NAME = "conprof-self-profiler";
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final boolean procfs = Files.isDirectory(TASKS);

  /** Where the numbers come from: "procfs" or "ThreadMXBean". */
  String source() {
    return procfs ? "procfs" : "ThreadMXBean";
  }

  /** CPU nanoseconds used so far by the threads that profiling costs (living ones). */
  long profilerCpuNanos() {
    if (procfs) {
      try {
        return fromProcfs();
      } catch (IOException | RuntimeException e) {
        return fromThreadMXBean();
      }
    }
    return fromThreadMXBean();
  }

  static boolean isProfilerThread(String name) {
    // Linux truncates thread names to 15 characters: "conprof-self-pr".
    return name.startsWith("JFR ") || name.startsWith("conprof-self");
  }

  private static long fromProcfs() throws IOException {
    long total = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        String comm;
        try {
          comm = Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
          continue; // the thread ended
        }
        if (!isProfilerThread(comm)) {
          continue;
        }
        total += taskCpuNanos(task);
      }
    }
    return total;
  }

  private static long taskCpuNanos(Path task) {
    try {
      String schedstat = Files.readString(task.resolve("schedstat")).strip();
      return Long.parseLong(schedstat.split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      try {
        String stat = Files.readString(task.resolve("stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK; // utime, stime
      } catch (IOException | RuntimeException e2) {
        return 0;
      }
    }
  }

  private static long fromThreadMXBean() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (!mx.isThreadCpuTimeSupported()) {
      return 0;
    }
    long total = 0;
    for (ThreadInfo t : mx.dumpAllThreads(false, false, 0)) {
      if (t != null && isProfilerThread(t.getThreadName())) {
        long ns = mx.getThreadCpuTime(t.getThreadId());
        if (ns > 0) {
          total += ns;
        }
      }
    }
    return total;
  }
}
