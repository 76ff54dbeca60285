package io.conprof.tsdb;

import io.conprof.core.model.Matcher;
import io.conprof.core.sink.ProfileSink;
import io.conprof.tsdb.block.Block;
import io.conprof.tsdb.block.BlockMeta;
import io.conprof.tsdb.block.BlockVerifier;
import io.conprof.tsdb.block.BlockWriter;
import io.conprof.tsdb.block.CompactionPlanner;
import io.conprof.tsdb.block.Compactor;
import io.conprof.tsdb.block.Retention;
import io.conprof.tsdb.head.ChronicleSeriesRegistry;
import io.conprof.tsdb.head.Head;
import io.conprof.tsdb.head.HeadSeries;
import io.conprof.tsdb.head.InMemorySeriesRegistry;
import io.conprof.tsdb.head.SeriesRegistry;
import io.conprof.tsdb.wal.SegmentedWal;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded, append-only time-series database whose samples are pprof profiles.
 *
 * <p><b>Layout.</b> A directory holds a {@code lock} file, the WAL ({@code wal/}), the head's series
 * registry ({@code head-series.cmap}) and one directory per block, named by ULID. New samples go to
 * the head (WAL-backed, see {@link Head}); when the head spans more than 1.5 block ranges its oldest
 * range is written as a level-1 block and dropped from the head; blocks are then merged into larger
 * levels and deleted by retention, as in Prometheus.
 *
 * <p><b>Concurrency.</b> One writer process per directory, enforced by an OS file lock. Within it,
 * any number of threads may append (commits are serialised, their fsyncs shared) and query. Readers
 * see a {@code DbState}: an immutable list of reference-counted blocks plus the time from which the
 * head belongs to the view. Compaction publishes a new state; a replaced block is closed and deleted
 * after the last querier that could read it closes, and the head drops a compacted range only after
 * every querier of the older states has closed. So queries run during compaction and never see a
 * sample twice or miss one.
 *
 * <p><b>Crash safety.</b> A block is written under {@code <ULID>.tmp-for-creation} and renamed; a
 * deleted block is first renamed to {@code <ULID>.tmp-for-deletion}. On open those leftovers are
 * removed, blocks that are parents of another loaded block (a crash between a compaction and the
 * removal of its inputs) are deleted, and the WAL is replayed from the end of the newest block, so
 * after a crash at any moment every sample is present exactly once. A block that cannot be read is
 * left out and logged; the database still opens.
 *
 * <p><b>Read-only.</b> {@link #openReadOnly} opens a view for another process (or thread) than the
 * writer: no lock, nothing written, kept current by {@link #refresh}; see {@link ReadOnlyView}.
 */
public final class Tsdb implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(Tsdb.class);
  private static final Pattern ULID = Pattern.compile("[0-9A-HJKMNP-TV-Z]{26}");
  static final String LOCK_FILE = "lock";
  static final String WAL_DIR = "wal";
  static final String REGISTRY_FILE = "head-series.cmap";
  private static final Set<Path> OPEN_IN_THIS_JVM = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    System.setProperty("chronicle.analytics.disable", "true");
    if (System.getProperty("chronicle.announcer.disable") == null) {
      System.setProperty("chronicle.announcer.disable", "true"); // no banner on the CLI's stderr
    }
  }

  private final Path dir;
  private final TsdbOptions options;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Path lockKey;
  private final Head head;
  private final List<Path> damagedBlocks;
  private final ReentrantLock compactionLock = new ReentrantLock();
  private final Object stateLock = new Object();
  private final List<DbState> retired = new ArrayList<>();
  private final AtomicBoolean compactionQueued = new AtomicBoolean();
  private final AtomicLong rejectedOutOfOrder = new AtomicLong();
  private final AtomicLong rejectedDuplicate = new AtomicLong();
  private final AtomicLong rejectedOutOfBounds = new AtomicLong();
  private final AtomicLong rejectedTooLarge = new AtomicLong();
  private final AtomicLong rejectedTooManySeries = new AtomicLong();
  private final ScheduledExecutorService background;
  private final ScheduledExecutorService syncer;
  private volatile DbState state;
  private volatile boolean closed;
  /** Non-null for a store opened with {@link #openReadOnly}, which then does all the reading. */
  private final ReadOnlyView readOnlyView;

  private Tsdb(Path dir, TsdbOptions options, FileChannel lockChannel, FileLock lock, Head head,
      List<BlockHandle> blocks, List<Path> damagedBlocks) throws IOException {
    this.readOnlyView = null;
    this.dir = dir;
    this.options = options;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.lockKey = dir.toRealPath();
    this.head = head;
    this.damagedBlocks = List.copyOf(damagedBlocks);
    this.state = new DbState(blocks, head.minValidTimeMillis());
    background = options.backgroundCompaction() ? daemon("compaction") : null;
    if (background != null) {
      long every = options.compactionInterval().toMillis();
      background.scheduleWithFixedDelay(this::backgroundCompact, every, every,
          TimeUnit.MILLISECONDS);
    }
    // A thread of its own, so that a long compaction never delays the interval fsync.
    syncer = options.fsyncPolicy().isEveryCommit() ? null : daemon("fsync");
    if (syncer != null) {
      long every = options.fsyncPolicy().interval().toMillis();
      syncer.scheduleWithFixedDelay(this::backgroundSync, every, every, TimeUnit.MILLISECONDS);
    }
  }

  private Tsdb(Path dir, TsdbOptions options, ReadOnlyView view) {
    this.readOnlyView = view;
    this.dir = dir;
    this.options = options;
    this.lockChannel = null;
    this.lock = null;
    this.lockKey = null;
    this.head = null;
    this.damagedBlocks = List.of();
    this.background = null;
    this.syncer = null;
  }

  private ScheduledExecutorService daemon(String what) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "conprof-tsdb-" + what + "-" + dir.getFileName());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens (creating if needed) the database in {@code dir}.
   *
   * @throws TsdbLockedException if another writer has it open
   * @throws IllegalStateException if the Chronicle registry is chosen and JVM options are missing
   */
  public static Tsdb open(Path dir, TsdbOptions options) throws IOException {
    Files.createDirectories(dir);
    Path key = dir.toRealPath();
    // POSIX record locks belong to the process, and closing any descriptor of the file drops them;
    // so a second open in this JVM must be refused before it opens the lock file at all.
    if (!OPEN_IN_THIS_JVM.add(key)) {
      throw new TsdbLockedException(dir, "held by this process");
    }
    try {
      return openLocked(dir, options);
    } catch (IOException | RuntimeException | Error e) {
      OPEN_IN_THIS_JVM.remove(key);
      throw e;
    }
  }

  /**
   * Opens the database in {@code dir} for reading only, beside a writer that may have it open in
   * another process (or in this one), or none. It takes no lock and never writes, creates or
   * deletes anything in {@code dir}: the WAL is read as it is (a record the writer has not finished
   * is simply not read yet), the series set is rebuilt on the heap from the WAL (the Chronicle
   * registry is not opened, whatever {@code options.registry()} says), and blocks are only read.
   *
   * <p>The view is current as of the open; it picks up new commits, blocks that the writer cut or
   * compacted and blocks it deleted on {@link #refresh}, which a daemon thread calls every {@link
   * TsdbOptions#readOnlyRefreshInterval()} (default 5 s). A querier keeps the view it was created
   * with, as on a writer: blocks deleted meanwhile stay readable until it closes. Appends, {@link
   * #delete} and {@link #compact} throw {@link IllegalStateException} ("store opened read-only:
   * ..."); {@link #stats()} reports rejected counts of zero.
   *
   * @throws java.nio.file.NoSuchFileException if {@code dir} does not exist or holds no store (no
   *     {@code wal/}, no lock file and no block); the message names the directory
   */
  public static Tsdb openReadOnly(Path dir, TsdbOptions options) throws IOException {
    java.util.Objects.requireNonNull(options, "options");
    return new Tsdb(dir, options, ReadOnlyView.open(dir, options));
  }

  /** True for a store opened with {@link #openReadOnly}. */
  public boolean readOnly() {
    return readOnlyView != null;
  }

  /**
   * Read-only stores: picks up, now, what the writer did since the last refresh (new commits, new
   * and deleted blocks, deletions). Queriers created afterwards see it; open ones keep their view.
   * Does nothing on a store opened with {@link #open}, which is always current.
   */
  public void refresh() throws IOException {
    checkOpen();
    if (readOnlyView != null) {
      readOnlyView.refresh();
    }
  }

  private void checkWritable(String what) {
    if (readOnlyView != null) {
      throw new IllegalStateException("store opened read-only: cannot " + what + " in " + dir
          + "; only the process that opened it with Tsdb.open writes to it");
    }
  }

  private static Tsdb openLocked(Path dir, TsdbOptions options) throws IOException {
    FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lockChannel.close();
      throw new TsdbLockedException(dir, "held by this process");
    }
    if (lock == null) {
      String holder = readHolder(lockChannel);
      lockChannel.close();
      throw new TsdbLockedException(dir, holder);
    }
    List<BlockHandle> blocks = new ArrayList<>();
    Head head = null;
    try {
      byte[] me = ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8);
      try {
        lockChannel.write(ByteBuffer.wrap(me), 0);
        lockChannel.truncate(me.length);
      } catch (IOException e) {
        // Only informative (it names the holder to a second opener); a full disk must not stop us.
        LOG.warn("cannot record this process in {}: {}", dir.resolve(LOCK_FILE), e.getMessage());
      }
      List<Path> damaged = new ArrayList<>();
      blocks.addAll(loadBlocks(dir, damaged));
      long minValid = Long.MIN_VALUE;
      for (BlockHandle b : blocks) {
        minValid = Math.max(minValid, b.block.meta().maxTimeMillis());
      }
      SeriesRegistry registry = options.registry() == SeriesRegistryKind.CHRONICLE
          ? ChronicleSeriesRegistry.open(dir.resolve(REGISTRY_FILE), options.maxSeries())
          : new InMemorySeriesRegistry();
      try {
        head = Head.open(dir.resolve(WAL_DIR),
            new Head.Options(options.blockRange().toMillis(), options.maxSeries(),
                options.walSegmentBytes()),
            registry, minValid);
      } catch (IOException | RuntimeException e) {
        registry.close();
        throw e;
      }
      Head.ReplaySummary r = head.replaySummary();
      LOG.info("opened {}: {} blocks, head {} series and {} samples from the WAL ({} records, {} "
          + "torn bytes cut, {} corrupt files)", dir, blocks.size(), r.series(), r.samples(),
          r.wal().records(), r.wal().tornBytesCut(), r.wal().corruptFiles());
      return new Tsdb(dir, options, lockChannel, lock, head, blocks, damaged);
    } catch (IOException | RuntimeException e) {
      for (BlockHandle b : blocks) {
        b.closeQuietly();
      }
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  /**
   * Checks every file of the database in {@code dir} without opening it for writing or changing
   * anything: every block through {@link BlockVerifier} (every CRC, every reference between index,
   * chunks and tombstones), leftover temporary directories, and every WAL record's framing, CRCs and
   * contents. A torn tail of the newest WAL segment is what a crash leaves (the next open cuts it)
   * and is not reported.
   */
  public static List<StorageProblem> verify(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no such directory");
    }
    List<StorageProblem> out = new ArrayList<>();
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(entries::add);
    }
    entries.sort(Comparator.naturalOrder());
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (!Files.isDirectory(p)) {
        continue;
      }
      if (ULID.matcher(name).matches()) {
        for (BlockVerifier.Problem pr : BlockVerifier.verify(p)) {
          out.add(new StorageProblem(pr.file(), pr.offset(), pr.message()));
        }
      }
    }
    for (SegmentedWal.Problem pr : SegmentedWal.verify(dir.resolve(WAL_DIR))) {
      out.add(new StorageProblem(pr.file(), pr.offset(), pr.message()));
    }
    return out;
  }

  private static String readHolder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(64);
      ch.read(b, 0);
      return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Removes leftovers of interrupted block writes and deletions, opens every block, leaves out (and
   * logs) blocks that cannot be read, and deletes blocks that are parents of a loaded block.
   */
  private static List<BlockHandle> loadBlocks(Path dir, List<Path> damaged) throws IOException {
    List<Path> candidates = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!Files.isDirectory(p)) {
          continue;
        }
        if (name.endsWith(BlockWriter.TMP_CREATION_SUFFIX)
            || name.endsWith(BlockWriter.TMP_DELETION_SUFFIX)) {
          LOG.info("removing leftover {}", p);
          BlockHandle.deleteTree(p);
        } else if (ULID.matcher(name).matches()) {
          candidates.add(p);
        }
      }
    }
    Map<String, Block> loaded = new HashMap<>();
    Map<String, Path> broken = new HashMap<>();
    for (Path p : candidates) {
      try {
        Block b = Block.open(p);
        loaded.put(b.meta().ulid(), b);
      } catch (IOException | RuntimeException e) {
        broken.put(p.getFileName().toString(), p);
        LOG.warn("leaving out block {}: it cannot be read: {}", p, e.getMessage());
      }
    }
    Set<String> parents = new HashSet<>();
    for (Block b : loaded.values()) {
      parents.addAll(b.meta().parents());
    }
    List<BlockHandle> out = new ArrayList<>();
    for (Block b : loaded.values()) {
      if (parents.contains(b.meta().ulid())) {
        LOG.info("deleting block {}: it was compacted into another block", b.dir());
        b.close();
        BlockHandle.deleteBlockDir(b.dir());
      } else {
        out.add(new BlockHandle(b));
      }
    }
    for (var e : broken.entrySet()) {
      if (parents.contains(e.getKey())) {
        LOG.info("deleting unreadable block {}: it was compacted into another block", e.getValue());
        BlockHandle.deleteBlockDir(e.getValue());
      } else {
        damaged.add(e.getValue());
      }
    }
    out.sort(Comparator.comparingLong((BlockHandle h) -> h.block.meta().minTimeMillis())
        .thenComparing(h -> h.block.meta().ulid()));
    return out;
  }

  public Path dir() {
    return dir;
  }

  public TsdbOptions options() {
    return options;
  }

  /** A new appender; use one per thread. */
  public Appender appender() {
    checkOpen();
    checkWritable("append");
    return new Appender(this, options.maxSampleBytes());
  }

  /**
   * This database as the {@link ProfileSink} the scrape loop and the self-profiler write to: each
   * append is one commit (durable under the fsync policy when it returns); a refused profile
   * becomes an {@link IOException} whose message says why (the cause is the {@link
   * SampleRejectedException}). Thread-safe.
   */
  public ProfileSink asSink() {
    checkWritable("append");
    return (labels, timestampMillis, profile) -> {
      Appender a = appender();
      try {
        a.append(labels, timestampMillis, profile);
        a.commit();
      } catch (SampleRejectedException e) {
        throw new IOException(e.getMessage(), e);
      }
    };
  }

  void commit(List<Head.Pending> batch) throws SampleRejectedException, IOException {
    checkOpen();
    long pos;
    try {
      pos = head.commit(batch);
    } catch (SampleRejectedException e) {
      countRejected(e);
      throw e;
    }
    if (options.fsyncPolicy().isEveryCommit()) {
      head.wal().sync(pos);
    }
    if (options.backgroundCompaction() && head.compactable()) {
      requestCompaction();
    }
  }

  void countRejected(SampleRejectedException e) {
    AtomicLong counter = e instanceof OutOfOrderSampleException ? rejectedOutOfOrder
        : e instanceof DuplicateSampleException ? rejectedDuplicate
        : e instanceof OutOfBoundsSampleException ? rejectedOutOfBounds
        : e instanceof SampleTooLargeException ? rejectedTooLarge
        : rejectedTooManySeries;
    counter.incrementAndGet();
  }

  /** A querier over the inclusive range [mint, maxt]; close it when done. */
  public Querier querier(long mint, long maxt) {
    checkOpen();
    if (maxt < mint) {
      throw new IllegalArgumentException("querier range [" + mint + ", " + maxt + "] is empty");
    }
    if (readOnlyView != null) {
      return readOnlyView.querier(mint, maxt);
    }
    while (true) {
      DbState s = state;
      if (s.tryAcquire()) {
        return new Querier(s, head, mint, maxt);
      }
    }
  }

  /**
   * Deletes the samples of the series matching {@code matchers} in [mint, maxt]: tombstones in
   * every overlapping block and a WAL tombstones record for the head. Deleted data disappears from
   * queries at once and from disk when its block is next compacted.
   */
  public void delete(List<Matcher> matchers, long mint, long maxt) throws IOException {
    checkOpen();
    checkWritable("delete");
    if (matchers.isEmpty()) {
      throw new IllegalArgumentException("delete needs at least one matcher");
    }
    compactionLock.lock();
    try {
      for (BlockHandle b : state.blocks) {
        if (b.block.meta().overlaps(mint, maxt)) {
          b.block.delete(matchers, mint, maxt);
        }
      }
      long pos = head.delete(matchers, mint, maxt);
      if (pos >= 0 && options.fsyncPolicy().isEveryCommit()) {
        head.wal().sync(pos);
      }
    } finally {
      compactionLock.unlock();
    }
  }

  private void requestCompaction() {
    if (background != null && compactionQueued.compareAndSet(false, true)) {
      try {
        background.execute(this::backgroundCompact);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        compactionQueued.set(false); // closing
      }
    }
  }

  private void backgroundCompact() {
    compactionQueued.set(false);
    if (closed) {
      return;
    }
    try {
      compact();
    } catch (IOException | RuntimeException e) {
      LOG.error("background compaction of {} failed; will retry", dir, e);
    }
  }

  private void backgroundSync() {
    try {
      head.wal().syncAll();
    } catch (IOException e) {
      LOG.error("WAL fsync of {} failed; further commits will fail until reopen", dir, e);
    }
  }

  /**
   * Compacts now: cuts every full block range out of the head, merges blocks as the planner says,
   * then applies retention. Runs in the background after commits too; calls are serialised.
   */
  public void compact() throws IOException {
    checkOpen();
    checkWritable("compact");
    compactionLock.lock();
    try {
      // Cut only what was compactable when this call began: a writer that keeps the head
      // compactable (a fast backfill) must not keep block merging and retention from running.
      long range = options.blockRange().toMillis();
      long maxAtStart = head.maxTimeMillis();
      while (head.compactable() && !closed && maxAtStart - head.minTimeMillis() > range / 2 * 3) {
        compactHead();
      }
      compactBlocks();
      applyRetention();
    } finally {
      compactionLock.unlock();
    }
  }

  private BlockWriter.Options blockOptions() {
    return new BlockWriter.Options(options.samplesPerChunk(), options.zstdLevel(), true, 1,
        List.of(), List.of());
  }

  private void compactHead() throws IOException {
    long range = options.blockRange().toMillis();
    long start = Math.floorDiv(head.minTimeMillis(), range) * range;
    long end = start + range;
    long began = options.clock().millis();
    head.raiseMinValidTime(end);
    List<HeadSeries> series = head.select(List.of(), start, end - 1);
    BlockHandle added = null;
    if (!series.isEmpty()) {
      BlockMeta meta;
      try {
        meta = BlockWriter.write(dir, series.iterator(), start, end, blockOptions());
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      added = new BlockHandle(Block.open(dir.resolve(meta.ulid())));
    }
    List<BlockHandle> blocks = new ArrayList<>(state.blocks);
    if (added != null) {
      blocks.add(added);
    }
    publish(blocks, end);
    awaitReaders();
    head.truncate(end);
    LOG.info("compacted head range [{}, {}) into {} in {} ms", start, end,
        added == null ? "nothing (all deleted)" : added.block.meta().ulid(),
        options.clock().millis() - began);
  }

  private List<Long> ranges() {
    long range = options.blockRange().toMillis();
    long max = 31L * 24 * 3600 * 1000;
    if (!options.retentionTime().isZero()) {
      max = Math.min(max, options.retentionTime().toMillis() / 10);
    }
    return CompactionPlanner.exponentialRanges(range * 3, 10, 3, Math.max(max, range * 3));
  }

  private void compactBlocks() throws IOException {
    CompactionPlanner planner = new CompactionPlanner(ranges());
    while (!closed) {
      List<BlockMeta> metas = new ArrayList<>();
      Map<String, BlockHandle> byId = new HashMap<>();
      for (BlockHandle b : state.blocks) {
        metas.add(b.block.meta());
        byId.put(b.block.meta().ulid(), b);
      }
      List<List<BlockMeta>> plan = planner.plan(metas);
      if (plan.isEmpty()) {
        return;
      }
      List<BlockHandle> parents = new ArrayList<>();
      List<Block> parentBlocks = new ArrayList<>();
      for (BlockMeta m : plan.get(0)) {
        parents.add(byId.get(m.ulid()));
        parentBlocks.add(byId.get(m.ulid()).block);
      }
      BlockMeta meta = Compactor.compact(dir, parentBlocks, blockOptions());
      BlockHandle child = new BlockHandle(Block.open(dir.resolve(meta.ulid())));
      List<BlockHandle> blocks = new ArrayList<>(state.blocks);
      blocks.removeAll(parents);
      blocks.add(child);
      publish(blocks, state.headMinTimeMillis);
      for (BlockHandle p : parents) {
        p.markObsolete();
      }
      LOG.info("compacted {} blocks into {} (level {})", parents.size(), meta.ulid(), meta.level());
    }
  }

  private void applyRetention() throws IOException {
    List<BlockMeta> metas = new ArrayList<>();
    for (BlockHandle b : state.blocks) {
      metas.add(b.block.meta());
    }
    Set<String> drop = new HashSet<>();
    if (!options.retentionTime().isZero()) {
      for (BlockMeta m : Retention.beyondTime(metas, options.retentionTime().toMillis())) {
        drop.add(m.ulid());
      }
    }
    if (options.retentionBytes() > 0) {
      for (BlockMeta m : Retention.beyondSize(metas, head.wal().sizeBytes(),
          options.retentionBytes())) {
        drop.add(m.ulid());
      }
    }
    if (drop.isEmpty()) {
      return;
    }
    List<BlockHandle> keep = new ArrayList<>();
    List<BlockHandle> gone = new ArrayList<>();
    for (BlockHandle b : state.blocks) {
      (drop.contains(b.block.meta().ulid()) ? gone : keep).add(b);
    }
    publish(keep, state.headMinTimeMillis);
    for (BlockHandle b : gone) {
      LOG.info("retention: deleting block {} [{}, {})", b.block.meta().ulid(),
          b.block.meta().minTimeMillis(), b.block.meta().maxTimeMillis());
      b.markObsolete();
    }
  }

  /** Makes a new state current and returns the old one (retired: released after its readers). */
  private DbState publish(List<BlockHandle> blocks, long headMinTimeMillis) {
    blocks.sort(Comparator.comparingLong((BlockHandle h) -> h.block.meta().minTimeMillis())
        .thenComparing(h -> h.block.meta().ulid()));
    synchronized (stateLock) {
      DbState old = state;
      state = new DbState(blocks, headMinTimeMillis);
      retired.add(old);
      old.retire();
      retired.removeIf(s -> s.readers() == 0);
      return old;
    }
  }

  /** Waits until no querier of a retired state is open. */
  private void awaitReaders() throws IOException {
    List<DbState> waitFor;
    synchronized (stateLock) {
      waitFor = new ArrayList<>(retired);
    }
    try {
      for (DbState s : waitFor) {
        boolean done = s.awaitNoReaders(30_000, () -> closed, () -> LOG.warn("compaction of {} is "
            + "waiting for {} open queriers to close", dir, s.readers()));
        if (!done) {
          throw new IOException("database " + dir + " is closing; the head keeps the compacted "
              + "range until the next open");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for queriers to close", e);
    }
  }

  /** Blocks, damaged blocks and head numbers, for {@code tsdb inspect}. */
  public TsdbStats stats() {
    checkOpen();
    if (readOnlyView != null) {
      return readOnlyView.stats();
    }
    List<BlockMeta> metas = new ArrayList<>();
    for (BlockHandle b : state.blocks) {
      metas.add(b.block.meta());
    }
    Head.Stats h = head.stats();
    return new TsdbStats(metas, damagedBlocks, new TsdbStats.HeadStats(h.numSeries(),
        h.numSamples(), h.minTimeMillis(), h.maxTimeMillis(), h.payloadBytes(), h.walBytes(),
        h.walSegments(), h.minValidTimeMillis()), new TsdbStats.Rejected(rejectedOutOfOrder.get(),
        rejectedDuplicate.get(), rejectedOutOfBounds.get(), rejectedTooLarge.get(),
        rejectedTooManySeries.get()));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("database " + dir + " is closed");
    }
  }

  /**
   * Stops background work (waiting for a running compaction), fsyncs and closes the WAL, closes the
   * registry (recording a clean shutdown), closes the blocks and releases the lock. Queriers still
   * open fail afterwards.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (readOnlyView != null) {
      readOnlyView.close();
      return;
    }
    for (ScheduledExecutorService ex : new ScheduledExecutorService[] {background, syncer}) {
      if (ex == null) {
        continue;
      }
      ex.shutdown();
      try {
        while (!ex.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.info("waiting for background work on {} to finish", dir);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    compactionLock.lock();
    try {
      head.close();
    } finally {
      compactionLock.unlock();
      for (BlockHandle b : state.blocks) {
        b.closeQuietly();
      }
      for (DbState s : retired) {
        for (BlockHandle b : s.blocks) {
          b.closeQuietly();
        }
      }
      try {
        lock.release();
      } finally {
        try {
          lockChannel.close();
        } finally {
          OPEN_IN_THIS_JVM.remove(lockKey);
        }
      }
    }
  }
}
