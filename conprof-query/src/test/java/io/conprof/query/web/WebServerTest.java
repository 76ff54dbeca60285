package io.conprof.query.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.FlameGraph;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileMerger;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.pprof.TopTable;
import io.conprof.core.testing.Fixtures;
import io.conprof.core.testing.TestJson;
import io.conprof.query.eval.QueryLimits;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.SeriesRegistryKind;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API end to end: a real server on a loopback port over a store of real profiles. */
@SuppressWarnings("unchecked")
class WebServerTest {
  private static final ProfileReader READER = ProfileReader.defaults();
  private static final Labels A = Labels.of("__name__", "heap", "job", "api", "instance", "a");
  private static final Labels B = Labels.of("__name__", "heap", "job", "api", "instance", "b");

  @TempDir Path tmp;
  private Tsdb db;
  private WebServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<byte[]> raw = new ArrayList<>();
  private final List<Long> ts = new ArrayList<>();

  @BeforeEach
  void fill() throws Exception {
    db = Tsdb.open(tmp.resolve("db"), TsdbOptions.builder().backgroundCompaction(false)
        .registry(SeriesRegistryKind.IN_MEMORY).build());
    Appender a = db.appender();
    for (Path f : Fixtures.queryMany()) {
      byte[] bytes = READER.decompress(Files.readAllBytes(f));
      long t = READER.parse(bytes).timeNanos() / 1_000_000;
      raw.add(bytes);
      ts.add(t);
      a.append(A, t, bytes);
      a.append(B, t + 1, bytes);
    }
    a.commit();
  }

  @AfterEach
  void close() throws Exception {
    if (server != null) {
      server.close();
    }
    db.close();
  }

  private WebServer start(WebServer.Builder b) throws IOException {
    server = b.address(new InetSocketAddress("127.0.0.1", 0)).build();
    return server;
  }

  private WebServer start() throws IOException {
    return start(WebServer.builder().tsdb(db));
  }

