package io.conprof.query.web;

import io.conprof.core.model.JsonStrings;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.FlameGraph;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.TopTable;
import io.conprof.core.pprof.ValueType;
import java.util.List;

/**
 * The renderings of one profile that {@code /api/v1/query} offers through {@code report}: the
 * gzipped pprof, its sample types ({@code meta}), pprof's top table ({@code top}), the flame-graph
 * tree ({@code flamegraph}) and a standalone flame-graph SVG ({@code svg}). JSON renderings are the
 * {@code data} of the success envelope.
 */
final class Reports {
  static final List<String> NAMES = List.of("svg", "proto", "meta", "top", "flamegraph");
  static final int DEFAULT_TOP_NODES = 500;

  private Reports() {}

  /**
   * A profile to render. For a diff, {@code profile} is pprof's diff (the base negated and merged
   * with the target, base samples labelled {@code pprof::base}), and {@code base} and {@code
   * target} are its two sides; otherwise both are null.
   */
  record Subject(Profile profile, Profile base, Profile target, Labels labels, List<String> warnings) {}

  static String check(String report) {
    String r = report == null || report.isEmpty() ? "svg" : report;
    if (!NAMES.contains(r)) {
      throw ApiException.badData("invalid parameter \"report\": unknown report \"" + r + "\"; want one of "
          + String.join(", ", NAMES));
    }
    return r;
  }

  /** The sample type named by {@code sample_index} (a name or a 0-based index); null: the default. */
  static String sampleType(Profile p, String sampleIndex) {
    if (sampleIndex == null || sampleIndex.isEmpty()) {
      return null;
    }
    List<ValueType> types = p.sampleTypes();
    if (sampleIndex.chars().allMatch(Character::isDigit)) {
      int i;
      try {
        i = Integer.parseInt(sampleIndex);
      } catch (NumberFormatException e) {
        i = -1;
      }
      if (i < 0 || i >= types.size()) {
        throw ApiException.badData("invalid parameter \"sample_index\": " + sampleIndex
            + " is out of range; the profile has " + types.size() + " sample types");
      }
      return types.get(i).type();
    }
    for (ValueType t : types) {
      if (t.type().equals(sampleIndex)) {
        return sampleIndex;
      }
    }
    throw ApiException.badData("invalid parameter \"sample_index\": no sample type \"" + sampleIndex
        + "\"; the profile has " + types.stream().map(ValueType::type).toList());
  }

  static String meta(Profile p) {
    StringBuilder sb = new StringBuilder("{\"sampleTypes\":[");
    List<ValueType> types = p.sampleTypes();
    for (int i = 0; i < types.size(); i++) {
      sb.append(i == 0 ? "" : ",").append("{\"type\":");
      JsonStrings.quote(sb, types.get(i).type()).append(",\"unit\":");
      JsonStrings.quote(sb, types.get(i).unit()).append('}');
    }
    String def = types.isEmpty() ? "" : types.get(p.sampleTypeIndex(null)).type();
    sb.append("],\"defaultSampleType\":");
    return JsonStrings.quote(sb, def).append('}').toString();
  }

  static String top(Subject s, String sampleType, int nodes) {
    TopTable.Report r = TopTable.of(s.profile(), sampleType).report(nodes);
    StringBuilder sb = new StringBuilder(256 + r.rows().size() * 160);
    sb.append("{\"labels\":");
    JsonStrings.labels(sb, s.labels());
    sb.append(",\"sampleType\":");
    JsonStrings.quote(sb, r.valueType().type()).append(",\"unit\":");
    JsonStrings.quote(sb, r.valueType().unit()).append(",\"total\":").append(r.total())
        .append(",\"totalFormat\":");
    JsonStrings.quote(sb, r.totalFormat()).append(",\"dropped\":").append(r.dropped())
        .append(",\"diff\":").append(s.base() != null).append(",\"items\":[");
    boolean first = true;
    for (TopTable.ReportRow row : r.rows()) {
      sb.append(first ? "" : ",").append("{\"name\":");
      first = false;
      JsonStrings.quote(sb, row.name()).append(",\"inlineLabel\":");
      JsonStrings.quote(sb, row.inlineLabel()).append(",\"flat\":").append(row.flat())
          .append(",\"flatPercent\":").append(JsonText.number(round2(row.flatPercent())))
          .append(",\"sumPercent\":").append(JsonText.number(round2(row.sumPercent())))
          .append(",\"cum\":").append(row.cum())
          .append(",\"cumPercent\":").append(JsonText.number(round2(row.cumPercent())))
          .append(",\"flatFormat\":");
      JsonStrings.quote(sb, row.flatFormat()).append(",\"cumFormat\":");
      JsonStrings.quote(sb, row.cumFormat()).append('}');
    }
    return sb.append("]}").toString();
  }

  static FlameGraph flameGraph(Subject s, String sampleType) {
    return s.base() != null
        ? FlameGraph.diff(s.base(), s.target(), sampleType)
        : FlameGraph.of(s.profile(), sampleType);
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
