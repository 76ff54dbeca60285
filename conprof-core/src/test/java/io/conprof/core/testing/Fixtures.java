package io.conprof.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The pprof fixtures under src/test/resources/pprof and the facts go tool pprof reports for them. */
public final class Fixtures {
  private Fixtures() {}

  /** One row of pprof/expected.tsv. */
  public record Expected(
      String file,
      List<String> sampleTypes,
      List<String> typeNames,
      long[] totals,
      int samplesInFile,
      String periodType,
      long period,
      long timeNanos,
      long durationNanos) {}

  private static Path extracted;

  /** The fixture as a file; fixtures inside a jar (the test-jar other modules use) are extracted. */
  public static synchronized Path pprof(String name) {
    URL url = Fixtures.class.getResource("/pprof/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no fixture pprof/" + name);
    }
    try {
      if (url.getProtocol().equals("file")) {
        return Path.of(url.toURI());
      }
      if (extracted == null) {
        extracted = java.nio.file.Files.createTempDirectory("conprof-fixtures");
        extracted.toFile().deleteOnExit();
      }
      Path out = extracted.resolve(name);
      if (!java.nio.file.Files.exists(out)) {
        try (InputStream in = url.openStream()) {
          java.nio.file.Files.copy(in, out);
        }
        out.toFile().deleteOnExit();
      }
      return out;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<Expected> expected() {
    try (InputStream in = Fixtures.class.getResourceAsStream("/pprof/expected.tsv")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<Expected> out = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        List<String> types = List.of(f[1].split(";"));
        String[] tot = f[2].split(";");
        long[] totals = new long[tot.length];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tot.length; i++) {
          names.add(tot[i].substring(0, tot[i].indexOf('=')));
          totals[i] = Long.parseLong(tot[i].substring(tot[i].indexOf('=') + 1));
        }
        out.add(new Expected(f[0], types, names, totals, Integer.parseInt(f[3]), f[4],
            Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7])));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Expected expected(String file) {
    return expected().stream().filter(e -> e.file().equals(file)).findFirst().orElseThrow();
  }

  /** The eight cumulative heap profiles of one process, about 3 s apart, in time order. */
  public static List<Path> queryMany() {
    List<Path> out = new ArrayList<>();
    for (Expected e : expected()) {
      if (e.file().startsWith("parca__query-many-")) {
        out.add(pprof(e.file()));
      }
    }
    out.sort(null);
    return out;
  }
}
