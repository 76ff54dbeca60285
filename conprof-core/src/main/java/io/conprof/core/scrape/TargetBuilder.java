package io.conprof.core.scrape;

import io.conprof.core.discovery.TargetGroup;
import io.conprof.core.model.Durations;
import io.conprof.core.model.Label;
import io.conprof.core.model.LabelNames;
import io.conprof.core.model.Labels;
import io.conprof.core.relabel.Relabeler;
import io.conprof.core.scrape.config.PprofConfig;
import io.conprof.core.scrape.config.ScrapeConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns discovered target groups into scrape targets, with Prometheus' label semantics and
 * conprof's one-target-per-profile-type rule.
 *
 * <p>For each discovered target (group labels, overridden by the target's own) and each enabled
 * profile type, in order:
 * <ol>
 *   <li>{@code __name__} = the type and {@code __profile_path__} = {@code path_prefix + path} are
 *       set; {@code job}, {@code __scheme__}, {@code __scrape_interval__},
 *       {@code __scrape_timeout__} and one {@code __param_<name>} per {@code params} entry (first
 *       value) are set unless discovery already set them; a delta profile (the CPU
 *       {@code profile}) gets {@code __param_seconds}, from {@code pprof_config.<type>.seconds}
 *       which the config derives as {@code scrape_timeout} − 1 s (whole seconds) when not given,
 *       so the profile is answered before the deadline. These are the discovered labels.</li>
 *   <li>The job's {@code relabel_configs} run; a {@code drop}/{@code keep}/{@code hashmod}-style
 *       rule can thus drop a profile type per target via {@code __name__}.</li>
 *   <li>{@code __address__} is required and must not contain {@code /}; without a port it gets
 *       {@code :80} ({@code http}) or {@code :443} ({@code https}). {@code __scrape_interval__}
 *       and {@code __scrape_timeout__} must be valid durations with timeout ≤ interval.</li>
 *   <li>{@code instance} defaults to the address. Every label starting with {@code __} except
 *       {@code __name__} is removed from the series labels.</li>
 *   <li>The URL is {@code __scheme__://__address____profile_path__?params}, where the params are
 *       the job's {@code params} with each {@code __param_<name>} label replacing the first
 *       value of {@code <name>}.</li>
 * </ol>
 * Targets whose series labels are equal are scraped once (the first one wins). A target dropped
 * by relabelling or invalid becomes a {@link DroppedTarget} with the reason.
 */
public final class TargetBuilder {
  static final String ADDRESS = "__address__";
  static final String SCHEME = "__scheme__";
  static final String PROFILE_PATH = "__profile_path__";
  static final String PARAM_PREFIX = "__param_";
  static final String SCRAPE_INTERVAL = "__scrape_interval__";
  static final String SCRAPE_TIMEOUT = "__scrape_timeout__";
  static final String DROPPED_BY_RELABELLING = "dropped by relabelling";

  private TargetBuilder() {}

  /** The targets of {@code job} given the groups its discoverers found. */
  public static TargetSet build(ScrapeConfig job, List<TargetGroup> groups) {
    Relabeler relabeler = new Relabeler(job.relabelConfigs());
    Map<Labels, ScrapeTarget> active = new TreeMap<>();
    List<DroppedTarget> dropped = new ArrayList<>();
    for (TargetGroup group : groups) {
      for (Labels target : group.targets()) {
        Labels.Builder base = group.groupLabels().toBuilder();
        for (Label l : target) {
          base.set(l.name(), l.value());
        }
        Labels discovered = base.build();
        for (PprofConfig p : job.profilingConfig().enabled()) {
          Labels pre = withScrapeLabels(job, p, discovered);
          Labels post = relabeler.process(pre);
          if (post == null) {
            dropped.add(new DroppedTarget(job.jobName(), pre, DROPPED_BY_RELABELLING));
            continue;
          }
          try {
            ScrapeTarget t = finish(job, pre, post);
            active.putIfAbsent(t.labels(), t);
          } catch (IllegalArgumentException e) {
            dropped.add(new DroppedTarget(job.jobName(), pre, e.getMessage()));
          }
        }
      }
    }
    return new TargetSet(new ArrayList<>(active.values()), dropped);
  }

  private static Labels withScrapeLabels(ScrapeConfig job, PprofConfig p, Labels discovered) {
    Labels.Builder b = discovered.toBuilder();
    b.set(LabelNames.METRIC_NAME, p.name());
    b.set(PROFILE_PATH, job.profilingConfig().requestPath(p));
    setIfAbsent(b, "job", job.jobName());
    setIfAbsent(b, SCHEME, job.scheme());
    setIfAbsent(b, SCRAPE_INTERVAL, Durations.format(job.scrapeInterval()));
    setIfAbsent(b, SCRAPE_TIMEOUT, Durations.format(job.scrapeTimeout()));
    for (Map.Entry<String, List<String>> e : job.params().entrySet()) {
      if (!e.getValue().isEmpty() && isLabelName(PARAM_PREFIX + e.getKey())) {
        setIfAbsent(b, PARAM_PREFIX + e.getKey(), e.getValue().get(0));
      }
    }
    if (p.delta()) {
      b.set(PARAM_PREFIX + "seconds", Integer.toString(p.seconds()));
    }
    return b.build();
  }

  private static boolean isLabelName(String name) {
    try {
      LabelNames.validate(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void setIfAbsent(Labels.Builder b, String name, String value) {
    if (b.get(name) == null) {
      b.set(name, value);
    }
  }

  private static ScrapeTarget finish(ScrapeConfig job, Labels discovered, Labels post) {
    String address = post.get(ADDRESS);
    if (address == null) {
      throw new IllegalArgumentException("no address");
    }
    if (post.get(LabelNames.METRIC_NAME) == null) {
      throw new IllegalArgumentException("no profile type: relabelling removed __name__");
    }
    String scheme = post.get(SCHEME) == null ? job.scheme() : post.get(SCHEME);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("invalid scheme \"" + scheme + "\" (http or https)");
    }
    if (address.contains("/")) {
      throw new IllegalArgumentException("\"" + address + "\" is not a valid hostname");
    }
    address = withDefaultPort(address, scheme);
    Duration interval = duration(post, SCRAPE_INTERVAL);
    Duration timeout = duration(post, SCRAPE_TIMEOUT);
    if (interval.isZero()) {
      throw new IllegalArgumentException("scrape interval cannot be 0");
    }
    if (timeout.isZero()) {
      throw new IllegalArgumentException("scrape timeout cannot be 0");
    }
    if (timeout.compareTo(interval) > 0) {
      throw new IllegalArgumentException("scrape timeout cannot be greater than scrape interval ("
          + Durations.format(timeout) + " > " + Durations.format(interval) + ")");
    }
    String path = post.get(PROFILE_PATH) == null ? "" : post.get(PROFILE_PATH);
    if (!path.isEmpty() && !path.startsWith("/")) {
      path = "/" + path;
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    job.params().forEach((k, v) -> params.put(k, new ArrayList<>(v)));
    Labels.Builder series = Labels.builder();
    for (Label l : post) {
      if (l.name().startsWith(PARAM_PREFIX)) {
        String name = l.name().substring(PARAM_PREFIX.length());
        List<String> values = params.computeIfAbsent(name, k -> new ArrayList<>());
        if (values.isEmpty()) {
          values.add(l.value());
        } else {
          values.set(0, l.value());
        }
      }
      if (!l.name().startsWith("__") || l.name().equals(LabelNames.METRIC_NAME)) {
        series.set(l.name(), l.value());
      }
    }
    if (series.get("instance") == null) {
      series.set("instance", address);
    }
    URI url;
    try {
      url = new URI(scheme + "://" + address + encodePath(path) + query(params));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid URL for " + address + path + ": " + e.getMessage());
    }
    if (url.getHost() == null) {
      throw new IllegalArgumentException("\"" + address + "\" is not a valid hostname");
    }
    return new ScrapeTarget(job.jobName(), series.build(), discovered, url, interval, timeout);
  }

  private static Duration duration(Labels l, String name) {
    String v = l.get(name);
    if (v == null) {
      throw new IllegalArgumentException(name + " is missing");
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("error parsing " + name + ": " + e.getMessage());
    }
  }

  /** Adds {@code :80} / {@code :443} to an address without a port. */
  static String withDefaultPort(String address, String scheme) {
    String port = scheme.equals("https") ? "443" : "80";
    if (address.startsWith("[")) {
      int close = address.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("\"" + address + "\" is not a valid hostname");
      }
      return close == address.length() - 1 ? address + ":" + port : address;
    }
    int colon = address.indexOf(':');
    if (colon < 0) {
      return address + ":" + port;
    }
    if (address.indexOf(':', colon + 1) >= 0) {
      // A bare IPv6 address: bracket it.
      return "[" + address + "]:" + port;
    }
    return address;
  }

  private static String encodePath(String path) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '/' || c == '-' || c == '.' || c == '_' || c == '~' || (c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        sb.append(c);
      } else {
        sb.append(URLEncoder.encode(String.valueOf(c), StandardCharsets.UTF_8).replace("+", "%20"));
      }
    }
    return sb.toString();
  }

  /** Go's {@code url.Values.Encode}: keys sorted, each value {@code key=value}, joined by &. */
  private static String query(Map<String, List<String>> params) {
    if (params.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, List<String>> e : new TreeMap<>(params).entrySet()) {
      for (String v : e.getValue()) {
        sb.append(sb.length() == 0 ? '?' : '&');
        sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
            .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }
}
