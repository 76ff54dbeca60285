package io.conprof.query.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileMerger;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.testing.Fixtures;
import io.conprof.query.QueryParser;
import io.conprof.query.ast.ResultType;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.SeriesRegistryKind;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryEngineTest {
  private static final ProfileReader READER = ProfileReader.defaults();

  @TempDir Path tmp;
  private Tsdb db;
  private final List<byte[]> raw = new ArrayList<>();
  private final List<Long> ts = new ArrayList<>();

  @BeforeEach
  void fill() throws Exception {
    db = Tsdb.open(tmp.resolve("db"), TsdbOptions.builder().backgroundCompaction(false)
        .registry(SeriesRegistryKind.IN_MEMORY).maxSeries(200_000).build());
    Appender a = db.appender();
    for (Path f : Fixtures.queryMany()) {
      byte[] bytes = READER.decompress(Files.readAllBytes(f));
      long t = READER.parse(bytes).timeNanos() / 1_000_000;
      raw.add(bytes);
      ts.add(t);
      a.append(Labels.of("__name__", "heap", "job", "api", "instance", "a"), t, bytes);
      a.append(Labels.of("__name__", "heap", "job", "api", "instance", "b"), t + 1, bytes);
    }
    a.commit();
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  private QueryResult instant(String q, long t) throws Exception {
    return new QueryEngine(db, QueryLimits.DEFAULTS).instant(QueryParser.parse(q), t);
  }

  private QueryResult instant(QueryLimits limits, String q, long t) throws Exception {
    return new QueryEngine(db, limits).instant(QueryParser.parse(q), t);
  }

  private long last() {
    return ts.get(ts.size() - 1);
  }

  private static long[] totals(Profiles.Entry e) throws Exception {
    return e.profile().totals();
  }

  private long[] mergedTotals(List<byte[]> profiles) throws Exception {
    ProfileMerger m = new ProfileMerger();
    for (byte[] b : profiles) {
      m.add(READER.parse(b));
    }
    return m.result().totals();
  }

  @Test
  void rangeSelector_givesEachSeriesTimestampsSortedByLabels() throws Exception {
    Timeline t = (Timeline) instant("heap{job=\"api\"}[1h]", last() + 1);

    assertThat(t.warnings()).isEmpty();
    assertThat(t.series()).extracting(e -> e.labels().get("instance")).containsExactly("a", "b");
    assertThat(t.series().get(0).timestampsMillis())
        .containsExactly(ts.stream().mapToLong(Long::longValue).toArray());
    assertThat(t.series().get(1).timestampsMillis()[0]).isEqualTo(ts.get(0) + 1);
    assertThat(t.sampleCount()).isEqualTo(16);
  }

  @Test
  void rangeSelector_windowIsLeftOpen() throws Exception {
    long span = ts.get(2) - ts.get(0);
    Timeline t = (Timeline) instant("heap{instance=\"a\"}[" + span + "ms]", ts.get(2));

    assertThat(t.series().get(0).timestampsMillis()).containsExactly(ts.get(1), ts.get(2));
  }

  @Test
  void rangeQuery_plainSelectorGivesTheTimelineOfTheRange() throws Exception {
    QueryResult r = new QueryEngine(db, QueryLimits.DEFAULTS)
        .range(QueryParser.parse("heap{instance=\"b\"}"), ts.get(1) + 1, ts.get(3) + 1);

    assertThat(r.type()).isEqualTo(ResultType.TIMELINE);
    assertThat(((Timeline) r).series().get(0).timestampsMillis())
        .containsExactly(ts.get(1) + 1, ts.get(2) + 1, ts.get(3) + 1);
  }

  @Test
  void instantSelector_returnsTheStoredBytesOfTheFirstSampleAtOrAfterTheTime() throws Exception {
    Profiles exact = (Profiles) instant("heap{instance=\"a\"}", ts.get(3));
    Profiles before = (Profiles) instant("heap{instance=\"a\"}", ts.get(3) - 1000);

    assertThat(exact.profiles()).hasSize(1);
    Profiles.Entry e = exact.profiles().get(0);
    assertThat(e.rawProtobuf()).isEqualTo(raw.get(3));
    assertThat(e.timestampMillis()).hasValue(ts.get(3));
    assertThat(e.labels().toString()).isEqualTo("{__name__=\"heap\", instance=\"a\", job=\"api\"}");
    assertThat(before.profiles().get(0).rawProtobuf()).isEqualTo(raw.get(3));
    assertThat(exact.warnings()).isEmpty();
  }

  @Test
  void instantSelector_afterTheLastSampleFallsBackToTheLatestWithinLookback() throws Exception {
    Profiles p = (Profiles) instant("heap{instance=\"a\"}", last() + 60_000);

    assertThat(p.profiles().get(0).timestampMillis()).hasValue(last());
  }

  @Test
  void instantSelector_outsideTheLookbackIsEmptyNotAnError() throws Exception {
    Profiles p = (Profiles) instant("heap{instance=\"a\"}", last() + 6 * 60_000);
    Profiles none = (Profiles) instant("cpu", last());

    assertThat(p.isEmpty()).isTrue();
    assertThat(none.isEmpty()).isTrue();
    assertThat(none.type()).isEqualTo(ResultType.PROFILE);
  }

  @Test
  void instantSelector_overSeveralSeriesTakesTheEarliestAndSaysWhich() throws Exception {
    Profiles p = (Profiles) instant("heap", ts.get(2) + 1);

    assertThat(p.profiles().get(0).labels().get("instance")).isEqualTo("b");
    assertThat(p.warnings()).containsExactly("2 series matched; returned the profile of "
        + "{__name__=\"heap\", instance=\"b\", job=\"api\"} at " + (ts.get(2) + 1));
  }

  @Test
  void offsetAndAt_moveTheEvaluationTimeAsInPrometheus() throws Exception {
    long atSeconds = ts.get(5) / 1000 + 1;
    long shift = atSeconds * 1000 - ts.get(2);
    Profiles p = (Profiles) instant("heap{instance=\"a\"} @ " + atSeconds + " offset " + shift
        + "ms", 0);
    Timeline t = (Timeline) instant("heap{instance=\"a\"}[1h] offset " + (last() - ts.get(4))
        + "ms", last());

    assertThat(p.profiles().get(0).timestampMillis()).hasValue(ts.get(2));
    assertThat(t.series().get(0).timestampsMillis()).hasSize(5);
  }

  @Test
  void merge_equalsMergingTheFilesAndStreamsEveryProfile() throws Exception {
    Profiles p = (Profiles) instant("merge(heap{instance=\"a\"}[1h])", last());

    assertThat(p.type()).isEqualTo(ResultType.PROFILE);
    Profiles.Entry e = p.profiles().get(0);
    assertThat(e.sourceProfiles()).isEqualTo(8);
    assertThat(e.labels().isEmpty()).isTrue();
    assertThat(totals(e)).containsExactly(mergedTotals(raw));
    assertThat(p.warnings()).isEmpty();
  }

  @Test
  void mergeBy_givesOneProfilePerGroupWithTheGroupLabels() throws Exception {
    Profiles p = (Profiles) instant("merge by (instance) (heap[1h])", last() + 1);

    assertThat(p.type()).isEqualTo(ResultType.PROFILES);
    assertThat(p.profiles()).extracting(Profiles.Entry::labels)
        .containsExactly(Labels.of("instance", "a"), Labels.of("instance", "b"));
    for (Profiles.Entry e : p.profiles()) {
      assertThat(totals(e)).containsExactly(mergedTotals(raw));
    }
  }

  @Test
  void diff_ofARangeWithItselfHasZeroTotals() throws Exception {
    Profiles p = (Profiles) instant("diff(merge(heap[1h]), merge(heap[1h]))", last() + 1);

    assertThat(p.profiles()).hasSize(1);
    assertThat(totals(p.profiles().get(0))).containsOnly(0L);
    assertThat(p.profiles().get(0).sourceProfiles()).isEqualTo(32);
  }

  @Test
  void diff_isTargetMinusBase() throws Exception {
    Profiles p = (Profiles) instant("diff(heap{instance=\"a\"} offset 1ms, heap{instance=\"b\"})",
        ts.get(0) + 1);
    Profile expected = Profile.diff(READER.parse(raw.get(0)), READER.parse(raw.get(0)));

    assertThat(totals(p.profiles().get(0))).containsExactly(expected.totals());
  }

  @Test
  void diff_withAMissingSideIsEmptyWithAWarning() throws Exception {
    Profiles p = (Profiles) instant("diff(cpu, heap{instance=\"a\"})", last());

    assertThat(p.isEmpty()).isTrue();
    assertThat(p.warnings()).containsExactly("diff: no base (first) profile, so no difference");
  }

  @Test
  void merge_sampleLimitReturnsAPartialMergeWithAWarning() throws Exception {
    Profiles p = (Profiles) instant(QueryLimits.DEFAULTS.withMaxSamples(3),
        "merge(heap{instance=\"a\"}[1h])", last());

    assertThat(p.profiles().get(0).sourceProfiles()).isEqualTo(3);
    assertThat(totals(p.profiles().get(0))).containsExactly(mergedTotals(raw.subList(0, 3)));
    assertThat(p.warnings())
        .containsExactly("merge sample limit of 3 reached, used partial merge of 3 samples");
  }

  @Test
  void merge_byteLimitStopsBeforeTheProfileThatWouldPassIt() throws Exception {
    long limit = raw.get(0).length + raw.get(1).length + raw.get(2).length - 1;
    Profiles p = (Profiles) instant(QueryLimits.DEFAULTS.withMaxBytes(limit),
        "merge(heap{instance=\"a\"}[1h])", last());

    assertThat(p.profiles().get(0).sourceProfiles()).isEqualTo(2);
    assertThat(p.warnings()).containsExactly("merge byte limit of " + limit
        + " reached, used partial merge of 2 samples");
  }

  @Test
  void merge_timeoutReturnsWhatWasMergedSoFar() throws Exception {
    AtomicLong clock = new AtomicLong();
    QueryEngine engine = new QueryEngine(db, QueryLimits.DEFAULTS.withTimeout(Duration.ofSeconds(
        10)), () -> clock.getAndAdd(Duration.ofSeconds(2).toNanos()));
    Profiles p = (Profiles) engine.instant(QueryParser.parse("merge(heap[1h])"), last() + 1);

    // Readings: 0 at the start, then 2 s, 4 s, 6 s, 8 s before four profiles, 10 s stops.
    assertThat(p.profiles().get(0).sourceProfiles()).isEqualTo(4);
    assertThat(p.warnings())
        .containsExactly("merge timeout exceeded, used partial merge of 4 samples");
  }

  @Test
  void timeline_timeoutReturnsTheSeriesReadSoFar() throws Exception {
    AtomicLong clock = new AtomicLong();
    QueryEngine engine = new QueryEngine(db, QueryLimits.DEFAULTS.withTimeout(Duration.ofSeconds(
        10)), () -> clock.getAndAdd(Duration.ofSeconds(6).toNanos()));
    Timeline t = (Timeline) engine.instant(QueryParser.parse("heap[1h]"), last() + 1);

    assertThat(t.series()).extracting(e -> e.labels().get("instance")).containsExactly("a");
    assertThat(t.warnings()).containsExactly("query timeout exceeded, returned 1 of 2 series");
  }

  @Test
  void rangeQuery_atStartAndEndNameTheEndsOfTheRange() throws Exception {
    QueryEngine engine = new QueryEngine(db, QueryLimits.DEFAULTS);
    Timeline start = (Timeline) engine.range(QueryParser.parse("heap{instance=\"a\"} @ start()"),
        ts.get(1), ts.get(6));
    Profiles end = (Profiles) engine.range(QueryParser.parse(
        "merge(heap{instance=\"a\"}[1h] @ end())"), ts.get(1), ts.get(6));

    // A plain selector in a range query is the range's timeline; @ start() moves its end there.
    assertThat(start.series().get(0).timestampsMillis()).containsExactly(ts.get(0), ts.get(1));
    assertThat(end.profiles().get(0).sourceProfiles()).isEqualTo(7);
  }

  @Test
  void extremeTimes_saturateInsteadOfOverflowing() throws Exception {
    Timeline t = (Timeline) instant("heap[1h] offset 290y", Long.MIN_VALUE + 5);
    Profiles p = (Profiles) instant("heap offset -290y", Long.MAX_VALUE - 5);
    Profiles m = (Profiles) instant("merge(heap[1h] offset 290y)", Long.MIN_VALUE + 5);

    assertThat(t.isEmpty()).isTrue();
    assertThat(p.isEmpty()).isTrue();
    assertThat(m.isEmpty()).isTrue();
  }

  @Test
  void limits_refuseNonsense() {
    assertThatThrownBy(() -> QueryLimits.DEFAULTS.withMaxSeries(0))
        .hasMessage("maxSeries must be positive: 0");
    assertThatThrownBy(() -> QueryLimits.DEFAULTS.withTimeout(Duration.ZERO))
        .hasMessage("timeout must be positive: PT0S");
    assertThatThrownBy(() -> new QueryEngine(db, QueryLimits.DEFAULTS).range(
        QueryParser.parse("heap"), 10, 9)).hasMessage("range end 9 is before its start 10");
  }

  @Test
  void timeline_seriesLimitKeepsTheFirstInLabelOrderWithAWarning() throws Exception {
    Timeline t = (Timeline) instant(QueryLimits.DEFAULTS.withMaxSeries(1), "heap[1h]",
        last() + 1);

    assertThat(t.series()).extracting(e -> e.labels().get("instance")).containsExactly("a");
    assertThat(t.warnings()).containsExactly(
        "selected 2 series, more than the limit of 1; used the first 1 in label order");
  }

  @Test
  void merge_skipsProfilesOfOtherSampleTypesNamingTheSeries() throws Exception {
    byte[] cpu = READER.decompress(Files.readAllBytes(Fixtures.pprof("pprof__sample.cpu")));
    Appender a = db.appender();
    a.append(Labels.of("__name__", "heap", "job", "api", "instance", "c"), ts.get(0), cpu);
    a.commit();

    Profiles p = (Profiles) instant("merge(heap[1h])", last() + 1);

    assertThat(p.profiles().get(0).sourceProfiles()).isEqualTo(16);
    assertThat(p.warnings()).hasSize(1);
    assertThat(p.warnings().get(0)).startsWith("skipped 1 profile of series "
        + "{__name__=\"heap\", instance=\"c\", job=\"api\"} (first at " + ts.get(0)
        + ": cannot merge: incompatible ");
  }

  @Test
  void pathologicalRegex_overManySeriesFinishes() throws Exception {
    byte[] small = READER.decompress(Files.readAllBytes(Fixtures.pprof(
        "parca__query-two-stacks.pb.gz")));
    Appender a = db.appender();
    String as = "a".repeat(40);
    for (int i = 0; i < 2000; i++) {
      a.append(Labels.of("__name__", "cpu", "path", as + i + "!"), last(), small);
    }
    a.commit();

    Timeline t = (Timeline) instant("cpu{path=~\"(a+)+$\"}[1h]", last());
    Timeline all = (Timeline) instant("cpu{path=~\"(a+)+[0-9]+!\"}[1h]", last());

    assertThat(t.series()).isEmpty();
    assertThat(all.series()).hasSize(2000);
  }

  @Test
  void merge_ofAHundredThousandSeriesReturnsAPartialResultWithinItsLimits() throws Exception {
    byte[] small = READER.decompress(Files.readAllBytes(Fixtures.pprof(
        "parca__query-two-stacks.pb.gz")));
    Appender a = db.appender();
    for (int i = 0; i < 100_000; i++) {
      a.append(Labels.of("__name__", "cpu", "pod", "p" + i), last(), small);
      if (a.pendingSamples() == 10_000) {
        a.commit();
      }
    }
    a.commit();

    Profiles p = (Profiles) instant(QueryLimits.DEFAULTS.withMaxSeries(100_000)
        .withMaxSamples(50_000), "merge(cpu{pod=~\"p.*\"}[1h])", last());
    Timeline t = (Timeline) instant("cpu[1h]", last());

    assertThat(p.profiles().get(0).sourceProfiles()).isEqualTo(50_000);
    assertThat(p.warnings()).containsExactly(
        "merge sample limit of 50000 reached, used partial merge of 50000 samples");
    assertThat(totals(p.profiles().get(0))[0])
        .isEqualTo(50_000 * READER.parse(small).totals()[0]);
    assertThat(t.series()).hasSize(10_000);
    assertThat(t.warnings()).containsExactly("selected 100000 series, more than the limit of "
        + "10000; used the first 10000 in label order");
  }
}
