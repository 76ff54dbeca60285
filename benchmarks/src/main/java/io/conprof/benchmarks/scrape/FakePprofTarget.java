package io.conprof.benchmarks.scrape;

import io.conprof.core.testing.Fixtures;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of fake Go {@code net/http/pprof} targets in one process, for {@link ScrapeLoadSoak}.
 *
 * <p>Each target is its own listening socket on its own loopback address ({@code 127.1.X.Y}, port
 * chosen by the kernel; Linux routes all of 127.0.0.0/8 to {@code lo}), so the scraper's per-host
 * connection limit sees one host per target, as with a real fleet. One selector thread serves all
 * of them (HTTP/1.1 with keep-alive, GET only, no pipelining), so the fake fleet costs little CPU
 * next to the scraper it is measuring.
 *
 * <p>Every path of Go's {@code /debug/pprof/} answers with a real pprof fixture of conprof-core's
 * test-jar: {@code profile} (CPU) with a Go 1.19 CPU profile, {@code heap} and {@code allocs} with
 * a Go heap profile, {@code mutex} and {@code block} with a Go mutex profile, {@code goroutine}
 * and {@code threadcreate} with a small thread profile. Latency as Go's: a request with
 * {@code ?seconds=N} answers after N seconds (Go records the CPU or delta profile for that long),
 * others after {@code --latency-ms} (default 2 ms, the time Go takes to write a small profile).
 *
 * <p>It also measures what the targets see: the arrival time of every request, per target and
 * path. A loop's requests should arrive exactly one interval apart; each arrival's lateness is
 * its phase within the interval minus the earliest phase of the same series (so lateness includes
 * any queueing in the scraper's HTTP client, which the scraper's own start-delay metric does not
 * see; a lateness of half an interval or more is not told apart from earliness).
 *
 * <p>Protocol with the parent: prints one {@code host:port} line per target, then {@code READY}.
 * The parent may write {@code WINDOW startMillis endMillis intervalMillis}; when its standard
 * input closes the fake prints {@code STATS ...} and {@code ARRIVALS ...} for requests arriving
 * in the window, and exits.
 */
public final class FakePprofTarget implements AutoCloseable {
  private static final int MAX_REQUEST_HEAD_BYTES = 16 * 1024;

