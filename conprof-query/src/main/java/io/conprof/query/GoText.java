package io.conprof.query;

import io.conprof.core.model.GoStrings;

/** Go's fmt verbs that Prometheus' error messages use: {@code %q} of a rune, {@code %#U}, {@code %.10q}. */
final class GoText {
  private GoText() {}

  /** Go's {@code %q} of a rune ({@code strconv.QuoteRune}): {@code 'x'}, {@code '\n'}, {@code '\x01'}. */
  static String quoteRune(int cp) {
    StringBuilder sb = new StringBuilder("'");
    switch (cp) {
      case '\'' -> sb.append("\\'");
      case '\\' -> sb.append("\\\\");
      case 0x07 -> sb.append("\\a");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case 0x0b -> sb.append("\\v");
      default -> {
        if (isPrint(cp)) {
          sb.appendCodePoint(cp);
        } else if (cp < 0x20 || cp == 0x7f) {
          sb.append(String.format("\\x%02x", cp));
        } else if (cp < 0x10000) {
          sb.append(String.format("\\u%04x", cp));
        } else {
          sb.append(String.format("\\U%08x", cp));
        }
      }
    }
    return sb.append('\'').toString();
  }

  /** Go's {@code %#U}: {@code U+0071 'q'}, or {@code U+000A} for a rune that does not print. */
  static String unicode(int cp) {
    String u = String.format("U+%04X", cp);
    return isPrint(cp) ? u + " '" + new String(Character.toChars(cp)) + "'" : u;
  }

  /** Go's {@code %.10q}: the first ten runes of {@code s}, double-quoted with Go's escapes. */
  static String quoteTruncated(String s, int runes) {
    int end = s.length();
    if (s.codePointCount(0, s.length()) > runes) {
      end = s.offsetByCodePoints(0, runes);
    }
    return GoStrings.quote(s.substring(0, end));
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and ASCII space. */
  static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER, Character.OTHER_LETTER, Character.NON_SPACING_MARK,
          Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
          Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER,
          Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
          Character.START_PUNCTUATION, Character.END_PUNCTUATION,
          Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
          Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
      default -> false;
    };
  }
}
