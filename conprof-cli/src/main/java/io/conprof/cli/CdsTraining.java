package io.conprof.cli;

import io.conprof.core.pprof.ProfileBuilder;
import io.conprof.core.pprof.ValueType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A short run of the short commands ({@code profile info|top|merge|folded}, {@code check query})
 * on a small generated profile, output discarded. The launcher runs it once, with the JVM
 * recording the classes it loads, to build the class-data archive that makes later short commands
 * start faster; it is not part of the CLI.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("conprof-cds");
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    try {
      System.setOut(nowhere);
      System.setErr(nowhere);
      ProfileBuilder b = ProfileBuilder.create(List.of(new ValueType("samples", "count"),
          new ValueType("cpu", "nanoseconds")), new ValueType("cpu", "nanoseconds"), 10_000_000);
      for (int i = 0; i < 64; i++) {
        List<ProfileBuilder.Frame> stack = new ArrayList<>();
        for (int d = 0; d < 1 + i % 8; d++) {
          stack.add(ProfileBuilder.Frame.of("training.Frame" + d + ".run" + (i % 5)));
        }
        b.addSample(stack, new long[] {1 + i, (1 + i) * 10_000_000L});
      }
      Path a = dir.resolve("a.pb.gz");
      Files.write(a, b.build().toGzip());
      String f = a.toString();
      Main.run("profile", "info", f, f);
      Main.run("profile", "info", "--output", "json", f);
      Main.run("profile", "top", f, f);
      Main.run("profile", "folded", f);
      Main.run("profile", "merge", f, f, "-o", dir.resolve("m.pb.gz").toString());
      Main.run("profile", "diff", f, f, "-o", dir.resolve("d.pb.gz").toString());
      Main.run("check", "query", "merge(heap{job=\"api\",instance=~\"10.*\"}[1h])");
    } finally {
      System.setOut(out);
      System.setErr(err);
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(dir);
    }
  }
}
