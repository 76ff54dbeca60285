package io.conprof.query;

import io.conprof.core.model.Durations;
import io.conprof.core.model.GoStrings;
import io.conprof.core.model.LabelNames;
import io.conprof.core.model.Matcher;
import io.conprof.query.ast.At;
import io.conprof.query.ast.DiffCall;
import io.conprof.query.ast.Expr;
import io.conprof.query.ast.MergeCall;
import io.conprof.query.ast.Position;
import io.conprof.query.ast.RangeSelector;
import io.conprof.query.ast.ResultType;
import io.conprof.query.ast.Selector;
import io.conprof.query.parser.ConprofQueryParser;
import io.conprof.query.parser.ConprofQueryParser.AtModifierContext;
import io.conprof.query.parser.ConprofQueryParser.AtTimestampContext;
import io.conprof.query.parser.ConprofQueryParser.ExpressionContext;
import io.conprof.query.parser.ConprofQueryParser.FunctionCallContext;
import io.conprof.query.parser.ConprofQueryParser.GroupingContext;
import io.conprof.query.parser.ConprofQueryParser.GroupingLabelContext;
import io.conprof.query.parser.ConprofQueryParser.LabelMatcherContext;
import io.conprof.query.parser.ConprofQueryParser.LabelMatchersContext;
import io.conprof.query.parser.ConprofQueryParser.MetricNameMatcherContext;
import io.conprof.query.parser.ConprofQueryParser.ModifierContext;
import io.conprof.query.parser.ConprofQueryParser.NamedMatcherContext;
import io.conprof.query.parser.ConprofQueryParser.NamedSelectorContext;
import io.conprof.query.parser.ConprofQueryParser.OffsetModifierContext;
import io.conprof.query.parser.ConprofQueryParser.ParenthesizedContext;
import io.conprof.query.parser.ConprofQueryParser.PrimaryContext;
import io.conprof.query.parser.ConprofQueryParser.QuotedNameMatcherContext;
import io.conprof.query.parser.ConprofQueryParser.RangeModifierContext;
import io.conprof.query.parser.ConprofQueryParser.UnnamedSelectorContext;
import io.conprof.query.parser.ConprofQueryParserBaseVisitor;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * Builds the AST from a parse tree and applies the rules the grammar does not express, each
 * failing with Prometheus' message at Prometheus' position: a metric name given twice, a selector
 * without a matcher that excludes the empty string, a bad regex, modifier order and repetition,
 * duration and timestamp values; and conprof's own: known function names, argument counts and
 * argument types (merge takes a timeline, diff two profiles).
 */
final class AstBuilder extends ConprofQueryParserBaseVisitor<Expr> {
  private final String query;

  AstBuilder(String query) {
    this.query = query;
  }

  Expr build(ConprofQueryParser.StandaloneQueryContext tree) {
    return visit(tree.query().expression());
  }

  @Override
  public Expr visitExpression(ExpressionContext ctx) {
    PrimaryContext primary = ctx.primary();
    Expr base = visit(primary);
    if (ctx.modifier().isEmpty()) {
      return base;
    }
    Modifiers m = modifiers(primary, ctx.modifier());
    Selector selector = (Selector) base;
    Selector modified = new Selector(selector.matchers(),
        m.offset() == null ? Duration.ZERO : m.offset(), Optional.ofNullable(m.at()),
        selector.position());
    return m.range() == null ? modified : new RangeSelector(modified, m.range(),
        modified.position());
  }

  /** The modifiers of one expression; null for those not given. */
  private record Modifiers(Duration range, Duration offset, At at) {}

