package io.conprof.core.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real child JVMs where JFR cannot run: the host keeps working and the profiles say why they are empty. */
class JfrUnavailableTest {
  @TempDir
  Path dir;

  @Test
  void jfrDisabledByFlag_endpointServesEmptyProfilesAndThreadStacks() throws Exception {
    String out = runProbe("-XX:-FlightRecorder");

    assertThat(out).contains("available=false")
        .contains("heap status=200 samples=0")
        .contains("JFR unavailable, so this profile is empty: IllegalStateException: FlightRecorder.isAvailable() is false")
        .containsPattern("goroutine status=200 samples=[1-9]")
        .contains("WARN io.conprof.core.jvm.JfrEngine - JFR is unavailable");
  }

  @Test
  void unusableTempDirectory_endpointServesEmptyProfilesAndThreadStacks() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");

    String out = runProbe("-Djava.io.tmpdir=" + notADirectory);

    assertThat(out).contains("available=false")
        .contains("heap status=200 samples=0")
        .contains("JFR unavailable, so this profile is empty")
        .containsPattern("goroutine status=200 samples=[1-9]");
  }

  private String runProbe(String jvmOption) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path output = dir.resolve("probe.out");
    Process p = new ProcessBuilder(List.of(java, jvmOption, "-cp", System.getProperty("java.class.path"),
        ProfilerProbe.class.getName()))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("probe JVM did not finish: " + Files.readString(output));
    }
    String out = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
