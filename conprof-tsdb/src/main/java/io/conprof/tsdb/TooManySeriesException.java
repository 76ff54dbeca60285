package io.conprof.tsdb;

import io.conprof.core.model.Labels;

/** A new series when the head already holds {@link TsdbOptions#maxSeries()} series. */
public final class TooManySeriesException extends SampleRejectedException {
  private static final long serialVersionUID = 1L;

  public TooManySeriesException(Labels series, long maxSeries) {
    super(series, "new series refused: the head already holds the maximum of " + maxSeries
        + " series (maxSeries)");
  }
}
