package io.conprof.core.jvm;

import static org.assertj.core.api.Assertions.assertThat;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameNamesTest {
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "com.example.Foo|com.example.Foo",
      "com.example.Foo$Inner|com.example.Foo$Inner",
      "com.example.Foo$$Lambda$77/0x0000000800c0b000|com.example.Foo$$Lambda",
      "com.example.Foo$$Lambda$77.0x0000000800c0b000|com.example.Foo$$Lambda",
      "com.example.Foo$$Lambda+0x00007fc99810f4f0.1597328335|com.example.Foo$$Lambda",
      "java.lang.invoke.LambdaForm$MH/0x0000000800c0c400|java.lang.invoke.LambdaForm$MH",
      "jdk.proxy2.$Proxy12|jdk.proxy2.$Proxy",
      "jdk.internal.reflect.GeneratedMethodAccessor42|jdk.internal.reflect.GeneratedMethodAccessor",
  })
  void normaliseClassName_removesRunSpecificParts(String in, String out) {
    assertThat(FrameNames.normaliseClassName(in)).isEqualTo(out);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[B|byte[]",
      "[[I|int[][]",
      "[Ljava.lang.String;|java.lang.String[]",
      "java.lang.String|java.lang.String",
  })
  void javaClassName_spellsArraysAsJavaDoes(String in, String out) {
    assertThat(FrameNames.javaClassName(in)).isEqualTo(out);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "com.example.Foo$$Lambda$77/0x0000000800c0b000|com.example.Foo$$Lambda$78/0x0000000800c0c000",
      "com.example.Foo$$Lambda+0x00007fc99810f4f0.1597328335|com.example.Foo$$Lambda+0x00007f0000000000.42",
  })
  void jfrFrames_ofTheSameCodeInTwoRunsAreEqual(String run1, String run2) {
    Frame a = FrameNames.jfr(run1, "run", "()V", 0);
    Frame b = FrameNames.jfr(run2, "run", "()V", 0);

    assertThat(a).isEqualTo(b);
    assertThat(a.function()).isEqualTo("com.example.Foo$$Lambda.run");
    assertThat(a.systemName()).isEqualTo("com.example.Foo$$Lambda.run()V");
  }

  @org.junit.jupiter.api.Test
  void stackTraceElement_keepsFileAndLine() {
    Frame f = FrameNames.stackTraceElement(new StackTraceElement("com.example.Foo", "bar", "Foo.java", 12));

    assertThat(f).isEqualTo(new Frame("com.example.Foo.bar", "com.example.Foo.bar", "Foo.java", 12));
  }
}