  private final Selector selector;
  private final List<ServerSocketChannel> listeners = new ArrayList<>();
  private final List<String> addresses = new ArrayList<>();
  private final Map<String, byte[]> bodies;
  private final long latencyMillis;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-pprof-timer");
    t.setDaemon(true);
    return t;
  });
  private final Queue<Runnable> selectorTasks = new ConcurrentLinkedQueue<>();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  /** Arrival times in ms per "address path"; selector thread only, read after {@link #close}. */
  private final Map<String, List<Long>> arrivals = new java.util.HashMap<>();
  private final Thread loop;
  private volatile boolean closed;

  /** One connection's state; touched only by the selector thread. */
  private static final class Conn {
    final SocketChannel channel;
    final ByteBuffer in = ByteBuffer.allocate(MAX_REQUEST_HEAD_BYTES);
    final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();

    Conn(SocketChannel channel) {
      this.channel = channel;
    }
  }

  FakePprofTarget(int targets, long latencyMillis) throws IOException {
    if (targets < 1 || targets > 250 * 250) {
      throw new IllegalArgumentException("targets must be in [1, 62500], got " + targets);
    }
    this.latencyMillis = latencyMillis;
    this.bodies = Map.of(
        "profile", read("golang-1.19__compress-flate.cpu.pprof"),
        "heap", read("golang-1.19__compress-flate.mem.pprof"),
        "allocs", read("golang-1.19__compress-flate.mem.pprof"),
        "mutex", read("golang-1.19__sync.mutex.pprof"),
        "block", read("golang-1.19__sync.mutex.pprof"),
        "goroutine", read("converted__go.godoc.thread.pb.gz"),
        "threadcreate", read("converted__go.godoc.thread.pb.gz"));
    this.selector = Selector.open();
    for (int i = 0; i < targets; i++) {
      String host = "127.1." + (i / 250) + "." + (i % 250 + 1);
      ServerSocketChannel ss = ServerSocketChannel.open();
      ss.bind(new InetSocketAddress(host, 0), 1024);
      ss.configureBlocking(false);
      ss.register(selector, SelectionKey.OP_ACCEPT);
      listeners.add(ss);
      addresses.add(host + ":" + ((InetSocketAddress) ss.getLocalAddress()).getPort());
    }
    this.loop = new Thread(this::run, "fake-pprof-selector");
    loop.setDaemon(true);
    loop.start();
  }

  private static byte[] read(String fixture) throws IOException {
    return Files.readAllBytes(Fixtures.pprof(fixture));
  }

  List<String> addresses() {
    return addresses;
  }

  long requests() {
    return requests.get();
  }

  long bytesSent() {
    return bytesSent.get();
  }

  private void run() {
    try {
      while (!closed) {
        selector.select(1000);
        for (Runnable r; (r = selectorTasks.poll()) != null; ) {
          r.run();
        }
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey k = it.next();
          it.remove();
          try {
            if (!k.isValid()) {
              continue;
            }
            if (k.isAcceptable()) {
              accept((ServerSocketChannel) k.channel());
            } else {
              if (k.isReadable()) {
                readable(k);
              }
              if (k.isValid() && k.isWritable()) {
                flush(k);
              }
            }
          } catch (IOException e) {
            closeKey(k);
          }
        }
      }
    } catch (IOException e) {
      if (!closed) {
        e.printStackTrace();
      }
    }
  }

  private void accept(ServerSocketChannel ss) throws IOException {
    for (SocketChannel ch; (ch = ss.accept()) != null; ) {
      ch.configureBlocking(false);
      ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
      ch.register(selector, SelectionKey.OP_READ, new Conn(ch));
      connections.incrementAndGet();
    }
  }

  private void readable(SelectionKey k) throws IOException {
    Conn c = (Conn) k.attachment();
    int n = c.channel.read(c.in);
    if (n < 0) {
      closeKey(k);
      return;
    }
    int end = headEnd(c.in);
    if (end < 0) {
      if (!c.in.hasRemaining()) {
        throw new IOException("request head over " + MAX_REQUEST_HEAD_BYTES + " bytes");
      }
      return;
    }
    String head = new String(c.in.array(), 0, end, StandardCharsets.ISO_8859_1);
    // GET has no body; OkHttp does not pipeline, so nothing follows the head.
    c.in.clear();
    String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
    requests.incrementAndGet();
    long delayMillis = latencyMillis;
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    arrivals.computeIfAbsent(c.channel.getLocalAddress() + " " + path, x -> new ArrayList<>())
        .add(System.currentTimeMillis());
    if (q >= 0) {
      for (String p : target.substring(q + 1).split("&")) {
        if (p.startsWith("seconds=")) {
          delayMillis = Math.max(delayMillis, Long.parseLong(p.substring(8)) * 1000);
        }
      }
    }
    byte[] body = path.startsWith("/debug/pprof/") ? bodies.get(path.substring("/debug/pprof/".length())) : null;
    ByteBuffer response = response(body);
    Runnable send = () -> {
      if (k.isValid()) {
        c.out.add(response);
        k.interestOps(k.interestOps() | SelectionKey.OP_WRITE);
      }
    };
    if (delayMillis <= 0) {
      send.run();
    } else {
      timer.schedule(() -> {
        selectorTasks.add(send);
        selector.wakeup();
      }, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private ByteBuffer response(byte[] body) {
    String status = body == null ? "404 Not Found" : "200 OK";
    byte[] b = body == null ? "404 page not found\n".getBytes(StandardCharsets.US_ASCII) : body;
    byte[] head = ("HTTP/1.1 " + status + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
        + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    ByteBuffer r = ByteBuffer.allocate(head.length + b.length);
    r.put(head).put(b).flip();
    bytesSent.addAndGet(r.remaining());
    return r;
  }

  private static int headEnd(ByteBuffer in) {
    byte[] a = in.array();
    for (int i = 3; i < in.position(); i++) {
      if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  private void flush(SelectionKey k) throws IOException {
    Conn c = (Conn) k.attachment();
    while (!c.out.isEmpty()) {
      ByteBuffer b = c.out.peek();
      c.channel.write(b);
      if (b.hasRemaining()) {
        return;
      }
      c.out.poll();
    }
    k.interestOps(SelectionKey.OP_READ);
  }

  private static void closeKey(SelectionKey k) {
    k.cancel();
    try {
      k.channel().close();
    } catch (IOException ignored) {
      // closing a broken connection; nothing to report
    }
  }

  /**
   * Lateness of the arrivals in {@code [startMillis, endMillis)}: {@code n=.. p50=..ms p99=..ms
   * p99.9=..ms max=..ms late_over_1s=..}. Call after {@link #close}.
   */
  String arrivalStats(long startMillis, long endMillis, long intervalMillis) {
    List<Long> lateness = new ArrayList<>();
    for (List<Long> series : arrivals.values()) {
      long first = series.get(0);
      long[] phase = new long[series.size()];
      long earliest = Long.MAX_VALUE;
      for (int i = 0; i < phase.length; i++) {
        long d = Math.floorMod(series.get(i) - first, intervalMillis);
        phase[i] = d > intervalMillis / 2 ? d - intervalMillis : d;
        earliest = Math.min(earliest, phase[i]);
      }
      for (int i = 0; i < phase.length; i++) {
        long t = series.get(i);
        if (t >= startMillis && t < endMillis) {
          lateness.add(phase[i] - earliest);
        }
      }
    }
    if (lateness.isEmpty()) {
      return "n=0";
    }
    java.util.Collections.sort(lateness);
    int n = lateness.size();
    long over1s = lateness.stream().filter(l -> l > 1000).count();
    return "n=" + n + " p50=" + lateness.get((int) (n * 0.5)) + "ms p99=" + lateness.get((int) (n * 0.99))
        + "ms p99.9=" + lateness.get((int) (n * 0.999)) + "ms max=" + lateness.get(n - 1) + "ms late_over_1s="
        + over1s;
  }

  @Override
  public void close() throws IOException {
    if (!selector.isOpen()) {
      return;
    }
    closed = true;
    selector.wakeup();
    try {
      loop.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    timer.shutdownNow();
    for (SelectionKey k : selector.keys()) {
      closeKey(k);
    }
    selector.close();
  }

  /** {@code FakePprofTarget [--targets N] [--latency-ms MS]}: serves until standard input closes. */
  public static void main(String[] args) throws Exception {
    int targets = 1000;
    long latency = 2;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--targets" -> targets = Integer.parseInt(args[++i]);
        case "--latency-ms" -> latency = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; usage: FakePprofTarget [--targets N] [--latency-ms MS]");
      }
    }
    PrintStream out = System.out;
    try (FakePprofTarget f = new FakePprofTarget(targets, latency)) {
      for (String a : f.addresses()) {
        out.println(a);
      }
      out.println("READY");
      out.flush();
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
          java.nio.charset.StandardCharsets.UTF_8));
      long[] window = null;
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("WINDOW ")) {
          String[] w = line.split(" ");
          window = new long[] {Long.parseLong(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3])};
        }
      }
      f.close();
      out.println("STATS requests=" + f.requests() + " bytes=" + f.bytesSent() + " connections_accepted="
          + f.connections.get());
      if (window != null) {
        out.println("ARRIVALS " + f.arrivalStats(window[0], window[1], window[2]));
      }
      out.flush();
    }
  }
}
