package io.conprof.query.ast;

/**
 * The {@code @} modifier: evaluate at a fixed time instead of the query's time.
 *
 * @param kind a timestamp, or the start or end of the query's range
 * @param timestampMillis Unix milliseconds for {@link Kind#TIMESTAMP}, 0 otherwise
 */
public record At(Kind kind, long timestampMillis) {
  /** What the {@code @} modifier names. */
  public enum Kind {
    /** {@code @ 1700000000.5}: a Unix time in seconds, kept as milliseconds. */
    TIMESTAMP,
    /** {@code @ start()}: the start of the query range (the query time for an instant query). */
    START,
    /** {@code @ end()}: the end of the query range (the query time for an instant query). */
    END
  }

  public At {
    if (kind == null) {
      throw new IllegalArgumentException("kind is null");
    }
    if (kind != Kind.TIMESTAMP && timestampMillis != 0) {
      throw new IllegalArgumentException("@ " + kind + " carries no timestamp");
    }
  }

  public static At timestamp(long timestampMillis) {
    return new At(Kind.TIMESTAMP, timestampMillis);
  }

  public static At start() {
    return new At(Kind.START, 0);
  }

  public static At end() {
    return new At(Kind.END, 0);
  }
}
