package io.conprof.query;

import static io.conprof.query.parser.ConprofQueryLexer.AT;
import static io.conprof.query.parser.ConprofQueryLexer.BY;
import static io.conprof.query.parser.ConprofQueryLexer.COLON;
import static io.conprof.query.parser.ConprofQueryLexer.COMMA;
import static io.conprof.query.parser.ConprofQueryLexer.DURATION;
import static io.conprof.query.parser.ConprofQueryLexer.END;
import static io.conprof.query.parser.ConprofQueryLexer.EQL;
import static io.conprof.query.parser.ConprofQueryLexer.EQL_REGEX;
import static io.conprof.query.parser.ConprofQueryLexer.IDENTIFIER;
import static io.conprof.query.parser.ConprofQueryLexer.LEFT_BRACE;
import static io.conprof.query.parser.ConprofQueryLexer.LEFT_BRACKET;
import static io.conprof.query.parser.ConprofQueryLexer.LEFT_PAREN;
import static io.conprof.query.parser.ConprofQueryLexer.NEQ;
import static io.conprof.query.parser.ConprofQueryLexer.NEQ_REGEX;
import static io.conprof.query.parser.ConprofQueryLexer.OFFSET;
import static io.conprof.query.parser.ConprofQueryLexer.RIGHT_BRACE;
import static io.conprof.query.parser.ConprofQueryLexer.RIGHT_BRACKET;
import static io.conprof.query.parser.ConprofQueryLexer.RIGHT_PAREN;
import static io.conprof.query.parser.ConprofQueryLexer.START;
import static io.conprof.query.parser.ConprofQueryLexer.STRING;
import static io.conprof.query.parser.ConprofQueryLexer.SUB;
import static io.conprof.query.parser.ConprofQueryLexer.ADD;

import io.conprof.query.parser.ConprofQueryLexer;
import io.conprof.query.parser.Keywords;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Turns the token the parser stopped at into Prometheus' message: {@code unexpected <what was
 * found> in <context>, expected <what fits>}. The context comes from the tokens before it (inside
 * braces, after {@code offset}, inside a {@code by (...)} list, ...), which for this grammar
 * determines what may follow exactly; the wording is that of Prometheus' yacc grammar.
 */
final class SyntaxErrors {
  private SyntaxErrors() {}

  /** A message and the code point index it applies to. */
  record Located(int index, String message) {}

  static Located describe(List<Token> tokens, int at) {
    Token t = tokens.get(at);
    if (t instanceof CheckedTokenSource.ErrorToken e) {
      return new Located(e.errorIndex, e.message);
    }
    if (t.getType() == Token.EOF && at == 0) {
      return new Located(0, "no expression found in input");
    }
    int start = t.getStartIndex();
    if (t.getType() == COLON) {
      return new Located(start, "subqueries are not supported");
    }
    String found = "unexpected " + desc(t);
    int prev = type(tokens, at - 1);
    int prev2 = type(tokens, at - 2);
    if (insideBraces(tokens, at)) {
      String expected;
      if (prev == LEFT_BRACE || prev == COMMA) {
        expected = "identifier or \"}\"";
      } else if (prev == IDENTIFIER) {
        expected = "label matching operator";
      } else if (isMatchOp(prev)) {
        expected = "string";
      } else {
        // After a value, or after a quoted name that stands alone as the metric name.
        expected = "\",\" or \"}\"";
      }
      return new Located(start, found + " in label matching, expected " + expected);
    }
    if (prev == LEFT_BRACKET) {
      return new Located(start, found + " in range, expected duration");
    }
    if (prev == DURATION && prev2 == LEFT_BRACKET) {
      return new Located(start, found + " in range, expected \"]\"");
    }
    if ((prev == OFFSET && isModifier(tokens, at - 1))
        || (prev == SUB && prev2 == OFFSET && isModifier(tokens, at - 2))) {
      return new Located(start, found + " in offset, expected duration");
    }
    if (prev == AT || ((prev == SUB || prev == ADD) && prev2 == AT)) {
      return new Located(start, found + " in @, expected timestamp");
    }
    if ((prev == START || prev == END) && prev2 == AT) {
      return new Located(start, found + " in @, expected \"(\"");
    }
    if (prev == LEFT_PAREN && (prev2 == START || prev2 == END) && type(tokens, at - 3) == AT) {
      return new Located(start, found + " in @, expected \")\"");
    }
    if (prev == BY && (prev2 == RIGHT_PAREN
        || (prev2 == IDENTIFIER && tokens.get(at - 2).getText().equals("merge")))) {
      return new Located(start, found + " in grouping opts, expected \"(\"");
    }
    int open = unclosedParen(tokens, at);
    if (open >= 0 && type(tokens, open - 1) == BY) {
      String expected = prev == LEFT_PAREN || prev == COMMA ? "label" : "\",\" or \")\"";
      return new Located(start, found + " in grouping opts, expected " + expected);
    }
    if (open >= 0) {
      String function = functionName(tokens, open);
      if (function != null) {
        String expected = prev == LEFT_PAREN || prev == COMMA ? "expression" : "\",\" or \")\"";
        return new Located(start, found + " in call to " + function + ", expected " + expected);
      }
    }
    return new Located(start, found);
  }

