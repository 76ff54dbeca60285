package io.conprof.tsdb;

import io.conprof.tsdb.block.Block;
import io.conprof.tsdb.block.BlockWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded block with a reference count: one per {@link DbState} that lists it. A block that
 * compaction or retention replaced is closed and deleted when its last state is released, that is
 * after the last querier that could read it has closed. A handle of a read-only view ({@link
 * #readOnly}) only closes the block then: the directory belongs to the writer.
 */
final class BlockHandle {
  private static final Logger LOG = LoggerFactory.getLogger(BlockHandle.class);
  final Block block;
  private final boolean owned;
  private int refs;
  private boolean obsolete;
  private boolean gone;

  BlockHandle(Block block) {
    this(block, true);
  }

  private BlockHandle(Block block, boolean owned) {
    this.block = block;
    this.owned = owned;
  }

  /** A handle that closes the block when it is obsolete and unreferenced, but never deletes it. */
  static BlockHandle readOnly(Block block) {
    return new BlockHandle(block, false);
  }

  synchronized void retain() {
    if (gone) {
      throw new IllegalStateException("block " + block.meta().ulid() + " is already closed");
    }
    refs++;
  }

  /** Marks the block for deletion once unreferenced. */
  void markObsolete() {
    boolean now;
    synchronized (this) {
      obsolete = true;
      now = refs == 0 && !gone;
      if (now) {
        gone = true;
      }
    }
    if (now) {
      closeAndDelete();
    }
  }

  void release() {
    boolean delete;
    boolean close;
    synchronized (this) {
      refs--;
      close = refs == 0 && !gone && obsolete;
      delete = close;
      if (close) {
        gone = true;
      }
    }
    if (delete) {
      closeAndDelete();
    }
  }

  /** Closes without deleting (database close). */
  synchronized void closeQuietly() {
    if (!gone) {
      gone = true;
      block.close();
    }
  }

  private void closeAndDelete() {
    block.close();
    if (!owned) {
      return;
    }
    try {
      deleteBlockDir(block.dir());
    } catch (IOException e) {
      LOG.warn("could not delete replaced block {}: {}", block.dir(), e.toString());
    }
  }

  /** Renames to {@code <ulid>.tmp-for-deletion} (atomic), then removes the tree. */
  static void deleteBlockDir(Path dir) throws IOException {
    Path aside = dir.resolveSibling(dir.getFileName() + BlockWriter.TMP_DELETION_SUFFIX);
    if (Files.exists(dir)) {
      Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    deleteTree(aside);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
