package io.conprof.tsdb;

import static io.conprof.tsdb.TsdbTest.profile;
import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.model.Labels;
import io.conprof.core.model.Matcher;
import io.conprof.core.model.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers on several threads, readers and background compaction at the same time. */
class TsdbConcurrencyTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void concurrentWritersReadersAndCompaction_keepEverySampleExactlyOnce() throws Exception {
    TsdbOptions o = TsdbTest.opts().backgroundCompaction(true)
        .compactionInterval(Duration.ofMillis(5)).build();
    int writers = 4;
    int perWriter = 150;
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    // One shared data clock: a writer that falls more than half a block range behind the newest
    // sample is refused (OutOfBounds), as in Prometheus; what each writer got committed is recorded.
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
    List<List<Long>> committed = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      committed.add(java.util.Collections.synchronizedList(new ArrayList<>()));
    }
    try (Tsdb db = Tsdb.open(dir, o)) {
      AtomicBoolean done = new AtomicBoolean();
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        Labels l = Labels.of("__name__", "heap", "writer", Integer.toString(w));
        List<Long> mine = committed.get(w);
        threads.add(new Thread(() -> {
          try {
            for (int i = 0; i < perWriter; i++) {
              long ts = clock.incrementAndGet() * 10;
              Appender a = db.appender();
              a.append(l, ts, profile(ts, 100 + (int) (ts / 100)));
              try {
                a.commit();
                mine.add(ts);
              } catch (OutOfBoundsSampleException late) {
                // this writer fell behind; the sample is refused and not stored
              }
            }
          } catch (Throwable t) {
            errors.add(t);
          }
        }));
      }
      Thread reader = new Thread(() -> {
        try {
          while (!done.get()) {
            try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
              for (Series s : q.select(List.of(Matcher.equal("__name__", "heap")))) {
                long prev = -1;
                Iterator<Sample> it = s.samples();
                while (it.hasNext()) {
                  Sample smp = it.next();
                  assertThat(smp.timestampMillis()).isGreaterThan(prev);
                  assertThat(smp.bytes()).isEqualTo(
                      profile(smp.timestampMillis(), 100 + (int) (smp.timestampMillis() / 100)));
                  prev = smp.timestampMillis();
                }
              }
            }
          }
        } catch (Throwable t) {
          errors.add(t);
        }
      });
      threads.forEach(Thread::start);
      reader.start();
      for (Thread t : threads) {
        t.join();
      }
      done.set(true);
      reader.join();
      assertThat(errors).isEmpty();
      db.compact();
      assertThat(db.stats().blocks()).isNotEmpty();
      try (Querier q = db.querier(Long.MIN_VALUE, Long.MAX_VALUE)) {
        for (int w = 0; w < writers; w++) {
          List<Series> one = q.select(List.of(Matcher.equal("writer", Integer.toString(w))));
          long[] want = committed.get(w).stream().mapToLong(Long::longValue).toArray();
          if (want.length == 0) {
            assertThat(one).isEmpty();
          } else {
            assertThat(one).singleElement().satisfies(s -> assertThat(s.timestamps()).containsExactly(want));
          }
        }
      }
    }
  }

  @Test
  void intervalFsyncPolicy_commitsAreReadableAndSurviveReopen() throws Exception {
    TsdbOptions o = TsdbTest.opts().fsyncPolicy(FsyncPolicy.interval(Duration.ofMillis(5))).build();
    try (Tsdb db = Tsdb.open(dir, o)) {
      TsdbTest.fill(db, 20);
    }
    try (Tsdb db = Tsdb.open(dir, o)) {
      TsdbTest.assertComplete(db, 20);
    }
  }

  @Test
  void compactReturnsAndMergesBlocksWhileAFastWriterKeepsTheHeadCompactable() throws Exception {
    TsdbOptions o = TsdbTest.opts().backgroundCompaction(false).blockRange(Duration.ofMillis(1000)).build();
    try (Tsdb db = Tsdb.open(dir, o)) {
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      Labels l = Labels.of("__name__", "heap");
      Thread writer = new Thread(() -> {
        try {
          // a backfill: each commit moves the data clock by a tenth of a block range
          for (long ts = 0; !stop.get(); ts += 100) {
            Appender a = db.appender();
            a.append(l, ts, profile(ts, 64));
            a.commit();
          }
        } catch (Throwable t) {
          errors.add(t);
        }
      });
      writer.start();
      while (db.stats().head().maxTimeMillis() < 20_000) {
        Thread.sleep(5);
      }
      int rounds = 0;
      boolean merged = false;
      while (!merged && rounds++ < 20) {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), db::compact,
            "compact() must return while a writer keeps the head compactable");
        merged = db.stats().blocks().stream().anyMatch(b -> b.maxTimeMillis() - b.minTimeMillis() > 1000);
      }
      stop.set(true);
      writer.join();
      assertThat(errors).isEmpty();
      assertThat(merged).as("blocks merged into a larger range").isTrue();
    }
  }
}
