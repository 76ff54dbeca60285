package io.conprof.core.pprof;

import io.conprof.core.pprof.proto.ProfileProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds a symbolized, Go-compatible pprof profile from stacks of named frames.
 *
 * <p>Design: a profile producer (the JVM profiler, a converter) thinks in stacks of source-level
 * frames, not in pprof's tables. This builder takes such stacks and does the table work: strings
 * are interned into one string table ({@code ""} first), functions are interned by name, system
 * name and file, and locations by function and line, so two samples through the same line share
 * one location and a frame seen a million times costs one entry. Samples with the same stack and
 * the same labels are merged by adding their values, which is what pprof would do on reading. Ids
 * are assigned in first-seen order starting at 1, so the same input always gives the same bytes.
 *
 * <p>Every location references a single mapping (id 1, file {@code "jvm"}, with {@code
 * has_functions}, {@code has_filenames} and {@code has_line_numbers} set) so that pprof tools know
 * the profile is already symbolized and never try to symbolize addresses it does not have.
 *
 * <p>Memory is proportional to the distinct frames, stacks and strings. Not thread-safe; {@link
 * #build()} may be called more than once and does not reset the builder.
 */
public final class ProfileBuilder {
  /** File name of the single mapping every location references. */
  public static final String MAPPING_FILE = "jvm";

  /**
   * One frame of a stack.
   *
   * @param function human-readable name, e.g. {@code com.example.Foo.bar}
   * @param systemName the full name, e.g. with the method descriptor; "" to use {@code function}
   * @param file source file name, or "" when unknown
   * @param line source line, 0 when unknown
   */
  public record Frame(String function, String systemName, String file, long line) {
    public Frame {
      Objects.requireNonNull(function, "function");
      systemName = systemName == null || systemName.isEmpty() ? function : systemName;
      file = file == null ? "" : file;
      if (line < 0) {
        line = 0;
      }
    }

    /** A frame with only a name, for synthetic frames such as {@code [truncated]}. */
    public static Frame of(String function) {
      return new Frame(function, function, "", 0);
    }
  }

  private final List<ValueType> sampleTypes;
  private final ValueType periodType;
  private final long period;
  private long timeNanos;
  private long durationNanos;
  private String defaultSampleType = "";
  private final List<String> comments = new ArrayList<>();

  private final Map<String, Integer> stringIndex = new HashMap<>();
  private final List<String> strings = new ArrayList<>();
  private final Map<FunctionKey, Integer> functionIds = new HashMap<>();
  private final List<ProfileProto.Function> functions = new ArrayList<>();
  private final Map<LocationKey, Integer> locationIds = new HashMap<>();
  private final Map<Frame, Integer> frameLocations = new HashMap<>();
  private final List<ProfileProto.Location> locations = new ArrayList<>();
  private final Map<SampleKey, long[]> samples = new HashMap<>();
  private final List<SampleKey> sampleOrder = new ArrayList<>();

  private ProfileBuilder(List<ValueType> sampleTypes, ValueType periodType, long period) {
    this.sampleTypes = List.copyOf(sampleTypes);
    this.periodType = periodType;
    this.period = period;
    intern("");
  }

  /**
   * A builder for profiles whose samples carry one value per entry of {@code sampleTypes}.
   *
   * @param periodType the period's type, or {@code null} for none
   * @param period events between samples (informational), e.g. 10,000,000 ns for 100 Hz CPU
   */
  public static ProfileBuilder create(List<ValueType> sampleTypes, ValueType periodType, long period) {
    Objects.requireNonNull(sampleTypes, "sampleTypes");
    if (sampleTypes.isEmpty()) {
      throw new IllegalArgumentException("a profile needs at least one sample type");
    }
    if (period < 0) {
      throw new IllegalArgumentException("period must not be negative, got " + period);
    }
    return new ProfileBuilder(sampleTypes, periodType, period);
  }

  /** Collection start, nanoseconds since the epoch. */
  public ProfileBuilder timeNanos(long timeNanos) {
    this.timeNanos = timeNanos;
    return this;
  }

  /** Length of the collection window in nanoseconds. */
  public ProfileBuilder durationNanos(long durationNanos) {
    if (durationNanos < 0) {
      throw new IllegalArgumentException("durationNanos must not be negative, got " + durationNanos);
    }
    this.durationNanos = durationNanos;
    return this;
  }

  /** The sample type tools should show by default; it must be one of the sample types. */
  public ProfileBuilder defaultSampleType(String type) {
    Objects.requireNonNull(type, "type");
    if (!type.isEmpty() && sampleTypes.stream().noneMatch(t -> t.type().equals(type))) {
      throw new IllegalArgumentException(
          "default sample type \"" + type + "\" is not one of " + sampleTypes);
    }
    this.defaultSampleType = type;
    return this;
  }

  /** Adds a free-text comment (shown by {@code go tool pprof -raw} and {@code -comments}). */
  public ProfileBuilder addComment(String comment) {
    comments.add(Objects.requireNonNull(comment, "comment"));
    return this;
  }

  /** Adds a sample without labels; see {@link #addSample(List, long[], Map, Map)}. */
  public ProfileBuilder addSample(List<Frame> stackLeafFirst, long[] values) {
    return addSample(stackLeafFirst, values, Map.of(), Map.of());
  }

  /** Adds a sample with string labels; see {@link #addSample(List, long[], Map, Map)}. */
  public ProfileBuilder addSample(List<Frame> stackLeafFirst, long[] values, Map<String, String> labels) {
    return addSample(stackLeafFirst, values, labels, Map.of());
  }

  /**
   * Adds a sample. A sample with the same stack and labels as an earlier one is merged into it.
   *
   * @param stackLeafFirst the frames, innermost (leaf) first
   * @param values one value per sample type
   * @param labels string labels (key → value); keys must not be empty
   * @param numLabels numeric labels (key → value), without unit
   */
  public ProfileBuilder addSample(List<Frame> stackLeafFirst, long[] values,
      Map<String, String> labels, Map<String, Long> numLabels) {
    Objects.requireNonNull(stackLeafFirst, "stackLeafFirst");
    Objects.requireNonNull(values, "values");
    if (values.length != sampleTypes.size()) {
      throw new IllegalArgumentException("a sample needs " + sampleTypes.size() + " values "
          + sampleTypes + ", got " + values.length);
    }
    long[] locs = new long[stackLeafFirst.size()];
    for (int i = 0; i < locs.length; i++) {
      locs[i] = location(Objects.requireNonNull(stackLeafFirst.get(i), "frame"));
    }
    long[] labelKey = labelKey(labels, numLabels);
    SampleKey key = new SampleKey(locs, labelKey);
    long[] sum = samples.get(key);
    if (sum == null) {
      samples.put(key, values.clone());
      sampleOrder.add(key);
    } else {
      for (int i = 0; i < sum.length; i++) {
        sum[i] += values[i];
      }
    }
    return this;
  }

  /** Number of distinct samples (stack + labels) so far. */
  public int sampleCount() {
    return sampleOrder.size();
  }

  /** The profile built from everything added so far. */
  public Profile build() {
    ProfileProto.Profile.Builder p = ProfileProto.Profile.newBuilder();
    for (ValueType t : sampleTypes) {
      p.addSampleType(valueType(t));
    }
    if (periodType != null) {
      p.setPeriodType(valueType(periodType));
    }
    p.setPeriod(period);
    p.setTimeNanos(timeNanos);
    p.setDurationNanos(durationNanos);
    if (!defaultSampleType.isEmpty()) {
      p.setDefaultSampleType(intern(defaultSampleType));
    }
    for (String c : comments) {
      p.addComment(intern(c));
    }
    for (SampleKey key : sampleOrder) {
      ProfileProto.Sample.Builder s = ProfileProto.Sample.newBuilder();
      for (long loc : key.locations) {
        s.addLocationId(loc);
      }
      for (long v : samples.get(key)) {
        s.addValue(v);
      }
      long[] l = key.labels;
      for (int i = 0; i < l.length; i += 3) {
        ProfileProto.Label.Builder label = ProfileProto.Label.newBuilder().setKey(l[i]);
        if (l[i + 1] >= 0) {
          label.setStr(l[i + 1]);
        } else {
          label.setNum(l[i + 2]);
        }
        s.addLabel(label);
      }
      p.addSample(s);
    }
    if (!locations.isEmpty()) {
      p.addMapping(ProfileProto.Mapping.newBuilder()
          .setId(1)
          .setFilename(intern(MAPPING_FILE))
          .setHasFunctions(true)
          .setHasFilenames(true)
          .setHasLineNumbers(true));
    }
    p.addAllLocation(locations);
    p.addAllFunction(functions);
    p.addAllStringTable(strings);
    return new Profile(p.build());
  }

  private ProfileProto.ValueType valueType(ValueType t) {
    return ProfileProto.ValueType.newBuilder().setType(intern(t.type())).setUnit(intern(t.unit())).build();
  }

  private long location(Frame f) {
    Integer known = frameLocations.get(f);
    if (known != null) {
      return known;
    }
    int function = function(f);
    LocationKey key = new LocationKey(function, f.line());
    Integer id = locationIds.get(key);
    if (id == null) {
      id = locations.size() + 1;
      locations.add(ProfileProto.Location.newBuilder()
          .setId(id)
          .setMappingId(1)
          .addLine(ProfileProto.Line.newBuilder().setFunctionId(function).setLine(f.line()))
          .build());
      locationIds.put(key, id);
    }
    frameLocations.put(f, id);
    return id;
  }

  private int function(Frame f) {
    FunctionKey key = new FunctionKey(f.function(), f.systemName(), f.file());
    Integer id = functionIds.get(key);
    if (id == null) {
      id = functions.size() + 1;
      functions.add(ProfileProto.Function.newBuilder()
          .setId(id)
          .setName(intern(f.function()))
          .setSystemName(intern(f.systemName()))
          .setFilename(intern(f.file()))
          .build());
      functionIds.put(key, id);
    }
    return id;
  }

  /** Labels as triples (key index, string index or -1, number), sorted by key for a stable identity. */
  private long[] labelKey(Map<String, String> labels, Map<String, Long> numLabels) {
    if (labels.isEmpty() && numLabels.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, String> str = new TreeMap<>(labels);
    TreeMap<String, Long> num = new TreeMap<>(numLabels);
    long[] out = new long[(str.size() + num.size()) * 3];
    int i = 0;
    for (Map.Entry<String, String> e : str.entrySet()) {
      out[i++] = labelName(e.getKey());
      out[i++] = intern(Objects.requireNonNull(e.getValue(), "label value"));
      out[i++] = 0;
    }
    for (Map.Entry<String, Long> e : num.entrySet()) {
      out[i++] = labelName(e.getKey());
      out[i++] = -1;
      out[i++] = Objects.requireNonNull(e.getValue(), "label value");
    }
    return out;
  }

  private int labelName(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("label keys must not be empty");
    }
    return intern(key);
  }

  private int intern(String s) {
    Integer i = stringIndex.get(s);
    if (i == null) {
      i = strings.size();
      strings.add(s);
      stringIndex.put(s, i);
    }
    return i;
  }

  private static final long[] EMPTY = new long[0];

  private record FunctionKey(String name, String systemName, String file) {}

  private record LocationKey(int function, long line) {}

  private static final class SampleKey {
    final long[] locations;
    final long[] labels;
    final int hash;

    SampleKey(long[] locations, long[] labels) {
      this.locations = locations;
      this.labels = labels;
      this.hash = 31 * Arrays.hashCode(locations) + Arrays.hashCode(labels);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SampleKey k && hash == k.hash && Arrays.equals(locations, k.locations)
          && Arrays.equals(labels, k.labels);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
