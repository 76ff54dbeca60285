package io.conprof.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code conprof-cli} in a child JVM (the test's classpath and the module flags the libraries
 * need), for tests of the long-running commands: their stderr is kept, HTTP helpers talk to
 * them, {@link #close()} stops them with SIGTERM and then kills them.
 */
final class ChildCli implements AutoCloseable {
  final Process process;
  final List<String> stderr = new CopyOnWriteArrayList<>();
  private final Thread reader;

  record Http(int status, String body, String contentType) {}

  private ChildCli(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          stderr.add(line);
        }
      } catch (IOException e) {
        stderr.add(e.toString());
      }
    }, "child-cli-stderr");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildCli start(String... args) throws IOException {
    return new ChildCli(new ProcessBuilder(javaCommand(Main.class.getName(), args))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
  }

  /** The java of this JVM with its module options for Chronicle Map, the test classpath, {@code mainClass}. */
  static List<String> javaCommand(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle")) {
        cmd.add(arg);
      }
    }
    cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
    cmd.addAll(List.of(args));
    return cmd;
  }

  static int freePort() throws IOException {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return ss.getLocalPort();
    }
  }

  String log() {
    return String.join("\n", stderr);
  }

  static Http get(String url) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(30000);
      c.setInstanceFollowRedirects(false);
      int status = c.getResponseCode();
      var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Http(status, body, c.getContentType());
    } catch (IOException e) {
      return new Http(-1, e.toString(), null);
    }
  }

  /** Waits up to 90 s for {@code c}, failing with {@code what} and the child's log. */
  void await(String what, BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new AssertionError("timed out waiting for " + what + (process.isAlive() ? "" : " (the process exited)")
            + "; its log:\n" + log());
      }
      Thread.sleep(200);
    }
  }

  /** SIGTERM, then the exit code (or -1 if it had to be killed after 60 s). */
  int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    reader.join(10_000);
    return process.exitValue();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
