package io.conprof.cli;

import io.conprof.core.pprof.FlameGraph;
import io.conprof.core.pprof.FoldedStacks;
import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileMerger;
import io.conprof.core.pprof.ProfileFilter;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.pprof.TopTable;
import io.conprof.core.pprof.ValueType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code conprof-cli profile}: work with pprof files directly, without a store. */
@Command(
    name = "profile",
    description = "Inspect, merge, diff and render pprof files (gzipped or raw protobuf).",
    mixinStandardHelpOptions = true,
    subcommands = {
      ProfileCommand.Info.class,
      ProfileCommand.Merge.class,
      ProfileCommand.Diff.class,
      ProfileCommand.Top.class,
      ProfileCommand.Folded.class,
      ProfileCommand.FlameGraphSvg.class,
    })
final class ProfileCommand {

  static Path output(Path out, byte[] bytes) {
    try {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.write(out, bytes);
      return out;
    } catch (IOException e) {
      throw new CliException(CliException.USAGE, out + ": cannot write: " + e.getMessage(), e);
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "Per file: sample types with units and exact totals, sample count, period, time and duration.")
  static final class Info implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof files")
    List<Path> files;

    @Option(names = "--output", defaultValue = "text", description = "text or json (one object per line); default ${DEFAULT-VALUE}")
    String output;

    @Override
    public Integer call() {
      if (!output.equals("text") && !output.equals("json")) {
        throw new CliException(CliException.USAGE, "--output must be text or json, got \"" + output + "\"");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int failed = 0;
      for (Path f : files) {
        Profile p;
        try {
          p = ProfileFiles.read(f, ProfileReader.defaults());
        } catch (CliException e) {
          err.println("conprof-cli profile info: " + e.getMessage());
          err.flush();
          failed++;
          continue;
        }
        out.println(output.equals("json") ? json(f, p) : text(f, p));
        out.flush();
      }
      return failed == 0 ? 0 : CliException.USAGE;
    }

    static String json(Path f, Profile p) {
      Json j = new Json().beginObject().field("file", f.toString());
      j.name("sampleTypes").beginArray();
      List<ValueType> types = p.sampleTypes();
      long[] totals = p.totals();
      for (int i = 0; i < types.size(); i++) {
        j.beginObject().field("type", types.get(i).type()).field("unit", types.get(i).unit())
            .field("total", totals[i]).endObject();
      }
      j.endArray();
      j.field("samples", p.sampleCount());
      j.name("periodType");
      if (p.periodType().isPresent()) {
        j.beginObject().field("type", p.periodType().get().type()).field("unit", p.periodType().get().unit()).endObject();
      } else {
        j.nullValue();
      }
      j.field("period", p.period()).field("timeNanos", p.timeNanos()).field("durationNanos", p.durationNanos());
      j.field("defaultSampleType", p.defaultSampleType());
      return j.endObject().toString();
    }

    static String text(Path f, Profile p) {
      StringBuilder sb = new StringBuilder();
      sb.append(f).append('\n');
      List<ValueType> types = p.sampleTypes();
      long[] totals = p.totals();
      for (int i = 0; i < types.size(); i++) {
        sb.append("  ").append(String.format("%-24s", types.get(i))).append(" total ").append(totals[i]);
        if (types.get(i).type().equals(p.defaultSampleType())) {
          sb.append(" (default)");
        }
        sb.append('\n');
      }
      sb.append("  samples ").append(p.sampleCount()).append('\n');
      p.periodType().ifPresent(pt -> sb.append("  period ").append(p.period()).append(' ').append(pt).append('\n'));
      if (p.timeNanos() != 0) {
        sb.append("  time ").append(Instant.ofEpochSecond(0, p.timeNanos())).append('\n');
      }
      if (p.durationNanos() != 0) {
        sb.append("  duration ").append(Duration.ofNanos(p.durationNanos()).toString().substring(2).toLowerCase()).append('\n');
      }
      sb.setLength(sb.length() - 1);
      return sb.toString();
    }
  }

  @Command(name = "merge", mixinStandardHelpOptions = true,
      description = "Merge profiles of the same sample types into one gzipped pprof file (pprof's merge semantics).")
  static final class Merge implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof files")
    List<Path> files;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "where to write the merged profile")
    Path out;

