package io.conprof.tsdb.head;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The module exports and opens Chronicle Map needs on Java 17, checked against the running JVM so
 * that a missing option fails with a message listing exactly what to add, instead of an
 * {@code InaccessibleObjectException} from deep inside Chronicle.
 */
public final class ChronicleJvmOptions {
  private record Access(boolean open, String module, String pkg) {
    String option() {
      return (open ? "--add-opens=" : "--add-exports=") + module + "/" + pkg + "=ALL-UNNAMED";
    }
  }

  /** The same list as the parent pom's {@code conprof.jvm.opens} property. */
  private static final List<Access> REQUIRED = List.of(
      new Access(false, "java.base", "jdk.internal.ref"),
      new Access(false, "java.base", "jdk.internal.misc"),
      new Access(false, "java.base", "jdk.internal.util"),
      new Access(false, "java.base", "sun.nio.ch"),
      new Access(false, "jdk.unsupported", "sun.misc"),
      new Access(false, "jdk.compiler", "com.sun.tools.javac.file"),
      new Access(true, "jdk.compiler", "com.sun.tools.javac"),
      new Access(true, "java.base", "java.lang"),
      new Access(true, "java.base", "java.lang.reflect"),
      new Access(true, "java.base", "java.io"),
      new Access(true, "java.base", "java.util"));

  private ChronicleJvmOptions() {}

  /** The options the running JVM lacks, in the order of the parent pom; empty when all are set. */
  public static List<String> missing() {
    Module target = ChronicleJvmOptions.class.getClassLoader().getUnnamedModule();
    List<String> missing = new ArrayList<>();
    for (Access a : REQUIRED) {
      Optional<Module> m = ModuleLayer.boot().findModule(a.module());
      boolean ok = m.isPresent()
          && (a.open() ? m.get().isOpen(a.pkg(), target) : m.get().isExported(a.pkg(), target));
      if (!ok) {
        missing.add(a.option());
      }
    }
    return missing;
  }

  /** Throws {@link IllegalStateException} naming every missing option. */
  public static void check() {
    List<String> missing = missing();
    if (missing.isEmpty()) {
      return;
    }
    boolean noCompiler = ModuleLayer.boot().findModule("jdk.compiler").isEmpty();
    throw new IllegalStateException(
        "The Chronicle Map series registry needs these JVM options, which are missing: "
            + String.join(" ", missing)
            + (noCompiler
                ? ". This JVM also lacks the jdk.compiler module: run on a full JDK, not a JRE"
                : "")
            + ". bin/conprof-cli passes them; for an embedding application add them to the java "
            + "command line, or choose the in-memory registry in TsdbOptions.");
  }
}
