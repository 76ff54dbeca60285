package io.conprof.core.jvm;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads rankings out of snapshots the way {@code go tool pprof -top} ranks functions. */
final class ProfileAssert {
  private ProfileAssert() {}

  /** Functions ordered by flat value (value of samples whose leaf they are) in column {@code column}. */
  static List<String> topFlat(Snapshot s, int column) {
    Map<String, Long> flat = new HashMap<>();
    s.samples().forEach((k, v) -> flat.merge(k.frames().get(0).function(), v[column], Long::sum));
    return rank(flat);
  }

  /** Functions ordered by cumulative value (value of samples whose stack contains them). */
  static List<String> topCum(Snapshot s, int column) {
    Map<String, Long> cum = new HashMap<>();
    s.samples().forEach((k, v) -> {
      Set<String> seen = new HashSet<>();
      for (Frame f : k.frames()) {
        if (seen.add(f.function())) {
          cum.merge(f.function(), v[column], Long::sum);
        }
      }
    });
    return rank(cum);
  }

  private static List<String> rank(Map<String, Long> values) {
    return values.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .map(e -> e.getKey() + "=" + e.getValue())
        .toList();
  }

  /** The function names of a ranking (without "=value"). */
  static List<String> names(List<String> ranking) {
    return ranking.stream().map(r -> r.substring(0, r.lastIndexOf('='))).toList();
  }
}
