package io.conprof.query.eval;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileMerger;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.query.ast.At;
import io.conprof.query.ast.DiffCall;
import io.conprof.query.ast.Expr;
import io.conprof.query.ast.MergeCall;
import io.conprof.query.ast.RangeSelector;
import io.conprof.query.ast.ResultType;
import io.conprof.query.ast.Selector;
import io.conprof.tsdb.Querier;
import io.conprof.tsdb.Series;
import io.conprof.tsdb.Tsdb;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Evaluates parsed queries against a {@link Tsdb}.
 *
 * <p><b>Time.</b> A query runs at an evaluation time: {@link #instant} at one time {@code t},
 * {@link #range} over {@code [start, end]}, where the evaluation time is {@code end} and {@code @
 * start()} / {@code @ end()} name the two ends (for an instant query both are {@code t}). As in
 * Prometheus, {@code @} fixes a selector's evaluation time and {@code offset} then shifts it back.
 * A range selector {@code sel[r]} covers {@code (T - r, T]} for its evaluation time {@code T},
 * left-open as in Prometheus 3, so back-to-back windows never count a profile twice. In a range
 * query a plain selector covers the query's range {@code [start, end]} (moved by its own {@code @}
 * and {@code offset}) and yields a timeline; every other expression is evaluated at {@code end}.
 *
 * <p><b>Instant selectors.</b> {@code sel} at time {@code t} is one stored profile, returned
 * byte-for-byte as stored: the earliest sample with timestamp {@code >= t} within {@code [t, t +
 * lookback]} over all matching series (conprof's rule, so that a timestamp taken from a timeline
 * fetches exactly that profile); if there is none, the latest sample in {@code [t - lookback, t)},
 * so that "the heap profile now" finds the last one scraped. Ties go to the first series in label
 * order; when several series match, a warning names the one chosen. Nothing in the window is an
 * empty result, not an error. Timestamps are found without reading payloads; only the chosen
 * sample's chunk is decompressed.
 *
 * <p><b>Merging</b> streams: each stored profile is parsed, added to a {@link ProfileMerger} and
 * dropped, so memory is the merged tables (distinct stacks, locations, strings) plus one input,
 * however many profiles the range holds. {@code merge by} keeps one merger per group. A profile
 * that does not parse, or whose sample types differ from the group's first, is skipped with a
 * warning naming its series.
 *
 * <p><b>Limits</b> ({@link QueryLimits}) never fail a query. A selector matching more than {@code
 * maxSeries} series reads the first {@code maxSeries} in label order; a merge stops before the
 * profile that would pass {@code maxSamples} or {@code maxBytes}; once {@code timeout} has passed,
 * timelines and merges stop where they are. Each cut adds a warning ("merge timeout exceeded, used
 * partial merge of N samples") and the result holds what was gathered. Sample and byte limits
 * apply to each merge of a query, the timeout to the whole query. Series selection uses the
 * TSDB's postings and RE2 regexes, so no matcher can make selection super-linear.
 *
 * <p>Thread-safe: each call evaluates with its own state; the TSDB allows concurrent queriers.
 */
public final class QueryEngine {
  /** Skipped-profile warnings listed one by one before they are summarised. */
  private static final int MAX_SKIP_WARNINGS = 20;

  private final Tsdb tsdb;
  private final QueryLimits limits;
  private final LongSupplier nanoTime;

  public QueryEngine(Tsdb tsdb, QueryLimits limits) {
    this(tsdb, limits, System::nanoTime);
  }

  QueryEngine(Tsdb tsdb, QueryLimits limits, LongSupplier nanoTime) {
    this.tsdb = Objects.requireNonNull(tsdb, "tsdb");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  public QueryLimits limits() {
    return limits;
  }

  /**
   * Evaluates {@code expr} at {@code timeMillis}: a selector gives the profile at that time, a
   * range selector the timeline ending there, functions their profiles.
   *
   * @throws IOException when the store cannot be read
   */
  public QueryResult instant(Expr expr, long timeMillis) throws IOException {
    return new Evaluation(timeMillis, timeMillis).top(expr, false);
  }

  /**
   * Evaluates {@code expr} over {@code [startMillis, endMillis]}: a plain selector gives the
   * timeline of that range; every other expression is evaluated at {@code endMillis}.
   *
   * @throws IOException when the store cannot be read
   */
  public QueryResult range(Expr expr, long startMillis, long endMillis) throws IOException {
    if (endMillis < startMillis) {
      throw new IllegalArgumentException("range end " + endMillis + " is before its start "
          + startMillis);
    }
    return new Evaluation(startMillis, endMillis).top(expr, true);
  }

  /** The state of one query: its times, deadline and warnings. */
  private final class Evaluation {
    private final long startMillis;
    private final long endMillis;
    private final long startNanos;
    private final List<String> warnings = new ArrayList<>();
    private boolean timedOut;

    Evaluation(long startMillis, long endMillis) {
      this.startMillis = startMillis;
      this.endMillis = endMillis;
      this.startNanos = nanoTime.getAsLong();
    }

    QueryResult top(Expr expr, boolean rangeQuery) throws IOException {
      Objects.requireNonNull(expr, "expr");
      try {
        if (rangeQuery && expr instanceof Selector s) {
          long shift = endMillis - startMillis;
          long end = evaluationTime(s);
          return timeline(s, saturatingSub(end, shift), end);
        }
        if (expr instanceof RangeSelector r) {
          return rangeTimeline(r);
        }
        if (expr instanceof MergeCall m) {
          return profiles(m.type(), merge(m));
        }
        return profiles(ResultType.PROFILE, listOf(single(expr)));
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }

    private Profiles profiles(ResultType type, List<Profiles.Entry> entries) {
      return new Profiles(type, entries, warnings);
    }

    private boolean deadlinePassed() {
      if (!timedOut && nanoTime.getAsLong() - startNanos >= limits.timeout().toNanos()) {
        timedOut = true;
      }
      return timedOut;
    }

    /** The selector's evaluation time: {@code @} if given, else the query's end; minus offset. */
    private long evaluationTime(Selector s) {
      long t = endMillis;
      if (s.at().isPresent()) {
        At at = s.at().get();
        t = switch (at.kind()) {
          case TIMESTAMP -> at.timestampMillis();
          case START -> startMillis;
          case END -> endMillis;
        };
      }
      return saturatingSub(t, s.offset().toMillis());
    }

    private Timeline rangeTimeline(RangeSelector r) throws IOException {
      long end = evaluationTime(r.selector());
      return timeline(r.selector(), windowStart(end, r), end);
    }

    private Timeline timeline(Selector s, long mint, long maxt) throws IOException {
      List<Timeline.Entry> out = new ArrayList<>();
      try (Querier q = tsdb.querier(mint, maxt)) {
        List<Series> series = limitSeries(q.select(s.matchers()));
        for (Series one : series) {
          if (deadlinePassed()) {
            warnings.add("query timeout exceeded, returned " + out.size() + " of "
                + series.size() + " series");
            break;
          }
          long[] ts = one.timestamps();
          if (ts.length > 0) {
            out.add(new Timeline.Entry(one.labels(), ts));
          }
        }
      }
      return new Timeline(out, warnings);
    }

    private List<Series> limitSeries(List<Series> all) {
      if (all.size() <= limits.maxSeries()) {
        return all;
      }
      warnings.add("selected " + all.size() + " series, more than the limit of "
          + limits.maxSeries() + "; used the first " + limits.maxSeries() + " in label order");
      return all.subList(0, limits.maxSeries());
    }

    private Profiles.Entry instantProfile(Selector s) throws IOException {
      long t = evaluationTime(s);
      long lookback = limits.lookback().toMillis();
      try (Querier q = tsdb.querier(saturatingSub(t, lookback), saturatingAdd(t, lookback))) {
        List<Series> series = limitSeries(q.select(s.matchers()));
        Series atOrAfter = null;
        long atOrAfterTs = Long.MAX_VALUE;
        Series before = null;
        long beforeTs = Long.MIN_VALUE;
        int withSamples = 0;
        for (Series one : series) {
          long[] ts = one.timestamps();
          if (ts.length == 0) {
            continue;
          }
          withSamples++;
          int i = firstAtOrAfter(ts, t);
          if (i < ts.length && ts[i] < atOrAfterTs) {
            atOrAfter = one;
            atOrAfterTs = ts[i];
          }
          if (i > 0 && ts[i - 1] > beforeTs) {
            before = one;
            beforeTs = ts[i - 1];
          }
        }
        Series chosen = atOrAfter != null ? atOrAfter : before;
        if (chosen == null) {
          return null;
        }
        long ts = atOrAfter != null ? atOrAfterTs : beforeTs;
        if (withSamples > 1) {
          warnings.add(withSamples + " series matched; returned the profile of "
              + chosen.labels() + " at " + ts);
        }
        Iterator<Sample> it = chosen.samples();
        while (it.hasNext()) {
          Sample sample = it.next();
          if (sample.timestampMillis() == ts) {
            return new Profiles.Entry(chosen.labels(), OptionalLong.of(ts), sample.bytes(), 1);
          }
        }
        throw new IOException("series " + chosen.labels() + " lists a sample at " + ts
            + " that its samples do not contain");
      }
    }

    /** One merge budget and the warnings about skipped profiles. */
    private final class MergeRun {
      long samples;
      long bytes;
      String stoppedBy;
      final Map<Labels, String> skippedFirstReason = new LinkedHashMap<>();
      final Map<Labels, Integer> skippedCount = new LinkedHashMap<>();

      /** True if the next profile, of {@code size} bytes, may be read. */
      boolean mayRead() {
        if (stoppedBy != null) {
          return false;
        }
        if (deadlinePassed()) {
          stoppedBy = "merge timeout exceeded";
        } else if (samples >= limits.maxSamples()) {
          stoppedBy = "merge sample limit of " + limits.maxSamples() + " reached";
        }
        return stoppedBy == null;
      }

      boolean fits(int size) {
        if (bytes + size > limits.maxBytes()) {
          stoppedBy = "merge byte limit of " + limits.maxBytes() + " reached";
          return false;
        }
        return true;
      }

      void skip(Labels series, long ts, String reason) {
        skippedFirstReason.putIfAbsent(series, "at " + ts + ": " + reason);
        skippedCount.merge(series, 1, Integer::sum);
      }

      void report() {
        int listed = 0;
        for (var e : skippedFirstReason.entrySet()) {
          if (listed++ == MAX_SKIP_WARNINGS) {
            warnings.add("skipped profiles of " + (skippedFirstReason.size() - MAX_SKIP_WARNINGS)
                + " more series");
            break;
          }
          int n = skippedCount.get(e.getKey());
          warnings.add("skipped " + n + (n == 1 ? " profile" : " profiles") + " of series "
              + e.getKey() + " (first " + e.getValue() + ")");
        }
        if (stoppedBy != null) {
          warnings.add(stoppedBy + ", used partial merge of " + samples + " samples");
        }
      }
    }

    private List<Profiles.Entry> merge(MergeCall m) throws IOException {
      if (!(m.argument() instanceof RangeSelector r)) {
        throw new IllegalArgumentException("merge needs a range selector, got "
            + m.argument().type().jsonName());
      }
      long end = evaluationTime(r.selector());
      List<String> by = m.by().orElse(List.of());
      Map<Labels, ProfileMerger> groups = new TreeMap<>();
      Map<Labels, Long> counts = new TreeMap<>();
      MergeRun run = new MergeRun();
      ProfileReader reader = ProfileReader.defaults();
      try (Querier q = tsdb.querier(windowStart(end, r), end)) {
        List<Series> series = limitSeries(q.select(r.selector().matchers()));
        outer:
        for (Series one : series) {
          Labels group = groupLabels(one.labels(), by);
          Iterator<Sample> it = one.samples();
          while (it.hasNext()) {
            if (!run.mayRead()) {
              break outer;
            }
            Sample sample = it.next();
            if (!run.fits(sample.bytes().length)) {
              break outer;
            }
            run.bytes += sample.bytes().length;
            try {
              Profile p = reader.parse(sample.bytes(), one.labels() + " at "
                  + sample.timestampMillis());
              groups.computeIfAbsent(group, g -> new ProfileMerger()).add(p);
              counts.merge(group, 1L, Long::sum);
              run.samples++;
            } catch (InvalidProfileException e) {
              run.skip(one.labels(), sample.timestampMillis(), e.getMessage());
            }
          }
        }
      }
      run.report();
      List<Profiles.Entry> out = new ArrayList<>();
      for (var e : groups.entrySet()) {
        if (e.getValue().profileCount() == 0) {
          continue;
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream(64 * 1024);
        e.getValue().writeTo(raw);
        out.add(new Profiles.Entry(e.getKey(), OptionalLong.empty(), raw.toByteArray(),
            counts.get(e.getKey())));
      }
      return out;
    }

    private Profiles.Entry diff(DiffCall d) throws IOException {
      Profiles.Entry base = single(d.base());
      Profiles.Entry target = single(d.target());
      if (base == null || target == null) {
        warnings.add("diff: no " + (base == null ? "base (first)" : "target (second)")
            + " profile, so no difference");
        return null;
      }
      try {
        Profile result = Profile.diff(base.profile(), target.profile());
        return new Profiles.Entry(Labels.EMPTY, OptionalLong.empty(), result.toByteArray(),
            base.sourceProfiles() + target.sourceProfiles());
      } catch (InvalidProfileException e) {
        warnings.add("diff: " + e.getMessage());
        return null;
      }
    }

    /** A PROFILE-typed expression's profile, or null. */
    private Profiles.Entry single(Expr e) throws IOException {
      if (e.type() != ResultType.PROFILE) {
        throw new IllegalArgumentException("expected a profile expression, got "
            + e.type().jsonName());
      }
      if (e instanceof Selector s) {
        return instantProfile(s);
      }
      if (e instanceof DiffCall d) {
        return diff(d);
      }
      List<Profiles.Entry> merged = merge((MergeCall) e);
      return merged.isEmpty() ? null : merged.get(0);
    }
  }

  private static List<Profiles.Entry> listOf(Profiles.Entry e) {
    return e == null ? List.of() : List.of(e);
  }

  /** The labels of {@code series} named in {@code by}; absent labels are left out. */
  static Labels groupLabels(Labels series, List<String> by) {
    if (by.isEmpty()) {
      return Labels.EMPTY;
    }
    Labels.Builder b = Labels.builder();
    for (String name : by) {
      String v = series.get(name);
      if (v != null && !v.isEmpty()) {
        b.set(name, v);
      }
    }
    return b.build();
  }

  /** First index of {@code ts} (ascending) whose value is at least {@code t}. */
  static int firstAtOrAfter(long[] ts, long t) {
    int lo = 0;
    int hi = ts.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ts[mid] < t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The first millisecond of {@code (end - range, end]} (end itself where time runs out). */
  private static long windowStart(long end, RangeSelector r) {
    return Math.min(end, saturatingAdd(saturatingSub(end, r.range().toMillis()), 1));
  }

  static long saturatingSub(long a, long b) {
    long r = a - b;
    if (((a ^ b) & (a ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  static long saturatingAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