  /** How Prometheus' {@code Item.desc} names a token. */
  static String desc(Token t) {
    String text = t.getText();
    return switch (t.getType()) {
      case Token.EOF -> "end of input";
      case IDENTIFIER -> "identifier " + GoText.quoteTruncated(text, Integer.MAX_VALUE);
      case ConprofQueryLexer.METRIC_IDENTIFIER -> "metric identifier "
          + GoText.quoteTruncated(text, Integer.MAX_VALUE);
      case ConprofQueryLexer.NUMBER -> "number " + quoteValue(text);
      case DURATION -> "duration " + quoteValue(text);
      case STRING -> "string " + quoteValue(text);
      case OFFSET, BY, START, END, ConprofQueryLexer.KEYWORD_NAME,
          ConprofQueryLexer.RESERVED_KEYWORD -> Keywords.describe(text);
      case SUB, ADD, AT, EQL_REGEX, NEQ, NEQ_REGEX, ConprofQueryLexer.OPERATOR -> "<op:" + text + ">";
      default -> GoText.quoteTruncated(text, Integer.MAX_VALUE);
    };
  }

  /** Go's {@code %q}, or {@code %.10q...} for values longer than ten characters. */
  private static String quoteValue(String text) {
    return text.codePointCount(0, text.length()) > 10 ? GoText.quoteTruncated(text, 10) + "..."
        : GoText.quoteTruncated(text, 10);
  }

  /**
   * Whether the {@code offset} at {@code i} is the modifier rather than a metric name: it follows
   * something that ends an expression, not the start of the input, "(" or ",".
   */
  private static boolean isModifier(List<Token> tokens, int i) {
    int before = type(tokens, i - 1);
    return before != Token.INVALID_TYPE && before != LEFT_PAREN && before != COMMA;
  }

  private static boolean isMatchOp(int type) {
    return type == EQL || type == NEQ || type == EQL_REGEX || type == NEQ_REGEX;
  }

  private static int type(List<Token> tokens, int i) {
    return i >= 0 && i < tokens.size() ? tokens.get(i).getType() : Token.INVALID_TYPE;
  }

  private static boolean insideBraces(List<Token> tokens, int at) {
    for (int i = at - 1; i >= 0; i--) {
      int type = tokens.get(i).getType();
      if (type == LEFT_BRACE) {
        return true;
      }
      if (type == RIGHT_BRACE) {
        return false;
      }
    }
    return false;
  }

  /** Index of the innermost parenthesis still open before {@code at}, or -1. */
  private static int unclosedParen(List<Token> tokens, int at) {
    int depth = 0;
    for (int i = at - 1; i >= 0; i--) {
      int type = tokens.get(i).getType();
      if (type == RIGHT_PAREN) {
        depth++;
      } else if (type == LEFT_PAREN) {
        if (depth == 0) {
          return i;
        }
        depth--;
      }
    }
    return -1;
  }

  /** The function whose argument list opens at {@code open}: {@code f(} or {@code f by (...) (}. */
  private static String functionName(List<Token> tokens, int open) {
    int before = open - 1;
    if (type(tokens, before) == RIGHT_PAREN) {
      int depth = 0;
      int i = before;
      for (; i >= 0; i--) {
        int type = tokens.get(i).getType();
        if (type == RIGHT_PAREN) {
          depth++;
        } else if (type == LEFT_PAREN && --depth == 0) {
          break;
        }
      }
      if (type(tokens, i - 1) != BY) {
        return null;
      }
      before = i - 2;
    }
    if (type(tokens, before) != IDENTIFIER) {
      return null;
    }
    // Prometheus gives calls no context; conprof adds it for its own functions only.
    String name = tokens.get(before).getText();
    return name.equals("merge") || name.equals("diff") ? name : null;
  }
}
