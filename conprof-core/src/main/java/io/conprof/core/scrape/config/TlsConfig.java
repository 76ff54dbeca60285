package io.conprof.core.scrape.config;

import java.nio.file.Path;

/**
 * A job's {@code tls_config}. Paths are resolved against the config file's directory; the files
 * are read when the scraper builds its client, not when the config is parsed.
 *
 * @param caFile PEM CA certificates to trust instead of the JDK's, or null
 * @param certFile PEM client certificate, or null; set together with {@code keyFile}
 * @param keyFile PEM private key of {@code certFile}, or null
 * @param serverName name for SNI and certificate verification, or null for the URL's host
 * @param insecureSkipVerify accept any server certificate (testing only)
 */
public record TlsConfig(Path caFile, Path certFile, Path keyFile, String serverName,
    boolean insecureSkipVerify) {
  /** No TLS settings: the JDK's trust store, no client certificate, names verified. */
  public static final TlsConfig DEFAULT = new TlsConfig(null, null, null, null, false);

  public TlsConfig {
    if (certFile != null && keyFile == null) {
      throw new IllegalArgumentException(
          "exactly one of key or key_file must be configured when a client certificate is"
              + " configured");
    }
    if (keyFile != null && certFile == null) {
      throw new IllegalArgumentException(
          "exactly one of cert or cert_file must be configured when a client key is configured");
    }
    if (serverName != null && serverName.isEmpty()) {
      serverName = null;
    }
  }
}