    @Override
    public Integer call() {
      ProfileMerger merger = ProfileFiles.merger(files, ProfileReader.defaults());
      Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
      try {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
          merger.writeGzip(os);
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new CliException(CliException.USAGE, out + ": cannot write: " + e.getMessage(), e);
      } finally {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temporary file is in the user's output directory
        }
      }
      return 0;
    }
  }

  @Command(name = "diff", mixinStandardHelpOptions = true,
      description = "NEW minus BASE as a gzipped pprof file (pprof's -diff_base convention: base samples negated and labelled pprof::base).")
  static final class Diff implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASE")
    Path base;

    @Parameters(index = "1", paramLabel = "NEW")
    Path current;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT")
    Path out;

    @Override
    public Integer call() {
      Profile b = ProfileFiles.read(base, ProfileReader.defaults());
      Profile c = ProfileFiles.read(current, ProfileReader.defaults());
      try {
        output(out, Profile.diff(b, c).toGzip());
      } catch (InvalidProfileException e) {
        throw new CliException(CliException.USAGE, base + " and " + current + ": " + e.getMessage(), e);
      }
      return 0;
    }
  }

  /** Options shared by the commands that render one (merged) profile. */
  static final class ViewOptions {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "pprof files; several are merged first")
    List<Path> files;

    @Option(names = "--sample-type", paramLabel = "T",
        description = "sample type to show (e.g. cpu, alloc_space); default: the profile's default, else the last")
    String sampleType;

    @Option(names = "--focus", paramLabel = "REGEX", description = "keep only samples with a frame matching REGEX (as pprof -focus)")
    String focus;

    @Option(names = "--ignore", paramLabel = "REGEX", description = "drop samples with a frame matching REGEX (as pprof -ignore)")
    String ignore;

    Profile load() {
      Profile p = ProfileFiles.merge(files, ProfileReader.defaults());
      try {
        ProfileFilter f = ProfileFilter.all();
        if (focus != null) {
          f = f.focus(focus);
        }
        if (ignore != null) {
          f = f.ignore(ignore);
        }
        p = p.filter(f);
        p.sampleTypeIndex(sampleType); // validates --sample-type with a helpful message
        return p;
      } catch (IllegalArgumentException e) {
        throw new CliException(CliException.USAGE, e.getMessage(), e);
      }
    }
  }

  @Command(name = "top", mixinStandardHelpOptions = true,
      description = "Functions ranked by their own value, as go tool pprof -top prints them.")
  static final class Top implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ViewOptions view;

    @Option(names = "--nodecount", paramLabel = "N", defaultValue = "0",
        description = "show at most N functions (0: all above pprof's 0.5%% cut-off)")
    int nodeCount;

    @Override
    public Integer call() {
      Profile p = view.load();
      PrintWriter out = spec.commandLine().getOut();
      out.print(TopTable.of(p, view.sampleType).format(nodeCount));
      out.flush();
      return 0;
    }
  }

  @Command(name = "folded", mixinStandardHelpOptions = true,
      description = "Folded stacks: one 'root;...;leaf value' line per distinct stack.")
  static final class Folded implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ViewOptions view;

    @Override
    public Integer call() throws IOException {
      Profile p = view.load();
      PrintWriter out = spec.commandLine().getOut();
      FoldedStacks.write(p, view.sampleType, out);
      out.flush();
      return 0;
    }
  }

  @Command(name = "flamegraph", mixinStandardHelpOptions = true,
      description = "A standalone, interactive flame-graph SVG (hover, click to zoom, search).")
  static final class FlameGraphSvg implements Callable<Integer> {
    @Mixin ViewOptions view;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.svg")
    Path out;

    @Option(names = "--title", description = "title shown above the graph; default: the file name and sample type")
    String title;

    @Override
    public Integer call() {
      Profile p = view.load();
      FlameGraph g = FlameGraph.of(p, view.sampleType);
      String t = title != null ? title
          : (view.files.size() == 1 ? view.files.get(0).getFileName().toString() : view.files.size() + " profiles merged")
              + " — " + g.valueType().type();
      output(out, g.toSvg(t).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return 0;
    }
  }
}
