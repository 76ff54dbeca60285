package io.conprof.core.pprof;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.conprof.core.pprof.proto.ProfileProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
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
 * SampleTable}. The input is read in its protobuf wire form ({@link WireProfile}): profiles from
 * {@link ProfileReader} carry it, others are serialised once. Strings are interned by their UTF-8
 * bytes and the other tables by their varint-encoded content ({@link BytesTable}), so remapping
 * builds no message objects, no Java strings, and no per-entity keys; the merged tables are
 * written back as protobuf by hand, in the canonical encoding protobuf-java would produce. The input is not referenced after {@code add} returns, so merging 10,000 profiles
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

  // Merged tables; entry n of each has id n + 1.
  private final BytesTable strings = new BytesTable(); // UTF-8 bytes
  private final BytesTable functions = new BytesTable(); // name, system name, file, start line
  private final BytesTable mappingKeys = new BytesTable(); // rounded size, offset, build id or file
  private final List<long[]> mappings = new ArrayList<>(); // WireProfile.MAPPING_* fields, remapped
  private final BytesTable locations = new BytesTable(); // mapping, relative address, folded, lines
  private SampleTable samples; // created with the first profile, when the width is known

  // Scratch, reused across profiles.
  private final SampleTable.KeyBuilder sampleKey = new SampleTable.KeyBuilder();
  private final SampleTable.KeyBuilder locationKey = new SampleTable.KeyBuilder();
  private final SampleTable.KeyBuilder entityKey = new SampleTable.KeyBuilder();

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
    WireProfile w = wireOf(profile);
    List<ValueType> types = new ArrayList<>(w.sampleTypeCount);
    for (int i = 0; i < w.sampleTypeCount; i++) {
      types.add(w.sampleType(i));
    }
    ValueType pt = w.hasPeriodType ? new ValueType(w.string(w.periodTypeType), w.string(w.periodTypeUnit)) : null;
    if (profiles == 0) {
      sampleTypes = List.copyOf(types);
      samples = new SampleTable(Math.max(1, types.size()));
      periodType = pt;
      dropFrames = w.string(w.dropFrames);
      keepFrames = w.string(w.keepFrames);
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
    if (profiles == 0 || w.timeNanos < timeNanos || timeNanos == 0) {
      timeNanos = w.timeNanos;
    }
    durationNanos += w.durationNanos;
    if (period == 0 || period < w.period) {
      period = w.period;
    }
    for (int i = 0; i < w.commentCount; i++) {
      comments.add(w.string(w.comments[i]));
    }
    if (defaultSampleType.isEmpty()) {
      defaultSampleType = w.string(w.defaultSampleType);
    }
    profiles++;
    new Remapper(w).run();
  }

  /** The wire form of {@code profile}: the one it was read from, else its serialisation. */
  private static WireProfile wireOf(Profile profile) throws InvalidProfileException {
    if (profile.wire != null) {
      return profile.wire;
    }
    ProfileProto.Profile p = profile.proto();
    WireProfile w = WireProfile.decode(p.toByteArray());
    if (w == null) {
      ProfileValidator.validate(p); // says what is wrong
      throw new IllegalStateException("a valid profile message was not decoded from its own serialisation");
    }
    return w;
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

  /**
   * Writes the merged profile as gzipped protobuf without building it in memory first. The gzip
   * level is the fastest ({@link java.util.zip.Deflater#BEST_SPEED}, as Go's runtime writes its
   * profiles): about 5 times faster than the default level, for a file about a quarter larger.
   */
  public void writeGzip(OutputStream out) throws IOException {
    try (GZIPOutputStream gz = new Profile.FastGzipOutputStream(out)) {
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
    int[] commentIdx = new int[comments.size()];
    int next = 0;
    for (String comment : comments) {
      commentIdx[next++] = intern(comment); // a loop, not a stream: no lambda to spin up at start-up
    }
    int defaultIdx = intern(defaultSampleType);
    int dropIdx = intern(dropFrames);
    int keepIdx = intern(keepFrames);

    CodedOutputStream c = CodedOutputStream.newInstance(out, 64 * 1024);
    for (int i = 0; i < sampleTypes.size(); i++) {
      writeValueType(c, 1, typeIdx[2 * i], typeIdx[2 * i + 1]);
    }
    writeSamples(c);
    for (long[] m : mappings) {
      writeMapping(c, m);
    }
    writeLocations(c);
    writeFunctions(c);
    byte[] data = strings.data();
    for (int n = 0; n < strings.size(); n++) {
      c.writeTag(6, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      c.writeUInt32NoTag(strings.length(n));
      c.writeRawBytes(data, strings.offset(n), strings.length(n));
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
      writeValueType(c, 11, ptType, ptUnit);
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

  // ---- canonical protobuf encoding (proto3: fields in number order, zero scalars omitted) ----

  private static int sizeIfSet(int field, long v) {
    return v == 0 ? 0 : CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(v);
  }

  private static void writeIfSet(CodedOutputStream c, int field, long v) throws IOException {
    if (v != 0) {
      c.writeTag(field, WireFormat.WIRETYPE_VARINT);
      c.writeUInt64NoTag(v);
    }
  }

  private static void writeValueType(CodedOutputStream c, int field, long type, long unit) throws IOException {
    c.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    c.writeUInt32NoTag(sizeIfSet(1, type) + sizeIfSet(2, unit));
    writeIfSet(c, 1, type);
    writeIfSet(c, 2, unit);
  }

  private static void writeMapping(CodedOutputStream c, long[] m) throws IOException {
    int size = 0;
    for (int f = 0; f < 10; f++) {
      size += sizeIfSet(f + 1, m[f]);
    }
    c.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    c.writeUInt32NoTag(size);
    for (int f = 0; f < 10; f++) {
      writeIfSet(c, f + 1, m[f]);
    }
  }

  private void writeFunctions(CodedOutputStream c) throws IOException {
    SampleTable.KeyReader r = new SampleTable.KeyReader();
    byte[] data = functions.data();
    for (int n = 0; n < functions.size(); n++) {
      r.reset(data, functions.offset(n), functions.offset(n) + functions.length(n));
      long id = n + 1;
      long name = r.next();
      long systemName = r.next();
      long filename = r.next();
      long startLine = r.next();
      c.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      c.writeUInt32NoTag(sizeIfSet(1, id) + sizeIfSet(2, name) + sizeIfSet(3, systemName) + sizeIfSet(4, filename)
          + sizeIfSet(5, startLine));
      writeIfSet(c, 1, id);
      writeIfSet(c, 2, name);
      writeIfSet(c, 3, systemName);
      writeIfSet(c, 4, filename);
      writeIfSet(c, 5, startLine);
    }
  }

  private void writeLocations(CodedOutputStream c) throws IOException {
    SampleTable.KeyReader r = new SampleTable.KeyReader();
    byte[] data = locations.data();
    long[] lines = new long[48];
    for (int n = 0; n < locations.size(); n++) {
      r.reset(data, locations.offset(n), locations.offset(n) + locations.length(n));
      long id = n + 1;
      long mappingId = r.next();
      long address = r.next();
      if (mappingId != 0) {
        address += mappings.get((int) mappingId - 1)[WireProfile.MAPPING_START];
      }
      long folded = r.next();
      int nLines = (int) r.next();
      if (lines.length < nLines * 3) {
        lines = new long[nLines * 3];
      }
      int size = sizeIfSet(1, id) + sizeIfSet(2, mappingId) + sizeIfSet(3, address) + sizeIfSet(5, folded);
      for (int j = 0; j < nLines; j++) {
        lines[3 * j] = r.next();
        lines[3 * j + 1] = r.next();
        lines[3 * j + 2] = r.next();
        int lineSize = sizeIfSet(1, lines[3 * j]) + sizeIfSet(2, lines[3 * j + 1]) + sizeIfSet(3, lines[3 * j + 2]);
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(lineSize) + lineSize;
      }
      c.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      c.writeUInt32NoTag(size);
      writeIfSet(c, 1, id);
      writeIfSet(c, 2, mappingId);
      writeIfSet(c, 3, address);
      for (int j = 0; j < nLines; j++) {
        long fid = lines[3 * j];
        long line = lines[3 * j + 1];
        long column = lines[3 * j + 2];
        c.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(sizeIfSet(1, fid) + sizeIfSet(2, line) + sizeIfSet(3, column));
        writeIfSet(c, 1, fid);
        writeIfSet(c, 2, line);
        writeIfSet(c, 3, column);
      }
      writeIfSet(c, 5, folded);
    }
  }

  private void writeSamples(CodedOutputStream c) throws IOException {
    int width = samples.width();
    long[] values = new long[width];
    long[] locs = new long[64];
    long[] labels = new long[16];
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
      // Labels: the rest of the key, 4 varints each (key, str, zigzag num, unit).
      int nLab = 0;
      while (key.hasMore()) {
        if (labels.length < (nLab + 1) * 4) {
          labels = Arrays.copyOf(labels, labels.length * 2);
        }
        labels[nLab * 4] = key.next();
        labels[nLab * 4 + 1] = key.next();
        labels[nLab * 4 + 2] = decodeZigZag(key.next());
        labels[nLab * 4 + 3] = key.next();
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(labelSize(labels, nLab)) + labelSize(labels, nLab);
        nLab++;
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
      for (int j = 0; j < nLab; j++) {
        c.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(labelSize(labels, j));
        for (int f = 0; f < 4; f++) {
          writeIfSet(c, f + 1, labels[j * 4 + f]);
        }
      }
    }
  }

  private static int labelSize(long[] labels, int j) {
    int size = 0;
    for (int f = 0; f < 4; f++) {
      size += sizeIfSet(f + 1, labels[j * 4 + f]);
    }
    return size;
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
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return strings.intern(b, 0, b.length);
  }

  /** Remaps one input profile, in wire form, into the merged tables. */
  private final class Remapper {
    private final WireProfile w;
    private final byte[] buf;
    private final WireProfile.Cursor c;
    private final int[] stringMap; // src string index -> merged index + 1 (0 = not yet mapped)
    private final int[] functionMap; // src function position -> merged id (0 = not yet)
    private final int[] mappingMap; // src mapping position -> merged id (0 = not yet)
    private final long[] mappingOffset;
    private final int[] locationMap; // src location position -> merged id (0 = not yet)
    private long[] lines = new long[48];

    Remapper(WireProfile w) {
      this.w = w;
      this.buf = w.buf;
      this.c = new WireProfile.Cursor(w.buf, 0, w.buf.length);
      this.stringMap = new int[w.stringCount];
      this.functionMap = new int[w.functionCount];
      this.mappingMap = new int[w.mappingCount];
      this.mappingOffset = new long[w.mappingCount];
      this.locationMap = new int[w.locationCount];
    }

    void run() {
      if (mappings.isEmpty() && w.mappingCount > 0) {
        mapping(0); // the first mapping is the main binary; keep it first
      }
      int nTypes = w.sampleTypeCount;
      if (nTypes == 0) {
        return;
      }
      SampleTable.KeyBuilder key = sampleKey;
      long[] values = new long[nTypes];
      long[] locs = new long[64];
      long[] labels = new long[16];
      for (int i = 0, n = w.sampleCount; i < n; i++) {
        int end = w.sampleEnd[i];
        c.pos = w.sampleOff[i];
        int nLoc = 0;
        int nVal = 0;
        int nLab = 0;
        while (c.pos < end) {
          int tag = c.tag(end);
          int wt = tag & 7;
          switch (tag >>> 3) {
            case 1 -> {
              if (wt == 2) {
                int e = c.lengthDelimited(wt, end);
                while (c.pos < e) {
                  if (nLoc == locs.length) {
                    locs = Arrays.copyOf(locs, nLoc * 2);
                  }
                  locs[nLoc++] = c.rawVarint(e);
                }
              } else {
                if (nLoc == locs.length) {
                  locs = Arrays.copyOf(locs, nLoc * 2);
                }
                locs[nLoc++] = c.varint(wt, end);
              }
            }
            case 2 -> {
              if (wt == 2) {
                int e = c.lengthDelimited(wt, end);
                while (c.pos < e) {
                  values[nVal++] = c.rawVarint(e);
                }
              } else {
                values[nVal++] = c.varint(wt, end);
              }
            }
            case 3 -> {
              int e = c.lengthDelimited(wt, end);
              if (labels.length < (nLab + 1) * 4) {
                labels = Arrays.copyOf(labels, labels.length * 2);
              }
              int at = nLab * 4;
              labels[at] = 0;
              labels[at + 1] = 0;
              labels[at + 2] = 0;
              labels[at + 3] = 0;
              while (c.pos < e) {
                int t = c.tag(e);
                int f = t >>> 3;
                if (f >= 1 && f <= 4) {
                  labels[at + f - 1] = c.varint(t & 7, e);
                } else {
                  c.skip(t & 7, e);
                }
              }
              nLab++;
            }
            default -> c.skip(wt, end);
          }
        }
        if (isZero(values)) {
          continue;
        }
        key.clear();
        key.put(nLoc);
        for (int j = 0; j < nLoc; j++) {
          key.put(location(w.locationIndex.indexOf(locs[j])));
        }
        if (nLab > 0) {
          for (int j = 0; j < nLab; j++) {
            int at = j * 4;
            labels[at] = str(labels[at]);
            labels[at + 1] = labels[at + 1] == 0 ? 0 : str(labels[at + 1]);
            labels[at + 2] = encodeZigZag(labels[at + 2]);
            labels[at + 3] = labels[at + 3] == 0 ? 0 : str(labels[at + 3]);
          }
          sortQuads(labels, nLab);
          for (int j = 0; j < nLab * 4; j++) {
            key.put(labels[j]);
          }
        }
        samples.add(key.buf, key.len, values);
      }
    }

    private int str(long srcIndex) {
      int i = (int) srcIndex;
      int m = stringMap[i];
      if (m == 0) {
        m = strings.intern(buf, w.strOff[i], w.strLen[i]) + 1;
        stringMap[i] = m;
      }
      return m - 1;
    }

    private int location(int pos) {
      int id = locationMap[pos];
      if (id != 0) {
        return id;
      }
      int end = w.locEnd[pos];
      c.pos = w.locOff[pos];
      long srcMappingId = 0;
      long srcAddress = 0;
      long folded = 0;
      int nLines = 0;
      while (c.pos < end) {
        int tag = c.tag(end);
        switch (tag >>> 3) {
          case 2 -> srcMappingId = c.varint(tag & 7, end);
          case 3 -> srcAddress = c.varint(tag & 7, end);
          case 5 -> folded = c.varint(tag & 7, end) != 0 ? 1 : 0;
          case 4 -> {
            int e = c.lengthDelimited(tag & 7, end);
            if (lines.length < (nLines + 1) * 3) {
              lines = Arrays.copyOf(lines, lines.length * 2);
            }
            int at = nLines * 3;
            lines[at] = 0;
            lines[at + 1] = 0;
            lines[at + 2] = 0;
            while (c.pos < e) {
              int t = c.tag(e);
              int f = t >>> 3;
              if (f >= 1 && f <= 3) {
                lines[at + f - 1] = c.varint(t & 7, e);
              } else {
                c.skip(t & 7, e);
              }
            }
            nLines++;
          }
          default -> c.skip(tag & 7, end);
        }
      }
      long mappingId = 0;
      long offset = 0;
      long mappingStart = 0;
      int mpos = srcMappingId == 0 ? -1 : w.mappingIndex.indexOf(srcMappingId);
      if (mpos >= 0) {
        mappingId = mapping(mpos);
        offset = mappingOffset[mpos];
        mappingStart = mappings.get((int) mappingId - 1)[WireProfile.MAPPING_START];
      }
      long address = srcAddress + offset;
      // The cursor is done with this location: function() may move it.
      long[] ls = lines;
      for (int j = 0; j < nLines; j++) {
        long fid = ls[j * 3];
        int fpos = fid == 0 ? -1 : w.functionIndex.indexOf(fid);
        ls[j * 3] = fpos < 0 ? 0 : function(fpos);
      }
      SampleTable.KeyBuilder k = locationKey;
      k.clear();
      k.put(mappingId);
      k.put(mappingId != 0 ? address - mappingStart : address);
      k.put(folded);
      k.put(nLines);
      for (int j = 0; j < nLines * 3; j++) {
        k.put(ls[j]);
      }
      id = locations.intern(k.buf, 0, k.len) + 1;
      locationMap[pos] = id;
      return id;
    }

    private int function(int pos) {
      int id = functionMap[pos];
      if (id != 0) {
        return id;
      }
      int end = w.funEnd[pos];
      c.pos = w.funOff[pos];
      long name = 0;
      long systemName = 0;
      long filename = 0;
      long startLine = 0;
      while (c.pos < end) {
        int tag = c.tag(end);
        switch (tag >>> 3) {
          case 1 -> c.varint(tag & 7, end);
          case 2 -> name = c.varint(tag & 7, end);
          case 3 -> systemName = c.varint(tag & 7, end);
          case 4 -> filename = c.varint(tag & 7, end);
          case 5 -> startLine = c.varint(tag & 7, end);
          default -> c.skip(tag & 7, end);
        }
      }
      SampleTable.KeyBuilder k = entityKey;
      int mName = str(name);
      int mSystemName = str(systemName);
      int mFilename = str(filename);
      k.clear();
      k.put(mName);
      k.put(mSystemName);
      k.put(mFilename);
      k.put(startLine);
      id = functions.intern(k.buf, 0, k.len) + 1;
      functionMap[pos] = id;
      return id;
    }

    private int mapping(int pos) {
      int id = mappingMap[pos];
      if (id != 0) {
        return id;
      }
      long[] src = w.mappings[pos];
      long size = src[WireProfile.MAPPING_LIMIT] - src[WireProfile.MAPPING_START];
      size = size + 0xfff;
      size = size - Long.remainderUnsigned(size, 0x1000);
      long buildId = src[WireProfile.MAPPING_BUILD_ID];
      long filename = src[WireProfile.MAPPING_FILENAME];
      int buildIdOrFile = buildId != 0 && !w.stringIsEmpty(buildId) ? str(buildId) : (filename != 0 ? str(filename) : 0);
      SampleTable.KeyBuilder k = entityKey;
      k.clear();
      k.put(size);
      k.put(src[WireProfile.MAPPING_OFFSET]);
      k.put(buildIdOrFile);
      int n = mappingKeys.intern(k.buf, 0, k.len);
      if (n < mappings.size()) {
        mappingOffset[pos] = mappings.get(n)[WireProfile.MAPPING_START] - src[WireProfile.MAPPING_START];
      } else {
        long[] m = src.clone();
        m[WireProfile.MAPPING_ID] = n + 1;
        m[WireProfile.MAPPING_FILENAME] = filename == 0 ? 0 : str(filename);
        m[WireProfile.MAPPING_BUILD_ID] = buildId == 0 ? 0 : str(buildId);
        mappings.add(m);
        mappingOffset[pos] = 0;
      }
      mappingMap[pos] = n + 1;
      return n + 1;
    }
  }

  /** Sorts the first {@code n} (key, str, num, unit) quadruples of {@code q}, so that label order does not matter. */
  private static void sortQuads(long[] q, int n) {
    for (int i = 1; i < n; i++) {
      for (int j = i; j > 0 && compareQuads(q, j - 1, j) > 0; j--) {
        for (int f = 0; f < 4; f++) {
          long t = q[(j - 1) * 4 + f];
          q[(j - 1) * 4 + f] = q[j * 4 + f];
          q[j * 4 + f] = t;
        }
      }
    }
  }

  private static int compareQuads(long[] q, int a, int b) {
    for (int f = 0; f < 4; f++) {
      int c = Long.compare(q[a * 4 + f], q[b * 4 + f]);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
