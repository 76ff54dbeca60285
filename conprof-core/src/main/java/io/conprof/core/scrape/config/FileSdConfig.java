package io.conprof.core.scrape.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One entry of {@code file_sd_configs}: files of target groups (JSON or YAML, in Prometheus'
 * file_sd format) and how often to re-read them besides on change.
 *
 * @param files path patterns, absolute after resolution against the config file's directory; the
 *     last path element may contain a {@code *} glob, and must end in .json, .yml or .yaml
 * @param refreshInterval re-read period (default 5m)
 */
public record FileSdConfig(List<String> files, Duration refreshInterval) {
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);

  public FileSdConfig {
    files = List.copyOf(files);
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "file service discovery config must contain at least one path name");
    }
    if (refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new IllegalArgumentException("refresh_interval must be greater than zero");
    }
  }
}
