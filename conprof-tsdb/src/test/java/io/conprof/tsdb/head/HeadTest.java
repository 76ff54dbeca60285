package io.conprof.tsdb.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.model.Labels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadTest {
  static final Labels X = Labels.of("job", "x");
  static final Labels Y = Labels.of("job", "y");
  static final Head.Options OPTIONS = new Head.Options(10_000, 100, 1024);

  @TempDir Path dir;

  @Test
  void replay_skipsOldSamplesOfSeriesDroppedByTruncationWithoutCountingThemAsDamage()
      throws Exception {
    try (Head h = Head.open(dir, OPTIONS, new InMemorySeriesRegistry(), Long.MIN_VALUE)) {
      h.commit(List.of(new Head.Pending(X, 50, new byte[2000]))); // fills segment 1
      h.commit(List.of(new Head.Pending(X, 100, new byte[10]), new Head.Pending(Y, 2000, new byte[10])));
      h.truncate(1000); // X has nothing left: dropped; segment 1 is replaced by a checkpoint
      assertThat(h.stats().numSeries()).isEqualTo(1);
      assertThat(h.wal().segments().get(0).number()).isEqualTo(2);
    }
    try (Head h = Head.open(dir, OPTIONS, new InMemorySeriesRegistry(), Long.MIN_VALUE)) {
      Head.ReplaySummary r = h.replaySummary();
      assertThat(r.unknownSeriesSamples()).isZero();
      assertThat(r.belowMinValidSamples()).isEqualTo(1);
      assertThat(h.minValidTimeMillis()).isEqualTo(1000);
      assertThat(h.select(List.of(), Long.MIN_VALUE, Long.MAX_VALUE))
          .extracting(HeadSeries::labels).containsExactly(Y);
    }
  }

  @Test
  void truncate_keepsSeriesRefsUniqueAcrossRestarts() throws Exception {
    try (Head h = Head.open(dir, OPTIONS, new InMemorySeriesRegistry(), Long.MIN_VALUE)) {
      h.commit(List.of(new Head.Pending(X, 50, new byte[2000])));
      h.commit(List.of(new Head.Pending(Y, 2000, new byte[10])));
      h.truncate(1000);
    }
    InMemorySeriesRegistry registry = new InMemorySeriesRegistry();
    try (Head h = Head.open(dir, OPTIONS, registry, Long.MIN_VALUE)) {
      h.commit(List.of(new Head.Pending(X, 3000, new byte[10])));
      long xRef = registry.get(SeriesKey.of(X.toString())).seriesRef();
      long yRef = registry.get(SeriesKey.of(Y.toString())).seriesRef();
      assertThat(xRef).isNotEqualTo(yRef).isGreaterThan(2);
    }
  }
}