  /**
   * Checks and reads modifiers in order, as Prometheus applies them: a range only directly on a
   * selector and before any offset or @, each of offset and @ at most once and only on selectors.
   */
  private Modifiers modifiers(PrimaryContext primary, List<ModifierContext> modifiers) {
    boolean selector = primary instanceof NamedSelectorContext
        || primary instanceof UnnamedSelectorContext;
    Duration range = null;
    Duration offset = null;
    At at = null;
    for (ModifierContext m : modifiers) {
      if (m instanceof RangeModifierContext r) {
        Duration d = duration(r.DURATION().getSymbol());
        if (d.isZero()) {
          throw error(r.DURATION().getSymbol(), "duration must be greater than 0");
        }
        if (!selector || range != null) {
          throw error(r.LEFT_BRACKET().getSymbol(), "ranges only allowed for vector selectors");
        }
        if (offset != null) {
          throw error(r.LEFT_BRACKET().getSymbol(), "no offset modifiers allowed before range");
        }
        // Prometheus lets "@ start()" and "@ end()" come before the range (its check looks only
        // at a numeric timestamp); so does conprof.
        if (at != null && at.kind() == At.Kind.TIMESTAMP) {
          throw error(r.LEFT_BRACKET().getSymbol(), "no @ modifiers allowed before range");
        }
        range = d;
      } else if (m instanceof OffsetModifierContext o) {
        Duration d = duration(o.DURATION().getSymbol());
        if (!selector) {
          throw error(primary.getStart(), "offset modifier must be preceded by an instant vector"
              + " selector or range vector selector");
        }
        if (offset != null) {
          throw error(primary.getStart(), "offset may not be set multiple times");
        }
        offset = o.SUB() != null ? d.negated() : d;
      } else {
        AtModifierContext a = (AtModifierContext) m;
        At value = at(a, primary.getStart());
        if (!selector) {
          throw error(primary.getStart(), "@ modifier must be preceded by an instant vector"
              + " selector or range vector selector");
        }
        if (at != null) {
          throw error(primary.getStart(), "@ <timestamp> may not be set multiple times");
        }
        at = value;
      }
    }
    return new Modifiers(range, offset, at);
  }

  /**
   * After a syntax error: the checks Prometheus makes while it parses (matchers and regexes,
   * durations, numbers, modifier order) on the constructs completed before the error, children
   * before parents as Prometheus' parser reduces them. Prometheus reports the first error it
   * records, so such an error wins over the later syntax error. The checks Prometheus makes only
   * on a complete parse (metric name twice, non-empty matcher, function types) are left out.
   *
   * @throws QueryParseException for the first failing check
   */
  void checkCompleted(ParseTree node) {
    if (!(node instanceof ParserRuleContext ctx)) {
      return;
    }
    for (int i = 0; i < ctx.getChildCount(); i++) {
      checkCompleted(ctx.getChild(i));
    }
    if (ctx.exception == null) {
      if (ctx instanceof NamedMatcherContext || ctx instanceof QuotedNameMatcherContext
          || ctx instanceof MetricNameMatcherContext) {
        LabelMatchersContext parent = (LabelMatchersContext) ctx.getParent();
        matchers(parent, (LabelMatcherContext) ctx);
      } else if (ctx instanceof ExpressionContext e) {
        modifiers(e.primary(), e.modifier());
      } else if (ctx instanceof FunctionCallContext f) {
        checkFunctionName(f.functionName);
      }
    } else if (ctx instanceof ExpressionContext e && e.primary() != null
        && e.primary().exception == null) {
      List<ModifierContext> done = new ArrayList<>();
      for (ModifierContext m : e.modifier()) {
        if (m.exception == null) {
          done.add(m);
        }
      }
      modifiers(e.primary(), done);
    }
  }

  @Override
  public Expr visitParenthesized(ParenthesizedContext ctx) {
    return visit(ctx.expression());
  }

  @Override
  public Expr visitNamedSelector(NamedSelectorContext ctx) {
    String name = ctx.metricName().getText();
    List<Matcher> inBraces = ctx.labelMatchers() == null ? List.of()
        : matchers(ctx.labelMatchers());
    for (Matcher m : inBraces) {
      if (m.name().equals(LabelNames.METRIC_NAME)) {
        throw error(ctx.getStart(), "metric name must not be set twice: " + GoStrings.quote(name)
            + " or " + GoStrings.quote(m.value()));
      }
    }
    List<Matcher> all = new ArrayList<>(inBraces.size() + 1);
    all.add(Matcher.equal(LabelNames.METRIC_NAME, name));
    all.addAll(inBraces);
    return Selector.of(all, position(ctx.getStart()));
  }

