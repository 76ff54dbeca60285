package io.conprof.core.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScrapeScheduleTest {
  private static final long S = 1_000_000_000L;

  @Test
  void firstSlot_isTheNextInstantAtTheTargetsOffsetWithinTheInterval() {
    // interval 10 s, offset 3 s: slots at ...3, 13, 23 s.
    assertThat(ScrapeLoop.firstSlotNanos(100 * S, 10 * S, 3 * S)).isEqualTo(103 * S);
    assertThat(ScrapeLoop.firstSlotNanos(104 * S, 10 * S, 3 * S)).isEqualTo(113 * S);
    assertThat(ScrapeLoop.firstSlotNanos(103 * S, 10 * S, 3 * S)).isEqualTo(103 * S);
  }

  @Test
  void firstSlot_isStableAcrossRestarts() {
    long a = ScrapeLoop.firstSlotNanos(1_000 * S + 17, 15 * S, 7 * S + 5);
    long b = ScrapeLoop.firstSlotNanos(1_004 * S, 15 * S, 7 * S + 5);
    assertThat(Math.floorMod(a, 15 * S)).isEqualTo(Math.floorMod(b, 15 * S)).isEqualTo(7 * S + 5);
  }

  @Test
  void nextSlot_skipsAndCountsSlotsThatPassedDuringASlowScrape() {
    assertThat(ScrapeLoop.nextSlotNanos(103 * S, 105 * S, 10 * S)).containsExactly(113 * S, 0);
    assertThat(ScrapeLoop.nextSlotNanos(103 * S, 113 * S, 10 * S)).containsExactly(113 * S, 0);
    assertThat(ScrapeLoop.nextSlotNanos(103 * S, 114 * S, 10 * S)).containsExactly(123 * S, 1);
    assertThat(ScrapeLoop.nextSlotNanos(103 * S, 140 * S, 10 * S)).containsExactly(143 * S, 3);
  }
}
