package io.conprof.core.pprof;

import io.conprof.core.pprof.proto.ProfileProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Merges profiles one at a time into a single profile, with the semantics of pprof's {@code
 * profile.Merge}.
 *
 * <p>Design: the merger is streaming. Each {@link #add} call remaps the input's string table,
 * functions, mappings and locations into merged tables keyed by content (a function by name,
 * system name, file and start line; a mapping by rounded size, offset and build id or file; a
 * location by mapping, mapping-relative address, lines and folding), and accumulates each sample's
 * values under a key of its merged location ids and its labels. The input is not referenced after
 * {@code add} returns, so merging 10,000 profiles costs memory in proportion to the merged result
 * (distinct stacks, locations, functions, strings), not to the inputs. Only entities that a
 * non-zero sample reaches are copied, which is what pprof's compaction would keep.
 *
 * <p>Headers combine as pprof does: sample and period types must be equal (else {@link
 * InvalidProfileException}); {@code time_nanos} takes pprof's running minimum, {@code
 * duration_nanos} the sum, {@code period} the maximum; comments are de-duplicated in order;
 * {@code default_sample_type} is the first non-empty one; drop/keep frames come from the first.
 * Samples whose values are all zero are skipped on input, and merged samples that sum to zero are
 * dropped from the result.
 *
 * <p>Not thread-safe: one merger per merge.
 */
public final class ProfileMerger {
  private int profiles;

  // Header state, as strings so that it does not depend on any input's string table.
  private List<ValueType> sampleTypes;
  private ValueType periodType; // null when the first input had none
  private long timeNanos;
  private long durationNanos;
  private long period;
  private final LinkedHashSet<String> comments = new LinkedHashSet<>();
  private String defaultSampleType = "";
  private String dropFrames = "";
  private String keepFrames = "";

  // Merged tables.
  private final Map<String, Integer> stringIndex = new HashMap<>();
  private final List<String> strings = new ArrayList<>();
  private final Map<FunctionKey, Integer> functionIds = new HashMap<>();
  private final List<ProfileProto.Function> functions = new ArrayList<>();
  private final Map<MappingKey, Integer> mappingIds = new HashMap<>();
  private final List<ProfileProto.Mapping> mappings = new ArrayList<>();
  private final Map<ArrayKey, Integer> locationIds = new HashMap<>();
  private final List<ProfileProto.Location> locations = new ArrayList<>();
  private final Map<ArrayKey, Integer> sampleIndex = new HashMap<>();
  private final List<ArrayKey> sampleKeys = new ArrayList<>();
  private final List<long[]> sampleValues = new ArrayList<>();
  private final List<long[]> sampleLabels = new ArrayList<>(); // first-seen label order, 4 longs each

  public ProfileMerger() {
    intern("");
  }

  /** Number of profiles added so far. */
  public int profileCount() {
    return profiles;
  }

  /** Number of distinct samples (stack + labels) accumulated so far. */
  public int sampleCount() {
    return sampleKeys.size();
  }

  /**
   * Adds {@code profile} to the merge.
   *
   * @throws InvalidProfileException when its sample or period types differ from the first input's
   */
  public void add(Profile profile) throws InvalidProfileException {
    ProfileProto.Profile p = profile.proto;
    List<ValueType> types = profile.sampleTypes();
    ValueType pt = profile.periodType().orElse(null);
    if (profiles == 0) {
      sampleTypes = types;
      periodType = pt;
      dropFrames = profile.string(p.getDropFrames());
      keepFrames = profile.string(p.getKeepFrames());
    } else {
      if (!Objects.equals(periodType, pt)) {
        throw new InvalidProfileException(
            "cannot merge: incompatible period types " + periodType + " and " + pt);
      }
      if (!sampleTypes.equals(types)) {
        throw new InvalidProfileException(
            "cannot merge: incompatible sample types " + sampleTypes + " and " + types);
      }
    }
    if (profiles == 0 || p.getTimeNanos() < timeNanos || timeNanos == 0) {
      timeNanos = p.getTimeNanos();
    }
    durationNanos += p.getDurationNanos();
    if (period == 0 || period < p.getPeriod()) {
      period = p.getPeriod();
    }
    for (long c : p.getCommentList()) {
      comments.add(profile.string(c));
    }
    if (defaultSampleType.isEmpty()) {
      defaultSampleType = profile.string(p.getDefaultSampleType());
    }
    profiles++;
    new Remapper(p, profile.indexes()).run();
  }

