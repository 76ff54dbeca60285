package io.conprof.core.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One stored profile: a timestamp and the uncompressed pprof protobuf bytes.
 *
 * <p>The array is not copied (profiles are large); callers must not modify it after handing it
 * over, nor modify the array they get from {@link #bytes()}.
 */
public record Sample(long timestampMillis, byte[] bytes) {
  public Sample {
    Objects.requireNonNull(bytes, "bytes");
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof Sample s && s.timestampMillis == timestampMillis
        && Arrays.equals(s.bytes, bytes));
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(timestampMillis) + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Sample[timestampMillis=" + timestampMillis + ", bytes=" + bytes.length + " bytes]";
  }
}
