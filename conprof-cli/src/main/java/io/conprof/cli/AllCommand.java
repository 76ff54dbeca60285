package io.conprof.cli;

import io.conprof.query.eval.QueryLimits;
import io.conprof.query.web.WebServer;
import io.conprof.tsdb.Tsdb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code conprof-cli all}: scraping, the store, the query API and the web UI in one process, as the
 * original conprof's {@code all}: the scrape command plus {@link WebServer}'s API and UI over the
 * store it writes.
 */
@Command(
    name = "all",
    mixinStandardHelpOptions = true,
    description = {
      "Scrapes the targets in --config.file into the TSDB at --storage.tsdb.path and serves the query API",
      "and the web UI on --http-address (open http://HOST:PORT/ in a browser), with /metrics, /-/healthy,",
      "/-/ready, /-/reload, /api/v1/targets and conprof's own /debug/pprof.",
      "Runs until SIGTERM or SIGINT (exit 0 after the store is closed); SIGHUP reloads the config.",
      "Exit codes: 0 stopped by a signal, 1 the store or HTTP address failed, 2 bad usage or config."
    })
final class AllCommand extends ScrapeCommand {
  @Mixin WebOptions webOptions;

  @Override
  String name() {
    return "all";
  }

  @Override
  void checkOptions() {
    webOptions.apply(WebServer.builder());
  }

  @Override
  WebServer.Builder web(WebServer.Builder b, Tsdb db) {
    return webOptions.apply(b).tsdb(db).ui(true);
  }

  @Override
  String uiHint(WebServer web) {
    return "; UI at " + web.uri();
  }

  /** The query limits of the API, for tests. */
  QueryLimits limits() {
    return webOptions.limits();
  }
}
