package io.conprof.core.scrape.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The {@code Authorization} header: {@code type credentials}. {@code bearer_token} and
 * {@code bearer_token_file} in a job are read into this with type {@code Bearer}. At most one of
 * {@code credentials} and {@code credentialsFile} is set. {@link #toString()} never shows the
 * credentials.
 *
 * @param type the scheme, {@code Bearer} by default; never {@code Basic} (use basic_auth)
 * @param credentialsFile resolved against the config file's directory; read at scrape time
 */
public record Authorization(String type, String credentials, Path credentialsFile) {
  public static final String DEFAULT_TYPE = "Bearer";

  public Authorization {
    Objects.requireNonNull(type, "type");
    if (type.isEmpty()) {
      throw new IllegalArgumentException("authorization type must not be empty");
    }
    if (type.equalsIgnoreCase("basic")) {
      throw new IllegalArgumentException(
          "authorization type cannot be set to \"basic\", use \"basic_auth\" instead");
    }
    if (credentials != null && credentialsFile != null) {
      throw new IllegalArgumentException(
          "at most one of authorization credentials & credentials_file must be configured");
    }
  }

  @Override
  public String toString() {
    return "Authorization[type=" + type + ", credentials=" + (credentials == null ? "null"
        : "<secret>") + ", credentialsFile=" + credentialsFile + "]";
  }
}
