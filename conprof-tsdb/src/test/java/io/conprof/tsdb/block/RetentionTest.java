package io.conprof.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {
  private static BlockMeta b(String n, long mint, long maxt, long bytes) {
    return TestData.meta(("01J" + n + "0000000000000000000000000").substring(0, 26), mint, maxt, 1, bytes);
  }

  private static List<String> names(List<BlockMeta> ms) {
    return ms.stream().map(m -> m.ulid().substring(3, 4)).toList();
  }

  @Test
  void beyondTime_dropsBlocksWhoseMaxTimeIsARetentionBehindTheNewest() {
    List<BlockMeta> blocks = List.of(b("1", 0, 100), b("3", 200, 300), b("2", 100, 200), b("4", 300, 400));
    assertThat(names(Retention.beyondTime(blocks, 200))).containsExactly("2", "1"); // 400-200 >= 200
    assertThat(names(Retention.beyondTime(blocks, 201))).containsExactly("1");
    assertThat(names(Retention.beyondTime(blocks, 300))).containsExactly("1");
    assertThat(Retention.beyondTime(blocks, 301)).isEmpty();
    assertThat(Retention.beyondTime(blocks, 0)).isEmpty();
    assertThat(Retention.beyondTime(List.of(), 10)).isEmpty();
    assertThat(Retention.beyondTime(List.of(b("1", 0, 10)), 1)).as("the newest block is never beyond").isEmpty();
  }

  @Test
  void beyondSize_countsTheHeadFirstThenBlocksNewestFirst() {
    List<BlockMeta> blocks = List.of(b("1", 0, 100, 50), b("2", 100, 200, 30), b("3", 200, 300, 20));
    assertThat(Retention.beyondSize(blocks, 0, 100)).isEmpty(); // exactly 100 is not past the limit
    assertThat(names(Retention.beyondSize(blocks, 1, 100))).containsExactly("1");
    assertThat(names(Retention.beyondSize(blocks, 0, 49))).containsExactly("2", "1");
    assertThat(names(Retention.beyondSize(blocks, 100, 100))).containsExactly("3", "2", "1");
    assertThat(Retention.beyondSize(blocks, 1_000, 0)).as("disabled").isEmpty();
  }

  private static BlockMeta b(String n, long mint, long maxt) {
    return b(n, mint, maxt, 1);
  }
}
