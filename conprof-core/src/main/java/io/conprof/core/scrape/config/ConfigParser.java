package io.conprof.core.scrape.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.conprof.core.model.Durations;
import io.conprof.core.model.GoStrings;
import io.conprof.core.model.LabelNames;
import io.conprof.core.model.Labels;
import io.conprof.core.model.RegexLimits;
import io.conprof.core.relabel.RelabelAction;
import io.conprof.core.relabel.RelabelConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Binds a YAML tree to the config records, with defaults and line-accurate errors. */
final class ConfigParser {
  /** Prometheus' pattern for file_sd paths: a glob only in the last element, a known extension. */
  private static final Pattern FILE_SD_PATTERN =
      Pattern.compile("^[^*]*(\\*[^/]*)?\\.(json|yml|yaml|JSON|YML|YAML)$");

  private final String source;
  private final Path baseDirectory;

  ConfigParser(String source, Path baseDirectory) {
    this.source = source;
    this.baseDirectory = baseDirectory;
  }

  ConfigException error(int line, String path, String reason) {
    return new ConfigException(source, line, path, reason);
  }

  ScrapeConfigFile parse(String yaml) {
    YamlNode root = new YamlTreeReader(source).read(yaml);
    MapView top = MapView.of(this, root, "", 1);
    GlobalConfig global = global(top.map("global"));
    List<YamlNode> jobs = top.list("scrape_configs");
    top.finish();
    List<ScrapeConfig> configs = new ArrayList<>(jobs.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < jobs.size(); i++) {
      String path = "scrape_configs[" + i + "]";
      MapView job = MapView.of(this, jobs.get(i), path, jobs.get(i).line());
      ScrapeConfig c = scrapeConfig(job, global);
      Integer previous = seen.putIfAbsent(c.jobName(), i);
      if (previous != null) {
        throw error(job.line("job_name"), job.path("job_name"),
            "found multiple scrape configs with job name " + GoStrings.quote(c.jobName())
                + " (also scrape_configs[" + previous + "])");
      }
      configs.add(c);
    }
    return new ScrapeConfigFile(global, configs);
  }

  private GlobalConfig global(MapView g) {
    Duration interval = positive(g, "scrape_interval");
    Duration timeout = positive(g, "scrape_timeout");
    Labels external = labels(g, "external_labels");
    g.finish();
    if (interval == null) {
      interval = GlobalConfig.DEFAULT_SCRAPE_INTERVAL;
    }
    if (timeout != null && timeout.compareTo(interval) > 0) {
      throw error(g.line("scrape_timeout"), g.path("scrape_timeout"), Durations.format(timeout)
          + " is greater than scrape_interval " + Durations.format(interval));
    }
    if (timeout == null) {
      timeout = GlobalConfig.DEFAULT_SCRAPE_TIMEOUT.compareTo(interval) > 0 ? interval
          : GlobalConfig.DEFAULT_SCRAPE_TIMEOUT;
    }
    return new GlobalConfig(interval, timeout, external);
  }

  private Duration positive(MapView m, String key) {
    Duration d = m.duration(key);
    if (d != null && d.isZero()) {
      throw error(m.line(key), m.path(key), "must be greater than zero");
    }
    return d;
  }

  private Labels labels(MapView m, String key) {
    Map<String, String> map = m.stringMap(key);
    MapView lm = m.map(key);
    for (Map.Entry<String, String> e : map.entrySet()) {
      try {
        LabelNames.validate(e.getKey());
        LabelNames.validateValue(e.getKey(), e.getValue());
      } catch (IllegalArgumentException ex) {
        throw error(lm.keyLine(e.getKey()), lm.path(e.getKey()), ex.getMessage());
      }
    }
    return Labels.of(map);
  }

