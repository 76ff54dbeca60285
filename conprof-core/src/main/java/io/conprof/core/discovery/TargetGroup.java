package io.conprof.core.discovery;

import io.conprof.core.model.Labels;
import java.util.List;
import java.util.Objects;

/**
 * A set of targets found by one discoverer from one source (a file and index, a static config
 * entry), as Prometheus' {@code targetgroup.Group}.
 *
 * @param source identifies the group within its discoverer; a later group with the same source
 *     replaces it, and a group with no targets removes it
 * @param targets one label set per target, each with at least {@code __address__}
 * @param groupLabels labels common to every target of the group; a target's own labels win
 */
public record TargetGroup(String source, List<Labels> targets, Labels groupLabels) {
  public TargetGroup {
    Objects.requireNonNull(source, "source");
    targets = List.copyOf(targets);
    Objects.requireNonNull(groupLabels, "groupLabels");
  }

  /** The group that removes {@code source}'s targets. */
  public static TargetGroup empty(String source) {
    return new TargetGroup(source, List.of(), Labels.EMPTY);
  }
}
