package io.conprof.core.scrape.config;

import java.util.Objects;

/**
 * One profile type to scrape from every target of a job; the result of merging the user's
 * {@code pprof_config} entry with the defaults.
 *
 * @param name the profile type; becomes the series' {@code __name__}
 * @param enabled false only when the user wrote {@code enabled: false}
 * @param path the HTTP path, e.g. {@code /debug/pprof/heap} (the job's path_prefix comes on top)
 * @param delta whether the profile is recorded over a window, requested with {@code ?seconds=}
 * @param seconds the window when {@code delta}, derived from the job's timing unless set; else 0
 */
public record PprofConfig(String name, boolean enabled, String path, boolean delta, int seconds) {
  public PprofConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path " + path + " must start with /");
    }
    if (delta ? seconds <= 0 : seconds != 0) {
      throw new IllegalArgumentException("seconds must be positive for a delta profile and 0"
          + " otherwise, got " + seconds + " for " + name);
    }
  }
}
