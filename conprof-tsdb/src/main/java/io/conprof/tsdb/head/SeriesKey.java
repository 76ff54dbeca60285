package io.conprof.tsdb.head;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The 128-bit key of a series in the registry: the first 16 bytes of the SHA-256 of its canonical
 * label text ({@code {a="b",c="d"}}). A cryptographic hash is used because a collision would
 * silently merge two series; at profile ingest rates its cost (well under a microsecond) is noise.
 */
public record SeriesKey(long hi, long lo) {

  public static SeriesKey of(String canonicalLabels) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
    ByteBuffer d = ByteBuffer.wrap(md.digest(canonicalLabels.getBytes(StandardCharsets.UTF_8)));
    return new SeriesKey(d.getLong(), d.getLong());
  }

  byte[] toBytes() {
    return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
  }

  static SeriesKey fromBytes(byte[] b) {
    ByteBuffer d = ByteBuffer.wrap(b);
    return new SeriesKey(d.getLong(), d.getLong());
  }
}
