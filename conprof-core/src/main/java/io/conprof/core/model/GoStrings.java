package io.conprof.core.model;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Go's double-quoted string syntax, as {@code strconv.Quote} writes it and {@code strconv.Unquote}
 * reads it. Prometheus prints label values (and non-legacy label names) this way, so conprof does
 * too: the text form of a label set is the same in both programs.
 *
 * <p>Quoting escapes {@code \} and {@code "}, uses {@code \a \b \f \n \r \t \v} for those
 * controls, {@code \xNN} for other ASCII controls and DEL, and <code>&#92;uNNNN</code> /
 * <code>&#92;UNNNNNNNN</code> (lower-case hex) for every other code point that Go's
 * {@code unicode.IsPrint} rejects (anything outside the letter, mark, number, punctuation and
 * symbol categories, except the ASCII space).
 * Java 17 and Go 1.19 both implement Unicode 13, so the categories agree.
 *
 * <p>Unquoting accepts every Go escape of an interpreted string literal, including {@code \xNN}
 * and octal {@code \NNN} byte escapes, and refuses results that are not valid UTF-8.
 */
public final class GoStrings {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoStrings() {}

  /** {@code s} in double quotes with Go's escapes, exactly as Go's {@code strconv.Quote}. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2);
    appendQuoted(sb, s);
    return sb.toString();
  }

  /** Appends {@link #quote quote(s)} to {@code sb}. */
  public static void appendQuoted(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '"' || cp == '\\') {
        sb.append('\\').append((char) cp);
      } else if (cp >= 0x20 && cp < 0x7f) {
        sb.append((char) cp);
      } else if (isGoPrint(cp)) {
        sb.appendCodePoint(cp);
      } else {
        switch (cp) {
          case 0x07 -> sb.append("\\a");
          case '\b' -> sb.append("\\b");
          case '\f' -> sb.append("\\f");
          case '\n' -> sb.append("\\n");
          case '\r' -> sb.append("\\r");
          case '\t' -> sb.append("\\t");
          case 0x0b -> sb.append("\\v");
          default -> {
            if (cp < 0x20 || cp == 0x7f) {
              sb.append("\\x");
              appendHex(sb, cp, 2);
            } else if (cp < 0x10000) {
              sb.append("\\u");
              appendHex(sb, cp, 4);
            } else {
              sb.append("\\U");
              appendHex(sb, cp, 8);
            }
          }
        }
      }
    }
    sb.append('"');
  }

  private static void appendHex(StringBuilder sb, int v, int digits) {
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
      sb.append(HEX[(v >>> shift) & 0xf]);
    }
  }

  /** Go's {@code unicode.IsPrint}: categories L, M, N, P, S and the ASCII space. */
  static boolean isGoPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER:
      case Character.LOWERCASE_LETTER:
      case Character.TITLECASE_LETTER:
      case Character.MODIFIER_LETTER:
      case Character.OTHER_LETTER:
      case Character.NON_SPACING_MARK:
      case Character.ENCLOSING_MARK:
      case Character.COMBINING_SPACING_MARK:
      case Character.DECIMAL_DIGIT_NUMBER:
      case Character.LETTER_NUMBER:
      case Character.OTHER_NUMBER:
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
      case Character.MATH_SYMBOL:
      case Character.CURRENCY_SYMBOL:
      case Character.MODIFIER_SYMBOL:
      case Character.OTHER_SYMBOL:
        return true;
      default:
        return false;
    }
  }

  /**
   * Reads a Go double-quoted string literal that makes up all of {@code quoted}.
   *
   * @throws IllegalArgumentException naming the position and what was expected
   */
  public static String unquote(String quoted) {
    Cursor c = new Cursor(quoted, 0);
    String s = c.readQuoted();
    if (c.pos != quoted.length()) {
      throw new SyntaxError(c.pos, "expected end of string after the closing quote");
    }
    return s;
  }

  /** A syntax error at a character offset; callers wrap it in their own message. */
  static final class SyntaxError extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    final int position;
    final String expected;

    SyntaxError(int position, String expected) {
      super("at " + position + ": " + expected);
      this.position = position;
      this.expected = expected;
    }
  }

  /** Reads one quoted string starting at {@code pos}; {@code pos} ends after the closing quote. */
  static final class Cursor {
    final String in;
    int pos;
    private byte[] pending = new byte[8];
    private int pendingLen;

    Cursor(String in, int pos) {
      this.in = in;
      this.pos = pos;
    }

    String readQuoted() {
      if (pos >= in.length() || in.charAt(pos) != '"') {
        throw new SyntaxError(pos, "expected a quoted string");
      }
      int start = ++pos;
      // Fast path: no escapes.
      while (pos < in.length()) {
        char ch = in.charAt(pos);
        if (ch == '"') {
          String s = in.substring(start, pos++);
          checkUnicode(s, start);
          return s;
        }
        if (ch == '\\' || ch == '\n') {
          break;
        }
        pos++;
      }
      StringBuilder sb = new StringBuilder(in.length() - start);
      sb.append(in, start, pos);
      pendingLen = 0;
      while (true) {
        if (pos >= in.length()) {
          throw new SyntaxError(pos, "expected a closing quote");
        }
        char ch = in.charAt(pos);
        if (ch == '"') {
          flush(sb, pos);
          pos++;
          String s = sb.toString();
          checkUnicode(s, start);
          return s;
        }
        if (ch == '\n') {
          throw new SyntaxError(pos, "expected a closing quote before the end of the line");
        }
        if (ch != '\\') {
          flush(sb, pos);
          sb.append(ch);
          pos++;
          continue;
        }
        int escapeAt = pos++;
        if (pos >= in.length()) {
          throw new SyntaxError(pos, "expected an escape character after '\\'");
        }
        char e = in.charAt(pos++);
        switch (e) {
          case 'a' -> simple(sb, escapeAt, (char) 0x07);
          case 'b' -> simple(sb, escapeAt, '\b');
          case 'f' -> simple(sb, escapeAt, '\f');
          case 'n' -> simple(sb, escapeAt, '\n');
          case 'r' -> simple(sb, escapeAt, '\r');
          case 't' -> simple(sb, escapeAt, '\t');
          case 'v' -> simple(sb, escapeAt, (char) 0x0b);
          case '\\' -> simple(sb, escapeAt, '\\');
          case '"' -> simple(sb, escapeAt, '"');
          case 'x' -> addByte(hex(2, escapeAt));
          case 'u', 'U' -> {
            int cp = hex(e == 'u' ? 4 : 8, escapeAt);
            if (cp < 0 || cp > Character.MAX_CODE_POINT || (cp >= 0xd800 && cp <= 0xdfff)) {
              throw new SyntaxError(escapeAt, "expected a valid Unicode code point in escape "
                  + in.substring(escapeAt, pos));
            }
            flush(sb, escapeAt);
            sb.appendCodePoint(cp);
          }
          case '0', '1', '2', '3', '4', '5', '6', '7' -> {
            int v = e - '0';
            for (int k = 0; k < 2; k++) {
              if (pos >= in.length() || in.charAt(pos) < '0' || in.charAt(pos) > '7') {
                throw new SyntaxError(pos, "expected an octal digit in escape");
              }
              v = v * 8 + (in.charAt(pos++) - '0');
            }
            if (v > 255) {
              throw new SyntaxError(escapeAt, "expected an octal escape below \\400");
            }
            addByte(v);
          }
          default -> throw new SyntaxError(escapeAt,
              "expected a valid escape, not '\\" + e + "' (Go escapes: \\a \\b \\f \\n \\r \\t \\v"
                  + " \\\\ \\\" \\xNN \\NNN \\uNNNN \\UNNNNNNNN)");
        }
      }
    }

    private void simple(StringBuilder sb, int at, char c) {
      flush(sb, at);
      sb.append(c);
    }

    private int hex(int digits, int escapeAt) {
      int v = 0;
      for (int k = 0; k < digits; k++) {
        int d = pos < in.length() ? hexValue(in.charAt(pos)) : -1;
        if (d < 0) {
          throw new SyntaxError(pos, "expected a hex digit in escape");
        }
        pos++;
        v = (v << 4) | d;
      }
      return v;
    }

    private static int hexValue(char c) {
      if (c >= '0' && c <= '9') {
        return c - '0';
      }
      if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
      }
      if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
      }
      return -1;
    }

    private void addByte(int b) {
      if (pendingLen == pending.length) {
        pending = Arrays.copyOf(pending, pendingLen * 2);
      }
      pending[pendingLen++] = (byte) b;
    }

    private void flush(StringBuilder sb, int at) {
      if (pendingLen == 0) {
        return;
      }
      CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      try {
        CharBuffer chars = dec.decode(ByteBuffer.wrap(pending, 0, pendingLen));
        sb.append(chars);
      } catch (CharacterCodingException e) {
        throw new SyntaxError(at, "expected byte escapes that form valid UTF-8");
      }
      pendingLen = 0;
    }

    private void checkUnicode(String s, int start) {
      int bad = LabelNames.firstUnpairedSurrogate(s);
      if (bad >= 0) {
        throw new SyntaxError(start, "expected valid UTF-8 (unpaired surrogate in string)");
      }
    }
  }
}
