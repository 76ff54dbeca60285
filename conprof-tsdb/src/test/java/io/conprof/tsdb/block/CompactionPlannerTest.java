package io.conprof.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Cases after Prometheus' TestLeveledCompactor_plan, with ranges 20, 60, 180, 540, 1620. */
class CompactionPlannerTest {
  private final CompactionPlanner planner = new CompactionPlanner(List.of(20L, 60L, 180L, 540L, 1620L));

  private static BlockMeta b(String name, long mint, long maxt) {
    return TestData.meta(ulid(name), mint, maxt, 1, 1);
  }

  private static String ulid(String name) {
    return ("01H" + name + "0000000000000000000000000").substring(0, 26);
  }

  private List<List<String>> plan(BlockMeta... blocks) {
    return planner.plan(List.of(blocks)).stream().map(g -> g.stream().map(m -> m.ulid().substring(3, 4)).toList()).toList();
  }

  @Test
  void plan_nothingForZeroOrOneBlock() {
    assertThat(plan()).isEmpty();
    assertThat(plan(b("1", 0, 20))).isEmpty();
  }

  @Test
  void plan_neverTheNewestBlockAlone() {
    assertThat(plan(b("1", 0, 20), b("2", 20, 40))).isEmpty();
    assertThat(plan(b("1", 0, 20), b("2", 20, 40), b("3", 40, 60))).isEmpty();
  }

  @Test
  void plan_fullRangeIsCompactedOnceANewerBlockExists() {
    assertThat(plan(b("1", 0, 20), b("2", 20, 40), b("3", 40, 60), b("4", 60, 80))).containsExactly(List.of("1", "2", "3"));
  }

  @Test
  void plan_groupBeforeTheNewestBlockIsCompactedEvenIfNotFull() {
    // 1 and 2 do not fill [0, 60) but end before the newest remaining block (3) starts
    assertThat(plan(b("1", 0, 20), b("2", 20, 40), b("3", 100, 120), b("4", 120, 140))).containsExactly(List.of("1", "2"));
    // without 3, block 2 is the newest remaining one and the group [1, 2] does not end before it starts
    assertThat(plan(b("1", 0, 20), b("2", 20, 40), b("4", 120, 140))).isEmpty();
  }

  @Test
  void plan_largerLevelsAfterSmallerOnes() {
    assertThat(plan(b("1", 0, 60), b("2", 60, 120), b("3", 120, 180), b("4", 180, 200), b("5", 200, 220)))
        .containsExactly(List.of("1", "2", "3"));
    // the first range with a candidate wins: [180, 240) holds 4 and 5 but is not full and not before the newest
    assertThat(plan(b("1", 0, 180), b("4", 180, 200), b("5", 200, 220))).isEmpty();
  }

  @Test
  void plan_overlappingBlocksFirst() {
    assertThat(plan(b("1", 0, 20), b("2", 10, 30), b("3", 40, 60))).containsExactly(List.of("1", "2"));
    assertThat(plan(b("1", 0, 20), b("2", 20, 40), b("3", 30, 50), b("4", 45, 60), b("5", 60, 80)))
        .containsExactly(List.of("2", "3", "4"));
    // overlap involving the newest block is still compacted
    assertThat(plan(b("1", 0, 20), b("2", 15, 20))).containsExactly(List.of("1", "2"));
  }

  @Test
  void plan_ignoresDeletableBlocks() {
    BlockMeta gone = new BlockMeta(ulid("9"), 0, 20, 1, 1, 1, 1, 1, List.of(), List.of(), true);
    assertThat(plan(gone, b("1", 0, 20), b("2", 20, 40))).isEmpty();
  }

  @Test
  void plan_misalignedBlocksAreSkipped() {
    // 1 spans [10, 70): it crosses the 60-boundary, so it is not grouped at range 60
    assertThat(plan(b("1", 10, 70), b("2", 70, 80), b("3", 80, 100), b("4", 100, 120))).isEmpty();
  }

  @Test
  void exponentialRanges_areCappedLikePrometheus() {
    long h = 3_600_000L;
    assertThat(CompactionPlanner.exponentialRanges(2 * h, 10, 3, 31 * 24 * h))
        .containsExactly(2 * h, 6 * h, 18 * h, 54 * h, 162 * h, 486 * h);
    assertThat(CompactionPlanner.exponentialRanges(2 * h, 10, 3, 24 * h)).containsExactly(2 * h, 6 * h, 18 * h);
  }
}
