package io.conprof.core.discovery;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a discoverer may use from its host.
 *
 * @param scheduler for periodic work (polling, refreshing); owned by the host, never shut down by
 *     a discoverer
 * @param baseDirectory relative paths in the config resolve against it (the config file's directory)
 * @param pollInterval how often change detection (e.g. a file's modification time) runs
 */
public record DiscoveryContext(ScheduledExecutorService scheduler, Path baseDirectory, Duration pollInterval) {
  public DiscoveryContext {
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(baseDirectory, "baseDirectory");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
    }
  }
}
