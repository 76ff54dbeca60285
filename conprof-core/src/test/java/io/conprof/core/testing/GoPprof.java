package io.conprof.core.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Go's own pprof tool as the judge of profiles we write (skips when Go is absent). */
public final class GoPprof {
  private GoPprof() {}

  public static final String MISSING = "go is not installed (apt-get install golang-go); .ci/run installs it";

  public static boolean available() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, "go").canExecute()) {
        return true;
      }
    }
    return false;
  }

  /** Result of running a command: exit code plus standard output and error. */
  public record Result(int exitCode, String stdout, String stderr) {}

  public static Result run(List<String> args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("go");
    cmd.add("tool");
    cmd.add("pprof");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("PPROF_TMPDIR", System.getProperty("java.io.tmpdir"));
    pb.environment().put("HOME", System.getProperty("java.io.tmpdir"));
    Path out = java.nio.file.Files.createTempFile("gopprof", ".out");
    Path err = java.nio.file.Files.createTempFile("gopprof", ".err");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("go tool pprof did not finish within 120 s: " + cmd);
      }
      return new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
          java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      java.nio.file.Files.deleteIfExists(out);
      java.nio.file.Files.deleteIfExists(err);
    }
  }

  /** Totals per sample type as {@code go tool pprof -raw} prints the samples; fails if unreadable. */
  public static long[] totals(Path file) throws IOException, InterruptedException {
    Result r = run(List.of("-raw", "-symbolize=none", file.toString()));
    if (r.exitCode() != 0 || !r.stdout().contains("\nSamples:")) {
      throw new AssertionError("go tool pprof could not read " + file + ": " + r.stderr());
    }
    String[] lines = r.stdout().split("\n");
    int i = 0;
    while (!lines[i].equals("Samples:")) {
      i++;
    }
    long[] totals = null;
    for (i = i + 2; i < lines.length && !lines[i].startsWith("Locations"); i++) {
      String l = lines[i].strip();
      if (l.isEmpty() || !(Character.isDigit(l.charAt(0)) || l.charAt(0) == '-')) {
        continue;
      }
      String[] vals = lines[i].split(":")[0].trim().split("\\s+");
      try {
        long[] v = new long[vals.length];
        for (int k = 0; k < vals.length; k++) {
          v[k] = Long.parseLong(vals[k]);
        }
        if (totals == null) {
          totals = new long[v.length];
        }
        for (int k = 0; k < v.length; k++) {
          totals[k] += v[k];
        }
      } catch (NumberFormatException e) {
        // a continuation line of labels
      }
    }
    return totals == null ? new long[0] : totals;
  }
}
