package io.conprof.core.pprof;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.conprof.core.pprof.proto.ProfileProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads pprof profiles from untrusted bytes.
 *
 * <p>Design: everything a profile reader can be made to do by hostile input is bounded. The
 * compressed input is refused above {@link Builder#maxCompressedBytes}; gzip is detected by its
 * magic bytes (never by a file name) and inflated into a buffer that is never allowed to grow past
 * {@link Builder#maxDecompressedBytes}, so a decompression bomb is stopped after at most that many
 * bytes of work instead of being expanded. The protobuf is then decoded by {@link WireProfile}
 * straight from the bytes, checked as it goes (string table starting with "", non-zero unique ids,
 * every reference resolving, one value per sample type), without building message objects; the
 * message is built from the bytes only when a caller needs it. Input that the wire decoder does
 * not accept is parsed with protobuf-java's generated code (bounded nesting) and checked by {@link
 * ProfileValidator}, which say what is wrong and where: every failure is an {@link
 * InvalidProfileException} with that message, the same on both paths.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ProfileReader {
  /** Default limit on compressed input: 64 MiB. */
  public static final long DEFAULT_MAX_COMPRESSED_BYTES = 64L << 20;
  /** Default limit on raw protobuf after gunzip: 128 MiB. */
  public static final long DEFAULT_MAX_DECOMPRESSED_BYTES = 128L << 20;

  private static final ProfileReader DEFAULTS = builder().build();

  private final long maxCompressedBytes;
  private final long maxDecompressedBytes;

  private ProfileReader(Builder b) {
    this.maxCompressedBytes = b.maxCompressedBytes;
    this.maxDecompressedBytes = b.maxDecompressedBytes;
  }

  /** A reader with the default limits. */
  public static ProfileReader defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public long maxCompressedBytes() {
    return maxCompressedBytes;
  }

  public long maxDecompressedBytes() {
    return maxDecompressedBytes;
  }

  /** True when {@code data} starts with the gzip magic bytes {@code 1f 8b}. */
  public static boolean isGzip(byte[] data) {
    return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
  }

  /**
   * The raw protobuf bytes of a pprof profile given gzipped or raw: gzip framing is removed, raw
   * input is returned as is. Sizes are checked against the limits; the protobuf is not parsed.
   */
  public byte[] decompress(byte[] data) throws InvalidProfileException {
    if (data.length > maxCompressedBytes) {
      throw new InvalidProfileException(
          "input of " + data.length + " bytes exceeds the limit of " + maxCompressedBytes + " bytes");
    }
    if (!isGzip(data)) {
      if (data.length > maxDecompressedBytes) {
        throw new InvalidProfileException(
            "profile of " + data.length + " bytes exceeds the limit of " + maxDecompressedBytes + " bytes");
      }
      return data;
    }
    return Gunzip.gunzip(data, maxDecompressedBytes);
  }

  /** Decompresses (if gzipped), parses and validates a profile. */
  public Profile parse(byte[] data) throws InvalidProfileException {
    byte[] raw = decompress(data);
    return parseValidated(raw);
  }

  /** Reads, parses and validates the profile in {@code file}; errors name the file. */
  public Profile read(Path file) throws IOException {
    return parse(readFile(file), file.toString());
  }

  /** Like {@link #parse(byte[])}, with {@code source} (a file name or URL) in error messages. */
  public Profile parse(byte[] data, String source) throws InvalidProfileException {
    try {
      return parse(data);
    } catch (InvalidProfileException e) {
      throw e.withSource(source);
    }
  }

  /** Reads a file's bytes, refusing files larger than the compressed-size limit before reading. */
  public byte[] readFile(Path file) throws IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file.toString(), null, "no such file");
    }
    if (size > maxCompressedBytes) {
      throw new InvalidProfileException(
          file + ": file of " + size + " bytes exceeds the limit of " + maxCompressedBytes + " bytes");
    }
    return Files.readAllBytes(file);
  }

  /**
   * Parses and validates raw protobuf. The wire decoder reads valid profiles without building
   * messages (the message is built when a caller first needs it); whatever it does not accept is
   * parsed by protobuf-java and checked by {@link ProfileValidator}, which give the error.
   */
  static Profile parseValidated(byte[] raw) throws InvalidProfileException {
    WireProfile wire = WireProfile.decode(raw);
    if (wire != null) {
      return new Profile(wire);
    }
    return parseValidatedMessage(raw);
  }

  /** The protobuf-java path: parse into messages, then validate. */
  static Profile parseValidatedMessage(byte[] raw) throws InvalidProfileException {
    ProfileProto.Profile p = parseMessage(raw);
    return new Profile(p, ProfileValidator.validate(p));
  }

  /** Parses raw protobuf into the message, refusing empty input and malformed protobuf. */
  static ProfileProto.Profile parseMessage(byte[] raw) throws InvalidProfileException {
    if (raw.length == 0) {
      throw new InvalidProfileException("empty input: 0 bytes is not a pprof profile");
    }
    try {
      CodedInputStream in = CodedInputStream.newInstance(raw);
      in.setRecursionLimit(16);
      ProfileProto.Profile p = ProfileProto.Profile.parseFrom(in);
      in.checkLastTagWas(0);
      return p;
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidProfileException(
          "not a pprof profile: the " + raw.length + " bytes are not valid protobuf (" + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new InvalidProfileException("not a pprof profile: " + e.getMessage(), e);
    }
  }

  /** Limits for a {@link ProfileReader}. */
  public static final class Builder {
    private long maxCompressedBytes = DEFAULT_MAX_COMPRESSED_BYTES;
    private long maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES;

    private Builder() {}

    /** Largest accepted input as given (gzipped or raw). */
    public Builder maxCompressedBytes(long bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxCompressedBytes must be positive, got " + bytes);
      }
      this.maxCompressedBytes = bytes;
      return this;
    }

    /** Largest accepted raw protobuf, after gunzip; decompression stops there. */
    public Builder maxDecompressedBytes(long bytes) {
      if (bytes <= 0 || bytes > Integer.MAX_VALUE - 32) {
        throw new IllegalArgumentException("maxDecompressedBytes must be in (0, 2 GiB), got " + bytes);
      }
      this.maxDecompressedBytes = bytes;
      return this;
    }

    public ProfileReader build() {
      return new ProfileReader(this);
    }
  }
}
