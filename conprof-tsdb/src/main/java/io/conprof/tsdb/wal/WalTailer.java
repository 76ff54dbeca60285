package io.conprof.tsdb.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the WAL of a database that another process may be writing, without writing, creating,
 * cutting or deleting anything: the reading half of {@link SegmentedWal} for a read-only view.
 *
 * <p><b>Position.</b> The tailer remembers the segment it reads and the offset just after the last
 * intact record; each {@link #poll} resumes there and reads what was appended since. A record that
 * is not complete yet at the tail of the newest segment (the writer is in the middle of a {@code
 * write(2)}, or died in one) is not damage for a reader: it stops there and tries again at the next
 * poll. Only once a newer segment exists, or the file was deleted, is the segment final; then a tail
 * that still does not read is dropped with a warning, as the writer's own replay would drop it.
 *
 * <p><b>Truncation by the writer.</b> After the writer cuts a block out of its head it writes a
 * checkpoint ({@code checkpoint.N}: live series, tombstones, head state) and deletes segments up to
 * N; their samples are then in the block. The tailer keeps every file it read open, so a deleted
 * segment stays readable through its descriptor (for the rest of its records and for the head's
 * payload reads) until {@link #closeRemoved} says no sample of it is needed any more. Segments it
 * never read that a checkpoint replaced are skipped, and the checkpoint is read instead for the
 * series they defined. What cannot be followed (a file of the same number replaced after records
 * were read from it, a file cut shorter than what was read) makes {@code poll} return false: the
 * caller then rebuilds its view from scratch.
 *
 * <p><b>Costs.</b> A poll lists the directory and checks the current file's identity (one {@code
 * stat}); it reads only new bytes, each once. One file descriptor per WAL file read and still on
 * disk (or still needed).
 */
