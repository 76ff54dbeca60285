package io.conprof.tsdb.wal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Collects replayed records as readable strings; sample bytes are read back and checked. */
final class RecordingHandler implements ReplayHandler {
  final List<String> events = new ArrayList<>();
  final List<byte[]> sampleBytes = new ArrayList<>();

  @Override
  public void series(long ref, List<String> nameValues) {
    events.add("series " + ref + " " + nameValues);
  }

  @Override
  public void sample(long ref, long ts, WalFile file, long offset, int length, int crc) {
    events.add("sample " + ref + " " + ts + " " + length);
    try {
      sampleBytes.add(file.read(offset, length, crc));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void tombstone(long ref, long minTimeMillis, long maxTimeMillis) {
    events.add("tombstone " + ref + " " + minTimeMillis + " " + maxTimeMillis);
  }

  @Override
  public void headState(long minValidTimeMillis, long nextSeriesRef) {
    events.add("state " + minValidTimeMillis + " " + nextSeriesRef);
  }
}
