package io.conprof.cli;

import io.conprof.core.model.Durations;
import io.conprof.query.eval.QueryLimits;
import io.conprof.query.web.WebServer;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of the commands that serve the query API and UI ({@code all}, {@code serve}). */
final class WebOptions {
  @Option(names = "--web.external-url", paramLabel = "URL",
      description = "The URL users reach conprof at, e.g. http://proxy/conprof: its path becomes the prefix "
          + "every endpoint and the UI are served under (for a reverse proxy). Default: none.")
  String externalUrl;

  @Option(names = "--query.timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long a query may run before it returns what it gathered, with a warning "
          + "(default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--query.max-series", paramLabel = "N", defaultValue = "10000",
      description = "Most series one query reads (default: ${DEFAULT-VALUE}).")
  int maxSeries;

  @Option(names = "--query.max-samples", paramLabel = "N", defaultValue = "100000",
      description = "Most profiles one merge reads (default: ${DEFAULT-VALUE}).")
  long maxSamples;

  QueryLimits limits() {
    Duration t;
    try {
      t = Durations.parse(timeout);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--query.timeout: " + e.getMessage(), e);
    }
    try {
      return QueryLimits.DEFAULTS.withTimeout(t).withMaxSeries(maxSeries).withMaxSamples(maxSamples);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, e.getMessage(), e);
    }
  }

  WebServer.Builder apply(WebServer.Builder b) {
    try {
      b.externalUrl(externalUrl);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--web.external-url: " + e.getMessage(), e);
    }
    return b.queryLimits(limits());
  }
}
