package io.conprof.tsdb;

/** Where the head keeps its series registry (canonical-label hash to series ref). */
public enum SeriesRegistryKind {
  /** A Chronicle Map file, {@code <dir>/head-series.cmap}, off the Java heap; needs JVM options. */
  CHRONICLE,
  /** A map on the Java heap, rebuilt from the WAL on every open; for tests and small embeddings. */
  IN_MEMORY
}
