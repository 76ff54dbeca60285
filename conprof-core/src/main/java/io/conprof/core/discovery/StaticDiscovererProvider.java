package io.conprof.core.discovery;

import io.conprof.core.model.Labels;
import io.conprof.core.scrape.config.StaticConfig;
import java.util.List;
import java.util.function.Consumer;

/** {@code static_configs}: the targets written in the config, sent once. */
public final class StaticDiscovererProvider implements DiscovererProvider<StaticConfig> {
  /** The config key served. */
  public static final String KIND = "static_configs";

  /** For {@link java.util.ServiceLoader}. */
  public StaticDiscovererProvider() {}

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public Class<StaticConfig> configType() {
    return StaticConfig.class;
  }

  @Override
  public Discoverer create(String name, StaticConfig config, DiscoveryContext context) {
    TargetGroup group = group(name, config);
    return new Discoverer() {
      @Override
      public void start(Consumer<List<TargetGroup>> listener) {
        listener.accept(List.of(group));
      }

      @Override
      public void close() {}
    };
  }

  /** The one group of a static config; source {@code name}, as Prometheus names it by index. */
  static TargetGroup group(String name, StaticConfig config) {
    List<Labels> targets = config.targets().stream().map(t -> Labels.of("__address__", t)).toList();
    return new TargetGroup(name, targets, config.labels());
  }
}
