package io.conprof.query.parser;

import java.util.Locale;
import java.util.Map;

/**
 * PromQL's keywords, as Prometheus' lexer classifies words (case-insensitively): which token a word
 * becomes and how an error message names it. Called by the generated lexer; not an API.
 *
 * <p>Prometheus lets most keywords serve as metric names ({@code sum{job="x"}}, {@code offset},
 * {@code by}); {@code bool}, {@code on}, {@code ignoring}, {@code group_left}, {@code group_right}
 * and {@code atan2} it refuses there ({@code unexpected <bool>}). conprof keeps both sets: the first
 * become {@link ConprofQueryLexer#KEYWORD_NAME} (or the keywords its grammar uses), the second
 * {@link ConprofQueryLexer#RESERVED_KEYWORD}. {@code inf} and {@code nan} are numbers.
 */
public final class Keywords {
  private enum Kind {
    OPERATOR,
    AGGREGATOR,
    KEYWORD
  }

  private record Entry(int tokenType, Kind kind) {}

  private static final Map<String, Entry> KEYWORDS = Map.ofEntries(
      Map.entry("and", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.OPERATOR)),
      Map.entry("or", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.OPERATOR)),
      Map.entry("unless", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.OPERATOR)),
      Map.entry("atan2", new Entry(ConprofQueryLexer.RESERVED_KEYWORD, Kind.OPERATOR)),
      Map.entry("sum", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("avg", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("count", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("min", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("max", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("group", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("stddev", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("stdvar", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("topk", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("bottomk", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("count_values", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("quantile", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.AGGREGATOR)),
      Map.entry("offset", new Entry(ConprofQueryLexer.OFFSET, Kind.KEYWORD)),
      Map.entry("by", new Entry(ConprofQueryLexer.BY, Kind.KEYWORD)),
      Map.entry("without", new Entry(ConprofQueryLexer.KEYWORD_NAME, Kind.KEYWORD)),
      Map.entry("on", new Entry(ConprofQueryLexer.RESERVED_KEYWORD, Kind.KEYWORD)),
      Map.entry("ignoring", new Entry(ConprofQueryLexer.RESERVED_KEYWORD, Kind.KEYWORD)),
      Map.entry("group_left", new Entry(ConprofQueryLexer.RESERVED_KEYWORD, Kind.KEYWORD)),
      Map.entry("group_right", new Entry(ConprofQueryLexer.RESERVED_KEYWORD, Kind.KEYWORD)),
      Map.entry("bool", new Entry(ConprofQueryLexer.RESERVED_KEYWORD, Kind.KEYWORD)),
      Map.entry("start", new Entry(ConprofQueryLexer.START, Kind.KEYWORD)),
      Map.entry("end", new Entry(ConprofQueryLexer.END, Kind.KEYWORD)));

  private Keywords() {}

  /** The token type of a word that matched the lexer's NAME rule. */
  public static int tokenType(String word) {
    String lower = word.toLowerCase(Locale.ROOT);
    Entry e = KEYWORDS.get(lower);
    if (e != null) {
      return e.tokenType();
    }
    if (lower.equals("inf") || lower.equals("nan")) {
      return ConprofQueryLexer.NUMBER;
    }
    return word.indexOf(':') >= 0 ? ConprofQueryLexer.METRIC_IDENTIFIER : ConprofQueryLexer.IDENTIFIER;
  }

  /**
   * How Prometheus names a keyword in an error message: {@code <by>}, {@code <aggr:sum>},
   * {@code <op:and>}; null if {@code word} is not a keyword.
   */
  public static String describe(String word) {
    Entry e = KEYWORDS.get(word.toLowerCase(Locale.ROOT));
    if (e == null) {
      return null;
    }
    return switch (e.kind()) {
      case OPERATOR -> "<op:" + word + ">";
      case AGGREGATOR -> "<aggr:" + word + ">";
      case KEYWORD -> "<" + word + ">";
    };
  }
}
