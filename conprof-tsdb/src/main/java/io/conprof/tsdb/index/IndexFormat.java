package io.conprof.tsdb.index;

/** Constants of the index file format (grammar in {@link IndexWriter}). */
final class IndexFormat {
  static final int MAGIC = 0x43504958; // "CPIX"
  static final int VERSION = 1;
  static final int HEADER_BYTES = 8;
  static final int TOC_BYTES = 4 * 8 + 4;
  /** Largest index file a reader maps (one mapping). */
  static final long MAX_INDEX_BYTES = Integer.MAX_VALUE;

  private IndexFormat() {}
}
