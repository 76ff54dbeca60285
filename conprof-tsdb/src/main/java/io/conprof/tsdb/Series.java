package io.conprof.tsdb;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import java.io.IOException;
import java.util.Iterator;

/** One series selected by a {@link Querier}: its samples from every block and the head, merged. */
public interface Series {
  Labels labels();

  /**
   * The samples in the querier's range, ascending by timestamp, payloads as stored (uncompressed
   * pprof protobuf). Payloads are read lazily; a read error surfaces as {@link
   * java.io.UncheckedIOException}.
   */
  Iterator<Sample> samples() throws IOException;

  /** The timestamps in the querier's range, ascending; never reads or inflates a payload. */
  long[] timestamps() throws IOException;
}
