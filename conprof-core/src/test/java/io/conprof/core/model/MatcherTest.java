package io.conprof.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MatcherTest {

  @Test
  void regex_isFullyAnchored() {
    assertThat(Matcher.regex("job", "a").matches("ab")).isFalse();
    assertThat(Matcher.regex("job", "a").matches("a")).isTrue();
    assertThat(Matcher.regex("job", "a|b").matches("ab")).isFalse();
    assertThat(Matcher.regex("job", "a.").matches("xab")).isFalse();
    assertThat(Matcher.regex("job", "a.").matches("ab")).isTrue();
  }

  @Test
  void regex_dotMatchesNewline() {
    assertThat(Matcher.regex("job", "a.b").matches("a\nb")).isTrue();
    assertThat(Matcher.regex("job", ".*").matches("x\ny")).isTrue();
  }

  @Test
  void absentLabel_readsAsEmpty() {
    assertThat(Matcher.equal("a", "").matches(null)).isTrue();
    assertThat(Matcher.regex("a", ".+").matchesEmpty()).isFalse();
    assertThat(Matcher.regex("a", ".*").matchesEmpty()).isTrue();
    assertThat(Matcher.notEqual("a", "x").matchesEmpty()).isTrue();
    assertThat(Matcher.notRegex("a", "x|").matchesEmpty()).isFalse();
    assertThat(Labels.of("b", "1").matches(java.util.List.of(Matcher.equal("a", "")))).isTrue();
  }

  @Test
  void pathologicalRegex_returnsTheRightAnswer() {
    String input = "a".repeat(10_000) + "b";
    assertThat(Matcher.regex("x", "(a+)+$").matches(input)).isFalse();
    assertThat(Matcher.regex("x", "(a+)+b").matches(input)).isTrue();
  }

  @Test
  void badRegex_messageNamesRegexAndReason() {
    assertThatThrownBy(() -> Matcher.regex("job", "a("))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad regex \"a(\" in matcher job=~\"a(\": ")
        .hasMessageContaining("missing closing )");
  }

  @Test
  void toString_isSelectorSyntax() {
    assertThat(Matcher.regex("job", "a.*")).hasToString("job=~\"a.*\"");
    assertThat(Matcher.notEqual("foo.bar", "x\"")).hasToString("\"foo.bar\"!=\"x\\\"\"");
  }
}
