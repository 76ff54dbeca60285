package io.conprof.cli;

import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileMerger;
import io.conprof.core.pprof.ProfileReader;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reading and merging the profile files named on a command line.
 *
 * <p>Merging many files is bound by gunzip and protobuf parsing, so files are read and parsed on
 * all cores while one thread folds them, in command-line order, into a {@link ProfileMerger}. At
 * most a small window of parsed profiles waits at any time, so memory stays in proportion to the
 * merged result plus that window, however many files there are.
 */
final class ProfileFiles {
  private ProfileFiles() {}

  /** Reads one file; an unreadable or invalid file becomes a usage error naming it. */
  static Profile read(Path file, ProfileReader reader) {
    try {
      return reader.read(file);
    } catch (InvalidProfileException e) {
      throw new CliException(CliException.USAGE, e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new CliException(CliException.USAGE, file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new CliException(CliException.USAGE, file + ": permission denied", e);
    } catch (IOException e) {
      throw new CliException(CliException.USAGE, file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Reads and merges {@code files} in order. */
  static Profile merge(List<Path> files, ProfileReader reader) {
    if (files.size() == 1) {
      return read(files.get(0), reader);
    }
    return merger(files, reader).result();
  }

  /** Reads {@code files} and folds them, in order, into a merger (for writing without a copy). */
  static ProfileMerger merger(List<Path> files, ProfileReader reader) {
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), files.size()));
    int window = threads * 2;
    ProfileMerger merger = new ProfileMerger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "profile-reader");
      t.setDaemon(true);
      return t;
    });
    try {
      Deque<Future<Profile>> inFlight = new ArrayDeque<>();
      int next = 0;
      for (int i = 0; i < files.size(); i++) {
        while (next < files.size() && inFlight.size() < window) {
          Path f = files.get(next++);
          inFlight.add(pool.submit(() -> read(f, reader)));
        }
        Profile p = await(inFlight.poll());
        try {
          merger.add(p);
        } catch (InvalidProfileException e) {
          throw new CliException(CliException.USAGE, files.get(i) + ": " + e.getMessage(), e);
        }
      }
      return merger;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Profile await(Future<Profile> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(1, "interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CliException ce) {
        throw ce;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
