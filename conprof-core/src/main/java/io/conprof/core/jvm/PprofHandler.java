package io.conprof.core.jvm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Go's {@code net/http/pprof} contract (Go 1.19) on the JDK's HTTP server: the same paths, query
 * parameters, headers, status codes and error texts, so {@code go tool pprof} and scrapers cannot
 * tell a JVM from a Go program. Differences: a CPU profile request never fails because another
 * one runs (each gets its own window of the shared recording), {@code seconds} above the
 * configured maximum is refused with Go's {@code WriteTimeout} error, and {@code trace} and {@code
 * symbol} do not exist.
 */
final class PprofHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(PprofHandler.class);
  static final String TEXT = "text/plain; charset=utf-8";
  static final int DEFAULT_CPU_SECONDS = 30;

  private static final Map<String, String> DESCRIPTIONS = Map.of(
      "allocs", "A sampling of all past memory allocations",
      "block", "Stack traces that led to blocking on synchronization primitives",
      "cmdline", "The command line invocation of the current program",
      "goroutine", "Stack traces of all current goroutines",
      "heap", "A sampling of memory allocations of live objects. You can specify the gc GET parameter to run GC before taking the heap sample.",
      "mutex", "Stack traces of holders of contended mutexes",
      "profile", "CPU profile. You can specify the duration in the seconds GET parameter. After you get the profile file, use the go tool pprof command to investigate the profile.",
      "threadcreate", "Stack traces that led to the creation of new OS threads");

  private final JvmProfiler profiler;
  private final String prefix;
  private final int maxSeconds;

  PprofHandler(JvmProfiler profiler, String prefix, int maxSeconds) {
    this.profiler = profiler;
    this.prefix = prefix;
    this.maxSeconds = maxSeconds;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      route(ex);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      serveError(ex, 500, "interrupted");
    } catch (RuntimeException | Error e) {
      LOG.warn("pprof request {} failed", ex.getRequestURI(), e);
      serveError(ex, 500, "failed to collect profile");
    } finally {
      ex.close();
    }
  }

  private void route(HttpExchange ex) throws IOException, InterruptedException {
    String path = ex.getRequestURI().getPath();
    if (path.equals(prefix)) {
      ex.getResponseHeaders().set("Location", prefix + "/");
      ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      send(ex, 301, ("<a href=\"" + prefix + "/\">Moved Permanently</a>.\n\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (!path.startsWith(prefix + "/")) {
      ex.getResponseHeaders().set("Content-Type", TEXT);
      ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      send(ex, 404, "404 page not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    String name = path.substring(prefix.length() + 1);
    Map<String, String> query = parseQuery(ex.getRequestURI().getRawQuery());
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    switch (name) {
      case "" -> index(ex);
      case "cmdline" -> cmdline(ex);
      case "profile" -> cpu(ex, query);
      default -> named(ex, name, query);
    }
  }

  private void cpu(HttpExchange ex, Map<String, String> query) throws IOException, InterruptedException {
    long seconds = parseLong(query.getOrDefault("seconds", "")).orElse(0L);
    if (seconds <= 0) {
      seconds = DEFAULT_CPU_SECONDS;
    }
    if (seconds > maxSeconds) {
      serveError(ex, 400, "profile duration exceeds server's WriteTimeout");
      return;
    }
    byte[] body = profiler.cpuSnapshot(Duration.ofSeconds(seconds)).toProfile().toGzip();
    sendProfile(ex, "profile", body);
  }

  private void named(HttpExchange ex, String name, Map<String, String> query) throws IOException, InterruptedException {
    Optional<JvmProfileType> type = JvmProfileType.fromGoName(name).filter(t -> t != JvmProfileType.CPU);
    if (type.isEmpty()) {
      serveError(ex, 404, "Unknown profile");
      return;
    }
    String secondsText = query.getOrDefault("seconds", "");
    int debug = parseLong(query.getOrDefault("debug", "")).orElse(0L).intValue();
    if (!secondsText.isEmpty()) {
      long seconds = parseLong(secondsText).orElse(-1L);
      if (seconds <= 0) {
        serveError(ex, 400, "invalid value for \"seconds\" - must be a positive integer");
        return;
      }
      if (seconds > maxSeconds) {
        serveError(ex, 400, "profile duration exceeds server's WriteTimeout");
        return;
      }
      if (debug != 0) {
        serveError(ex, 400, "seconds and debug params are incompatible");
        return;
      }
      // JFR delivers events about a second late: wait for delivery before each read, so the delta
      // holds exactly the events of the N seconds between the reads.
      profiler.engine().awaitDelivery();
      Snapshot p0 = profiler.snapshot(type.get());
      Thread.sleep(Duration.ofSeconds(seconds).toMillis());
      profiler.engine().awaitDelivery();
      Snapshot p1 = profiler.snapshot(type.get());
      Snapshot delta = p1.minus(p0, p1.timeNanos(), p1.timeNanos() - p0.timeNanos());
      sendProfile(ex, name + "-delta", delta.toProfile().toGzip());
      return;
    }
    boolean gc = type.get() == JvmProfileType.HEAP && parseLong(query.getOrDefault("gc", "")).orElse(0L) > 0;
    if (gc) {
      System.gc();
    }
    if (debug != 0) {
      String text = type.get() == JvmProfileType.GOROUTINE && debug >= 2
          ? ThreadStacks.dump()
          : profiler.snapshot(type.get()).toText();
      ex.getResponseHeaders().set("Content-Type", TEXT);
      send(ex, 200, text.getBytes(StandardCharsets.UTF_8));
      return;
    }
    Snapshot snapshot = gc ? profiler.heapSnapshot(0) : profiler.snapshot(type.get());
    sendProfile(ex, name, snapshot.toProfile().toGzip());
  }

  private static void cmdline(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("Content-Type", TEXT);
    send(ex, 200, String.join("\0", commandLine()).getBytes(StandardCharsets.UTF_8));
  }

  /** The JVM's command line: the launcher, its options, the main class or jar, and the arguments. */
  static List<String> commandLine() {
    ProcessHandle.Info info = ProcessHandle.current().info();
    List<String> args = new ArrayList<>();
    if (info.command().isPresent() && info.arguments().isPresent()) {
      args.add(info.command().get());
      args.addAll(List.of(info.arguments().get()));
      return args;
    }
    args.add(info.command().orElse("java"));
    args.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    String main = System.getProperty("sun.java.command", "");
    if (!main.isEmpty()) {
      args.addAll(List.of(main.split(" ")));
    }
    return args;
  }

  private void index(HttpExchange ex) throws IOException {
    TreeMap<String, Long> counts = new TreeMap<>();
    JfrEngine engine = profiler.engine();
    counts.put("allocs", (long) engine.allocs.size());
    counts.put("block", (long) engine.block.size());
    counts.put("cmdline", 0L);
    counts.put("goroutine", (long) ThreadStacks.count());
    counts.put("heap", (long) engine.allocs.size());
    counts.put("mutex", (long) engine.mutex.size());
    counts.put("profile", 0L);
    counts.put("threadcreate", ManagementFactory.getThreadMXBean().getTotalStartedThreadCount());
    StringBuilder b = new StringBuilder();
    b.append("<html>\n<head>\n<title>").append(escape(prefix)).append("/</title>\n<style>\n.profile-name{\n")
        .append("\tdisplay:inline-block;\n\twidth:6rem;\n}\n</style>\n</head>\n<body>\n")
        .append(escape(prefix)).append("/<br>\n<br>\nTypes of profiles available:\n<table>\n")
        .append("<thead><td>Count</td><td>Profile</td></thead>\n");
    counts.forEach((name, count) -> b.append("<tr><td>").append(count).append("</td><td><a href='")
        .append(name).append("?debug=1'>").append(name).append("</a></td></tr>\n"));
    b.append("</table>\n<a href=\"goroutine?debug=2\">full goroutine stack dump</a>\n<br>\n<p>\n")
        .append("Profile Descriptions:\n<ul>\n");
    counts.keySet().forEach(name -> b.append("<li><div class=profile-name>").append(name).append(": </div> ")
        .append(escape(DESCRIPTIONS.get(name))).append("</li>\n"));
    b.append("</ul>\n</p>\n</body>\n</html>");
    ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    send(ex, 200, b.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void sendProfile(HttpExchange ex, String filename, byte[] gzip) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
    ex.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + filename + "\"");
    send(ex, 200, gzip);
  }

  /** Go's {@code serveError}: text/plain, {@code X-Go-Pprof: 1}, no Content-Disposition, text and newline. */
  static void serveError(HttpExchange ex, int status, String text) throws IOException {
    ex.getResponseHeaders().set("Content-Type", TEXT);
    ex.getResponseHeaders().set("X-Go-Pprof", "1");
    ex.getResponseHeaders().remove("Content-Disposition");
    send(ex, status, (text + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    boolean head = "HEAD".equalsIgnoreCase(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The first value of each query parameter, as Go's {@code FormValue} returns it. */
  static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return out;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.putIfAbsent(key, value);
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** Go's {@code strconv.ParseInt(s, 10, 64)}: an optional sign and decimal digits, nothing else. */
  static Optional<Long> parseLong(String s) {
    if (!s.matches("[+-]?[0-9]+")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
  }
}
