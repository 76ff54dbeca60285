package io.conprof.core.pprof;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.conprof.core.pprof.proto.ProfileProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Merges profiles one at a time into a single profile, with the semantics of pprof's {@code
 * profile.Merge}.
 *
 * <p>Design: the merger is streaming. Each {@link #add} call remaps the input's string table,
 * functions, mappings and locations into merged tables keyed by content (a function by name,
 * system name, file and start line; a mapping by rounded size, offset and build id or file; a
 * location by mapping, mapping-relative address, lines and folding), and accumulates each sample's
 * values under a key of its merged location ids and its labels, kept varint-encoded in a {@link
 * SampleTable}. The input is not referenced after {@code add} returns, so merging 10,000 profiles
 * costs memory in proportion to the merged result (distinct stacks, locations, functions,
 * strings), not to the inputs. Only entities that a non-zero sample reaches are copied, which is
 * what pprof's compaction would keep. {@link #writeGzip} serialises the result straight from these
 * tables, so a merge never holds the result twice.
 *
 * <p>Headers combine as pprof does: sample and period types must be equal (else {@link
 * InvalidProfileException}); {@code time_nanos} takes pprof's running minimum, {@code
 * duration_nanos} the sum, {@code period} the maximum; comments are de-duplicated in order;
 * {@code default_sample_type} is the first non-empty one; drop/keep frames come from the first.
 * Samples whose values are all zero are skipped on input, and merged samples that sum to zero are
 * dropped from the result. Labels of a merged sample are written in sorted order.
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
  private SampleTable samples; // created with the first profile, when the width is known

  public ProfileMerger() {
    intern("");
  }

  /** Number of profiles added so far. */
  public int profileCount() {
    return profiles;
  }

  /** Number of distinct samples (stack + labels) accumulated so far. */
  public int sampleCount() {
    return samples == null ? 0 : samples.size();
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
      samples = new SampleTable(Math.max(1, types.size()));
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
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      writeTo(out);
      return new Profile(ProfileProto.Profile.parseFrom(out.toByteArray()));
    } catch (IOException e) {
      throw new IllegalStateException("re-reading the merged profile failed", e);
    }
  }

  /** Writes the merged profile as gzipped protobuf without building it in memory first. */
  public void writeGzip(OutputStream out) throws IOException {
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
      writeTo(gz);
    }
  }

  /**
   * Writes the merged profile as raw protobuf, straight from the merged tables: the peak memory of
   * a merge is the tables, not the tables plus a message tree. Samples whose values sum to zero are
   * left out (locations only they used stay in the location table, which pprof tolerates).
   */
  public void writeTo(OutputStream out) throws IOException {
    if (profiles == 0) {
      throw new IllegalStateException("no profiles to merge");
    }
    // Header strings first, so that the string table written last is complete.
    int[] typeIdx = new int[sampleTypes.size() * 2];
    for (int i = 0; i < sampleTypes.size(); i++) {
      typeIdx[2 * i] = intern(sampleTypes.get(i).type());
      typeIdx[2 * i + 1] = intern(sampleTypes.get(i).unit());
    }
    int ptType = periodType == null ? 0 : intern(periodType.type());
    int ptUnit = periodType == null ? 0 : intern(periodType.unit());
    int[] commentIdx = comments.stream().mapToInt(this::intern).toArray();
    int defaultIdx = intern(defaultSampleType);
    int dropIdx = intern(dropFrames);
    int keepIdx = intern(keepFrames);

    CodedOutputStream c = CodedOutputStream.newInstance(out, 64 * 1024);
    for (int i = 0; i < sampleTypes.size(); i++) {
      c.writeMessage(1, ProfileProto.ValueType.newBuilder().setType(typeIdx[2 * i]).setUnit(typeIdx[2 * i + 1]).build());
    }
    writeSamples(c);
    for (ProfileProto.Mapping m : mappings) {
      c.writeMessage(3, m);
    }
    for (ProfileProto.Location l : locations) {
      c.writeMessage(4, l);
    }
    for (ProfileProto.Function f : functions) {
      c.writeMessage(5, f);
    }
    for (String str : strings) {
      c.writeString(6, str);
    }
    if (dropIdx != 0) {
      c.writeInt64(7, dropIdx);
    }
    if (keepIdx != 0) {
      c.writeInt64(8, keepIdx);
    }
    if (timeNanos != 0) {
      c.writeInt64(9, timeNanos);
    }
    if (durationNanos != 0) {
      c.writeInt64(10, durationNanos);
    }
    if (periodType != null) {
      c.writeMessage(11, ProfileProto.ValueType.newBuilder().setType(ptType).setUnit(ptUnit).build());
    }
    if (period != 0) {
      c.writeInt64(12, period);
    }
    if (commentIdx.length > 0) {
      int size = 0;
      for (int ci : commentIdx) {
        size += CodedOutputStream.computeInt64SizeNoTag(ci);
      }
      c.writeTag(13, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      c.writeUInt32NoTag(size);
      for (int ci : commentIdx) {
        c.writeInt64NoTag(ci);
      }
    }
    if (defaultIdx != 0) {
      c.writeInt64(14, defaultIdx);
    }
    c.flush();
  }

  private void writeSamples(CodedOutputStream c) throws IOException {
    int width = samples.width();
    long[] values = new long[width];
    long[] locs = new long[64];
    SampleTable.KeyReader key = new SampleTable.KeyReader();
    for (int n = 0; n < samples.size(); n++) {
      samples.values(n, values);
      if (isZero(values)) {
        continue;
      }
      samples.key(n, key);
      int nLoc = (int) key.next();
      if (locs.length < nLoc) {
        locs = new long[Math.max(nLoc, locs.length * 2)];
      }
      int locBytes = 0;
      for (int j = 0; j < nLoc; j++) {
        locs[j] = key.next();
        locBytes += CodedOutputStream.computeUInt64SizeNoTag(locs[j]);
      }
      int valueBytes = 0;
      for (long v : values) {
        valueBytes += CodedOutputStream.computeInt64SizeNoTag(v);
      }
      int size = 0;
      if (nLoc > 0) {
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(locBytes) + locBytes;
      }
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(valueBytes) + valueBytes;
      // Labels: the rest of the key, 4 varints each.
      List<ProfileProto.Label> labels = null;
      while (key.hasMore()) {
        if (labels == null) {
          labels = new ArrayList<>(2);
        }
        ProfileProto.Label.Builder lb = ProfileProto.Label.newBuilder().setKey(key.next());
        long str = key.next();
        long num = decodeZigZag(key.next());
        long unit = key.next();
        if (str != 0) {
          lb.setStr(str);
        }
        if (num != 0) {
          lb.setNum(num);
        }
        if (unit != 0) {
          lb.setNumUnit(unit);
        }
        ProfileProto.Label l = lb.build();
        labels.add(l);
        size += CodedOutputStream.computeMessageSize(3, l);
      }
      c.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      c.writeUInt32NoTag(size);
      if (nLoc > 0) {
        c.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(locBytes);
        for (int j = 0; j < nLoc; j++) {
          c.writeUInt64NoTag(locs[j]);
        }
      }
      c.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      c.writeUInt32NoTag(valueBytes);
      for (long v : values) {
        c.writeInt64NoTag(v);
      }
      if (labels != null) {
        for (ProfileProto.Label l : labels) {
          c.writeMessage(3, l);
        }
      }
    }
  }

  private static long decodeZigZag(long n) {
    return (n >>> 1) ^ -(n & 1);
  }

  private static long encodeZigZag(long n) {
    return (n << 1) ^ (n >> 63);
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
      if (nTypes == 0) {
        return;
      }
      SampleTable.KeyBuilder key = new SampleTable.KeyBuilder();
      long[] values = new long[nTypes];
      for (int i = 0, n = p.getSampleCount(); i < n; i++) {
        ProfileProto.Sample s = p.getSample(i);
        boolean zero = true;
        for (int k = 0; k < nTypes; k++) {
          values[k] = s.getValue(k);
          zero &= values[k] == 0;
        }
        if (zero) {
          continue;
        }
        key.clear();
        int nLoc = s.getLocationIdCount();
        key.put(nLoc);
        for (int j = 0; j < nLoc; j++) {
          key.put(location(srcLocations.indexOf(s.getLocationId(j))));
        }
        int nLab = s.getLabelCount();
        if (nLab > 0) {
          long[] labels = new long[nLab * 4];
          for (int j = 0; j < nLab; j++) {
            ProfileProto.Label l = s.getLabel(j);
            labels[j * 4] = str(l.getKey());
            labels[j * 4 + 1] = l.getStr() == 0 ? 0 : str(l.getStr());
            labels[j * 4 + 2] = encodeZigZag(l.getNum());
            labels[j * 4 + 3] = l.getNumUnit() == 0 ? 0 : str(l.getNumUnit());
          }
          for (long v : sortedLabels(labels)) {
            key.put(v);
          }
        }
        samples.add(key.buf, key.len, values);
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
}
