package io.conprof.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code conprof-cli}: a thin composition of the conprof modules. */
@Command(
    name = "conprof-cli",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Continuous profiling: scrape, store and query pprof profiles.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code; used by tests to run commands in-process. */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    return cl.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"conprof-cli " + (v == null ? "dev" : v)};
    }
  }
}
