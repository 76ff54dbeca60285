package io.conprof.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The top-level command line: only the named command is built, help and errors list them all. */
class MainTest {
  private static final String[] COMMANDS = {"help", "profile", "import", "tsdb", "check", "scrape", "targets",
      "query", "all", "serve"};

  @Test
  void help_listsEveryCommand() {
    CliRun r = CliRun.run("--help");
    assertThat(r.exitCode()).isZero();
    for (String c : COMMANDS) {
      assertThat(r.stdout()).containsPattern("(?m)^  " + c + " ");
    }
    assertThat(r.stderr()).doesNotContain("WARN");
  }

  @Test
  void namedCommand_isTheOnlyOneBuilt() {
    assertThat(Main.commandLine("profile", "info").getSubcommands()).containsOnlyKeys("profile");
    assertThat(Main.commandLine("serve").getSubcommands()).containsOnlyKeys("serve");
    assertThat(Main.commandLine("--version").getSubcommands()).containsOnlyKeys(COMMANDS);
    assertThat(Main.commandLine("help", "query").getSubcommands()).containsOnlyKeys(COMMANDS);
  }

  @Test
  void unknownCommand_exits2WithASuggestion() {
    CliRun r = CliRun.run("qurey");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("Unmatched argument at index 0: 'qurey'", "Did you mean: conprof-cli query?");
  }

  @Test
  void everyCommandsHelpRendersWithoutWarnings() {
    for (String c : COMMANDS) {
      if (c.equals("help")) {
        continue;
      }
      CliRun r = CliRun.run(c, "--help");
      assertThat(r.exitCode()).as(c).isZero();
      assertThat(r.stderr()).as(c).doesNotContain("WARN");
    }
  }
}
