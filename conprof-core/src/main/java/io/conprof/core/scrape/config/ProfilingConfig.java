package io.conprof.core.scrape.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A job's {@code profiling_config}: which profile types to fetch and where.
 *
 * <p>Defaults, as conprof: {@code allocs}, {@code block}, {@code goroutine}, {@code heap},
 * {@code mutex}, {@code threadcreate} at {@code /debug/pprof/<name>}, and {@code profile} (CPU) at
 * {@code /debug/pprof/profile} as a delta profile. A user's {@code pprof_config} merges with them:
 * unmentioned defaults stay enabled, a mentioned type is enabled unless {@code enabled: false},
 * missing fields come from the default, and new names are allowed with a {@code path}.
 *
 * @param pathPrefix prepended to every path (e.g. {@code /app}); empty for none
 * @param pprofConfig every profile type by name, sorted, including disabled ones
 */
public record ProfilingConfig(String pathPrefix, Map<String, PprofConfig> pprofConfig) {
  /** Paths of the default profile types. */
  public static final Map<String, String> DEFAULT_PATHS = Map.of(
      "allocs", "/debug/pprof/allocs",
      "block", "/debug/pprof/block",
      "goroutine", "/debug/pprof/goroutine",
      "heap", "/debug/pprof/heap",
      "mutex", "/debug/pprof/mutex",
      "profile", "/debug/pprof/profile",
      "threadcreate", "/debug/pprof/threadcreate");

  /** The CPU profile: the only default that is a delta profile. */
  public static final String CPU = "profile";

  public ProfilingConfig {
    Objects.requireNonNull(pathPrefix, "pathPrefix");
    if (!pathPrefix.isEmpty() && (!pathPrefix.startsWith("/") || pathPrefix.endsWith("/"))) {
      throw new IllegalArgumentException("path_prefix " + pathPrefix
          + " must start with / and not end with /");
    }
    pprofConfig = Collections.unmodifiableMap(new TreeMap<>(pprofConfig));
    pprofConfig.forEach((k, v) -> {
      if (!k.equals(v.name())) {
        throw new IllegalArgumentException("key " + k + " holds the config of " + v.name());
      }
    });
  }

  /** The default profile types, the CPU profile recorded for {@code cpuSeconds}. */
  public static ProfilingConfig defaults(int cpuSeconds) {
    Map<String, PprofConfig> m = new TreeMap<>();
    DEFAULT_PATHS.forEach((name, path) -> m.put(name, new PprofConfig(name, true, path,
        name.equals(CPU), name.equals(CPU) ? cpuSeconds : 0)));
    return new ProfilingConfig("", m);
  }

  /** The enabled profile types, by name. */
  public List<PprofConfig> enabled() {
    List<PprofConfig> out = new ArrayList<>();
    for (PprofConfig p : pprofConfig.values()) {
      if (p.enabled()) {
        out.add(p);
      }
    }
    return out;
  }

  /** The HTTP path to request for {@code p}: the prefix followed by its path. */
  public String requestPath(PprofConfig p) {
    return pathPrefix + p.path();
  }
}
