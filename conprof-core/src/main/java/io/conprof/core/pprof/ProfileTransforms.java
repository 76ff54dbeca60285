package io.conprof.core.pprof;

import com.google.re2j.Pattern;
import io.conprof.core.pprof.proto.ProfileProto;

/** Value-level transformations of a validated profile message; each returns a new message. */
final class ProfileTransforms {
  private ProfileTransforms() {}

  /** pprof's ScaleN with one ratio: values rounded half away from zero; all-zero samples dropped. */
  static ProfileProto.Profile scale(ProfileProto.Profile p, double ratio) {
    if (ratio == 1.0) {
      return p;
    }
    ProfileProto.Profile.Builder b = p.toBuilder().clearSample();
    for (ProfileProto.Sample s : p.getSampleList()) {
      ProfileProto.Sample.Builder sb = s.toBuilder();
      boolean keep = false;
      for (int i = 0; i < s.getValueCount(); i++) {
        long v = goRound(s.getValue(i) * ratio);
        sb.setValue(i, v);
        keep |= v != 0;
      }
      if (keep) {
        b.addSample(sb);
      }
    }
    return b.build();
  }

  /** Go's math.Round: half away from zero. */
  static long goRound(double x) {
    double r = Math.floor(Math.abs(x) + 0.5);
    return (long) Math.copySign(r, x);
  }

  static ProfileProto.Profile selectSampleType(ProfileProto.Profile p, int index) {
    ProfileProto.Profile.Builder b = p.toBuilder().clearSample().clearSampleType();
    b.addSampleType(p.getSampleType(index));
    b.setDefaultSampleType(0);
    for (ProfileProto.Sample s : p.getSampleList()) {
      b.addSample(s.toBuilder().clearValue().addValue(s.getValue(index)));
    }
    return b.build();
  }

  /** Adds the label {@code pprof::base=true} to every sample, as pprof's -diff_base does. */
  static ProfileProto.Profile markAsBase(ProfileProto.Profile p) {
    ProfileProto.Profile.Builder b = p.toBuilder().clearSample();
    long key = b.getStringTableCount();
    b.addStringTable("pprof::base");
    long value = b.getStringTableCount();
    b.addStringTable("true");
    ProfileProto.Label label = ProfileProto.Label.newBuilder().setKey(key).setStr(value).build();
    for (ProfileProto.Sample s : p.getSampleList()) {
      b.addSample(s.toBuilder().addLabel(label));
    }
    return b.build();
  }

  static ProfileProto.Profile filter(ProfileProto.Profile p, ProfileFilter filter) {
    if (filter.keepsEverything()) {
      return p;
    }
    // Per location: +1 focused, -1 ignored, 0 neither (pprof's focusOrIgnore table).
    IdIndex locations = locationIndex(p);
    byte[] state = new byte[p.getLocationCount()];
    Pattern focus = filter.focusPattern();
    Pattern ignore = filter.ignorePattern();
    if (focus != null || ignore != null) {
      IdIndex functions = functionIndex(p);
      IdIndex mappings = mappingIndex(p);
      for (int i = 0; i < state.length; i++) {
        ProfileProto.Location l = p.getLocation(i);
        if (ignore != null && matchesName(p, l, ignore, functions, mappings)) {
          state[i] = -1;
        } else if (focus == null || matchesName(p, l, focus, functions, mappings)) {
          state[i] = 1;
        }
      }
    }
    ProfileProto.Profile.Builder b = p.toBuilder().clearSample();
    for (ProfileProto.Sample s : p.getSampleList()) {
      if ((focus != null || ignore != null) && !focusedAndNotIgnored(s, state, locations)) {
        continue;
      }
      if (!labelsMatch(p, s, filter)) {
        continue;
      }
      b.addSample(s);
    }
    return b.build();
  }

  private static boolean focusedAndNotIgnored(ProfileProto.Sample s, byte[] state, IdIndex locations) {
    boolean focused = false;
    for (int j = 0; j < s.getLocationIdCount(); j++) {
      byte st = state[locations.indexOf(s.getLocationId(j))];
      if (st < 0) {
        return false;
      }
      focused |= st > 0;
    }
    return focused;
  }

  private static boolean labelsMatch(ProfileProto.Profile p, ProfileProto.Sample s, ProfileFilter filter) {
    for (ProfileFilter.LabelCondition c : filter.labelConditions()) {
      String value = "";
      for (ProfileProto.Label l : s.getLabelList()) {
        if (l.getStr() != 0 && p.getStringTable((int) l.getKey()).equals(c.key())) {
          value = p.getStringTable((int) l.getStr());
          break;
        }
      }
      boolean m = c.valuePattern().matcher(value).matches();
      if (m == c.negate()) {
        return false;
      }
    }
    return true;
  }

  private static boolean matchesName(
      ProfileProto.Profile p, ProfileProto.Location l, Pattern re, IdIndex functions, IdIndex mappings) {
    for (ProfileProto.Line line : l.getLineList()) {
      int fi = functions.indexOf(line.getFunctionId());
      if (fi >= 0) {
        ProfileProto.Function f = p.getFunction(fi);
        if (re.matcher(p.getStringTable((int) f.getName())).find()
            || re.matcher(p.getStringTable((int) f.getFilename())).find()) {
          return true;
        }
      }
    }
    int mi = mappings.indexOf(l.getMappingId());
    return mi >= 0 && re.matcher(p.getStringTable((int) p.getMapping(mi).getFilename())).find();
  }

  static IdIndex functionIndex(ProfileProto.Profile p) {
    long[] ids = new long[p.getFunctionCount()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = p.getFunction(i).getId();
    }
    try {
      return IdIndex.build(ids, "function");
    } catch (InvalidProfileException e) {
      throw new IllegalStateException("validated profile has bad function ids", e);
    }
  }

  static IdIndex mappingIndex(ProfileProto.Profile p) {
    long[] ids = new long[p.getMappingCount()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = p.getMapping(i).getId();
    }
    try {
      return IdIndex.build(ids, "mapping");
    } catch (InvalidProfileException e) {
      throw new IllegalStateException("validated profile has bad mapping ids", e);
    }
  }

  static IdIndex locationIndex(ProfileProto.Profile p) {
    long[] ids = new long[p.getLocationCount()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = p.getLocation(i).getId();
    }
    try {
      return IdIndex.build(ids, "location");
    } catch (InvalidProfileException e) {
      throw new IllegalStateException("validated profile has bad location ids", e);
    }
  }
}