  private HttpResponse<byte[]> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
        + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  private Map<String, Object> json(String pathAndQuery, int wantStatus) throws Exception {
    HttpResponse<byte[]> r = get(pathAndQuery);
    assertThat(r.statusCode()).as("%s: %s", pathAndQuery, text(r)).isEqualTo(wantStatus);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return TestJson.object(text(r));
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private long first() {
    return ts.get(0);
  }

  private long last() {
    return ts.get(ts.size() - 1);
  }

  private void assertError(String pathAndQuery, int status, String type, String messagePart) throws Exception {
    Map<String, Object> body = json(pathAndQuery, status);
    assertThat(body).containsEntry("status", "error").containsEntry("errorType", type);
    assertThat((String) body.get("error")).contains(messagePart);
  }

  // ---- query_range

  @Test
  void queryRange_listsEachSeriesWithItsTimestamps() throws Exception {
    start();
    Map<String, Object> body = json("/api/v1/query_range?query=" + q("heap{job=\"api\"}") + "&from=" + first()
        + "&to=" + (last() + 1), 200);
    assertThat(body).containsEntry("status", "success").doesNotContainKey("warnings");
    List<?> data = (List<Object>) body.get("data");
    assertThat(data).hasSize(2);
    Map<String, Object> a = (Map<String, Object>) data.get(0);
    assertThat(a.get("labels")).isEqualTo(A.toMap());
    assertThat(a.get("timestamps")).isEqualTo(ts);
    Map<String, Object> b = (Map<String, Object>) data.get(1);
    assertThat(b.get("labels")).isEqualTo(B.toMap());
    assertThat((List<Object>) b.get("timestamps")).hasSize(ts.size()).first().isEqualTo(first() + 1);
  }

  @Test
  void queryRange_emptyResultIs204() throws Exception {
    start();
    assertThat(get("/api/v1/query_range?query=heap&from=1&to=2").statusCode()).isEqualTo(204);
    assertThat(get("/api/v1/query_range?query=cpu&from=" + first() + "&to=" + last()).statusCode()).isEqualTo(204);
  }

  @Test
  void queryRange_refusesBadParameters() throws Exception {
    start();
    assertError("/api/v1/query_range?query=heap&to=5", 400, "bad_data", "missing parameter \"from\"");
    assertError("/api/v1/query_range?query=heap&from=5", 400, "bad_data", "missing parameter \"to\"");
    assertError("/api/v1/query_range?query=heap&from=abc&to=5", 400, "bad_data",
        "invalid parameter \"from\": cannot parse \"abc\" to a valid timestamp");
    assertError("/api/v1/query_range?query=heap&from=10&to=5", 400, "bad_data",
        "end timestamp must not be before start time");
    assertError("/api/v1/query_range?query=&from=1&to=5", 400, "bad_data", "query cannot be empty");
    assertError("/api/v1/query_range?from=1&to=5", 400, "bad_data", "query cannot be empty");
    assertError("/api/v1/query_range?query=" + q("heap{job=}") + "&from=1&to=5", 400, "bad_data",
        "invalid parameter \"query\": 1:10: unexpected \"}\"");
    assertError("/api/v1/query_range?query=" + q("merge(heap[1h])") + "&from=1&to=5", 400, "bad_data",
        "want a selector");
    assertError("/api/v1/query_range?query=heap&from=1&to=5&limit=0", 400, "bad_data", "positive integer");
  }

  @Test
  void queryRange_acceptsRfc3339Times() throws Exception {
    start();
    String from = java.time.Instant.ofEpochMilli(first()).toString();
    String to = java.time.Instant.ofEpochMilli(last() + 1).toString();
    List<?> data = (List<Object>) json("/api/v1/query_range?query=heap&from=" + from + "&to=" + to, 200).get("data");
    assertThat(data).hasSize(2);
  }

  @Test
  void queryRange_limitReturnsThatManySeriesWithConprofsWarning() throws Exception {
    start();
    Map<String, Object> body = json("/api/v1/query_range?query=heap&from=" + first() + "&to=" + last() + "&limit=1",
        200);
    assertThat((List<Object>) body.get("data")).hasSize(1);
    assertThat((List<Object>) body.get("warnings")).containsExactly("retrieved 1 series, more available");
  }

  // ---- query: single

  @Test
  void querySingle_protoIsTheStoredProfile() throws Exception {
    start();
    HttpResponse<byte[]> r = get("/api/v1/query?query=" + q("heap{instance=\"a\"}") + "&time=" + ts.get(3)
        + "&report=proto");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Disposition")).hasValue("attachment;filename=profile.pb.gz");
    byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes();
    assertThat(READER.parse(unzipped)).isEqualTo(READER.parse(raw.get(3)));
  }

  @Test
  void querySingle_takesTheFirstProfileAtOrAfterTimeWithinFiveMinutes() throws Exception {
    start();
    HttpResponse<byte[]> r = get("/api/v1/query?query=" + q("heap{instance=\"a\"}") + "&time=" + (ts.get(3) - 1)
        + "&report=proto");
    assertThat(r.statusCode()).isEqualTo(200);
    byte[] unzipped = new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes();
    assertThat(READER.parse(unzipped)).isEqualTo(READER.parse(raw.get(3)));

    assertError("/api/v1/query?query=heap&time=" + (last() + 2) + "&report=top", 404, "not_found",
        "profile not found");
    assertError("/api/v1/query?query=heap&time=" + (first() - 5 * 60_000 - 1) + "&report=top", 404, "not_found",
        "profile not found");
  }

  @Test
  void querySingle_topTableIsPprofsTop() throws Exception {
    start();
    Map<String, Object> body = json("/api/v1/query?query=" + q("heap{instance=\"a\"}") + "&time=" + first()
        + "&report=top&nodes=3", 200);
    Map<String, Object> data = (Map<String, Object>) body.get("data");
    TopTable.Report expected = TopTable.of(READER.parse(raw.get(0)), null).report(3);
    assertThat(data.get("labels")).isEqualTo(A.toMap());
    assertThat(data.get("total")).isEqualTo(expected.total());
    List<?> items = (List<Object>) data.get("items");
    assertThat(items).hasSize(3);
    for (int i = 0; i < 3; i++) {
      Map<String, Object> item = (Map<String, Object>) items.get(i);
      TopTable.ReportRow row = expected.rows().get(i);
      assertThat(item.get("name")).isEqualTo(row.name());
      assertThat(item.get("flat")).isEqualTo(row.flat());
      assertThat(item.get("cum")).isEqualTo(row.cum());
      assertThat(item.get("flatFormat")).isEqualTo(row.flatFormat());
      assertThat(item.get("cumFormat")).isEqualTo(row.cumFormat());
    }
  }

  @Test
  void querySingle_metaFlamegraphAndSvg() throws Exception {
    start();
    String base = "/api/v1/query?query=" + q("heap{instance=\"a\"}") + "&time=" + first();
    Profile p = READER.parse(raw.get(0));
    Map<String, Object> meta = (Map<String, Object>) json(base + "&report=meta", 200).get("data");
    assertThat((List<Object>) meta.get("sampleTypes")).hasSize(p.sampleTypes().size());
    assertThat(meta.get("defaultSampleType")).isEqualTo(p.sampleTypes().get(p.sampleTypeIndex(null)).type());

    String firstType = p.sampleTypes().get(0).type();
    Map<String, Object> tree = (Map<String, Object>) json(base + "&report=flamegraph&sample_index=" + firstType, 200).get("data");
    FlameGraph g = FlameGraph.of(p, firstType);
    assertThat(tree.get("n")).isEqualTo("root");
    assertThat(tree.get("v")).isEqualTo(g.total());
    assertThat((List<Object>) tree.get("c")).hasSize(g.root().children().size());
    assertThat(tree).doesNotContainKey("b");
    Map<String, Object> pruned = (Map<String, Object>) json(base + "&report=flamegraph&sample_index=0&min_share=0.5",
        200).get("data");
    assertThat(pruned.get("v")).isEqualTo(g.total());
    assertThat(text(get(base + "&report=flamegraph&sample_index=0&min_share=0.5")).length())
        .isLessThan(text(get(base + "&report=flamegraph&sample_index=0")).length());
    assertError(base + "&report=flamegraph&min_share=2", 400, "bad_data", "invalid parameter \"min_share\"");
    Map<String, Object> byIndex = (Map<String, Object>) json(base + "&report=flamegraph&sample_index=0", 200).get("data");
    assertThat(byIndex).isEqualTo(tree);

    HttpResponse<byte[]> svg = get(base);
    assertThat(svg.statusCode()).isEqualTo(200);
    assertThat(svg.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
    assertThat(text(svg)).startsWith("<?xml").contains("<svg");
  }

  @Test
  void query_refusesBadReportModeAndSampleType() throws Exception {
    start();
    String base = "/api/v1/query?query=heap&time=" + first();
    assertError(base + "&report=dot", 400, "bad_data", "unknown report \"dot\"");
    assertError(base + "&mode=sum", 400, "bad_data", "unknown mode \"sum\"");
    assertError(base + "&report=top&sample_index=nope", 400, "bad_data", "no sample type \"nope\"");
    assertError(base + "&report=top&sample_index=99", 400, "bad_data", "out of range");
    assertError("/api/v1/query?query=heap", 400, "bad_data", "missing parameter \"time\"");
    assertError("/api/v1/query?time=5", 400, "bad_data", "query cannot be empty");
  }

  // ---- query: merge and diff

  @Test
  void queryMerge_mergesEveryProfileOfEverySeriesInTheRange() throws Exception {
    start();
    HttpResponse<byte[]> r = get("/api/v1/query?mode=merge&query=heap&from=" + first() + "&to=" + ts.get(2)
        + "&report=proto");
    assertThat(r.statusCode()).isEqualTo(200);
    ProfileMerger m = new ProfileMerger();
    for (int i = 0; i <= 2; i++) {
      m.add(READER.parse(raw.get(i)));
      m.add(READER.parse(raw.get(i)));
    }
    Profile got = READER.parse(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes());
    // [from, to]: the first profile of series b (at ts[2] + 1) is past the end
    ProfileMerger expected = new ProfileMerger();
    for (int i = 0; i <= 2; i++) {
      expected.add(READER.parse(raw.get(i)));
      if (i < 2) {
        expected.add(READER.parse(raw.get(i)));
      }
    }
    assertThat(got.totals()).isEqualTo(expected.result().totals());
    assertError("/api/v1/query?mode=merge&query=heap&from=" + first(), 400, "bad_data", "missing parameter \"to\"");
    assertError("/api/v1/query?mode=merge&query=heap&from=5&to=4", 400, "bad_data", "must not be before");
    assertError("/api/v1/query?mode=merge&query=heap&from=1&to=4&report=top", 404, "not_found", "profile not found");
  }

  @Test
  void queryMerge_limitReachedReturnsPartialResultWithWarning() throws Exception {
    start(WebServer.builder().tsdb(db).queryLimits(QueryLimits.DEFAULTS.withMaxSamples(3)));
    Map<String, Object> body = json("/api/v1/query?mode=merge&query=heap&from=" + first() + "&to=" + last()
        + "&report=top", 200);
    assertThat((List<Object>) body.get("warnings")).anySatisfy(w ->
        assertThat((String) w).contains("merge sample limit of 3 reached, used partial merge of 3 samples"));
    ProfileMerger three = new ProfileMerger();
    three.add(READER.parse(raw.get(0)));
    three.add(READER.parse(raw.get(1)));
    three.add(READER.parse(raw.get(2)));
    long total = TopTable.of(three.result(), null).total();
    assertThat(((Map<String, Object>) body.get("data")).get("total")).isEqualTo(total);
  }

  @Test
  void queryMerge_timeoutBeforeAnyProfileIs503Timeout() throws Exception {
    start(WebServer.builder().tsdb(db).queryLimits(QueryLimits.DEFAULTS.withTimeout(Duration.ofNanos(1))));
    assertError("/api/v1/query?mode=merge&query=heap&from=" + first() + "&to=" + last() + "&report=top", 503,
        "timeout", "merge timeout exceeded");
  }

  @Test
  void queryDiff_ofAProfileAgainstItselfNetsToZero() throws Exception {
    start();
    String sides = "&query_a=" + q("heap{instance=\"a\"}") + "&time_a=" + first()
        + "&query_b=" + q("heap{instance=\"b\"}") + "&time_b=" + (first() + 1);
    HttpResponse<byte[]> r = get("/api/v1/query?mode=diff" + sides + "&report=proto");
    assertThat(r.statusCode()).isEqualTo(200);
    Profile d = READER.parse(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes());
    for (long t : d.totals()) {
      assertThat(t).isZero();
    }
    Profile expected = Profile.diff(READER.parse(raw.get(0)), READER.parse(raw.get(0)));
    assertThat(d).isEqualTo(expected);

    Map<String, Object> tree = (Map<String, Object>) json("/api/v1/query?mode=diff" + sides + "&report=flamegraph", 200).get("data");
    assertThat(tree.get("v")).isEqualTo(tree.get("b"));
    Map<String, Object> top = (Map<String, Object>) json("/api/v1/query?mode=diff" + sides + "&report=top", 200).get("data");
    assertThat(top.get("diff")).isEqualTo(true);
    for (Object item : (List<Object>) top.get("items")) {
      assertThat(((Map<String, Object>) item).get("flat")).isEqualTo(0L);
    }
  }

  @Test
  void queryDiff_ofMergedRangesAndItsErrors() throws Exception {
    start();
    String a = "&mode_a=merge&query_a=" + q("heap{instance=\"a\"}") + "&from_a=" + first() + "&to_a=" + ts.get(1);
    String b = "&mode_b=single&query_b=" + q("heap{instance=\"a\"}") + "&time_b=" + ts.get(2);
    Map<String, Object> tree = (Map<String, Object>) json("/api/v1/query?mode=diff" + a + b + "&report=flamegraph", 200).get("data");
    long base = TopTable.of(READER.parse(raw.get(0)), null).total() + TopTable.of(READER.parse(raw.get(1)), null).total();
    assertThat(tree.get("b")).isEqualTo(base);
    assertThat(tree.get("v")).isEqualTo(FlameGraph.of(READER.parse(raw.get(2)), null).total());
    assertError("/api/v1/query?mode=diff" + a, 400, "bad_data", "query_b cannot be empty");
    assertError("/api/v1/query?mode=diff" + a + "&mode_b=avg", 400, "bad_data", "invalid parameter \"mode_b\"");
    assertError("/api/v1/query?mode=diff" + a + "&query_b=heap&time_b=1", 404, "not_found",
        "profile not found for query_b");
  }

  // ---- series and labels

  @Test
  void seriesLabelsAndLabelValues() throws Exception {
    start();
    String range = "&start=" + first() + "&end=" + last();
    List<Object> series = (List<Object>) json("/api/v1/series?match[]=" + q("heap{instance=\"b\"}") + range, 200).get("data");
    assertThat(series).containsExactly(B.toMap());
    List<Object> both = (List<Object>) json("/api/v1/series?match[]=" + q("{instance=\"b\"}") + "&match[]="
        + q("{instance=\"a\"}") + range, 200).get("data");
    assertThat(both).containsExactly(A.toMap(), B.toMap());
    assertError("/api/v1/series?start=1", 400, "bad_data", "no match[] parameter provided");
    assertError("/api/v1/series?match[]=" + q("{a=~\"(\"}"), 400, "bad_data", "match[]");

    assertThat((List<Object>) json("/api/v1/labels?" + range.substring(1), 200).get("data"))
        .containsExactly("__name__", "instance", "job");
    assertThat((List<Object>) json("/api/v1/label/__name__/values?" + range.substring(1), 200).get("data"))
        .containsExactly("heap");
    assertThat((List<Object>) json("/api/v1/label/instance/values?match[]=" + q("{instance!=\"a\",job=\"api\"}") + range, 200)
        .get("data")).containsExactly("b");
    assertError("/api/v1/label//values", 400, "bad_data", "invalid label name");
    // the default range is the last 24 hours, which holds none of these 2022 profiles
    assertThat((List<Object>) json("/api/v1/labels", 200).get("data")).isEmpty();
  }

  @Test
  void targets_withoutScraperAreEmptyAndStateIsChecked() throws Exception {
    start();
    Map<String, Object> data = (Map<String, Object>) json("/api/v1/targets", 200).get("data");
    assertThat((List<Object>) data.get("activeTargets")).isEmpty();
    assertThat((List<Object>) data.get("droppedTargets")).isEmpty();
    assertError("/api/v1/targets?state=up", 400, "bad_data", "invalid parameter \"state\"");
  }

  // ---- the server

  @Test
  void unknownEndpointAndMethod() throws Exception {
    start();
    assertError("/api/v1/nope", 404, "not_found", "unknown API endpoint /api/v1/nope");
    HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.address().getPort() + "/api/v1/labels")).PUT(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).isEqualTo(405);
  }

