package io.conprof.core.scrape;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP GET of a profile.
 *
 * @param url absolute {@code http} or {@code https} URL, query included
 * @param headers request headers (e.g. {@code Authorization}, {@code User-Agent}); names are
 *     case-insensitive on the wire
 * @param timeout deadline for the whole call: connect, request, and reading the entire body
 * @param maxBodyBytes the largest body accepted; reading stops as soon as it is exceeded
 * @param tls TLS settings for {@code https} URLs ({@link TlsSettings#DEFAULT} for the JDK's)
 */
public record FetchRequest(
    URI url, Map<String, String> headers, Duration timeout, long maxBodyBytes, TlsSettings tls) {
  public FetchRequest {
    Objects.requireNonNull(url, "url");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(tls, "tls");
    String scheme = url.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("url must be http or https, got " + url);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    if (maxBodyBytes <= 0 || maxBodyBytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("maxBodyBytes must be in (0, 2 GiB), got " + maxBodyBytes);
    }
  }
}
