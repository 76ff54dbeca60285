package io.conprof.cli;

import io.conprof.core.model.Durations;
import io.conprof.core.scrape.ScrapeManager;
import io.conprof.core.scrape.config.ConfigException;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import io.conprof.query.web.WebServer;
import io.conprof.tsdb.Tsdb;
import io.conprof.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conprof-cli scrape}: the pull model as a process. Scrapes the targets of
 * {@code --config.file} into the embedded TSDB until SIGTERM or SIGINT, then lets scrapes in
 * flight finish (up to 10 s), closes the store and exits 0. SIGHUP and {@code /-/reload} re-read
 * the config; a bad config is reported and the running one kept.
 */
@Command(
    name = "scrape",
    mixinStandardHelpOptions = true,
    description = {
      "Scrapes pprof profiles from the targets in --config.file into the TSDB at --storage.tsdb.path.",
      "Serves /metrics, /-/healthy, /-/ready, /-/reload and /api/v1/targets on --http-address.",
      "Runs until SIGTERM or SIGINT (exit 0 after the store is closed); SIGHUP reloads the config.",
      "Exit codes: 0 stopped by a signal, 1 the store or HTTP address failed, 2 bad usage or config."
    })
class ScrapeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ScrapeCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--config.file", required = true, paramLabel = "FILE", description = "Scrape config (YAML).")
  Path configFile;

  @Option(names = "--storage.tsdb.path", required = true, paramLabel = "DIR",
      description = "Database directory (created if absent).")
  Path dir;

  @Option(names = "--storage.tsdb.retention.time", paramLabel = "DURATION", defaultValue = "15d",
      description = "How long to keep profiles, Prometheus duration syntax (default: ${DEFAULT-VALUE}).")
  String retention;

  @Option(names = "--http-address", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:10902",
      description = "Address of the HTTP endpoints (default: ${DEFAULT-VALUE}).")
  String httpAddress;

  private final CountDownLatch stop = new CountDownLatch(1);

  /** The command's name in messages. */
  String name() {
    return "scrape";
  }

  /**
   * The HTTP server's settings beyond the scraper's: {@code scrape} serves only the operational
   * endpoints, {@code all} adds the query API over the store and the web UI.
   */
  WebServer.Builder web(WebServer.Builder b, Tsdb db) {
    return b.ui(false);
  }

  /** Stops the command as SIGTERM would (used by tests that run it in-process). */
  void stop() {
    stop.countDown();
  }

  static ScrapeConfigFile loadConfig(Path file) {
    try {
      return ScrapeConfigFile.load(file);
    } catch (ConfigException e) {
      throw new CliException(CliException.USAGE, e.getMessage(), e);
    } catch (NoSuchFileException e) {
      throw new CliException(CliException.USAGE, file + ": no such file", e);
    } catch (IOException e) {
      throw new CliException(CliException.USAGE, file + ": " + e.getMessage(), e);
    }
  }

  static Path baseDirectory(Path configFile) {
    Path parent = configFile.toAbsolutePath().getParent();
    return parent == null ? Path.of(".").toAbsolutePath() : parent;
  }

  static InetSocketAddress parseAddress(String address) {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      throw new CliException(CliException.USAGE, "--http-address: want host:port, got " + address);
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new CliException(CliException.USAGE, "--http-address: bad port in " + address, e);
    }
    if (port < 0 || port > 65535) {
      throw new CliException(CliException.USAGE, "--http-address: port out of range in " + address);
    }
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  /** Checks the options beyond the scraper's before anything is opened. */
  void checkOptions() {}

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    checkOptions();
    Duration retentionTime;
    try {
      retentionTime = Durations.parse(retention);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--storage.tsdb.retention.time: " + e.getMessage(), e);
    }
    InetSocketAddress address = parseAddress(httpAddress);
    ScrapeConfigFile config = loadConfig(configFile);
    Path base = baseDirectory(configFile);
    Tsdb db;
    try {
      db = Tsdb.open(dir, TsdbOptions.builder().retentionTime(retentionTime).build());
    } catch (IOException | RuntimeException e) {
      throw CliException.about(1, dir, e);
    }
    try (db) {
      ScrapeManager manager = ScrapeManager.builder(new TsdbProfileSink(db)).build();
      try {
        manager.applyConfig(config, base);
        Object reloadLock = new Object();
        java.util.function.Supplier<String> reload = () -> {
          synchronized (reloadLock) {
            try {
              manager.applyConfig(ScrapeConfigFile.load(configFile), base);
              LOG.info("reloaded the config from {}", configFile);
              return null;
            } catch (ConfigException | IOException | IllegalStateException e) {
              String reason = e instanceof NoSuchFileException ? configFile + ": no such file" : e.getMessage();
              LOG.error("config reload failed, keeping the running config: {}", reason);
              return reason;
            }
          }
        };
        WebServer.Builder builder = WebServer.builder().address(address).targets(manager::targets).reload(reload)
            .extraMetrics(sb -> {
              try {
                manager.metrics().writeText(sb);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
        try (WebServer web = web(builder, db).build()) {
          boolean signals = Signals.handle("TERM", stop::countDown) & Signals.handle("INT", stop::countDown);
          Thread hook = null;
          if (!signals) {
            hook = new Thread(stop::countDown, "conprof-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
          }
          Signals.handle("HUP", () -> new Thread(reload::get, "conprof-reload").start());
          InetSocketAddress bound = web.address();
          err.println("conprof-cli " + name() + ": scraping " + config.scrapeConfigs().size() + " job(s) into " + dir
              + "; listening on " + bound.getHostString() + ":" + bound.getPort()
              + (web.routePrefix().isEmpty() ? "" : " under " + web.routePrefix()) + uiHint(web));
          err.flush();
          stop.await();
          err.println("conprof-cli " + name() + ": stopping: finishing scrapes in flight and closing the store");
          err.flush();
        }
      } catch (IOException e) {
        throw new CliException(1, "--http-address " + httpAddress + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        manager.close();
      }
    } catch (IOException e) {
      throw new CliException(1, dir + ": closing the store: " + e.getMessage(), e);
    }
    return 0;
  }

  /** " (UI: URL)" where the command serves the UI. */
  String uiHint(WebServer web) {
    return "";
  }
}
