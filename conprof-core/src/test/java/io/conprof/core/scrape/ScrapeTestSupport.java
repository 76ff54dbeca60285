package io.conprof.core.scrape;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.conprof.core.model.Labels;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import io.conprof.core.sink.ProfileSink;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** A loopback HTTP server per target, an in-memory sink, config text and waiting helpers. */
final class ScrapeTestSupport {
  private ScrapeTestSupport() {}

  /** The raw protobuf of a valid profile with one sample type and no samples. */
  static final byte[] EMPTY_PROFILE = {
    0x0a, 0x04, 0x08, 0x01, 0x10, 0x02, // sample_type {type: 1, unit: 2}
    0x32, 0x00, // string_table ""
    0x32, 0x07, 's', 'a', 'm', 'p', 'l', 'e', 's',
    0x32, 0x05, 'c', 'o', 'u', 'n', 't',
  };

  static final AtomicInteger SERVER_IDS = new AtomicInteger();

  /** A JDK HTTP server on 127.0.0.1 with its own threads (named {@code test-http-*}). */
  static final class TestServer implements AutoCloseable {
    final HttpServer server;
    final ExecutorService executor;

    TestServer(HttpHandler handler) throws IOException {
      int id = SERVER_IDS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-http-" + id + "-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", handler);
      server.setExecutor(executor);
      server.start();
    }

    String address() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      executor.shutdownNow();
      try {
        executor.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static void respond(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** One stored profile. */
  record Stored(Labels labels, long timestampMillis, byte[] profile) {}

  /** A thread-safe in-memory sink. */
  static final class MemorySink implements ProfileSink {
    final List<Stored> stored = new ArrayList<>();

    @Override
    public synchronized void append(Labels labels, long timestampMillis, byte[] profile) {
      stored.add(new Stored(labels, timestampMillis, profile));
    }

    synchronized List<Stored> all() {
      return List.copyOf(stored);
    }

    synchronized List<Stored> of(String instance) {
      return stored.stream().filter(s -> instance.equals(s.labels().get("instance"))).toList();
    }
  }

  /** Disables every default profile type but {@code keep}. */
  static String onlyType(String keep) {
    StringBuilder sb = new StringBuilder("    profiling_config:\n      pprof_config:\n");
    for (String t : List.of("allocs", "block", "goroutine", "heap", "mutex", "profile", "threadcreate")) {
      if (!t.equals(keep)) {
        sb.append("        ").append(t).append(": {enabled: false}\n");
      }
    }
    return sb.toString();
  }

  /** A config with one job per address, scraping only the heap profile. */
  static ScrapeConfigFile heapJobs(String interval, String timeout, List<String> addresses) {
    StringBuilder sb = new StringBuilder("scrape_configs:\n");
    for (int i = 0; i < addresses.size(); i++) {
      sb.append("  - job_name: job").append(i).append('\n')
          .append("    scrape_interval: ").append(interval).append('\n')
          .append("    scrape_timeout: ").append(timeout).append('\n')
          .append(onlyType("heap"))
          .append("    static_configs:\n      - targets: ['").append(addresses.get(i)).append("']\n");
    }
    return ScrapeConfigFile.parse(sb.toString(), "test.yaml", Path.of("."));
  }

  /** Waits for a condition that the code under test makes true; fails after a generous deadline. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(20);
    }
  }

  static Set<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .collect(Collectors.toSet());
  }

  /**
   * Threads started since {@code before} that are still alive, except the test's own servers and
   * OkHttp's JVM-wide helpers (shared by every OkHttp client, they exit by themselves when idle).
   */
  static Set<String> leakedThreads(Set<String> before) {
    return threadNames().stream()
        .filter(n -> !before.contains(n))
        .filter(n -> !n.startsWith("test-http-") && !n.startsWith("OkHttp TaskRunner") && !n.equals("Okio Watchdog"))
        .collect(Collectors.toSet());
  }
}
