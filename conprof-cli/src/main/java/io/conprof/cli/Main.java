package io.conprof.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code conprof-cli}: a thin composition of the conprof modules.
 *
 * <p>Conventions shared by every command: data goes to stdout, messages to stderr; exit code 0 on
 * success, 2 for bad usage or unreadable input (the message names the input and the reason), other
 * codes as each command documents. A command signals a failure by throwing {@link CliException}.
 */
@Command(
    name = "conprof-cli",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Continuous profiling: scrape, store and query pprof profiles.",
    subcommands = {CommandLine.HelpCommand.class, ProfileCommand.class, ImportCommand.class,
        TsdbCommand.class, CheckCommand.class, ScrapeCommand.class, TargetsCommand.class,
        QueryCommand.class, AllCommand.class, ServeCommand.class})
public final class Main {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code; used by tests to run commands in-process. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, writing to the current System.out / System.err. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(System.out, true));
    cl.setErr(new PrintWriter(System.err, true));
    cl.setExecutionExceptionHandler(Main::handle);
    return cl;
  }

  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof CliException ce) {
      err.println("conprof-cli " + cl.getCommandName() + ": " + ce.getMessage());
      err.flush();
      return ce.exitCode();
    }
    err.println("conprof-cli " + cl.getCommandName() + ": internal error: " + e);
    e.printStackTrace(err);
    err.flush();
    return 1;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"conprof-cli " + (v == null ? "dev" : v)};
    }
  }
}
