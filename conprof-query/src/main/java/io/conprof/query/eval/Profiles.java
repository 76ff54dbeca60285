package io.conprof.query.eval;

import io.conprof.core.model.Labels;
import io.conprof.core.pprof.InvalidProfileException;
import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.query.ast.ResultType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Profiles a query produced: at most one for an instant selector, {@code merge} without {@code by}
 * and {@code diff}; one per group for {@code merge by}.
 *
 * @param type {@link ResultType#PROFILE} or {@link ResultType#PROFILES}
 * @param profiles the profiles; for {@code merge by}, sorted by group labels
 * @param warnings see {@link QueryResult#warnings()}
 */
public record Profiles(ResultType type, List<Entry> profiles, List<String> warnings)
    implements QueryResult {
  public Profiles {
    if (type != ResultType.PROFILE && type != ResultType.PROFILES) {
      throw new IllegalArgumentException("not a profile result type: " + type);
    }
    profiles = List.copyOf(profiles);
    warnings = List.copyOf(warnings);
    if (type == ResultType.PROFILE && profiles.size() > 1) {
      throw new IllegalArgumentException("a profile result holds at most one profile, got "
          + profiles.size());
    }
  }

  @Override
  public boolean isEmpty() {
    return profiles.isEmpty();
  }

  /**
   * One profile of a result.
   *
   * @param labels the stored series' labels for an instant selector; the group's labels for
   *     {@code merge by}; empty for {@code merge} without {@code by} and for {@code diff}
   * @param timestampMillis the sample's timestamp for a stored profile; empty for computed ones
   * @param rawProtobuf the uncompressed pprof protobuf (copied in and out): for a stored profile
   *     exactly the stored bytes
   * @param sourceProfiles how many stored profiles went into it (1 for a stored profile)
   */
  public record Entry(Labels labels, OptionalLong timestampMillis, byte[] rawProtobuf,
      long sourceProfiles) {
    public Entry {
      Objects.requireNonNull(labels, "labels");
      Objects.requireNonNull(timestampMillis, "timestampMillis");
      rawProtobuf = rawProtobuf.clone();
      if (sourceProfiles < 1) {
        throw new IllegalArgumentException("sourceProfiles must be positive: " + sourceProfiles);
      }
    }

    @Override
    public byte[] rawProtobuf() {
      return rawProtobuf.clone();
    }

    /** Size of the raw protobuf in bytes. */
    public int sizeBytes() {
      return rawProtobuf.length;
    }

    /** The profile, parsed and validated. */
    public Profile profile() throws InvalidProfileException {
      return ProfileReader.defaults().parse(rawProtobuf, describe());
    }

    String describe() {
      return labels + (timestampMillis.isPresent() ? " at " + timestampMillis.getAsLong() : "");
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e && labels.equals(e.labels)
          && timestampMillis.equals(e.timestampMillis) && sourceProfiles == e.sourceProfiles
          && Arrays.equals(rawProtobuf, e.rawProtobuf);
    }

    @Override
    public int hashCode() {
      return Objects.hash(labels, timestampMillis, sourceProfiles) * 31
          + Arrays.hashCode(rawProtobuf);
    }

    @Override
    public String toString() {
      return "Profile" + describe() + "{" + rawProtobuf.length + " bytes, " + sourceProfiles
          + " profiles}";
    }
  }
}
