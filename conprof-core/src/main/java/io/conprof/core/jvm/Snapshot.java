package io.conprof.core.jvm;

import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileBuilder;
import io.conprof.core.pprof.ProfileBuilder.Frame;
import io.conprof.core.pprof.ValueType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One profile's data before it becomes pprof: header, and values by stack. It renders as a
 * {@link Profile} or as Go's {@code debug=1} text, and subtracts an earlier snapshot for delta
 * profiles ({@code seconds=N} on a cumulative profile), as Go's handler does.
 */
record Snapshot(JvmProfileType type, List<ValueType> sampleTypes, ValueType periodType, long period,
    long timeNanos, long durationNanos, String defaultSampleType, List<String> comments, String labelName,
    Map<StackTable.Key, long[]> samples) {

  Snapshot {
    sampleTypes = List.copyOf(sampleTypes);
    comments = List.copyOf(comments);
  }

  Profile toProfile() {
    ProfileBuilder b = ProfileBuilder.create(sampleTypes, periodType, period)
        .timeNanos(timeNanos)
        .durationNanos(durationNanos)
        .defaultSampleType(defaultSampleType);
    comments.forEach(b::addComment);
    samples.forEach((k, v) -> b.addSample(k.frames(), v,
        k.label().isEmpty() ? Map.of() : Map.of(labelName, k.label())));
    return b.build();
  }

  /** This snapshot minus {@code base}: stacks whose values all cancel are dropped. */
  Snapshot minus(Snapshot base, long newTimeNanos, long newDurationNanos) {
    LinkedHashMap<StackTable.Key, long[]> out = new LinkedHashMap<>();
    samples.forEach((k, v) -> out.put(k, v.clone()));
    base.samples.forEach((k, v) -> {
      long[] sum = out.computeIfAbsent(k, x -> new long[v.length]);
      for (int i = 0; i < sum.length; i++) {
        sum[i] -= v[i];
      }
    });
    out.values().removeIf(v -> {
      for (long x : v) {
        if (x != 0) {
          return false;
        }
      }
      return true;
    });
    return new Snapshot(type, sampleTypes, periodType, period, newTimeNanos, newDurationNanos,
        defaultSampleType, comments, labelName, out);
  }

  /** Go's legacy text form of this profile ({@code debug=1}); frames get pseudo addresses. */
  String toText() {
    StringBuilder out = new StringBuilder();
    Map<Frame, Integer> addresses = new HashMap<>();
    List<Map.Entry<StackTable.Key, long[]>> entries = new ArrayList<>(samples.entrySet());
    switch (type) {
      case HEAP, ALLOCS -> {
        long[] t = totals();
        out.append(String.format("heap profile: %d: %d [%d: %d] @ heap/%d\n", t[2], t[3], t[0], t[1], period));
        entries.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        for (Map.Entry<StackTable.Key, long[]> e : entries) {
          long[] v = e.getValue();
          out.append(String.format("%d: %d [%d: %d] @", v[2], v[3], v[0], v[1]));
          stackText(out, e.getKey(), addresses);
        }
      }
      case MUTEX, BLOCK -> {
        out.append(type == JvmProfileType.MUTEX ? "--- mutex:\n" : "--- contention:\n");
        out.append("cycles/second=1000000000\n");
        if (type == JvmProfileType.MUTEX) {
          out.append("sampling period=1\n");
        }
        entries.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        for (Map.Entry<StackTable.Key, long[]> e : entries) {
          out.append(e.getValue()[1]).append(' ').append(e.getValue()[0]).append(" @");
          stackText(out, e.getKey(), addresses);
        }
      }
      default -> {
        out.append(type.goName()).append(" profile: total ").append(totals()[0]).append('\n');
        entries.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        for (Map.Entry<StackTable.Key, long[]> e : entries) {
          out.append(e.getValue()[0]).append(" @");
          stackText(out, e.getKey(), addresses);
        }
      }
    }
    return out.toString();
  }

  private void stackText(StringBuilder out, StackTable.Key key, Map<Frame, Integer> addresses) {
    for (Frame f : key.frames()) {
      out.append(" 0x").append(Integer.toHexString(addresses.computeIfAbsent(f, x -> addresses.size() + 1)));
    }
    out.append('\n');
    if (!key.label().isEmpty()) {
      out.append("# labels: {\"").append(labelName).append("\":\"").append(key.label()).append("\"}\n");
    }
    for (Frame f : key.frames()) {
      out.append("#\t0x").append(Integer.toHexString(addresses.get(f))).append('\t').append(f.function())
          .append("+0x0\t").append(f.file().isEmpty() ? "?" : f.file()).append(':').append(f.line()).append('\n');
    }
    out.append('\n');
  }

  long[] totals() {
    long[] t = new long[sampleTypes.size()];
    for (long[] v : samples.values()) {
      for (int i = 0; i < t.length; i++) {
        t[i] += v[i];
      }
    }
    return t;
  }
}