  @Override
  public Expr visitUnnamedSelector(UnnamedSelectorContext ctx) {
    List<Matcher> matchers = matchers(ctx.labelMatchers());
    if (matchers.stream().allMatch(Matcher::matchesEmpty)) {
      throw error(ctx.getStart(), "vector selector must contain at least one non-empty matcher");
    }
    return Selector.of(matchers, position(ctx.getStart()));
  }

  private List<Matcher> matchers(LabelMatchersContext ctx) {
    return matchers(ctx, null);
  }

  /** The matchers of {@code ctx}, or only {@code only} if it is not null. */
  private List<Matcher> matchers(LabelMatchersContext ctx, LabelMatcherContext only) {
    // labelMatcher() scans all children: call it once, not per matcher.
    List<LabelMatcherContext> contexts = only != null ? List.of(only) : ctx.labelMatcher();
    List<Matcher> out = new ArrayList<>(contexts.size());
    for (LabelMatcherContext m : contexts) {
      if (m instanceof NamedMatcherContext n) {
        out.add(matcher(n.IDENTIFIER().getSymbol(), n.IDENTIFIER().getText(),
            n.matchOp().getStart(), string(n.STRING().getSymbol())));
      } else if (m instanceof QuotedNameMatcherContext q) {
        out.add(matcher(q.STRING(0).getSymbol(), string(q.STRING(0).getSymbol()),
            q.matchOp().getStart(), string(q.STRING(1).getSymbol())));
      } else {
        Token t = ((MetricNameMatcherContext) m).STRING().getSymbol();
        out.add(matcher(t, LabelNames.METRIC_NAME, null, string(t)));
      }
    }
    return out;
  }

  private Matcher matcher(Token nameToken, String name, Token op, String value) {
    Matcher.Type type = Matcher.Type.EQUAL;
    if (op != null) {
      type = switch (op.getType()) {
        case ConprofQueryParser.EQL -> Matcher.Type.EQUAL;
        case ConprofQueryParser.NEQ -> Matcher.Type.NOT_EQUAL;
        case ConprofQueryParser.EQL_REGEX -> Matcher.Type.REGEX;
        default -> Matcher.Type.NOT_REGEX;
      };
    }
    try {
      return Matcher.of(type, name, value);
    } catch (IllegalArgumentException e) {
      throw error(nameToken, e.getMessage());
    }
  }

  @Override
  public Expr visitFunctionCall(FunctionCallContext ctx) {
    Token nameToken = ctx.functionName;
    String name = nameToken.getText();
    List<ExpressionContext> argCtxs = ctx.expression();
    GroupingContext grouping = ctx.leading != null ? ctx.leading : ctx.trailing;
    switch (name) {
      case "merge" -> {
        if (ctx.leading != null && ctx.trailing != null) {
          throw error(ctx.trailing.getStart(),
              "merge takes one by clause, before or after its argument, not both");
        }
        checkArgCount(ctx, name, argCtxs.size(), 1);
        Expr arg = visit(argCtxs.get(0));
        checkType(argCtxs.get(0), name, arg, ResultType.TIMELINE);
        Optional<List<String>> by = grouping == null ? Optional.empty()
            : Optional.of(groupingLabels(grouping));
        return new MergeCall(arg, by, position(nameToken));
      }
      case "diff" -> {
        if (grouping != null) {
          throw error(grouping.getStart(), "unexpected <by> in call to diff: only merge takes a"
              + " by clause");
        }
        checkArgCount(ctx, name, argCtxs.size(), 2);
        Expr base = visit(argCtxs.get(0));
        checkType(argCtxs.get(0), name, base, ResultType.PROFILE);
        Expr target = visit(argCtxs.get(1));
        checkType(argCtxs.get(1), name, target, ResultType.PROFILE);
        return new DiffCall(base, target, position(nameToken));
      }
      default -> {
        checkFunctionName(nameToken);
        throw new IllegalStateException("unreachable: " + name);
      }
    }
  }

