package io.conprof.tsdb.wal;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead log: numbered segment files ({@code wal/00000001}, ...) of framed, checksummed
 * records, plus at most one checkpoint directory ({@code wal/checkpoint.NNNNNNNN/00000000}) that
 * replaces the segments up to NNNNNNNN.
 *
 * <p><b>Guarantees.</b> {@link #append} writes a batch of records with one {@code write(2)} per
 * buffer into the active segment; a batch never spans two segments, and a batch whose write fails
 * (a full disk, a short write) is cut off again, so the log never holds part of a batch that was
 * reported as failed. Once {@code append} returns, the bytes are in the kernel's page cache and
 * survive the death of the process (SIGKILL). {@link #sync} makes them survive power loss: it is a
 * group commit, so any number of threads waiting for durability share one {@code fsync}: the first
 * thread to arrive forces everything written so far, and the threads whose bytes that covered return
 * without another {@code fsync}. An {@code fsync} failure poisons the log (the kernel may have
 * dropped the dirty pages, so retrying could report success for lost data): every later append
 * fails until the database is reopened.
 *
 * <p><b>Replay.</b> {@link #open} reads the checkpoint, then every later segment, checking each
 * header and payload CRC. A file that ends inside a record, or whose tail is zero bytes, has a torn
 * tail: what a crash during a write leaves; it is cut off. A record whose bytes cannot be what was
 * written ends the replay of that file: the rest of the file is cut off, with a warning saying how
 * many bytes and (as far as can be told) records were dropped; later files are still read. The log
 * always opens. Writing then continues in a new segment.
 *
 * <p><b>Costs.</b> Records are never copied into a page-structured buffer: a 50 MB profile is one
 * record written straight from the caller's array. Replay reads every byte once to check the CRCs
 * but keeps only record metadata in memory; the head later reads sample bytes back by offset.
 */
public final class SegmentedWal implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentedWal.class);
  private static final Pattern SEGMENT = Pattern.compile("\\d{8}");
  private static final Pattern CHECKPOINT = Pattern.compile("checkpoint\\.(\\d{8})");
  /** Default segment size: 128 MiB, as in Prometheus. */
  public static final long DEFAULT_SEGMENT_BYTES = 128L << 20;

  /** What a replay found. */
  public record ReplayStats(
      int filesRead, long records, long tornBytesCut, int corruptFiles, long droppedBytes,
      long droppedRecords) {}

  /** Where a batch went: the file and each record's payload offset in it. */
  public record Written(long position, WalFile file, long[] payloadOffsets) {}

  /** A problem found by {@link #verify}. */
  public record Problem(Path file, long offset, String message) {}

  private final Path dir;
  private final long segmentBytes;
  private final WalChannel.Opener opener;
  private final List<WalFile> segments = new ArrayList<>();
  private final Object syncLock = new Object();
  private WalFile active;
  private long writtenPosition;
  private long syncedPosition;
  private IOException failure;
  private ReplayStats replayStats;
  private boolean closed;

  private SegmentedWal(Path dir, long segmentBytes, WalChannel.Opener opener) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.opener = opener;
  }

  /** Opens (creating if needed) the WAL in {@code dir}, replaying it into {@code handler}. */
  public static SegmentedWal open(Path dir, long segmentBytes, ReplayHandler handler)
      throws IOException {
    return open(dir, segmentBytes, handler, FileWalChannel.OPENER);
  }

  static SegmentedWal open(
      Path dir, long segmentBytes, ReplayHandler handler, WalChannel.Opener opener)
      throws IOException {
    if (segmentBytes < 1024) {
      throw new IllegalArgumentException("segmentBytes must be at least 1024, got " + segmentBytes);
    }
    Files.createDirectories(dir);
    SegmentedWal wal = new SegmentedWal(dir, segmentBytes, opener);
    try {
      wal.replay(handler);
      try {
        wal.startSegment(wal.nextSegmentNumber());
      } catch (IOException e) {
        if (wal.segments.isEmpty()) {
          throw e;
        }
        // A full disk has no room for a new file; the last segment was checked and cut to its
        // last intact record, so writing can go on there.
        wal.active = wal.segments.get(wal.segments.size() - 1);
        LOG.warn("cannot start a new WAL segment in {} ({}); appending to {}", dir, e.getMessage(),
            wal.active.path());
      }
    } catch (IOException | RuntimeException e) {
      wal.closeQuietly();
      throw e;
    }
    return wal;
  }

  public Path dir() {
    return dir;
  }

  public ReplayStats replayStats() {
    return replayStats;
  }

  record Listing(TreeMap<Integer, Path> segments, TreeMap<Integer, Path> checkpoints) {}

  static Listing list(Path dir, boolean cleanup) throws IOException {
    TreeMap<Integer, Path> segs = new TreeMap<>();
    TreeMap<Integer, Path> cps = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        Matcher cp = CHECKPOINT.matcher(name);
        if (SEGMENT.matcher(name).matches() && Files.isRegularFile(p)) {
          segs.put(Integer.parseInt(name), p);
        } else if (cp.matches() && Files.isDirectory(p)) {
          cps.put(Integer.parseInt(cp.group(1)), p);
        } else if (cleanup && name.startsWith("checkpoint.") && name.endsWith(".tmp")) {
          deleteRecursively(p);
        }
      }
    }
    return new Listing(segs, cps);
  }

  private void replay(ReplayHandler handler) throws IOException {
    Listing l = list(dir, true);
    int checkpointNumber = 0;
    List<WalFile> toRead = new ArrayList<>();
    if (!l.checkpoints().isEmpty()) {
      checkpointNumber = l.checkpoints().lastKey();
      for (Path old : l.checkpoints().headMap(checkpointNumber).values()) {
        deleteRecursively(old);
      }
      Path cpFile = l.checkpoints().get(checkpointNumber).resolve("00000000");
      if (Files.exists(cpFile)) {
        toRead.add(new WalFile(cpFile, checkpointNumber, true, readOnly(cpFile)));
      } else {
        LOG.warn("WAL checkpoint {} has no file 00000000; ignoring it", cpFile.getParent());
      }
    }
    for (var e : l.segments().entrySet()) {
      if (e.getKey() <= checkpointNumber) {
        Files.deleteIfExists(e.getValue()); // replaced by the checkpoint; deletion was interrupted
      } else {
        toRead.add(new WalFile(e.getValue(), e.getKey(), false, opener.open(e.getValue())));
      }
    }
    long records = 0;
    long tornBytes = 0;
    long droppedBytes = 0;
    long droppedRecords = 0;
    int corruptFiles = 0;
    int expected = -1;
    for (WalFile f : toRead) {
      if (!f.isCheckpoint()) {
        if (expected >= 0 && f.number() != expected) {
          LOG.warn("WAL segments {} to {} are missing; their records are lost", expected,
              f.number() - 1);
        }
        expected = f.number() + 1;
      }
      SegmentReader r = new SegmentReader(f);
      long frameStart = Framing.FILE_HEADER_BYTES;
      String problem = null;
      boolean corrupt = false;
      if (r.readFileHeader()) {
        SegmentReader.Frame frame;
        while (true) {
          frameStart = r.position();
          frame = r.next();
          if (frame == null) {
            break;
          }
          try {
            WalRecords.decode(f, frame, handler);
            records++;
          } catch (CorruptWalException e) {
            problem = e.getMessage();
            corrupt = true;
            break;
          }
        }
        if (problem == null && r.stop() != SegmentReader.Stop.END) {
          problem = f.path() + " at offset " + r.position() + ": " + r.problem();
          corrupt = r.stop() == SegmentReader.Stop.CORRUPT;
        }
      } else {
        // Missing or wrong file header: nothing in the file is usable.
        frameStart = 0;
        problem = f.path() + ": " + r.problem();
        corrupt = r.stop() == SegmentReader.Stop.CORRUPT;
      }
      if (problem == null) {
        if (f.isCheckpoint()) {
          f.channel.close();
        } else {
          segments.add(f);
        }
        continue;
      }
      long cut = r.size() - frameStart;
      if (corrupt) {
        corruptFiles++;
        int after = frameStart == 0 ? 0 : new SegmentReader(f).countAfter(frameStart);
        droppedBytes += cut;
        droppedRecords += 1 + after;
        LOG.warn("WAL corruption: {}; dropping the rest of the file: {} bytes, the damaged record "
            + "and {} more that looked intact", problem, cut, after);
      } else {
        tornBytes += cut;
        LOG.warn("WAL torn tail: {}; cutting off {} bytes", problem, cut);
      }
      if (f.isCheckpoint()) {
        f.channel.close();
      } else if (frameStart == 0) {
        f.channel.close();
        Path aside = f.path().resolveSibling(f.path().getFileName() + ".corrupt");
        if (corrupt) {
          Files.move(f.path(), aside, StandardCopyOption.REPLACE_EXISTING);
          LOG.warn("WAL segment {} moved aside to {}", f.path(), aside);
        } else {
          Files.delete(f.path());
        }
      } else {
        f.channel.truncate(frameStart);
        f.channel.force();
        segments.add(f);
      }
    }
    replayStats = new ReplayStats(toRead.size(), records, tornBytes, corruptFiles, droppedBytes,
        droppedRecords);
    lastCheckpoint = checkpointNumber;
  }

  private int lastCheckpoint;

  private int nextSegmentNumber() {
    int max = lastCheckpoint;
    for (WalFile f : segments) {
      max = Math.max(max, f.number());
    }
    return max + 1;
  }

  private void startSegment(int number) throws IOException {
    Path p = dir.resolve(String.format("%08d", number));
    Files.deleteIfExists(p);
    WalChannel ch = opener.open(p);
    try {
      ch.append(Framing.fileHeader());
      ch.force();
      fsyncDir(dir);
    } catch (IOException e) {
      ch.close();
      Files.deleteIfExists(p);
      throw e;
    }
    WalFile f = new WalFile(p, number, false, ch);
    segments.add(f);
    active = f;
  }

  /**
   * Appends {@code records} as one batch (never split across segments) and returns where they went.
   * The bytes survive SIGKILL when this returns; call {@link #sync} for power loss.
   */
  public synchronized Written append(List<WalRecord> records) throws IOException {
    if (closed) {
      throw new IOException("WAL " + dir + " is closed");
    }
    if (failure != null) {
      throw new IOException("WAL " + dir + " failed earlier and accepts no more writes; reopen the "
          + "database: " + failure.getMessage(), failure);
    }
    long batch = 0;
    for (WalRecord r : records) {
      batch += r.framedBytes();
    }
    long start = active.channel.size();
    if (start > Framing.FILE_HEADER_BYTES && start + batch > segmentBytes) {
      rotate();
      start = active.channel.size();
    }
    List<ByteBuffer> buffers = new ArrayList<>();
    long[] offsets = new long[records.size()];
    long p = start;
    for (int i = 0; i < records.size(); i++) {
      WalRecord r = records.get(i);
      Collections.addAll(buffers, r.buffers());
      offsets[i] = p + Framing.RECORD_HEADER_BYTES;
      p += r.framedBytes();
    }
    try {
      active.channel.append(buffers.toArray(new ByteBuffer[0]));
    } catch (IOException e) {
      try {
        active.channel.truncate(start);
      } catch (IOException te) {
        e.addSuppressed(te);
        failure = e;
      }
      throw e;
    }
    for (WalRecord r : records) {
      active.observeSampleTimestamp(r.maxTimestampMillis);
    }
    writtenPosition += batch;
    return new Written(writtenPosition, active, offsets);
  }

  /** Starts a new segment; the old one is forced first so that it is complete on disk. */
  private void rotate() throws IOException {
    try {
      active.channel.force();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
    startSegment(active.number() + 1);
  }

  /**
   * Returns once every byte up to {@code position} (from {@link Written#position}) is on the device.
   * Concurrent callers share one fsync.
   */
  public void sync(long position) throws IOException {
    synchronized (syncLock) {
      if (syncedPosition >= position) {
        return;
      }
      WalFile f;
      long target;
      synchronized (this) {
        if (failure != null) {
          throw new IOException("WAL " + dir + " failed earlier: " + failure.getMessage(), failure);
        }
        f = active;
        target = writtenPosition;
      }
      try {
        f.channel.force();
      } catch (ClosedChannelException e) {
        // The log was closed, which forced everything.
        if (closed) {
          throw new IOException("WAL " + dir + " is closed", e);
        }
      } catch (IOException e) {
        synchronized (this) {
          failure = e;
        }
        throw e;
      }
      syncedPosition = target;
    }
  }

  /** Forces everything written so far (used by the interval fsync policy and on close). */
  public void syncAll() throws IOException {
    long target;
    synchronized (this) {
      target = writtenPosition;
    }
    sync(target);
  }

  /** Bytes appended since open; the position the next {@link #sync} would make durable. */
  public synchronized long writtenPosition() {
    return writtenPosition;
  }

  /** The WAL files that hold records, oldest first; the last is the active segment. */
  public synchronized List<WalFile> segments() {
    return List.copyOf(segments);
  }

  public synchronized WalFile activeSegment() {
    return active;
  }

  /** Total bytes of the segments (what size-based retention counts for the WAL). */
  public synchronized long sizeBytes() {
    long total = 0;
    for (WalFile f : segments) {
      try {
        total += f.channel.size();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return total;
  }

  /**
   * Replaces every segment numbered {@code throughSegment} or lower by a checkpoint holding {@code
   * records} (the live series, tombstones and head state), then deletes those segments. The caller
   * guarantees that nothing still reads from them. The checkpoint is written to {@code
   * checkpoint.N.tmp}, fsynced and renamed, so a crash leaves either the old segments or the
   * complete checkpoint.
   */
  public void checkpoint(int throughSegment, List<WalRecord> records) throws IOException {
    synchronized (this) {
      if (throughSegment >= active.number()) {
        throw new IllegalArgumentException("cannot checkpoint the active segment " + active.number()
            + " (asked through " + throughSegment + ")");
      }
    }
    String name = String.format("checkpoint.%08d", throughSegment);
    Path tmp = dir.resolve(name + ".tmp");
    deleteRecursively(tmp);
    Files.createDirectories(tmp);
    try (WalChannel ch = opener.open(tmp.resolve("00000000"))) {
      List<ByteBuffer> bufs = new ArrayList<>();
      bufs.add(Framing.fileHeader());
      for (WalRecord r : records) {
        Collections.addAll(bufs, r.buffers());
      }
      ch.append(bufs.toArray(new ByteBuffer[0]));
      ch.force();
    }
    fsyncDir(tmp);
    Path target = dir.resolve(name);
    deleteRecursively(target);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    fsyncDir(dir);
    List<WalFile> removed = new ArrayList<>();
    synchronized (this) {
      for (var it = segments.iterator(); it.hasNext(); ) {
        WalFile f = it.next();
        if (f.number() <= throughSegment) {
          removed.add(f);
          it.remove();
        }
      }
      lastCheckpoint = throughSegment;
    }
    for (WalFile f : removed) {
      f.channel.close();
      Files.deleteIfExists(f.path());
    }
    for (Path old : list(dir, false).checkpoints().headMap(throughSegment).values()) {
      deleteRecursively(old);
    }
    fsyncDir(dir);
  }

  @Override
  public void close() throws IOException {
    IOException err = null;
    try {
      if (failure == null) {
        syncAll();
      }
    } catch (IOException e) {
      err = e;
    }
    synchronized (this) {
      closed = true;
      for (WalFile f : segments) {
        try {
          f.channel.close();
        } catch (IOException e) {
          if (err == null) {
            err = e;
          }
        }
      }
    }
    if (err != null) {
      throw err;
    }
  }

  private void closeQuietly() {
    for (WalFile f : segments) {
      try {
        f.channel.close();
      } catch (IOException ignored) {
        // closing after a failed open; the original error is what matters
      }
    }
  }

  /**
   * Checks every WAL file in {@code dir} without changing anything: framing, CRCs and record
   * contents. A torn tail of the newest segment is what a crash leaves and is not a problem.
   */
  public static List<Problem> verify(Path dir) throws IOException {
    List<Problem> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return problems;
    }
    Listing l = list(dir, false);
    List<WalFile> files = new ArrayList<>();
    if (!l.checkpoints().isEmpty()) {
      Path cp = l.checkpoints().lastEntry().getValue().resolve("00000000");
      if (Files.exists(cp)) {
        files.add(new WalFile(cp, l.checkpoints().lastKey(), true, readOnly(cp)));
      } else {
        problems.add(new Problem(cp, 0, "checkpoint file is missing"));
      }
    }
    int cpNumber = l.checkpoints().isEmpty() ? 0 : l.checkpoints().lastKey();
    for (var e : l.segments().entrySet()) {
      if (e.getKey() > cpNumber) {
        files.add(new WalFile(e.getValue(), e.getKey(), false, readOnly(e.getValue())));
      }
    }
    ReplayHandler ignore = new ReplayHandler() {
      @Override
      public void series(long ref, List<String> nameValues) {}

      @Override
      public void sample(long ref, long ts, WalFile file, long offset, int length, int crc) {}

      @Override
      public void tombstone(long ref, long minTimeMillis, long maxTimeMillis) {}

      @Override
      public void headState(long minValidTimeMillis, long nextSeriesRef) {}
    };
    for (int i = 0; i < files.size(); i++) {
      WalFile f = files.get(i);
      boolean newest = i == files.size() - 1;
      try (WalChannel channel = f.channel) {
        SegmentReader r = new SegmentReader(f);
        if (channel.size() == 0 && newest) {
          continue;
        }
        if (!r.readFileHeader()) {
          if (r.stop() == SegmentReader.Stop.CORRUPT || !newest) {
            problems.add(new Problem(f.path(), 0, r.problem()));
          }
          continue;
        }
        SegmentReader.Frame frame;
        long frameStart = r.position();
        while ((frame = r.next()) != null) {
          try {
            WalRecords.decode(f, frame, ignore);
          } catch (CorruptWalException e) {
            problems.add(new Problem(f.path(), e.offset(), e.getMessage()));
            break;
          }
          frameStart = r.position();
        }
        if (r.stop() == SegmentReader.Stop.CORRUPT
            || (r.stop() == SegmentReader.Stop.TORN && !newest)) {
          problems.add(new Problem(f.path(), frameStart, r.problem()));
        }
      }
    }
    return problems;
  }

  private static WalChannel readOnly(Path file) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    return new ReadOnlyWalChannel(ch);
  }

  static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(q);
        } catch (NoSuchFileException ignored) {
          // already gone
        }
      }
    }
  }
}
