package io.conprof.tsdb;

import io.conprof.core.model.Labels;

/**
 * A sample the database refuses: out of order, duplicate, too old, too large, empty, or a new series
 * beyond the limit. Nothing of the batch it was in is stored. The message names the series (in
 * canonical label form) and the values involved.
 */
public class SampleRejectedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Labels series;

  SampleRejectedException(Labels series, String message) {
    super("series " + series + ": " + message);
    this.series = series;
  }

  /** The series the sample was for. */
  public Labels series() {
    return series;
  }
}
