package io.conprof.cli;

import io.conprof.core.model.Label;
import io.conprof.core.model.Labels;
import io.conprof.core.pprof.FlameGraph;
import io.conprof.core.pprof.FoldedStacks;
import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.TopTable;
import io.conprof.core.pprof.ValueType;
import io.conprof.query.QueryParseException;
import io.conprof.query.QueryParser;
import io.conprof.query.ast.Expr;
import io.conprof.query.ast.ResultType;
import io.conprof.query.ast.Selector;
import io.conprof.query.eval.Profiles;
import io.conprof.query.eval.QueryEngine;
import io.conprof.query.eval.QueryLimits;
import io.conprof.query.eval.QueryResult;
import io.conprof.query.eval.Timeline;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code conprof-cli query}: evaluates a query against a TSDB directory and prints the result.
 *
 * <p>Which evaluation: {@code --at T} evaluates at T; {@code --from}/{@code --to} is a range
 * query, where a plain selector gives the timeline of the range and anything else is evaluated at
 * the range's end; with neither, the query is evaluated at now. Output defaults to {@code json} for
 * a timeline and {@code top} for profiles. Exit codes: 0 with a result or an empty one, 2 for a
 * bad query or bad usage, 3 when the store cannot be opened or read.
 */
@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluates a query (see docs/query-language.md) against the TSDB at --storage.tsdb.path.",
      "A plain selector with --from/--to gives a timeline (labels and timestamps, no payloads); "
          + "with --at, or with no time, the profile at that time (the first at or after it "
          + "within the lookback, else the last before it); merge and diff give profiles.",
      "Times: now, -1h (relative to now), Unix seconds or milliseconds (by magnitude), RFC 3339.",
      "Exit codes: 0 result (possibly empty), 2 bad query or usage, 3 storage error."
    })
final class QueryCommand implements Callable<Integer> {
  /** The store cannot be opened or read. */
  static final int STORAGE = 3;

