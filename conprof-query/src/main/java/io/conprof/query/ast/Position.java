package io.conprof.query.ast;

/**
 * Where a node or an error starts in the query text.
 *
 * @param offset index of the first character (a UTF-16 index into the query string)
 * @param line 1-based line
 * @param column 1-based column counted in UTF-8 bytes from the start of the line, as Prometheus
 *     counts it (equal to the character column for ASCII text)
 */
public record Position(int offset, int line, int column) {
  public Position {
    if (offset < 0 || line < 1 || column < 1) {
      throw new IllegalArgumentException("bad position: offset " + offset + ", line " + line
          + ", column " + column);
    }
  }

  /** The position of character {@code offset} of {@code text}. */
  public static Position of(String text, int offset) {
    if (offset < 0 || offset > text.length()) {
      throw new IllegalArgumentException("offset " + offset + " outside text of length "
          + text.length());
    }
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int bytes = 0;
    for (int i = lineStart; i < offset; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < offset
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return new Position(offset, line, bytes + 1);
  }

  /** {@code line:column}, the prefix of error messages. */
  @Override
  public String toString() {
    return line + ":" + column;
  }
}