  /** The merged profile so far; the merger may continue to be used afterwards. */
  public Profile result() {
    if (profiles == 0) {
      throw new IllegalStateException("no profiles to merge");
    }
    ProfileProto.Profile.Builder b = ProfileProto.Profile.newBuilder();
    // Samples first: those that sum to zero are dropped, and so is whatever only they reached.
    boolean anyZero = false;
    for (long[] v : sampleValues) {
      if (isZero(v)) {
        anyZero = true;
        break;
      }
    }
    if (anyZero) {
      return compacted();
    }
    List<String> st = new ArrayList<>(strings);
    StringTableBuilder extra = new StringTableBuilder(st, stringIndex);
    for (ValueType vt : sampleTypes) {
      b.addSampleType(valueType(vt, extra));
    }
    for (int i = 0; i < sampleKeys.size(); i++) {
      b.addSample(sample(sampleKeys.get(i), sampleValues.get(i), sampleLabels.get(i)));
    }
    b.addAllMapping(mappings).addAllLocation(locations).addAllFunction(functions);
    header(b, extra);
    b.addAllStringTable(st);
    return new Profile(b.build());
  }

  private Profile compacted() {
    // Re-merge the non-zero part of the result: pprof does the same to drop unreachable entities.
    ProfileMerger again = new ProfileMerger();
    ProfileProto.Profile.Builder b = ProfileProto.Profile.newBuilder();
    List<String> st = new ArrayList<>(strings);
    StringTableBuilder extra = new StringTableBuilder(st, stringIndex);
    for (ValueType vt : sampleTypes) {
      b.addSampleType(valueType(vt, extra));
    }
    for (int i = 0; i < sampleKeys.size(); i++) {
      if (!isZero(sampleValues.get(i))) {
        b.addSample(sample(sampleKeys.get(i), sampleValues.get(i), sampleLabels.get(i)));
      }
    }
    b.addAllMapping(mappings).addAllLocation(locations).addAllFunction(functions);
    header(b, extra);
    b.addAllStringTable(st);
    try {
      again.add(new Profile(b.build()));
    } catch (InvalidProfileException e) {
      throw new IllegalStateException("re-merging a merged profile failed", e);
    }
    // Keep the combined header (durations etc. must not be re-summed).
    again.timeNanos = timeNanos;
    again.durationNanos = durationNanos;
    again.period = period;
    return again.result();
  }

  private void header(ProfileProto.Profile.Builder b, StringTableBuilder st) {
    b.setTimeNanos(timeNanos).setDurationNanos(durationNanos).setPeriod(period);
    if (periodType != null) {
      b.setPeriodType(valueType(periodType, st));
    }
    for (String c : comments) {
      b.addComment(st.index(c));
    }
    b.setDefaultSampleType(st.index(defaultSampleType));
    b.setDropFrames(st.index(dropFrames));
    b.setKeepFrames(st.index(keepFrames));
  }

  private static ProfileProto.ValueType valueType(ValueType vt, StringTableBuilder st) {
    return ProfileProto.ValueType.newBuilder().setType(st.index(vt.type())).setUnit(st.index(vt.unit())).build();
  }

  private static ProfileProto.Sample sample(ArrayKey key, long[] values, long[] labels) {
    ProfileProto.Sample.Builder s = ProfileProto.Sample.newBuilder();
    int n = (int) key.a[0];
    for (int j = 1; j <= n; j++) {
      s.addLocationId(key.a[j]);
    }
    for (long v : values) {
      s.addValue(v);
    }
    for (int j = 0; j < labels.length; j += 4) {
      ProfileProto.Label.Builder l = ProfileProto.Label.newBuilder().setKey(labels[j]);
      if (labels[j + 1] != 0) {
        l.setStr(labels[j + 1]);
      }
      if (labels[j + 2] != 0) {
        l.setNum(labels[j + 2]);
      }
      if (labels[j + 3] != 0) {
        l.setNumUnit(labels[j + 3]);
      }
      s.addLabel(l);
    }
    return s.build();
  }

