package io.conprof.tsdb.head;

import io.conprof.core.model.Label;
import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.tsdb.DuplicateSampleException;
import io.conprof.tsdb.OutOfBoundsSampleException;
import io.conprof.tsdb.OutOfOrderSampleException;
import io.conprof.tsdb.SampleRejectedException;
import io.conprof.tsdb.TooManySeriesException;
import io.conprof.tsdb.wal.ReplayHandler;
import io.conprof.tsdb.wal.SegmentedWal;
import io.conprof.tsdb.wal.WalFile;
import io.conprof.tsdb.wal.WalRecord;
import io.conprof.tsdb.wal.WalRecords;
import io.conprof.tsdb.wal.WalRecords.SampleEntry;
import io.conprof.tsdb.wal.WalRecords.SeriesEntry;
import io.conprof.tsdb.wal.WalRecords.TombstoneEntry;
import io.conprof.tsdb.wal.WalTailer;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head: the newest samples of every series, durable in the WAL, indexed in memory.
 *
 * <p><b>Memory.</b> The head keeps labels, postings and per-sample timestamps in memory, but not the
 * profiles: a sample's bytes stay where the WAL wrote them and are read back (CRC-checked) when a
 * query iterates them. A head of a million samples costs about 36 MB of heap whatever the size of
 * the profiles; the WAL on disk is the head's payload store.
 *
 * <p><b>Writes.</b> {@link #commit} runs under one commit lock: it resolves each sample's series
 * (through the {@link SeriesRegistry}: canonical-label hash to series ref), checks order, writes
 * one WAL batch (series records first, then samples), and only then makes the samples visible under
 * the write lock. A rejected sample rejects the whole batch before anything is written.
 *
 * <p><b>Bounds.</b> Samples older than {@link #appendableMinTime()}: the end of the last truncation
 * (the newest block) or half a block range before the head's newest sample, whichever is later, are
 * refused; so compaction of an old range never races an append into it.
 *
 * <p><b>Truncation.</b> After a range is written into a block, {@link #truncate} drops it from
 * memory, persists the new lower bound in the WAL, and replaces every WAL segment whose samples are
 * all older by a checkpoint holding just the live series, their tombstones and the head state.
 *
 * <p><b>Read-only heads.</b> {@link #openReadOnly} builds a head that follows the WAL of a database
 * another process writes (through a {@link WalTailer}) and never writes anything: no WAL, an
 * in-memory registry. {@link #follow} reads what was appended since the last call, decoding it
 * without holding any lock and then applying it under the write lock, so queries wait only for
 * the in-memory part. {@link #forgetBefore} drops what the writer has moved into blocks.
 */
public final class Head implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Head.class);
  /** Samples records are cut at about this size; one larger sample gets a record of its own. */
  static final long TARGET_RECORD_BYTES = 16L << 20;
  /** Records a read-only head decodes before it applies them under the write lock. */
  private static final int APPLY_BATCH_EVENTS = 1 << 16;

  /** Head settings. */
  public record Options(long blockRangeMillis, long maxSeries, long walSegmentBytes) {}

  /** A sample handed to {@link #commit}. */
  public record Pending(Labels labels, long timestampMillis, byte[] bytes) {}

  /** Numbers for {@code tsdb inspect}. */
  public record Stats(
      long numSeries, long numSamples, long minTimeMillis, long maxTimeMillis, long payloadBytes,
      long walBytes, int walSegments, long minValidTimeMillis, long registryEntries) {}

  /** What a replay restored and dropped. */
  public record ReplaySummary(
      long series, long samples, long unknownSeriesSamples, long outOfOrderSamples,
      long belowMinValidSamples, SegmentedWal.ReplayStats wal, boolean registryRebuilt) {}

  private final Options options;
  private final SeriesRegistry registry;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Object commitLock = new Object();
  private final Map<Long, MemSeries> byRef = new HashMap<>();
  private final Map<String, Map<String, Set<MemSeries>>> postings = new HashMap<>();
  private SegmentedWal wal;
  private WalTailer tailer;
  /** The newest lower bound recorded by the writer's truncation in the WAL (head-state records). */
  private long walTruncatedBeforeMillis = Long.MIN_VALUE;
  private long nextRef = 1;
  private volatile long minValidTimeMillis;
  private long minTimeMillis = Long.MAX_VALUE;
  private long maxTimeMillis = Long.MIN_VALUE;
  private long numSamples;
  private long payloadBytes;
  private ReplaySummary replaySummary;

  private Head(Options options, SeriesRegistry registry, long minValidTimeMillis) {
    this.options = options;
    this.registry = registry;
    this.minValidTimeMillis = minValidTimeMillis;
  }

  /**
   * Opens the head on {@code walDir}, replaying the WAL. Samples before {@code minValidTimeMillis}
   * (the end of the newest block) are already in blocks and are skipped.
   */
  public static Head open(
      Path walDir, Options options, SeriesRegistry registry, long minValidTimeMillis)
      throws IOException {
    Head h = new Head(options, registry, minValidTimeMillis);
    Replayer r = h.new Replayer();
    h.wal = SegmentedWal.open(walDir, options.walSegmentBytes(), r);
    h.finishReplay(r);
    return h;
  }

  /**
   * Opens a read-only head on the WAL in {@code walDir}, which another process may be writing;
   * nothing is read before the first {@link #follow}. Samples before {@code minValidTimeMillis} are
   * in blocks and are skipped.
   */
  public static Head openReadOnly(Path walDir, Options options, long minValidTimeMillis) {
    Head h = new Head(options, new InMemorySeriesRegistry(), minValidTimeMillis);
    h.tailer = new WalTailer(walDir);
    return h;
  }

  /** True for a head opened by {@link #openReadOnly}. */
  public boolean readOnly() {
    return tailer != null;
  }

  /**
   * Reads what the writer appended to the WAL since the last call and makes it visible to selects.
   * Returns false if the WAL changed in a way that cannot be followed: this head then stays as it
   * is, and the caller opens a new one.
   */
  public boolean follow() throws IOException {
    if (tailer == null) {
      throw new IllegalStateException("follow() is for read-only heads");
    }
    List<Consumer<ReplayHandler>> events = new ArrayList<>();
    ReplayHandler recorder = new ReplayHandler() {
      @Override
      public void series(long ref, List<String> nameValues) {
        record(h -> h.series(ref, nameValues));
      }

      @Override
      public void sample(long ref, long ts, WalFile file, long offset, int length, int crc) {
        record(h -> h.sample(ref, ts, file, offset, length, crc));
      }

      @Override
      public void tombstone(long ref, long minTime, long maxTime) {
        record(h -> h.tombstone(ref, minTime, maxTime));
      }

      @Override
      public void headState(long minValidTime, long nextSeriesRef) {
        record(h -> h.headState(minValidTime, nextSeriesRef));
      }

      private void record(Consumer<ReplayHandler> event) {
        events.add(event);
        if (events.size() >= APPLY_BATCH_EVENTS) {
          apply(events); // bounds the memory of a first read of a large WAL
          events.clear();
        }
      }
    };
    try {
      return tailer.poll(recorder);
    } finally {
      // Also after a failed read: the tailer has moved past these records and will not repeat them.
      apply(events);
    }
  }

  private void apply(List<Consumer<ReplayHandler>> events) {
    if (events.isEmpty()) {
      return;
    }
    synchronized (commitLock) {
      lock.writeLock().lock();
      try {
        Replayer r = new Replayer();
        for (Consumer<ReplayHandler> e : events) {
          e.accept(r);
        }
        recomputeBounds();
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /**
   * Read-only heads: drops the samples before {@code mint} (the writer has them in blocks and no
   * reader needs them from the head any more) and closes WAL files the writer deleted that held
   * nothing newer. A series left empty is forgotten only once the writer has recorded a truncation
   * at or after {@code mint}: from then on the writer gives that label set a new series ref, so no
   * later WAL record can name the forgotten one.
   */
  public void forgetBefore(long mint) throws IOException {
    if (tailer == null) {
      throw new IllegalStateException("forgetBefore() is for read-only heads");
    }
    synchronized (commitLock) {
      lock.writeLock().lock();
      try {
        boolean unregister = mint <= walTruncatedBeforeMillis;
        for (MemSeries s : new ArrayList<>(byRef.values())) {
          s.dropBefore(mint);
          if (s.count == 0 && unregister) {
            unregister(s);
          }
        }
        recomputeBounds();
      } finally {
        lock.writeLock().unlock();
      }
    }
    tailer.closeRemoved(mint);
  }

  private final class Replayer implements ReplayHandler {
    long series;
    long samples;
    long unknown;
    long outOfOrder;
    long badLabels;
    long below;

    @Override
    public void series(long ref, List<String> nameValues) {
      nextRef = Math.max(nextRef, ref + 1);
      if (byRef.containsKey(ref)) {
        return; // the checkpoint and a later segment may both name a series
      }
      Labels labels;
      try {
        labels = Labels.of(nameValues.toArray(new String[0]));
      } catch (IllegalArgumentException e) {
        badLabels++;
        LOG.warn("WAL series {} has invalid labels {}: {}", ref, nameValues, e.getMessage());
        return;
      }
      MemSeries s = new MemSeries(ref, labels, SeriesKey.of(labels.toString()));
      register(s);
      series++;
    }

    @Override
    public void sample(long ref, long ts, WalFile file, long offset, int length, int crc) {
      if (ts < minValidTimeMillis) {
        below++; // already in a block; its series may have been dropped from the head since
        return;
      }
      MemSeries s = byRef.get(ref);
      if (s == null) {
        unknown++;
        return;
      }
      if (s.count > 0 && ts <= s.lastTimestamp()) {
        outOfOrder++;
        return;
      }
      s.add(ts, file, offset, length, crc);
      samples++;
    }

    @Override
    public void tombstone(long ref, long minTime, long maxTime) {
      MemSeries s = byRef.get(ref);
      if (s != null) {
        s.tombstones.add(new long[] {minTime, maxTime});
      }
    }

    @Override
    public void headState(long minValidTime, long nextSeriesRef) {
      minValidTimeMillis = Math.max(minValidTimeMillis, minValidTime);
      walTruncatedBeforeMillis = Math.max(walTruncatedBeforeMillis, minValidTime);
      nextRef = Math.max(nextRef, nextSeriesRef);
    }
  }

  private void finishReplay(Replayer r) {
    long below = r.below;
    for (MemSeries s : byRef.values()) {
      below += s.dropBefore(minValidTimeMillis);
    }
    recomputeBounds();
    if (r.unknown > 0 || r.outOfOrder > 0) {
      LOG.warn("WAL replay dropped {} samples of series without a series record and {} samples out "
          + "of order (after damage to the WAL)", r.unknown, r.outOfOrder);
    }
    boolean rebuilt = reconcileRegistry();
    replaySummary = new ReplaySummary(r.series, r.samples - (below - r.below), r.unknown,
        r.outOfOrder, below,
        wal.replayStats(), rebuilt);
  }

  /**
   * Checks the registry against the replayed series (the truth) and rebuilds it if any entry is
   * missing, stale or extra; then refreshes first/last timestamps. Returns true if rebuilt.
   */
  private boolean reconcileRegistry() {
    long mismatched = 0;
    for (MemSeries s : byRef.values()) {
      SeriesRegistry.Entry e = registry.get(s.key);
      if (e == null || e.seriesRef() != s.ref) {
        mismatched++;
      }
    }
    boolean rebuild = mismatched > 0 || registry.size() != byRef.size();
    if (rebuild) {
      if (registry.size() > 0 || registry.recovered()) {
        LOG.info("series registry disagrees with the WAL ({} of {} series missing or stale, {} "
            + "entries); rebuilding it", mismatched, byRef.size(), registry.size());
      }
      registry.clear();
    }
    for (MemSeries s : byRef.values()) {
      SeriesRegistry.Entry want = new SeriesRegistry.Entry(s.ref, s.firstTimestamp(), s.lastTimestamp());
      if (rebuild || !want.equals(registry.get(s.key))) {
        registry.put(s.key, want);
      }
    }
    return rebuild;
  }

  public ReplaySummary replaySummary() {
    return replaySummary;
  }

  public SegmentedWal wal() {
    return wal;
  }

  /** The oldest timestamp an append may have now. */
  public long appendableMinTime() {
    lock.readLock().lock();
    try {
      long min = minValidTimeMillis;
      if (maxTimeMillis != Long.MIN_VALUE) {
        min = Math.max(min, maxTimeMillis - options.blockRangeMillis() / 2);
      }
      return min;
    } finally {
      lock.readLock().unlock();
    }
  }

  public long minValidTimeMillis() {
    return minValidTimeMillis;
  }

  /**
   * Validates and writes {@code batch} to the WAL, then makes it visible. Returns the WAL position
   * to {@link SegmentedWal#sync} for durability. Duplicates with identical bytes are skipped.
   */
  public long commit(List<Pending> batch) throws IOException, SampleRejectedException {
    synchronized (commitLock) {
      long appendableMin = appendableMinTime();
      Map<Labels, MemSeries> resolved = new HashMap<>();
      List<MemSeries> created = new ArrayList<>();
      Map<MemSeries, Pending> lastInBatch = new IdentityHashMap<>();
      List<Pending> accepted = new ArrayList<>();
      List<MemSeries> targets = new ArrayList<>();
      for (Pending p : batch) {
        MemSeries s = resolved.get(p.labels());
        if (s == null) {
          s = lookup(p.labels());
          if (s == null) {
            if (byRef.size() + created.size() >= options.maxSeries()) {
              throw new TooManySeriesException(p.labels(), options.maxSeries());
            }
            s = new MemSeries(nextRef + created.size(), p.labels(),
                SeriesKey.of(p.labels().toString()));
            created.add(s);
          }
          resolved.put(p.labels(), s);
        }
        if (p.timestampMillis() < appendableMin) {
          throw new OutOfBoundsSampleException(p.labels(), p.timestampMillis(), appendableMin);
        }
        Pending prev = lastInBatch.get(s);
        long last = prev != null ? prev.timestampMillis() : s.lastTimestamp();
        if ((prev != null || s.count > 0) && p.timestampMillis() <= last) {
          if (p.timestampMillis() < last) {
            throw new OutOfOrderSampleException(p.labels(), p.timestampMillis(), last);
          }
          byte[] lastBytes = prev != null ? prev.bytes() : readLast(s);
          if (!Arrays.equals(lastBytes, p.bytes())) {
            throw new DuplicateSampleException(p.labels(), p.timestampMillis(), last);
          }
          continue; // same timestamp, same bytes: already stored
        }
        lastInBatch.put(s, p);
        accepted.add(p);
        targets.add(s);
      }
      if (accepted.isEmpty()) {
        return wal.writtenPosition();
      }
      List<WalRecord> records = new ArrayList<>();
      if (!created.isEmpty()) {
        List<SeriesEntry> entries = new ArrayList<>();
        for (MemSeries s : created) {
          entries.add(new SeriesEntry(s.ref, nameValues(s.labels)));
        }
        records.add(WalRecords.series(entries));
      }
      int firstSamplesRecord = records.size();
      List<SampleEntry> chunk = new ArrayList<>();
      long chunkBytes = 0;
      for (int i = 0; i < accepted.size(); i++) {
        Pending p = accepted.get(i);
        if (!chunk.isEmpty() && chunkBytes + p.bytes().length > TARGET_RECORD_BYTES) {
          records.add(WalRecords.samples(chunk));
          chunk = new ArrayList<>();
          chunkBytes = 0;
        }
        chunk.add(new SampleEntry(targets.get(i).ref, p.timestampMillis(), p.bytes()));
        chunkBytes += p.bytes().length;
      }
      records.add(WalRecords.samples(chunk));
      // New series go into the registry first: if it refuses (full, broken), nothing is written.
      registerKeys(created);
      SegmentedWal.Written w;
      try {
        w = wal.append(records);
      } catch (IOException | RuntimeException e) {
        for (MemSeries s : created) {
          registry.remove(s.key);
        }
        throw e;
      }
      nextRef += created.size();
      lock.writeLock().lock();
      try {
        for (MemSeries s : created) {
          register(s);
        }
        int r = firstSamplesRecord;
        int inRecord = 0;
        for (int i = 0; i < accepted.size(); i++) {
          WalRecord rec = records.get(r);
          Pending p = accepted.get(i);
          MemSeries s = targets.get(i);
          s.add(p.timestampMillis(), w.file(), w.payloadOffsets()[r] + rec.sampleOffset(inRecord),
              p.bytes().length, rec.sampleCrc(inRecord));
          numSamples++;
          payloadBytes += p.bytes().length;
          minTimeMillis = Math.min(minTimeMillis, p.timestampMillis());
          maxTimeMillis = Math.max(maxTimeMillis, p.timestampMillis());
          inRecord++;
          if (inRecord == rec.sampleCount()) {
            r++;
            inRecord = 0;
          }
        }
        try {
          for (MemSeries s : lastInBatch.keySet()) {
            registry.put(s.key,
                new SeriesRegistry.Entry(s.ref, s.firstTimestamp(), s.lastTimestamp()));
          }
        } catch (RuntimeException e) {
          // The batch is durable and visible; the registry only lags and is rebuilt on open.
          LOG.warn("series registry update failed; it will be rebuilt from the WAL on next open", e);
        }
      } finally {
        lock.writeLock().unlock();
      }
      return w.position();
    }
  }

  private void registerKeys(List<MemSeries> created) throws IOException {
    int done = 0;
    try {
      for (MemSeries s : created) {
        registry.put(s.key, new SeriesRegistry.Entry(s.ref, Long.MAX_VALUE, Long.MIN_VALUE));
        done++;
      }
    } catch (RuntimeException e) {
      for (int i = 0; i < done; i++) {
        registry.remove(created.get(i).key);
      }
      throw new IOException("the series registry refused " + created.size() + " new series ("
          + e + "); nothing was written", e);
    }
  }

  private MemSeries lookup(Labels labels) {
    SeriesRegistry.Entry e = registry.get(SeriesKey.of(labels.toString()));
    if (e == null) {
      return null;
    }
    lock.readLock().lock();
    try {
      MemSeries s = byRef.get(e.seriesRef());
      return s != null && s.labels.equals(labels) ? s : null;
    } finally {
      lock.readLock().unlock();
    }
  }

  private static byte[] readLast(MemSeries s) throws IOException {
    int i = s.last();
    return s.files[i].read(s.offsets[i], s.lengths[i], s.crcs[i]);
  }

  static List<String> nameValues(Labels labels) {
    List<String> nv = new ArrayList<>(labels.size() * 2);
    for (Label l : labels) {
      nv.add(l.name());
      nv.add(l.value());
    }
    return nv;
  }

  private void register(MemSeries s) {
    byRef.put(s.ref, s);
    for (Label l : s.labels) {
      postings.computeIfAbsent(l.name(), k -> new HashMap<>())
          .computeIfAbsent(l.value(), k -> new HashSet<>())
          .add(s);
    }
  }

  private void unregister(MemSeries s) {
    byRef.remove(s.ref);
    registry.remove(s.key);
    for (Label l : s.labels) {
      Map<String, Set<MemSeries>> values = postings.get(l.name());
      if (values == null) {
        continue;
      }
      Set<MemSeries> set = values.get(l.value());
      if (set != null) {
        set.remove(s);
        if (set.isEmpty()) {
          values.remove(l.value());
        }
      }
      if (values.isEmpty()) {
        postings.remove(l.name());
      }
    }
  }

  /** Series matching all matchers (all series when there are none); caller holds the read lock. */
  /**
   * The series matching {@code matchers}. Postings narrow the scan: an equality matcher is one
   * lookup, so the smallest equality posting list is scanned when there is one (the label check
   * below applies every matcher anyway); otherwise each regex or inequality matcher that cannot
   * match "" contributes the union of its matching values' lists and the smallest is scanned.
   */
  private Collection<MemSeries> candidates(List<Matcher> matchers) {
    Collection<MemSeries> smallest = null;
    for (Matcher m : matchers) {
      if (m.type() == Matcher.Type.EQUAL && !m.matchesEmpty()) {
        Set<MemSeries> list = postings.getOrDefault(m.name(), Map.of()).get(m.value());
        if (list == null) {
          return List.of();
        }
        if (smallest == null || list.size() < smallest.size()) {
          smallest = list;
        }
      }
    }
    if (smallest == null) {
      for (Matcher m : matchers) {
        if (m.matchesEmpty()) {
          continue; // also matches series without the label: postings cannot narrow it
        }
        Set<MemSeries> union = new HashSet<>();
        for (var e : postings.getOrDefault(m.name(), Map.of()).entrySet()) {
          if (m.matches(e.getKey())) {
            union.addAll(e.getValue());
          }
        }
        if (smallest == null || union.size() < smallest.size()) {
          smallest = union;
        }
      }
    }
    Collection<MemSeries> base = smallest == null ? byRef.values() : smallest;
    List<MemSeries> out = new ArrayList<>();
    for (MemSeries s : base) {
      if (s.labels.matches(matchers)) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * Snapshots of the series matching {@code matchers} with samples in [mint, maxt], tombstones
   * applied, sorted by labels; series left without samples are omitted.
   */
  public List<HeadSeries> select(List<Matcher> matchers, long mint, long maxt) {
    List<HeadSeries> out = new ArrayList<>();
    lock.readLock().lock();
    try {
      for (MemSeries s : candidates(matchers)) {
        if (s.count == 0 || s.lastTimestamp() < mint || s.firstTimestamp() > maxt) {
          continue;
        }
        HeadSeries h = new HeadSeries(s, mint, maxt);
        if (h.size() > 0) {
          out.add(h);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    out.sort(Comparator.comparing(HeadSeries::labels));
    return out;
  }

  /** Label names of the series matching {@code matchers} with samples in [mint, maxt]. */
  public SortedSet<String> labelNames(List<Matcher> matchers, long mint, long maxt) {
    SortedSet<String> out = new TreeSet<>();
    for (HeadSeries s : select(matchers, mint, maxt)) {
      out.addAll(s.labels().names());
    }
    return out;
  }

  /** Values of label {@code name} among the series matching {@code matchers} in [mint, maxt]. */
  public SortedSet<String> labelValues(String name, List<Matcher> matchers, long mint, long maxt) {
    SortedSet<String> out = new TreeSet<>();
    for (HeadSeries s : select(matchers, mint, maxt)) {
      String v = s.labels().get(name);
      if (v != null) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * Deletes the samples of matching series in [mint, maxt]: a WAL tombstones record, then the
   * intervals in memory. Returns the WAL position to sync, or -1 if nothing matched.
   */
  public long delete(List<Matcher> matchers, long mint, long maxt) throws IOException {
    synchronized (commitLock) {
      List<MemSeries> hit = new ArrayList<>();
      lock.readLock().lock();
      try {
        for (MemSeries s : candidates(matchers)) {
          if (s.count > 0 && s.lastTimestamp() >= mint && s.firstTimestamp() <= maxt) {
            hit.add(s);
          }
        }
      } finally {
        lock.readLock().unlock();
      }
      if (hit.isEmpty()) {
        return -1;
      }
      List<TombstoneEntry> entries = new ArrayList<>();
      for (MemSeries s : hit) {
        entries.add(new TombstoneEntry(s.ref, mint, maxt));
      }
      long pos = wal.append(List.of(WalRecords.tombstones(entries))).position();
      lock.writeLock().lock();
      try {
        for (MemSeries s : hit) {
          s.tombstones.add(new long[] {mint, maxt});
        }
      } finally {
        lock.writeLock().unlock();
      }
      return pos;
    }
  }

  /** True when the head spans more than 1.5 block ranges (Prometheus' rule). */
  public boolean compactable() {
    lock.readLock().lock();
    try {
      return numSamples > 0
          && maxTimeMillis - minTimeMillis > options.blockRangeMillis() / 2 * 3;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Newest sample time in the head, or {@link Long#MIN_VALUE} when empty. */
  public long maxTimeMillis() {
    lock.readLock().lock();
    try {
      return maxTimeMillis;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Oldest sample time in the head, or {@link Long#MAX_VALUE} when empty. */
  public long minTimeMillis() {
    lock.readLock().lock();
    try {
      return minTimeMillis;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Refuses appends before {@code t} from now on (called before a range is compacted). */
  public void raiseMinValidTime(long t) {
    synchronized (commitLock) {
      lock.writeLock().lock();
      try {
        minValidTimeMillis = Math.max(minValidTimeMillis, t);
      } finally {
        lock.writeLock().unlock();
      }
    }
  }

  /**
   * Drops everything before {@code mint} (already written to a block), removes series left empty,
   * records the new bound in the WAL and checkpoints the segments that hold only older samples. The
   * caller guarantees that no reader still uses the dropped samples.
   */
  public void truncate(long mint) throws IOException {
    synchronized (commitLock) {
      List<MemSeries> live;
      lock.writeLock().lock();
      try {
        minValidTimeMillis = Math.max(minValidTimeMillis, mint);
        for (MemSeries s : new ArrayList<>(byRef.values())) {
          s.dropBefore(mint);
          if (s.count == 0) {
            unregister(s);
          }
        }
        recomputeBounds();
        live = new ArrayList<>(byRef.values());
      } finally {
        lock.writeLock().unlock();
      }
      wal.append(List.of(WalRecords.headState(minValidTimeMillis, nextRef)));
      int through = -1;
      WalFile active = wal.activeSegment();
      for (WalFile f : wal.segments()) {
        if (f == active || f.maxSampleTimestampMillis() >= mint) {
          break;
        }
        through = f.number();
      }
      if (through < 0) {
        return;
      }
      List<SeriesEntry> series = new ArrayList<>();
      List<TombstoneEntry> tombstones = new ArrayList<>();
      live.sort(Comparator.comparingLong(s -> s.ref));
      for (MemSeries s : live) {
        series.add(new SeriesEntry(s.ref, nameValues(s.labels)));
        for (long[] t : s.tombstones) {
          tombstones.add(new TombstoneEntry(s.ref, t[0], t[1]));
        }
      }
      List<WalRecord> records = new ArrayList<>();
      records.add(WalRecords.series(series));
      if (!tombstones.isEmpty()) {
        records.add(WalRecords.tombstones(tombstones));
      }
      records.add(WalRecords.headState(minValidTimeMillis, nextRef));
      wal.checkpoint(through, records);
    }
  }

  private void recomputeBounds() {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    long n = 0;
    long bytes = 0;
    for (MemSeries s : byRef.values()) {
      if (s.count > 0) {
        min = Math.min(min, s.firstTimestamp());
        max = Math.max(max, s.lastTimestamp());
        n += s.count;
        for (int i = 0; i < s.count; i++) {
          bytes += s.lengths[i];
        }
      }
    }
    minTimeMillis = min;
    maxTimeMillis = max;
    numSamples = n;
    payloadBytes = bytes;
  }

  public Stats stats() {
    long walBytes;
    int walSegments;
    if (tailer != null) {
      try {
        walBytes = tailer.sizeBytes();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      walSegments = tailer.segmentCount();
    } else {
      walBytes = wal.sizeBytes();
      walSegments = wal.segments().size();
    }
    lock.readLock().lock();
    try {
      return new Stats(byRef.size(), numSamples, minTimeMillis, maxTimeMillis, payloadBytes,
          walBytes, walSegments, minValidTimeMillis, registry.size());
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Closes the WAL (after a final fsync) and the registry (marking a clean shutdown); a read-only
   * head closes the WAL files it reads.
   */
  @Override
  public void close() throws IOException {
    synchronized (commitLock) {
      IOException err = null;
      try {
        if (tailer != null) {
          tailer.close();
        } else {
          wal.close();
        }
      } catch (IOException e) {
        err = e;
      }
      try {
        registry.close();
      } catch (IOException e) {
        if (err == null) {
          err = e;
        } else {
          err.addSuppressed(e);
        }
      }
      if (err != null) {
        throw err;
      }
    }
  }
}
