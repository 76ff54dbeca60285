package io.conprof.benchmarks.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A Chromium trace of one step, taken over the browser's own DevTools socket on 127.0.0.1 (Selenium's
 * executeCdpCommand cannot receive the trace's events), reduced to the self time of each trace event
 * on the renderer's main thread: what the page's thread did that a JavaScript profile calls
 * "(program)" (parsing, style, layout, paint, canvas work, garbage collection).
 */
final class PageTrace implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline,v8,"
      + "v8.execute,blink,cc,gpu,toplevel,disabled-by-default-v8.gc,blink.user_timing";

  private final WebSocket socket;
  private final List<JsonNode> events = new ArrayList<>();
  private final CompletableFuture<Void> complete = new CompletableFuture<>();
  private final StringBuilder partial = new StringBuilder();
  private int nextId = 1;

  private PageTrace(WebSocket socket) {
    this.socket = socket;
  }

  /** Connects to the first page target of the browser whose DevTools listen at {@code hostPort}. */
  static PageTrace connect(String hostPort) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/json/list"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    String ws = null;
    for (JsonNode t : JSON.readTree(res.body())) {
      if ("page".equals(t.path("type").asText())) {
        ws = t.path("webSocketDebuggerUrl").asText();
        break;
      }
    }
    if (ws == null || ws.isEmpty()) {
      throw new IOException("no page target at " + hostPort + ": " + res.body());
    }
    PageTrace[] self = new PageTrace[1];
    WebSocket socket = client.newWebSocketBuilder().buildAsync(URI.create(ws), new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        self[0].onText(data, last);
        webSocket.request(1);
        return null;
      }
    }).join();
    self[0] = new PageTrace(socket);
    return self[0];
  }

  private synchronized void onText(CharSequence data, boolean last) {
    partial.append(data);
    if (!last) {
      return;
    }
    try {
      JsonNode msg = JSON.readTree(partial.toString());
      String method = msg.path("method").asText();
      if (method.equals("Tracing.dataCollected")) {
        msg.path("params").path("value").forEach(events::add);
      } else if (method.equals("Tracing.tracingComplete")) {
        complete.complete(null);
      }
    } catch (IOException e) {
      complete.completeExceptionally(e);
    } finally {
      partial.setLength(0);
    }
  }

  private void send(String method, String paramsJson) {
    socket.sendText("{\"id\":" + nextId++ + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true)
        .join();
  }

  void start() {
    send("Tracing.start", "{\"transferMode\":\"ReportEvents\",\"traceConfig\":{\"includedCategories\":["
        + String.join(",", java.util.Arrays.stream(CATEGORIES.split(",")).map(c -> "\"" + c + "\"").toList())
        + "]}}");
  }

  /** Ends the trace and returns self milliseconds per event name on the renderer main thread, largest first. */
  List<Map.Entry<String, Double>> stop() throws Exception {
    send("Tracing.end", "{}");
    complete.get(60, TimeUnit.SECONDS);
    List<JsonNode> copy;
    synchronized (this) {
      copy = new ArrayList<>(events);
    }
    // the renderer main thread: the thread named CrRendererMain of the process that ran our page's script
    Map<String, String> threadNames = new HashMap<>();
    for (JsonNode e : copy) {
      if ("M".equals(e.path("ph").asText()) && "thread_name".equals(e.path("name").asText())) {
        threadNames.put(e.path("pid").asText() + "/" + e.path("tid").asText(), e.path("args").path("name").asText());
      }
    }
    Map<String, Double> busyByThread = new HashMap<>();
    for (JsonNode e : copy) {
      String key = e.path("pid").asText() + "/" + e.path("tid").asText();
      if ("CrRendererMain".equals(threadNames.get(key)) && "X".equals(e.path("ph").asText())
          && "RunTask".equals(e.path("name").asText())) {
        busyByThread.merge(key, e.path("dur").asDouble() / 1000, Double::sum);
      }
    }
    String main = busyByThread.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
        .orElseThrow(() -> new IllegalStateException("no renderer main thread in the trace"));
    List<JsonNode> mine = new ArrayList<>();
    for (JsonNode e : copy) {
      String ph = e.path("ph").asText();
      if ((e.path("pid").asText() + "/" + e.path("tid").asText()).equals(main) && ph.equals("X")) {
        mine.add(e);
      }
    }
    mine.sort((a, b) -> a.path("ts").asLong() != b.path("ts").asLong()
        ? Long.compare(a.path("ts").asLong(), b.path("ts").asLong())
        : Long.compare(b.path("dur").asLong(), a.path("dur").asLong()));
    Map<String, Double> self = new HashMap<>();
    Deque<long[]> open = new ArrayDeque<>(); // [end, index]
    double[] childTime = new double[mine.size()];
    for (int i = 0; i < mine.size(); i++) {
      JsonNode e = mine.get(i);
      long ts = e.path("ts").asLong();
      long dur = e.path("dur").asLong();
      while (!open.isEmpty() && open.peek()[0] <= ts) {
        open.pop();
      }
      if (!open.isEmpty()) {
        childTime[(int) open.peek()[1]] += dur;
      }
      open.push(new long[] {ts + dur, i});
    }
    for (int i = 0; i < mine.size(); i++) {
      JsonNode e = mine.get(i);
      double ms = Math.max(0, e.path("dur").asDouble() - childTime[i]) / 1000;
      String name = e.path("name").asText();
      if (name.equals("FunctionCall") || name.equals("EvaluateScript") || name.equals("TimerFire")
          || name.equals("FireAnimationFrame") || name.equals("EventDispatch")) {
        JsonNode data = e.path("args").path("data");
        String fn = data.path("functionName").asText("");
        String url = data.path("url").asText("");
        if (!url.isEmpty()) {
          name += " " + (fn.isEmpty() ? "" : fn + " ") + url.substring(url.lastIndexOf('/') + 1);
        }
      }
      self.merge(name, ms, Double::sum);
    }
    List<Map.Entry<String, Double>> out = new ArrayList<>(self.entrySet());
    out.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
    return out;
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
  }
}
