package io.conprof.core.sink;

import io.conprof.core.model.Labels;
import java.io.IOException;

/**
 * Where collected profiles go: the scrape loop and the JVM self-profiler write here, and the TSDB
 * (or anything else: a remote writer, a test) implements it. Core knows nothing of the TSDB.
 *
 * <p>Contract: {@link #append} returns only once the profile is stored as durably as the sink
 * promises (for the TSDB: committed under its fsync policy). Implementations are thread-safe;
 * callers may append concurrently from many loops. A profile a sink refuses (out of order, too
 * large) raises an {@link IOException} whose message says why; the caller records it and goes on.
 */
@FunctionalInterface
public interface ProfileSink {
  /**
   * Stores one profile.
   *
   * @param labels the series: {@code __name__} (the profile type) plus e.g. {@code job}, {@code instance}
   * @param timestampMillis when the profile was taken (scrape start), ms since the epoch
   * @param profile pprof bytes, gzipped or raw protobuf
   */
  void append(Labels labels, long timestampMillis, byte[] profile) throws IOException;
}
