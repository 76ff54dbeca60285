package io.conprof.core.discovery;

import java.util.Collection;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The discovery kinds available: every {@link DiscovererProvider} on the class path (through
 * {@link ServiceLoader}), keyed by {@link DiscovererProvider#kind()}.
 */
public final class Discovery {
  private final Map<String, DiscovererProvider<?>> providers;

  private Discovery(Map<String, DiscovererProvider<?>> providers) {
    this.providers = Map.copyOf(providers);
  }

  /**
   * Loads the providers visible to {@code loader}.
   *
   * @throws IllegalStateException if two providers claim the same kind
   */
  @SuppressWarnings("rawtypes")
  public static Discovery load(ClassLoader loader) {
    Map<String, DiscovererProvider<?>> m = new TreeMap<>();
    for (DiscovererProvider p : ServiceLoader.load(DiscovererProvider.class, loader)) {
      DiscovererProvider<?> old = m.put(p.kind(), p);
      if (old != null) {
        throw new IllegalStateException("two discovery providers for " + p.kind() + ": "
            + old.getClass().getName() + " and " + p.getClass().getName());
      }
    }
    return new Discovery(m);
  }

  /** The providers found by this class's own loader. */
  public static Discovery load() {
    return load(Discovery.class.getClassLoader());
  }

  /** The provider of {@code kind} with config type {@code configType}. */
  @SuppressWarnings("unchecked")
  public <C> DiscovererProvider<C> provider(String kind, Class<C> configType) {
    DiscovererProvider<?> p = providers.get(kind);
    if (p == null) {
      throw new IllegalArgumentException("no discovery provider for " + kind + " (have " + providers.keySet() + ")");
    }
    if (!p.configType().equals(configType)) {
      throw new IllegalArgumentException("discovery provider for " + kind + " takes "
          + p.configType().getName() + ", not " + configType.getName());
    }
    return (DiscovererProvider<C>) p;
  }

  /** The kinds available. */
  public Collection<String> kinds() {
    return providers.keySet();
  }
}
