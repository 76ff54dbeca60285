package io.conprof.tsdb.head;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.block.SeriesSource;
import io.conprof.tsdb.wal.WalFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A snapshot of one head series over a time range, tombstones applied: timestamps in memory, bytes
 * read from the WAL (and CRC-checked) only when a sample is iterated.
 */
public final class HeadSeries implements SeriesSource {
  private final Labels labels;
  private final long[] timestamps;
  private final WalFile[] files;
  private final long[] offsets;
  private final int[] lengths;
  private final int[] crcs;

  HeadSeries(MemSeries s, long mint, long maxt) {
    this.labels = s.labels;
    int n = 0;
    int[] idx = new int[s.count];
    for (int i = 0; i < s.count; i++) {
      long t = s.timestamps[i];
      if (t >= mint && t <= maxt && !s.deleted(t)) {
        idx[n++] = i;
      }
    }
    timestamps = new long[n];
    files = new WalFile[n];
    offsets = new long[n];
    lengths = new int[n];
    crcs = new int[n];
    for (int j = 0; j < n; j++) {
      int i = idx[j];
      timestamps[j] = s.timestamps[i];
      files[j] = s.files[i];
      offsets[j] = s.offsets[i];
      lengths[j] = s.lengths[i];
      crcs[j] = s.crcs[i];
    }
  }

  @Override
  public Labels labels() {
    return labels;
  }

  public int size() {
    return timestamps.length;
  }

  /** The timestamps, ascending; no payload is read. */
  public long[] timestamps() {
    return timestamps.clone();
  }

  /** Total payload bytes of the snapshot. */
  public long payloadBytes() {
    long total = 0;
    for (int l : lengths) {
      total += l;
    }
    return total;
  }

  /** Reads the bytes of the {@code i}-th sample from the WAL. */
  public byte[] read(int i) throws IOException {
    return files[i].read(offsets[i], lengths[i], crcs[i]);
  }

  /** The samples in order; a read error surfaces as {@link UncheckedIOException}. */
  @Override
  public Iterator<Sample> samples() {
    return new Iterator<>() {
      private int i;

      @Override
      public boolean hasNext() {
        return i < timestamps.length;
      }

      @Override
      public Sample next() {
        if (i >= timestamps.length) {
          throw new NoSuchElementException();
        }
        try {
          Sample s = new Sample(timestamps[i], read(i));
          i++;
          return s;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  @Override
  public String toString() {
    return labels + " " + Arrays.toString(timestamps);
  }
}
