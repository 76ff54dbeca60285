package io.conprof.query.web;

import io.conprof.core.model.JsonStrings;

import io.conprof.core.model.LabelNames;
import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.pprof.FlameGraph;
import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.scrape.TargetStatus;
import io.conprof.query.QueryParseException;
import io.conprof.query.QueryParser;
import io.conprof.query.ast.At;
import io.conprof.query.ast.Expr;
import io.conprof.query.ast.MergeCall;
import io.conprof.query.ast.Position;
import io.conprof.query.ast.RangeSelector;
import io.conprof.query.ast.Selector;
import io.conprof.query.eval.Profiles;
import io.conprof.query.eval.QueryEngine;
import io.conprof.query.eval.QueryLimits;
import io.conprof.query.eval.QueryResult;
import io.conprof.query.eval.Timeline;
import io.conprof.tsdb.Querier;
import io.conprof.tsdb.Series;
import io.conprof.tsdb.Tsdb;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code /api/v1} endpoints, conprof-compatible in paths, parameters and JSON shapes (see
 * docs/http-api.md): {@code query_range} (a timeline of profile timestamps, payloads never read),
 * {@code query} (one profile, a merge over a range, or the diff of two, rendered as pprof, top
 * table, flame-graph JSON or SVG), {@code series}, {@code labels}, {@code label/<name>/values},
 * {@code targets} and {@code status/buildinfo}.
 *
 * <p>Every answer is a {@link Response}: success in Prometheus' envelope, errors in its error
 * envelope with the error type's status (bad parameters 400 bad_data, nothing found 404
 * not_found, an unreadable store 500 internal), an empty timeline 204 as in conprof. Limits and
 * the query timeout never fail a request: the evaluator returns what it gathered and the
 * response carries warnings (in the envelope, or in {@code X-Conprof-Warning} headers for pprof
 * and SVG bodies).
 */
final class Api {
  /** How far after {@code time} the single mode looks for a profile, as conprof did. */
  static final Duration SINGLE_WINDOW = Duration.ofMinutes(5);
  static final Duration DEFAULT_LABELS_RANGE = Duration.ofHours(24);

  private final Tsdb tsdb;
  private final QueryLimits limits;
  private final Supplier<TargetStatus> targets;
  private final LongSupplier clock;
  private final String version;

  Api(Tsdb tsdb, QueryLimits limits, Supplier<TargetStatus> targets, LongSupplier clock, String version) {
    this.tsdb = tsdb;
    this.limits = limits;
    this.targets = targets;
    this.clock = clock;
    this.version = version;
  }

