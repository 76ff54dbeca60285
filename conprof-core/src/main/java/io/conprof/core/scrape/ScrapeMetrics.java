package io.conprof.core.scrape;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The scraper's own metrics, written in the Prometheus text exposition format (version 0.0.4)
 * without a client library: {@code # HELP} and {@code # TYPE} once per family, label values
 * escaped ({@code \\}, {@code \"}, {@code \n}), histogram buckets cumulative with {@code le="+Inf"},
 * {@code _sum} and {@code _count}. Counters are lock-free ({@link LongAdder}); writing reads a
 * consistent-enough snapshot while scrapes go on.
 */
public final class ScrapeMetrics {
  static final double[] DURATION_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

  private final Map<String, LongAdder> scrapes = new ConcurrentHashMap<>();
  private final Map<List<String>, LongAdder> failures = new ConcurrentHashMap<>();
  private final LongAdder bodyBytes = new LongAdder();
  private final LongAdder stored = new LongAdder();
  private final LongAdder appendFailures = new LongAdder();
  private final LongAdder missed = new LongAdder();
  private final Histogram duration = new Histogram(DURATION_BUCKETS);
  private final Histogram startDelay = new Histogram(DURATION_BUCKETS);
  private volatile Supplier<Map<List<String>, Long>> targets = Map::of;

  /** A fixed-bucket histogram of seconds. */
  private static final class Histogram {
    final double[] bounds;
    final AtomicLongArray counts;
    final DoubleAdder sum = new DoubleAdder();
    final LongAdder count = new LongAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new AtomicLongArray(bounds.length);
    }

    void observe(double seconds) {
      for (int i = 0; i < bounds.length; i++) {
        if (seconds <= bounds[i]) {
          counts.incrementAndGet(i);
          break;
        }
      }
      sum.add(seconds);
      count.increment();
    }
  }

  void scraped(String job, double seconds, long bytes) {
    scrapes.computeIfAbsent(job, k -> new LongAdder()).increment();
    duration.observe(seconds);
    bodyBytes.add(bytes);
  }

  void failed(String job, String reason) {
    failures.computeIfAbsent(List.of(job, reason), k -> new LongAdder()).increment();
  }

  void stored() {
    stored.increment();
  }

  void appendFailed() {
    appendFailures.increment();
  }

  void missed(long n) {
    missed.add(n);
  }

  void startDelay(double seconds) {
    startDelay.observe(Math.max(0, seconds));
  }

  /** Supplies target counts keyed by {@code [job, health]}, read at each write. */
  void targets(Supplier<Map<List<String>, Long>> supplier) {
    this.targets = supplier;
  }

  /** Total scrapes finished (any outcome) of {@code job}. */
  public long scrapes(String job) {
    LongAdder a = scrapes.get(job);
    return a == null ? 0 : a.sum();
  }

  /** Failed scrapes of {@code job} with {@code reason} (e.g. {@code http_status}, {@code timeout}). */
  public long failures(String job, String reason) {
    LongAdder a = failures.get(List.of(job, reason));
    return a == null ? 0 : a.sum();
  }

  /** Profiles the sink accepted. */
  public long profilesStored() {
    return stored.sum();
  }

  /** Scheduled scrapes skipped because the previous scrape of the same loop was still running. */
  public long missedScrapes() {
    return missed.sum();
  }

  /** Writes every metric in the Prometheus text format. */
  public void writeText(Appendable out) throws IOException {
    header(out, "conprof_scrapes_total", "Scrapes finished, successful or not, per job.", "counter");
    for (Map.Entry<String, LongAdder> e : sorted(scrapes)) {
      sample(out, "conprof_scrapes_total", List.of("job"), List.of(e.getKey()), e.getValue().sum());
    }
    header(out, "conprof_scrape_failures_total", "Scrapes that stored nothing, per job and reason.", "counter");
    List<Map.Entry<List<String>, LongAdder>> fs = new ArrayList<>(failures.entrySet());
    fs.sort((a, b) -> String.join("\u0000", a.getKey()).compareTo(String.join("\u0000", b.getKey())));
    for (Map.Entry<List<String>, LongAdder> e : fs) {
      sample(out, "conprof_scrape_failures_total", List.of("job", "reason"), e.getKey(), e.getValue().sum());
    }
    header(out, "conprof_scrape_body_bytes_total", "Response body bytes received, as sent (gzipped).", "counter");
    sample(out, "conprof_scrape_body_bytes_total", List.of(), List.of(), bodyBytes.sum());
    header(out, "conprof_profiles_stored_total", "Scraped profiles the sink accepted.", "counter");
    sample(out, "conprof_profiles_stored_total", List.of(), List.of(), stored.sum());
    header(out, "conprof_profile_append_failures_total", "Valid profiles the sink refused.", "counter");
    sample(out, "conprof_profile_append_failures_total", List.of(), List.of(), appendFailures.sum());
    header(out, "conprof_scrapes_missed_total",
        "Scheduled scrapes skipped because the previous scrape of the loop was still running.", "counter");
    sample(out, "conprof_scrapes_missed_total", List.of(), List.of(), missed.sum());
    histogram(out, "conprof_scrape_duration_seconds", "Duration of scrapes, from request to stored.", duration);
    histogram(out, "conprof_scrape_start_delay_seconds",
        "How late scrapes started after their scheduled time.", startDelay);
    header(out, "conprof_scrape_targets", "Active targets per job and health.", "gauge");
    List<Map.Entry<List<String>, Long>> ts = new ArrayList<>(targets.get().entrySet());
    ts.sort((a, b) -> String.join("\u0000", a.getKey()).compareTo(String.join("\u0000", b.getKey())));
    for (Map.Entry<List<String>, Long> e : ts) {
      sample(out, "conprof_scrape_targets", List.of("job", "health"), e.getKey(), e.getValue());
    }
  }

  private static <V> List<Map.Entry<String, V>> sorted(Map<String, V> m) {
    List<Map.Entry<String, V>> l = new ArrayList<>(m.entrySet());
    l.sort(Map.Entry.comparingByKey());
    return l;
  }

  private static void histogram(Appendable out, String name, String help, Histogram h) throws IOException {
    header(out, name, help, "histogram");
    long cumulative = 0;
    for (int i = 0; i < h.bounds.length; i++) {
      cumulative += h.counts.get(i);
      sample(out, name + "_bucket", List.of("le"), List.of(formatValue(h.bounds[i])), cumulative);
    }
    long count = h.count.sum();
    sample(out, name + "_bucket", List.of("le"), List.of("+Inf"), count);
    sample(out, name + "_sum", List.of(), List.of(), h.sum.sum());
    sample(out, name + "_count", List.of(), List.of(), count);
  }

  private static void header(Appendable out, String name, String help, String type) throws IOException {
    out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(Appendable out, String name, List<String> labelNames, List<String> values, double v)
      throws IOException {
    out.append(name);
    if (!labelNames.isEmpty()) {
      out.append('{');
      for (int i = 0; i < labelNames.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(labelNames.get(i)).append("=\"").append(escapeLabelValue(values.get(i))).append('"');
      }
      out.append('}');
    }
    out.append(' ').append(formatValue(v)).append('\n');
  }

  /** Go's {@code strconv.FormatFloat(v, 'g', -1, 64)} spelling for the values we write. */
  static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  static String escapeLabelValue(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String escapeHelp(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }
}