  private ScrapeConfig scrapeConfig(MapView job, GlobalConfig global) {
    String jobName = job.requiredString("job_name");
    Duration interval = positive(job, "scrape_interval");
    Duration timeout = positive(job, "scrape_timeout");
    if (interval == null) {
      interval = global.scrapeInterval();
    }
    if (timeout != null && timeout.compareTo(interval) > 0) {
      throw error(job.line("scrape_timeout"), job.path("scrape_timeout"),
          Durations.format(timeout) + " is greater than scrape_interval "
              + Durations.format(interval));
    }
    if (timeout == null) {
      timeout = global.scrapeTimeout().compareTo(interval) > 0 ? interval : global.scrapeTimeout();
    }
    String scheme = job.string("scheme", "http");
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw error(job.line("scheme"), job.path("scheme"), "unknown scheme "
          + GoStrings.quote(scheme) + " (http or https)");
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    MapView pm = job.map("params");
    for (String k : pm.keys()) {
      params.put(k, pm.stringList(k));
    }

    Optional<BasicAuth> basicAuth = basicAuth(job);
    Optional<Authorization> authorization = authorization(job, basicAuth.isPresent());
    TlsConfig tls = tls(job.map("tls_config"));

    List<RelabelConfig> relabel = new ArrayList<>();
    List<YamlNode> rl = job.list("relabel_configs");
    for (int i = 0; i < rl.size(); i++) {
      String p = job.path("relabel_configs") + "[" + i + "]";
      relabel.add(relabelConfig(MapView.of(this, rl.get(i), p, rl.get(i).line())));
    }

    List<StaticConfig> statics = new ArrayList<>();
    List<YamlNode> sl = job.list("static_configs");
    for (int i = 0; i < sl.size(); i++) {
      String p = job.path("static_configs") + "[" + i + "]";
      statics.add(staticConfig(MapView.of(this, sl.get(i), p, sl.get(i).line()),
          relabel.isEmpty()));
    }
    List<FileSdConfig> files = new ArrayList<>();
    List<YamlNode> fl = job.list("file_sd_configs");
    for (int i = 0; i < fl.size(); i++) {
      String p = job.path("file_sd_configs") + "[" + i + "]";
      files.add(fileSdConfig(MapView.of(this, fl.get(i), p, fl.get(i).line())));
    }
    ProfilingConfig profiling = profilingConfig(job, timeout);
    job.finish();
    try {
      return new ScrapeConfig(jobName, interval, timeout, scheme, params, basicAuth,
          authorization, tls, statics, files, relabel, profiling);
    } catch (IllegalArgumentException e) {
      throw error(job.line(), job.path, e.getMessage());
    }
  }

  private Optional<BasicAuth> basicAuth(MapView job) {
    if (!job.has("basic_auth")) {
      return Optional.empty();
    }
    MapView b = job.map("basic_auth");
    String username = b.string("username", "");
    String password = b.string("password", null);
    String passwordFile = b.string("password_file", null);
    b.finish();
    if (password != null && passwordFile != null) {
      throw error(b.line("password_file"), b.path("password_file"),
          "at most one of basic_auth password & password_file must be configured");
    }
    return Optional.of(new BasicAuth(username, password,
        resolve(passwordFile, b, "password_file")));
  }

  private Optional<Authorization> authorization(MapView job, boolean hasBasicAuth) {
    String bearer = job.string("bearer_token", null);
    String bearerFile = job.string("bearer_token_file", null);
    boolean hasAuthorization = job.has("authorization");
    if (bearer != null && bearerFile != null) {
      throw error(job.line("bearer_token_file"), job.path("bearer_token_file"),
          "at most one of bearer_token & bearer_token_file must be configured");
    }
    boolean hasBearer = bearer != null || bearerFile != null;
    String bearerKey = bearer != null ? "bearer_token" : "bearer_token_file";
    if (hasBasicAuth && hasBearer) {
      throw error(job.line(bearerKey), job.path(bearerKey),
          "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be"
              + " configured");
    }
    if (hasAuthorization && hasBearer) {
      throw error(job.line("authorization"), job.path("authorization"),
          "authorization is not compatible with bearer_token & bearer_token_file");
    }
    if (hasAuthorization && hasBasicAuth) {
      throw error(job.line("authorization"), job.path("authorization"),
          "at most one of basic_auth, oauth2 & authorization must be configured");
    }
    if (hasBearer) {
      return Optional.of(new Authorization(Authorization.DEFAULT_TYPE, bearer,
          resolve(bearerFile, job, "bearer_token_file")));
    }
    if (!hasAuthorization) {
      return Optional.empty();
    }
    MapView a = job.map("authorization");
    String type = a.string("type", Authorization.DEFAULT_TYPE);
    String credentials = a.string("credentials", null);
    String credentialsFile = a.string("credentials_file", null);
    a.finish();
    try {
      return Optional.of(new Authorization(type.isEmpty() ? Authorization.DEFAULT_TYPE : type,
          credentials, resolve(credentialsFile, a, "credentials_file")));
    } catch (IllegalArgumentException e) {
      throw error(a.line(), a.path, e.getMessage());
    }
  }

