package io.conprof.query;

import io.conprof.core.model.GoStrings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The rows of {@code selectors.tsv}: input, and the matchers or error conprof must produce. */
record SelectorTable(List<Row> rows) {
  /** How a row compares with promtool 2.42: exactly, by position only, or not at all. */
  enum Mode {
    EXACT,
    POSITION,
    NONE
  }

  record Row(int lineNumber, Mode mode, String input, boolean ok, String expected) {
    @Override
    public String toString() {
      return "selectors.tsv:" + lineNumber + " " + GoStrings.quote(input);
    }
  }

  static SelectorTable load() {
    List<Row> rows = new ArrayList<>();
    try (InputStream in = SelectorTable.class.getResourceAsStream("selectors.tsv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f.length != 4) {
          throw new IllegalStateException("selectors.tsv:" + n + ": want 4 tab-separated fields");
        }
        Mode mode = switch (f[0]) {
          case "=" -> Mode.EXACT;
          case "p" -> Mode.POSITION;
          case "x" -> Mode.NONE;
          default -> throw new IllegalStateException("selectors.tsv:" + n + ": bad mode " + f[0]);
        };
        if (!f[2].equals("ok") && !f[2].equals("err")) {
          throw new IllegalStateException("selectors.tsv:" + n + ": want ok or err, got " + f[2]);
        }
        rows.add(new Row(n, mode, GoStrings.unquote(f[1]), f[2].equals("ok"), f[3]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SelectorTable(List.copyOf(rows));
  }
}
