package io.conprof.core.discovery;

/**
 * A kind of service discovery, found with {@link java.util.ServiceLoader}: list the implementing
 * class in {@code META-INF/services/io.conprof.core.discovery.DiscovererProvider}. The built-in
 * kinds are {@code static_configs} ({@link StaticDiscovererProvider}) and {@code file_sd_configs}
 * ({@link FileDiscovererProvider}); {@link Discovery} looks providers up by {@link #kind()}.
 *
 * @param <C> the config type of one entry under the kind's key in a scrape config
 */
public interface DiscovererProvider<C> {
  /** The scrape-config key this provider serves, e.g. {@code file_sd_configs}. */
  String kind();

  /** The class of one config entry. */
  Class<C> configType();

  /**
   * A discoverer for one config entry; {@code name} is unique within the job (e.g.
   * {@code file_sd_configs/0}) and prefixes the sources of the groups it sends.
   */
  Discoverer create(String name, C config, DiscoveryContext context);
}
