package io.conprof.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatObject;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LabelsTest {

  @Test
  void of_sortsByName() {
    Labels ls = Labels.of("job", "api", "__name__", "heap", "instance", "h:1");
    assertThat(ls.names()).containsExactly("__name__", "instance", "job");
    assertThat(ls.asList()).containsExactly(
        new Label("__name__", "heap"), new Label("instance", "h:1"), new Label("job", "api"));
  }

  @Test
  void of_duplicateName_isRefusedNamingTheName() {
    assertThatThrownBy(() -> Labels.of("job", "a", "x", "1", "job", "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate label name \"job\"");
  }

  @Test
  void of_oddCount_isRefused() {
    assertThatThrownBy(() -> Labels.of("job")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name/value pairs");
  }

  @Test
  void emptyValues_areDropped() {
    Labels ls = Labels.of("a", "", "b", "x");
    assertThatObject(ls).isEqualTo(Labels.of("b", "x"));
    assertThat(ls.has("a")).isFalse();
    assertThatObject(Labels.of("a", "")).isSameAs(Labels.EMPTY);
    assertThatObject(Labels.of("b", "x").with("b", "")).isEqualTo(Labels.EMPTY);
  }

  @Test
  void emptyName_isRefused() {
    assertThatThrownBy(() -> Labels.of("", "x")).hasMessage("label name is empty");
  }

  @Test
  void unpairedSurrogates_areRefused() {
    assertThatThrownBy(() -> Labels.of("a", "x\ud800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("value of label \"a\" is not valid UTF-8: unpaired surrogate at index 1");
    assertThatThrownBy(() -> Labels.of("\udc00", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not valid UTF-8: unpaired surrogate at index 0");
  }

  @Test
  void nullValue_isRefused() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("a", null);
    assertThatThrownBy(() -> Labels.of(m)).hasMessage("value of label \"a\" is null");
  }

  @Test
  void accessors() {
    Labels ls = Labels.of(Map.of("b", "2", "a", "1", "c", "3"));
    assertThat(ls.get("b")).isEqualTo("2");
    assertThat(ls.get("z")).isNull();
    assertThat(ls.size()).isEqualTo(3);
    assertThat(ls.isEmpty()).isFalse();
    assertThat(Labels.EMPTY.isEmpty()).isTrue();
    assertThat(ls.toMap()).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"),
        Map.entry("c", "3"));
    assertThatObject(ls.without("a", "zz")).isEqualTo(Labels.of("b", "2", "c", "3"));
    assertThat(ls.with("a", "9").get("a")).isEqualTo("9");
    assertThatObject(ls.toBuilder().remove("c").set("d", "4").build())
        .isEqualTo(Labels.of("a", "1", "b", "2", "d", "4"));
    List<Label> seen = new ArrayList<>();
    ls.forEach(seen::add);
    assertThat(seen).hasSize(3);
  }

  @Test
  void get_findsEveryLabelInLargeSets() {
    Labels.Builder b = Labels.builder();
    for (int i = 0; i < 40; i++) {
      b.set("l" + i, "v" + i);
    }
    Labels ls = b.build();
    for (int i = 0; i < 40; i++) {
      assertThat(ls.get("l" + i)).isEqualTo("v" + i);
    }
    assertThat(ls.get("l40")).isNull();
    assertThat(ls.get("a")).isNull();
  }

  @Test
  void toString_isPrometheusCanonicalForm() {
    assertThatObject(Labels.EMPTY).hasToString("{}");
    assertThatObject(Labels.of("job", "api", "__name__", "heap"))
        .hasToString("{__name__=\"heap\", job=\"api\"}");
    // Go: fmt.Println(labels.FromStrings("a", "\"x\"\n")) prints {a="\"x\"\n"}
    assertThatObject(Labels.of("a", "\"x\"\n")).hasToString("{a=\"\\\"x\\\"\\n\"}");
    assertThatObject(Labels.of("foo.bar", "x")).hasToString("{\"foo.bar\"=\"x\"}");
  }

  @Test
  void parse_readsTheTextForm() {
    assertThatObject(Labels.parse("{}")).isEqualTo(Labels.EMPTY);
    assertThatObject(Labels.parse("heap{job=\"api\"}")).isEqualTo(Labels.of("__name__", "heap",
        "job", "api"));
    assertThatObject(Labels.parse("heap")).isEqualTo(Labels.of("__name__", "heap"));
    assertThatObject(Labels.parse(" { b = \"2\" , a=\"1\", } "))
        .isEqualTo(Labels.of("a", "1", "b", "2"));
    assertThatObject(Labels.parse("{\"foo.bar\"=\"x\\ty\"}"))
        .isEqualTo(Labels.of("foo.bar", "x\ty"));
    assertThatObject(Labels.parse("{a=\"\"}")).isEqualTo(Labels.EMPTY);
    assertThatObject(Labels.parse("{a=\"\\xe2\\x82\\xac\\u00e9\\U0001F600\\101\"}"))
        .isEqualTo(Labels.of("a", "€é😀A"));
  }

  @Test
  void parse_errorsNamePositionAndExpectation() {
    assertThatThrownBy(() -> Labels.parse("{a=b}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad labels {a=b}: at 3: expected a quoted string");
  }

  @Test
  void stableHash_hasFixedValues() {
    // Values from Go: hash/fnv.New64a() over name 0xff value 0xff ...
    assertThat(Labels.EMPTY.stableHash()).isEqualTo(-3750763034362895579L);
    assertThat(Labels.of("__name__", "heap").stableHash()).isEqualTo(2212395764595764174L);
    assertThat(Labels.of("job", "api", "instance", "localhost:6060", "__name__", "heap")
        .stableHash()).isEqualTo(2645012099795932221L);
    assertThat(Labels.of("a", "ü€😀").stableHash()).isEqualTo(1137577442244505676L);
    assertThat(Labels.of("foo.bar", "x\ny").stableHash()).isEqualTo(5578193399324856531L);
  }

  @Test
  void parse_roundTripsRandomLabelSets() {
    Random rnd = new Random(42);
    for (int i = 0; i < 2000; i++) {
      Labels ls = randomLabels(rnd);
      assertThatObject(Labels.parse(ls.toString())).as(ls.toString()).isEqualTo(ls);
    }
  }

  @Test
  void compareTo_followsPrometheusOrder() {
    List<Labels> expected = List.of(
        Labels.EMPTY,
        Labels.of("a", "1"),
        Labels.of("a", "1", "b", "1"),
        Labels.of("a", "1", "c", "0"),
        Labels.of("a", "2"),
        Labels.of("aa", "0"),
        Labels.of("b", "0"));
    List<Labels> shuffled = new ArrayList<>(expected);
    java.util.Collections.shuffle(shuffled, new Random(3));
    java.util.Collections.sort(shuffled);
    assertThat(shuffled).containsExactlyElementsOf(expected);
    assertThat(Labels.of("a", "1").compareTo(Labels.of("a", "1"))).isZero();
  }

  @Test
  void compareTo_usesCodePointOrderNotUtf16Order() {
    // U+FF61 sorts before U+1F600 in UTF-8 byte order; String.compareTo says the opposite.
    Labels bmp = Labels.of("a", "\uff61");
    Labels astral = Labels.of("a", "\ud83d\ude00");
    assertThat(bmp.compareTo(astral)).isNegative();
    assertThat(astral.compareTo(bmp)).isPositive();
  }

  @Test
  void equalsAndHashCode_byContent() {
    Labels a = Labels.of("x", "1", "y", "2");
    Labels b = Labels.builder().set("y", "2").set("x", "1").build();
    assertThatObject(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
    assertThatObject(a).isNotEqualTo(Labels.of("x", "1", "y", "3"));
    assertThat(a.stableHash()).isEqualTo(b.stableHash());
    assertThat(a.stableHash()).isNotEqualTo(Labels.of("x", "1", "y", "3").stableHash());
  }

  @Test
  void stableHash_separatesNameAndValueBoundaries() {
    assertThat(Labels.of("ab", "c").stableHash()).isNotEqualTo(Labels.of("a", "bc").stableHash());
    assertThat(Labels.of("a", "b", "c", "d").stableHash())
        .isNotEqualTo(Labels.of("a", "b\u00ffc").stableHash());
  }

  @Test
  void builder_setReplacesAndEmptyValueRemoves() {
    Labels.Builder b = Labels.builder().set("a", "1").set("a", "2").set("b", "x");
    assertThat(b.get("a")).isEqualTo("2");
    b.set("b", "");
    assertThatObject(b.build()).isEqualTo(Labels.of("a", "2"));
    assertThatThrownBy(() -> b.set("", "x")).hasMessage("label name is empty");
    assertThatThrownBy(() -> b.set("a", null)).hasMessage("value of label \"a\" is null");
  }

  @Test
  void matches_requiresAllMatchers() {
    Labels ls = Labels.of("__name__", "heap", "job", "api");
    assertThat(ls.matches(List.of())).isTrue();
    assertThat(ls.matches(List.of(Matcher.equal("__name__", "heap"), Matcher.regex("job", "a.*"))))
        .isTrue();
    assertThat(ls.matches(List.of(Matcher.equal("__name__", "heap"), Matcher.regex("job", "b.*"))))
        .isFalse();
    assertThat(ls.matches(List.of(Matcher.notEqual("instance", "")))).isFalse();
  }

  @Test
  void toString_escapesLikeGo() {
    assertThatObject(Labels.of("a", "\\ \t \u0001 \u007f \u00a0 \ud83d\ude00"))
        .hasToString("{a=\"\\\\ \\t \\x01 \\x7f \\u00a0 \ud83d\ude00\"}");
    assertThatObject(Labels.of("__name__", "heap", "ünï", "v"))
        .hasToString("{__name__=\"heap\", \"ünï\"=\"v\"}");
  }

  @Test
  void parse_refusesInputOverTheSizeLimit() {
    String big = "{a=\"" + "x".repeat(Labels.MAX_TEXT_CHARS) + "\"}";
    assertThatThrownBy(() -> Labels.parse(big)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bad labels: input is 65542 characters, over the limit of 65536");
  }

  @Test
  void parse_errorTable() {
    String[][] table = {
        {"", "bad labels : at 0: expected a metric name or '{'"},
        {"{", "bad labels {: at 1: expected a label name or '}'"},
        {"{a}", "bad labels {a}: at 2: expected '='"},
        {"{a=b}", "bad labels {a=b}: at 3: expected a quoted string"},
        {"{a=\"x}", "bad labels {a=\"x}: at 6: expected a closing quote"},
        {"{a=\"x\" b=\"y\"}", "bad labels {a=\"x\" b=\"y\"}: at 7: expected ',' or '}'"},
        {"{a!=\"x\"}", "bad labels {a!=\"x\"}: at 2: expected '=' (a label set has no negative"
            + " matchers)"},
        {"{a=~\"x\"}", "bad labels {a=~\"x\"}: at 2: expected '=' (a label set has no regex"
            + " matchers)"},
        {"{a=\"1\", a=\"2\"}", "bad labels {a=\"1\", a=\"2\"}: at 8: duplicate label name \"a\""},
        {"heap{__name__=\"x\"}",
            "bad labels heap{__name__=\"x\"}: at 5: duplicate label name \"__name__\""},
        {"{1a=\"x\"}", "bad labels {1a=\"x\"}: at 1: expected a label name"},
        {"{\"\"=\"x\"}", "bad labels {\"\"=\"x\"}: at 1: expected a valid label name: label name"
            + " is empty"},
        {"{a=\"\\q\"}", "bad labels {a=\"\\q\"}: at 4: expected a valid escape, not '\\q' (Go"
            + " escapes: \\a \\b \\f \\n \\r \\t \\v \\\\ \\\" \\xNN \\NNN \\uNNNN \\UNNNNNNNN)"},
        {"{a=\"\\xff\"}", "bad labels {a=\"\\xff\"}: at 8: expected byte escapes that form valid"
            + " UTF-8"},
        {"{a=\"\\ud800\"}", "bad labels {a=\"\\ud800\"}: at 4: expected a valid Unicode code point"
            + " in escape \\ud800"},
        {"{a=\"\\x4\"}", "bad labels {a=\"\\x4\"}: at 7: expected a hex digit in escape"},
        {"{a=\"\\777\"}", "bad labels {a=\"\\777\"}: at 4: expected an octal escape below \\400"},
        {"{a=\"x\ny\"}", "bad labels {a=\"x\ny\"}: at 5: expected a closing quote before the end of"
            + " the line"},
        {"{a='x'}", "bad labels {a='x'}: at 3: expected a quoted string"},
        {"{} x", "bad labels {} x: at 3: expected end of input"},
        {"heap{a=\"1\"}{", "bad labels heap{a=\"1\"}{: at 11: expected end of input"},
    };
    for (String[] row : table) {
      assertThatThrownBy(() -> Labels.parse(row[0])).as(row[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(row[1]);
    }
  }

  @Test
  void parse_acceptsMetricNamesWithColons() {
    assertThatObject(Labels.parse("go:gc:pause{job=\"x\"}"))
        .isEqualTo(Labels.of("__name__", "go:gc:pause", "job", "x"));
  }

  @Test
  void parse_mutatedInputFailsOnlyWithIllegalArgument() {
    Random rnd = new Random(99);
    String alphabet = "{}=,\"\\ xnu0a_.:!~\n\u00e9";
    for (int i = 0; i < 20000; i++) {
      StringBuilder sb = new StringBuilder(randomLabels(rnd).toString());
      for (int k = 0; k < 1 + rnd.nextInt(3) && sb.length() > 0; k++) {
        int at = rnd.nextInt(sb.length());
        char c = alphabet.charAt(rnd.nextInt(alphabet.length()));
        switch (rnd.nextInt(3)) {
          case 0 -> sb.deleteCharAt(at);
          case 1 -> sb.insert(at, c);
          default -> sb.setCharAt(at, c);
        }
      }
      String text = sb.toString();
      try {
        Labels parsed = Labels.parse(text);
        assertThatObject(Labels.parse(parsed.toString())).as(text).isEqualTo(parsed);
      } catch (IllegalArgumentException e) {
        assertThat(e.getMessage()).as(text).startsWith("bad labels");
      }
    }
  }

  static Labels randomLabels(Random rnd) {
    Labels.Builder b = Labels.builder();
    int n = rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      b.set(randomString(rnd, 1 + rnd.nextInt(6)), randomString(rnd, rnd.nextInt(8)));
    }
    return b.build();
  }

  static String randomString(Random rnd, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      int kind = rnd.nextInt(5);
      int cp = switch (kind) {
        case 0 -> 'a' + rnd.nextInt(26);
        case 1 -> rnd.nextInt(0x80);
        case 2 -> 0x80 + rnd.nextInt(0x800 - 0x80);
        case 3 -> {
          int c;
          do {
            c = 0x800 + rnd.nextInt(0x10000 - 0x800);
          } while (c >= 0xd800 && c <= 0xdfff);
          yield c;
        }
        default -> 0x10000 + rnd.nextInt(Character.MAX_CODE_POINT - 0x10000 + 1);
      };
      sb.appendCodePoint(cp);
    }
    return sb.toString();
  }
}
