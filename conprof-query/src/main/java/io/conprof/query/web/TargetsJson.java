package io.conprof.query.web;

import io.conprof.core.model.JsonStrings;

import io.conprof.core.scrape.DroppedTarget;
import io.conprof.core.scrape.TargetHealth;
import io.conprof.core.scrape.TargetStatus;
import java.time.format.DateTimeFormatter;

/** {@code /api/v1/targets}' data in conprof's (and Prometheus') shape. */
final class TargetsJson {
  private TargetsJson() {}

  /** {@code state}: active, dropped or any; a null status (no scraping here) gives empty lists. */
  static String of(TargetStatus status, String state) {
    StringBuilder sb = new StringBuilder("{\"activeTargets\":[");
    if (status != null && !state.equals("dropped")) {
      boolean first = true;
      for (TargetHealth t : status.active()) {
        sb.append(first ? "" : ",");
        first = false;
        sb.append("{\"discoveredLabels\":");
        JsonStrings.labels(sb, t.discoveredLabels());
        sb.append(",\"labels\":");
        JsonStrings.labels(sb, t.labels());
        sb.append(",\"scrapePool\":");
        JsonStrings.quote(sb, t.scrapePool());
        sb.append(",\"scrapeUrl\":");
        JsonStrings.quote(sb, t.scrapeUrl());
        sb.append(",\"globalUrl\":");
        JsonStrings.quote(sb, t.scrapeUrl());
        sb.append(",\"lastError\":");
        JsonStrings.quote(sb, t.lastError());
        sb.append(",\"lastScrape\":");
        JsonStrings.quote(sb, t.lastScrape().map(DateTimeFormatter.ISO_INSTANT::format).orElse("0001-01-01T00:00:00Z"));
        sb.append(",\"lastScrapeDuration\":").append(t.lastScrapeDuration().toNanos() / 1e9);
        sb.append(",\"health\":");
        JsonStrings.quote(sb, t.health().apiName());
        sb.append(",\"profilesStored\":").append(t.profilesStored());
        sb.append('}');
      }
    }
    sb.append("],\"droppedTargets\":[");
    if (status != null && !state.equals("active")) {
      boolean first = true;
      for (DroppedTarget d : status.dropped()) {
        sb.append(first ? "" : ",");
        first = false;
        sb.append("{\"discoveredLabels\":");
        JsonStrings.labels(sb, d.discoveredLabels());
        sb.append('}');
      }
    }
    return sb.append("]}").toString();
  }
}
