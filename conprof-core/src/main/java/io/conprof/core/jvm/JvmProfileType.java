package io.conprof.core.jvm;

import java.util.Optional;

/** The profiles the JVM profiler produces, named as Go's {@code net/http/pprof} names them. */
public enum JvmProfileType {
  /** CPU samples over a window (Go's {@code profile}). */
  CPU("profile"),
  /** Allocations since the profiler started. */
  ALLOCS("allocs"),
  /** Allocations since start with an estimate of what is live (Go's {@code heap}). */
  HEAP("heap"),
  /** Contended monitor entries (waiter stacks). */
  MUTEX("mutex"),
  /** Thread parks and contended monitor entries (waiter stacks). */
  BLOCK("block"),
  /** Current thread stacks, grouped (Go's {@code goroutine}). */
  GOROUTINE("goroutine"),
  /** Stacks that started threads. */
  THREADCREATE("threadcreate");

  private final String goName;

  JvmProfileType(String goName) {
    this.goName = goName;
  }

  /** Go's name for this profile, also the {@code __name__} label of stored profiles. */
  public String goName() {
    return goName;
  }

  /** The type Go calls {@code name}, if any. */
  public static Optional<JvmProfileType> fromGoName(String name) {
    for (JvmProfileType t : values()) {
      if (t.goName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
