package io.conprof.query;

import io.conprof.query.ast.Expr;
import io.conprof.query.ast.Position;
import io.conprof.query.parser.ConprofQueryLexer;
import io.conprof.query.parser.ConprofQueryParser;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CodePointCharStream;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Parses the conprof query language into an {@link Expr}.
 *
 * <p>The language is Prometheus' vector selector syntax with ranges, {@code offset} and {@code @},
 * plus the profile functions {@code merge} and {@code diff} (see {@code docs/query-language.md}).
 * Selectors are accepted or refused exactly as Prometheus' PromQL parser does, with the same
 * matchers and, for refused input, the same {@code line:column} and (mostly) the same words.
 *
 * <p>How: an ANTLR lexer with Prometheus' lexer modes (outside braces, inside braces, inside
 * brackets), wrapped by a token source that applies the checks Prometheus' lexer makes as it goes
 * (string escapes, stray characters, unbalanced brackets) and turns a failing token into an error
 * token. The parser runs with a bail-out error strategy and no recovery: the first token it cannot
 * accept ends the parse, and the message is built from that token and the tokens before it, in
 * Prometheus' wording; unless a construct completed before it fails one of the checks Prometheus
 * makes while parsing (a bad regex or duration), which Prometheus would report first. A visitor then builds the immutable AST and applies the rules a grammar
 * cannot (name given twice, the non-empty matcher rule, modifier order, function types). Parse
 * trees never leave this package.
 *
 * <p>Limits: at most {@link #MAX_QUERY_BYTES} bytes of UTF-8 and {@link #MAX_NESTING_DEPTH} open
 * parentheses, so neither memory nor stack depth depend on the input beyond that.
 *
 * <p>Thread-safe: every call builds its own lexer and parser.
 */
public final class QueryParser {
  /** The longest query accepted, in UTF-8 bytes. */
  public static final int MAX_QUERY_BYTES = 64 * 1024;
  /** The most parentheses that may be open at once. */
  public static final int MAX_NESTING_DEPTH = 64;

  private QueryParser() {}

  /**
   * Parses one query.
   *
   * @throws QueryParseException with the line, column and reason of the first error
   */
  public static Expr parse(String query) {
    if (query == null) {
      throw new IllegalArgumentException("query is null");
    }
    int bytes = utf8Length(query);
    if (bytes > MAX_QUERY_BYTES) {
      throw new QueryParseException(Position.of(query, 0), "query too long: " + bytes
          + " bytes, the limit is " + MAX_QUERY_BYTES);
    }
    CodePointCharStream chars = CharStreams.fromString(query);
    ConprofQueryLexer lexer = new ConprofQueryLexer(chars);
    lexer.removeErrorListeners();
    CommonTokenStream tokens = new CommonTokenStream(new CheckedTokenSource(lexer, chars));
    ConprofQueryParser parser = new ConprofQueryParser(tokens);
    parser.removeErrorListeners();
    parser.setErrorHandler(new BailErrorStrategy());
    ConprofQueryParser.StandaloneQueryContext tree;
    try {
      tree = parser.standaloneQuery();
    } catch (ParseCancellationException e) {
      Token offending = e.getCause() instanceof RecognitionException re
          && re.getOffendingToken() != null ? re.getOffendingToken() : parser.getCurrentToken();
      AstBuilder builder = new AstBuilder(query);
      ParserRuleContext root = e.getCause() instanceof RecognitionException re
          && re.getCtx() instanceof ParserRuleContext c ? c : parser.getContext();
      while (root != null && root.getParent() != null) {
        root = root.getParent();
      }
      if (root != null) {
        builder.checkCompleted(root);
      }
      tokens.fill();
      SyntaxErrors.Located error = SyntaxErrors.describe(tokens.getTokens(),
          offending.getTokenIndex());
      throw new QueryParseException(position(query, error.index()), error.message());
    }
    AstBuilder builder = new AstBuilder(query);
    // Prometheus' parse-time checks (durations, regexes, modifiers) before its checks of the
    // complete tree (metric name twice, non-empty matcher, function types), as it orders them.
    builder.checkCompleted(tree);
    return builder.build(tree);
  }

  /** The position of code point index {@code codePointIndex} (ANTLR's character index). */
  static Position position(String query, int codePointIndex) {
    int cps = query.codePointCount(0, query.length());
    int offset = query.offsetByCodePoints(0, Math.min(codePointIndex, cps));
    return Position.of(query, offset);
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
