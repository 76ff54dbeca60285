package io.conprof.query.eval;

import io.conprof.core.model.Labels;
import io.conprof.query.ast.ResultType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Series with the timestamps of their samples in a time range; payloads were not read.
 *
 * @param series sorted by labels
 * @param warnings see {@link QueryResult#warnings()}
 */
public record Timeline(List<Entry> series, List<String> warnings) implements QueryResult {
  public Timeline {
    series = List.copyOf(series);
    warnings = List.copyOf(warnings);
  }

  @Override
  public ResultType type() {
    return ResultType.TIMELINE;
  }

  @Override
  public boolean isEmpty() {
    return series.isEmpty();
  }

  /** Total number of timestamps over all series. */
  public long sampleCount() {
    long n = 0;
    for (Entry e : series) {
      n += e.count();
    }
    return n;
  }

  /**
   * One series of a timeline.
   *
   * @param labels the series' labels
   * @param timestampsMillis ascending sample timestamps, Unix milliseconds (copied in and out)
   */
  public record Entry(Labels labels, long[] timestampsMillis) {
    public Entry {
      Objects.requireNonNull(labels, "labels");
      timestampsMillis = timestampsMillis.clone();
    }

    @Override
    public long[] timestampsMillis() {
      return timestampsMillis.clone();
    }

    /** Number of samples. */
    public int count() {
      return timestampsMillis.length;
    }

    /** The i-th timestamp, without copying the array. */
    public long timestampMillis(int i) {
      return timestampsMillis[i];
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && labels.equals(e.labels)
          && Arrays.equals(timestampsMillis, e.timestampsMillis);
    }

    @Override
    public int hashCode() {
      return labels.hashCode() * 31 + Arrays.hashCode(timestampsMillis);
    }

    @Override
    public String toString() {
      return labels + " " + Arrays.toString(timestampsMillis);
    }
  }
}
