package io.conprof.cli;

import io.conprof.core.model.Durations;
import io.conprof.core.model.Matcher;
import io.conprof.query.QueryParseException;
import io.conprof.query.QueryParser;
import io.conprof.query.ast.DiffCall;
import io.conprof.query.ast.Expr;
import io.conprof.query.ast.MergeCall;
import io.conprof.query.ast.RangeSelector;
import io.conprof.query.ast.Selector;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code conprof-cli check}: validate inputs without running anything, like {@code promtool
 * check}. Each kind of input is a subcommand, a nested class listed in {@code subcommands}.
 */
@Command(
    name = "check",
    description = "Check queries and config files for errors without running them.",
    mixinStandardHelpOptions = true,
    subcommands = {CheckCommand.Query.class, CheckCommand.Config.class})
final class CheckCommand {

  /**
   * {@code check query EXPR}: parse a query and print it as one JSON line.
   *
   * <p>Output schema (fields in this order; optional ones only when present):
   * <pre>
   * {"ok":true, EXPR-FIELDS}                       exit 0
   * {"ok":false,"error":"LINE:COLUMN: MESSAGE"}    exit 2
   * EXPR-FIELDS of a selector:  "type":"selector","matchers":[{"name":N,"op":OP,"value":V},...]
   *                             [,"offset":"-5m"] [,"at":"start"|"end" | ,"atMillis":MILLIS]
   *                             ,"result":"profile"
   * of a range selector:        "type":"range","range":"5m","selector":{SELECTOR-FIELDS},"result":"timeline"
   * of merge:                   "type":"function","function":"merge"[,"by":[LABEL,...]],"args":[{...}]
   *                             ,"result":"profile"|"profiles"
   * of diff:                    "type":"function","function":"diff","args":[{A},{B}],"result":"profile"
   * </pre>
   * With {@code -} it reads one expression per line from stdin (every line, blank ones too, so
   * output line N answers input line N) and exits 2 if any failed.
   */
  @Command(name = "query", mixinStandardHelpOptions = true,
      description = "Parse a query and print it as JSON: {\"ok\":true,...} or {\"ok\":false,\"error\":\"line:column: ...\"} (exit 2). "
          + "With - read one query per line from stdin and print one JSON object per line.")
  static final class Query implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPR", description = "the query, or - to read one query per line from stdin")
    String expr;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (!expr.equals("-")) {
        boolean ok = check(expr, out);
        out.flush();
        return ok ? 0 : CliException.USAGE;
      }
      boolean allOk = true;
      try (Reader in = new InputStreamReader(System.in, StandardCharsets.UTF_8)) {
        LineReader lines = new LineReader(in, QueryParser.MAX_QUERY_BYTES);
        String line;
        while ((line = lines.next()) != null) {
          if (lines.truncated()) {
            out.println(new Json().beginObject().field("ok", false)
                .field("error", "1:1: query too long: more than " + QueryParser.MAX_QUERY_BYTES
                    + " bytes, the limit is " + QueryParser.MAX_QUERY_BYTES)
                .endObject());
            allOk = false;
          } else {
            allOk &= check(line, out);
          }
        }
      } catch (IOException e) {
        throw new CliException(CliException.USAGE, "stdin: cannot read: " + e.getMessage(), e);
      }
      out.flush();
      return allOk ? 0 : CliException.USAGE;
    }
  }

  /** Prints the JSON line for one query; true if it parsed. */
  static boolean check(String query, PrintWriter out) {
    Json json = new Json().beginObject();
    boolean ok;
    try {
      Expr e = QueryParser.parse(query);
      json.field("ok", true);
      fields(json, e);
      ok = true;
    } catch (QueryParseException e) {
      json.field("ok", false).field("error", e.getMessage());
      ok = false;
    }
    out.println(json.endObject());
    return ok;
  }

  /** The fields of an expression object, in the documented order. */
  static void fields(Json json, Expr e) {
    if (e instanceof Selector s) {
      json.field("type", "selector").name("matchers").beginArray();
      for (Matcher m : s.matchers()) {
        json.beginObject().field("name", m.name()).field("op", m.type().symbol())
            .field("value", m.value()).endObject();
      }
      json.endArray();
      if (!s.offset().isZero()) {
        json.field("offset", duration(s.offset()));
      }
      s.at().ifPresent(at -> {
        switch (at.kind()) {
          case START -> json.field("at", "start");
          case END -> json.field("at", "end");
          case TIMESTAMP -> json.field("atMillis", at.timestampMillis());
        }
      });
    } else if (e instanceof RangeSelector r) {
      json.field("type", "range").field("range", duration(r.range())).name("selector").beginObject();
      fields(json, r.selector());
      json.endObject();
    } else if (e instanceof MergeCall m) {
      json.field("type", "function").field("function", "merge");
      m.by().ifPresent(by -> {
        json.name("by").beginArray();
        by.forEach(json::value);
        json.endArray();
      });
      json.name("args").beginArray().beginObject();
      fields(json, m.argument());
      json.endObject().endArray();
    } else {
      DiffCall d = (DiffCall) e;
      json.field("type", "function").field("function", "diff").name("args").beginArray();
      json.beginObject();
      fields(json, d.base());
      json.endObject().beginObject();
      fields(json, d.target());
      json.endObject().endArray();
    }
    json.field("result", e.type().jsonName());
  }

  private static String duration(Duration d) {
    return d.isNegative() ? "-" + Durations.format(d.negated()) : Durations.format(d);
  }

  /** Reads lines of at most {@code maxChars} characters, skipping (and flagging) the rest of longer ones. */
  static final class LineReader {
    private final Reader in;
    private final int maxChars;
    private boolean truncated;
    private boolean eof;

    LineReader(Reader in, int maxChars) {
      this.in = in;
      this.maxChars = maxChars;
    }

    /** The next line without its terminator, or null at the end of input. */
    String next() throws IOException {
      if (eof) {
        return null;
      }
      StringBuilder sb = new StringBuilder();
      truncated = false;
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        if (sb.length() < maxChars) {
          sb.append((char) c);
        } else {
          truncated = true;
        }
      }
      if (c == -1) {
        eof = true;
        if (sb.length() == 0 && !truncated) {
          return null;
        }
      }
      return sb.toString();
    }

    boolean truncated() {
      return truncated;
    }
  }

  /**
   * {@code check config FILE...}: validate scrape config files the way {@code promtool check
   * config} does: the whole file is parsed with the same strict reader the scrape command uses, and
   * the files it names (passwords, bearer tokens, TLS certificates and keys) must exist. Output per
   * file: {@code Checking FILE}, then {@code  SUCCESS: …} with a summary, or {@code  FAILED: …}
   * with the YAML path and line. Exit 0 if all files are valid, 1 otherwise (as promtool).
   */
  @Command(name = "config", mixinStandardHelpOptions = true,
      description = "Check scrape config files, like promtool check config: exit 0 if all are valid, 1 otherwise.")
  static final class Config implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "config files")
    java.util.List<java.nio.file.Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      boolean allOk = true;
      for (java.nio.file.Path f : files) {
        out.println("Checking " + f);
        try {
          io.conprof.core.scrape.config.ScrapeConfigFile cfg = io.conprof.core.scrape.config.ScrapeConfigFile.load(f);
          for (io.conprof.core.scrape.config.ScrapeConfig job : cfg.scrapeConfigs()) {
            checkFiles(job);
          }
          int targets = 0;
          for (io.conprof.core.scrape.config.ScrapeConfig job : cfg.scrapeConfigs()) {
            for (io.conprof.core.scrape.config.StaticConfig sc : job.staticConfigs()) {
              targets += sc.targets().size();
            }
          }
          out.println(" SUCCESS: " + f + " is valid conprof config file syntax (" + cfg.scrapeConfigs().size()
              + (cfg.scrapeConfigs().size() == 1 ? " job, " : " jobs, ") + targets + " static "
              + (targets == 1 ? "target" : "targets") + ")");
        } catch (io.conprof.core.scrape.config.ConfigException e) {
          out.println("  FAILED: " + e.getMessage());
          allOk = false;
        } catch (java.nio.file.NoSuchFileException e) {
          out.println("  FAILED: " + f + ": no such file");
          allOk = false;
        } catch (IOException e) {
          out.println("  FAILED: " + f + ": cannot read: " + e.getMessage());
          allOk = false;
        }
        out.flush();
      }
      return allOk ? 0 : 1;
    }

    private static void checkFiles(io.conprof.core.scrape.config.ScrapeConfig job) {
      job.basicAuth().ifPresent(b -> exists(job, b.passwordFile(), "basic_auth.password_file"));
      job.authorization().ifPresent(a -> exists(job, a.credentialsFile(), "authorization.credentials_file"));
      exists(job, job.tlsConfig().caFile(), "tls_config.ca_file");
      exists(job, job.tlsConfig().certFile(), "tls_config.cert_file");
      exists(job, job.tlsConfig().keyFile(), "tls_config.key_file");
    }

    private static void exists(io.conprof.core.scrape.config.ScrapeConfig job, java.nio.file.Path file, String key) {
      if (file != null && !java.nio.file.Files.isReadable(file)) {
        throw new io.conprof.core.scrape.config.ConfigException(job.jobName(), 0,
            "scrape_configs[job_name=" + job.jobName() + "]." + key, "file " + file + " does not exist or is not readable");
      }
    }
  }
}
