package io.conprof.core.discovery;

import java.util.List;
import java.util.function.Consumer;

/**
 * A running source of target groups: static configs, files, or any other mechanism a
 * {@link DiscovererProvider} plugs in.
 *
 * <p>Contract: after {@link #start}, the discoverer sends the full set of its groups once (possibly
 * empty), then only groups that changed. A group replaces the earlier group with the same
 * {@link TargetGroup#source()}; a group with no targets removes that source. The listener may be
 * called from any thread but never concurrently for one discoverer, and must not block for long.
 * A discoverer never fails as a whole: a source it cannot read is logged, and its last good groups
 * stay in effect.
 */
public interface Discoverer extends AutoCloseable {
  /** Starts discovery; call once. */
  void start(Consumer<List<TargetGroup>> listener);

  /** Stops discovery; no listener call starts after this returns. Idempotent. */
  @Override
  void close();
}
