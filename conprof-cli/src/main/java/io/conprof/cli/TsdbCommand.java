package io.conprof.cli;

import io.conprof.tsdb.StorageProblem;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import io.conprof.tsdb.TsdbStats;
import io.conprof.tsdb.block.BlockMeta;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code conprof-cli tsdb}: look after a database directory. */
@Command(
    name = "tsdb",
    mixinStandardHelpOptions = true,
    description = "Inspect, verify and compact a TSDB directory.",
    subcommands = {TsdbCommand.Inspect.class, TsdbCommand.Verify.class, TsdbCommand.Compact.class})
final class TsdbCommand {

  static Tsdb open(Path dir, java.time.Duration retention) {
    try {
      return Tsdb.open(dir, TsdbOptions.builder().backgroundCompaction(false)
          .retentionTime(retention).build());
    } catch (IOException e) {
      throw CliException.about(1, dir, e);
    } catch (IllegalStateException e) {
      throw new CliException(1, e.getMessage(), e);
    }
  }

  static void printStats(PrintWriter out, TsdbStats st) {
    out.printf("%-26s  %15s  %15s  %7s  %9s  %7s  %12s  %5s%n", "BLOCK", "MIN TIME (ms)",
        "MAX TIME (ms)", "SERIES", "SAMPLES", "CHUNKS", "BYTES", "LEVEL");
    for (BlockMeta m : st.blocks()) {
      out.printf("%-26s  %15d  %15d  %7d  %9d  %7d  %12d  %5d%n", m.ulid(), m.minTimeMillis(),
          m.maxTimeMillis(), m.numSeries(), m.numSamples(), m.numChunks(), m.numBytes(), m.level());
    }
    TsdbStats.HeadStats h = st.head();
    out.printf("head: %d series, %d samples, %s, %d payload bytes, WAL %d bytes in %d segments, "
            + "accepts samples from %s%n", h.numSeries(), h.numSamples(),
        h.numSamples() == 0 ? "no time range"
            : "time range [" + h.minTimeMillis() + ", " + h.maxTimeMillis() + "]",
        h.payloadBytes(), h.walBytes(), h.walSegments(),
        h.minValidTimeMillis() == Long.MIN_VALUE ? "any time" : h.minValidTimeMillis() + " ms");
    for (Path d : st.damagedBlocks()) {
      out.println("damaged block left out: " + d);
    }
    TsdbStats.Rejected r = st.rejected();
    if (r.total() > 0) {
      out.printf("rejected since open: %d out of order, %d duplicate, %d too old, %d too large, "
          + "%d beyond maxSeries%n", r.outOfOrder(), r.duplicate(), r.outOfBounds(), r.tooLarge(),
          r.tooManySeries());
    }
  }

