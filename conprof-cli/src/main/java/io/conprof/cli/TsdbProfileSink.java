package io.conprof.cli;

import io.conprof.core.model.Labels;
import io.conprof.core.sink.ProfileSink;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.SampleRejectedException;
import io.conprof.tsdb.Tsdb;
import java.io.IOException;

/**
 * The scrape loop's sink over the embedded TSDB: one appender, append and commit per profile, so
 * {@link #append} returns once the profile is durable under the store's fsync policy. A sample the
 * store refuses (out of order, duplicate, too large) becomes an {@link IOException} with the
 * store's reason, which the scrape loop records and counts.
 */
final class TsdbProfileSink implements ProfileSink {
  private final Tsdb db;

  TsdbProfileSink(Tsdb db) {
    this.db = db;
  }

  @Override
  public void append(Labels labels, long timestampMillis, byte[] profile) throws IOException {
    Appender a = db.appender();
    try {
      a.append(labels, timestampMillis, profile);
      a.commit();
    } catch (SampleRejectedException e) {
      a.rollback();
      throw new IOException(e.getMessage(), e);
    }
  }
}
