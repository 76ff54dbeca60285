package io.conprof.query.web;

import io.conprof.core.model.JsonStrings;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.conprof.core.jvm.PprofEndpoint;
import io.conprof.core.scrape.TargetStatus;
import io.conprof.query.eval.QueryLimits;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * conprof's HTTP server: the query API ({@code /api/v1/*}, see {@link Api}), the web UI, the
 * operational endpoints ({@code /-/healthy}, {@code /-/ready}, {@code /-/reload}, {@code
 * /metrics}) and conprof's own Go-compatible {@code /debug/pprof}, on the JDK's HTTP server, so
 * nothing but Java is needed. It either owns a server ({@link Builder#build()}) or mounts its
 * handlers on a server the host application already runs ({@link Builder#mount(HttpServer)}).
 *
 * <p><b>Path prefix.</b> With an external URL such as {@code https://proxy/conprof}, everything is
 * served under {@code /conprof} (as Prometheus' {@code --web.external-url} does), and the UI uses
 * relative URLs only, so it works behind a reverse proxy that forwards that prefix.
 *
 * <p><b>Bounds.</b> Requests are handled by a fixed pool of threads; a form body is read up to 1
 * MiB, parameters up to {@value Params#MAX_PARAMS}; queries run under the {@link QueryLimits}
 * given (series, samples, bytes, timeout), which return partial results with warnings rather than
 * fail. JSON and text answers larger than 1 KiB are gzipped when the client accepts it.
 *
 * <p><b>Metrics.</b> {@code /metrics} serves request counts and durations per handler, the
 * store's head and block figures, and whatever the host adds (the scraper's metrics).
 */
public final class WebServer implements AutoCloseable {
  private static final int MAX_BODY_BYTES = 1 << 20;
  private static final int GZIP_MIN_BYTES = 1024;

  private final HttpServer server;
  private final boolean ownsServer;
  private final ExecutorService executor;
  private final HttpContext context;
  private final PprofEndpoint pprof;
  private final String prefix;
  private final Api api;
  private final StaticUi ui;
  private final Tsdb tsdb;
  private final Supplier<String> reload;
  private final Consumer<StringBuilder> extraMetrics;
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> durationNanos = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> handled = new ConcurrentHashMap<>();

  private WebServer(Builder b, HttpServer server, boolean ownsServer, ExecutorService executor) {
    this.server = server;
    this.ownsServer = ownsServer;
    this.executor = executor;
    this.prefix = b.prefix;
    this.tsdb = b.tsdb;
    this.reload = b.reload;
    this.extraMetrics = b.extraMetrics;
    this.api = new Api(b.tsdb, b.limits, b.targets, b.clock, version());
    this.ui = b.ui ? new StaticUi() : null;
    this.context = server.createContext(prefix.isEmpty() ? "/" : prefix, this::handle);
    this.pprof = b.pprof ? PprofEndpoint.mount(server, prefix + PprofEndpoint.DEFAULT_PREFIX) : null;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The path prefix everything is served under ("" or e.g. "/conprof"). */
  public String routePrefix() {
    return prefix;
  }

  /** The UI's URL on this machine, e.g. {@code http://127.0.0.1:10902/}. */
  public URI uri() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort() + prefix + "/");
  }

  static String version() {
    String v = WebServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private void handle(HttpExchange ex) throws IOException {
    long start = System.nanoTime();
    String handler = "other";
    int status = 500;
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      if (!path.startsWith(prefix)) {
        status = send(ex, 404, "text/plain; charset=utf-8", bytes("404 page not found\n"), Map.of());
        return;
      }
      String local = path.substring(prefix.length());
      if (local.isEmpty()) {
        ex.getResponseHeaders().set("Location", prefix + "/");
        status = send(ex, 302, "text/plain; charset=utf-8", new byte[0], Map.of());
        return;
      }
      handler = handlerName(local);
      status = route(ex, local);
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError | LinkageError e) {
      try {
        status = send(ex, 500, "text/plain; charset=utf-8", bytes("internal error: " + e + "\n"), Map.of());
      } catch (IOException | RuntimeException ignored) {
        // the response was already started; the client sees a broken answer
      }
    } finally {
      requests.computeIfAbsent(handler + "\u0000" + status, k -> new LongAdder()).increment();
      durationNanos.computeIfAbsent(handler, k -> new LongAdder()).add(System.nanoTime() - start);
      handled.computeIfAbsent(handler, k -> new LongAdder()).increment();
    }
  }

  private static String handlerName(String local) {
    if (local.startsWith("/api/v1/label/")) {
      return "/api/v1/label/:name/values";
    }
    if (local.startsWith("/api/v1/") || local.startsWith("/-/") || local.equals("/metrics")) {
      return local;
    }
    if (local.startsWith("/static/")) {
      return "/static";
    }
    return "/";
  }

  private int route(HttpExchange ex, String local) throws IOException {
    String method = ex.getRequestMethod();
    if (local.startsWith("/api/v1/")) {
      if (!method.equals("GET") && !method.equals("POST")) {
        return send(ex, 405, "text/plain; charset=utf-8", bytes("Only GET or POST requests allowed\n"),
            Map.of("Allow", List.of("GET, POST")));
      }
      Params params;
      try {
        params = new Params(ex.getRequestURI().getRawQuery(), formBody(ex));
      } catch (ApiException e) {
        return reply(ex, Api.Response.error(e));
      }
      return reply(ex, api.handle(local.substring("/api/v1/".length()), params));
    }
    switch (local) {
      case "/-/healthy" -> {
        return send(ex, 200, "text/plain; charset=utf-8", bytes("conprof is Healthy.\n"), Map.of());
      }
      case "/-/ready" -> {
        return send(ex, 200, "text/plain; charset=utf-8", bytes("conprof is Ready.\n"), Map.of());
      }
      case "/-/reload" -> {
        if (!method.equals("GET") && !method.equals("POST")) {
          return send(ex, 405, "text/plain; charset=utf-8", bytes("Only GET or POST requests allowed\n"), Map.of());
        }
        if (reload == null) {
          return send(ex, 404, "text/plain; charset=utf-8",
              bytes("nothing to reload: this server has no scrape configuration\n"), Map.of());
        }
        String error = reload.get();
        return error == null
            ? send(ex, 200, "text/plain; charset=utf-8", new byte[0], Map.of())
            : send(ex, 500, "text/plain; charset=utf-8", bytes("failed to reload config: " + error + "\n"), Map.of());
      }
      case "/metrics" -> {
        return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", bytes(metricsText()), Map.of());
      }
      default -> {
        return ui(ex, local);
      }
    }
  }

  private int ui(HttpExchange ex, String local) throws IOException {
    byte[] body = null;
    String name = null;
    if (ui != null) {
      if (local.equals("/") || local.equals("/graph") || local.equals("/profile") || local.equals("/targets")) {
        name = "index.html";
      } else if (local.startsWith("/static/")) {
        name = local.substring("/static/".length());
      } else if (local.equals("/favicon.ico") || local.equals("/favicon.svg")) {
        name = local.substring(1);
      }
      body = name == null ? null : ui.file(name);
    }
    if (body == null) {
      return send(ex, 404, "text/plain; charset=utf-8", bytes("404 page not found\n"), Map.of());
    }
    return send(ex, 200, StaticUi.contentType(name), body, Map.of(
        "Cache-Control", List.of(name.equals("index.html") ? "no-cache" : "max-age=300"),
        "Content-Security-Policy", List.of("default-src 'self'; img-src 'self' data: blob:; "
            + "style-src 'self' 'unsafe-inline'; connect-src 'self'; object-src 'none'; frame-ancestors 'self'")));
  }

  private static String formBody(HttpExchange ex) throws IOException {
    if (!ex.getRequestMethod().equals("POST")) {
      return null;
    }
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
      return null;
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        throw ApiException.badData("request body larger than " + MAX_BODY_BYTES + " bytes");
      }
      return new String(body, StandardCharsets.US_ASCII);
    }
  }

  private int reply(HttpExchange ex, Api.Response r) throws IOException {
    return send(ex, r.status(), r.contentType(), r.body(), r.headers());
  }

  private static int send(HttpExchange ex, int status, String contentType, byte[] body,
      Map<String, List<String>> headers) throws IOException {
    var h = ex.getResponseHeaders();
    h.set("Content-Type", contentType);
    h.set("X-Content-Type-Options", "nosniff");
    for (var e : headers.entrySet()) {
      for (String v : e.getValue()) {
        h.add(e.getKey(), v);
      }
    }
    if (status == 204 || body.length == 0) {
      ex.sendResponseHeaders(status, -1);
      return status;
    }
    byte[] out = body;
    String accept = ex.getRequestHeaders().getFirst("Accept-Encoding");
    if (body.length >= GZIP_MIN_BYTES && accept != null && accept.contains("gzip")
        && !contentType.equals("application/octet-stream") && !contentType.startsWith("image/png")) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(body.length / 4 + 64);
      try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
        gz.write(body);
      }
      out = buf.toByteArray();
      h.set("Content-Encoding", "gzip");
      h.add("Vary", "Accept-Encoding");
    }
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return status;
    }
    ex.sendResponseHeaders(status, out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
    return status;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  String metricsText() {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("# HELP conprof_http_requests_total Requests answered, by handler and status code.\n");
    sb.append("# TYPE conprof_http_requests_total counter\n");
    requests.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      String[] parts = e.getKey().split("\u0000");
      sb.append("conprof_http_requests_total{handler=");
      JsonStrings.quote(sb, parts[0]).append(",code=\"").append(parts[1]).append("\"} ")
          .append(e.getValue().sum()).append('\n');
    });
    sb.append("# HELP conprof_http_request_duration_seconds Time to answer requests, by handler.\n");
    sb.append("# TYPE conprof_http_request_duration_seconds summary\n");
    handled.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      sb.append("conprof_http_request_duration_seconds_sum{handler=");
      JsonStrings.quote(sb, e.getKey()).append("} ").append(durationNanos.get(e.getKey()).sum() / 1e9).append('\n');
      sb.append("conprof_http_request_duration_seconds_count{handler=");
      JsonStrings.quote(sb, e.getKey()).append("} ").append(e.getValue().sum()).append('\n');
    });
    if (tsdb != null) {
      TsdbStats s = tsdb.stats();
      gauge(sb, "conprof_tsdb_head_series", "Series in the head.", s.head().numSeries());
      gauge(sb, "conprof_tsdb_head_samples", "Profiles in the head.", s.head().numSamples());
      gauge(sb, "conprof_tsdb_wal_bytes", "Size of the write-ahead log.", s.head().walBytes());
      gauge(sb, "conprof_tsdb_blocks_loaded", "Blocks loaded.", s.blocks().size());
      gauge(sb, "conprof_tsdb_samples_rejected_total", "Samples refused since open.", s.rejected().total());
    }
    if (extraMetrics != null) {
      extraMetrics.accept(sb);
    }
    return sb.toString();
  }

  private static void gauge(StringBuilder sb, String name, String help, long value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(name.endsWith("_total") ? " counter\n" : " gauge\n");
    sb.append(name).append(' ').append(value).append('\n');
  }

  @Override
  public void close() {
    if (pprof != null) {
      pprof.close();
    }
    if (ownsServer) {
      server.stop(0);
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      server.removeContext(context);
    }
  }

  /** Settings of a {@link WebServer}. */
  public static final class Builder {
    private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 10902);
    private Tsdb tsdb;
    private QueryLimits limits = QueryLimits.DEFAULTS;
    private Supplier<TargetStatus> targets;
    private Supplier<String> reload;
    private Consumer<StringBuilder> extraMetrics;
    private String prefix = "";
    private boolean ui = true;
    private boolean pprof = true;
    private int threads = 16;
    private LongSupplier clock = System::currentTimeMillis;

    private Builder() {}

    /** Address to listen on; default 127.0.0.1:10902 (port 0: any free port). */
    public Builder address(InetSocketAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The store the API queries; without one, the query endpoints answer 503. */
    public Builder tsdb(Tsdb tsdb) {
      this.tsdb = tsdb;
      return this;
    }

    public Builder queryLimits(QueryLimits limits) {
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /** Where {@code /api/v1/targets} gets the scraper's targets; default: none (empty lists). */
    public Builder targets(Supplier<TargetStatus> targets) {
      this.targets = targets;
      return this;
    }

    /** What {@code /-/reload} runs: returns null on success, else the reason; default: 404. */
    public Builder reload(Supplier<String> reload) {
      this.reload = reload;
      return this;
    }

    /** Adds Prometheus text-format metrics of the host to {@code /metrics}. */
    public Builder extraMetrics(Consumer<StringBuilder> metrics) {
      this.extraMetrics = metrics;
      return this;
    }

    /**
     * The URL users reach conprof at, e.g. {@code http://proxy.example/conprof}: its path
     * becomes the prefix everything is served under. Null or a URL without a path: no prefix.
     *
     * @throws IllegalArgumentException when it is not an absolute http(s) URL or has a query
     */
    public Builder externalUrl(String url) {
      if (url == null || url.isEmpty()) {
        this.prefix = "";
        return this;
      }
      URI u;
      try {
        u = new URI(url);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("external URL " + url + ": " + e.getReason(), e);
      }
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
          || u.getRawAuthority() == null || u.getRawQuery() != null || u.getRawFragment() != null) {
        throw new IllegalArgumentException("external URL " + url
            + ": want an absolute http or https URL without query or fragment, e.g. http://host:10902/conprof");
      }
      String path = u.getRawPath() == null ? "" : u.getRawPath();
      while (path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      if (path.contains("//") || path.contains("/../") || path.endsWith("/..") || path.contains("/./")) {
        throw new IllegalArgumentException("external URL " + url + ": path " + path + " is not canonical");
      }
      this.prefix = path;
      return this;
    }

    /** Whether to serve the web UI; default true. */
    public Builder ui(boolean on) {
      this.ui = on;
      return this;
    }

    /** Whether to serve conprof's own {@code /debug/pprof}; default true. */
    public Builder pprof(boolean on) {
      this.pprof = on;
      return this;
    }

    /** Request threads of an owned server; default 16. */
    public Builder threads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + n);
      }
      this.threads = n;
      return this;
    }

    Builder clock(LongSupplier clock) {
      this.clock = clock;
      return this;
    }

    /** Binds the address and starts serving. */
    public WebServer build() throws IOException {
      HttpServer server = HttpServer.create(address, 128);
      AtomicInteger ids = new AtomicInteger();
      ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "conprof-web-" + ids.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      server.setExecutor(executor);
      WebServer web = new WebServer(this, server, true, executor);
      server.start();
      return web;
    }

    /** Mounts the handlers on the host's running (or not yet started) server under the prefix. */
    public WebServer mount(HttpServer host) {
      return new WebServer(this, Objects.requireNonNull(host, "host"), false, null);
    }
  }
}
