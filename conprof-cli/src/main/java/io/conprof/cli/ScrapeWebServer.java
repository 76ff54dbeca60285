package io.conprof.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.conprof.core.jvm.PprofEndpoint;
import io.conprof.core.model.Label;
import io.conprof.core.model.Labels;
import io.conprof.core.scrape.DroppedTarget;
import io.conprof.core.scrape.ScrapeManager;
import io.conprof.core.scrape.TargetHealth;
import io.conprof.core.scrape.TargetStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The scrape command's HTTP endpoints, on the JDK's server: {@code /metrics} (the scraper's own
 * metrics, Prometheus text format), {@code /-/healthy}, {@code /-/ready}, {@code /-/reload}
 * (GET or POST; 200 when the config was re-applied, 500 with the reason when not) and
 * {@code /debug/pprof/*} (conprof's own profiles, Go-compatible, see {@link PprofEndpoint}) and
 * {@code /api/v1/targets?state=active|dropped|any} in the conprof/Prometheus JSON shape:
 * {@code {"status":"success","data":{"activeTargets":[...],"droppedTargets":[...]}}}.
 */
final class ScrapeWebServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final ScrapeManager manager;
  private final Supplier<String> reload;
  private final PprofEndpoint pprof;

  /**
   * @param reload re-reads and applies the config; returns null on success, else the reason
   */
  ScrapeWebServer(InetSocketAddress address, ScrapeManager manager, Supplier<String> reload) throws IOException {
    this.manager = manager;
    this.reload = reload;
    AtomicInteger ids = new AtomicInteger();
    // CPU profiles of conprof itself hold a thread for their whole duration: keep some spare.
    this.executor = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "conprof-web-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.server = HttpServer.create(address, 64);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    // conprof's own Go-compatible /debug/pprof (JFR-based), so conprof can profile itself.
    this.pprof = PprofEndpoint.mount(server, "/debug/pprof");
    server.start();
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      switch (path) {
        case "/metrics" -> {
          StringBuilder sb = new StringBuilder();
          manager.metrics().writeText(sb);
          send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", sb.toString());
        }
        case "/-/healthy" -> send(ex, 200, "text/plain; charset=utf-8", "conprof is Healthy.\n");
        case "/-/ready" -> send(ex, 200, "text/plain; charset=utf-8", "conprof is Ready.\n");
        case "/-/reload" -> {
          if (!method.equals("GET") && !method.equals("POST")) {
            send(ex, 405, "text/plain; charset=utf-8", "Only GET or POST requests allowed\n");
            return;
          }
          String error = reload.get();
          if (error == null) {
            send(ex, 200, "text/plain; charset=utf-8", "");
          } else {
            send(ex, 500, "text/plain; charset=utf-8", "failed to reload config: " + error + "\n");
          }
        }
        case "/api/v1/targets" -> {
          String state = query(ex.getRequestURI().getRawQuery(), "state");
          if (state == null || state.isEmpty()) {
            state = "any";
          }
          if (!state.equals("any") && !state.equals("active") && !state.equals("dropped")) {
            send(ex, 400, "application/json", "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":"
                + Json.quote("invalid state " + state + ": want active, dropped or any") + "}");
            return;
          }
          send(ex, 200, "application/json", targetsJson(manager.targets(), state));
        }
        default -> send(ex, 404, "text/plain; charset=utf-8", "404 page not found\n");
      }
    } catch (IOException | RuntimeException e) {
      try {
        send(ex, 500, "text/plain; charset=utf-8", "internal error: " + e.getMessage() + "\n");
      } catch (IOException | RuntimeException ignored) {
        // the response was already started
      }
    }
  }

  private static String query(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String kv : rawQuery.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      if (k.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  static String targetsJson(TargetStatus status, String state) {
    StringBuilder sb = new StringBuilder("{\"status\":\"success\",\"data\":{\"activeTargets\":[");
    if (!state.equals("dropped")) {
      boolean first = true;
      for (TargetHealth t : status.active()) {
        sb.append(first ? "" : ",");
        first = false;
        sb.append("{\"discoveredLabels\":");
        labels(sb, t.discoveredLabels());
        sb.append(",\"labels\":");
        labels(sb, t.labels());
        sb.append(",\"scrapePool\":").append(Json.quote(t.scrapePool()));
        sb.append(",\"scrapeUrl\":").append(Json.quote(t.scrapeUrl()));
        sb.append(",\"globalUrl\":").append(Json.quote(t.scrapeUrl()));
        sb.append(",\"lastError\":").append(Json.quote(t.lastError()));
        sb.append(",\"lastScrape\":").append(Json.quote(t.lastScrape()
            .map(DateTimeFormatter.ISO_INSTANT::format).orElse("0001-01-01T00:00:00Z")));
        sb.append(",\"lastScrapeDuration\":").append(t.lastScrapeDuration().toNanos() / 1e9);
        sb.append(",\"health\":").append(Json.quote(t.health().apiName()));
        sb.append(",\"profilesStored\":").append(t.profilesStored());
        sb.append('}');
      }
    }
    sb.append("],\"droppedTargets\":[");
    if (!state.equals("active")) {
      boolean first = true;
      for (DroppedTarget d : status.dropped()) {
        sb.append(first ? "" : ",");
        first = false;
        sb.append("{\"discoveredLabels\":");
        labels(sb, d.discoveredLabels());
        sb.append('}');
      }
    }
    return sb.append("]}}").toString();
  }

  static void labels(StringBuilder sb, Labels labels) {
    sb.append('{');
    boolean first = true;
    for (Label l : labels) {
      sb.append(first ? "" : ",");
      first = false;
      Json.quote(sb, l.name());
      sb.append(':');
      Json.quote(sb, l.value());
    }
    sb.append('}');
  }

  private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    pprof.close();
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
