package io.conprof.core.pprof;

import io.conprof.core.pprof.IdIndex.Indexes;
import io.conprof.core.pprof.proto.ProfileProto;

/**
 * Structural checks of a parsed pprof message, the rules of {@code profile.proto}: the string table
 * starts with "", every string index is in range, mapping, location and function ids are non-zero
 * and unique, every id a sample or location refers to exists, and every sample has exactly one
 * value per sample type. Errors say which entity is wrong and how.
 */
final class ProfileValidator {
  private ProfileValidator() {}

  /** Validates {@code p}; returns the id indexes it built so that callers do not rebuild them. */
  static Indexes validate(ProfileProto.Profile p) throws InvalidProfileException {
    int strings = p.getStringTableCount();
    if (strings == 0) {
      throw new InvalidProfileException("not a pprof profile: the string table is empty (string_table[0] must be \"\")");
    }
    if (!p.getStringTable(0).isEmpty()) {
      throw new InvalidProfileException("string_table[0] must be \"\", found " + quote(p.getStringTable(0)));
    }
    int types = p.getSampleTypeCount();
    for (int i = 0; i < types; i++) {
      ProfileProto.ValueType vt = p.getSampleType(i);
      str(strings, vt.getType(), "sample_type #" + i + " type");
      str(strings, vt.getUnit(), "sample_type #" + i + " unit");
    }
    str(strings, p.getDropFrames(), "drop_frames");
    str(strings, p.getKeepFrames(), "keep_frames");
    str(strings, p.getDefaultSampleType(), "default_sample_type");
    str(strings, p.getDocUrl(), "doc_url");
    if (p.hasPeriodType()) {
      str(strings, p.getPeriodType().getType(), "period_type type");
      str(strings, p.getPeriodType().getUnit(), "period_type unit");
    }
    for (int i = 0; i < p.getCommentCount(); i++) {
      str(strings, p.getComment(i), "comment #" + i);
    }

    int nm = p.getMappingCount();
    long[] mappingIds = new long[nm];
    for (int i = 0; i < nm; i++) {
      ProfileProto.Mapping m = p.getMapping(i);
      mappingIds[i] = m.getId();
      if (bad(strings, m.getFilename()) || bad(strings, m.getBuildId())) {
        str(strings, m.getFilename(), "mapping #" + i + " filename");
        str(strings, m.getBuildId(), "mapping #" + i + " build_id");
      }
    }
    IdIndex mappings = IdIndex.build(mappingIds, "mapping");

    int nf = p.getFunctionCount();
    long[] functionIds = new long[nf];
    for (int i = 0; i < nf; i++) {
      ProfileProto.Function f = p.getFunction(i);
      functionIds[i] = f.getId();
      if (bad(strings, f.getName()) || bad(strings, f.getSystemName()) || bad(strings, f.getFilename())) {
        String where = "function id " + Long.toUnsignedString(f.getId());
        str(strings, f.getName(), where + " name");
        str(strings, f.getSystemName(), where + " system_name");
        str(strings, f.getFilename(), where + " filename");
      }
    }
    IdIndex functions = IdIndex.build(functionIds, "function");

    int nl = p.getLocationCount();
    long[] locationIds = new long[nl];
    for (int i = 0; i < nl; i++) {
      ProfileProto.Location l = p.getLocation(i);
      locationIds[i] = l.getId();
      long mid = l.getMappingId();
      if (mid != 0 && mappings.indexOf(mid) < 0) {
        throw new InvalidProfileException(
            "location id " + Long.toUnsignedString(l.getId()) + " refers to mapping id "
                + Long.toUnsignedString(mid) + ", which does not exist (" + nm + " mappings)");
      }
      for (int j = 0; j < l.getLineCount(); j++) {
        long fid = l.getLine(j).getFunctionId();
        if (fid != 0 && functions.indexOf(fid) < 0) {
          throw new InvalidProfileException(
              "location id " + Long.toUnsignedString(l.getId()) + " line #" + j + " refers to function id "
                  + Long.toUnsignedString(fid) + ", which does not exist (" + nf + " functions)");
        }
      }
    }
    IdIndex locations = IdIndex.build(locationIds, "location");

    int ns = p.getSampleCount();
    for (int i = 0; i < ns; i++) {
      ProfileProto.Sample s = p.getSample(i);
      if (s.getValueCount() != types) {
        throw new InvalidProfileException(
            "sample #" + i + " has " + s.getValueCount() + " values but the profile has " + types + " sample types");
      }
      for (int j = 0; j < s.getLocationIdCount(); j++) {
        long lid = s.getLocationId(j);
        if (locations.indexOf(lid) < 0) {
          throw new InvalidProfileException(
              "sample #" + i + " refers to location id " + Long.toUnsignedString(lid)
                  + ", which does not exist (" + nl + " locations)");
        }
      }
      for (int j = 0; j < s.getLabelCount(); j++) {
        ProfileProto.Label label = s.getLabel(j);
        if (bad(strings, label.getKey()) || bad(strings, label.getStr()) || bad(strings, label.getNumUnit())) {
          String where = "sample #" + i + " label #" + j;
          str(strings, label.getKey(), where + " key");
          str(strings, label.getStr(), where + " str");
          str(strings, label.getNumUnit(), where + " num_unit");
        }
      }
    }
    return new Indexes(mappings, functions, locations);
  }

  /** True when {@code index} is outside a string table of {@code strings} entries. */
  private static boolean bad(int strings, long index) {
    return index < 0 || index >= strings;
  }

  private static void str(int strings, long index, String where) throws InvalidProfileException {
    if (index < 0 || index >= strings) {
      throw new InvalidProfileException(
          where + " refers to string " + index + ", outside the string table of " + strings + " entries");
    }
  }

  private static String quote(String s) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return "\"" + shown.replace("\"", "\\\"") + "\"";
  }
}
