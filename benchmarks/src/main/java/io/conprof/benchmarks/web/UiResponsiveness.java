package io.conprof.benchmarks.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conprof.query.web.WebServer;
import io.conprof.tsdb.Tsdb;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.zip.GZIPInputStream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;

/**
 * Measures whether conprof's web UI stays responsive with 50 series × 1 day on the timeline and with
 * a flame graph of 100,000 nodes (issue 7), in headless Chromium driven by Selenium, against a real
 * {@link WebServer} over a real store (see {@link UiBenchStore}). A plain main, not a test: it
 * prints figures, it does not judge them.
 *
 * <p>What is timed, each {@code --runs} times (median and max are printed):
 *
 * <ul>
 *   <li><b>Timeline:</b> on a freshly loaded page, the selector is put into the expression box and
 *       Run is clicked (in one script); from that moment until the 50 timelines are drawn and the
 *       next frame produced ("total"), split into the API call ({@code query_range}'s resource
 *       timing, request start to response end) and the UI's {@code conprof:timeline-render} measure
 *       (building the rows and drawing, after the data arrived).
 *   <li><b>Timeline hover:</b> 100 real pointer moves (WebDriver actions, through Chromium's input
 *       pipeline) sweep left to right and top to bottom across the visible rows; frame intervals from
 *       {@code requestAnimationFrame} timestamps, each move's handler time (window capture listener
 *       to window bubble listener) and long tasks ({@code PerformanceObserver 'longtask'}, over 50 ms).
 *   <li><b>Flame graph open:</b> a real click on the dot of the 100,000-node profile; from the
 *       mouseup's {@code timeStamp} until the flame graph is drawn and the next frame produced, with
 *       the {@code report=flamegraph} API call (and its size on the wire and decoded) and the UI's
 *       {@code conprof:flamegraph-render} measure (flattening the tree and the first draw).
 *   <li><b>Zoom:</b> a real click on a frame a few levels down (about 10% of the total), and the
 *       Reset-zoom button: from the click's {@code timeStamp} until the frame after the redraw.
 *   <li><b>Search:</b> a regex set into the search box with one input event, until the match share is
 *       shown and the highlighted frame produced. The UI waits 120 ms after the last keystroke before
 *       it searches (a deliberate debounce), which is included in "total" and left out of "work".
 *   <li><b>Flame hover:</b> as for the timeline, across the flame graph's visible rows.
 * </ul>
 *
 * <p>Usage (see {@code benchmarks/scripts/ui-responsiveness.sh}): {@code UiResponsiveness
 * [--dir DIR] [--runs N] [--moves N] [--chromium PATH] [--chromedriver PATH] [--keep-open SECONDS]
 * [--serve-only SECONDS] [--cpu-profile true]}; {@code --cpu-profile true} adds a run of each load step
 * under Chromium's sampling profiler and prints where the page's main thread spent its time; {@code --keep-open} keeps the server up after the measurement, {@code
 * --serve-only} only serves the store (to look at it with a browser).
 */
public final class UiResponsiveness {
  private static final PrintStream OUT = System.out;
  private static final double DEBOUNCE_MS = 120;
  private static final long MOVE_MILLIS = 16;

  private UiResponsiveness() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parseArgs(args);
    Path dir = Path.of(opts.getOrDefault("--dir", "/tmp/conprof-bench/ui-store"));
    int runs = Integer.parseInt(opts.getOrDefault("--runs", "5"));
    int moves = Integer.parseInt(opts.getOrDefault("--moves", "100"));
    String chromium = opts.getOrDefault("--chromium", "/usr/bin/chromium");
    String chromedriver = opts.getOrDefault("--chromedriver", "/usr/bin/chromedriver");
    if (runs < 1 || moves < 2) {
      throw new IllegalArgumentException("--runs must be at least 1 and --moves at least 2");
    }

    UiBenchStore.Meta meta = UiBenchStore.existing(dir);
    if (meta == null) {
      OUT.println("building the store in " + dir + " (50 series x 1 day at 10 s, and a 100,000-node profile)");
      meta = UiBenchStore.build(dir, System.currentTimeMillis(), OUT);
    } else {
      OUT.println("reusing the store in " + dir);
    }
    OUT.printf(Locale.ROOT, "store: %,d profiles, %s to %s; flame profile %,d nodes, %,d bytes of raw pprof%n",
        meta.profiles(), java.time.Instant.ofEpochMilli(meta.fromMillis()),
        java.time.Instant.ofEpochMilli(meta.toMillis()), meta.flameNodes(), meta.flameRawBytes());

