package io.conprof.core.scrape.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * HTTP basic authentication. Exactly one of {@code password} and {@code passwordFile} may be set
 * (or neither, for an empty password). {@link #toString()} never shows the password.
 *
 * @param passwordFile resolved against the config file's directory; read at scrape time
 */
public record BasicAuth(String username, String password, Path passwordFile) {
  public BasicAuth {
    Objects.requireNonNull(username, "username");
    if (password != null && passwordFile != null) {
      throw new IllegalArgumentException(
          "at most one of basic_auth password & password_file must be configured");
    }
  }

  @Override
  public String toString() {
    return "BasicAuth[username=" + username + ", password=" + (password == null ? "null"
        : "<secret>") + ", passwordFile=" + passwordFile + "]";
  }
}
