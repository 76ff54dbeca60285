package io.conprof.core.discovery;

import io.conprof.core.scrape.config.FileSdConfig;

/** {@code file_sd_configs}: target groups from JSON or YAML files; see {@link FileDiscoverer}. */
public final class FileDiscovererProvider implements DiscovererProvider<FileSdConfig> {
  /** The config key served. */
  public static final String KIND = "file_sd_configs";

  /** For {@link java.util.ServiceLoader}. */
  public FileDiscovererProvider() {}

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Class<FileSdConfig> configType() {
    return FileSdConfig.class;
  }

  @Override
  public Discoverer create(String name, FileSdConfig config, DiscoveryContext context) {
    return new FileDiscoverer(config.files(), config.refreshInterval(), context);
  }
}