  private static boolean isZero(long[] v) {
    for (long x : v) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private int intern(String s) {
    Integer i = stringIndex.get(s);
    if (i != null) {
      return i;
    }
    int idx = strings.size();
    strings.add(s);
    stringIndex.put(s, idx);
    return idx;
  }

  /** Remaps one input profile into the merged tables. */
  private final class Remapper {
    private final ProfileProto.Profile p;
    private final int[] stringMap; // src string index -> merged index + 1 (0 = not yet mapped)
    private final IdIndex srcFunctions;
    private final IdIndex srcMappings;
    private final IdIndex srcLocations;
    private final int[] functionMap; // src function position -> merged id (0 = not yet)
    private final int[] mappingMap; // src mapping position -> merged id (0 = not yet)
    private final long[] mappingOffset;
    private final long[] locationMap; // src location position -> merged id (0 = not yet)

    Remapper(ProfileProto.Profile p, IdIndex.Indexes ix) {
      this.p = p;
      this.stringMap = new int[p.getStringTableCount()];
      this.srcFunctions = ix.functions();
      this.srcMappings = ix.mappings();
      this.srcLocations = ix.locations();
      this.functionMap = new int[p.getFunctionCount()];
      this.mappingMap = new int[p.getMappingCount()];
      this.mappingOffset = new long[p.getMappingCount()];
      this.locationMap = new long[p.getLocationCount()];
    }

    void run() {
      if (mappings.isEmpty() && p.getMappingCount() > 0) {
        mapping(0); // the first mapping is the main binary; keep it first
      }
      int nTypes = p.getSampleTypeCount();
      long[] scratch = new long[64];
      for (int i = 0, n = p.getSampleCount(); i < n; i++) {
        ProfileProto.Sample s = p.getSample(i);
        boolean zero = true;
        for (int k = 0; k < nTypes; k++) {
          if (s.getValue(k) != 0) {
            zero = false;
            break;
          }
        }
        if (zero) {
          continue;
        }
        int nLoc = s.getLocationIdCount();
        int nLab = s.getLabelCount();
        int len = 1 + nLoc + nLab * 4;
        if (scratch.length < len) {
          scratch = new long[Math.max(len, scratch.length * 2)];
        }
        scratch[0] = nLoc;
        for (int j = 0; j < nLoc; j++) {
          scratch[1 + j] = location(srcLocations.indexOf(s.getLocationId(j)));
        }
        long[] labels = nLab == 0 ? NO_LABELS : new long[nLab * 4];
        for (int j = 0; j < nLab; j++) {
          ProfileProto.Label l = s.getLabel(j);
          labels[j * 4] = str(l.getKey());
          labels[j * 4 + 1] = l.getStr() == 0 ? 0 : str(l.getStr());
          labels[j * 4 + 2] = l.getNum();
          labels[j * 4 + 3] = l.getNumUnit() == 0 ? 0 : str(l.getNumUnit());
        }
        if (nLab > 0) {
          System.arraycopy(sortedLabels(labels), 0, scratch, 1 + nLoc, nLab * 4);
        }
        ArrayKey probe = new ArrayKey(scratch, len);
        Integer idx = sampleIndex.get(probe);
        if (idx == null) {
          ArrayKey key = probe.copy();
          long[] values = new long[nTypes];
          for (int k = 0; k < nTypes; k++) {
            values[k] = s.getValue(k);
          }
          sampleIndex.put(key, sampleKeys.size());
          sampleKeys.add(key);
          sampleValues.add(values);
          sampleLabels.add(labels);
        } else {
          long[] values = sampleValues.get(idx);
          for (int k = 0; k < nTypes; k++) {
            values[k] += s.getValue(k);
          }
        }
      }
    }

    private int str(long srcIndex) {
      int i = (int) srcIndex;
      int m = stringMap[i];
      if (m == 0) {
        m = intern(p.getStringTable(i)) + 1;
        stringMap[i] = m;
      }
      return m - 1;
    }

    private long location(int pos) {
      long id = locationMap[pos];
      if (id != 0) {
        return id;
      }
      ProfileProto.Location src = p.getLocation(pos);
      long mappingId = 0;
      long offset = 0;
      long mappingStart = 0;
      int mpos = src.getMappingId() == 0 ? -1 : srcMappings.indexOf(src.getMappingId());
      if (mpos >= 0) {
        mappingId = mapping(mpos);
        offset = mappingOffset[mpos];
        mappingStart = mappings.get((int) mappingId - 1).getMemoryStart();
      }
      long address = src.getAddress() + offset;
      int nLines = src.getLineCount();
      long[] key = new long[4 + nLines * 3];
      key[0] = mappingId;
      key[1] = mappingId != 0 ? address - mappingStart : address;
      key[2] = src.getIsFolded() ? 1 : 0;
      key[3] = nLines;
      for (int j = 0; j < nLines; j++) {
        ProfileProto.Line line = src.getLine(j);
        int fpos = line.getFunctionId() == 0 ? -1 : srcFunctions.indexOf(line.getFunctionId());
        key[4 + j * 3] = fpos < 0 ? 0 : function(fpos);
        key[5 + j * 3] = line.getLine();
        key[6 + j * 3] = line.getColumn();
      }
      ArrayKey k = new ArrayKey(key, key.length);
      Integer existing = locationIds.get(k);
      if (existing != null) {
        locationMap[pos] = existing;
        return existing;
      }
      int newId = locations.size() + 1;
      ProfileProto.Location.Builder lb = ProfileProto.Location.newBuilder().setId(newId).setMappingId(mappingId)
          .setAddress(address).setIsFolded(src.getIsFolded());
      for (int j = 0; j < nLines; j++) {
        lb.addLine(ProfileProto.Line.newBuilder().setFunctionId(key[4 + j * 3]).setLine(key[5 + j * 3])
            .setColumn(key[6 + j * 3]));
      }
      locations.add(lb.build());
      locationIds.put(k, newId);
      locationMap[pos] = newId;
      return newId;
    }

    private int function(int pos) {
      int id = functionMap[pos];
      if (id != 0) {
        return id;
      }
      ProfileProto.Function src = p.getFunction(pos);
      FunctionKey k = new FunctionKey(str(src.getName()), str(src.getSystemName()), str(src.getFilename()),
          src.getStartLine());
      Integer existing = functionIds.get(k);
      if (existing == null) {
        existing = functions.size() + 1;
        functions.add(ProfileProto.Function.newBuilder().setId(existing).setName(k.name()).setSystemName(k.systemName())
            .setFilename(k.filename()).setStartLine(k.startLine()).build());
        functionIds.put(k, existing);
      }
      functionMap[pos] = existing;
      return existing;
    }

    private int mapping(int pos) {
      int id = mappingMap[pos];
      if (id != 0) {
        return id;
      }
      ProfileProto.Mapping src = p.getMapping(pos);
      long size = src.getMemoryLimit() - src.getMemoryStart();
      size = size + 0xfff;
      size = size - Long.remainderUnsigned(size, 0x1000);
      int buildIdOrFile = src.getBuildId() != 0 && !p.getStringTable((int) src.getBuildId()).isEmpty()
          ? str(src.getBuildId())
          : (src.getFilename() != 0 ? str(src.getFilename()) : 0);
      MappingKey k = new MappingKey(size, src.getFileOffset(), buildIdOrFile);
      Integer existing = mappingIds.get(k);
      if (existing != null) {
        mappingOffset[pos] = mappings.get(existing - 1).getMemoryStart() - src.getMemoryStart();
      } else {
        existing = mappings.size() + 1;
        mappings.add(src.toBuilder().setId(existing).setFilename(src.getFilename() == 0 ? 0 : str(src.getFilename()))
            .setBuildId(src.getBuildId() == 0 ? 0 : str(src.getBuildId())).build());
        mappingIds.put(k, existing);
        mappingOffset[pos] = 0;
      }
      mappingMap[pos] = existing;
      return existing;
    }
  }

  private static final long[] NO_LABELS = new long[0];

  /** Labels as (key, str, num, unit) quadruples, sorted so that label order does not matter. */
  private static long[] sortedLabels(long[] labels) {
    int n = labels.length / 4;
    if (n <= 1) {
      return labels;
    }
    long[][] quads = new long[n][];
    for (int i = 0; i < n; i++) {
      quads[i] = Arrays.copyOfRange(labels, i * 4, i * 4 + 4);
    }
    Arrays.sort(quads, Arrays::compare);
    long[] out = new long[labels.length];
    for (int i = 0; i < n; i++) {
      System.arraycopy(quads[i], 0, out, i * 4, 4);
    }
    return out;
  }

  private record FunctionKey(int name, int systemName, int filename, long startLine) {}

  private record MappingKey(long size, long offset, int buildIdOrFile) {}

  /** A long[] prefix as a hash key; probes reuse a scratch array and are copied on insert. */
  private static final class ArrayKey {
    final long[] a;
    final int len;
    final int hash;

    ArrayKey(long[] a, int len) {
      this.a = a;
      this.len = len;
      int h = 1;
      for (int i = 0; i < len; i++) {
        long v = a[i];
        h = 31 * h + (int) (v ^ (v >>> 32));
      }
      this.hash = h;
    }

    ArrayKey copy() {
      return new ArrayKey(Arrays.copyOf(a, len), len);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof ArrayKey k) || k.len != len || k.hash != hash) {
        return false;
      }
      return Arrays.equals(a, 0, len, k.a, 0, len);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** Appends header strings that the samples did not already intern. */
  private static final class StringTableBuilder {
    private final List<String> table;
    private final Map<String, Integer> index;
    private Map<String, Integer> added;

    StringTableBuilder(List<String> table, Map<String, Integer> index) {
      this.table = table;
      this.index = index;
    }

    long index(String s) {
      Integer i = index.get(s);
      if (i != null) {
        return i;
      }
      if (added == null) {
        added = new HashMap<>();
      }
      return added.computeIfAbsent(s, x -> {
        table.add(x);
        return table.size() - 1;
      });
    }
  }
}
