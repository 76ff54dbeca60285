package io.conprof.cli;

import io.conprof.query.web.WebServer;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conprof-cli serve}: the query API and web UI over an existing store, read-only ({@link
 * Tsdb#openReadOnly}): no lock, nothing written, so it can serve a store that a {@code scrape}
 * process is writing, picking up its new data every few seconds.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves the query API and the web UI over the TSDB at --storage.tsdb.path, read-only: it takes no",
      "lock and writes nothing, so it can serve a store that conprof-cli scrape is writing (new data",
      "appears within --storage.refresh-interval). Also /metrics, /-/healthy, /-/ready, /debug/pprof.",
      "Runs until SIGTERM or SIGINT (exit 0).",
      "Exit codes: 0 stopped by a signal, 1 the store or HTTP address failed, 2 bad usage."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--storage.tsdb.path", required = true, paramLabel = "DIR",
      description = "Database directory to serve.")
  Path dir;

  @Option(names = "--http-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:10902",
      description = "Address of the HTTP endpoints (default: ${DEFAULT-VALUE}).")
  String httpAddress;

  @Option(names = "--storage.refresh-interval", paramLabel = "DURATION", defaultValue = "5s",
      description = "How often to pick up what a writer added; 0s: never (default: ${DEFAULT-VALUE}).")
  String refresh;

  @Mixin WebOptions webOptions;

  private final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    InetSocketAddress address = ScrapeCommand.parseAddress(httpAddress);
    WebServer.Builder builder = webOptions.apply(WebServer.builder().address(address));
    java.time.Duration refreshInterval;
    try {
      refreshInterval = io.conprof.core.model.Durations.parse(refresh);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--storage.refresh-interval: " + e.getMessage(), e);
    }
    Tsdb db;
    try {
      db = Tsdb.openReadOnly(dir, TsdbOptions.builder().readOnlyRefreshInterval(refreshInterval).build());
    } catch (IOException | RuntimeException e) {
      throw CliException.about(1, dir, e);
    }
    try (db; WebServer web = builder.tsdb(db).ui(true).build()) {
      boolean signals = Signals.handle("TERM", stop::countDown) & Signals.handle("INT", stop::countDown);
      if (!signals) {
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "conprof-shutdown"));
      }
      InetSocketAddress bound = web.address();
      err.println("conprof-cli serve: serving " + dir + " read-only; listening on " + bound.getHostString() + ":"
          + bound.getPort() + "; UI at " + web.uri());
      err.flush();
      stop.await();
      err.println("conprof-cli serve: stopping");
      err.flush();
    } catch (IOException e) {
      throw new CliException(1, "--http-address " + httpAddress + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
