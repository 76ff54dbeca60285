package io.conprof.tsdb;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.tsdb.head.Head;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects samples and commits them as one batch. Not thread-safe: use one appender per thread
 * (they are cheap; {@link Tsdb#appender()} makes a new one). Concurrent commits from many appenders
 * share WAL fsyncs.
 */
public final class Appender {
  private final Tsdb db;
  private final ProfileReader reader;
  private final long maxSampleBytes;
  private final List<Head.Pending> pending = new ArrayList<>();

  Appender(Tsdb db, long maxSampleBytes) {
    this.db = db;
    this.maxSampleBytes = maxSampleBytes;
    this.reader = ProfileReader.builder()
        .maxCompressedBytes(maxSampleBytes)
        .maxDecompressedBytes(maxSampleBytes)
        .build();
  }

  /**
   * Adds a profile to the batch. Gzip framing is removed here, so what is stored (and read back) is
   * the raw pprof protobuf. Order and duplicates are checked by {@link #commit()}.
   *
   * @throws SampleTooLargeException if the profile is empty or larger than maxSampleBytes
   * @throws io.conprof.core.pprof.InvalidProfileException if gzip data is damaged or inflates past
   *     the limit
   */
  public void append(Labels labels, long timestampMillis, byte[] profile)
      throws SampleRejectedException, IOException {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(profile, "profile");
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("a series needs at least one label");
    }
    if (profile.length == 0) {
      throw tooLarge(labels, 0);
    }
    if (profile.length > maxSampleBytes && !ProfileReader.isGzip(profile)) {
      throw tooLarge(labels, profile.length);
    }
    byte[] raw = reader.decompress(profile);
    if (raw.length == 0 || raw.length > maxSampleBytes) {
      throw tooLarge(labels, raw.length);
    }
    pending.add(new Head.Pending(labels, timestampMillis, raw));
  }

  private SampleTooLargeException tooLarge(Labels labels, long size) {
    SampleTooLargeException e = new SampleTooLargeException(labels, size, maxSampleBytes);
    db.countRejected(e);
    return e;
  }

  /**
   * Writes the batch to the WAL and returns once it is durable under the fsync policy; the samples
   * are then visible to new queriers. Atomic: if any sample is refused, none is stored and the batch
   * is discarded.
   */
  public void commit() throws SampleRejectedException, IOException {
    List<Head.Pending> batch = List.copyOf(pending);
    pending.clear();
    if (!batch.isEmpty()) {
      db.commit(batch);
    }
  }

  /** Discards the batch. */
  public void rollback() {
    pending.clear();
  }

  /** Samples waiting for {@link #commit()}. */
  public int pendingSamples() {
    return pending.size();
  }
}
