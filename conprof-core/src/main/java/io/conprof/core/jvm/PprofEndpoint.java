package io.conprof.core.jvm;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Go's {@code /debug/pprof} endpoint for this JVM, on the JDK's own {@code com.sun.net.httpserver}.
 *
 * <p>Serves {@code /debug/pprof/} (an index), {@code profile?seconds=N} (CPU, default 30 s),
 * {@code allocs}, {@code heap} ({@code gc=1} runs {@code System.gc()} first), {@code mutex}, {@code
 * block}, {@code goroutine} ({@code debug=1} grouped text, {@code debug=2} a jstack-like dump),
 * {@code threadcreate} and {@code cmdline}, with Go 1.19's parameters, headers, status codes and
 * error texts; {@code seconds=N} on the named profiles returns a delta as Go's handler does. Any
 * number of CPU requests may overlap: each gets its own window of the JVM's one JFR recording.
 * {@code seconds} above {@link Builder#maxSeconds} (default 60) is refused with 400, as Go refuses
 * a duration beyond its server's {@code WriteTimeout}.
 *
 * <pre>{@code
 * PprofEndpoint endpoint = PprofEndpoint.builder().port(6060).start(); // 127.0.0.1:6060
 * // or, on the application's own server:
 * PprofEndpoint.mount(httpServer, "/debug/pprof");
 * }</pre>
 *
 * <p>By default it binds to 127.0.0.1 only: profiles reveal code structure and the command line,
 * so expose them deliberately. Requests run on a small pool of daemon threads ({@link
 * Builder#threads}, default 4); further requests wait in line (never rejected, which the JDK
 * server would turn into dropped connections). {@link #close()} stops the server (or
 * removes the mounted context) and releases the profiler.
 */
public final class PprofEndpoint implements AutoCloseable {
  public static final String DEFAULT_PREFIX = "/debug/pprof";

  private final HttpServer server;
  private final HttpContext context;
  private final boolean ownsServer;
  private final ThreadPoolExecutor executor;
  private final JvmProfiler profiler;
  private final String prefix;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PprofEndpoint(HttpServer server, HttpContext context, boolean ownsServer, ThreadPoolExecutor executor,
      JvmProfiler profiler, String prefix) {
    this.server = server;
    this.context = context;
    this.ownsServer = ownsServer;
    this.executor = executor;
    this.profiler = profiler;
    this.prefix = prefix;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Mounts the endpoint with default settings under {@code prefix} (e.g. "/debug/pprof") of the host's server. */
  public static PprofEndpoint mount(HttpServer server, String prefix) {
    return builder().prefix(prefix).mount(server);
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The index page's URI, e.g. {@code http://127.0.0.1:6060/debug/pprof/}. */
  public URI uri() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort() + prefix + "/");
  }

  /** Whether JFR records; when not, only {@code goroutine} and {@code cmdline} have content. */
  public boolean jfrAvailable() {
    return profiler.jfrAvailable();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (ownsServer) {
        server.stop(0);
        executor.shutdownNow();
      } else {
        server.removeContext(context);
      }
    } finally {
      profiler.close();
    }
  }

  /** Settings of a {@link PprofEndpoint}. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 6060;
    private String prefix = DEFAULT_PREFIX;
    private int maxSeconds = 60;
    private int threads = 4;
    private JfrSettings settings = JfrSettings.defaults();

    private Builder() {}

    /** Interface to bind; default 127.0.0.1 (use "0.0.0.0" to listen on every interface). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Port to bind; default 6060, 0 for any free port. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /** Path under which the profiles are served; default "/debug/pprof". */
    public Builder prefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("?") || prefix.contains("#")) {
        throw new IllegalArgumentException(
            "prefix must start with '/' and not end with '/', like \"/debug/pprof\", got \"" + prefix + "\"");
      }
      this.prefix = prefix;
      return this;
    }

    /** Longest {@code seconds} a request may ask for; default 60. */
    public Builder maxSeconds(int maxSeconds) {
      if (maxSeconds < 1) {
        throw new IllegalArgumentException("maxSeconds must be positive, got " + maxSeconds);
      }
      this.maxSeconds = maxSeconds;
      return this;
    }

    /** Threads serving requests when the endpoint runs its own server; default 4. */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("threads must be between 1 and 64, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** JFR settings, used if this is the first profiler user in the JVM. */
    public Builder settings(JfrSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Starts a server of its own on {@link #host}:{@link #port}. */
    public PprofEndpoint start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "conprof-pprof-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
      executor.allowCoreThreadTimeOut(true);
      server.setExecutor(executor);
      JvmProfiler profiler = JvmProfiler.start(settings);
      try {
        HttpContext context = server.createContext(prefix, new PprofHandler(profiler, prefix, maxSeconds));
        server.start();
        return new PprofEndpoint(server, context, true, executor, profiler, prefix);
      } catch (RuntimeException e) {
        server.stop(0);
        executor.shutdownNow();
        profiler.close();
        throw e;
      }
    }

    /** Adds the endpoint to the host application's server, under {@link #prefix}. */
    public PprofEndpoint mount(HttpServer server) {
      Objects.requireNonNull(server, "server");
      JvmProfiler profiler = JvmProfiler.start(settings);
      try {
        HttpContext context = server.createContext(prefix, new PprofHandler(profiler, prefix, maxSeconds));
        return new PprofEndpoint(server, context, false, null, profiler, prefix);
      } catch (RuntimeException e) {
        profiler.close();
        throw e;
      }
    }
  }
}
