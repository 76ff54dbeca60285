package io.conprof.core.scrape.config;

import io.conprof.core.model.Durations;
import io.conprof.core.relabel.RelabelConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One job of {@code scrape_configs}, with every default applied (from {@code global} and from
 * Prometheus/conprof).
 *
 * @param jobName the {@code job} label of everything this job stores; unique in a file
 * @param scrapeInterval time between two scrapes of one profile type of one target
 * @param scrapeTimeout deadline of one scrape; never longer than the interval
 * @param scheme {@code http} or {@code https}
 * @param params URL query parameters added to every request
 * @param basicAuth HTTP basic authentication, if configured
 * @param authorization the Authorization header (also from bearer_token/bearer_token_file)
 * @param tlsConfig TLS settings, {@link TlsConfig#DEFAULT} when absent
 * @param staticConfigs targets listed in the file
 * @param fileSdConfigs files of targets
 * @param relabelConfigs applied to each target × profile type before scraping
 * @param profilingConfig which profile types to fetch and where
 */
public record ScrapeConfig(
    String jobName,
    Duration scrapeInterval,
    Duration scrapeTimeout,
    String scheme,
    Map<String, List<String>> params,
    Optional<BasicAuth> basicAuth,
    Optional<Authorization> authorization,
    TlsConfig tlsConfig,
    List<StaticConfig> staticConfigs,
    List<FileSdConfig> fileSdConfigs,
    List<RelabelConfig> relabelConfigs,
    ProfilingConfig profilingConfig) {

  public ScrapeConfig {
    Objects.requireNonNull(jobName, "jobName");
    if (jobName.isEmpty()) {
      throw new IllegalArgumentException("job_name is empty");
    }
    checkTiming(scrapeInterval, scrapeTimeout);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("unknown scheme " + scheme + " (http or https)");
    }
    Map<String, List<String>> p = new LinkedHashMap<>();
    params.forEach((k, v) -> p.put(k, List.copyOf(v)));
    params = java.util.Collections.unmodifiableMap(p);
    Objects.requireNonNull(basicAuth, "basicAuth");
    Objects.requireNonNull(authorization, "authorization");
    if (basicAuth.isPresent() && authorization.isPresent()) {
      throw new IllegalArgumentException(
          "at most one of basic_auth, oauth2 & authorization must be configured");
    }
    Objects.requireNonNull(tlsConfig, "tlsConfig");
    staticConfigs = List.copyOf(staticConfigs);
    fileSdConfigs = List.copyOf(fileSdConfigs);
    relabelConfigs = List.copyOf(relabelConfigs);
    Objects.requireNonNull(profilingConfig, "profilingConfig");
  }

  static void checkTiming(Duration interval, Duration timeout) {
    Objects.requireNonNull(interval, "scrapeInterval");
    Objects.requireNonNull(timeout, "scrapeTimeout");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("scrape_interval must be greater than zero");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("scrape_timeout must be greater than zero");
    }
    if (timeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException(Durations.format(timeout)
          + " is greater than scrape_interval " + Durations.format(interval));
    }
  }
}