  @Test
  void postedFormIsReadLikeAQueryString() throws Exception {
    start();
    String form = "query=" + q("heap{instance=\"a\"}") + "&from=" + first() + "&to=" + last();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.address().getPort() + "/api/v1/query_range"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat((List<Object>) TestJson.object(r.body()).get("data")).hasSize(1);
  }

  @Test
  void largeAnswersAreGzippedWhenAccepted() throws Exception {
    start();
    String path = "/api/v1/query?query=heap&time=" + first() + "&report=flamegraph";
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.address().getPort() + path)).header("Accept-Encoding", "gzip").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.headers().firstValue("Content-Encoding")).hasValue("gzip");
    String unzipped = new String(new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(unzipped).isEqualTo(text(get(path)));
  }

  @Test
  void operationalEndpoints() throws Exception {
    AtomicInteger reloads = new AtomicInteger();
    start(WebServer.builder().tsdb(db).reload(() -> reloads.incrementAndGet() == 1 ? null : "bad config")
        .extraMetrics(sb -> sb.append("host_metric 7\n")));
    assertThat(text(get("/-/healthy"))).isEqualTo("conprof is Healthy.\n");
    assertThat(text(get("/-/ready"))).isEqualTo("conprof is Ready.\n");
    assertThat(get("/-/reload").statusCode()).isEqualTo(200);
    HttpResponse<byte[]> failed = get("/-/reload");
    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(text(failed)).contains("failed to reload config: bad config");
    get("/api/v1/labels");
    String metrics = text(get("/metrics"));
    assertThat(metrics).contains("conprof_http_requests_total{handler=\"/api/v1/labels\",code=\"200\"} 1",
        "conprof_tsdb_head_series 2", "conprof_tsdb_head_samples " + 2 * ts.size(), "host_metric 7");
    assertThat(get("/debug/pprof/").statusCode()).isEqualTo(200);
  }

  @Test
  void withoutStoreTheQueryEndpointsAreUnavailable() throws Exception {
    start(WebServer.builder().ui(false));
    assertError("/api/v1/labels", 503, "unavailable", "no store");
    assertThat(get("/-/reload").statusCode()).isEqualTo(404);
    assertThat(get("/").statusCode()).isEqualTo(404);
  }

  @Test
  void externalUrlPathPrefixesEverything() throws Exception {
    start(WebServer.builder().tsdb(db).externalUrl("http://proxy.example:8080/conprof/"));
    assertThat(server.routePrefix()).isEqualTo("/conprof");
    assertThat((List<Object>) json("/conprof/api/v1/labels?start=" + first() + "&end=" + last(), 200).get("data"))
        .contains("job");
    assertThat(get("/api/v1/labels").statusCode()).isEqualTo(404);
    HttpResponse<byte[]> bare = get("/conprof");
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.headers().firstValue("Location")).hasValue("/conprof/");
    assertThat(text(get("/conprof/-/healthy"))).contains("Healthy");
    assertThat(get("/conprof/debug/pprof/").statusCode()).isEqualTo(200);
  }

  @Test
  void mountsOnTheHostsServerUnderItsPrefixAndUnmountsOnClose() throws Exception {
    com.sun.net.httpserver.HttpServer host = com.sun.net.httpserver.HttpServer.create(
        new InetSocketAddress("127.0.0.1", 0), 0);
    host.createContext("/app", ex -> {
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    host.start();
    try {
      WebServer mounted = WebServer.builder().tsdb(db).externalUrl("http://app:8080/conprof").mount(host);
      server = null;
      String base = "http://127.0.0.1:" + host.getAddress().getPort();
      HttpResponse<String> labels = http.send(HttpRequest.newBuilder(URI.create(base + "/conprof/api/v1/labels?start="
          + first() + "&end=" + last())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(labels.statusCode()).isEqualTo(200);
      assertThat(labels.body()).contains("\"instance\"");
      HttpResponse<String> app = http.send(HttpRequest.newBuilder(URI.create(base + "/app")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(app.statusCode()).isEqualTo(200);
      mounted.close();
      HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(base + "/conprof/api/v1/labels"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(gone.statusCode()).isEqualTo(404);
    } finally {
      host.stop(0);
    }
  }

  @Test
  void externalUrlMustBeAnAbsoluteHttpUrl() {
    assertThatThrownBy(() -> WebServer.builder().externalUrl("/conprof"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute http or https URL");
    assertThatThrownBy(() -> WebServer.builder().externalUrl("http://h/x?y=1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WebServer.builder().externalUrl("http://h/a/../b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not canonical");
  }

  @Test
  void staticFilesCannotEscapeTheUiFolder() throws Exception {
    start();
    assertThat(get("/static/..%2FWebServer.class").statusCode()).isEqualTo(404);
    assertThat(get("/static/../../etc/passwd").statusCode()).isEqualTo(404);
    assertThat(get("/static/nope.js").statusCode()).isEqualTo(404);
  }
}
