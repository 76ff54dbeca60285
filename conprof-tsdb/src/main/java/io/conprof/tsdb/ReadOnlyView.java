package io.conprof.tsdb;

import io.conprof.tsdb.block.Block;
import io.conprof.tsdb.block.BlockMeta;
import io.conprof.tsdb.head.Head;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link Tsdb#openReadOnly}: a view of a database directory that another process
 * may be writing at the same time, built and kept current without writing anything there.
 *
 * <p><b>What it never does.</b> It takes no lock (and never opens the {@code lock} file: closing
 * any descriptor of it would drop a writer's POSIX lock held by the same JVM), never repairs, cuts
 * or checkpoints the WAL, never compacts, never deletes a block (not even a parent a crashed
 * compaction left behind: it is only left out of the view) and never opens the Chronicle registry:
 * the head's series set is rebuilt on the heap from the WAL. So it works beside a running writer,
 * with none, and on a store left by a crashed writer, which stays byte for byte as it was.
 *
 * <p><b>Refresh.</b> {@link #refresh} first reads the WAL records appended since the last refresh
 * ({@link Head#follow}), then lists the blocks. The order is what makes the hand-over from WAL to
 * block exact: the writer renames a new block into place before it records the truncation and
 * deletes WAL segments, so once the WAL step has seen (or missed) anything of a truncation, the
 * block listing that follows sees the block. The directory is listed until two consecutive
 * listings agree, because one listing may miss a compaction's output created while it ran and yet
 * miss its inputs deleted just after; a block deleted while it is being opened starts the listing
 * over. Blocks replaced by a compaction whose parents are still listed are left out through the parents
 * recorded in the child's {@code meta.json}, as the writer does on open. A block whose {@code
 * tombstones} changed (a deletion by the writer) is reopened. What the WAL cannot follow
 * incrementally makes the refresh build a new head from scratch.
 *
 * <p><b>Readers.</b> Each refresh publishes an immutable {@link DbState} (the visible blocks, and
 * the time from which the head's samples belong to the view); queriers hold the state they started
 * with, exactly as on a writer. Blocks are reference-counted: a block the writer deleted is closed
 * when the last querier that could read it closes, and until then its files stay readable because
 * the index and chunks are memory-mapped (an unlinked file lives as long as its mapping). The head
 * forgets samples older than the oldest state still in use, and WAL files the writer deleted are
 * closed once nothing in them is needed.
 *
 * <p><b>Costs.</b> Opening reads every block's index header and the whole WAL once (CRC-checked);
 * a refresh costs a directory listing, a {@code stat} per block and per WAL file followed, and
 * reading the new WAL bytes. Heap: as for a writer's head (labels, postings, about 36 bytes per
 * head sample).
 */
final class ReadOnlyView implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ReadOnlyView.class);
  private static final Pattern ULID = Pattern.compile("[0-9A-HJKMNP-TV-Z]{26}");
  private static final int RELOAD_ATTEMPTS = 3;
  private static final int MAX_LISTINGS = 5;

  private record View(DbState state, Head head) {}

  private record Loaded(BlockHandle handle, Object tombstonesStamp) {}

  private final Path dir;
  private final Head.Options headOptions;
  private final Object refreshLock = new Object();
  /** Blocks listed and loaded, by ULID, parents of other blocks included. Under refreshLock. */
  private final Map<String, Loaded> blocks = new HashMap<>();
  /** Block directories that could not be read, logged once. Under refreshLock. */
  private final Set<String> damaged = new TreeSet<>();
  /** Views replaced by a refresh whose queriers may still be open. Under refreshLock. */
  private final List<View> retired = new ArrayList<>();
  /** Heads replaced by a reload; each is closed once no retired view reads it. Under refreshLock. */
  private final List<Head> replacedHeads = new ArrayList<>();
  private final ScheduledExecutorService refresher;
  private volatile View view;
  private volatile boolean closed;

  private ReadOnlyView(Path dir, TsdbOptions options) {
    this.dir = dir;
    this.headOptions = new Head.Options(options.blockRange().toMillis(), options.maxSeries(),
        options.walSegmentBytes());
    Duration every = options.readOnlyRefreshInterval();
    refresher = every.isZero() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "conprof-tsdb-refresh-" + dir.getFileName());
      t.setDaemon(true);
      return t;
    });
  }

  static ReadOnlyView open(Path dir, TsdbOptions options) throws IOException {
    checkStore(dir);
    ReadOnlyView v = new ReadOnlyView(dir, options);
    try {
      synchronized (v.refreshLock) {
        v.updateBlocks(); // a first listing bounds what the WAL replay keeps
        Head head = v.loadHead();
        v.updateBlocks(); // the listing that counts comes after the WAL (see the class comment)
        v.publish(head);
      }
    } catch (IOException | RuntimeException e) {
      v.close();
      throw e;
    }
    if (v.refresher != null) {
      long millis = options.readOnlyRefreshInterval().toMillis();
      v.refresher.scheduleWithFixedDelay(v::backgroundRefresh, millis, millis,
          TimeUnit.MILLISECONDS);
    }
    View first = v.view;
    LOG.info("opened {} read-only: {} blocks, head {} series", dir, first.state.blocks.size(),
        first.head.stats().numSeries());
    return v;
  }

  private static void checkStore(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "no such directory: there is no store to "
          + "read");
    }
    if (!Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir.toString());
    }
    if (Files.isDirectory(dir.resolve(Tsdb.WAL_DIR)) || Files.exists(dir.resolve(Tsdb.LOCK_FILE))) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (ULID.matcher(p.getFileName().toString()).matches()) {
          return;
        }
      }
    }
    throw new NoSuchFileException(dir.toString(), null, "not a conprof TSDB directory (no wal/, "
        + "no lock file and no block): nothing to read");
  }

  /** A new head that has read the whole WAL. */
  private Head loadHead() throws IOException {
    for (int attempt = 1; ; attempt++) {
      Head head = Head.openReadOnly(dir.resolve(Tsdb.WAL_DIR), headOptions, blocksEnd(visible()));
      boolean followed;
      try {
        followed = head.follow();
      } catch (IOException | RuntimeException e) {
        head.close();
        throw e;
      }
      if (followed) {
        return head;
      }
      head.close();
      if (attempt == RELOAD_ATTEMPTS) {
        throw new IOException("the WAL of " + dir + " changed under every one of " + attempt
            + " attempts to read it");
      }
    }
  }

  private void backgroundRefresh() {
    if (closed) {
      return;
    }
    try {
      refresh();
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        LOG.warn("refresh of the read-only view of {} failed; will retry", dir, e);
      }
    }
  }

  /** Picks up what the writer did since the last refresh; see the class comment. */
  void refresh() throws IOException {
    synchronized (refreshLock) {
      checkOpen();
      Head head = view.head;
      if (!head.follow()) {
        if (!replacedHeads.contains(head)) {
          replacedHeads.add(head);
        }
        head = loadHead();
      }
      updateBlocks();
      publish(head);
    }
  }

  private void updateBlocks() throws IOException {
    for (int attempt = 1; attempt <= MAX_LISTINGS; attempt++) {
      if (!scanBlocks(stableListing())) {
        return;
      }
    }
  }

  /**
   * The block directories, from two consecutive listings that agree. A listing may miss an entry
   * created while it runs and still show one deleted meanwhile, which would hide a compaction's
   * output while its inputs are gone; but such an entry is seen (or not) by the next listing
   * throughout, so two that agree did not overlap a change.
   */
  private Set<String> stableListing() throws IOException {
    Set<String> last = listBlockNames();
    for (int attempt = 1; attempt < MAX_LISTINGS; attempt++) {
      Set<String> again = listBlockNames();
      if (again.equals(last)) {
        return again;
      }
      last = again;
    }
    return last;
  }

  private Set<String> listBlockNames() throws IOException {
    Set<String> names = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (ULID.matcher(name).matches()) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /** Loads the listed blocks and drops the others; true if a block vanished while being opened. */
  private boolean scanBlocks(Set<String> names) throws IOException {
    damaged.retainAll(names);
    boolean vanished = false;
    for (Iterator<Map.Entry<String, Loaded>> it = blocks.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Loaded> e = it.next();
      Path p = dir.resolve(e.getKey());
      if (!names.contains(e.getKey())) {
        it.remove();
        e.getValue().handle().markObsolete();
      } else if (!e.getValue().tombstonesStamp().equals(tombstonesStamp(p))) {
        it.remove();
        e.getValue().handle().markObsolete();
        names.add(e.getKey()); // loaded again below, with the new tombstones
      } else {
        names.remove(e.getKey());
      }
    }
    for (String name : names) {
      if (damaged.contains(name)) {
        continue;
      }
      Path p = dir.resolve(name);
      try {
        Object stamp = tombstonesStamp(p);
        Block b = Block.open(p);
        blocks.put(name, new Loaded(BlockHandle.readOnly(b), stamp));
      } catch (IOException | RuntimeException e) {
        if (!Files.exists(p)) {
          vanished = true; // deleted while we opened it
        } else if (damaged.add(name)) {
          LOG.warn("leaving out block {}: it cannot be read: {}", p, e.getMessage());
        }
      }
    }
    return vanished;
  }

  /** What identifies the current tombstones file of a block (it is replaced by rename). */
  private static Object tombstonesStamp(Path blockDir) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(Block.tombstonesFile(blockDir),
          BasicFileAttributes.class);
      return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime(), a.size());
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** The loaded blocks that no other loaded block replaced, oldest first. */
  private List<BlockHandle> visible() {
    Set<String> parents = new HashSet<>();
    for (Loaded l : blocks.values()) {
      parents.addAll(l.handle().block.meta().parents());
    }
    List<BlockHandle> out = new ArrayList<>();
    for (Loaded l : blocks.values()) {
      if (!parents.contains(l.handle().block.meta().ulid())) {
        out.add(l.handle());
      }
    }
    out.sort(Comparator.comparingLong((BlockHandle h) -> h.block.meta().minTimeMillis())
        .thenComparing(h -> h.block.meta().ulid()));
    return out;
  }

  private static long blocksEnd(List<BlockHandle> blocks) {
    long end = Long.MIN_VALUE;
    for (BlockHandle b : blocks) {
      end = Math.max(end, b.block.meta().maxTimeMillis());
    }
    return end;
  }

  /**
   * Makes the loaded blocks and {@code head} the current view, then releases what no view in use
   * needs: heads replaced by a reload, and head samples older than every state still read.
   */
  private void publish(Head head) throws IOException {
    List<BlockHandle> visible = visible();
    head.raiseMinValidTime(blocksEnd(visible));
    View now = new View(new DbState(visible, head.minValidTimeMillis(), head.maxTimeMillis()),
        head);
    View old = view;
    view = now;
    if (old != null) {
      retired.add(old);
      old.state.retire();
    }
    retired.removeIf(v -> v.state.readers() == 0);
    Set<Head> inUse = Collections.newSetFromMap(new IdentityHashMap<>());
    inUse.add(head);
    long keepFrom = now.state.headMinTimeMillis;
    for (View v : retired) {
      inUse.add(v.head);
      if (v.head == head) {
        keepFrom = Math.min(keepFrom, v.state.headMinTimeMillis);
      }
    }
    for (Iterator<Head> it = replacedHeads.iterator(); it.hasNext(); ) {
      Head h = it.next();
      if (!inUse.contains(h)) {
        it.remove();
        h.close();
      }
    }
    head.forgetBefore(keepFrom);
  }

  Querier querier(long mint, long maxt) {
    while (true) {
      checkOpen();
      View v = view;
      if (v.state.tryAcquire()) {
        return new Querier(v.state, v.head, mint, maxt);
      }
    }
  }

  TsdbStats stats() {
    checkOpen();
    View v = view;
    List<BlockMeta> metas = new ArrayList<>();
    for (BlockHandle b : v.state.blocks) {
      metas.add(b.block.meta());
    }
    List<Path> broken = new ArrayList<>();
    synchronized (refreshLock) {
      for (String name : damaged) {
        broken.add(dir.resolve(name));
      }
    }
    Head.Stats h = v.head.stats();
    return new TsdbStats(metas, broken, new TsdbStats.HeadStats(h.numSeries(), h.numSamples(),
        h.minTimeMillis(), h.maxTimeMillis(), h.payloadBytes(), h.walBytes(), h.walSegments(),
        h.minValidTimeMillis()), new TsdbStats.Rejected(0, 0, 0, 0, 0));
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("read-only view of " + dir + " is closed");
    }
  }

  /** Stops the background refresh, then closes every head and block; open queriers fail after. */
  @Override
  public void close() throws IOException {
    closed = true;
    if (refresher != null) {
      refresher.shutdown();
      try {
        while (!refresher.awaitTermination(10, TimeUnit.SECONDS)) {
          LOG.info("waiting for the refresh of {} to finish", dir);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (refreshLock) {
      Set<Head> heads = Collections.newSetFromMap(new IdentityHashMap<>());
      List<DbState> states = new ArrayList<>();
      if (view != null) {
        heads.add(view.head);
        states.add(view.state);
      }
      for (View v : retired) {
        heads.add(v.head);
        states.add(v.state);
      }
      heads.addAll(replacedHeads);
      IOException err = null;
      for (Head h : heads) {
        try {
          h.close();
        } catch (IOException e) {
          err = e;
        }
      }
      for (DbState s : states) {
        for (BlockHandle b : s.blocks) {
          b.closeQuietly();
        }
      }
      for (Loaded l : blocks.values()) {
        l.handle().closeQuietly();
      }
      if (err != null) {
        throw err;
      }
    }
  }
}
