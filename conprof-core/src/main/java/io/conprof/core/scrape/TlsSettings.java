package io.conprof.core.scrape;

import java.nio.file.Path;

/**
 * TLS settings of a scrape job, as in Prometheus' {@code tls_config}.
 *
 * @param caFile PEM file of CA certificates to trust instead of the JDK's, or null
 * @param certFile PEM client certificate (chain) for mutual TLS, or null
 * @param keyFile PEM private key of {@code certFile} (PKCS#8, or PKCS#1 RSA), or null
 * @param serverName the name to send in SNI and to verify the server certificate against, or null
 *     for the URL's host
 * @param insecureSkipVerify accept any server certificate and name (testing only)
 */
public record TlsSettings(Path caFile, Path certFile, Path keyFile, String serverName, boolean insecureSkipVerify) {
  /** The JDK's trust store, no client certificate, names verified against the URL. */
  public static final TlsSettings DEFAULT = new TlsSettings(null, null, null, null, false);

  public TlsSettings {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("tls_config: cert_file and key_file must be given together");
    }
    if (serverName != null && serverName.isEmpty()) {
      serverName = null;
    }
  }
}
