package io.conprof.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Matcher;
import io.conprof.query.ast.At;
import io.conprof.query.ast.DiffCall;
import io.conprof.query.ast.Expr;
import io.conprof.query.ast.MergeCall;
import io.conprof.query.ast.Position;
import io.conprof.query.ast.RangeSelector;
import io.conprof.query.ast.ResultType;
import io.conprof.query.ast.Selector;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QueryParserTest {
  private static Selector selector(String q) {
    return (Selector) QueryParser.parse(q);
  }

  private static void assertError(String query, String message) {
    assertThatThrownBy(() -> QueryParser.parse(query))
        .isInstanceOf(QueryParseException.class)
        .hasMessage(message);
  }

  @Test
  void selector_isAProfileWithNameMatcherFirstAndPosition() {
    Selector s = selector("  heap{job=\"api\", instance=~\"10\\\\..*\"}");
    assertThat(s.type()).isEqualTo(ResultType.PROFILE);
    assertThat(s.matchers()).containsExactly(Matcher.equal("__name__", "heap"),
        Matcher.equal("job", "api"), Matcher.regex("instance", "10\\..*"));
    assertThat(s.position()).isEqualTo(new Position(2, 1, 3));
    assertThat(s.offset()).isZero();
    assertThat(s.at()).isEmpty();
  }

  @Test
  void regexMatcher_isAnchoredLikePrometheus() {
    Matcher m = selector("{job=~\"ap.\"}").matchers().get(0);
    assertThat(m.matches("api")).isTrue();
    assertThat(m.matches("xapi")).isFalse();
    assertThat(m.matches("apix")).isFalse();
  }

  @Test
  void rangeSelector_isATimelineWithItsSelectorsModifiers() {
    RangeSelector r = (RangeSelector) QueryParser.parse("heap{job=\"api\"}[1h30m] offset -5m @ 1700000000.5");
    assertThat(r.type()).isEqualTo(ResultType.TIMELINE);
    assertThat(r.range()).isEqualTo(Duration.ofMinutes(90));
    assertThat(r.selector().offset()).isEqualTo(Duration.ofMinutes(-5));
    assertThat(r.selector().at()).contains(At.timestamp(1_700_000_000_500L));
    assertThat(r.position()).isEqualTo(new Position(0, 1, 1));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "heap[2d]           | 172800000",
      "heap[1y]           | 31536000000",
      "heap[1w2d]         | 777600000",
      "heap[500ms]        | 500",
      "heap[1m30s]        | 90000",
      "heap[ 5m ]         | 300000",
  })
  void rangeDurations_followPrometheusSyntax(String query, long millis) {
    assertThat(((RangeSelector) QueryParser.parse(query)).range()).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "heap @ 1700000000        | 1700000000000",
      "heap @ 1.5               | 1500",
      "heap @ -1.5              | -1500",
      "heap @ +2                | 2000",
      "heap @ 0x10              | 16000",
      "heap @ 010               | 8000",
      "heap @ 09                | 9000",
      "heap @ 1e3               | 1000000",
      "heap @ .0005             | 1",
      "heap @ -0.0005           | -1",
  })
  void atTimestamps_areSecondsRoundedToMillisecondsLikePrometheus(String query, long millis) {
    assertThat(selector(query).at()).contains(At.timestamp(millis));
  }

  @Test
  void atStartAndEnd_areKept() {
    assertThat(selector("heap @ start()").at()).contains(At.start());
    assertThat(selector("heap @ end() offset 1m").at()).contains(At.end());
    assertThat(selector("heap @ end() offset 1m").offset()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void atStartOrEnd_mayPrecedeTheRange_asInPrometheus() {
    RangeSelector r = (RangeSelector) QueryParser.parse("heap @ start() [5m]");
    assertThat(r.selector().at()).contains(At.start());
    assertThat(r.range()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void merge_ofARange_isOneProfile() {
    MergeCall m = (MergeCall) QueryParser.parse("merge(heap{job=\"api\"}[1h])");
    assertThat(m.type()).isEqualTo(ResultType.PROFILE);
    assertThat(m.by()).isEmpty();
    assertThat(m.argument()).isInstanceOf(RangeSelector.class);
    assertThat(m.position()).isEqualTo(new Position(0, 1, 1));
  }

  @Test
  void mergeBy_isProfilesPerGroup_beforeOrAfterTheArgument() {
    MergeCall before = (MergeCall) QueryParser.parse("merge by (instance, job,) (heap[1h])");
    MergeCall after = (MergeCall) QueryParser.parse("merge(heap[1h]) by (instance, job)");
    assertThat(before.type()).isEqualTo(ResultType.PROFILES);
    assertThat(before.by()).contains(List.of("instance", "job"));
    assertThat(after.by()).isEqualTo(before.by());
    assertThat(((MergeCall) QueryParser.parse("merge by () (heap[1h])")).by()).contains(List.of());
  }

  @Test
  void mergeBy_acceptsKeywordsAndQuotedNamesAsLabels() {
    MergeCall m = (MergeCall) QueryParser.parse("merge by (by, offset, on, \"service.name\") (heap[1h])");
    assertThat(m.by()).contains(List.of("by", "offset", "on", "service.name"));
  }

  @Test
  void diff_isBMinusA_ofTwoProfiles() {
    DiffCall d = (DiffCall) QueryParser.parse(
        "diff(merge(heap{v=\"1\"}[1h]), merge(heap{v=\"2\"}[1h] offset 1d))");
    assertThat(d.type()).isEqualTo(ResultType.PROFILE);
    assertThat(d.base().position()).isEqualTo(new Position(5, 1, 6));
    assertThat(d.target()).isInstanceOf(MergeCall.class);
    DiffCall instants = (DiffCall) QueryParser.parse("diff(heap @ 100, (heap @ 200))");
    assertThat(instants.base()).isInstanceOf(Selector.class);
    assertThat(instants.target()).isInstanceOf(Selector.class);
  }

  @Test
  void keywordMetricNames_canTakeModifiers() {
    Selector s = selector("offset offset 1h");
    assertThat(s.matchers()).containsExactly(Matcher.equal("__name__", "offset"));
    assertThat(s.offset()).isEqualTo(Duration.ofHours(1));
    assertThat(selector("by @ end()").at()).contains(At.end());
  }

  @Test
  void functionNames_areOrdinaryMetricNamesOtherwise() {
    assertThat(selector("merge{job=\"x\"}").matchers().get(0)).isEqualTo(Matcher.equal("__name__", "merge"));
    assertThat(selector("diff").matchers()).containsExactly(Matcher.equal("__name__", "diff"));
    assertThat(((RangeSelector) QueryParser.parse("merge[5m]")).selector().matchers())
        .containsExactly(Matcher.equal("__name__", "merge"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
      "merge(heap)                        | 1:7: expected type timeline in call to function \"merge\", got profile",
      "merge(merge(heap[1h]))             | 1:7: expected type timeline in call to function \"merge\", got profile",
      "diff(heap[5m], heap)               | 1:6: expected type profile in call to function \"diff\", got timeline",
      "diff(heap, merge by (a) (heap[1h]))| 1:12: expected type profile in call to function \"diff\", got profiles",
      "merge(heap[1h], heap[1h])          | 1:1: expected 1 argument(s) in call to \"merge\", got 2",
      "merge()                            | 1:1: expected 1 argument(s) in call to \"merge\", got 0",
      "diff(heap)                         | 1:1: expected 2 argument(s) in call to \"diff\", got 1",
      "rate(heap[5m])                     | 1:1: unknown function with name \"rate\" (conprof has merge and diff)",
      "Merge(heap[5m])                    | 1:1: unknown function with name \"Merge\" (conprof has merge and diff)",
      "diff by (a) (x, y)                 | 1:6: unexpected <by>",
      "diff(x, y) by (a)                  | 1:12: unexpected <by> in call to diff: only merge takes a by clause",
      "heap by (a) (x)                    | 1:6: unexpected <by>",
      "heap{a=\"b\"}[0s] offset 1h          | 1:13: duration must be greater than 0",
      "diff(heap[5m:1m], x)               | 1:13: subqueries are not supported",
      "heap[                              | 1:6: missing unit character in duration",
      "heap[5m                            | 1:8: unclosed left bracket",
      "foo( offset 1h                     | 1:13: unexpected duration \"1h\"",
      "merge by (a) (heap[1h]) by (b)     | 1:25: merge takes one by clause, before or after its argument, not both",
      "merge by a (heap[1h])              | 1:10: unexpected identifier \"a\" in grouping opts, expected \"(\"",
      "merge by (a b) (heap[1h])          | 1:13: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\"",
      "merge by (a:b) (heap[1h])          | 1:11: unexpected metric identifier \"a:b\" in grouping opts, expected label",
      "merge by (\"\") (heap[1h])           | 1:11: label name is empty",
      "merge(heap[1h] heap)               | 1:16: unexpected identifier \"heap\" in call to merge, expected \",\" or \")\"",
      "diff(,heap)                        | 1:6: unexpected \",\" in call to diff, expected expression",
      "merge(heap[1h]                     | 1:15: unclosed left parenthesis",
      "merge(heap[1h])[5m]                | 1:16: ranges only allowed for vector selectors",
      "merge(heap[1h]) offset 1h          | 1:1: offset modifier must be preceded by an instant vector selector or range vector selector",
      "merge(heap[1h]) @ 100              | 1:1: @ modifier must be preceded by an instant vector selector or range vector selector",
      "heap[5m] offset 1h offset 1h       | 1:1: offset may not be set multiple times",
      "heap @ start(                      | 1:14: unclosed left parenthesis",
      "heap @ start)                      | 1:14: unexpected right parenthesis ')'",
      "heap @ start]                      | 1:13: unexpected right bracket ']'",
      "heap @ start,                      | 1:13: unexpected \",\" in @, expected \"(\"",
      "heap @ start(1)                    | 1:14: unexpected number \"1\" in @, expected \")\"",
      "heap @ foo                         | 1:8: unexpected identifier \"foo\" in @, expected timestamp",
      "heap offset -                      | 1:14: unexpected end of input in offset, expected duration",
      "heap offset 1h1h                   | 1:13: not a valid duration string: \"1h1h\"",
      "heap[5m 1m]                        | 1:9: unexpected duration \"1m\" in range, expected \"]\"",
      "heap + heap                        | 1:6: unexpected <op:+>",
      "heap * 2                           | 1:6: unexpected <op:*>",
      "heap @ 1e2 [5m]                    | 1:12: no @ modifiers allowed before range",
  })
  void badQueries_failWithPositionedMessages(String query, String message) {
    assertError(query, message);
  }

  @Test
  void errorPositions_countLinesAndUtf8BytesLikePrometheus() {
    assertError("heap{job=\"api\",\n  x=~\"(\"}", "2:3: bad regex \"(\" in matcher x=~\"(\": missing closing )");
    assertError("{a=\"☃\", b}", "1:12: unexpected \"}\" in label matching, expected label matching operator");
    assertError("{a=\"😀\" !}", "1:11: unexpected character after '!' inside braces: '}'");
    assertError("merge(\n\n  heap)", "3:3: expected type timeline in call to function \"merge\", got profile");
  }

  @Test
  void longValuesInMessages_areCutAtTenCharactersLikePrometheus() {
    assertError("{a=\"b\" \"0123456789abc\"}",
        "1:8: unexpected string \"\\\"012345678\"... in label matching, expected \",\" or \"}\"");
  }

  @Test
  void pathologicalRegex_parsesAndMatchesInLinearTime() {
    Selector s = selector("{a=~\"(a+)+$\"}");
    assertThat(s.matchers().get(0).matches("a".repeat(10_000) + "b")).isFalse();
    assertThat(s.matchers().get(0).matches("a".repeat(10_000))).isTrue();
  }

  @Test
  void deepNesting_isRefusedAtTheLimitNotWithAStackOverflow() {
    String ok = "diff(heap, ".repeat(QueryParser.MAX_NESTING_DEPTH - 1) + "heap"
        + ")".repeat(QueryParser.MAX_NESTING_DEPTH - 1);
    assertThat(QueryParser.parse(ok)).isInstanceOf(DiffCall.class);
    String tooDeep = "(".repeat(30_000) + "heap" + ")".repeat(30_000);
    assertError(tooDeep, "1:" + (QueryParser.MAX_NESTING_DEPTH + 1)
        + ": expression nested too deeply: more than " + QueryParser.MAX_NESTING_DEPTH
        + " open parentheses");
  }

  @Test
  void oversizedInput_isRefusedBeforeLexing() {
    String big = "heap{a=\"" + "x".repeat(1 << 20) + "\"}";
    assertError(big, "1:1: query too long: " + (big.length()) + " bytes, the limit is 65536");
    String atLimit = "heap{a=\"" + "x".repeat(QueryParser.MAX_QUERY_BYTES - 10) + "\"}";
    assertThat(atLimit.length()).isEqualTo(QueryParser.MAX_QUERY_BYTES);
    assertThat(selector(atLimit).matchers()).hasSize(2);
  }

  @Test
  void manyMatchers_parseWithoutRecursion() {
    StringBuilder sb = new StringBuilder("heap{");
    for (int i = 0; i < 3000; i++) {
      sb.append("l").append(i).append("=\"v\",");
    }
    sb.append('}');
    assertThat(selector(sb.toString()).matchers()).hasSize(3001);
  }

  @Test
  void parseException_exposesLineColumnAndReason() {
    QueryParseException e = org.junit.jupiter.api.Assertions.assertThrows(QueryParseException.class,
        () -> QueryParser.parse("heap{\n job=}"));
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(6);
    assertThat(e.reason()).isEqualTo("unexpected \"}\" in label matching, expected string");
    assertThat(e.position().offset()).isEqualTo(11);
  }

  @Test
  void ast_isImmutableAndValidated() {
    Selector s = selector("heap{a=\"b\"}");
    assertThatThrownBy(() -> s.matchers().add(Matcher.equal("x", "y")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> new MergeCall(s, Optional.empty(), s.position()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeline");
    assertThatThrownBy(() -> new RangeSelector(s, Duration.ZERO, s.position()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Selector.of(List.of(), s.position()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomInput_onlyEverFailsWithQueryParseException() {
    String alphabet = "ab_:{}[]()=~!,\"'`\\ \n#@-+.015mhxuU\u00e9\u2603\ud83d\ude00\ud800\u0000";
    String[] words = {"merge", "diff", "by", "offset", "start()", "end()", "5m", "1e400", "__name__"};
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(30);
      for (int k = 0; k < n; k++) {
        if (random.nextInt(6) == 0) {
          sb.append(words[random.nextInt(words.length)]);
        } else {
          sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String q = sb.toString();
      try {
        Expr e = QueryParser.parse(q);
        assertThat(e.position().offset()).isBetween(0, q.length());
      } catch (QueryParseException e) {
        assertThat(e.position().offset()).as(q).isBetween(0, q.length());
        assertThat(e.reason()).as(q).isNotBlank();
      }
    }
  }

  @Test
  void nullQuery_isRefused() {
    assertThatThrownBy(() -> QueryParser.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

}
