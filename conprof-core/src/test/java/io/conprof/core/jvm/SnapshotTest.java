package io.conprof.core.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileBuilder.Frame;
import io.conprof.core.pprof.ProfileReader;
import io.conprof.core.pprof.ValueType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotTest {
  static final Frame LEAF = new Frame("com.example.A.leaf", "com.example.A.leaf()V", "A.java", 7);
  static final Frame ROOT = new Frame("com.example.A.main", "com.example.A.main()V", "A.java", 3);
  static final StackTable.Key ONE = new StackTable.Key(List.of(LEAF, ROOT), "");
  static final StackTable.Key TWO = new StackTable.Key(List.of(ROOT), "");

  static Snapshot contention(JvmProfileType type, long time, Map<StackTable.Key, long[]> samples) {
    ValueType c = new ValueType("contentions", "count");
    return new Snapshot(type, List.of(c, new ValueType("delay", "nanoseconds")), c, 1, time, 0, "", List.of("note"),
        "", new LinkedHashMap<>(samples));
  }

  @Test
  void minus_subtractsPerStackAndDropsStacksThatCancel() throws Exception {
    Snapshot before = contention(JvmProfileType.BLOCK, 10, Map.of(ONE, new long[] {2, 200}, TWO, new long[] {1, 50}));
    Snapshot after = contention(JvmProfileType.BLOCK, 30, Map.of(ONE, new long[] {5, 900}, TWO, new long[] {1, 50}));

    Snapshot delta = after.minus(before, 30, 20);

    assertThat(delta.samples()).containsOnlyKeys(ONE);
    assertThat(delta.samples().get(ONE)).containsExactly(3, 700);
    assertThat(delta.timeNanos()).isEqualTo(30);
    assertThat(delta.durationNanos()).isEqualTo(20);
    Profile p = ProfileReader.defaults().parse(delta.toProfile().toGzip());
    assertThat(p.totals()).containsExactly(3, 700);
    assertThat(p.comments()).containsExactly("note");
  }

  @Test
  void toText_writesGosLegacyFormats() {
    Snapshot mutex = contention(JvmProfileType.MUTEX, 0, Map.of(ONE, new long[] {3, 700}));
    ValueType g = new ValueType("goroutine", "count");
    Snapshot goroutines = new Snapshot(JvmProfileType.GOROUTINE, List.of(g), g, 1, 0, 0, "", List.of(), "state",
        Map.of(new StackTable.Key(List.of(LEAF, ROOT), "WAITING"), new long[] {4}));

    assertThat(mutex.toText()).isEqualTo("--- mutex:\ncycles/second=1000000000\nsampling period=1\n"
        + "700 3 @ 0x1 0x2\n#\t0x1\tcom.example.A.leaf+0x0\tA.java:7\n#\t0x2\tcom.example.A.main+0x0\tA.java:3\n\n");
    assertThat(goroutines.toText()).isEqualTo("goroutine profile: total 4\n4 @ 0x1 0x2\n# labels: {\"state\":\"WAITING\"}\n"
        + "#\t0x1\tcom.example.A.leaf+0x0\tA.java:7\n#\t0x2\tcom.example.A.main+0x0\tA.java:3\n\n");
  }
}