  /** An HTTP answer: status, content type, body, extra headers. */
  record Response(int status, String contentType, byte[] body, Map<String, List<String>> headers) {
    static Response json(int status, String json) {
      return new Response(status, "application/json", json.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Response success(String dataJson, List<String> warnings) {
      StringBuilder sb = new StringBuilder(dataJson.length() + 64);
      sb.append("{\"status\":\"success\",\"data\":").append(dataJson);
      if (!warnings.isEmpty()) {
        sb.append(",\"warnings\":");
        JsonText.strings(sb, warnings);
      }
      return json(200, sb.append('}').toString());
    }

    static Response error(ApiException e) {
      StringBuilder sb = new StringBuilder("{\"status\":\"error\",\"errorType\":");
      JsonStrings.quote(sb, e.kind().type).append(",\"error\":");
      JsonStrings.quote(sb, e.getMessage()).append('}');
      return json(e.kind().status, sb.toString());
    }
  }

  /** Answers {@code endpoint} (the path after {@code /api/v1/}). */
  Response handle(String endpoint, Params params) {
    try {
      if (endpoint.startsWith("label/") && endpoint.endsWith("/values")) {
        String name = endpoint.substring("label/".length(), endpoint.length() - "/values".length());
        return labelValues(name, params);
      }
      return switch (endpoint) {
        case "query_range" -> queryRange(params);
        case "query" -> query(params);
        case "series" -> series(params);
        case "labels" -> labels(params);
        case "targets" -> targets(params);
        case "status/buildinfo" -> Response.success("{\"version\":" + JsonStrings.quote(version) + "}", List.of());
        default -> throw new ApiException(ApiException.Kind.NOT_FOUND, "unknown API endpoint /api/v1/" + endpoint);
      };
    } catch (ApiException e) {
      return Response.error(e);
    } catch (IOException | RuntimeException e) {
      return Response.error(new ApiException(ApiException.Kind.INTERNAL,
          "reading the store failed: " + e.getMessage(), e));
    }
  }

  private Tsdb store() {
    if (tsdb == null) {
      throw new ApiException(ApiException.Kind.UNAVAILABLE,
          "this server has no store to query (run conprof-cli all or serve)");
    }
    return tsdb;
  }

  private static Expr parse(String name, String query) {
    if (query == null || query.isBlank()) {
      throw ApiException.badData(name + " cannot be empty");
    }
    try {
      return QueryParser.parse(query);
    } catch (QueryParseException e) {
      throw ApiException.badData("invalid parameter \"" + name + "\": " + e.getMessage());
    }
  }

  private static Selector selector(String name, String query) {
    Expr e = parse(name, query);
    if (e instanceof Selector s) {
      return s;
    }
    throw ApiException.badData("invalid parameter \"" + name + "\": want a selector such as heap{job=\"api\"}, got "
        + e.type().jsonName() + " expression " + query);
  }

  private static void checkRange(long from, long to, String fromName, String toName) {
    if (to < from) {
      throw ApiException.badData("invalid parameter \"" + toName + "\": end timestamp must not be before start time ("
          + toName + "=" + to + " < " + fromName + "=" + from + ")");
    }
  }

  // ---- query_range

  private Response queryRange(Params p) throws IOException {
    Selector sel = selector("query", p.get("query"));
    long from = p.time("from");
    long to = p.time("to");
    checkRange(from, to, "from", "to");
    int limit = p.positiveInt("limit", Integer.MAX_VALUE);
    QueryLimits l = limit < limits.maxSeries() ? limits.withMaxSeries(limit) : limits;
    QueryResult r = new QueryEngine(store(), l).range(sel, from, to);
    Timeline t = (Timeline) r;
    if (t.series().isEmpty()) {
      return new Response(204, "application/json", new byte[0], Map.of());
    }
    List<String> warnings = new ArrayList<>();
    for (String w : t.warnings()) {
      // conprof's words when the caller's own limit cut the answer
      warnings.add(limit == l.maxSeries() && w.startsWith("selected ")
          ? "retrieved " + limit + " series, more available" : w);
    }
    StringBuilder sb = new StringBuilder(64 + t.series().size() * 128);
    sb.append('[');
    boolean first = true;
    for (Timeline.Entry e : t.series()) {
      sb.append(first ? "" : ",").append("{\"labels\":");
      first = false;
      JsonStrings.labels(sb, e.labels()).append(",\"timestamps\":[");
      long[] ts = e.timestampsMillis();
      for (int i = 0; i < ts.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(ts[i]);
      }
      sb.append("]}");
    }
    return Response.success(sb.append(']').toString(), warnings);
  }

  // ---- query

  /** One side of a profile query: its profile, labels and whether anything was found. */
  private record Side(Profile profile, Labels labels) {}

  private Response query(Params p) throws IOException {
    String report = Reports.check(p.get("report"));
    String mode = p.get("mode") == null || p.get("mode").isEmpty() ? "single" : p.get("mode");
    List<String> warnings = new ArrayList<>();
    Reports.Subject subject;
    switch (mode) {
      case "single", "merge" -> {
        Side s = side(mode, p, "", warnings);
        subject = new Reports.Subject(s.profile(), null, null, s.labels(), warnings);
      }
      case "diff" -> {
        Side a = side(modeOf(p, "mode_a"), p, "_a", warnings);
        Side b = side(modeOf(p, "mode_b"), p, "_b", warnings);
        Profile d;
        try {
          d = Profile.diff(a.profile(), b.profile());
        } catch (InvalidProfileException | IllegalArgumentException e) {
          throw new ApiException(ApiException.Kind.EXECUTION, "cannot diff the two profiles: " + e.getMessage(), e);
        }
        subject = new Reports.Subject(d, a.profile(), b.profile(), Labels.EMPTY, warnings);
      }
      default -> throw ApiException.badData("invalid parameter \"mode\": unknown mode \"" + mode
          + "\"; want single, merge or diff");
    }
    return render(subject, report, p);
  }

  private static String modeOf(Params p, String name) {
    String m = p.get(name);
    if (m == null || m.isEmpty()) {
      return "single";
    }
    if (!m.equals("single") && !m.equals("merge")) {
      throw ApiException.badData("invalid parameter \"" + name + "\": unknown mode \"" + m + "\"; want single or merge");
    }
    return m;
  }

  /** The profile of {@code mode} with the parameters suffixed {@code suffix} ("", "_a", "_b"). */
  private Side side(String mode, Params p, String suffix, List<String> warnings) throws IOException {
    String queryName = "query" + suffix;
    String query = p.get(queryName);
    QueryEngine engine = new QueryEngine(store(), limits);
    Profiles result;
    if (mode.equals("single")) {
      Expr e = parse(queryName, query);
      long t = p.time("time" + suffix);
      result = (Profiles) engine.instant(e, t);
      if (e instanceof Selector && !result.isEmpty()) {
        // conprof's single mode: the first profile at or after time, within 5 minutes
        long ts = result.profiles().get(0).timestampMillis().orElse(t);
        if (ts < t || ts > t + SINGLE_WINDOW.toMillis()) {
          result = new Profiles(result.type(), List.of(), result.warnings());
        }
      }
    } else {
      Selector s = selector(queryName, query);
      long from = p.time("from" + suffix);
      long to = p.time("to" + suffix);
      checkRange(from, to, "from" + suffix, "to" + suffix);
      Selector at = new Selector(s.matchers(), Duration.ZERO, Optional.of(At.timestamp(to)), s.position());
      // (to - r, to] with r = to - from + 1 ms is [from, to]
      Expr merge = new MergeCall(new RangeSelector(at, Duration.ofMillis(to - from + 1), s.position()),
          Optional.empty(), Position.of(query, 0));
      result = (Profiles) engine.instant(merge, to);
    }
    for (String w : result.warnings()) {
      if (!warnings.contains(w)) {
        warnings.add(suffix.isEmpty() ? w : "profile " + suffix.substring(1).toUpperCase() + ": " + w);
      }
    }
    if (result.isEmpty()) {
      for (String w : result.warnings()) {
        if (w.contains("timeout exceeded")) {
          throw new ApiException(ApiException.Kind.TIMEOUT, w + " (no profile was read before the query timeout)");
        }
      }
      throw new ApiException(ApiException.Kind.NOT_FOUND, "profile not found"
          + (suffix.isEmpty() ? "" : " for " + queryName));
    }
    Profiles.Entry entry = result.profiles().get(0);
    try {
      return new Side(entry.profile(), entry.labels());
    } catch (InvalidProfileException e) {
      throw new ApiException(ApiException.Kind.EXECUTION, "stored profile of " + entry.labels()
          + " does not parse: " + e.getMessage(), e);
    }
  }

  private static Response render(Reports.Subject s, String report, Params p) {
    String sampleType;
    try {
      sampleType = Reports.sampleType(s.profile(), p.get("sample_index"));
      switch (report) {
        case "proto" -> {
          Map<String, List<String>> headers = new LinkedHashMap<>();
          headers.put("Content-Disposition", List.of("attachment;filename=profile.pb.gz"));
          warningHeaders(headers, s.warnings());
          return new Response(200, "application/octet-stream", s.profile().toGzip(), headers);
        }
        case "meta" -> {
          return Response.success(Reports.meta(s.profile()), s.warnings());
        }
        case "top" -> {
          return Response.success(Reports.top(s, sampleType, p.positiveInt("nodes", Reports.DEFAULT_TOP_NODES)),
              s.warnings());
        }
        case "flamegraph" -> {
          FlameGraph g = Reports.flameGraph(s, sampleType).pruned(minShare(p));
          return Response.success(g.toJson(), s.warnings());
        }
        default -> {
          FlameGraph g = Reports.flameGraph(s, sampleType);
          String title = (s.labels().isEmpty() ? (s.base() != null ? "diff" : "profile") : s.labels().toString())
              + " " + g.valueType().type();
          Map<String, List<String>> headers = new LinkedHashMap<>();
          warningHeaders(headers, s.warnings());
          return new Response(200, "image/svg+xml", g.toSvg(title).getBytes(StandardCharsets.UTF_8), headers);
        }
      }
    } catch (IllegalArgumentException e) {
      throw new ApiException(ApiException.Kind.EXECUTION, e.getMessage(), e);
    }
  }

  /** {@code min_share}: leave out flame-graph frames narrower than this share of the total (0 to 1). */
  private static double minShare(Params p) {
    String v = p.get("min_share");
    if (v == null || v.isEmpty()) {
      return 0;
    }
    try {
      double d = Double.parseDouble(v);
      if (d >= 0 && d <= 1) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badData("invalid parameter \"min_share\": want a number from 0 to 1, got \"" + v + "\"");
  }

  private static void warningHeaders(Map<String, List<String>> headers, List<String> warnings) {
    if (warnings.isEmpty()) {
      return;
    }
    List<String> values = new ArrayList<>();
    for (String w : warnings) {
      StringBuilder ascii = new StringBuilder();
      for (int i = 0; i < w.length() && ascii.length() < 1000; i++) {
        char c = w.charAt(i);
        ascii.append(c >= 0x20 && c < 0x7f ? c : '?');
      }
      values.add(ascii.toString());
    }
    headers.put("X-Conprof-Warning", values);
  }

  // ---- series and labels

  private List<List<Matcher>> matchSets(Params p, boolean required) {
    List<String> raw = p.all("match[]");
    if (raw.isEmpty() && required) {
      throw ApiException.badData("no match[] parameter provided");
    }
    List<List<Matcher>> out = new ArrayList<>();
    for (String m : raw) {
      out.add(selector("match[]", m).matchers());
    }
    return out;
  }

  private long[] labelsRange(Params p) {
    long now = clock.getAsLong();
    long end = p.time("end", now);
    long start = p.time("start", end - DEFAULT_LABELS_RANGE.toMillis());
    checkRange(start, end, "start", "end");
    return new long[] {start, end};
  }

  private Response series(Params p) throws IOException {
    List<List<Matcher>> sets = matchSets(p, true);
    long[] range = labelsRange(p);
    TreeSet<Labels> out = new TreeSet<>();
    List<String> warnings = new ArrayList<>();
    try (Querier q = store().querier(range[0], range[1])) {
      for (List<Matcher> set : sets) {
        for (Series s : q.select(set)) {
          out.add(s.labels());
        }
      }
    }
    StringBuilder sb = new StringBuilder("[");
    int n = 0;
    for (Labels l : out) {
      if (n == limits.maxSeries()) {
        warnings.add("returned the first " + n + " of " + out.size() + " series (the series limit)");
        break;
      }
      sb.append(n++ == 0 ? "" : ",");
      JsonStrings.labels(sb, l);
    }
    return Response.success(sb.append(']').toString(), warnings);
  }

  private Response labels(Params p) throws IOException {
    List<List<Matcher>> sets = matchSets(p, false);
    long[] range = labelsRange(p);
    SortedSet<String> out = new TreeSet<>();
    try (Querier q = store().querier(range[0], range[1])) {
      if (sets.isEmpty()) {
        out.addAll(q.labelNames(List.of()));
      }
      for (List<Matcher> set : sets) {
        out.addAll(q.labelNames(set));
      }
    }
    return Response.success(JsonText.strings(new StringBuilder(), out).toString(), List.of());
  }

  private Response labelValues(String encodedName, Params p) throws IOException {
    String name = java.net.URLDecoder.decode(encodedName, StandardCharsets.UTF_8);
    try {
      LabelNames.validate(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.badData("invalid label name: \"" + name + "\"");
    }
    List<List<Matcher>> sets = matchSets(p, false);
    long[] range = labelsRange(p);
    SortedSet<String> out = new TreeSet<>();
    try (Querier q = store().querier(range[0], range[1])) {
      if (sets.isEmpty()) {
        out.addAll(q.labelValues(name, List.of()));
      }
      for (List<Matcher> set : sets) {
        out.addAll(q.labelValues(name, set));
      }
    }
    return Response.success(JsonText.strings(new StringBuilder(), out).toString(), List.of());
  }

  // ---- targets

  private Response targets(Params p) {
    String state = p.get("state");
    if (state == null || state.isEmpty()) {
      state = "any";
    }
    if (!state.equals("any") && !state.equals("active") && !state.equals("dropped")) {
      throw ApiException.badData("invalid parameter \"state\": \"" + state + "\"; want active, dropped or any");
    }
    TargetStatus status = targets == null ? null : targets.get();
    return Response.success(TargetsJson.of(status, state), List.of());
  }
}
