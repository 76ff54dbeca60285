package io.conprof.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.model.Matcher;
import io.conprof.query.ast.Expr;
import io.conprof.query.ast.RangeSelector;
import io.conprof.query.ast.Selector;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SelectorTableTest {
  static List<SelectorTable.Row> rows() {
    return SelectorTable.load().rows();
  }

  @Test
  void table_hasAtLeast120RowsWithBothOutcomes() {
    List<SelectorTable.Row> rows = rows();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(120);
    assertThat(rows.stream().filter(SelectorTable.Row::ok).count()).isGreaterThan(60);
    assertThat(rows.stream().filter(r -> !r.ok()).count()).isGreaterThan(60);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void selector_parsesToTheExpectedMatchersOrError(SelectorTable.Row row) {
    if (row.ok()) {
      Expr e = QueryParser.parse(row.input());
      Selector s = e instanceof RangeSelector r ? r.selector() : (Selector) e;
      assertThat(render(s.matchers())).isEqualTo(row.expected());
    } else {
      assertThatThrownBy(() -> QueryParser.parse(row.input()))
          .isInstanceOf(QueryParseException.class)
          .hasMessage(row.expected());
    }
  }

  static String render(List<Matcher> matchers) {
    return matchers.stream().map(Matcher::toString).collect(Collectors.joining(", "));
  }
}
