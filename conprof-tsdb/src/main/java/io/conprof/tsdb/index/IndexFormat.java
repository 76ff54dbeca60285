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

  /**
   * String order of the index: by Unicode code point, which is the byte order of UTF-8 and the order of
   * {@code Labels} (and of Go). {@link String#compareTo} differs for supplementary characters.
   */
  static int compareStrings(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
          return Integer.compare(a.codePointAt(i), b.codePointAt(i));
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }
}