  private static final Set<String> TIMELINE_OUTPUTS = Set.of("json", "table");
  private static final Set<String> PROFILE_OUTPUTS =
      Set.of("json", "pprof", "top", "folded", "flamegraph");

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "EXPR", description = "the query, e.g. 'heap{job=\"api\"}'")
  String query;

  @Option(names = "--storage.tsdb.path", required = true, paramLabel = "DIR",
      description = "Database directory (must exist).")
  Path dir;

  @Option(names = "--from", paramLabel = "T", description = "Range start; default: --to minus 1h.")
  String from;

  @Option(names = "--to", paramLabel = "T", description = "Range end; default: now.")
  String to;

  @Option(names = "--at", paramLabel = "T", description = "Evaluation time of an instant query.")
  String at;

  @Option(names = "--output", paramLabel = "FORMAT",
      description = "json or table for timelines; json, pprof, top, folded or flamegraph for "
          + "profiles. Default: json for timelines, top for profiles.")
  String output;

  @Option(names = "-o", paramLabel = "FILE",
      description = "Write to FILE instead of stdout; a directory when merge by gives several "
          + "profiles in pprof or flamegraph form.")
  Path out;

  @Option(names = "--sample-type", paramLabel = "T",
      description = "Sample type for top, folded and flamegraph; default: the profile's default.")
  String sampleType;

  @Option(names = "--nodecount", paramLabel = "N", defaultValue = "0",
      description = "top: at most N functions (0: all above pprof's 0.5%% cut-off).")
  int nodeCount;

  @Option(names = "--query.max-series", paramLabel = "N", defaultValue = "10000",
      description = "Most series a selector reads; default ${DEFAULT-VALUE}.")
  int maxSeries;

  @Option(names = "--query.max-samples", paramLabel = "N", defaultValue = "100000",
      description = "Most profiles one merge reads; default ${DEFAULT-VALUE}.")
  long maxSamples;

  @Option(names = "--query.max-bytes", paramLabel = "BYTES", defaultValue = "2147483648",
      description = "Most payload bytes one merge reads; default ${DEFAULT-VALUE}.")
  long maxBytes;

  @Option(names = "--query.timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "Time budget of the query; default ${DEFAULT-VALUE}.")
  String timeout;

  @Option(names = "--query.lookback-delta", paramLabel = "DURATION", defaultValue = "5m",
      description = "How far an instant selector looks from its time; default ${DEFAULT-VALUE}.")
  String lookback;

  @Override
  public Integer call() {
    Expr expr;
    try {
      expr = QueryParser.parse(query);
    } catch (QueryParseException e) {
      throw new CliException(CliException.USAGE, "bad query: " + e.getMessage(), e);
    }
    QueryLimits limits = limits();
    long now = System.currentTimeMillis();
    boolean rangeQuery = from != null || to != null;
    if (rangeQuery && at != null) {
      throw new CliException(CliException.USAGE, "--at cannot be combined with --from/--to");
    }
    long startMillis;
    long endMillis;
    if (rangeQuery) {
      endMillis = to == null ? now : time("--to", to, now);
      startMillis = from == null ? endMillis - Duration.ofHours(1).toMillis()
          : time("--from", from, now);
      if (startMillis > endMillis) {
        throw new CliException(CliException.USAGE, "--from " + from + " is after --to "
            + (to == null ? "now" : to));
      }
    } else {
      startMillis = at == null ? now : time("--at", at, now);
      endMillis = startMillis;
    }
    ResultType type = rangeQuery && expr instanceof Selector ? ResultType.TIMELINE : expr.type();
    String format = output != null ? output : type == ResultType.TIMELINE ? "json" : "top";
    Set<String> allowed = type == ResultType.TIMELINE ? TIMELINE_OUTPUTS : PROFILE_OUTPUTS;
    if (!allowed.contains(format)) {
      throw new CliException(CliException.USAGE, "--output " + format + " does not fit a "
          + type.jsonName() + " result; use one of " + new java.util.TreeSet<>(allowed));
    }
    if (!Files.isDirectory(dir)) {
      throw new CliException(STORAGE, dir + ": no such directory");
    }
    QueryResult result;
    // Read-only: no lock and nothing written, so a store that scrape or all is writing can be queried.
    try (Tsdb db = Tsdb.openReadOnly(dir, TsdbOptions.builder().readOnlyRefreshInterval(Duration.ZERO).build())) {
      QueryEngine engine = new QueryEngine(db, limits);
      result = rangeQuery ? engine.range(expr, startMillis, endMillis)
          : engine.instant(expr, startMillis);
    } catch (IOException | IllegalStateException | java.io.UncheckedIOException e) {
      throw CliException.about(STORAGE, dir, e);
    }
    if (!format.equals("json")) {
      PrintWriter err = spec.commandLine().getErr();
      for (String w : result.warnings()) {
        err.println("conprof-cli query: warning: " + w);
      }
      err.flush();
    }
    if (result instanceof Timeline t) {
      writeText(format.equals("json") ? timelineJson(t) + "\n" : timelineTable(t));
    } else {
      printProfiles((Profiles) result, format);
    }
    return 0;
  }

  private QueryLimits limits() {
    try {
      return new QueryLimits(maxSeries, maxSamples, maxBytes, duration("--query.timeout", timeout),
          duration("--query.lookback-delta", lookback));
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, e.getMessage(), e);
    }
  }

  private static Duration duration(String option, String text) {
    try {
      return io.conprof.core.model.Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, option + ": " + e.getMessage(), e);
    }
  }

  private static long time(String option, String text, long now) {
    try {
      return QueryTimes.parse(text, now);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, option + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code {"series":[{"labels":{"__name__":"heap","job":"api"},"timestamps":[ms,…]}],
   * "warnings":[…]}}.
   */
  static String timelineJson(Timeline t) {
    Json j = new Json().beginObject().name("series").beginArray();
    for (Timeline.Entry e : t.series()) {
      j.beginObject().name("labels");
      labels(j, e.labels());
      j.name("timestamps").beginArray();
      for (int i = 0; i < e.count(); i++) {
        j.value(e.timestampMillis(i));
      }
      j.endArray().endObject();
    }
    j.endArray();
    warnings(j, t.warnings());
    return j.endObject().toString();
  }

  /** One line per series: labels, count, first and last timestamp (ms); nothing when empty. */
  static String timelineTable(Timeline t) {
    int width = 0;
    for (Timeline.Entry e : t.series()) {
      width = Math.max(width, e.labels().toString().length());
    }
    StringBuilder sb = new StringBuilder();
    for (Timeline.Entry e : t.series()) {
      sb.append(String.format("%-" + width + "s  %d  %d  %d%n", e.labels(), e.count(),
          e.timestampMillis(0), e.timestampMillis(e.count() - 1)));
    }
    return sb.toString();
  }

  /**
   * {@code {"profiles":[{"labels":{…},"timestampMillis":ms|null,"sourceProfiles":N,
   * "sampleTypes":[{"type","unit","total"}],"samples":N}],"warnings":[…]}}.
   */
  static String profilesJson(Profiles p) {
    Json j = new Json().beginObject().name("profiles").beginArray();
    for (Profiles.Entry e : p.profiles()) {
      Profile profile = parse(e);
      j.beginObject().name("labels");
      labels(j, e.labels());
      j.name("timestampMillis");
      if (e.timestampMillis().isPresent()) {
        j.value(e.timestampMillis().getAsLong());
      } else {
        j.nullValue();
      }
      j.field("sourceProfiles", e.sourceProfiles());
      j.name("sampleTypes").beginArray();
      List<ValueType> types = profile.sampleTypes();
      long[] totals = profile.totals();
      for (int i = 0; i < types.size(); i++) {
        j.beginObject().field("type", types.get(i).type()).field("unit", types.get(i).unit())
            .field("total", totals[i]).endObject();
      }
      j.endArray().field("samples", profile.sampleCount()).endObject();
    }
    j.endArray();
    warnings(j, p.warnings());
    return j.endObject().toString();
  }

  private static void labels(Json j, Labels labels) {
    j.beginObject();
    for (Label l : labels) {
      j.field(l.name(), l.value());
    }
    j.endObject();
  }

  private static void warnings(Json j, List<String> warnings) {
    j.name("warnings").beginArray();
    for (String w : warnings) {
      j.value(w);
    }
    j.endArray();
  }

  private static Profile parse(Profiles.Entry e) {
    try {
      return e.profile();
    } catch (InvalidProfileException ex) {
      throw new CliException(STORAGE, "stored profile " + e + " cannot be read: "
          + ex.getMessage(), ex);
    }
  }

  private void printProfiles(Profiles p, String format) {
    if (format.equals("json")) {
      writeText(profilesJson(p) + "\n");
      return;
    }
    if (p.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("conprof-cli query: no profile matched");
      err.flush();
      return;
    }
    boolean several = p.type() == ResultType.PROFILES;
    switch (format) {
      case "pprof", "flamegraph" -> {
        if (several) {
          writeEach(p, format);
        } else {
          Profiles.Entry e = p.profiles().get(0);
          writeBytes(format.equals("pprof") ? Profile.gzip(e.rawProtobuf())
              : svg(e).getBytes(StandardCharsets.UTF_8));
        }
      }
      case "top", "folded" -> {
        StringWriter sw = new StringWriter();
        boolean first = true;
        for (Profiles.Entry e : p.profiles()) {
          if (several) {
            sw.append(first ? "" : "\n").append("# ").append(e.labels().toString()).append('\n');
          }
          first = false;
          Profile profile = withSampleType(e);
          if (format.equals("top")) {
            sw.append(TopTable.of(profile, sampleType).format(nodeCount));
          } else {
            try {
              FoldedStacks.write(profile, sampleType, sw);
            } catch (IOException ex) {
              throw new IllegalStateException(ex);
            }
          }
        }
        writeText(sw.toString());
      }
      default -> throw new IllegalStateException("unhandled output " + format);
    }
  }

  private Profile withSampleType(Profiles.Entry e) {
    Profile profile = parse(e);
    try {
      profile.sampleTypeIndex(sampleType);
    } catch (IllegalArgumentException ex) {
      throw new CliException(CliException.USAGE, "--sample-type: " + ex.getMessage(), ex);
    }
    return profile;
  }

  private String svg(Profiles.Entry e) {
    FlameGraph g = FlameGraph.of(withSampleType(e), sampleType);
    return g.toSvg(query + (e.labels().isEmpty() ? "" : " " + e.labels()) + " — "
        + g.valueType().type());
  }

  /** Several profiles: one file each in the directory -o, named after the group's labels. */
  private void writeEach(Profiles p, String format) {
    if (out == null) {
      throw new CliException(CliException.USAGE, "merge by gives " + p.profiles().size()
          + " profiles: name a directory for them with -o");
    }
    String suffix = format.equals("pprof") ? ".pb.gz" : ".svg";
    Set<String> used = new HashSet<>();
    List<String> lines = new ArrayList<>();
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new CliException(CliException.USAGE, out + ": cannot create: " + e.getMessage(), e);
    }
    for (Profiles.Entry e : p.profiles()) {
      String base = fileName(e.labels());
      String name = base;
      for (int n = 2; !used.add(name); n++) {
        name = base + "-" + n;
      }
      Path file = out.resolve(name + suffix);
      ProfileCommand.output(file, format.equals("pprof") ? Profile.gzip(e.rawProtobuf())
          : svg(e).getBytes(StandardCharsets.UTF_8));
      lines.add(file + " " + e.labels());
    }
    PrintWriter err = spec.commandLine().getErr();
    for (String l : lines) {
      err.println("conprof-cli query: wrote " + l);
    }
    err.flush();
  }

  /** {@code instance=a_1,job=api}: the labels with characters unsafe in file names replaced. */
  static String fileName(Labels labels) {
    if (labels.isEmpty()) {
      return "all";
    }
    StringBuilder sb = new StringBuilder();
    for (Label l : labels) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(l.name()).append('=').append(l.value());
    }
    String s = sb.toString().replaceAll("[^A-Za-z0-9._=,-]", "_");
    return s.length() > 200 ? s.substring(0, 200) : s;
  }

  private void writeText(String text) {
    if (out != null) {
      ProfileCommand.output(out, text.getBytes(StandardCharsets.UTF_8));
      return;
    }
    PrintWriter w = spec.commandLine().getOut();
    w.print(text);
    w.flush();
  }

  private void writeBytes(byte[] bytes) {
    if (out != null) {
      ProfileCommand.output(out, bytes);
      return;
    }
    spec.commandLine().getOut().flush();
    PrintStream stdout = System.out;
    stdout.write(bytes, 0, bytes.length);
    stdout.flush();
  }
}