public final class WalTailer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(WalTailer.class);

  private static final class Tailed {
    final WalFile file;
    final Object key;
    long position;
    boolean sawRecords;

    Tailed(WalFile file, Object key) {
      this.file = file;
      this.key = key;
    }
  }

  /** Listings per poll when files vanish between listing and opening. */
  private static final int MAX_LISTINGS = 5;

  private final Path dir;
  private final List<Tailed> done = new ArrayList<>();
  private Tailed current;
  private int nextSegment;
  private boolean readAny;
  private long records;
  private boolean closed;

  /** A tailer of the WAL directory {@code dir}; nothing is read before the first {@link #poll}. */
  public WalTailer(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  public Path dir() {
    return dir;
  }

  /**
   * Reads every record appended since the last poll into {@code handler}, in order. Returns false
   * if the WAL changed in a way that cannot be followed (the caller should start over with a new
   * tailer); records already handed over are valid either way.
   */
  public synchronized boolean poll(ReplayHandler handler) throws IOException {
    if (closed) {
      throw new IOException("WAL tailer of " + dir + " is closed");
    }
    for (int attempt = 1; ; attempt++) {
      SegmentedWal.Listing l;
      try {
        if (!Files.isDirectory(dir)) {
          return true; // no WAL yet: nothing to read
        }
        l = SegmentedWal.list(dir, false);
      } catch (NoSuchFileException e) {
        return true;
      }
      Boolean result = follow(l, handler);
      if (result != null) {
        return result;
      }
      if (attempt == MAX_LISTINGS) {
        LOG.debug("WAL files of {} kept vanishing between listing and opening; the next poll goes "
            + "on from here", dir);
        return true;
      }
    }
  }

  /**
   * Reads along {@code l}; returns whether the WAL could be followed, or null if a file vanished
   * between the listing and its opening (the writer truncated or replaced it): then list again.
   */
  private Boolean follow(SegmentedWal.Listing l, ReplayHandler handler) throws IOException {
    int highest = l.segments().isEmpty() ? -1 : l.segments().lastKey();
    int checkpoint = l.checkpoints().isEmpty() ? 0 : l.checkpoints().lastKey();
    while (true) {
      if (current == null) {
        if (checkpoint > 0 && nextSegment <= checkpoint) {
          if (!readCheckpoint(l.checkpoints().get(checkpoint), checkpoint, handler)) {
            return null; // replaced by a newer checkpoint meanwhile
          }
          nextSegment = checkpoint + 1;
        }
        Integer n = l.segments().ceilingKey(nextSegment);
        if (n == null) {
          return true;
        }
        if (n > nextSegment && readAny) {
          LOG.warn("WAL segments {} to {} in {} are missing; their records are lost", nextSegment,
              n - 1, dir);
        }
        Tailed t = open(l.segments().get(n), n, false);
        if (t == null) {
          return null; // deleted since the listing
        }
        current = t;
        nextSegment = n;
        continue;
      }
      Object key = fileKey(current.file.path());
      boolean gone = !current.key.equals(key);
      if (gone && key != null) {
        if (current.sawRecords) {
          LOG.info("WAL segment {} was replaced by another file after records were read from it; "
              + "reloading", current.file.path());
          return false;
        }
        current.file.channel.close(); // an empty file the writer replaced on restart
        current = null;
        continue;
      }
      if (current.file.channel.size() < current.position) {
        LOG.info("WAL segment {} was cut to {} bytes, below the {} already read; reloading",
            current.file.path(), current.file.channel.size(), current.position);
        return false;
      }
      SegmentReader.Stop stop = read(current, handler);
      boolean finished = gone || highest > current.file.number();
      if (!finished) {
        return true; // the newest segment: the writer may still complete its tail
      }
      if (stop != SegmentReader.Stop.END) {
        LOG.warn("WAL segment {} ends in a record that cannot be read at offset {}; later segments "
            + "are read", current.file.path(), current.position);
      }
      done.add(current);
      nextSegment = current.file.number() + 1;
      current = null;
    }
  }

  private SegmentReader.Stop read(Tailed t, ReplayHandler handler) throws IOException {
    SegmentReader r = new SegmentReader(t.file, t.position);
    if (t.position == 0) {
      if (!r.readFileHeader()) {
        return r.stop();
      }
      t.position = r.position();
    }
    while (true) {
      SegmentReader.Frame frame = r.next();
      if (frame == null) {
        return r.stop();
      }
      try {
        WalRecords.decode(t.file, frame, handler);
      } catch (CorruptWalException e) {
        LOG.debug("WAL record of {} does not decode: {}", t.file.path(), e.getMessage());
        return SegmentReader.Stop.CORRUPT;
      }
      t.position = r.position();
      t.sawRecords = true;
      readAny = true;
      records++;
    }
  }

  private boolean readCheckpoint(Path cpDir, int number, ReplayHandler handler) throws IOException {
    Tailed t = open(cpDir.resolve("00000000"), number, true);
    if (t == null) {
      return false;
    }
    SegmentReader.Stop stop = read(t, handler);
    if (stop != SegmentReader.Stop.END) {
      LOG.warn("WAL checkpoint {} cannot be read past offset {}", t.file.path(), t.position);
    }
    done.add(t);
    return true;
  }

  private static Tailed open(Path path, int number, boolean checkpoint) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    }
    Object key = fileKey(path);
    if (key == null) {
      ch.close();
      return null;
    }
    return new Tailed(new WalFile(path, number, checkpoint, new ReadOnlyWalChannel(ch)), key);
  }

  /** The identity of the file now at {@code path} (device and inode), or null if there is none. */
  private static Object fileKey(Path path) throws IOException {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return a.fileKey() != null ? a.fileKey() : path.toString();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Closes the files the writer deleted whose samples are all older than {@code beforeMillis}: the
   * caller no longer keeps (or lets any reader see) samples before that time.
   */
  public synchronized void closeRemoved(long beforeMillis) throws IOException {
    for (Iterator<Tailed> it = done.iterator(); it.hasNext(); ) {
      Tailed t = it.next();
      if (t.file.maxSampleTimestampMillis() < beforeMillis
          && !t.key.equals(fileKey(t.file.path()))) {
        t.file.channel.close();
        it.remove();
      }
    }
  }

  /** Records read since this tailer was created. */
  public synchronized long records() {
    return records;
  }

  /** Bytes of the segments this tailer has open. */
  public synchronized long sizeBytes() throws IOException {
    long total = 0;
    for (Tailed t : files()) {
      total += t.file.isCheckpoint() ? 0 : t.file.channel.size();
    }
    return total;
  }

  /** Number of segments this tailer has open. */
  public synchronized int segmentCount() {
    int n = 0;
    for (Tailed t : files()) {
      n += t.file.isCheckpoint() ? 0 : 1;
    }
    return n;
  }

  private List<Tailed> files() {
    List<Tailed> all = new ArrayList<>(done);
    if (current != null) {
      all.add(current);
    }
    return all;
  }

  /** Closes every file; samples read through this tailer cannot be read afterwards. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException err = null;
    for (Tailed t : files()) {
      try {
        t.file.channel.close();
      } catch (IOException e) {
        if (err == null) {
          err = e;
        } else {
          err.addSuppressed(e);
        }
      }
    }
    done.clear();
    current = null;
    if (err != null) {
      throw err;
    }
  }
}