    try (Tsdb db = Tsdb.open(dir, UiBenchStore.options());
         WebServer server = WebServer.builder().tsdb(db)
             .address(new InetSocketAddress("127.0.0.1", 0)).build()) {
      URI base = server.uri();
      OUT.println("server: " + base);
      long serveOnly = Long.parseLong(opts.getOrDefault("--serve-only", "0"));
      if (serveOnly > 0) {
        OUT.printf(Locale.ROOT, "serving only, for %d s: %sgraph?query=%s&from=%d&to=%d&now=0%n", serveOnly, base,
            enc(UiBenchStore.FLAME_QUERY), meta.fromMillis(), meta.toMillis());
        Thread.sleep(serveOnly * 1000);
        return;
      }
      ApiFacts api = apiFacts(base, meta);
      OUT.printf(Locale.ROOT, "flamegraph JSON: %,d bytes (%,d gzip), %,d nodes, %d levels deep; "
          + "served in %.0f ms (Java client, warm-up)%n", api.jsonBytes, api.gzipBytes, api.nodes, api.maxDepth,
          api.millis);
      serverBreakdown();
      runBrowser(base, meta, api, runs, moves, chromium, chromedriver,
          Long.parseLong(opts.getOrDefault("--keep-open", "0")), Boolean.parseBoolean(opts.getOrDefault("--cpu-profile",
              "false")));
    }
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> known = List.of("--dir", "--runs", "--moves", "--chromium", "--chromedriver", "--keep-open",
        "--serve-only", "--cpu-profile");
    for (int i = 0; i < args.length; i++) {
      if (!known.contains(args[i]) || i + 1 == args.length) {
        throw new IllegalArgumentException("unknown option or missing value: " + args[i] + " (options: "
            + known + ")");
      }
      out.put(args[i], args[++i]);
    }
    return out;
  }

  // ---- the API's flame-graph JSON, fetched once outside the browser

  /** Facts about the flame-graph JSON and the frame chosen for the zoom click. */
  record ApiFacts(long jsonBytes, long gzipBytes, int nodes, int maxDepth, double millis, String zoomFrame,
      double zoomShare) {}

  private static ApiFacts apiFacts(URI base, UiBenchStore.Meta meta) throws Exception {
    String query = "api/v1/query?report=flamegraph&query=" + enc(UiBenchStore.FLAME_QUERY) + "&time="
        + meta.flameTimeMillis();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest req = HttpRequest.newBuilder(base.resolve(query)).header("Accept-Encoding", "gzip")
        .timeout(Duration.ofSeconds(60)).build();
    long t0 = System.nanoTime();
    HttpResponse<byte[]> res = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    double millis = (System.nanoTime() - t0) / 1e6;
    if (res.statusCode() != 200) {
      throw new IOException("flamegraph API: HTTP " + res.statusCode() + ": "
          + new String(res.body(), StandardCharsets.UTF_8));
    }
    byte[] gz = res.body();
    byte[] json;
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      json = in.readAllBytes();
    }
    // a minimal walk of {"n":..,"f":..,"v":..,"c":[..]}: count nodes and depth, find the shallowest
    // frame of about 10% of the total whose full name is not used by a shallower node
    JsonNode root = new ObjectMapper()
        .readTree(json).get("data");
    double total = root.get("v").asDouble();
    int[] count = {0};
    int[] maxDepth = {0};
    Map<String, Integer> shallowest = new LinkedHashMap<>();
    List<Object[]> candidates = new ArrayList<>();
    ArrayList<Object[]> stack = new ArrayList<>();
    stack.add(new Object[] {root, 0});
    while (!stack.isEmpty()) {
      Object[] top = stack.remove(stack.size() - 1);
      JsonNode n = (JsonNode) top[0];
      int depth = (Integer) top[1];
      count[0]++;
      maxDepth[0] = Math.max(maxDepth[0], depth);
      String full = n.get("f").asText();
      shallowest.merge(full, depth, Math::min);
      double share = n.get("v").asDouble() / total;
      if (depth >= 3 && share >= 0.05 && share <= 0.2) {
        candidates.add(new Object[] {full, depth, share});
      }
      JsonNode c = n.get("c");
      if (c != null) {
        for (JsonNode child : c) {
          stack.add(new Object[] {child, depth + 1});
        }
      }
    }
    String zoom = null;
    double zoomShare = 0;
    int zoomDepth = Integer.MAX_VALUE;
    for (Object[] c : candidates) {
      String full = (String) c[0];
      int depth = (Integer) c[1];
      if (shallowest.get(full) == depth && (depth < zoomDepth
          || depth == zoomDepth && Math.abs((Double) c[2] - 0.1) < Math.abs(zoomShare - 0.1))) {
        zoom = full;
        zoomDepth = depth;
        zoomShare = (Double) c[2];
      }
    }
    if (zoom == null) {
      throw new IllegalStateException("no frame of 5-20% of the total below level 3 to zoom into");
    }
    return new ApiFacts(json.length, gz.length, count[0], maxDepth[0], millis, zoom, zoomShare);
  }

  /**
   * The flamegraph report's parts, timed in this JVM outside the server (best of 5 after 3 warm-ups):
   * parsing the stored profile, building the tree, writing its JSON and gzipping that.
   */
  private static void serverBreakdown() throws Exception {
    byte[] raw = UiBenchStore.largeProfile(UiBenchStore.FLAME_NODES, 42).toByteArray();
    double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
    long jsonChars = 0;
    for (int i = 0; i < 8; i++) {
      long t0 = System.nanoTime();
      io.conprof.core.pprof.Profile p = io.conprof.core.pprof.ProfileReader.defaults().parse(raw);
      long t1 = System.nanoTime();
      io.conprof.core.pprof.FlameGraph g = io.conprof.core.pprof.FlameGraph.of(p, null);
      long t2 = System.nanoTime();
      String json = g.toJson();
      long t3 = System.nanoTime();
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
        gz.write(json.getBytes(StandardCharsets.UTF_8));
      }
      long t4 = System.nanoTime();
      jsonChars = json.length();
      if (i >= 3) {
        best[0] = Math.min(best[0], (t1 - t0) / 1e6);
        best[1] = Math.min(best[1], (t2 - t1) / 1e6);
        best[2] = Math.min(best[2], (t3 - t2) / 1e6);
        best[3] = Math.min(best[3], (t4 - t3) / 1e6);
      }
    }
    OUT.printf(Locale.ROOT, "flamegraph report in this JVM (best of 5): parse %.0f ms, tree %.0f ms, JSON %.0f ms "
        + "(%,d chars), gzip %.0f ms%n", best[0], best[1], best[2], jsonChars, best[3]);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ---- the browser

  private static void runBrowser(URI base, UiBenchStore.Meta meta, ApiFacts api, int runs, int moves,
      String chromium, String chromedriver, long keepOpenSeconds, boolean cpuProfile) throws Exception {
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(chromedriver))
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1000",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions");
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(90));
      String version = String.valueOf(driver.getCapabilities().getBrowserVersion());
      driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", PageProbe.INSTALL));
      Object viewport = driver.executeScript("return [innerWidth, innerHeight, devicePixelRatio]");
      OUT.println("browser: Chromium " + version + ", viewport " + viewport);

      String range = "&from=" + meta.fromMillis() + "&to=" + meta.toMillis() + "&now=0";
      List<Map<String, Object>> timeline = new ArrayList<>();
      Map<String, Object> timelineHover = null;
      for (int r = 0; r <= runs; r++) {
        driver.get(base + "graph?" + range.substring(1));
        driver.executeAsyncScript(PageProbe.WAIT_READY);
        Map<String, Object> one = check(driver.executeAsyncScript(PageProbe.SUBMIT_TIMELINE,
            UiBenchStore.TIMELINE_QUERY, 50), "timeline");
        if (r > 0) {
          timeline.add(one);
        }
        if (r == runs) {
          timelineHover = hover(driver, "[data-testid=series-canvas]", moves, 26);
        }
      }

      List<Map<String, Object>> open = new ArrayList<>();
      for (int r = 0; r <= runs; r++) {
        driver.get(base + "graph?query=" + enc(UiBenchStore.FLAME_QUERY) + range);
        driver.executeAsyncScript(PageProbe.WAIT_READY);
        WebElement canvas = driver.findElement(By.cssSelector("[data-testid=series-canvas]"));
        Map<?, ?> p = (Map<?, ?>) driver.executeScript("return conprof.pointPosition(0, 0)");
        clickAt(driver, canvas, num(p, "x"), num(p, "y"));
        Map<String, Object> one = check(driver.executeAsyncScript(PageProbe.WAIT_PROFILE), "flame graph open");
        if (r > 0) {
          open.add(one);
        }
      }
      driver.executeScript("document.getElementById('flamegraph').scrollIntoView({block: 'start'})");
      WebElement flame = driver.findElement(By.id("flamegraph"));
      List<Map<String, Object>> zoomIn = new ArrayList<>();
      List<Map<String, Object>> zoomOut = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        Map<?, ?> pos = (Map<?, ?>) driver.executeScript("return conprof.framePosition(arguments[0])", api.zoomFrame);
        if (pos == null) {
          throw new IllegalStateException("the UI does not find frame " + api.zoomFrame);
        }
        clickAt(driver, flame, num(pos, "x"), num(pos, "y"));
        zoomIn.add(check(driver.executeAsyncScript(PageProbe.WAIT_CLICK), "zoom"));
        new Actions(driver).moveToElement(driver.findElement(By.id("reset-zoom"))).click().perform();
        zoomOut.add(check(driver.executeAsyncScript(PageProbe.WAIT_CLICK), "reset zoom"));
      }
      List<Map<String, Object>> search = new ArrayList<>();
      List<Map<String, Object>> clear = new ArrayList<>();
      for (int r = 0; r < runs; r++) {
        search.add(check(driver.executeAsyncScript(PageProbe.SEARCH, r % 2 == 0 ? "Handler" : "Codec[0-9]\\.decode"),
            "search"));
        clear.add(check(driver.executeAsyncScript(PageProbe.SEARCH, ""), "clear search"));
      }
      Map<String, Object> flameHover = hover(driver, "#flamegraph", moves, 18);
      @SuppressWarnings("unchecked")
      List<Object> errors = (List<Object>) driver.executeScript("return window.__bench.errors");
      if (!errors.isEmpty()) {
        OUT.println("probe errors: " + errors);
      }
      report(timeline, timelineHover, open, zoomIn, zoomOut, search, clear, flameHover, api, runs, moves);
      if (cpuProfile) {
        OUT.println();
        OUT.println("Diagnosis, separate runs of the two load steps: first under a Chromium trace (self time of the "
            + "renderer main thread's trace events), then under the JavaScript sampling profiler (200 us; "
            + "self time per function, \"(program)\" is the browser's native work)");
        String devtools = String.valueOf(((Map<?, ?>) driver.getCapabilities().getCapability("goog:chromeOptions"))
            .get("debuggerAddress"));
        for (boolean traced : new boolean[] {true, false}) {
          driver.get(base + "graph?" + range.substring(1));
          driver.executeAsyncScript(PageProbe.WAIT_READY);
          PageTrace trace = traced ? startTrace(devtools) : null;
          if (!traced) {
            startProfiler(driver);
          }
          check(driver.executeAsyncScript(PageProbe.SUBMIT_TIMELINE, UiBenchStore.TIMELINE_QUERY, 50), "timeline");
          stopDiagnosis("timeline: submit → drawn", driver, trace);
          driver.get(base + "graph?query=" + enc(UiBenchStore.FLAME_QUERY) + range);
          driver.executeAsyncScript(PageProbe.WAIT_READY);
          WebElement canvas = driver.findElement(By.cssSelector("[data-testid=series-canvas]"));
          Map<?, ?> p = (Map<?, ?>) driver.executeScript("return conprof.pointPosition(0, 0)");
          trace = traced ? startTrace(devtools) : null;
          if (!traced) {
            startProfiler(driver);
          }
          clickAt(driver, canvas, num(p, "x"), num(p, "y"));
          check(driver.executeAsyncScript(PageProbe.WAIT_PROFILE), "flame graph open");
          stopDiagnosis("flame graph: click → drawn", driver, trace);
        }
      }
      if (keepOpenSeconds > 0) {
        OUT.println("keeping the server open for " + keepOpenSeconds + " s at " + base);
        Thread.sleep(keepOpenSeconds * 1000);
      }
    } finally {
      driver.quit();
      service.stop();
    }
  }

  private static PageTrace startTrace(String devtools) throws Exception {
    PageTrace trace = PageTrace.connect(devtools);
    trace.start();
    return trace;
  }

  private static void stopDiagnosis(String step, ChromeDriver driver, PageTrace trace) throws Exception {
    if (trace == null) {
      printProfile(step, driver);
      return;
    }
    try (trace) {
      List<Map.Entry<String, Double>> self = trace.stop();
      double total = self.stream().mapToDouble(Map.Entry::getValue).sum();
      OUT.printf(Locale.ROOT, "- %s, trace of the renderer main thread, %.0f ms of events:%n", step, total);
      self.stream().limit(14).forEach(e -> OUT.printf(Locale.ROOT, "  - %6.1f ms  %s%n", e.getValue(), e.getKey()));
    }
  }

  private static void startProfiler(ChromeDriver driver) {
    driver.executeCdpCommand("Profiler.enable", Map.of());
    driver.executeCdpCommand("Profiler.setSamplingInterval", Map.of("interval", 200));
    driver.executeCdpCommand("Profiler.start", Map.of());
  }

  /** Stops the profiler and prints the functions with the most self time (samples × their time deltas). */
  @SuppressWarnings("unchecked")
  private static void printProfile(String step, ChromeDriver driver) {
    Map<String, Object> profile = (Map<String, Object>) driver.executeCdpCommand("Profiler.stop", Map.of())
        .get("profile");
    driver.executeCdpCommand("Profiler.disable", Map.of());
    Map<Long, String> names = new java.util.HashMap<>();
    for (Object o : (List<Object>) profile.get("nodes")) {
      Map<String, Object> n = (Map<String, Object>) o;
      Map<String, Object> f = (Map<String, Object>) n.get("callFrame");
      String url = String.valueOf(f.get("url"));
      String fn = String.valueOf(f.get("functionName"));
      names.put(((Number) n.get("id")).longValue(), (fn.isEmpty() ? "(anonymous)" : fn)
          + (url.isEmpty() ? "" : " " + url.substring(url.lastIndexOf('/') + 1) + ":"
          + (((Number) f.get("lineNumber")).intValue() + 1)));
    }
    List<Object> samples = (List<Object>) profile.get("samples");
    List<Object> deltas = (List<Object>) profile.get("timeDeltas");
    Map<String, Double> self = new java.util.HashMap<>();
    double total = 0;
    for (int i = 0; i < samples.size(); i++) {
      // a sample's time is the delta to the next one
      double ms = i + 1 < deltas.size() ? ((Number) deltas.get(i + 1)).doubleValue() / 1000 : 0;
      self.merge(names.get(((Number) samples.get(i)).longValue()), ms, Double::sum);
      total += ms;
    }
    double busy = total - self.getOrDefault("(idle)", 0.0);
    OUT.printf(Locale.ROOT, "- %s, JavaScript profile: %.0f ms profiled, %.0f ms not idle%n", step, total, busy);
    self.entrySet().stream().filter(e -> !"(idle)".equals(e.getKey()))
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(12)
        .forEach(e -> OUT.printf(Locale.ROOT, "  - %6.1f ms  %s%n", e.getValue(), e.getKey()));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> check(Object result, String what) {
    Map<String, Object> m = (Map<String, Object>) result;
    if (m == null || m.get("error") != null && !"".equals(m.get("error"))) {
      throw new IllegalStateException(what + " failed in the page: " + m);
    }
    return m;
  }

  private static double num(Map<?, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalStateException("no number " + key + " in " + m);
    }
    return n.doubleValue();
  }

  /** A real click at (x, y) CSS px from the element's top left corner. */
  private static void clickAt(ChromeDriver driver, WebElement element, double x, double y) {
    Map<?, ?> rect = (Map<?, ?>) driver.executeScript(
        "const r = arguments[0].getBoundingClientRect(); return {left: r.left, top: r.top}", element);
    int vx = (int) Math.round(num(rect, "left") + x);
    int vy = (int) Math.round(num(rect, "top") + y);
    new Actions(driver).moveToLocation(vx, vy).click().perform();
  }

  /**
   * {@code moves} pointer moves over the visible part of the elements matching {@code css}: x from
   * left to right, y stepping through the rows ({@code rowPx} high) from top to bottom.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> hover(ChromeDriver driver, String css, int moves, int rowPx) {
    List<Map<String, Object>> rects = (List<Map<String, Object>>) driver.executeScript("""
        return [...document.querySelectorAll(arguments[0])].map(e => e.getBoundingClientRect())
          .map(r => ({left: r.left, top: Math.max(r.top, 0), right: r.right, bottom: Math.min(r.bottom, innerHeight)}))
          .filter(r => r.bottom - r.top >= 4);
        """, css);
    if (rects.isEmpty()) {
      throw new IllegalStateException("nothing visible to hover for " + css);
    }
    List<int[]> rows = new ArrayList<>();
    for (Map<String, Object> r : rects) {
      for (double y = num(r, "top") + rowPx / 2.0; y < num(r, "bottom") - 2; y += rowPx) {
        rows.add(new int[] {(int) Math.round(num(r, "left")), (int) Math.round(num(r, "right")), (int) Math.round(y)});
      }
    }
    // one W3C action sequence: a move every MOVE_MILLIS, about a mouse's report rate at 60 Hz
    PointerInput mouse = new PointerInput(PointerInput.Kind.MOUSE, "bench-mouse");
    Sequence path = new Sequence(mouse, 0);
    for (int i = 0; i < moves; i++) {
      int[] row = rows.get((int) ((long) i * rows.size() / moves));
      int x = row[0] + 3 + (int) Math.round((row[1] - row[0] - 6) * (double) i / (moves - 1));
      path.addAction(mouse.createPointerMove(Duration.ofMillis(MOVE_MILLIS), PointerInput.Origin.viewport(), x,
          row[2]));
    }
    Object start = driver.executeScript(PageProbe.START_HOVER);
    long t0 = System.nanoTime();
    driver.perform(List.of(path));
    double wallMillis = (System.nanoTime() - t0) / 1e6;
    Map<String, Object> out = check(driver.executeAsyncScript(PageProbe.STOP_HOVER, start), "hover");
    out.put("wallMillis", wallMillis);
    out.put("rows", rows.size());
    new Actions(driver).moveToLocation(1, 1).perform();
    return out;
  }

  // ---- the report

  @SuppressWarnings("unchecked")
  private static void report(List<Map<String, Object>> timeline, Map<String, Object> timelineHover,
      List<Map<String, Object>> open, List<Map<String, Object>> zoomIn, List<Map<String, Object>> zoomOut,
      List<Map<String, Object>> search, List<Map<String, Object>> clear, Map<String, Object> flameHover,
      ApiFacts api, int runs, int moves) {
    OUT.println();
    OUT.printf(Locale.ROOT, "%d runs each (after one warm-up run); times in ms, as median / max%n", runs);
    OUT.println("| step | total | before the request | API | response end → data parsed | UI render "
        + "| render → frame | long tasks (> 50 ms) in the step, +start:duration |");
    OUT.println("|---|---|---|---|---|---|---|---|");
    phases("timeline: submit → 50 series × 1 day drawn", timeline, List.of("api"));
    phases("flame graph: click a dot → 100k nodes drawn", open, List.of("graph", "top", "meta"));
    OUT.println();
    OUT.println("| interaction | total | parts | long tasks (> 50 ms), +start:duration |");
    OUT.println("|---|---|---|---|");
    OUT.printf(Locale.ROOT, "| zoom into a frame (click → frame drawn) | %s | frame work %s | %s |%n",
        medianMax(zoomIn, m -> d(m, "total")), medianMax(zoomIn, m -> d(m, "frameWork")), longTasks(zoomIn));
    OUT.printf(Locale.ROOT, "| reset zoom (click → frame drawn) | %s | frame work %s | %s |%n",
        medianMax(zoomOut, m -> d(m, "total")), medianMax(zoomOut, m -> d(m, "frameWork")), longTasks(zoomOut));
    OUT.printf(Locale.ROOT, "| search (input → highlighted frame) | %s | 120 ms debounce + search %s, frame work %s "
            + "| %s |%n", medianMax(search, m -> d(m, "total")), medianMax(search, m -> d(m, "applied") - d(m, "start")),
        medianMax(search, m -> d(m, "frameWork")), longTasks(search));
    OUT.printf(Locale.ROOT, "| clear search (input → frame) | %s | 120 ms debounce + search %s, frame work %s | %s |%n",
        medianMax(clear, m -> d(m, "total")), medianMax(clear, m -> d(m, "applied") - d(m, "start")),
        medianMax(clear, m -> d(m, "frameWork")), longTasks(clear));
    OUT.println();
    Map<String, Object> t0 = timeline.get(0);
    Map<String, Object> api0 = (Map<String, Object>) t0.get("api");
    OUT.printf(Locale.ROOT, "timeline: %s; query_range %,.0f bytes on the wire, %,.0f decoded%n",
        t0.get("status"), d(api0, "encodedBytes"), d(api0, "decodedBytes"));
    Map<String, Object> o0 = open.get(0);
    Map<String, Object> g0 = (Map<String, Object>) o0.get("graph");
    OUT.printf(Locale.ROOT, "flame graph: %,.0f nodes in the UI, %,.0f frames drawn; flamegraph JSON %,.0f bytes "
            + "on the wire, %,.0f decoded; API flamegraph %s, top %s, meta %s ms (in parallel)%n",
        d(o0, "nodes"), d(o0, "drawn"), d(g0, "encodedBytes"), d(g0, "decodedBytes"),
        medianMax(open, m -> d((Map<String, Object>) m.get("graph"), "duration")),
        medianMax(open, m -> d((Map<String, Object>) m.get("top"), "duration")),
        medianMax(open, m -> d((Map<String, Object>) m.get("meta"), "duration")));
    OUT.printf(Locale.ROOT, "zoom frame: %s (%.1f%% of the total); frames drawn zoomed: %s, unzoomed: %s%n",
        api.zoomFrame, api.zoomShare * 100, zoomIn.get(0).get("drawn"), zoomOut.get(0).get("drawn"));
    OUT.printf(Locale.ROOT, "search results: %s / %s%n", search.get(0).get("share"),
        search.size() > 1 ? search.get(1).get("share") : "");
    List<String> clicks = new ArrayList<>();
    for (Map<String, Object> m : zoomIn) {
      for (Object e : (List<Object>) m.get("events")) {
        clicks.add(String.format(Locale.ROOT, "%.0f", d((Map<String, Object>) e, "duration")));
      }
    }
    OUT.println("event timing of the zoom clicks (duration to the next paint, 8 ms steps, only those >= 16 ms): "
        + (clicks.isEmpty() ? "none" : String.join(", ", clicks)));
    OUT.println();
    OUT.println("| hover (" + moves + " pointer moves, one per " + MOVE_MILLIS + " ms) | frame interval median / p95 "
        + "/ max | handler per move median / p95 / max | input delay p95 / max | long tasks | moves on a frame or dot "
        + "| wall time of the moves |");
    OUT.println("|---|---|---|---|---|---|---|");
    hoverRow("timeline, 50 rows", timelineHover);
    hoverRow("flame graph, 100k nodes", flameHover);
    OUT.println();
    OUT.println("Where the time goes: the longest animation frames (Long Animation Frames API, frames over 50 ms) "
        + "of each step, all runs: duration = tasks before the frame's rendering + frame callbacks (rAF, "
        + "ResizeObserver) + style, layout and paint; then the longest scripts in it");
    loafs("timeline open", timeline);
    loafs("flame graph open", open);
    loafs("zoom", zoomIn);
    loafs("reset zoom", zoomOut);
    loafs("search", search);
    loafs("clear search", clear);
    loafs("timeline hover", List.of(timelineHover));
    loafs("flame graph hover", List.of(flameHover));
  }

  @SuppressWarnings("unchecked")
  private static void loafs(String step, List<Map<String, Object>> runs) {
    List<Map<String, Object>> all = new ArrayList<>();
    for (Map<String, Object> m : runs) {
      Object l = m.get("loafs");
      if (l instanceof List<?> list) {
        for (Object o : list) {
          all.add((Map<String, Object>) o);
        }
      }
    }
    all.sort((a, b) -> Double.compare(d(b, "duration"), d(a, "duration")));
    double sum = all.stream().mapToDouble(m -> d(m, "duration")).sum();
    OUT.printf(Locale.ROOT, "- %s: %d long frames in %d run(s), %.0f ms in all%n", step, all.size(), runs.size(), sum);
    for (Map<String, Object> f : all.subList(0, Math.min(3, all.size()))) {
      List<Map<String, Object>> scripts = new ArrayList<>((List<Map<String, Object>>) f.get("scripts"));
      scripts.sort((a, b) -> Double.compare(d(b, "duration"), d(a, "duration")));
      List<String> top = new ArrayList<>();
      for (Map<String, Object> sc : scripts.subList(0, Math.min(3, scripts.size()))) {
        top.add(String.format(Locale.ROOT, "%s %s (%s) %.0f ms%s", sc.get("invoker"), sc.get("fn"), sc.get("src"),
            d(sc, "duration"), d(sc, "forcedLayout") >= 1
                ? String.format(Locale.ROOT, ", forced layout %.0f ms", d(sc, "forcedLayout")) : ""));
      }
      OUT.printf(Locale.ROOT, "  - %.0f ms = %.0f tasks + %.0f frame callbacks + %.0f style/layout/paint; %s%n",
          d(f, "duration"), d(f, "tasks"), d(f, "frameCallbacks"), d(f, "styleLayoutPaint"),
          top.isEmpty() ? "no script" : String.join("; ", top));
    }
  }

  /** One row of phases: start → request start → max response end → measure start → measure end → end. */
  @SuppressWarnings("unchecked")
  private static void phases(String name, List<Map<String, Object>> runs, List<String> resources) {
    ToDoubleFunction<Map<String, Object>> reqStart = m -> resources.stream()
        .mapToDouble(r -> d((Map<String, Object>) m.get(r), "start")).min().orElse(Double.NaN);
    ToDoubleFunction<Map<String, Object>> respEnd = m -> resources.stream()
        .mapToDouble(r -> d((Map<String, Object>) m.get(r), "end")).max().orElse(Double.NaN);
    ToDoubleFunction<Map<String, Object>> renderStart = m -> d((Map<String, Object>) m.get("render"), "start");
    ToDoubleFunction<Map<String, Object>> renderEnd = m -> renderStart.applyAsDouble(m)
        + d((Map<String, Object>) m.get("render"), "duration");
    OUT.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", name,
        medianMax(runs, m -> d(m, "total")),
        medianMax(runs, m -> reqStart.applyAsDouble(m) - d(m, "start")),
        medianMax(runs, m -> respEnd.applyAsDouble(m) - reqStart.applyAsDouble(m)),
        medianMax(runs, m -> renderStart.applyAsDouble(m) - respEnd.applyAsDouble(m)),
        medianMax(runs, m -> d((Map<String, Object>) m.get("render"), "duration")),
        medianMax(runs, m -> d(m, "end") - renderEnd.applyAsDouble(m)),
        longTasks(runs));
  }

  private static double d(Map<String, Object> m, String key) {
    if (m == null || !(m.get(key) instanceof Number n)) {
      return Double.NaN;
    }
    return n.doubleValue();
  }

  @SuppressWarnings("unchecked")
  private static String longTasks(List<Map<String, Object>> runs) {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> m : runs) {
      for (Object o : (List<Object>) m.get("longTasks")) {
        Map<String, Object> t = (Map<String, Object>) o;
        out.add(String.format(Locale.ROOT, "+%.0f:%.0f", d(t, "start") - d(m, "start"), d(t, "duration")));
      }
    }
    return out.isEmpty() ? "none" : out.size() + ": " + String.join(", ", out);
  }

  private static String medianMax(List<Map<String, Object>> runs, ToDoubleFunction<Map<String, Object>> f) {
    double[] v = runs.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (v.length == 0) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.0f / %.0f", quantile(v, 0.5), v[v.length - 1]);
  }

  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  @SuppressWarnings("unchecked")
  private static void hoverRow(String name, Map<String, Object> h) {
    List<Object> frames = (List<Object>) h.get("frames");
    double[] intervals = new double[Math.max(0, frames.size() - 1)];
    for (int i = 1; i < frames.size(); i++) {
      intervals[i - 1] = ((Number) frames.get(i)).doubleValue() - ((Number) frames.get(i - 1)).doubleValue();
    }
    Arrays.sort(intervals);
    List<Object> moves = (List<Object>) h.get("moves");
    double[] handler = moves.stream().mapToDouble(o -> d((Map<String, Object>) o, "handler")).sorted().toArray();
    double[] delay = moves.stream().mapToDouble(o -> d((Map<String, Object>) o, "delay")).sorted().toArray();
    long hits = moves.stream().filter(o -> Boolean.TRUE.equals(((Map<String, Object>) o).get("hit"))).count();
    List<Object> lt = (List<Object>) h.get("longTasks");
    String longTasks = lt.isEmpty() ? "none" : lt.size() + ": max " + String.format(Locale.ROOT, "%.0f ms",
        lt.stream().mapToDouble(o -> d((Map<String, Object>) o, "duration")).max().orElse(0));
    OUT.printf(Locale.ROOT, "| %s (%s rows in view; %d moves seen, %d frames) | %.1f / %.1f / %.1f | %.2f / %.2f / %.2f | %.1f / %.1f "
            + "| %s | %d | %.0f ms |%n",
        name, h.get("rows"), moves.size(), frames.size(), quantile(intervals, 0.5), quantile(intervals, 0.95),
        intervals.length == 0 ? Double.NaN : intervals[intervals.length - 1], quantile(handler, 0.5),
        quantile(handler, 0.95), handler.length == 0 ? Double.NaN : handler[handler.length - 1],
        quantile(delay, 0.95), delay.length == 0 ? Double.NaN : delay[delay.length - 1], longTasks, hits,
        d(h, "wallMillis"));
  }
}
