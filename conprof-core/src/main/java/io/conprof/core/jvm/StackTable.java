package io.conprof.core.jvm;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values aggregated by stack (and one optional label value), bounded in the number of stacks.
 *
 * <p>Writers (the JFR callback thread) and readers (HTTP and self-profiler threads) meet on this
 * object's monitor; each critical section is a map update or a copy, so neither side waits long.
 * Once {@code maxStacks} distinct keys exist, new ones are counted under a single {@code [other]}
 * stack, so memory stays bounded however many distinct stacks the program produces.
 */
final class StackTable {
  /** A stack, leaf first, plus an optional label value ("" for none). */
  record Key(List<Frame> frames, String label) {}

  private static final Key OTHER = new Key(List.of(FrameNames.OTHER), "");

  private final int valueCount;
  private final int maxStacks;
  private final LinkedHashMap<Key, long[]> values = new LinkedHashMap<>();

  StackTable(int valueCount, int maxStacks) {
    this.valueCount = valueCount;
    this.maxStacks = maxStacks;
  }

  synchronized void add(List<Frame> frames, String label, long... v) {
    Key key = new Key(frames, label);
    long[] sum = values.get(key);
    if (sum == null) {
      if (values.size() >= maxStacks) {
        key = OTHER;
        sum = values.get(OTHER);
      }
      if (sum == null) {
        sum = new long[valueCount];
        values.put(key, sum);
      }
    }
    for (int i = 0; i < valueCount; i++) {
      sum[i] += v[i];
    }
  }

  /** A copy of the current values, in first-seen order. */
  synchronized Map<Key, long[]> copy() {
    LinkedHashMap<Key, long[]> out = new LinkedHashMap<>(values.size() * 2);
    values.forEach((k, v) -> out.put(k, v.clone()));
    return out;
  }

  synchronized void clear() {
    values.clear();
  }

  synchronized int size() {
    return values.size();
  }
}
