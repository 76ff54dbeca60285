package io.conprof.core.pprof;

import io.conprof.core.pprof.proto.ProfileProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stacks of a profile as frame numbers, the common ground of every view (top, folded stacks,
 * flame graphs).
 *
 * <p>A location becomes one frame per line, innermost (inlined) callee first, as pprof expands
 * inlining; a frame is named by its function, or, without symbols, by its mapping's file as
 * {@code [binary]} or {@code <unknown>}, the names {@code go tool pprof} prints at function
 * granularity (its default; pprof drops addresses there, so a hex address never names a frame).
 * Frames with equal names share a number, as pprof merges nodes of equal names. Each location is expanded once, so walking
 * all samples is linear in their stack lengths.
 */
final class StackTable {
  final List<String> names = new ArrayList<>();
  /** Per sample: frame numbers leaf first. */
  final int[][] stacks;
  /** Per sample: for each frame, whether it is inlined into the next (its caller). */
  final boolean[][] inlined;
  /** Per sample: its value in the chosen column. */
  final long[] values;
  /** pprof's total: the sum of absolute values (of the base samples only, for a diff). */
  final long total;
  final ValueType valueType;

  StackTable(Profile profile, String sampleType) {
    ProfileProto.Profile p = profile.proto();
    int column = profile.sampleTypeIndex(sampleType);
    this.valueType = profile.sampleTypes().get(column);
    IdIndex.Indexes ix = profile.indexes();
    Map<String, Integer> byName = new HashMap<>();
    int nLoc = p.getLocationCount();
    int[][] locFrames = new int[nLoc][];
    boolean[][] locInline = new boolean[nLoc][];
    for (int i = 0; i < nLoc; i++) {
      ProfileProto.Location l = p.getLocation(i);
      int lines = l.getLineCount();
      if (lines == 0) {
        locFrames[i] = new int[] {frame(byName, unsymbolizedName(p, l, ix))};
        locInline[i] = new boolean[] {false};
        continue;
      }
      int[] f = new int[lines];
      boolean[] inl = new boolean[lines];
      for (int j = 0; j < lines; j++) {
        long fid = l.getLine(j).getFunctionId();
        int fpos = fid == 0 ? -1 : ix.functions().indexOf(fid);
        String name = fpos < 0 ? "" : p.getStringTable((int) p.getFunction(fpos).getName());
        if (name.isEmpty()) {
          name = unsymbolizedName(p, l, ix);
        }
        f[j] = frame(byName, name);
        inl[j] = j < lines - 1;
      }
      locFrames[i] = f;
      locInline[i] = inl;
    }
    int n = p.getSampleCount();
    stacks = new int[n][];
    inlined = new boolean[n][];
    values = new long[n];
    long abs = 0;
    long baseAbs = 0;
    int baseKey = p.getStringTableList().indexOf("pprof::base");
    for (int s = 0; s < n; s++) {
      ProfileProto.Sample sample = p.getSample(s);
      int len = 0;
      for (int k = 0; k < sample.getLocationIdCount(); k++) {
        len += locFrames[ix.locations().indexOf(sample.getLocationId(k))].length;
      }
      int[] st = new int[len];
      boolean[] in = new boolean[len];
      int pos = 0;
      for (int k = 0; k < sample.getLocationIdCount(); k++) {
        int li = ix.locations().indexOf(sample.getLocationId(k));
        System.arraycopy(locFrames[li], 0, st, pos, locFrames[li].length);
        System.arraycopy(locInline[li], 0, in, pos, locInline[li].length);
        pos += locFrames[li].length;
      }
      stacks[s] = st;
      inlined[s] = in;
      long v = sample.getValue(column);
      values[s] = v;
      abs += Math.abs(v);
      if (baseKey > 0 && isBase(sample, baseKey)) {
        baseAbs += Math.abs(v);
      }
    }
    this.total = baseAbs > 0 ? baseAbs : abs;
  }

  private static boolean isBase(ProfileProto.Sample s, int baseKey) {
    for (ProfileProto.Label l : s.getLabelList()) {
      if (l.getKey() == baseKey) {
        return true;
      }
    }
    return false;
  }

  private int frame(Map<String, Integer> byName, String name) {
    Integer id = byName.get(name);
    if (id == null) {
      id = names.size();
      names.add(name);
      byName.put(name, id);
    }
    return id;
  }

  private static String unsymbolizedName(ProfileProto.Profile p, ProfileProto.Location l, IdIndex.Indexes ix) {
    int m = l.getMappingId() == 0 ? -1 : ix.mappings().indexOf(l.getMappingId());
    if (m >= 0) {
      String file = p.getStringTable((int) p.getMapping(m).getFilename());
      if (!file.isEmpty()) {
        int slash = file.lastIndexOf('/');
        return "[" + (slash >= 0 ? file.substring(slash + 1) : file) + "]";
      }
    }
    return "<unknown>";
  }
}
