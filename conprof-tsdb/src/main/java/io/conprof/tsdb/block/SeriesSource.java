package io.conprof.tsdb.block;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import java.util.Iterator;

/** One series to write: labels plus its samples in strictly increasing timestamp order. */
public interface SeriesSource {
  Labels labels();

  /** The samples, strictly increasing by timestamp; may be called once. */
  Iterator<Sample> samples();
}
