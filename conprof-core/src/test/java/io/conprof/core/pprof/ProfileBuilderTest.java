package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import io.conprof.core.pprof.proto.ProfileProto;
import io.conprof.core.testing.GoPprof;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileBuilderTest {
  static final ValueType SAMPLES = new ValueType("samples", "count");
  static final ValueType CPU = new ValueType("cpu", "nanoseconds");

  static final Frame MAIN = new Frame("com.example.App.main", "com.example.App.main([Ljava/lang/String;)V", "App.java", 10);
  static final Frame WORK = new Frame("com.example.App.work", "com.example.App.work()J", "App.java", 20);
  static final Frame HOT = new Frame("com.example.App.hot", "com.example.App.hot(I)J", "App.java", 30);

  static ProfileBuilder cpu() {
    return ProfileBuilder.create(List.of(SAMPLES, CPU), CPU, 10_000_000L);
  }

  @Test
  void build_roundTripsThroughTheReaderWithHeaderAndTotals() throws InvalidProfileException {
    Profile built = cpu()
        .timeNanos(1_700_000_000_000_000_000L)
        .durationNanos(10_000_000_000L)
        .addComment("approximate: JFR samples at most 5 threads per tick")
        .addSample(List.of(HOT, WORK, MAIN), new long[] {3, 30_000_000})
        .addSample(List.of(WORK, MAIN), new long[] {1, 10_000_000})
        .build();

    Profile read = ProfileReader.defaults().parse(built.toGzip());

    assertThat(read).isEqualTo(built);
    assertThat(read.sampleTypes()).containsExactly(SAMPLES, CPU);
    assertThat(read.periodType()).contains(CPU);
    assertThat(read.period()).isEqualTo(10_000_000L);
    assertThat(read.timeNanos()).isEqualTo(1_700_000_000_000_000_000L);
    assertThat(read.durationNanos()).isEqualTo(10_000_000_000L);
    assertThat(read.comments()).containsExactly("approximate: JFR samples at most 5 threads per tick");
    assertThat(read.totals()).containsExactly(4, 40_000_000);
    assertThat(read.sampleCount()).isEqualTo(2);
  }

  @Test
  void addSample_internsFramesSoIdenticalFramesShareOneLocationAndFunction() {
    Frame workOtherLine = new Frame(WORK.function(), WORK.systemName(), WORK.file(), 21);
    Profile p = cpu()
        .addSample(List.of(HOT, WORK, MAIN), new long[] {1, 1})
        .addSample(List.of(workOtherLine, MAIN), new long[] {1, 1})
        .addSample(List.of(new Frame(HOT.function(), HOT.systemName(), HOT.file(), HOT.line()), WORK, MAIN),
            new long[] {1, 1})
        .build();

    ProfileProto.Profile proto = p.proto();
    assertThat(proto.getFunctionCount()).isEqualTo(3);
    assertThat(proto.getLocationCount()).isEqualTo(4); // HOT, WORK:20, MAIN, WORK:21
    assertThat(proto.getSampleCount()).isEqualTo(2); // the third sample merged into the first
    assertThat(proto.getSample(0).getValueList()).containsExactly(2L, 2L);
    assertThat(proto.getSample(0).getLocationIdList()).containsExactly(1L, 2L, 3L);
    assertThat(proto.getSample(1).getLocationIdList()).containsExactly(4L, 3L);
    assertThat(proto.getStringTable(0)).isEmpty();
    assertThat(proto.getStringTableList()).doesNotHaveDuplicates();
    assertThat(proto.getMappingCount()).isEqualTo(1);
    assertThat(proto.getMapping(0).getHasFunctions()).isTrue();
    assertThat(proto.getLocationList()).allSatisfy(l -> assertThat(l.getMappingId()).isEqualTo(1));
  }

  @Test
  void addSample_keepsSamplesWithDifferentLabelsApart() {
    Profile p = ProfileBuilder.create(List.of(new ValueType("goroutine", "count")), new ValueType("goroutine", "count"), 1)
        .addSample(List.of(WORK, MAIN), new long[] {1}, Map.of("state", "RUNNABLE"))
        .addSample(List.of(WORK, MAIN), new long[] {1}, Map.of("state", "WAITING"))
        .addSample(List.of(WORK, MAIN), new long[] {1}, Map.of("state", "RUNNABLE"))
        .addSample(List.of(WORK, MAIN), new long[] {1}, Map.of(), Map.of("bytes", 64L))
        .build();

    ProfileProto.Profile proto = p.proto();
    assertThat(proto.getSampleCount()).isEqualTo(3);
    assertThat(proto.getSample(0).getValue(0)).isEqualTo(2);
    ProfileProto.Label state = proto.getSample(0).getLabel(0);
    assertThat(proto.getStringTable((int) state.getKey())).isEqualTo("state");
    assertThat(proto.getStringTable((int) state.getStr())).isEqualTo("RUNNABLE");
    ProfileProto.Label bytes = proto.getSample(2).getLabel(0);
    assertThat(proto.getStringTable((int) bytes.getKey())).isEqualTo("bytes");
    assertThat(bytes.getNum()).isEqualTo(64);
  }

  @Test
  void build_isDeterministicForTheSameInput() {
    byte[] a = cpu().addSample(List.of(HOT, MAIN), new long[] {1, 2}, Map.of("b", "2", "a", "1")).build().toByteArray();
    byte[] b = cpu().addSample(List.of(HOT, MAIN), new long[] {1, 2}, Map.of("a", "1", "b", "2")).build().toByteArray();

    assertThat(a).isEqualTo(b);
  }

  @Test
  void build_withoutSamplesIsAValidEmptyProfile() throws InvalidProfileException {
    Profile p = ProfileReader.defaults().parse(cpu().build().toByteArray());

    assertThat(p.sampleCount()).isZero();
    assertThat(p.sampleTypes()).containsExactly(SAMPLES, CPU);
  }

  @Test
  void invalidArguments_areRefusedWithTheReason() {
    assertThatThrownBy(() -> ProfileBuilder.create(List.of(), null, 0))
        .hasMessage("a profile needs at least one sample type");
    assertThatThrownBy(() -> cpu().addSample(List.of(HOT), new long[] {1}))
        .hasMessage("a sample needs 2 values [samples/count, cpu/nanoseconds], got 1");
    assertThatThrownBy(() -> cpu().defaultSampleType("alloc_space"))
        .hasMessage("default sample type \"alloc_space\" is not one of [samples/count, cpu/nanoseconds]");
    assertThatThrownBy(() -> cpu().addSample(List.of(HOT), new long[] {1, 1}, Map.of("", "x")))
        .hasMessage("label keys must not be empty");
  }

  @Test
  void goToolPprof_readsTheProfileAndShowsTheHotFunctionFirst(@TempDir Path dir) throws IOException, InterruptedException {
    Assumptions.assumeTrue(GoPprof.available(), GoPprof.MISSING);
    Profile p = cpu()
        .durationNanos(1_000_000_000L)
        .addSample(List.of(HOT, WORK, MAIN), new long[] {7, 70_000_000})
        .addSample(List.of(WORK, MAIN), new long[] {2, 20_000_000}, Map.of("thread", "main"))
        .addSample(List.of(Frame.of("[truncated]")), new long[] {1, 10_000_000})
        .build();
    Path file = dir.resolve("cpu.pb.gz");
    Files.write(file, p.toGzip());

    assertThat(GoPprof.totals(file)).containsExactly(10, 100_000_000);
    GoPprof.Result top = GoPprof.run(List.of("-top", "-symbolize=none", "-sample_index=cpu", file.toString()));
    assertThat(top.exitCode()).as(top.stderr()).isZero();
    List<String> rows = top.stdout().lines().filter(l -> l.contains("com.example.")).toList();
    assertThat(rows.get(0)).contains("com.example.App.hot");
    GoPprof.Result lines = GoPprof.run(List.of("-traces", "-symbolize=none", file.toString()));
    assertThat(lines.stdout()).contains("com.example.App.hot").contains("[truncated]").doesNotContain("unsymbolized");
  }
}
