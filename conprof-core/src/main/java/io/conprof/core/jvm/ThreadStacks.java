package io.conprof.core.jvm;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import io.conprof.core.pprof.ValueType;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Go's {@code goroutine} profile for the JVM: the current stacks of all platform threads from
 * {@link ThreadMXBean#dumpAllThreads} (a safepoint operation: a few ms for tens of threads, tens of
 * ms for hundreds), grouped by stack and thread state, plus the jstack-like {@code debug=2} dump.
 */
final class ThreadStacks {
  static final ValueType GOROUTINE = new ValueType("goroutine", "count");

  private ThreadStacks() {}

  static Snapshot snapshot(long nowEpochNanos) {
    ThreadInfo[] threads = ManagementFactory.getThreadMXBean().dumpAllThreads(false, false);
    LinkedHashMap<StackTable.Key, long[]> grouped = new LinkedHashMap<>();
    for (ThreadInfo t : threads) {
      if (t == null) {
        continue;
      }
      StackTraceElement[] trace = t.getStackTrace();
      List<Frame> frames = new ArrayList<>(trace.length);
      for (StackTraceElement e : trace) {
        frames.add(FrameNames.stackTraceElement(e));
      }
      if (frames.isEmpty()) {
        frames.add(Frame.of("[no Java frames]"));
      }
      grouped.computeIfAbsent(new StackTable.Key(List.copyOf(frames), t.getThreadState().name()), k -> new long[1])[0]++;
    }
    return new Snapshot(JvmProfileType.GOROUTINE, List.of(GOROUTINE), GOROUTINE, 1, nowEpochNanos, 0, "",
        List.of("JVM platform threads from ThreadMXBean.dumpAllThreads, grouped by stack; the label state is"
            + " the Java thread state"),
        "state", grouped);
  }

  /** Every thread's stack with its locks, in the style of jstack ({@code goroutine?debug=2}). */
  static String dump() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    ThreadInfo[] threads = mx.dumpAllThreads(mx.isObjectMonitorUsageSupported(), mx.isSynchronizerUsageSupported());
    StringBuilder out = new StringBuilder();
    for (ThreadInfo t : threads) {
      if (t == null) {
        continue;
      }
      out.append('"').append(t.getThreadName()).append("\" #").append(t.getThreadId());
      if (t.isDaemon()) {
        out.append(" daemon");
      }
      out.append(" prio=").append(t.getPriority()).append('\n');
      out.append("   java.lang.Thread.State: ").append(t.getThreadState()).append('\n');
      StackTraceElement[] trace = t.getStackTrace();
      Map<Integer, List<MonitorInfo>> locked = new LinkedHashMap<>();
      for (MonitorInfo m : t.getLockedMonitors()) {
        locked.computeIfAbsent(m.getLockedStackDepth(), d -> new ArrayList<>()).add(m);
      }
      for (int i = 0; i < trace.length; i++) {
        out.append("\tat ").append(trace[i]).append('\n');
        if (i == 0 && t.getLockInfo() != null) {
          String verb = switch (t.getThreadState()) {
            case BLOCKED -> "waiting to lock";
            case WAITING, TIMED_WAITING -> trace[0].getMethodName().equals("wait") ? "waiting on" : "parking to wait for";
            default -> "waiting on";
          };
          out.append("\t- ").append(verb).append(' ').append(lock(t.getLockInfo())).append('\n');
        }
        for (MonitorInfo m : locked.getOrDefault(i, List.of())) {
          out.append("\t- locked ").append(lock(m)).append('\n');
        }
      }
      LockInfo[] synchronizers = t.getLockedSynchronizers();
      if (synchronizers.length > 0) {
        out.append("\n   Locked ownable synchronizers:\n");
        for (LockInfo l : synchronizers) {
          out.append("\t- ").append(lock(l)).append('\n');
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String lock(LockInfo l) {
    return "<0x" + Integer.toHexString(l.getIdentityHashCode()) + "> (a " + l.getClassName() + ")";
  }

  /** Number of live platform threads. */
  static int count() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }
}
