package io.conprof.core.scrape.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A scrape configuration file: {@code global} and {@code scrape_configs} in the conprof/Parca
 * dialect of Prometheus' configuration. See {@code docs/configuration.md} for the reference.
 *
 * <p>Parsing is strict, like Prometheus': unknown keys, duplicate keys, bad values, duplicate job
 * names and a timeout longer than its interval are refused with a {@link ConfigException} naming
 * the file, the line and the YAML path. Relative file paths (TLS files, password and credential
 * files, file_sd patterns) are resolved against the directory of the config file.
 */
public record ScrapeConfigFile(GlobalConfig global, List<ScrapeConfig> scrapeConfigs) {
  /** Files larger than this are refused before they are read. */
  public static final long MAX_FILE_BYTES = YamlTreeReader.MAX_CHARS;

  public ScrapeConfigFile {
    Objects.requireNonNull(global, "global");
    scrapeConfigs = List.copyOf(scrapeConfigs);
  }

  /**
   * Reads and parses a config file.
   *
   * @throws IOException if the file cannot be read
   * @throws ConfigException if it is not a valid config
   */
  public static ScrapeConfigFile load(Path file) throws IOException {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new ConfigException(name, 0, "", "file is " + size + " bytes, over the limit of "
          + MAX_FILE_BYTES);
    }
    byte[] bytes = Files.readAllBytes(file);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException(name, 0, "", "file is not valid UTF-8", e);
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, name, dir);
  }

  /**
   * Parses config text.
   *
   * @param sourceName the name used in error messages, e.g. the file name
   * @param baseDirectory relative paths in the config resolve against it
   * @throws ConfigException if it is not a valid config
   */
  public static ScrapeConfigFile parse(String yaml, String sourceName, Path baseDirectory) {
    return new ConfigParser(sourceName, baseDirectory).parse(yaml);
  }

  /** The job with this name, or null. */
  public ScrapeConfig job(String jobName) {
    for (ScrapeConfig c : scrapeConfigs) {
      if (c.jobName().equals(jobName)) {
        return c;
      }
    }
    return null;
  }
}
