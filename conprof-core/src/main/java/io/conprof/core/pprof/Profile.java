package io.conprof.core.pprof;

import io.conprof.core.pprof.proto.ProfileProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * An immutable, validated pprof profile.
 *
 * <p>Instances come from {@link ProfileReader} (which checks the structure), from {@link
 * ProfileMerger}, or from the transformations on this class. The protobuf message behind it is an
 * implementation detail and never leaves the package; what callers see are plain values: sample
 * types, totals, header fields, and the serialised bytes.
 *
 * <p>Transformations ({@link #scale}, {@link #selectSampleType}, {@link #filter}, {@link #diff})
 * return new profiles and leave this one untouched.
 */
public final class Profile {
  /**
   * The message; for a profile read on the fast path null until {@link #proto()} first builds it.
   * Code in this package reads it through {@code proto()}; reading the field directly is safe only
   * where {@code proto()} ran on this profile before (a {@link StackTable} of it calls it).
   */
  volatile ProfileProto.Profile proto;
  /** The validated wire form this profile was read from, or null when it was built as a message. */
  final WireProfile wire;
  private volatile IdIndex.Indexes indexes; // built on first use unless validation left them

  Profile(ProfileProto.Profile proto) {
    this.proto = proto;
    this.wire = null;
  }

  Profile(ProfileProto.Profile proto, IdIndex.Indexes indexes) {
    this.proto = proto;
    this.wire = null;
    this.indexes = indexes;
  }

  /** A profile read and validated by {@link WireProfile}; the message is built when first needed. */
  Profile(WireProfile wire) {
    this.wire = wire;
    this.indexes = new IdIndex.Indexes(wire.mappingIndex, wire.functionIndex, wire.locationIndex);
  }

  /** The message behind this profile, parsed from the wire form on first use. */
  ProfileProto.Profile proto() {
    ProfileProto.Profile p = proto;
    if (p == null) {
      try {
        p = ProfileReader.parseMessage(wire.buf);
      } catch (InvalidProfileException e) {
        throw new IllegalStateException("a profile accepted by the wire decoder does not parse", e);
      }
      proto = p;
    }
    return p;
  }

  /** Id lookups for this profile's mappings, functions and locations. */
  IdIndex.Indexes indexes() {
    IdIndex.Indexes ix = indexes;
    if (ix == null) {
      ix = new IdIndex.Indexes(ProfileTransforms.mappingIndex(proto()), ProfileTransforms.functionIndex(proto()),
          ProfileTransforms.locationIndex(proto()));
      indexes = ix;
    }
    return ix;
  }

  /** The value columns of every sample, in order. */
  public List<ValueType> sampleTypes() {
    List<ValueType> out = new ArrayList<>(proto().getSampleTypeCount());
    for (ProfileProto.ValueType vt : proto().getSampleTypeList()) {
      out.add(valueType(vt));
    }
    return Collections.unmodifiableList(out);
  }

  /** Number of sample messages in the profile. */
  public int sampleCount() {
    return proto().getSampleCount();
  }

  /** Sum of each sample type's values over all samples, in {@link #sampleTypes()} order. */
  public long[] totals() {
    long[] totals = new long[proto().getSampleTypeCount()];
    for (ProfileProto.Sample s : proto().getSampleList()) {
      for (int i = 0; i < totals.length; i++) {
        totals[i] += s.getValue(i);
      }
    }
    return totals;
  }

  /** The period type, if the profile has one. */
  public Optional<ValueType> periodType() {
    return proto().hasPeriodType() ? Optional.of(valueType(proto().getPeriodType())) : Optional.empty();
  }

  public long period() {
    return proto().getPeriod();
  }

  /** Collection start in nanoseconds since the epoch; 0 when the producer did not set it. */
  public long timeNanos() {
    return proto().getTimeNanos();
  }

  public long durationNanos() {
    return proto().getDurationNanos();
  }

  /** The producer's preferred sample type, or "" when unset. */
  public String defaultSampleType() {
    return string(proto().getDefaultSampleType());
  }

  public List<String> comments() {
    List<String> out = new ArrayList<>(proto().getCommentCount());
    for (long c : proto().getCommentList()) {
      out.add(string(c));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * Index of the sample type named {@code type}; with {@code null} or "" the default: the one
   * {@code default_sample_type} names, else the last, as pprof chooses.
   *
   * @throws IllegalArgumentException naming the available types when there is no such type
   */
  public int sampleTypeIndex(String type) {
    int n = proto().getSampleTypeCount();
    if (n == 0) {
      throw new IllegalArgumentException("profile has no sample types");
    }
    String wanted = (type == null || type.isEmpty()) ? defaultSampleType() : type;
    if (wanted.isEmpty()) {
      return n - 1;
    }
    for (int i = 0; i < n; i++) {
      if (string(proto().getSampleType(i).getType()).equals(wanted)) {
        return i;
      }
    }
    if (type == null || type.isEmpty()) {
      return n - 1; // a default_sample_type that names no column: fall back as pprof does
    }
    throw new IllegalArgumentException(
        "no sample type \"" + type + "\"; the profile has " + sampleTypeNames());
  }

  private List<String> sampleTypeNames() {
    List<String> names = new ArrayList<>();
    for (ProfileProto.ValueType vt : proto().getSampleTypeList()) {
      names.add(string(vt.getType()));
    }
    return names;
  }

  /** The profile as raw (uncompressed) protobuf. */
  public byte[] toByteArray() {
    return proto().toByteArray();
  }

  /** Serialised size of the raw protobuf in bytes. */
  public int serializedSize() {
    return proto().getSerializedSize();
  }

  /** The profile as gzip-compressed protobuf, the on-disk pprof form. */
  public byte[] toGzip() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, serializedSize() / 2));
    try {
      writeGzip(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes gzip-compressed protobuf (default compression level) to {@code out}. */
  public void writeGzip(OutputStream out) throws IOException {
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
      proto().writeTo(gz);
    }
  }

  /**
   * Gzips already serialised raw pprof bytes with fast compression (as Go's runtime does), for
   * callers that store the raw form and serve it gzipped.
   */
  public static byte[] gzip(byte[] rawProtobuf) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, rawProtobuf.length / 2));
    try (GZIPOutputStream gz = new FastGzipOutputStream(out)) {
      gz.write(rawProtobuf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Every value multiplied by {@code ratio} (truncated toward zero, as pprof does). */
  public Profile scale(double ratio) {
    return new Profile(ProfileTransforms.scale(proto(), ratio));
  }

  /** A profile with only the named sample type (see {@link #sampleTypeIndex} for the default). */
  public Profile selectSampleType(String type) {
    return new Profile(ProfileTransforms.selectSampleType(proto(), sampleTypeIndex(type)));
  }

  /** The samples that pass {@code filter}; locations and functions they no longer use are kept. */
  public Profile filter(ProfileFilter filter) {
    return new Profile(ProfileTransforms.filter(proto(), filter));
  }

  /**
   * {@code current} minus {@code base}, pprof's {@code -diff_base} convention: base samples are
   * negated and labelled {@code pprof::base=true}, then merged with the current ones, so the
   * totals are the differences and the two sides stay distinguishable.
   *
   * @throws InvalidProfileException when the two cannot be merged (different sample types)
   */
  public static Profile diff(Profile base, Profile current) throws InvalidProfileException {
    ProfileMerger merger = new ProfileMerger();
    merger.add(new Profile(ProfileTransforms.markAsBase(ProfileTransforms.scale(base.proto(), -1))));
    merger.add(current);
    return merger.result();
  }

  String string(long index) {
    return proto().getStringTable((int) index);
  }

  private ValueType valueType(ProfileProto.ValueType vt) {
    return new ValueType(string(vt.getType()), string(vt.getUnit()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Profile other && proto().equals(other.proto());
  }

  @Override
  public int hashCode() {
    return proto().hashCode();
  }

  @Override
  public String toString() {
    return "Profile" + sampleTypes() + "{samples=" + sampleCount() + ", bytes=" + serializedSize() + "}";
  }

  /** A gzip stream at {@link Deflater#BEST_SPEED}, the level Go's runtime writes profiles at. */
  static final class FastGzipOutputStream extends GZIPOutputStream {
    FastGzipOutputStream(OutputStream out) throws IOException {
      super(out, 64 * 1024);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
