package io.conprof.query;

import io.conprof.query.parser.ConprofQueryLexer;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CommonToken;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;

/**
 * The lexer plus the checks Prometheus' lexer makes as it goes: string escapes, stray characters
 * inside and outside braces, parentheses and brackets that do not balance, input that ends inside
 * braces. A token that fails a check becomes an {@link ErrorToken} carrying Prometheus' message,
 * so the error is reported only when the parser reaches it, in input order with syntax errors.
 *
 * <p>It also bounds nesting: more than {@link QueryParser#MAX_NESTING_DEPTH} open parentheses is
 * an error, so the recursive-descent parser cannot overflow the stack.
 */
final class CheckedTokenSource implements TokenSource {
  /** A token the parser must not accept, with the message and position of Prometheus' error. */
  static final class ErrorToken extends CommonToken {
    private static final long serialVersionUID = 1L;

    final String message;
    /** Code point index of the error, usually the token's start. */
    final int errorIndex;

    ErrorToken(Token t, String message, int errorIndex) {
      super(t);
      setType(ConprofQueryLexer.ERROR);
      this.message = message;
      this.errorIndex = errorIndex;
    }
  }

  private final ConprofQueryLexer lexer;
  private final CharStream input;
  private int parenDepth;
  private boolean sawEof;
  private int previousType = Token.INVALID_TYPE;

  CheckedTokenSource(ConprofQueryLexer lexer, CharStream input) {
    this.lexer = lexer;
    this.input = input;
  }

  @Override
  public Token nextToken() {
    Token t = check();
    previousType = t.getType();
    return t;
  }

  private Token check() {
    if (sawEof) {
      return lexer.nextToken();
    }
    Token t = lexer.nextToken();
    int start = t.getStartIndex();
    switch (t.getType()) {
      case Token.EOF -> {
        sawEof = true;
        if (lexer._mode == ConprofQueryLexer.BRACES) {
          return new ErrorToken(t, "unexpected end of input inside braces", start);
        }
        if (parenDepth > 0) {
          return new ErrorToken(t, "unclosed left parenthesis", start);
        }
        if (lexer._mode == ConprofQueryLexer.BRACKETS) {
          // Prometheus lexes a duration right after "[" and finds none.
          return new ErrorToken(t, previousType == ConprofQueryLexer.LEFT_BRACKET
              ? "missing unit character in duration" : "unclosed left bracket", start);
        }
        return t;
      }
      case ConprofQueryLexer.STRING, ConprofQueryLexer.UNTERMINATED_STRING -> {
        try {
          StringLiterals.decode(t.getText());
        } catch (StringLiterals.LiteralException e) {
          return new ErrorToken(t, e.getMessage(), start);
        }
        return t;
      }
      case ConprofQueryLexer.LEFT_PAREN -> {
        parenDepth++;
        if (parenDepth > QueryParser.MAX_NESTING_DEPTH) {
          return new ErrorToken(t, "expression nested too deeply: more than "
              + QueryParser.MAX_NESTING_DEPTH + " open parentheses", start);
        }
        return t;
      }
      case ConprofQueryLexer.RIGHT_PAREN -> {
        parenDepth--;
        if (parenDepth < 0) {
          // Prometheus reports this one after the parenthesis.
          return new ErrorToken(t, "unexpected right parenthesis ')'", start + 1);
        }
        return t;
      }
      case ConprofQueryLexer.BAD_CHAR -> {
        int c = t.getText().codePointAt(0);
        String message = switch (c) {
          case ']' -> "unexpected right bracket ']'";
          case '!' -> "unexpected character after '!': " + GoText.quoteRune(next(t));
          default -> "unexpected character: " + GoText.quoteRune(c);
        };
        return new ErrorToken(t, message, start);
      }
      case ConprofQueryLexer.B_BANG -> {
        return new ErrorToken(t, "unexpected character after '!' inside braces: "
            + GoText.quoteRune(next(t)), start);
      }
      case ConprofQueryLexer.B_LEFT_BRACE -> {
        return new ErrorToken(t, "unexpected left brace '{'", start);
      }
      case ConprofQueryLexer.B_BAD_CHAR -> {
        return new ErrorToken(t, "unexpected character inside braces: "
            + GoText.quoteRune(t.getText().codePointAt(0)), start);
      }
      case ConprofQueryLexer.K_LEFT_BRACKET -> {
        return new ErrorToken(t, "unexpected left bracket '['", start);
      }
      case ConprofQueryLexer.K_BAD_CHAR -> {
        return new ErrorToken(t, "unexpected character in range: "
            + GoText.quoteRune(t.getText().codePointAt(0)) + ", expected duration", start);
      }
      default -> {
        return t;
      }
    }
  }

  /** The code point after token {@code t}, or U+FFFD at the end (Go's %q of its eof rune). */
  private int next(Token t) {
    int i = t.getStopIndex() + 1;
    return i < input.size() ? input.getText(org.antlr.v4.runtime.misc.Interval.of(i, i)).codePointAt(0)
        : 0xFFFD;
  }

  @Override
  public int getLine() {
    return lexer.getLine();
  }

  @Override
  public int getCharPositionInLine() {
    return lexer.getCharPositionInLine();
  }

  @Override
  public CharStream getInputStream() {
    return lexer.getInputStream();
  }

  @Override
  public String getSourceName() {
    return lexer.getSourceName();
  }

  @Override
  public void setTokenFactory(TokenFactory<?> factory) {
    lexer.setTokenFactory(factory);
  }

  @Override
  public TokenFactory<?> getTokenFactory() {
    return lexer.getTokenFactory();
  }
}
