package io.conprof.tsdb.head;

import io.conprof.core.model.Labels;
import io.conprof.tsdb.wal.WalFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series of the head: its labels and, per sample, the timestamp and where its bytes are in the
 * WAL (file, offset, length, CRC32C): 36 bytes of heap per sample whatever the profile's size.
 * Mutated only under the head's commit lock and write lock; read under the read lock.
 */
final class MemSeries {
  final long ref;
  final Labels labels;
  final SeriesKey key;
  long[] timestamps = new long[4];
  WalFile[] files = new WalFile[4];
  long[] offsets = new long[4];
  int[] lengths = new int[4];
  int[] crcs = new int[4];
  int count;
  /** Deleted intervals [min, max], inclusive. */
  final List<long[]> tombstones = new ArrayList<>();

  MemSeries(long ref, Labels labels, SeriesKey key) {
    this.ref = ref;
    this.labels = labels;
    this.key = key;
  }

  long firstTimestamp() {
    return count == 0 ? Long.MAX_VALUE : timestamps[0];
  }

  long lastTimestamp() {
    return count == 0 ? Long.MIN_VALUE : timestamps[count - 1];
  }

  void add(long ts, WalFile file, long offset, int length, int crc) {
    if (count == timestamps.length) {
      int n = count * 2;
      timestamps = Arrays.copyOf(timestamps, n);
      files = Arrays.copyOf(files, n);
      offsets = Arrays.copyOf(offsets, n);
      lengths = Arrays.copyOf(lengths, n);
      crcs = Arrays.copyOf(crcs, n);
    }
    timestamps[count] = ts;
    files[count] = file;
    offsets[count] = offset;
    lengths[count] = length;
    crcs[count] = crc;
    count++;
  }

  /** Drops samples and tombstones entirely before {@code mint}; returns how many samples went. */
  int dropBefore(long mint) {
    int i = 0;
    while (i < count && timestamps[i] < mint) {
      i++;
    }
    if (i > 0) {
      int n = count - i;
      System.arraycopy(timestamps, i, timestamps, 0, n);
      System.arraycopy(files, i, files, 0, n);
      System.arraycopy(offsets, i, offsets, 0, n);
      System.arraycopy(lengths, i, lengths, 0, n);
      System.arraycopy(crcs, i, crcs, 0, n);
      Arrays.fill(files, n, count, null);
      count = n;
    }
    tombstones.removeIf(t -> t[1] < mint);
    return i;
  }

  boolean deleted(long ts) {
    for (long[] t : tombstones) {
      if (ts >= t[0] && ts <= t[1]) {
        return true;
      }
    }
    return false;
  }

  /** Index of the last sample, or -1. */
  int last() {
    return count - 1;
  }
}
