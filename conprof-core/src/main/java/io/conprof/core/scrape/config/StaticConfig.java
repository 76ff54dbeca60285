package io.conprof.core.scrape.config;

import io.conprof.core.model.Labels;
import java.util.List;
import java.util.Objects;

/**
 * One entry of {@code static_configs}: target addresses ({@code host:port}) and labels for all of
 * them.
 */
public record StaticConfig(List<String> targets, Labels labels) {
  public StaticConfig {
    targets = List.copyOf(targets);
    Objects.requireNonNull(labels, "labels");
    for (String t : targets) {
      if (t.isEmpty()) {
        throw new IllegalArgumentException("target address is empty");
      }
    }
  }
}
