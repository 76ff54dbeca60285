package io.conprof.query;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * String literals as Prometheus' lexer checks them and {@code strutil.Unquote} reads them: Go's
 * escapes in double- and single-quoted strings, none in back-quoted (raw) strings.
 *
 * <p>In a quoted string {@code \a \b \f \n \r \t \v \\} and the string's own quote may be escaped
 * (so {@code \'} is an error in a double-quoted string and {@code \"} in a single-quoted one), as
 * may bytes ({@code \x41}, octal {@code \101}) and code points ({@code \u00e9},
 * {@code \U0001F600}); an unescaped newline ends the string with an error. The error messages are
 * Prometheus' lexer messages. One deliberate difference: Go strings may hold arbitrary bytes, Java
 * strings may not, so byte escapes must form valid UTF-8 ({@code "\xc3\xa9"} is "é", a lone
 * {@code "\xff"} is refused).
 */
final class StringLiterals {
  /** A literal that cannot be read; the message is Prometheus' lexer message. */
  static final class LiteralException extends Exception {
    private static final long serialVersionUID = 1L;

    LiteralException(String message) {
      super(message);
    }
  }

  private StringLiterals() {}

  /** The value of a literal, {@code token} being its full text from the opening quote on. */
  static String decode(String token) throws LiteralException {
    char quote = token.charAt(0);
    if (quote == '`') {
      return raw(token);
    }
    StringBuilder sb = new StringBuilder(token.length());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = 1;
    while (true) {
      if (i >= token.length()) {
        throw new LiteralException("unterminated quoted string");
      }
      int c = token.codePointAt(i);
      i += Character.charCount(c);
      if (isUnpairedSurrogate(c)) {
        throw new LiteralException("invalid UTF-8 rune");
      }
      if (c == '\n') {
        throw new LiteralException("unterminated quoted string");
      }
      if (c == quote) {
        flush(bytes, sb);
        if (i != token.length()) {
          throw new IllegalStateException("string token continues after its closing quote: " + token);
        }
        return sb.toString();
      }
      if (c != '\\') {
        flush(bytes, sb);
        sb.appendCodePoint(c);
        continue;
      }
      if (i >= token.length()) {
        throw new LiteralException("escape sequence not terminated");
      }
      int e = token.codePointAt(i);
      i += Character.charCount(e);
      int digits;
      int base;
      int max;
      switch (e) {
        case 'a', 'b', 'f', 'n', 'r', 't', 'v', '\\' -> {
          flush(bytes, sb);
          sb.append(simpleEscape(e));
          continue;
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          digits = 3;
          base = 8;
          max = 255;
        }
        case 'x' -> {
          digits = 2;
          base = 16;
          max = 255;
        }
        case 'u' -> {
          digits = 4;
          base = 16;
          max = Character.MAX_CODE_POINT;
        }
        case 'U' -> {
          digits = 8;
          base = 16;
          max = Character.MAX_CODE_POINT;
        }
        default -> {
          if (e == quote) {
            flush(bytes, sb);
            sb.append(quote);
            continue;
          }
          throw new LiteralException("unknown escape sequence " + GoText.unicode(e));
        }
      }
      long x = 0;
      int ch;
      if (base == 8) {
        ch = e;
      } else {
        ch = i < token.length() ? token.codePointAt(i) : -1;
        i += ch < 0 ? 0 : Character.charCount(ch);
      }
      for (int n = digits; n > 0; n--) {
        int d = hexDigit(ch);
        if (d >= base) {
          if (ch < 0) {
            throw new LiteralException("escape sequence not terminated");
          }
          throw new LiteralException("illegal character " + GoText.unicode(ch) + " in escape sequence");
        }
        x = x * base + d;
        if (n > 1) {
          ch = i < token.length() ? token.codePointAt(i) : -1;
          i += ch < 0 ? 0 : Character.charCount(ch);
        }
      }
      if (x > max || (x >= 0xD800 && x < 0xE000)) {
        throw new LiteralException("escape sequence is an invalid Unicode code point");
      }
      if (e == 'u' || e == 'U') {
        flush(bytes, sb);
        sb.appendCodePoint((int) x);
      } else {
        bytes.write((int) x);
      }
    }
  }

  private static String raw(String token) throws LiteralException {
    for (int i = 1; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '`') {
        return token.substring(1, i);
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < token.length()
            && Character.isLowSurrogate(token.charAt(i + 1))) {
          i++;
        } else {
          throw new LiteralException("invalid UTF-8 rune");
        }
      }
    }
    throw new LiteralException("unterminated raw string");
  }

  /** Go's digitVal: the value of an ASCII hex digit, 16 for anything else. */
  private static int hexDigit(int c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return 16;
  }

  private static boolean isUnpairedSurrogate(int cp) {
    return cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
  }

  private static char simpleEscape(int e) {
    return switch (e) {
      case 'a' -> (char) 0x07;
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'v' -> (char) 0x0b;
      default -> '\\';
    };
  }

  private static void flush(ByteArrayOutputStream bytes, StringBuilder sb) throws LiteralException {
    if (bytes.size() == 0) {
      return;
    }
    try {
      sb.append(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())));
    } catch (CharacterCodingException ex) {
      throw new LiteralException("byte escapes do not form valid UTF-8"
          + " (conprof label values are Unicode text)");
    }
    bytes.reset();
  }
}
