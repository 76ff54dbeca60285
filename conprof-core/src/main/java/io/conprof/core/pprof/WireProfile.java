package io.conprof.core.pprof;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A validated pprof profile read straight from its protobuf wire format, without message objects.
 *
 * <p>Design: {@link #decode} walks the bytes once, keeps the scalars of the header, decodes the
 * (few) mappings, and for strings, samples, locations and functions records only where each one
 * lies in the buffer; ids go into {@link IdIndex}es. It checks everything {@link
 * ProfileValidator} checks (string table starting with "", string indexes in range, ids non-zero
 * and unique, references resolving, one value per sample type) and everything protobuf-java's
 * parser checks (well-formed varints and lengths, valid UTF-8 strings); fields of unknown numbers
 * are skipped, as protobuf-java skips them (it keeps them aside, which only matters when the
 * message is re-serialised, and the message is always parsed from these same bytes). It does not try to
 * produce error messages: whenever anything is off, or the input uses a wire form this decoder
 * does not take (an unknown field, an unexpected wire type, a repeated message-valued header
 * field), it returns {@code null} and the caller parses with protobuf-java, which gives the exact
 * error, or the profile. So this path changes speed, never the result: a profile it accepts is one
 * that the protobuf-java path accepts with the same content.
 *
 * <p>Consumers ({@link ProfileMerger}) re-read an entity's bytes when they need its fields, with
 * {@link Cursor}; every read is bounds-checked during {@code decode}, so the re-reads cannot fail.
 * The buffer is not copied: callers must not modify it afterwards.
 */
final class WireProfile {
  final byte[] buf;

  int stringCount;
  int[] strOff = new int[64];
  int[] strLen = new int[64];

  long[] sampleTypes = new long[4]; // type, unit string indexes, in pairs
  int sampleTypeCount;

  int sampleCount;
  int[] sampleOff = new int[64];
  int[] sampleEnd = new int[64];

  int mappingCount;
  long[][] mappings = new long[4][]; // see MAPPING_* for the fields
  IdIndex mappingIndex;

  int locationCount;
  int[] locOff = new int[64];
  int[] locEnd = new int[64];
  long[] locIds = new long[64];
  IdIndex locationIndex;

  int functionCount;
  int[] funOff = new int[64];
  int[] funEnd = new int[64];
  long[] funIds = new long[64];
  IdIndex functionIndex;

  long dropFrames;
  long keepFrames;
  long timeNanos;
  long durationNanos;
  boolean hasPeriodType;
  long periodTypeType;
  long periodTypeUnit;
  long period;
  long[] comments = new long[0];
  int commentCount;
  long defaultSampleType;
  long docUrl;

  static final int MAPPING_ID = 0;
  static final int MAPPING_START = 1;
  static final int MAPPING_LIMIT = 2;
  static final int MAPPING_OFFSET = 3;
  static final int MAPPING_FILENAME = 4;
  static final int MAPPING_BUILD_ID = 5;
  static final int MAPPING_HAS_FUNCTIONS = 6;
  static final int MAPPING_HAS_FILENAMES = 7;
  static final int MAPPING_HAS_LINE_NUMBERS = 8;
  static final int MAPPING_HAS_INLINE_FRAMES = 9;

  private WireProfile(byte[] buf) {
    this.buf = buf;
  }

  /** Thrown inside {@link #decode} to give up on the fast path; never escapes it. */
  private static final class Unsupported extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Unsupported INSTANCE = new Unsupported();

    private Unsupported() {
      super("not decodable on the fast path", null, false, false);
    }
  }

  /**
   * The profile in {@code raw}, decoded and validated, or {@code null} when it is invalid or uses a
   * wire form that only protobuf-java reads; then that path gives the answer.
   */
  static WireProfile decode(byte[] raw) {
    if (raw.length == 0) {
      return null;
    }
    WireProfile w = new WireProfile(raw);
    try {
      w.readProfile();
      w.validate();
      return w;
    } catch (Unsupported | InvalidProfileException e) {
      return null;
    }
  }

  String string(long index) {
    int i = (int) index;
    return new String(buf, strOff[i], strLen[i], StandardCharsets.UTF_8);
  }

  boolean stringIsEmpty(long index) {
    return strLen[(int) index] == 0;
  }

  ValueType sampleType(int i) {
    return new ValueType(string(sampleTypes[2 * i]), string(sampleTypes[2 * i + 1]));
  }

  // ---- decoding ----

  private void readProfile() {
    Cursor c = new Cursor(buf, 0, buf.length);
    boolean seenPeriodType = false;
    while (c.more()) {
      int tag = c.tag();
      int field = tag >>> 3;
      int wt = tag & 7;
      switch (field) {
        case 1 -> {
          int end = c.lengthDelimited(wt);
          if (sampleTypeCount * 2 == sampleTypes.length) {
            sampleTypes = Arrays.copyOf(sampleTypes, sampleTypes.length * 2);
          }
          readValueType(c, end, sampleTypes, sampleTypeCount * 2);
          sampleTypeCount++;
        }
        case 2 -> {
          int end = c.lengthDelimited(wt);
          if (sampleCount == sampleOff.length) {
            sampleOff = Arrays.copyOf(sampleOff, sampleCount * 2);
            sampleEnd = Arrays.copyOf(sampleEnd, sampleCount * 2);
          }
          sampleOff[sampleCount] = c.pos;
          sampleEnd[sampleCount++] = end;
          c.pos = end;
        }
        case 3 -> {
          int end = c.lengthDelimited(wt);
          if (mappingCount == mappings.length) {
            mappings = Arrays.copyOf(mappings, mappingCount * 2);
          }
          mappings[mappingCount++] = readMapping(c, end);
        }
        case 4 -> {
          int end = c.lengthDelimited(wt);
          if (locationCount == locOff.length) {
            locOff = Arrays.copyOf(locOff, locationCount * 2);
            locEnd = Arrays.copyOf(locEnd, locationCount * 2);
            locIds = Arrays.copyOf(locIds, locationCount * 2);
          }
          locOff[locationCount] = c.pos;
          locEnd[locationCount] = end;
          locIds[locationCount++] = scanLocation(c, end);
        }
        case 5 -> {
          int end = c.lengthDelimited(wt);
          if (functionCount == funOff.length) {
            funOff = Arrays.copyOf(funOff, functionCount * 2);
            funEnd = Arrays.copyOf(funEnd, functionCount * 2);
            funIds = Arrays.copyOf(funIds, functionCount * 2);
          }
          funOff[functionCount] = c.pos;
          funEnd[functionCount] = end;
          funIds[functionCount++] = scanFunction(c, end);
        }
        case 6 -> {
          int end = c.lengthDelimited(wt);
          if (stringCount == strOff.length) {
            strOff = Arrays.copyOf(strOff, stringCount * 2);
            strLen = Arrays.copyOf(strLen, stringCount * 2);
          }
          checkUtf8(buf, c.pos, end);
          strOff[stringCount] = c.pos;
          strLen[stringCount++] = end - c.pos;
          c.pos = end;
        }
        case 7 -> dropFrames = c.varint(wt);
        case 8 -> keepFrames = c.varint(wt);
        case 9 -> timeNanos = c.varint(wt);
        case 10 -> durationNanos = c.varint(wt);
        case 11 -> {
          if (seenPeriodType) {
            throw Unsupported.INSTANCE; // protobuf merges repeated occurrences
          }
          seenPeriodType = true;
          int end = c.lengthDelimited(wt);
          long[] pt = new long[2];
          readValueType(c, end, pt, 0);
          hasPeriodType = true;
          periodTypeType = pt[0];
          periodTypeUnit = pt[1];
        }
        case 12 -> period = c.varint(wt);
        case 13 -> {
          if (wt == 2) {
            int end = c.lengthDelimited(wt);
            while (c.pos < end) {
              addComment(c.rawVarint(end));
            }
          } else {
            addComment(c.varint(wt));
          }
        }
        case 14 -> defaultSampleType = c.varint(wt);
        case 15 -> docUrl = c.varint(wt);
        default -> c.skip(wt, c.limit);
      }
    }
  }

  private void addComment(long v) {
    if (commentCount == comments.length) {
      comments = Arrays.copyOf(comments, Math.max(4, commentCount * 2));
    }
    comments[commentCount++] = v;
  }

  private static void readValueType(Cursor c, int end, long[] out, int at) {
    while (c.pos < end) {
      int tag = c.tag(end);
      switch (tag >>> 3) {
        case 1 -> out[at] = c.varint(tag & 7, end);
        case 2 -> out[at + 1] = c.varint(tag & 7, end);
        default -> c.skip(tag & 7, end);
      }
    }
  }

  private static long[] readMapping(Cursor c, int end) {
    long[] m = new long[10];
    while (c.pos < end) {
      int tag = c.tag(end);
      int field = tag >>> 3;
      if (field < 1 || field > 10) {
        c.skip(tag & 7, end);
        continue;
      }
      long v = c.varint(tag & 7, end);
      m[field - 1] = field >= 7 ? (v != 0 ? 1 : 0) : v;
    }
    return m;
  }

  /** Checks a location's wire form; returns its id. */
  private static long scanLocation(Cursor c, int end) {
    long id = 0;
    while (c.pos < end) {
      int tag = c.tag(end);
      switch (tag >>> 3) {
        case 1 -> id = c.varint(tag & 7, end);
        case 2, 3, 5 -> c.varint(tag & 7, end);
        case 4 -> {
          int lineEnd = c.lengthDelimited(tag & 7, end);
          while (c.pos < lineEnd) {
            int t = c.tag(lineEnd);
            int f = t >>> 3;
            if (f < 1 || f > 3) {
              c.skip(t & 7, lineEnd);
            } else {
              c.varint(t & 7, lineEnd);
            }
          }
        }
        default -> c.skip(tag & 7, end);
      }
    }
    return id;
  }

  /** Checks a function's wire form; returns its id. */
  private static long scanFunction(Cursor c, int end) {
    long id = 0;
    while (c.pos < end) {
      int tag = c.tag(end);
      int field = tag >>> 3;
      if (field < 1 || field > 5) {
        c.skip(tag & 7, end);
        continue;
      }
      long v = c.varint(tag & 7, end);
      if (field == 1) {
        id = v;
      }
    }
    return id;
  }

  // ---- validation (the rules of ProfileValidator; any failure gives up) ----

  private void validate() throws InvalidProfileException {
    int strings = stringCount;
    if (strings == 0 || strLen[0] != 0) {
      throw Unsupported.INSTANCE;
    }
    for (int i = 0; i < sampleTypeCount * 2; i++) {
      str(sampleTypes[i]);
    }
    str(dropFrames);
    str(keepFrames);
    str(defaultSampleType);
    str(docUrl);
    if (hasPeriodType) {
      str(periodTypeType);
      str(periodTypeUnit);
    }
    for (int i = 0; i < commentCount; i++) {
      str(comments[i]);
    }
    long[] mappingIds = new long[mappingCount];
    for (int i = 0; i < mappingCount; i++) {
      mappingIds[i] = mappings[i][MAPPING_ID];
      str(mappings[i][MAPPING_FILENAME]);
      str(mappings[i][MAPPING_BUILD_ID]);
    }
    mappingIndex = IdIndex.build(mappingIds, "mapping");
    functionIndex = IdIndex.build(Arrays.copyOf(funIds, functionCount), "function");
    Cursor c = new Cursor(buf, 0, buf.length);
    for (int i = 0; i < functionCount; i++) {
      c.pos = funOff[i];
      int end = funEnd[i];
      while (c.pos < end) {
        int tag = c.tag(end);
        int field = tag >>> 3;
        if (field < 1 || field > 5) {
          c.skip(tag & 7, end);
          continue;
        }
        long v = c.varint(tag & 7, end);
        if (field >= 2 && field <= 4) {
          str(v);
        }
      }
    }
    for (int i = 0; i < locationCount; i++) {
      c.pos = locOff[i];
      int end = locEnd[i];
      while (c.pos < end) {
        int tag = c.tag(end);
        int field = tag >>> 3;
        if (field == 4) {
          int lineEnd = c.lengthDelimited(tag & 7, end);
          while (c.pos < lineEnd) {
            int t = c.tag(lineEnd);
            int f = t >>> 3;
            if (f < 1 || f > 3) {
              c.skip(t & 7, lineEnd);
              continue;
            }
            long v = c.varint(t & 7, lineEnd);
            if (f == 1 && v != 0 && functionIndex.indexOf(v) < 0) {
              throw Unsupported.INSTANCE;
            }
          }
        } else if (field < 1 || field > 5) {
          c.skip(tag & 7, end);
        } else {
          long v = c.varint(tag & 7, end);
          if (field == 2 && v != 0 && mappingIndex.indexOf(v) < 0) {
            throw Unsupported.INSTANCE;
          }
        }
      }
    }
    locationIndex = IdIndex.build(Arrays.copyOf(locIds, locationCount), "location");
    for (int i = 0; i < sampleCount; i++) {
      c.pos = sampleOff[i];
      int end = sampleEnd[i];
      int values = 0;
      while (c.pos < end) {
        int tag = c.tag(end);
        int wt = tag & 7;
        switch (tag >>> 3) {
          case 1 -> {
            if (wt == 2) {
              int e = c.lengthDelimited(wt, end);
              while (c.pos < e) {
                location(c.rawVarint(e));
              }
            } else {
              location(c.varint(wt, end));
            }
          }
          case 2 -> {
            if (wt == 2) {
              int e = c.lengthDelimited(wt, end);
              while (c.pos < e) {
                c.rawVarint(e);
                values++;
              }
            } else {
              c.varint(wt, end);
              values++;
            }
          }
          case 3 -> {
            int e = c.lengthDelimited(wt, end);
            while (c.pos < e) {
              int t = c.tag(e);
              int f = t >>> 3;
              if (f < 1 || f > 4) {
                c.skip(t & 7, e);
                continue;
              }
              long v = c.varint(t & 7, e);
              if (f != 3) {
                str(v);
              }
            }
          }
          default -> c.skip(wt, end);
        }
      }
      if (values != sampleTypeCount) {
        throw Unsupported.INSTANCE;
      }
    }
  }

  private void location(long id) {
    if (locationIndex.indexOf(id) < 0) {
      throw Unsupported.INSTANCE;
    }
  }

  private void str(long index) {
    if (index < 0 || index >= stringCount) {
      throw Unsupported.INSTANCE;
    }
  }

  /** Strict UTF-8 as protobuf-java checks it (no overlongs, no surrogates, at most U+10FFFF). */
  private static void checkUtf8(byte[] b, int pos, int end) {
    int i = pos;
    while (i < end && b[i] >= 0) {
      i++;
    }
    while (i < end) {
      int b0 = b[i++] & 0xff;
      if (b0 < 0x80) {
        continue;
      }
      if (b0 < 0xc2) {
        throw Unsupported.INSTANCE;
      } else if (b0 < 0xe0) {
        if (i >= end || !continuation(b[i++])) {
          throw Unsupported.INSTANCE;
        }
      } else if (b0 < 0xf0) {
        if (end - i < 2) {
          throw Unsupported.INSTANCE;
        }
        int b1 = b[i++] & 0xff;
        if (!continuation((byte) b1) || (b0 == 0xe0 && b1 < 0xa0) || (b0 == 0xed && b1 >= 0xa0)
            || !continuation(b[i++])) {
          throw Unsupported.INSTANCE;
        }
      } else if (b0 < 0xf5) {
        if (end - i < 3) {
          throw Unsupported.INSTANCE;
        }
        int b1 = b[i++] & 0xff;
        if (!continuation((byte) b1) || (b0 == 0xf0 && b1 < 0x90) || (b0 == 0xf4 && b1 >= 0x90)
            || !continuation(b[i++]) || !continuation(b[i++])) {
          throw Unsupported.INSTANCE;
        }
      } else {
        throw Unsupported.INSTANCE;
      }
    }
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }

  /**
   * A bounds-checked reader of protobuf wire format over a byte range. During {@link #decode} a
   * malformed input makes it give up; consumers re-reading validated bytes never see that.
   */
  static final class Cursor {
    final byte[] b;
    int pos;
    final int limit;

    Cursor(byte[] b, int pos, int limit) {
      this.b = b;
      this.pos = pos;
      this.limit = limit;
    }

    boolean more() {
      return pos < limit;
    }

    int tag() {
      return tag(limit);
    }

    /** A field tag; field number 0 and groups (wire types 3, 4) give up. */
    int tag(int end) {
      long t = rawVarint(end);
      if (t >>> 32 != 0) {
        throw Unsupported.INSTANCE;
      }
      int tag = (int) t;
      int wt = tag & 7;
      if ((tag >>> 3) == 0 || wt == 3 || wt == 4 || wt > 5) {
        throw Unsupported.INSTANCE;
      }
      return tag;
    }

    /** Skips a field of an unknown number, as protobuf-java does (it keeps it aside). */
    void skip(int wireType, int end) {
      switch (wireType) {
        case 0 -> rawVarint(end);
        case 1 -> advance(8, end);
        case 2 -> pos = lengthDelimited(2, end);
        case 5 -> advance(4, end);
        default -> throw Unsupported.INSTANCE;
      }
    }

    private void advance(int n, int end) {
      if (end - pos < n) {
        throw Unsupported.INSTANCE;
      }
      pos += n;
    }

    long varint(int wireType) {
      return varint(wireType, limit);
    }

    long varint(int wireType, int end) {
      if (wireType != 0) {
        throw Unsupported.INSTANCE;
      }
      return rawVarint(end);
    }

    int lengthDelimited(int wireType) {
      return lengthDelimited(wireType, limit);
    }

    /** Reads a length prefix; returns the end of the field's bytes. */
    int lengthDelimited(int wireType, int end) {
      if (wireType != 2) {
        throw Unsupported.INSTANCE;
      }
      long len = rawVarint(end);
      if (len < 0 || len > end - pos) {
        throw Unsupported.INSTANCE;
      }
      return pos + (int) len;
    }

    /** An unsigned varint; the one-byte case is small enough for C1 to inline. */
    long rawVarint(int end) {
      int p = pos;
      if (p < end && b[p] >= 0) {
        pos = p + 1;
        return b[p];
      }
      return rawVarintSlow(end);
    }

    private long rawVarintSlow(int end) {
      int p = pos;
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (p >= end) {
          throw Unsupported.INSTANCE;
        }
        byte x = b[p++];
        result |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          pos = p;
          return result;
        }
      }
      throw Unsupported.INSTANCE;
    }
  }
}
