package io.conprof.core.pprof;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The functions of a profile ranked by their own value, as {@code go tool pprof -top} prints them.
 *
 * <p>flat is the value of the samples whose leaf frame is the function; cum the value of the
 * samples in which the function appears at least once (recursion counted once); percentages are of
 * pprof's total (the sum of absolute values; of the base side only for a diff). Rows are ordered
 * as pprof orders them: by absolute flat value, then name, then absolute cum value. {@link
 * #format} applies pprof's text-report rules: nodes whose cum is below 0.5% of the total are
 * dropped (and counted in a "Dropped" line), at most {@code nodeCount} rows are shown, and one
 * unit is chosen for all values.
 */
public final class TopTable {
  private static final double NODE_FRACTION = 0.005;
  private static final double EDGE_FRACTION = 0.001;

  private final Profile profile;
  private final ValueType valueType;
  private final long total;
  private final List<Row> rows;
  private final StackTable stacks;
  private final int[] rowFrames; // row -> frame number

  /** One function: its name, flat and cum values and their shares. */
  public record Row(String name, long flat, double flatPercent, double sumPercent, long cum, double cumPercent) {}

  private TopTable(Profile profile, StackTable stacks, List<Row> rows, int[] rowFrames) {
    this.profile = profile;
    this.stacks = stacks;
    this.valueType = stacks.valueType;
    this.total = stacks.total;
    this.rows = rows;
    this.rowFrames = rowFrames;
  }

  /**
   * pprof's "(inline)" / "(partial-inline)" labels of the shown rows. They come from the call
   * edges of the trimmed graph: consecutive shown frames of a stack are joined by one edge (frames
   * left out in between are skipped), counted once per sample with the sample's value. An edge is
   * inline when the callee's frame is inlined into the frame above it in the same location (pprof
   * looks at the callee alone, not at skipped frames) and stays inline only if every counted
   * occurrence is. Edges lighter than 0.1% of the total are trimmed, as pprof trims them, and a
   * function is labelled when some of its remaining incoming edges are inline.
   */
  private String[] inlineLabels(List<Integer> shownRows, long edgeCutoff) {
    int nFrames = stacks.names.size();
    int[] frameRow = new int[nFrames];
    Arrays.fill(frameRow, -1);
    for (int r : shownRows) {
      frameRow[rowFrames[r]] = r;
    }
    Map<Long, long[]> edges = new HashMap<>(); // caller<<32|callee -> {weight, inline ? 1 : 0}
    Set<Long> seen = new HashSet<>();
    for (int s = 0; s < stacks.stacks.length; s++) {
      int[] stack = stacks.stacks[s];
      long v = stacks.values[s];
      if (stack.length == 0 || v == 0) {
        continue;
      }
      seen.clear();
      int last = frameRow[stack[stack.length - 1]] >= 0 ? stack[stack.length - 1] : -1;
      for (int i = stack.length - 2; i >= 0; i--) {
        int f = stack[i];
        if (frameRow[f] < 0) {
          continue;
        }
        if (last >= 0 && last != f) {
          long edge = (long) last << 32 | f;
          if (seen.add(edge)) {
            long[] e = edges.computeIfAbsent(edge, k -> new long[] {0, 1});
            e[0] += v;
            if (!stacks.inlined[s][i]) {
              e[1] = 0;
            }
          }
        }
        last = f;
      }
    }
    int[] inl = new int[nFrames];
    int[] noinl = new int[nFrames];
    for (Map.Entry<Long, long[]> e : edges.entrySet()) {
      if (Math.abs(e.getValue()[0]) < edgeCutoff) {
        continue;
      }
      int callee = (int) (long) e.getKey();
      if (e.getValue()[1] == 1) {
        inl[callee]++;
      } else {
        noinl[callee]++;
      }
    }
    String[] labels = new String[rows.size()];
    for (int r : shownRows) {
      int f = rowFrames[r];
      labels[r] = inl[f] > 0 ? (noinl[f] > 0 ? "(partial-inline)" : "(inline)") : "";
    }
    return labels;
  }

  /** The table of {@code profile}'s column {@code sampleType} (null or "" = the default column). */
  public static TopTable of(Profile profile, String sampleType) {
    StackTable st = new StackTable(profile, sampleType);
    int n = st.names.size();
    long[] flat = new long[n];
    long[] cum = new long[n];
    int[] stamp = new int[n];

    for (int s = 0; s < st.stacks.length; s++) {
      int[] stack = st.stacks[s];
      long v = st.values[s];
      if (stack.length == 0 || v == 0) {
        continue;
      }
      flat[stack[0]] += v;
      for (int i = 0; i < stack.length; i++) {
        int f = stack[i];
        if (stamp[f] != s + 1) {
          stamp[f] = s + 1;
          cum[f] += v;
        }
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int f = 0; f < n; f++) {
      if (flat[f] != 0 || cum[f] != 0) {
        order.add(f);
      }
    }
    order.sort(Comparator.<Integer>comparingLong(f -> -Math.abs(flat[f]))
        .thenComparing(f -> st.names.get(f))
        .thenComparingLong(f -> -Math.abs(cum[f])));
    List<Row> rows = new ArrayList<>(order.size());
    int[] frames = new int[order.size()];
    long sum = 0;
    for (int i = 0; i < order.size(); i++) {
      int f = order.get(i);
      frames[i] = f;
      sum += flat[f];
      rows.add(new Row(st.names.get(f), flat[f], pct(flat[f], st.total), pct(sum, st.total), cum[f], pct(cum[f], st.total)));
    }
    return new TopTable(profile, st, Collections.unmodifiableList(rows), frames);
  }

  private static double pct(long v, long total) {
    return total == 0 ? 0 : 100.0 * v / total;
  }

  public ValueType valueType() {
    return valueType;
  }

  /** pprof's total: the sum of absolute sample values (of the base side, for a diff). */
  public long total() {
    return total;
  }

  /** Every function with a non-zero flat or cum value, in pprof's order. */
  public List<Row> rows() {
    return rows;
  }

  /**
   * One row of a {@link Report}: the values, pprof's percentages, the values in the report's one
   * unit and pprof's "(inline)" / "(partial-inline)" label (empty when none).
   */
  public record ReportRow(String name, String inlineLabel, long flat, double flatPercent,
      double sumPercent, long cum, double cumPercent, String flatFormat, String cumFormat) {}

  /**
   * The rows {@code go tool pprof -top -nodecount=N} shows, with its header facts.
   *
   * @param total pprof's total, {@code totalFormat} in the report's unit
   * @param shownFlat the sum of the shown rows' flat values
   * @param dropped functions left out because their cum is at most {@code cutoff}
   * @param candidates functions above the cutoff (more than {@code rows} when the node count cut)
   */
  public record Report(ValueType valueType, long total, String totalFormat, long shownFlat,
      String shownFlatFormat, int dropped, long cutoff, String cutoffFormat, int candidates,
      List<ReportRow> rows) {
    public Report {
      rows = List.copyOf(rows);
    }
  }

  /** pprof's text report as values; {@code nodeCount <= 0}: no limit. */
  public Report report(int nodeCount) {
    // pprof derives its cutoffs from the sum of flat values (signed), not from the report total.
    long flatTotal = 0;
    for (Row r : rows) {
      flatTotal += r.flat();
    }
    long cutoff = Math.abs((long) (flatTotal * NODE_FRACTION));
    long edgeCutoff = Math.abs((long) (flatTotal * EDGE_FRACTION));
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      if (Math.abs(rows.get(i).cum()) >= cutoff) {
        kept.add(i);
      }
    }
    int dropped = rows.size() - kept.size();
    int beforeCount = kept.size();
    if (nodeCount > 0 && kept.size() > nodeCount) {
      kept = kept.subList(0, nodeCount);
    }
    List<Row> shownRows = new ArrayList<>(kept.size());
    for (int i : kept) {
      shownRows.add(rows.get(i));
    }
    ValueFormat fmt = reportFormat(shownRows);
    String[] inlineLabels = inlineLabels(kept, edgeCutoff);
    List<ReportRow> out = new ArrayList<>(kept.size());
    long running = 0;
    for (int i : kept) {
      Row r = rows.get(i);
      running += r.flat();
      out.add(new ReportRow(r.name(), inlineLabels[i], r.flat(), r.flatPercent(), pct(running, total), r.cum(),
          r.cumPercent(), fmt.format(r.flat()), fmt.format(r.cum())));
    }
    return new Report(valueType, total, fmt.format(total), running, fmt.format(running), dropped, cutoff,
        fmt.format(cutoff), beforeCount, out);
  }

  /** pprof's one unit for a report: from the smallest non-zero flat (else cum) value shown. */
  private ValueFormat reportFormat(List<Row> shown) {
    long min = 0;
    for (Row r : shown) {
      long m = Math.abs(r.flat());
      if (m == 0) {
        m = Math.abs(r.cum());
      }
      if (m > 0 && (min == 0 || m < min)) {
        min = m;
      }
    }
    return ValueFormat.forRange(valueType.unit(), min, total);
  }

  /** The text {@code go tool pprof -top -nodecount=N} prints; {@code nodeCount <= 0}: no limit. */
  public String format(int nodeCount) {
    Report report = report(nodeCount);
    List<Row> shownRows = new ArrayList<>(report.rows().size());
    for (ReportRow r : report.rows()) {
      shownRows.add(new Row(r.name(), r.flat(), r.flatPercent(), r.sumPercent(), r.cum(), r.cumPercent()));
    }
    ValueFormat fmt = reportFormat(shownRows);
    StringBuilder sb = new StringBuilder();
    for (String l : headerLabels(fmt)) {
      sb.append(l).append('\n');
    }
    sb.append("Showing nodes accounting for ").append(report.shownFlatFormat()).append(", ")
        .append(ValueFormat.percentage(report.shownFlat(), total).strip()).append(" of ")
        .append(report.totalFormat()).append(" total\n");
    int shown = report.rows().size();
    if (total != 0) {
      if (report.dropped() > 0) {
        sb.append("Dropped ").append(report.dropped()).append(report.dropped() > 1 ? " nodes" : " node")
            .append(" (cum <= ").append(report.cutoffFormat()).append(")\n");
      }
      if (shown > 0 && shown < report.candidates()) {
        sb.append("Showing top ").append(shown).append(" nodes out of ").append(report.candidates()).append('\n');
      }
    }
    sb.append(String.format(Locale.ROOT, "%10s %5s%% %5s%% %10s %5s%%%n", "flat", "flat", "sum", "cum", "cum"));
    long running = 0;
    for (ReportRow r : report.rows()) {
      running += r.flat();
      String inl = r.inlineLabel().isEmpty() ? "" : " " + r.inlineLabel();
      sb.append(String.format(Locale.ROOT, "%10s %s %s %10s %s  %s%s%n", r.flatFormat(),
          ValueFormat.percentage(r.flat(), total), ValueFormat.percentage(running, total), r.cumFormat(),
          ValueFormat.percentage(r.cum(), total), r.name(), inl));
    }
    return sb.toString();
  }

  private List<String> headerLabels(ValueFormat fmt) {
    List<String> labels = new ArrayList<>();
    var p = profile.proto;
    if (p.getMappingCount() > 0) {
      String file = profile.string(p.getMapping(0).getFilename());
      if (!file.isEmpty()) {
        labels.add("File: " + file.substring(file.lastIndexOf('/') + 1));
      }
      String buildId = profile.string(p.getMapping(0).getBuildId());
      if (!buildId.isEmpty()) {
        labels.add("Build ID: " + buildId);
      }
    }
    for (String c : profile.comments()) {
      if (!c.startsWith("#")) {
        labels.add(c);
      }
    }
    labels.add("Type: " + valueType.type());
    if (profile.timeNanos() != 0) {
      labels.add("Time: " + DateTimeFormatter.ofPattern("MMM d, yyyy 'at' h:mma '(UTC)'", Locale.ROOT)
          .format(Instant.ofEpochSecond(0, profile.timeNanos()).atZone(ZoneOffset.UTC)).replace("AM", "am").replace("PM", "pm"));
    }
    if (profile.durationNanos() != 0) {
      String duration = ValueFormat.forRange("nanoseconds", profile.durationNanos(), profile.durationNanos())
          .format(profile.durationNanos());
      String ratio = "";
      ValueFormat probe = ValueFormat.forRange(valueType.unit(), 1, 1);
      if (probe.hasUnit() && isTime(valueType.unit())) {
        double totalNanos = nanos(total, valueType.unit());
        if (totalNanos != 0) {
          ratio = "(" + ValueFormat.percentage((long) totalNanos, profile.durationNanos()) + ")";
        }
      }
      labels.add("Duration: " + duration + ", Total samples = " + fmt.format(total) + " " + ratio);
    }
    return labels;
  }

  private static boolean isTime(String unit) {
    return !Double.isNaN(nanos(1, unit));
  }

  private static double nanos(long v, String unit) {
    String u = unit.toLowerCase(Locale.ROOT);
    if (u.length() > 2 && u.endsWith("s")) {
      u = u.substring(0, u.length() - 1);
    }
    return switch (u) {
      case "ns", "nanosecond" -> v;
      case "us", "μs", "microsecond" -> v * 1e3;
      case "ms", "millisecond" -> v * 1e6;
      case "s", "sec", "second" -> v * 1e9;
      case "hour", "hr" -> v * 3.6e12;
      default -> Double.NaN;
    };
  }
}
