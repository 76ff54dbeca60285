package io.conprof.core.discovery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File-based discovery ({@code file_sd_configs}): target groups from JSON/YAML files named by
 * paths whose last element may be a glob ({@code targets/*.json}).
 *
 * <p>Change detection polls: every {@link DiscoveryContext#pollInterval()} the globs are expanded
 * and each file's modification time and size compared with the last read, so a new, changed or
 * deleted file is picked up within one poll; every {@code refresh_interval} all files are re-read
 * regardless. A file that cannot be read or parsed keeps its last good groups (none if it never
 * parsed), and the reason is logged once per change of the file and kept for {@link #errors()}.
 * A deleted file's groups are removed. Only groups that changed are sent.
 */
final class FileDiscoverer implements Discoverer {
  private static final Logger LOG = LoggerFactory.getLogger(FileDiscoverer.class);

  private final List<Path> patterns;
  private final long refreshNanos;
  private final DiscoveryContext context;
  private final Map<Path, FileState> files = new HashMap<>();
  private final Map<Path, String> errors = new HashMap<>();
  private Consumer<List<TargetGroup>> listener;
  private ScheduledFuture<?> task;
  private long lastFullReadNanos;
  private boolean closed;

  private record Stamp(long mtimeMillis, long size) {}

  private record FileState(Stamp stamp, List<TargetGroup> groups) {}

  FileDiscoverer(List<String> patterns, Duration refreshInterval, DiscoveryContext context) {
    this.context = Objects.requireNonNull(context, "context");
    List<Path> ps = new ArrayList<>();
    for (String p : patterns) {
      ps.add(context.baseDirectory().resolve(p).normalize());
    }
    this.patterns = List.copyOf(ps);
    this.refreshNanos = refreshInterval.toNanos();
  }

  @Override
  public synchronized void start(Consumer<List<TargetGroup>> listener) {
    if (this.listener != null) {
      throw new IllegalStateException("already started");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    poll(true, true);
    long period = context.pollInterval().toNanos();
    task = context.scheduler().scheduleWithFixedDelay(() -> {
      try {
        poll(false, false);
      } catch (RuntimeException e) {
        LOG.warn("file_sd: poll failed", e);
      }
    }, period, period, TimeUnit.NANOSECONDS);
  }

  /**
   * One round of change detection; re-reads every file when {@code force} or the refresh interval
   * has passed, sends changed groups (all of them when {@code initial}).
   */
  synchronized void poll(boolean force, boolean initial) {
    if (closed) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastFullReadNanos >= refreshNanos) {
      force = true;
    }
    if (force) {
      lastFullReadNanos = now;
    }
    TreeSet<Path> found = expand();
    List<TargetGroup> changed = new ArrayList<>();
    for (Path gone : new ArrayList<>(files.keySet())) {
      if (!found.contains(gone)) {
        for (TargetGroup g : files.remove(gone).groups()) {
          changed.add(TargetGroup.empty(g.source()));
        }
        errors.remove(gone);
      }
    }
    for (Path f : found) {
      FileState old = files.get(f);
      Stamp stamp;
      try {
        stamp = new Stamp(Files.getLastModifiedTime(f).toMillis(), Files.size(f));
      } catch (IOException e) {
        continue; // vanished between listing and stat; the next poll sees it gone
      }
      if (!force && old != null && old.stamp().equals(stamp)) {
        continue;
      }
      List<TargetGroup> oldGroups = old == null ? List.of() : old.groups();
      try {
        List<TargetGroup> groups = FileSdParser.parse(f);
        files.put(f, new FileState(stamp, groups));
        errors.remove(f);
        if (!groups.equals(oldGroups)) {
          for (int i = groups.size(); i < oldGroups.size(); i++) {
            changed.add(TargetGroup.empty(oldGroups.get(i).source()));
          }
          changed.addAll(groups);
        }
      } catch (IOException | RuntimeException e) {
        files.put(f, new FileState(stamp, oldGroups));
        String reason = e.getMessage();
        if (!reason.equals(errors.put(f, reason))) {
          LOG.warn("file_sd: keeping the last good targets of {} ({} groups): {}", f, oldGroups.size(), reason);
        }
      }
    }
    if (initial || !changed.isEmpty()) {
      listener.accept(List.copyOf(changed));
    }
  }

  /** The current read error per file, for files whose last read failed. */
  synchronized Map<Path, String> errors() {
    return Map.copyOf(errors);
  }

  private TreeSet<Path> expand() {
    TreeSet<Path> out = new TreeSet<>();
    for (Path pattern : patterns) {
      String last = pattern.getFileName() == null ? "" : pattern.getFileName().toString();
      Path dir = pattern.getParent();
      if (!hasGlob(last)) {
        if (Files.isRegularFile(pattern)) {
          out.add(pattern);
        }
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, last)) {
        for (Path p : ds) {
          if (Files.isRegularFile(p)) {
            out.add(p);
          }
        }
      } catch (NoSuchFileException | NotDirectoryException e) {
        // no directory: no files
      } catch (IOException e) {
        String reason = "listing " + dir + ": " + e.getMessage();
        if (!reason.equals(errors.put(pattern, reason))) {
          LOG.warn("file_sd: {}", reason);
        }
      }
    }
    return out;
  }

  private static boolean hasGlob(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (task != null) {
      task.cancel(false);
    }
  }
}