  private TlsConfig tls(MapView t) {
    String ca = t.string("ca_file", null);
    String cert = t.string("cert_file", null);
    String key = t.string("key_file", null);
    String serverName = t.string("server_name", null);
    Boolean insecure = t.bool("insecure_skip_verify");
    t.finish();
    try {
      return new TlsConfig(resolve(ca, t, "ca_file"), resolve(cert, t, "cert_file"),
          resolve(key, t, "key_file"), serverName,
          insecure != null && insecure);
    } catch (IllegalArgumentException e) {
      throw error(t.line(), t.path, e.getMessage());
    }
  }

  private RelabelConfig relabelConfig(MapView r) {
    RelabelConfig.Builder b = RelabelConfig.builder();
    b.sourceLabels(r.stringList("source_labels"));
    String separator = r.string("separator", null);
    if (separator != null) {
      b.separator(separator);
    }
    String regex = r.string("regex", null);
    if (regex != null) {
      try {
        RegexLimits.check(regex);
      } catch (IllegalArgumentException e) {
        throw error(r.line("regex"), r.path("regex"), "bad regex " + GoStrings.quote(regex)
            + ": " + e.getMessage());
      }
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw error(r.line("regex"), r.path("regex"), "bad regex " + GoStrings.quote(regex)
            + ": " + e.getDescription());
      }
      b.regex(regex);
    }
    Long modulus = r.integer("modulus");
    if (modulus != null) {
      b.modulus(modulus);
    }
    String target = r.string("target_label", null);
    if (target != null) {
      b.targetLabel(target);
    }
    String replacement = r.string("replacement", null);
    if (replacement != null) {
      b.replacement(replacement);
    }
    String action = r.string("action", null);
    if (action != null) {
      try {
        b.action(RelabelAction.parse(action));
      } catch (IllegalArgumentException e) {
        throw error(r.line("action"), r.path("action"), e.getMessage());
      }
    }
    r.finish();
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw error(r.line(), r.path, e.getMessage());
    }
  }

  private StaticConfig staticConfig(MapView s, boolean noRelabelling) {
    List<String> targets = s.stringList("targets");
    for (int i = 0; i < targets.size(); i++) {
      String t = targets.get(i);
      String p = s.path("targets") + "[" + i + "]";
      if (t.isEmpty()) {
        throw error(s.line("targets"), p, "target address is empty");
      }
      if (noRelabelling && t.contains("/")) {
        throw error(s.line("targets"), p, GoStrings.quote(t) + " is not a valid hostname"
            + " (a target is host:port; paths come from profiling_config)");
      }
    }
    Labels labels = labels(s, "labels");
    s.finish();
    return new StaticConfig(targets, labels);
  }

  private FileSdConfig fileSdConfig(MapView f) {
    List<String> patterns = f.stringList("files");
    Duration refresh = positive(f, "refresh_interval");
    f.finish();
    if (patterns.isEmpty()) {
      throw error(f.line(), f.path,
          "file service discovery config must contain at least one path name");
    }
    List<String> resolved = new ArrayList<>();
    for (int i = 0; i < patterns.size(); i++) {
      String p = patterns.get(i);
      if (!FILE_SD_PATTERN.matcher(p).matches()) {
        throw error(f.line("files"), f.path("files") + "[" + i + "]", "path name "
            + GoStrings.quote(p) + " is not valid for file discovery (a glob is allowed only in"
            + " the last path element, and the name must end in .json, .yml or .yaml)");
      }
      resolved.add(resolve(p, f.line("files"), f.path("files") + "[" + i + "]").toString());
    }
    return new FileSdConfig(resolved,
        refresh == null ? FileSdConfig.DEFAULT_REFRESH_INTERVAL : refresh);
  }

  private ProfilingConfig profilingConfig(MapView job, Duration timeout) {
    MapView pc = job.map("profiling_config");
    String prefix = pc.string("path_prefix", "");
    if (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!prefix.isEmpty() && !prefix.startsWith("/")) {
      throw error(pc.line("path_prefix"), pc.path("path_prefix"), "must start with /");
    }
    MapView user = pc.map("pprof_config");
    pc.finish();

    Map<String, PprofConfig> merged = new TreeMap<>();
    for (Map.Entry<String, String> d : ProfilingConfig.DEFAULT_PATHS.entrySet()) {
      String name = d.getKey();
      if (!user.keys().contains(name)) {
        boolean delta = name.equals(ProfilingConfig.CPU);
        merged.put(name, new PprofConfig(name, true, d.getValue(), delta,
            delta ? derivedSeconds(job, name, timeout, true) : 0));
      }
    }
    for (String name : user.keys()) {
      String p = user.path(name);
      if (!LabelNames.isValidMetricName(name)) {
        throw error(user.keyLine(name), p, "profile type " + GoStrings.quote(name)
            + " is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
      }
      MapView e = user.map(name);
      Boolean enabled = e.bool("enabled");
      String path = e.string("path", null);
      Long seconds = e.integer("seconds");
      Boolean delta = e.bool("delta");
      e.finish();
      String defaultPath = ProfilingConfig.DEFAULT_PATHS.get(name);
      if (path == null) {
        if (defaultPath == null) {
          throw error(e.line(), p, "path is required for profile type "
              + GoStrings.quote(name) + ", which has no default");
        }
        path = defaultPath;
      }
      if (!path.startsWith("/")) {
        throw error(e.line("path"), e.path("path"), "must start with /, got "
            + GoStrings.quote(path));
      }
      boolean isDelta = delta != null ? delta : name.equals(ProfilingConfig.CPU);
      int secs = 0;
      if (seconds != null) {
        if (!isDelta) {
          throw error(e.line("seconds"), e.path("seconds"),
              "seconds is only used by delta profiles; set delta: true or remove it");
        }
        if (seconds < 1 || Duration.ofSeconds(seconds).compareTo(timeout) >= 0) {
          throw error(e.line("seconds"), e.path("seconds"), seconds
              + " must be at least 1 and less than scrape_timeout " + Durations.format(timeout)
              + " (the target records for that long before it answers)");
        }
        secs = seconds.intValue();
      } else if (isDelta) {
        secs = derivedSeconds(job, name, timeout, enabled == null || enabled);
      }
      merged.put(name, new PprofConfig(name, enabled == null || enabled, path, isDelta, secs));
    }
    return new ProfilingConfig(prefix, merged);
  }

  /**
   * One second less than the timeout (whole seconds), so the answer arrives before it. A timeout
   * under 2s leaves no room: refused for an enabled profile, 1s for a disabled one.
   */
  private int derivedSeconds(MapView job, String name, Duration timeout, boolean enabled) {
    long s = timeout.toSeconds() - 1;
    if (s < 1 && !enabled) {
      return 1;
    }
    if (s < 1) {
      throw error(job.line("scrape_timeout"), job.path("scrape_timeout"), "scrape_timeout "
          + Durations.format(timeout) + " is too short for the delta profile "
          + GoStrings.quote(name) + ": it needs at least 2s (1s of recording plus time to"
          + " answer)");
    }
    return (int) Math.min(s, Integer.MAX_VALUE);
  }

  private Path resolve(String file, MapView m, String key) {
    return resolve(file, m.line(key), m.path(key));
  }

  private Path resolve(String file, int line, String path) {
    if (file == null || file.isEmpty()) {
      return null;
    }
    try {
      return baseDirectory.resolve(file).normalize();
    } catch (InvalidPathException e) {
      throw error(line, path, "invalid path " + GoStrings.quote(file) + ": " + e.getReason());
    }
  }
}
