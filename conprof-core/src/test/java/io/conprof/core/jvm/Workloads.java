package io.conprof.core.jvm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/** Test workloads with one known hot method, allocation site, contended monitor and parked lock. */
final class Workloads {
  static volatile long sink;
  static volatile Object escape;

  private Workloads() {}

  /** Burns CPU in {@link #hotLoop} for {@code d}. */
  static void spin(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    long acc = 0;
    while (System.nanoTime() < end) {
      acc += hotLoop(acc);
    }
    sink = acc;
  }

  /** Spins at the bottom of a {@code depth}-frame recursion, deeper than JFR's default 64 frames. */
  static void spinDeep(int depth, Duration d) {
    if (depth > 0) {
      spinDeep(depth - 1, d);
      return;
    }
    spin(d);
  }

  static long hotLoop(long seed) {
    long x = seed | 1;
    for (int i = 0; i < 2_000_000; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x;
  }

  /** Allocates 1 KiB arrays in {@link #allocateArrays} for {@code d}. */
  static void allocate(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      allocateArrays();
    }
  }

  static void allocateArrays() {
    Object[] keep = new Object[64];
    for (int i = 0; i < 10_000; i++) {
      keep[i & 63] = new byte[1024];
    }
    escape = keep;
  }

  private static final List<byte[]> RETAINED = new ArrayList<>();

  /** Keeps {@code megabytes} of 1 KiB arrays alive, allocated in this method, until {@link #release}. */
  static synchronized void retainArrays(int megabytes) {
    for (int i = 0; i < megabytes * 1024; i++) {
      RETAINED.add(new byte[1024]);
    }
  }

  static synchronized void release() {
    RETAINED.clear();
  }

  private static final Object MONITOR = new Object();

  /** One thread holds {@link #MONITOR} for 40 ms at a time while the caller keeps entering it. */
  static void contendMonitor(Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    Thread holder = new Thread(() -> {
      while (System.nanoTime() < end) {
        synchronized (MONITOR) {
          sleepQuietly(40);
        }
        sleepQuietly(1);
      }
    }, "workload-monitor-holder");
    holder.start();
    while (System.nanoTime() < end) {
      enterMonitor();
    }
    holder.join();
  }

  static void enterMonitor() {
    synchronized (MONITOR) {
      sink++;
    }
    sleepQuietly(1);
  }

  private static final ReentrantLock LOCK = new ReentrantLock();

  /** One thread holds {@link #LOCK} for 40 ms at a time while the caller keeps locking it. */
  static void contendLock(Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    Thread holder = new Thread(() -> {
      while (System.nanoTime() < end) {
        LOCK.lock();
        try {
          sleepQuietly(40);
        } finally {
          LOCK.unlock();
        }
        sleepQuietly(1);
      }
    }, "workload-lock-holder");
    holder.start();
    while (System.nanoTime() < end) {
      lockParked();
    }
    holder.join();
  }

  static void lockParked() {
    LOCK.lock();
    try {
      sink++;
    } finally {
      LOCK.unlock();
    }
    sleepQuietly(1);
  }

  /** Starts and joins {@code n} short threads from {@link #startThreads}. */
  static void startThreads(int n) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> sink++, "workload-started-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  static void sleepQuietly(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
