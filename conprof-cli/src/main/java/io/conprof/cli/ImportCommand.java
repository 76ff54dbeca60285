package io.conprof.cli;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.tsdb.Appender;
import io.conprof.tsdb.SampleRejectedException;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code conprof-cli import}: stores pprof files in a TSDB, one durable commit per file.
 *
 * <p>Files are validated and timestamped first, then imported in timestamp order (ties in
 * command-line order) so that a series' samples arrive in order. Exit codes: 0 all imported, 1 some
 * file was skipped (invalid, or refused by the store), 2 bad usage.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Imports pprof files (gzipped or raw) into the TSDB at --storage.tsdb.path.",
      "Each file's timestamp is --timestamp, else the profile's time_nanos, else the file's "
          + "modification time. Prints 'committed <file> <timestamp_ms>' once each is durable.",
      "Exit codes: 0 all imported, 1 some file skipped (reported on stderr), 2 bad usage."
    })
final class ImportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--storage.tsdb.path", required = true, paramLabel = "DIR",
      description = "Database directory (created if absent).")
  Path dir;

  @Option(names = "--labels", required = true, paramLabel = "LABELS",
      description = "Series labels, e.g. '{__name__=\"heap\",job=\"api\"}'.")
  String labelsText;

  @Option(names = "--timestamp", paramLabel = "MS",
      description = "Timestamp in Unix milliseconds for every file.")
  Long timestampMillis;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof files")
  List<String> files;

  private record Item(String name, Path path, long timestampMillis, int order) {}

  @Override
  public Integer call() {
    Labels labels;
    try {
      labels = Labels.parse(labelsText);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--labels: " + e.getMessage(), e);
    }
    if (labels.isEmpty()) {
      throw new CliException(CliException.USAGE, "--labels: at least one label is needed");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ProfileReader reader = ProfileReader.defaults();
    int skipped = 0;
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String name = files.get(i);
      Path p = Path.of(name);
      try {
        Profile profile = reader.parse(reader.readFile(p), name);
        long ts;
        if (timestampMillis != null) {
          ts = timestampMillis;
        } else if (profile.timeNanos() > 0) {
          ts = profile.timeNanos() / 1_000_000;
        } else {
          ts = Files.getLastModifiedTime(p).toMillis();
        }
        items.add(new Item(name, p, ts, i));
      } catch (IOException e) {
        skipped++;
        report(err, name, e);
      }
    }
    items.sort(Comparator.comparingLong(Item::timestampMillis).thenComparingInt(Item::order));
    try (Tsdb db = Tsdb.open(dir, TsdbOptions.builder().backgroundCompaction(false).build())) {
      for (Item item : items) {
        Appender a = db.appender();
        try {
          a.append(labels, item.timestampMillis(), reader.readFile(item.path()));
          a.commit();
        } catch (SampleRejectedException | InvalidProfileException | NoSuchFileException e) {
          skipped++;
          report(err, item.name(), e);
          continue;
        }
        out.println("committed " + item.name() + " " + item.timestampMillis());
        out.flush();
      }
    } catch (IOException e) {
      throw CliException.about(1, dir, e);
    } catch (IllegalStateException e) {
      throw new CliException(1, e.getMessage(), e);
    }
    return skipped == 0 ? 0 : 1;
  }

  private static void report(PrintWriter err, String name, Exception e) {
    String msg = e.getMessage();
    if (e instanceof NoSuchFileException) {
      msg = name + ": no such file";
    } else if (msg == null || !msg.startsWith(name)) {
      msg = name + ": " + msg;
    }
    err.println("conprof-cli import: skipped " + msg);
    err.flush();
  }
}
