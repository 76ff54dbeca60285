package io.conprof.core.relabel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatObject;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One table per action; expected outputs follow Prometheus' documented relabelling behaviour. */
class RelabelerTest {
  private static final Labels DROPPED = null;

  private record Case(String name, Labels in, List<RelabelConfig> configs, Labels out) {}

  private static RelabelConfig.Builder cfg(RelabelAction action) {
    return RelabelConfig.builder().action(action);
  }

  private static void run(Case... cases) {
    for (Case c : cases) {
      Labels got = Relabeler.process(c.in, c.configs);
      assertThatObject(got).as(c.name).isEqualTo(c.out);
    }
  }

  @Test
  void replace_table() {
    Labels abc = Labels.of("a", "foo", "b", "bar", "c", "baz");
    run(
        new Case("braced group reference", abc,
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").regex("f(.*)").targetLabel("d")
                .replacement("ch${1}-ch${1}").build()),
            abc.with("d", "choo-choo")),
        new Case("two sources, then a source written by the previous step", abc,
            List.of(
                cfg(RelabelAction.REPLACE).sourceLabels("a", "b").regex("f(.*);(.*)r")
                    .targetLabel("a").replacement("b${1}${2}m").build(),
                cfg(RelabelAction.REPLACE).sourceLabels("c", "a").regex("(b).*b(.*)ba(.*)")
                    .targetLabel("d").replacement("$1$2$2$3").build()),
            Labels.of("a", "boobam", "b", "bar", "c", "baz", "d", "boooom")),
        new Case("no match: nothing changes", Labels.of("a", "boo"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").regex("f").targetLabel("b")
                .replacement("bar").build()),
            Labels.of("a", "boo")),
        new Case("regex is anchored", Labels.of("a", "xfoo"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").regex("foo").targetLabel("b")
                .replacement("hit").build()),
            Labels.of("a", "xfoo")),
        new Case("templated target label", Labels.of("a", "some-name-value"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)")
                .targetLabel("${1}").replacement("${2}").build()),
            Labels.of("a", "some-name-value", "name", "value")),
        new Case("empty replacement deletes the target", Labels.of("a", "x", "b", "y"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").targetLabel("b")
                .replacement("${9}").build()),
            Labels.of("a", "x")),
        new Case("target expanding to an invalid name changes nothing",
            Labels.of("a", "some-name-0"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").regex("some-([^-]+)-([^,]+)")
                .targetLabel("${3}").replacement("${1}").build()),
            Labels.of("a", "some-name-0")),
        new Case("fast path: empty source with default regex sets a constant", Labels.of("a", "x"),
            List.of(cfg(RelabelAction.REPLACE).targetLabel("env").replacement("prod").build()),
            Labels.of("a", "x", "env", "prod")),
        new Case("named groups and $$", Labels.of("addr", "host:80"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("addr")
                .regex("(?P<host>[^:]+):(?P<port>\\d+)").targetLabel("x")
                .replacement("$host-${port}$$").build()),
            Labels.of("addr", "host:80", "x", "host-80$")),
        new Case("$1x names group '1x', which does not exist", Labels.of("a", "v"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").regex("(v)").targetLabel("b")
                .replacement("$1x").build()),
            Labels.of("a", "v")),
        new Case("real-life: tags to labels", Labels.of("__meta_sd_tags",
                "path:/secret,job:some-job,label:foo=bar"),
            List.of(
                cfg(RelabelAction.REPLACE).sourceLabels("__meta_sd_tags")
                    .regex("(?:.+,|^)path:(/[^,]+).*").targetLabel("__profile_path__")
                    .replacement("${1}").build(),
                cfg(RelabelAction.REPLACE).sourceLabels("__meta_sd_tags")
                    .regex("(?:.+,|^)job:([^,]+).*").targetLabel("job").build(),
                cfg(RelabelAction.REPLACE).sourceLabels("__meta_sd_tags")
                    .regex("(?:.+,|^)label:([^=]+)=([^,]+).*").targetLabel("${1}")
                    .replacement("${2}").build()),
            Labels.of("__meta_sd_tags", "path:/secret,job:some-job,label:foo=bar",
                "__profile_path__", "/secret", "job", "some-job", "foo", "bar")),
        new Case("dot does not match newline in relabel regexes", Labels.of("a", "x\ny"),
            List.of(cfg(RelabelAction.REPLACE).sourceLabels("a").regex(".*").targetLabel("b")
                .replacement("hit").build()),
            Labels.of("a", "x\ny")));
  }

  @Test
  void keepAndDrop_table() {
    Labels foo = Labels.of("a", "foo");
    run(
        new Case("drop on match", foo,
            List.of(cfg(RelabelAction.DROP).sourceLabels("a").regex(".*o.*").build()), DROPPED),
        new Case("drop stops later steps", foo,
            List.of(cfg(RelabelAction.DROP).sourceLabels("a").regex(".*o.*").build(),
                cfg(RelabelAction.REPLACE).sourceLabels("a").targetLabel("d").build()), DROPPED),
        new Case("drop: no match keeps", foo,
            List.of(cfg(RelabelAction.DROP).sourceLabels("a").regex("no-match").build()), foo),
        new Case("drop: anchored, partial match keeps", foo,
            List.of(cfg(RelabelAction.DROP).sourceLabels("a").regex("f|o").build()), foo),
        new Case("keep: no match drops", foo,
            List.of(cfg(RelabelAction.KEEP).sourceLabels("a").regex("no-match").build()), DROPPED),
        new Case("keep: match keeps", foo,
            List.of(cfg(RelabelAction.KEEP).sourceLabels("a").regex("f.*").build()), foo),
        new Case("keep: absent label reads as empty", foo,
            List.of(cfg(RelabelAction.KEEP).sourceLabels("zz").regex("").build()), foo),
        new Case("drop profile types per target via __name__",
            Labels.of("__name__", "mutex", "instance", "a:1"),
            List.of(cfg(RelabelAction.DROP).sourceLabels("__name__", "instance")
                .regex("(mutex|block);a:1").build()), DROPPED),
        new Case("keep with a custom separator", Labels.of("a", "x", "b", "y"),
            List.of(cfg(RelabelAction.KEEP).sourceLabels("a", "b").separator("/").regex("x/y")
                .build()), Labels.of("a", "x", "b", "y")));
  }

  @Test
  void keepEqualAndDropEqual_table() {
    Labels ports = Labels.of("__tmp_port", "1234", "__port1", "1234", "__port2", "5678");
    run(
        new Case("keepequal: equal keeps", ports,
            List.of(cfg(RelabelAction.KEEPEQUAL).sourceLabels("__tmp_port")
                .targetLabel("__port1").build()), ports),
        new Case("keepequal: different drops", ports,
            List.of(cfg(RelabelAction.KEEPEQUAL).sourceLabels("__tmp_port")
                .targetLabel("__port2").build()), DROPPED),
        new Case("dropequal: equal drops", ports,
            List.of(cfg(RelabelAction.DROPEQUAL).sourceLabels("__tmp_port")
                .targetLabel("__port1").build()), DROPPED),
        new Case("dropequal: different keeps", ports,
            List.of(cfg(RelabelAction.DROPEQUAL).sourceLabels("__tmp_port")
                .targetLabel("__port2").build()), ports));
  }

  @Test
  void hashmod_matchesPrometheusShards() {
    Labels abc = Labels.of("a", "foo", "b", "bar", "c", "baz");
    run(
        new Case("md5 of 'baz' mod 1000 is 976 in Prometheus", abc,
            List.of(cfg(RelabelAction.HASHMOD).sourceLabels("c").targetLabel("d").modulus(1000)
                .build()), abc.with("d", "976")),
        new Case("md5 of 'foo\\nbar' mod 1000 is 734 in Prometheus", Labels.of("a", "foo\nbar"),
            List.of(cfg(RelabelAction.HASHMOD).sourceLabels("a").targetLabel("b").modulus(1000)
                .build()), Labels.of("a", "foo\nbar", "b", "734")),
        new Case("sharding: keep shard 0 of 2", Labels.of("__address__", "x:1"),
            List.of(cfg(RelabelAction.HASHMOD).sourceLabels("__address__").targetLabel("__tmp")
                    .modulus(2).build(),
                cfg(RelabelAction.KEEP).sourceLabels("__tmp").regex(Relabeler.hashmod("x:1", 2))
                    .build()),
            Labels.of("__address__", "x:1", "__tmp", Relabeler.hashmod("x:1", 2))));
    // The modulus is unsigned 64-bit arithmetic on the last 8 digest bytes.
    assertThat(Relabeler.hashmod("baz", Long.MAX_VALUE)).isNotEmpty();
  }

  @Test
  void labelmap_table() {
    run(
        new Case("copies matching names", Labels.of("a", "foo", "b1", "bar", "b2", "baz"),
            List.of(cfg(RelabelAction.LABELMAP).regex("(b.*)").replacement("bar_${1}").build()),
            Labels.of("a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz")),
        new Case("meta labels", Labels.of("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb",
                "__meta_other", "ccc"),
            List.of(cfg(RelabelAction.LABELMAP).regex("__meta_(my.*)").replacement("${1}")
                .build()),
            Labels.of("a", "foo", "__meta_my_bar", "aaa", "__meta_my_baz", "bbb",
                "__meta_other", "ccc", "my_bar", "aaa", "my_baz", "bbb")),
        new Case("later source wins when two names map to one", Labels.of("x_a", "1", "y_a", "2"),
            List.of(cfg(RelabelAction.LABELMAP).regex(".*_(a)").replacement("$1").build()),
            Labels.of("x_a", "1", "y_a", "2", "a", "2")));
  }

  @Test
  void labeldropAndLabelkeep_table() {
    Labels in = Labels.of("a", "foo", "b1", "bar", "b2", "baz");
    run(
        new Case("labelkeep", in,
            List.of(cfg(RelabelAction.LABELKEEP).regex("(b.*)").build()),
            Labels.of("b1", "bar", "b2", "baz")),
        new Case("labeldrop", in,
            List.of(cfg(RelabelAction.LABELDROP).regex("(b.*)").build()), Labels.of("a", "foo")),
        new Case("labeldrop then re-add the same name",
            Labels.of("__port_name", "foo", "__anno_port", "9091"),
            List.of(cfg(RelabelAction.LABELDROP).regex("^__port_name$").build(),
                cfg(RelabelAction.REPLACE).sourceLabels("__anno_port").regex("(.+)")
                    .targetLabel("__port_name").replacement("metrics").build(),
                cfg(RelabelAction.KEEP).sourceLabels("__port_name").regex("^metrics$").build()),
            Labels.of("__anno_port", "9091", "__port_name", "metrics")));
  }

  @Test
  void lowercaseAndUppercase_table() {
    run(
        new Case("ascii", Labels.of("foo", "bAr123Foo"),
            List.of(cfg(RelabelAction.UPPERCASE).sourceLabels("foo").targetLabel("up").build(),
                cfg(RelabelAction.LOWERCASE).sourceLabels("foo").targetLabel("low").build()),
            Labels.of("foo", "bAr123Foo", "up", "BAR123FOO", "low", "bar123foo")),
        new Case("per code point, no locale or context rules like Go",
            Labels.of("v", "\u0130\u03a3X\u03a3"),
            List.of(cfg(RelabelAction.LOWERCASE).sourceLabels("v").targetLabel("v").build()),
            Labels.of("v", "i\u03c3x\u03c3")),
        new Case("empty result deletes", Labels.of("a", "x"),
            List.of(cfg(RelabelAction.LOWERCASE).sourceLabels("zz").targetLabel("a").build()),
            Labels.EMPTY));
  }

  @Test
  void noConfigs_returnsInputUnchanged() {
    Labels in = Labels.of("a", "1");
    assertThatObject(new Relabeler(List.of()).process(in)).isSameAs(in);
  }

  @Test
  void validation_table() {
    Object[][] table = {
        {cfg(RelabelAction.HASHMOD).targetLabel("x"),
            "relabel configuration for hashmod requires non-zero modulus"},
        {cfg(RelabelAction.REPLACE), "relabel configuration for replace action requires"
            + " 'target_label' value"},
        {cfg(RelabelAction.LOWERCASE), "relabel configuration for lowercase action requires"
            + " 'target_label' value"},
        {cfg(RelabelAction.LOWERCASE).targetLabel("${3}"),
            "\"${3}\" is invalid 'target_label' for lowercase action"},
        {cfg(RelabelAction.REPLACE).targetLabel("0${3}"),
            "\"0${3}\" is invalid 'target_label' for replace action"},
        {cfg(RelabelAction.REPLACE).targetLabel("-${3}"),
            "\"-${3}\" is invalid 'target_label' for replace action"},
        {cfg(RelabelAction.UPPERCASE).targetLabel("x").replacement("y"),
            "'replacement' can not be set for uppercase action"},
        {cfg(RelabelAction.LABELMAP).replacement("-x"),
            "\"-x\" is invalid 'replacement' for labelmap action"},
        {cfg(RelabelAction.KEEPEQUAL).targetLabel("x").regex("a"),
            "keepequal action requires only 'source_labels' and `target_label`, and no other"
                + " fields"},
        {cfg(RelabelAction.LABELDROP).sourceLabels("a"),
            "labeldrop action requires only 'regex', and no other fields"},
        {cfg(RelabelAction.KEEP).regex("a("),
            "bad regex \"a(\": missing closing )"},
        {cfg(RelabelAction.KEEP).sourceLabels(""),
            "invalid source label: label name is empty"},
    };
    for (Object[] row : table) {
      RelabelConfig.Builder b = (RelabelConfig.Builder) row[0];
      assertThatThrownBy(b::build).as((String) row[1])
          .isInstanceOf(IllegalArgumentException.class).hasMessage((String) row[1]);
    }
    // Valid templated targets, as Prometheus accepts them.
    for (String t : List.of("label", "label${1}", "${1}label", "$1", "asd$2asd", "_${1}_",
        "foo${bar}foo")) {
      cfg(RelabelAction.REPLACE).targetLabel(t).build();
    }
  }

  @Test
  void actionNames_parseCaseInsensitively() {
    assertThat(RelabelAction.parse("LabelMap")).isEqualTo(RelabelAction.LABELMAP);
    assertThat(RelabelAction.parse("keepequal")).isEqualTo(RelabelAction.KEEPEQUAL);
    assertThatThrownBy(() -> RelabelAction.parse("rename"))
        .hasMessage("unknown relabel action \"rename\"");
  }
}