  private void checkFunctionName(Token nameToken) {
    String name = nameToken.getText();
    if (!name.equals("merge") && !name.equals("diff")) {
      throw error(nameToken, "unknown function with name " + GoStrings.quote(name)
          + " (conprof has merge and diff)");
    }
  }

  private void checkArgCount(FunctionCallContext ctx, String name, int got, int want) {
    if (got != want) {
      throw error(ctx.functionName, "expected " + want + " argument(s) in call to "
          + GoStrings.quote(name) + ", got " + got);
    }
  }

  private void checkType(ExpressionContext argCtx, String name, Expr arg, ResultType want) {
    if (arg.type() != want) {
      throw error(argCtx.getStart(), "expected type " + want.jsonName() + " in call to function "
          + GoStrings.quote(name) + ", got " + arg.type().jsonName());
    }
  }

  private List<String> groupingLabels(GroupingContext ctx) {
    List<String> labels = new ArrayList<>(ctx.groupingLabel().size());
    for (GroupingLabelContext l : ctx.groupingLabel()) {
      String label = l.STRING() != null ? string(l.STRING().getSymbol()) : l.getText();
      try {
        LabelNames.validate(label);
      } catch (IllegalArgumentException e) {
        throw error(l.getStart(), e.getMessage());
      }
      labels.add(label);
    }
    return labels;
  }

  private At at(AtModifierContext a, Token exprStart) {
    ParserRuleContext time = a.atTime();
    if (time instanceof ConprofQueryParser.AtStartContext) {
      return At.start();
    }
    if (time instanceof ConprofQueryParser.AtEndContext) {
      return At.end();
    }
    AtTimestampContext ts = (AtTimestampContext) time;
    double seconds = number(ts.NUMBER().getSymbol());
    if (ts.SUB() != null) {
      seconds = -seconds;
    }
    double millis = seconds * 1000;
    if (Double.isNaN(seconds) || Double.isInfinite(seconds) || millis >= 0x1p63
        || millis <= -0x1p63) {
      throw error(exprStart, "timestamp out of bounds for @ modifier: " + goFloat(seconds));
    }
    // Go's math.Round: half away from zero.
    long rounded = (long) (Math.signum(millis) * Math.floor(Math.abs(millis) + 0.5));
    return At.timestamp(rounded);
  }

  /** Prometheus' number parsing: Go's ParseInt with base prefixes, else ParseFloat. */
  private double number(Token t) {
    String s = t.getText();
    String lower = s.toLowerCase(java.util.Locale.ROOT);
    if (lower.equals("inf")) {
      return Double.POSITIVE_INFINITY;
    }
    if (lower.equals("nan")) {
      return Double.NaN;
    }
    try {
      if (lower.startsWith("0x")) {
        return Long.parseLong(s.substring(2), 16);
      }
      if (s.length() > 1 && s.charAt(0) == '0' && s.chars().allMatch(c -> c >= '0' && c <= '7')) {
        return Long.parseLong(s.substring(1), 8);
      }
    } catch (NumberFormatException e) {
      throw error(t, "error parsing number: strconv.ParseInt: parsing " + GoStrings.quote(s)
          + ": value out of range");
    }
    double d = Double.parseDouble(s);
    if (Double.isInfinite(d)) {
      throw error(t, "error parsing number: strconv.ParseFloat: parsing " + GoStrings.quote(s)
          + ": value out of range");
    }
    return d;
  }

  /** Go's %f: +Inf, -Inf, NaN, or six decimals of the exact value. */
  private static String goFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    return new BigDecimal(d).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
  }

  private Duration duration(Token t) {
    String s = t.getText();
    if (s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
      throw error(t, "missing unit character in duration");
    }
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw error(t, e.getMessage());
    }
  }

  private String string(Token t) {
    try {
      return StringLiterals.decode(t.getText());
    } catch (StringLiterals.LiteralException e) {
      throw error(t, e.getMessage());
    }
  }

  private Position position(Token t) {
    return QueryParser.position(query, t.getStartIndex());
  }

  private QueryParseException error(Token t, String message) {
    return new QueryParseException(position(t), message);
  }
}
