package io.conprof.cli;

import io.conprof.core.model.JsonStrings;

import io.conprof.core.scrape.DroppedTarget;
import io.conprof.core.scrape.ScrapeManager;
import io.conprof.core.scrape.ScrapeTarget;
import io.conprof.core.scrape.TargetSet;
import io.conprof.core.scrape.config.ScrapeConfigFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code conprof-cli targets}: the targets a config yields (static targets and the current
 * contents of file_sd files, after relabelling), without scraping anything.
 */
@Command(
    name = "targets",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the targets of --config.file without scraping: one line per active target",
      "(job, URL, labels) and per dropped target (job, discovered labels, reason).",
      "Exit codes: 0 printed, 2 bad usage or config."
    })
final class TargetsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config.file", required = true, paramLabel = "FILE", description = "Scrape config (YAML).")
  Path configFile;

  @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (default) or json (the /api/v1/targets data shape).")
  String output;

  @Override
  public Integer call() {
    if (!output.equals("text") && !output.equals("json")) {
      throw new io.conprof.cli.CliException(CliException.USAGE, "--output: want text or json, got " + output);
    }
    ScrapeConfigFile config = ScrapeCommand.loadConfig(configFile);
    TargetSet set = ScrapeManager.resolveTargets(config, ScrapeCommand.baseDirectory(configFile));
    PrintWriter out = spec.commandLine().getOut();
    if (output.equals("json")) {
      StringBuilder sb = new StringBuilder("{\"activeTargets\":[");
      boolean first = true;
      for (ScrapeTarget t : set.active()) {
        sb.append(first ? "" : ",");
        first = false;
        sb.append("{\"discoveredLabels\":");
        JsonStrings.labels(sb, t.discoveredLabels());
        sb.append(",\"labels\":");
        JsonStrings.labels(sb, t.labels());
        sb.append(",\"scrapePool\":").append(JsonStrings.quote(t.job()));
        sb.append(",\"scrapeUrl\":").append(JsonStrings.quote(t.url().toString())).append('}');
      }
      sb.append("],\"droppedTargets\":[");
      first = true;
      for (DroppedTarget d : set.dropped()) {
        sb.append(first ? "" : ",");
        first = false;
        sb.append("{\"discoveredLabels\":");
        JsonStrings.labels(sb, d.discoveredLabels());
        sb.append(",\"scrapePool\":").append(JsonStrings.quote(d.job()));
        sb.append(",\"reason\":").append(JsonStrings.quote(d.reason())).append('}');
      }
      out.println(sb.append("]}"));
    } else {
      for (ScrapeTarget t : set.active()) {
        out.println("active  " + t.job() + " " + t.url() + " " + t.labels());
      }
      for (DroppedTarget d : set.dropped()) {
        out.println("dropped " + d.job() + " " + d.discoveredLabels() + " (" + d.reason() + ")");
      }
      out.println(set.active().size() + " active, " + set.dropped().size() + " dropped");
    }
    out.flush();
    return 0;
  }
}
