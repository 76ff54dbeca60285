package io.conprof.tsdb.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The few file operations the WAL performs on one file: append at the end, positional reads, size,
 * fsync and truncate. It is the seam where tests inject faults (short writes, a full disk, failing
 * fsync) without touching a real device.
 */
interface WalChannel extends Closeable {

  /** Appends every remaining byte of {@code buffers}, in order, at the end of the file. */
  void append(ByteBuffer... buffers) throws IOException;

  /** Fills {@code dst} from {@code position}; throws {@link java.io.EOFException} at end of file. */
  void readFully(ByteBuffer dst, long position) throws IOException;

  /** The current size of the file in bytes. */
  long size() throws IOException;

  /** Forces written data (not necessarily metadata) to the device. */
  void force() throws IOException;

  /** Cuts the file to {@code sizeBytes}; later appends continue from there. */
  void truncate(long sizeBytes) throws IOException;

  /** Opens files for the WAL; the production one uses {@link java.nio.channels.FileChannel}. */
  interface Opener {
    /** Opens {@code file} for reading and appending, creating it when absent. */
    WalChannel open(java.nio.file.Path file) throws IOException;
  }
}
