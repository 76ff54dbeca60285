package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.query.QueryParser;
import org.junit.jupiter.api.Test;

class CheckCommandTest {
  @Test
  void checkQuery_printsTheParsedSelectorAsOneJsonLine() {
    CliRun r = CliRun.run("check", "query", "heap{job=\"api\"}");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).isEqualTo("{\"ok\":true,\"type\":\"selector\",\"matchers\":["
        + "{\"name\":\"__name__\",\"op\":\"=\",\"value\":\"heap\"},"
        + "{\"name\":\"job\",\"op\":\"=\",\"value\":\"api\"}],\"result\":\"profile\"}\n");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void checkQuery_printsModifiersRangesAndFunctions() {
    assertThat(CliRun.run("check", "query", "{a=~\"x\\\\.y\"} offset -1h30m @ start()").stdout())
        .isEqualTo("{\"ok\":true,\"type\":\"selector\",\"matchers\":[{\"name\":\"a\",\"op\":\"=~\","
            + "\"value\":\"x\\\\.y\"}],\"offset\":\"-1h30m\",\"at\":\"start\",\"result\":\"profile\"}\n");
    assertThat(CliRun.run("check", "query", "merge by (instance) (heap[1d] @ 1700000000)").stdout())
        .isEqualTo("{\"ok\":true,\"type\":\"function\",\"function\":\"merge\",\"by\":[\"instance\"],"
            + "\"args\":[{\"type\":\"range\",\"range\":\"1d\",\"selector\":{\"type\":\"selector\","
            + "\"matchers\":[{\"name\":\"__name__\",\"op\":\"=\",\"value\":\"heap\"}],"
            + "\"atMillis\":1700000000000,\"result\":\"profile\"},\"result\":\"timeline\"}],"
            + "\"result\":\"profiles\"}\n");
    assertThat(CliRun.run("check", "query", "diff(merge(a[1h]), b)").stdout())
        .isEqualTo("{\"ok\":true,\"type\":\"function\",\"function\":\"diff\",\"args\":["
            + "{\"type\":\"function\",\"function\":\"merge\",\"args\":[{\"type\":\"range\",\"range\":\"1h\","
            + "\"selector\":{\"type\":\"selector\",\"matchers\":[{\"name\":\"__name__\",\"op\":\"=\","
            + "\"value\":\"a\"}],\"result\":\"profile\"},\"result\":\"timeline\"}],\"result\":\"profile\"},"
            + "{\"type\":\"selector\",\"matchers\":[{\"name\":\"__name__\",\"op\":\"=\",\"value\":\"b\"}],"
            + "\"result\":\"profile\"}],\"result\":\"profile\"}\n");
  }

  @Test
  void checkQuery_badQuery_printsThePositionedErrorAndExits2() {
    CliRun r = CliRun.run("check", "query", "heap{job=\"api\", x=}");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout()).isEqualTo(
        "{\"ok\":false,\"error\":\"1:19: unexpected \\\"}\\\" in label matching, expected string\"}\n");
  }

  @Test
  void checkQuery_escapesControlCharactersInJson() {
    CliRun r = CliRun.run("check", "query", "{a=\"tab\\there\\nnl \\u00e9 \\\\ \\\"\"}");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("\"value\":\"tab\\there\\nnl é \\\\ \\\"\"");
  }

  @Test
  void checkQueryStdin_answersEveryLineAndExits2IfAnyFailed() {
    CliRun r = CliRun.runWithInput("heap\n\n{x=\"\"}\nmerge(heap[5m])\n", "check", "query", "-");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout().split("\n", -1)).containsExactly(
        "{\"ok\":true,\"type\":\"selector\",\"matchers\":[{\"name\":\"__name__\",\"op\":\"=\",\"value\":\"heap\"}],\"result\":\"profile\"}",
        "{\"ok\":false,\"error\":\"1:1: no expression found in input\"}",
        "{\"ok\":false,\"error\":\"1:1: vector selector must contain at least one non-empty matcher\"}",
        "{\"ok\":true,\"type\":\"function\",\"function\":\"merge\",\"args\":[{\"type\":\"range\",\"range\":\"5m\","
            + "\"selector\":{\"type\":\"selector\",\"matchers\":[{\"name\":\"__name__\",\"op\":\"=\",\"value\":\"heap\"}],"
            + "\"result\":\"profile\"},\"result\":\"timeline\"}],\"result\":\"profile\"}",
        "");
  }

  @Test
  void checkQueryStdin_allGood_exits0_andLastLineNeedsNoNewline() {
    CliRun r = CliRun.runWithInput("a\nb{c=\"d\"}", "check", "query", "-");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout().lines()).hasSize(2).allMatch(l -> l.startsWith("{\"ok\":true,"));
  }

  @Test
  void checkQueryStdin_overlongLine_isRefusedWithoutReadingItIntoMemory() {
    String longLine = "heap{a=\"" + "x".repeat(QueryParser.MAX_QUERY_BYTES * 4) + "\"}";
    CliRun r = CliRun.runWithInput(longLine + "\nheap\n", "check", "query", "-");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout().lines()).containsExactly(
        "{\"ok\":false,\"error\":\"1:1: query too long: more than 65536 bytes, the limit is 65536\"}",
        "{\"ok\":true,\"type\":\"selector\",\"matchers\":[{\"name\":\"__name__\",\"op\":\"=\",\"value\":\"heap\"}],\"result\":\"profile\"}");
  }

  @Test
  void check_withoutSubcommand_isAUsageError() {
    CliRun r = CliRun.run("check", "query");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("Missing required parameter: 'EXPR'");
  }
}
