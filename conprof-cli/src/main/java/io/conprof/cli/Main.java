package io.conprof.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
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
    description = "Continuous profiling: scrape, store and query pprof profiles.")
public final class Main {
  /**
   * The commands, by name, in the order help lists them. Only the one a command line names is
   * built (picocli reflects over a command's annotations when it is added), so a short command
   * like {@code profile merge} does not pay for the model of every other; help, a missing or an
   * unknown command build them all.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("help", CommandLine.HelpCommand::new);
    COMMANDS.put("profile", ProfileCommand::new);
    COMMANDS.put("import", ImportCommand::new);
    COMMANDS.put("tsdb", TsdbCommand::new);
    COMMANDS.put("check", CheckCommand::new);
    COMMANDS.put("scrape", ScrapeCommand::new);
    COMMANDS.put("targets", TargetsCommand::new);
    COMMANDS.put("query", QueryCommand::new);
    COMMANDS.put("all", AllCommand::new);
    COMMANDS.put("serve", ServeCommand::new);
  }


  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code; used by tests to run commands in-process. */
  public static int run(String... args) {
    return commandLine(args).execute(args);
  }

  /** The command line for {@code args}, writing to the current System.out / System.err. */
  static CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(new Main());
    Supplier<Object> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
    if (named != null && !args[0].equals("help")) {
      cl.addSubcommand(args[0], named.get());
    } else {
      COMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
    }
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
