package io.conprof.core.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.GoPprof;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PprofEndpointTest {
  static final String W = Workloads.class.getName() + ".";
  static PprofEndpoint endpoint;
  static HttpClient http;
  static ExecutorService pool;

  @BeforeAll
  static void start() throws IOException {
    endpoint = PprofEndpoint.builder().port(0).maxSeconds(60).start();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-workload");
      t.setDaemon(true);
      return t;
    });
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    endpoint.close();
  }

  static String url(String pathAndQuery) {
    return endpoint.uri() + pathAndQuery;
  }

  static HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
    return get(URI.create(url(pathAndQuery)));
  }

  static HttpResponse<byte[]> get(URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void endpoint_bindsToLoopbackByDefault() {
    assertThat(endpoint.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(endpoint.uri().toString()).startsWith("http://127.0.0.1:").endsWith("/debug/pprof/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"allocs", "heap", "heap?gc=1", "mutex", "block", "goroutine", "threadcreate", "profile?seconds=1",
      "allocs?seconds=1", "goroutine?seconds=1"})
  void profiles_areGzippedPprofWithGoHeaders(String pathAndQuery) throws Exception {
    HttpResponse<byte[]> r = get(pathAndQuery);

    String name = pathAndQuery.replaceAll("\\?.*", "") + (pathAndQuery.matches("(?!profile).*seconds=.*") ? "-delta" : "");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/octet-stream");
    assertThat(r.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"" + name + "\"");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(ProfileReader.isGzip(r.body())).isTrue();
    Profile p = ProfileReader.defaults().parse(r.body(), pathAndQuery);
    assertThat(p.sampleTypes()).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"allocs", "heap", "mutex", "block", "goroutine", "threadcreate", "profile?seconds=1"})
  void goToolPprof_readsEveryProfileFromTheEndpoint(String pathAndQuery) throws Exception {
    Assumptions.assumeTrue(GoPprof.available(), GoPprof.MISSING);

    GoPprof.Result r = goPprof(List.of("-raw", "-symbolize=none", url(pathAndQuery)));

    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("PeriodType: ").contains("Samples:");
  }

  @Test
  void cpuProfile_hotMethodIsTopForGoToolPprof() throws Exception {
    Assumptions.assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Future<?> work = pool.submit(() -> Workloads.spin(Duration.ofMillis(3000)));

    String top = goTopFunction("cpu", "profile?seconds=2");
    work.get();

    assertThat(top).isEqualTo(W + "hotLoop");
  }

  @Test
  void allocsDelta_allocationSiteIsTopForGoToolPprof() throws Exception {
    Assumptions.assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Future<?> work = pool.submit(() -> Workloads.allocate(Duration.ofMillis(4000)));

    String top = goTopFunction("alloc_space", "allocs?seconds=2");
    work.get();

    assertThat(top).isEqualTo(W + "allocateArrays");
  }

  @Test
  void mutexDelta_contendedMonitorIsTopForGoToolPprof() throws Exception {
    Assumptions.assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Future<?> work = pool.submit(() -> {
      Workloads.contendMonitor(Duration.ofMillis(4000));
      return null;
    });

    String top = goTopFunction("delay", "mutex?seconds=2");
    work.get();

    assertThat(top).isEqualTo(W + "enterMonitor");
  }

  /** The first function of {@code go tool pprof -top} (by flat value). */
  private static String goTopFunction(String sampleIndex, String pathAndQuery) throws Exception {
    GoPprof.Result r = goPprof(List.of("-top", "-symbolize=none", "-sample_index=" + sampleIndex, url(pathAndQuery)));
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    List<String> lines = r.stdout().lines().toList();
    int header = 0;
    while (!lines.get(header).contains("flat%")) {
      header++;
    }
    assertThat(lines.size()).as(r.stdout()).isGreaterThan(header + 1);
    String[] row = lines.get(header + 1).trim().split("\\s+");
    return row[row.length - 1];
  }

  /**
   * Runs {@code go tool pprof} with its download directory in a temporary directory: fetching a URL
   * saves a copy of the profile there, which must not pile up in the shared temp directory.
   */
  private static GoPprof.Result goPprof(List<String> args) throws IOException, InterruptedException {
    Path home = Files.createTempDirectory("gopprof-home");
    List<String> cmd = new ArrayList<>(List.of("go", "tool", "pprof"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PPROF_TMPDIR", home.toString());
    pb.environment().put("HOME", home.toString());
    Path out = home.resolve("stdout");
    Path err = home.resolve("stderr");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("go tool pprof did not finish within 120 s: " + cmd);
      }
      return new GoPprof.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        Arguments.of("nosuch", 404, "Unknown profile\n"),
        Arguments.of("trace", 404, "Unknown profile\n"),
        Arguments.of("heap?seconds=abc", 400, "invalid value for \"seconds\" - must be a positive integer\n"),
        Arguments.of("heap?seconds=0", 400, "invalid value for \"seconds\" - must be a positive integer\n"),
        Arguments.of("mutex?seconds=-3", 400, "invalid value for \"seconds\" - must be a positive integer\n"),
        Arguments.of("goroutine?seconds=1&debug=1", 400, "seconds and debug params are incompatible\n"),
        Arguments.of("allocs?seconds=61", 400, "profile duration exceeds server's WriteTimeout\n"),
        Arguments.of("profile?seconds=61", 400, "profile duration exceeds server's WriteTimeout\n"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void badRequests_getGosStatusAndText(String pathAndQuery, int status, String text) throws Exception {
    HttpResponse<byte[]> r = get(pathAndQuery);

    assertThat(r.statusCode()).isEqualTo(status);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(text);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    assertThat(r.headers().firstValue("X-Go-Pprof")).contains("1");
    assertThat(r.headers().firstValue("Content-Disposition")).isEmpty();
  }

  @Test
  void cpuProfile_invalidSecondsFallBackToThirtyAsInGo() throws Exception {
    try (PprofEndpoint small = PprofEndpoint.builder().port(0).maxSeconds(10).start()) {
      for (String q : List.of("profile", "profile?seconds=abc", "profile?seconds=0")) {
        HttpResponse<byte[]> r = get(URI.create(small.uri() + q));

        assertThat(r.statusCode()).as(q).isEqualTo(400);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("profile duration exceeds server's WriteTimeout\n");
      }
    }
  }

  @Test
  void overlappingCpuRequests_bothSucceedEachWithItsOwnWindow() throws Exception {
    Future<?> work = pool.submit(() -> Workloads.spin(Duration.ofMillis(3500)));
    Future<HttpResponse<byte[]>> first = pool.submit(() -> get("profile?seconds=3"));
    Thread.sleep(1000);
    HttpResponse<byte[]> second = get("profile?seconds=1");
    HttpResponse<byte[]> firstResponse = first.get();
    work.get();

    assertThat(firstResponse.statusCode()).isEqualTo(200);
    assertThat(second.statusCode()).isEqualTo(200);
    Profile a = ProfileReader.defaults().parse(firstResponse.body());
    Profile b = ProfileReader.defaults().parse(second.body());
    assertThat(a.durationNanos()).isEqualTo(3_000_000_000L);
    assertThat(b.durationNanos()).isEqualTo(1_000_000_000L);
    assertThat(b.timeNanos()).isGreaterThan(a.timeNanos());
    assertThat(b.timeNanos() + b.durationNanos()).isLessThanOrEqualTo(a.timeNanos() + a.durationNanos());
    assertThat(b.totals()[0]).isPositive().isLessThan(a.totals()[0]);
  }

  @Test
  void goroutineDebugForms_areGoStyleText() throws Exception {
    HttpResponse<byte[]> grouped = get("goroutine?debug=1");
    HttpResponse<byte[]> full = get("goroutine?debug=2");

    assertThat(grouped.statusCode()).isEqualTo(200);
    assertThat(grouped.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    String text = new String(grouped.body(), StandardCharsets.UTF_8);
    assertThat(text).startsWith("goroutine profile: total ").contains("# labels: {\"state\":\"RUNNABLE\"}")
        .contains("#\t0x1\t");
    String dump = new String(full.body(), StandardCharsets.UTF_8);
    assertThat(dump).contains("\"main\" #1").contains("java.lang.Thread.State: ").contains("\tat java.");
    assertThat(new String(get("mutex?debug=1").body(), StandardCharsets.UTF_8)).startsWith("--- mutex:\ncycles/second=1000000000\n");
    assertThat(new String(get("heap?debug=1").body(), StandardCharsets.UTF_8)).startsWith("heap profile: ");
  }

  @Test
  void cmdline_isTheJvmCommandLineSeparatedByNul() throws Exception {
    HttpResponse<byte[]> r = get("cmdline");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    String[] args = new String(r.body(), StandardCharsets.UTF_8).split("\0");
    assertThat(args.length).isGreaterThan(1);
    assertThat(args[0]).contains("java");
  }

  @Test
  void index_listsEveryProfileAndTheBarePrefixRedirects() throws Exception {
    HttpResponse<byte[]> index = get("");
    String html = new String(index.body(), StandardCharsets.UTF_8);
    URI bare = URI.create(endpoint.uri().toString().replaceAll("/$", ""));
    HttpResponse<byte[]> redirect = get(bare);

    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    for (String name : List.of("allocs", "block", "cmdline", "goroutine", "heap", "mutex", "profile", "threadcreate")) {
      assertThat(html).contains("<a href='" + name + "?debug=1'>" + name + "</a>");
    }
    assertThat(html).contains("<a href=\"goroutine?debug=2\">full goroutine stack dump</a>");
    assertThat(redirect.statusCode()).isEqualTo(301);
    assertThat(redirect.headers().firstValue("Location")).contains("/debug/pprof/");
  }

  @Test
  void mount_servesOnTheHostsServerUntilClosed() throws Exception {
    HttpServer host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    host.start();
    try {
      URI heap = URI.create("http://127.0.0.1:" + host.getAddress().getPort() + "/custom/pprof/heap");
      PprofEndpoint mounted = PprofEndpoint.mount(host, "/custom/pprof");
      HttpResponse<byte[]> served = get(heap);
      mounted.close();
      HttpResponse<byte[]> afterClose = get(heap);

      assertThat(served.statusCode()).isEqualTo(200);
      assertThat(served.headers().firstValue("Content-Disposition")).contains("attachment; filename=\"heap\"");
      assertThat(afterClose.statusCode()).isEqualTo(404);
    } finally {
      host.stop(0);
    }
  }
}
