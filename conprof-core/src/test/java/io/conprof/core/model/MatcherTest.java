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
  @Test
  void fastPaths_agreeWithRe2() {
    String[] regexes = {"", "a", "abc", "a|b", "a|", "|", "foo|bar|baz", ".*", ".+", "a.*", "x?",
        "(?i)abc", "[a-c]+", "a|b.*"};
    String[] inputs = {"", "a", "b", "ab", "abc", "ABC", "foo", "bar", "baz", "x", "\n", "a\nb",
        "c", "bb"};
    for (String r : regexes) {
      com.google.re2j.Pattern p = com.google.re2j.Pattern.compile("^(?s:" + r + ")$");
      for (String in : inputs) {
        boolean expected = p.matcher(in).matches();
        assertThat(Matcher.regex("l", r).matches(in)).as("%s =~ %s", in, r).isEqualTo(expected);
        assertThat(Matcher.notRegex("l", r).matches(in)).as("%s !~ %s", in, r)
            .isEqualTo(!expected);
      }
    }
  }

  @Test
  void equalityOperators() {
    assertThat(Matcher.equal("a", "x").matches("x")).isTrue();
    assertThat(Matcher.equal("a", "x").matches("X")).isFalse();
    assertThat(Matcher.notEqual("a", "x").matches("x")).isFalse();
    assertThat(Matcher.notEqual("a", "x").matches("y")).isTrue();
    assertThat(Matcher.equal("a", "a.*").matches("abc")).isFalse();
  }

  @Test
  void equalsAndHashCode_onTypeNameValue() {
    assertThat(Matcher.regex("a", "x")).isEqualTo(Matcher.of(Matcher.Type.REGEX, "a", "x"))
        .hasSameHashCodeAs(Matcher.of(Matcher.Type.REGEX, "a", "x"));
    assertThat(Matcher.regex("a", "x")).isNotEqualTo(Matcher.equal("a", "x"));
    assertThat(Matcher.regex("a", "x")).isNotEqualTo(Matcher.regex("b", "x"));
    assertThat(Matcher.regex("a", "x")).isNotEqualTo(Matcher.regex("a", "y"));
  }

  @Test
  void accessorsAndSymbols() {
    Matcher m = Matcher.notRegex("job", "a+");
    assertThat(m.name()).isEqualTo("job");
    assertThat(m.type()).isEqualTo(Matcher.Type.NOT_REGEX);
    assertThat(m.value()).isEqualTo("a+");
    assertThat(Matcher.Type.EQUAL.symbol()).isEqualTo("=");
    assertThat(Matcher.Type.NOT_EQUAL.symbol()).isEqualTo("!=");
    assertThat(Matcher.Type.REGEX.symbol()).isEqualTo("=~");
    assertThat(Matcher.Type.NOT_REGEX.symbol()).isEqualTo("!~");
  }

  @Test
  void regexThatOnlyCompilesWhenWrapped_isRefused() {
    assertThatThrownBy(() -> Matcher.regex("a", "x)(?s:y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad regex \"x)(?s:y\"");
  }

  @Test
  void invalidNameOrValue_isRefused() {
    assertThatThrownBy(() -> Matcher.equal("", "x")).hasMessage("label name is empty");
    assertThatThrownBy(() -> Matcher.equal("a", null)).hasMessage("value of label \"a\" is null");
    assertThatThrownBy(() -> Matcher.of(null, "a", "x")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void unicodeRegex_matchesCodePoints() {
    assertThat(Matcher.regex("a", ".").matches("\ud83d\ude00")).isTrue();
    assertThat(Matcher.regex("a", "ü+").matches("üü")).isTrue();
  }
}