  /**
   * {@code {"blocks":[{"ulid","minTimeMillis","maxTimeMillis","numSeries","numSamples","numChunks",
   * "numBytes","level"}...],"damagedBlocks":[path...],"head":{"numSeries","numSamples",
   * "minTimeMillis","maxTimeMillis","payloadBytes","walBytes","walSegments","minValidTimeMillis"},
   * "rejected":{"outOfOrder","duplicate","outOfBounds","tooLarge","tooManySeries"}}};
   * head times are null when the head is empty, minValidTimeMillis when unbounded.
   */
  static String json(TsdbStats st) {
    Json j = new Json().beginObject().name("blocks").beginArray();
    for (BlockMeta m : st.blocks()) {
      j.beginObject().field("ulid", m.ulid()).field("minTimeMillis", m.minTimeMillis())
          .field("maxTimeMillis", m.maxTimeMillis()).field("numSeries", m.numSeries())
          .field("numSamples", m.numSamples()).field("numChunks", m.numChunks())
          .field("numBytes", m.numBytes()).field("level", m.level()).endObject();
    }
    j.endArray().name("damagedBlocks").beginArray();
    for (Path d : st.damagedBlocks()) {
      j.value(d.toString());
    }
    TsdbStats.HeadStats h = st.head();
    j.endArray().name("head").beginObject().field("numSeries", h.numSeries())
        .field("numSamples", h.numSamples());
    if (h.numSamples() == 0) {
      j.name("minTimeMillis").nullValue().name("maxTimeMillis").nullValue();
    } else {
      j.field("minTimeMillis", h.minTimeMillis()).field("maxTimeMillis", h.maxTimeMillis());
    }
    j.field("payloadBytes", h.payloadBytes()).field("walBytes", h.walBytes())
        .field("walSegments", h.walSegments());
    if (h.minValidTimeMillis() == Long.MIN_VALUE) {
      j.name("minValidTimeMillis").nullValue();
    } else {
      j.field("minValidTimeMillis", h.minValidTimeMillis());
    }
    TsdbStats.Rejected r = st.rejected();
    j.endObject().name("rejected").beginObject().field("outOfOrder", r.outOfOrder())
        .field("duplicate", r.duplicate()).field("outOfBounds", r.outOfBounds())
        .field("tooLarge", r.tooLarge()).field("tooManySeries", r.tooManySeries()).endObject();
    return j.endObject().toString();
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Lists the blocks (ULID, time range, series, samples, chunks, bytes, level) "
          + "and the head.")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--storage.tsdb.path", required = true, paramLabel = "DIR",
        description = "Database directory.")
    Path dir;

    @Option(names = "--output", defaultValue = "text",
        description = "text or json (one object); default ${DEFAULT-VALUE}")
    String output;

    @Override
    public Integer call() {
      if (!output.equals("text") && !output.equals("json")) {
        throw new CliException(CliException.USAGE,
            "--output must be text or json, got \"" + output + "\"");
      }
      if (!java.nio.file.Files.isDirectory(dir)) {
        throw new CliException(CliException.USAGE, dir + ": no such directory");
      }
      try (Tsdb db = open(dir, java.time.Duration.ZERO)) {
        if (output.equals("json")) {
          spec.commandLine().getOut().println(json(db.stats()));
        } else {
          printStats(spec.commandLine().getOut(), db.stats());
        }
      } catch (IOException e) {
        throw CliException.about(1, dir, e);
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = {"Checks every CRC and reference of every block and every WAL record without "
          + "changing anything; prints each problem with its file and offset.",
          "Exit codes: 0 no problem, 1 problems found, 2 bad usage."})
  static final class Verify implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--storage.tsdb.path", required = true, paramLabel = "DIR",
        description = "Database directory.")
    Path dir;

    @Override
    public Integer call() {
      List<StorageProblem> problems;
      try {
        problems = Tsdb.verify(dir);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new CliException(CliException.USAGE, dir + ": no such directory", e);
      } catch (IOException e) {
        throw CliException.about(1, dir, e);
      }
      PrintWriter out = spec.commandLine().getOut();
      for (StorageProblem p : problems) {
        out.println(p.file() + ":" + p.offset() + ": " + p.message());
      }
      out.println(problems.isEmpty() ? "ok: no problems found" : problems.size() + " problems found");
      out.flush();
      return problems.isEmpty() ? 0 : 1;
    }
  }

  @Command(name = "compact", mixinStandardHelpOptions = true,
      description = "Compacts now: cuts full block ranges out of the head, merges blocks, applies "
          + "retention; then prints the result like inspect.")
  static final class Compact implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--storage.tsdb.path", required = true, paramLabel = "DIR",
        description = "Database directory.")
    Path dir;

    @Option(names = "--storage.tsdb.retention.time", paramLabel = "DURATION", defaultValue = "15d",
        description = "Delete blocks older than this before the newest block's end; 0 keeps all. "
            + "Default ${DEFAULT-VALUE}.")
    String retention;

    @Override
    public Integer call() {
      if (!java.nio.file.Files.isDirectory(dir)) {
        throw new CliException(CliException.USAGE, dir + ": no such directory");
      }
      java.time.Duration keep;
      try {
        keep = retention.equals("0") ? java.time.Duration.ZERO
            : io.conprof.core.model.Durations.parse(retention);
      } catch (IllegalArgumentException e) {
        throw new CliException(CliException.USAGE,
            "--storage.tsdb.retention.time: " + e.getMessage(), e);
      }
      try (Tsdb db = open(dir, keep)) {
        db.compact();
        printStats(spec.commandLine().getOut(), db.stats());
      } catch (IOException e) {
        throw CliException.about(1, dir, e);
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
