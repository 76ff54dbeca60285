package io.conprof.core.model;

/**
 * Limits that keep a user's regular expression from costing unbounded memory to compile.
 *
 * <p>RE2 matches in linear time, but RE2/J expands counted repetitions while compiling, so
 * {@code ((a{1000}){1000}){1000}} would need a billion instructions and exhaust the heap. Google's
 * RE2 and Go's {@code regexp} refuse such patterns; RE2/J does not, so conprof checks before
 * compiling: the counts of nested repetitions ({@code {n}}, {@code {n,}}, {@code {n,m}}) may
 * multiply to at most {@value #MAX_REPEAT_PRODUCT}, as in RE2, groups may nest at most
 * {@value #MAX_NESTING} deep, and a regex may be at most {@value #MAX_REGEX_CHARS} characters.
 */
public final class RegexLimits {
  public static final int MAX_REPEAT_PRODUCT = 1000;
  public static final int MAX_NESTING = 1000;
  public static final int MAX_REGEX_CHARS = 64 * 1024;

  private RegexLimits() {}

  /**
   * Checks {@code regex} against the limits. Syntax errors are left for the compiler to report.
   *
   * @throws IllegalArgumentException with the reason, e.g. {@code repetition count too large
   *     (nested repetitions multiply to 1000000, the limit is 1000)}
   */
  public static void check(String regex) {
    if (regex.length() > MAX_REGEX_CHARS) {
      throw new IllegalArgumentException("regex is " + regex.length()
          + " characters, over the limit of " + MAX_REGEX_CHARS);
    }
    Scanner s = new Scanner(regex);
    long product = s.sequence(0);
    if (product > MAX_REPEAT_PRODUCT) {
      throw tooLarge(product);
    }
  }

  private static IllegalArgumentException tooLarge(long product) {
    return new IllegalArgumentException("repetition count too large (nested repetitions multiply"
        + " to " + product + ", the limit is " + MAX_REPEAT_PRODUCT + ")");
  }

  /** A tolerant scan of RE2 syntax that only tracks groups, atoms and counted repetitions. */
  private static final class Scanner {
    /** Products saturate here; two capped values multiply without overflow. */
    private static final long CAP = 1_000_000_000L;

    private final String re;
    private int pos;

    Scanner(String re) {
      this.re = re;
    }

    /** The largest repetition product inside a sequence that ends at ')' or the end. */
    long sequence(int depth) {
      if (depth > MAX_NESTING) {
        throw new IllegalArgumentException("groups nest more than " + MAX_NESTING + " deep");
      }
      long max = 1;
      while (pos < re.length() && re.charAt(pos) != ')') {
        long inner = atom(depth);
        long count = quantifier();
        long product = Math.min(inner * count, CAP);
        if (product > MAX_REPEAT_PRODUCT) {
          throw tooLarge(product);
        }
        max = Math.max(max, product);
      }
      return max;
    }

    /** Skips one atom; returns the largest repetition product inside it (1 for a leaf). */
    private long atom(int depth) {
      char c = re.charAt(pos);
      switch (c) {
        case '(' -> {
          pos++;
          long inner = sequence(depth + 1);
          if (pos < re.length()) {
            pos++; // ')'
          }
          return inner;
        }
        case '[' -> {
          skipClass();
          return 1;
        }
        case '\\' -> {
          skipEscape();
          return 1;
        }
        default -> {
          pos++;
          return 1;
        }
      }
    }

    private void skipEscape() {
      pos++; // backslash
      if (pos >= re.length()) {
        return;
      }
      char e = re.charAt(pos++);
      if ((e == 'p' || e == 'P' || e == 'x') && pos < re.length() && re.charAt(pos) == '{') {
        int close = re.indexOf('}', pos);
        pos = close < 0 ? re.length() : close + 1;
      } else if (e == 'Q') {
        int end = re.indexOf("\\E", pos);
        pos = end < 0 ? re.length() : end + 2;
      }
    }

    private void skipClass() {
      pos++; // '['
      if (pos < re.length() && re.charAt(pos) == '^') {
        pos++;
      }
      if (pos < re.length() && re.charAt(pos) == ']') {
        pos++;
      }
      while (pos < re.length() && re.charAt(pos) != ']') {
        if (re.charAt(pos) == '\\') {
          skipEscape();
        } else if (re.startsWith("[:", pos)) {
          int close = re.indexOf(":]", pos + 2);
          pos = close < 0 ? pos + 1 : close + 2;
        } else {
          pos++;
        }
      }
      if (pos < re.length()) {
        pos++;
      }
    }

    /** Skips quantifiers after an atom; returns the largest count of a counted repetition. */
    private long quantifier() {
      long count = 1;
      while (pos < re.length()) {
        char q = re.charAt(pos);
        if (q == '*' || q == '+' || q == '?') {
          pos++;
        } else if (q == '{') {
          long n = countedRepeat();
          if (n < 0) {
            return count;
          }
          count = Math.min(count * Math.max(n, 1), CAP);
        } else {
          return count;
        }
      }
      return count;
    }

    /** Parses {n}, {n,} or {n,m} at pos; returns the larger bound, or -1 (a literal brace). */
    private long countedRepeat() {
      int p = pos + 1;
      int start = p;
      while (p < re.length() && isDigit(re.charAt(p))) {
        p++;
      }
      if (p == start) {
        return -1;
      }
      long n = parseCapped(start, p);
      long m = n;
      if (p < re.length() && re.charAt(p) == ',') {
        p++;
        int mStart = p;
        while (p < re.length() && isDigit(re.charAt(p))) {
          p++;
        }
        if (p > mStart) {
          m = parseCapped(mStart, p);
        }
      }
      if (p >= re.length() || re.charAt(p) != '}') {
        return -1;
      }
      pos = p + 1;
      return Math.max(n, m);
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private long parseCapped(int start, int end) {
      return end - start > 9 ? CAP : Long.parseLong(re.substring(start, end));
    }
  }
}
