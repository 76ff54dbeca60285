package io.conprof.core.scrape;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The production {@link ProfileFetcher}: one shared OkHttp client for every scrape of the process.
 *
 * <p>Design: all requests go through a single {@link Dispatcher} and {@link ConnectionPool}, so the
 * number of requests in flight is bounded globally ({@link Builder#maxConcurrentRequests}) and per
 * host ({@link Builder#maxConcurrentRequestsPerHost}); further requests wait in the dispatcher's
 * queue instead of opening connections. A fleet of 1,000 targets × 7 profile types therefore
 * never holds more than {@code maxConcurrentRequests} connections at once, and idle connections
 * are kept alive for reuse by the next scrape of the same target.
 *
 * <p>Timed requests have a lane of their own. A request with a positive {@code seconds} query
 * parameter ({@code /debug/pprof/profile?seconds=N}, delta profiles) is held by the server for
 * N seconds by design: it costs a sleeping connection and thread, not work. Such requests go
 * through a second dispatcher ({@link Builder#maxConcurrentTimedRequests}, no tighter per-host
 * limit) sharing the pool and threads, so that instant profiles never queue behind them. With a
 * single queue, 1,000 targets at a 10 s interval and the derived {@code seconds=9} need about
 * 900 CPU requests in flight; at a limit of 256 the queue grew without bound, CPU slots were
 * skipped and heap scrapes waited seconds behind CPU ones (measured in docs/benchmarks.md).
 * Timed requests in flight are about {@code targets × N / interval}, one per target at most.
 *
 * <p>A job's {@code tls_config} derives a client from the shared one ({@link OkHttpClient#newBuilder}
 * keeps the dispatcher and pool); derived clients are cached per settings and rebuilt when a CA,
 * certificate or key file changes on disk. Authentication is not the fetcher's business: callers
 * pass the {@code Authorization} header per request, so a bearer-token file is re-read each scrape.
 *
 * <p>The body is read in the dispatcher's thread while the request's slot is held, with the size
 * limit checked as bytes arrive (a too-large body is abandoned at the limit, never buffered whole)
 * and the per-call deadline covering connect, headers and the whole body, so a server that stalls
 * mid-body costs at most the timeout. Redirects are followed, as Prometheus follows them.
 * Every failure is reported as a {@link FetchResult}; nothing throws to the caller.
 *
 * <p>Threads: the dispatcher's pool ({@code conprof-scrape-http-N}, daemon, idle threads exit after
 * 60 s) is shut down by {@link #close()}. OkHttp's own process-wide helpers ({@code OkHttp
 * TaskRunner} for pool cleanup, {@code Okio Watchdog} for timeouts) are shared by every OkHttp
 * client in the JVM and exit by themselves when idle.
 */
public final class OkHttpProfileFetcher implements ProfileFetcher {
  private final OkHttpClient base;
  private final OkHttpClient timedBase;
  private final ExecutorService executor;
  private final String userAgent;
  private final Map<TlsKey, Clients> tlsClients = new ConcurrentHashMap<>();
  private final Set<CompletableFuture<FetchResult>> pending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private OkHttpProfileFetcher(Builder b) {
    AtomicInteger threadIds = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "conprof-scrape-http-" + threadIds.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Dispatcher dispatcher = new Dispatcher(executor);
    dispatcher.setMaxRequests(b.maxConcurrentRequests);
    dispatcher.setMaxRequestsPerHost(b.maxConcurrentRequestsPerHost);
    this.base = new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(b.maxIdleConnections, b.keepAlive.toMillis(), TimeUnit.MILLISECONDS))
        .followRedirects(true)
        .followSslRedirects(true)
        // The per-call deadline (FetchRequest.timeout) governs; no separate phase timeouts.
        .connectTimeout(Duration.ZERO)
        .readTimeout(Duration.ZERO)
        .writeTimeout(Duration.ZERO)
        .build();
    Dispatcher timedDispatcher = new Dispatcher(executor);
    timedDispatcher.setMaxRequests(b.maxConcurrentTimedRequests);
    timedDispatcher.setMaxRequestsPerHost(b.maxConcurrentTimedRequests);
    this.timedBase = base.newBuilder().dispatcher(timedDispatcher).build();
    this.userAgent = b.userAgent;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code User-Agent} sent when a request has none: {@code conprof/<version>}. */
  public static String defaultUserAgent() {
    String v = OkHttpProfileFetcher.class.getPackage().getImplementationVersion();
    return "conprof/" + (v == null ? "0.1.0" : v);
  }

  @Override
  public CompletableFuture<FetchResult> fetch(FetchRequest request) {
    String url = request.url().toString();
    if (closed.get()) {
      return CompletableFuture.completedFuture(FetchResult.failed(FetchResult.Failure.CANCELLED,
          getPrefix(url) + "the fetcher is closed"));
    }
    Clients clients;
    try {
      clients = clientFor(request.tls());
    } catch (IOException | GeneralSecurityException e) {
      return CompletableFuture.completedFuture(FetchResult.failed(FetchResult.Failure.TLS,
          getPrefix(url) + "tls_config: " + e.getMessage()));
    }
    HttpUrl httpUrl = HttpUrl.parse(url);
    if (httpUrl == null) {
      return CompletableFuture.completedFuture(FetchResult.failed(FetchResult.Failure.IO,
          getPrefix(url) + "not a valid HTTP URL"));
    }
    OkHttpClient client = isTimed(httpUrl) ? clients.timed : clients.instant;
    Request.Builder rb = new Request.Builder().url(httpUrl).get();
    boolean hasAgent = false;
    for (Map.Entry<String, String> h : request.headers().entrySet()) {
      rb.header(h.getKey(), h.getValue());
      hasAgent |= h.getKey().equalsIgnoreCase("User-Agent");
    }
    if (!hasAgent) {
      rb.header("User-Agent", userAgent);
    }
    Call call = client.newCall(rb.build());
    call.timeout().timeout(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture<FetchResult> future = new CompletableFuture<>();
    pending.add(future);
    future.whenComplete((r, t) -> {
      pending.remove(future);
      if (future.isCancelled()) {
        call.cancel();
      }
    });
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        future.complete(classify(e, url, request.timeout()));
      }

      @Override
      public void onResponse(Call c, Response response) {
        try (response) {
          future.complete(readResponse(c, response, url, request));
        }
      }
    });
    if (closed.get()) {
      call.cancel();
      future.complete(FetchResult.failed(FetchResult.Failure.CANCELLED, getPrefix(url) + "the fetcher is closed"));
    }
    return future;
  }

  private FetchResult readResponse(Call call, Response response, String url, FetchRequest request) {
    String status = response.code() + " " + reasonPhrase(response);
    ResponseBody body = response.body();
    long max = request.maxBodyBytes();
    long announced = body.contentLength();
    if (announced > max) {
      call.cancel();
      return FetchResult.failed(FetchResult.Failure.BODY_TOO_LARGE, getPrefix(url) + "response body of "
          + announced + " bytes (Content-Length) exceeds the limit of " + max + " bytes");
    }
    byte[] buf = new byte[(int) Math.min(Math.max(announced, 8192), max + 1)];
    int len = 0;
    try (InputStream in = body.byteStream()) {
      while (true) {
        if (len == buf.length) {
          if (len > max) {
            break;
          }
          buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, max + 1));
        }
        int n = in.read(buf, len, buf.length - len);
        if (n < 0) {
          break;
        }
        len += n;
      }
    } catch (IOException e) {
      return classify(e, url, request.timeout());
    }
    if (len > max) {
      call.cancel();
      return FetchResult.failed(FetchResult.Failure.BODY_TOO_LARGE, getPrefix(url)
          + "response body exceeds the limit of " + max + " bytes (reading stopped there)");
    }
    return FetchResult.response(response.code(), status, len == buf.length ? buf : Arrays.copyOf(buf, len));
  }

  private FetchResult classify(IOException e, String url, Duration timeout) {
    String prefix = getPrefix(url);
    if (closed.get()) {
      return FetchResult.failed(FetchResult.Failure.CANCELLED, prefix + "scrape cancelled: shutting down");
    }
    if (e instanceof SocketTimeoutException
        || (e instanceof InterruptedIOException && "timeout".equals(e.getMessage()))
        || "Canceled".equals(e.getMessage())) {
      // OkHttp's call timeout cancels the call; reads then fail with "Canceled" or "timeout".
      return FetchResult.failed(FetchResult.Failure.TIMEOUT,
          prefix + "context deadline exceeded (scrape_timeout " + formatDuration(timeout) + ")");
    }
    if (e instanceof ConnectException || e instanceof UnknownHostException || e instanceof NoRouteToHostException) {
      return FetchResult.failed(FetchResult.Failure.CONNECTION, prefix + describe(e));
    }
    if (e instanceof SSLException) {
      return FetchResult.failed(FetchResult.Failure.TLS, prefix + describe(e));
    }
    return FetchResult.failed(FetchResult.Failure.IO, prefix + describe(e));
  }

  private static String describe(Throwable e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !msg.contains(cause.getMessage())) {
      msg += ": " + cause.getMessage();
    }
    return msg;
  }

  private static String getPrefix(String url) {
    return "Get \"" + url + "\": ";
  }

  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s % 60 != 0 || s < 60) {
      return s + "s";
    }
    return (s / 60) + "m";
  }

  private static String reasonPhrase(Response response) {
    String m = response.message();
    if (m != null && !m.isEmpty()) {
      return m;
    }
    return switch (response.code()) {
      case 200 -> "OK";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 408 -> "Request Timeout";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }

  /** A request the server holds for {@code seconds} by design: a CPU or delta profile. */
  static boolean isTimed(HttpUrl url) {
    String seconds = url.queryParameter("seconds");
    if (seconds == null) {
      return false;
    }
    try {
      return Double.parseDouble(seconds) > 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The clients of one TLS setting: instant requests and timed ones, each with its dispatcher. */
  private record Clients(OkHttpClient instant, OkHttpClient timed) {}

  private Clients clientFor(TlsSettings tls) throws IOException, GeneralSecurityException {
    if (tls.equals(TlsSettings.DEFAULT)) {
      return new Clients(base, timedBase);
    }
    TlsKey key = new TlsKey(tls, mtime(tls.caFile()), mtime(tls.certFile()), mtime(tls.keyFile()));
    Clients c = tlsClients.get(key);
    if (c != null) {
      return c;
    }
    OkHttpClient instant = buildTlsClient(tls);
    c = new Clients(instant, instant.newBuilder().dispatcher(timedBase.dispatcher()).build());
    tlsClients.keySet().removeIf(k -> k.settings.equals(tls));
    tlsClients.put(key, c);
    return c;
  }

  private record TlsKey(TlsSettings settings, long caMtime, long certMtime, long keyMtime) {}

  private static long mtime(Path p) throws IOException {
    return p == null ? 0 : Files.getLastModifiedTime(p).toMillis();
  }

  private OkHttpClient buildTlsClient(TlsSettings tls) throws IOException, GeneralSecurityException {
    X509TrustManager tm;
    if (tls.insecureSkipVerify()) {
      tm = new TrustAll();
    } else {
      KeyStore trust = null;
      if (tls.caFile() != null) {
        trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (X509Certificate cert : PemFiles.certificates(tls.caFile())) {
          trust.setCertificateEntry("ca" + i++, cert);
        }
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      tm = (X509TrustManager) Arrays.stream(tmf.getTrustManagers())
          .filter(t -> t instanceof X509TrustManager).findFirst()
          .orElseThrow(() -> new GeneralSecurityException("no X509TrustManager available"));
    }
    KeyManagerFactory kmf = null;
    if (tls.certFile() != null) {
      List<X509Certificate> chain = PemFiles.certificates(tls.certFile());
      PrivateKey key = PemFiles.privateKey(tls.keyFile());
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("client", key, new char[0], chain.toArray(new X509Certificate[0]));
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[] {tm}, null);
    SSLSocketFactory sf = ctx.getSocketFactory();
    OkHttpClient.Builder b = base.newBuilder();
    HostnameVerifier defaultVerifier = base.hostnameVerifier();
    if (tls.serverName() != null) {
      sf = new ServerNameSocketFactory(sf, tls.serverName());
    }
    b.sslSocketFactory(sf, tm);
    if (tls.insecureSkipVerify()) {
      b.hostnameVerifier((host, session) -> true);
    } else if (tls.serverName() != null) {
      String name = tls.serverName();
      b.hostnameVerifier((host, session) -> defaultVerifier.verify(name, session));
    }
    return b.build();
  }

  /** Trusts every certificate: {@code insecure_skip_verify: true}. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Sends {@code server_name} in SNI by handing it to the JDK as the peer host name. */
  private static final class ServerNameSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final String serverName;

    ServerNameSocketFactory(SSLSocketFactory delegate, String serverName) {
      this.delegate = delegate;
      this.serverName = serverName;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return delegate.createSocket(s, serverName, port, autoClose);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return delegate.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return delegate.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return delegate.createSocket(address, port, localAddress, localPort);
    }
  }

  /** Idle connections in the shared pool, kept for reuse. */
  int idleConnectionCount() {
    return base.connectionPool().idleConnectionCount();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    base.dispatcher().cancelAll();
    timedBase.dispatcher().cancelAll();
    for (CompletableFuture<FetchResult> f : pending) {
      f.complete(FetchResult.failed(FetchResult.Failure.CANCELLED, "scrape cancelled: shutting down"));
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        org.slf4j.LoggerFactory.getLogger(OkHttpProfileFetcher.class)
            .warn("HTTP threads still running 10 s after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    base.connectionPool().evictAll();
  }

  /** Limits of the shared client. */
  public static final class Builder {
    private int maxConcurrentRequests = 256;
    private int maxConcurrentRequestsPerHost = 16;
    private int maxConcurrentTimedRequests = 2048;
    private int maxIdleConnections = 4096;
    private Duration keepAlive = Duration.ofMinutes(5);
    private String userAgent = defaultUserAgent();

    private Builder() {}

    /** Instant (not timed) requests in flight at once across all targets; more wait in a queue. Default 256. */
    public Builder maxConcurrentRequests(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentRequests must be >= 1, got " + n);
      }
      this.maxConcurrentRequests = n;
      return this;
    }

    /** Instant requests in flight at once to one host name (all its ports); default 16. */
    public Builder maxConcurrentRequestsPerHost(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentRequestsPerHost must be >= 1, got " + n);
      }
      this.maxConcurrentRequestsPerHost = n;
      return this;
    }

    /**
     * Timed requests ({@code ?seconds=N}, see the class comment) in flight at once, in their own
     * queue and not counted by the other limits; default 2048, enough for about 2,000 targets whose
     * CPU profile takes 9 s of a 10 s interval.
     */
    public Builder maxConcurrentTimedRequests(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConcurrentTimedRequests must be >= 1, got " + n);
      }
      this.maxConcurrentTimedRequests = n;
      return this;
    }

    /**
     * Idle keep-alive connections kept in the pool; default 4096, an instant and a timed one per
     * target of a 2,000-target fleet, each costing a file descriptor. (At 256, a fleet of 300
     * targets opened a new connection for a third of its scrapes, at 40% more CPU.)
     */
    public Builder maxIdleConnections(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxIdleConnections must be >= 0, got " + n);
      }
      this.maxIdleConnections = n;
      return this;
    }

    /** How long an idle connection is kept for reuse; default 5 minutes. */
    public Builder keepAlive(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("keepAlive must be positive, got " + d);
      }
      this.keepAlive = d;
      return this;
    }

    /** The {@code User-Agent} for requests that carry none; default {@code conprof/<version>}. */
    public Builder userAgent(String ua) {
      if (ua == null || ua.isBlank()) {
        throw new IllegalArgumentException("userAgent must not be blank");
      }
      this.userAgent = ua;
      return this;
    }

    public OkHttpProfileFetcher build() {
      return new OkHttpProfileFetcher(this);
    }
  }
}
