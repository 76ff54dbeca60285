package io.conprof.core.jvm;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import java.util.regex.Pattern;

/**
 * Names of JVM frames as pprof functions: {@code pkg.Class.method}, with the descriptor in the
 * system name, and class names of generated code normalised so the same code has the same name in
 * every run ({@code Foo$$Lambda$77/0x0000000800c0b000} becomes {@code Foo$$Lambda}).
 */
final class FrameNames {
  static final Frame TRUNCATED = Frame.of("[truncated]");
  static final Frame OTHER = Frame.of("[other]");

  private static final Pattern HIDDEN_SUFFIX = Pattern.compile("[/.+]0x[0-9a-fA-F]+(\\.\\d+)?$");
  private static final Pattern LAMBDA = Pattern.compile("\\$\\$Lambda\\$\\d+");
  private static final Pattern GENERATED = Pattern.compile(
      "(\\$Proxy|GeneratedMethodAccessor|GeneratedConstructorAccessor|GeneratedSerializationConstructorAccessor)\\d+");

  private FrameNames() {}

  /** The class name with run-specific parts (hidden-class address, lambda and proxy counters) removed. */
  static String normaliseClassName(String className) {
    String name = HIDDEN_SUFFIX.matcher(className).replaceFirst("");
    if (name.indexOf("$$Lambda$") >= 0) {
      name = LAMBDA.matcher(name).replaceAll("\\$\\$Lambda");
    }
    if (name.indexOf("Proxy") >= 0 || name.indexOf("Generated") >= 0) {
      name = GENERATED.matcher(name).replaceAll("$1");
    }
    return name;
  }

  /**
   * A class name as Java source writes it: JVM array descriptors such as {@code [B} or {@code
   * [Ljava.lang.String;} become {@code byte[]} and {@code java.lang.String[]}; other names are
   * normalised by {@link #normaliseClassName}.
   */
  static String javaClassName(String name) {
    int dims = 0;
    while (dims < name.length() && name.charAt(dims) == '[') {
      dims++;
    }
    if (dims == 0 || dims == name.length()) {
      return normaliseClassName(name);
    }
    String element = switch (name.charAt(dims)) {
      case 'B' -> "byte";
      case 'C' -> "char";
      case 'D' -> "double";
      case 'F' -> "float";
      case 'I' -> "int";
      case 'J' -> "long";
      case 'S' -> "short";
      case 'Z' -> "boolean";
      case 'L' -> normaliseClassName(name.substring(dims + 1, name.endsWith(";") ? name.length() - 1 : name.length()));
      default -> name.substring(dims);
    };
    return element + "[]".repeat(dims);
  }

  /** A frame from JFR's view of a method: class (dotted), method, descriptor and line. */
  static Frame jfr(String className, String method, String descriptor, int line) {
    String function = normaliseClassName(className) + "." + method;
    return new Frame(function, descriptor == null || descriptor.isEmpty() ? function : function + descriptor,
        "", Math.max(line, 0));
  }

  /** A frame from a {@link StackTraceElement} (no descriptor; the file name when known). */
  static Frame stackTraceElement(StackTraceElement e) {
    String function = normaliseClassName(e.getClassName()) + "." + e.getMethodName();
    String file = e.getFileName();
    return new Frame(function, function, file == null ? "" : file, Math.max(e.getLineNumber(), 0));
  }
}
