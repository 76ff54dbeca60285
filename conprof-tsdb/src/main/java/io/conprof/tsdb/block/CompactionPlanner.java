package io.conprof.tsdb.block;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses which blocks to compact next, with Prometheus' rules ({@code LeveledCompactor.plan}):
 *
 * <ol>
 *   <li>Blocks that overlap in time come first: the first run of mutually overlapping blocks (by minTime) is
 *       merged, whatever their size.
 *   <li>Otherwise the newest block (the one with the greatest minTime, just cut from the head) is left out,
 *       and for each range after the first (e.g. 6 h, 18 h, ... for ranges 2 h, 6 h, 18 h, ...) the blocks
 *       are split into groups aligned to that range; the first group of more than one block that either
 *       spans the whole range or ends before the newest block starts is chosen.
 * </ol>
 *
 * Blocks marked deletable are ignored. {@link #plan} returns at most one group (a list with zero or one
 * element); the caller compacts it, reloads and plans again until nothing is left. Prometheus' third rule
 * (rewriting a block with more than 5% tombstones) is not applied: deleted data goes away when its block is
 * next compacted.
 */
public final class CompactionPlanner {
  private final long[] ranges;

  /**
   * @param rangesMillis ascending block ranges, as Prometheus' {@code ExponentialBlockRanges}: the first is
   *     the range of the blocks cut from the head (2 h), the following ones (6 h, 18 h, ...) are the sizes
   *     compaction groups blocks into. With ranges 6 h, 18 h, ... the 2 h blocks would go straight into
   *     18 h groups.
   */
  public CompactionPlanner(List<Long> rangesMillis) {
    if (rangesMillis.isEmpty()) {
      throw new IllegalArgumentException("at least one block range is needed");
    }
    ranges = new long[rangesMillis.size()];
    for (int i = 0; i < ranges.length; i++) {
      ranges[i] = rangesMillis.get(i);
      if (ranges[i] <= 0 || (i > 0 && ranges[i] <= ranges[i - 1])) {
        throw new IllegalArgumentException("block ranges must be positive and ascending: " + rangesMillis);
      }
    }
  }

  /**
   * Prometheus' {@code ExponentialBlockRanges}: {@code steps} ranges starting at {@code minSizeMillis},
   * each {@code stepSize} times the previous, capped at {@code maxMillis} (Prometheus caps at min(31 d, 10%
   * of the retention)); ranges above the cap are dropped.
   */
  public static List<Long> exponentialRanges(long minSizeMillis, int steps, int stepSize, long maxMillis) {
    List<Long> out = new ArrayList<>();
    long r = minSizeMillis;
    for (int i = 0; i < steps && r <= maxMillis; i++) {
      out.add(r);
      r *= stepSize;
    }
    if (out.isEmpty()) {
      out.add(minSizeMillis);
    }
    return out;
  }

  /** The next group of blocks to compact: an empty list, or a list holding one group of two or more blocks. */
  public List<List<BlockMeta>> plan(List<BlockMeta> blocks) {
    List<BlockMeta> ds = new ArrayList<>();
    for (BlockMeta b : blocks) {
      if (!b.deletable()) {
        ds.add(b);
      }
    }
    ds.sort(Comparator.comparingLong(BlockMeta::minTimeMillis).thenComparing(BlockMeta::ulid));
    List<BlockMeta> overlapping = selectOverlapping(ds);
    if (!overlapping.isEmpty()) {
      return List.of(overlapping);
    }
    if (ds.size() < 2) {
      return List.of();
    }
    List<BlockMeta> selected = selectDirs(ds.subList(0, ds.size() - 1));
    return selected.isEmpty() ? List.of() : List.of(selected);
  }

  private static List<BlockMeta> selectOverlapping(List<BlockMeta> ds) {
    List<BlockMeta> out = new ArrayList<>();
    if (ds.size() < 2) {
      return out;
    }
    long globalMaxt = ds.get(0).maxTimeMillis();
    for (int i = 1; i < ds.size(); i++) {
      BlockMeta d = ds.get(i);
      if (d.minTimeMillis() < globalMaxt) {
        if (out.isEmpty()) {
          out.add(ds.get(i - 1));
        }
        out.add(d);
      } else if (!out.isEmpty()) {
        break;
      }
      globalMaxt = Math.max(globalMaxt, d.maxTimeMillis());
    }
    return out;
  }

  private List<BlockMeta> selectDirs(List<BlockMeta> ds) {
    if (ranges.length < 2 || ds.isEmpty()) {
      return List.of();
    }
    long highTime = ds.get(ds.size() - 1).minTimeMillis();
    for (int r = 1; r < ranges.length; r++) {
      long iv = ranges[r];
      for (List<BlockMeta> p : splitByRange(ds, iv)) {
        long mint = p.get(0).minTimeMillis();
        long maxt = p.get(p.size() - 1).maxTimeMillis();
        if ((maxt - mint == iv || maxt <= highTime) && p.size() > 1) {
          return p;
        }
      }
    }
    return List.of();
  }

  /** Groups consecutive blocks that fall into the same range of size {@code tr} aligned to multiples of it. */
  static List<List<BlockMeta>> splitByRange(List<BlockMeta> ds, long tr) {
    List<List<BlockMeta>> out = new ArrayList<>();
    int i = 0;
    while (i < ds.size()) {
      BlockMeta m = ds.get(i);
      long t0 = Math.floorDiv(m.minTimeMillis(), tr) * tr;
      if (m.maxTimeMillis() > t0 + tr) {
        i++;
        continue;
      }
      List<BlockMeta> group = new ArrayList<>();
      while (i < ds.size() && ds.get(i).maxTimeMillis() <= t0 + tr) {
        group.add(ds.get(i));
        i++;
      }
      if (!group.isEmpty()) {
        out.add(group);
      }
    }
    return out;
  }
}
