package io.conprof.core.scrape.config;

/**
 * A configuration file that cannot be used, with where and why:
 * {@code conprof.yaml:7: scrape_configs[0].scrape_timeout: 2m is greater than scrape_interval 1m}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String yamlPath;
  private final String reason;

  /**
   * @param source the file name (or another name for the input)
   * @param line 1-based line, or 0 when unknown
   * @param yamlPath e.g. {@code scrape_configs[0].scrape_timeout}; empty for the whole document
   * @param reason what is wrong, for a person to act on
   */
  public ConfigException(String source, int line, String yamlPath, String reason) {
    this(source, line, yamlPath, reason, null);
  }

  public ConfigException(String source, int line, String yamlPath, String reason, Throwable cause) {
    super(format(source, line, yamlPath, reason), cause);
    this.source = source;
    this.line = line;
    this.yamlPath = yamlPath;
    this.reason = reason;
  }

  private static String format(String source, int line, String yamlPath, String reason) {
    StringBuilder sb = new StringBuilder(source);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (!yamlPath.isEmpty()) {
      sb.append(yamlPath).append(": ");
    }
    return sb.append(reason).toString();
  }

  /** The file name or other name of the input. */
  public String source() {
    return source;
  }

  /** 1-based line of the offending node, 0 when unknown. */
  public int line() {
    return line;
  }

  /** Path of the offending node, e.g. {@code scrape_configs[0].scrape_timeout}. */
  public String yamlPath() {
    return yamlPath;
  }

  /** The reason without the location prefix. */
  public String reason() {
    return reason;
  }
}
