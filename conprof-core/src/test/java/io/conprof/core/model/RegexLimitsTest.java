package io.conprof.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RegexLimitsTest {

  @Test
  void nestedRepetitions_overTheRe2Limit_areRefusedBeforeCompiling() {
    String[][] table = {
        {"(a{1000}){1000}", "1000000"},
        {"((a{100}){100}){100}", "10000"},
        {"((a{1000}){1000}){1000}", "1000000"},
        {"(?:a{2,1001})", "1001"},
        {"(x{10}y{200}){6}", "1200"},
        {"a{99999999999}", "1000000000"},
    };
    for (String[] row : table) {
      assertThatThrownBy(() -> RegexLimits.check(row[0])).as(row[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("repetition count too large (nested repetitions multiply to " + row[1]
              + ", the limit is 1000)");
    }
  }

  @Test
  void ordinaryRegexes_pass() {
    for (String re : new String[] {"", "a", ".*", "(a{100}){10}", "a{1000}b{1000}",
        "[{}]{5}", "\\{1000\\}", "a{,5}", "x{", "(?P<n>a{10}){100}", "[a-z]+{3}",
        "\\p{Greek}{10}", "\\Q{1000}\\E{2}", "(?i)(ab|cd){1000}", "a{1000,}"}) {
      RegexLimits.check(re);
    }
  }

  @Test
  void deepNestingAndHugeRegexes_areRefused() {
    String deep = "(".repeat(1200) + "a" + ")".repeat(1200);
    assertThatThrownBy(() -> RegexLimits.check(deep))
        .hasMessage("groups nest more than 1000 deep");
    String huge = "a".repeat(RegexLimits.MAX_REGEX_CHARS + 1);
    assertThatThrownBy(() -> RegexLimits.check(huge))
        .hasMessage("regex is 65537 characters, over the limit of 65536");
  }

  @Test
  void matcherAndRelabelUseTheLimits() {
    assertThatThrownBy(() -> Matcher.regex("a", "(a{1000}){1000}"))
        .hasMessage("bad regex \"(a{1000}){1000}\" in matcher a=~\"(a{1000}){1000}\": repetition"
            + " count too large (nested repetitions multiply to 1000000, the limit is 1000)");
    assertThat(Matcher.regex("a", "(a{10}){100}").matches("a".repeat(1000))).isTrue();
  }
}
