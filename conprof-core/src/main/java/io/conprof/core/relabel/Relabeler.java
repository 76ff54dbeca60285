package io.conprof.core.relabel;

import io.conprof.core.model.Label;
import io.conprof.core.model.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a list of relabel configs to a label set, exactly as Prometheus' {@code relabel.Process}.
 *
 * <p>Design: the configs are compiled once (RE2/J, so no regex can hang a scrape) and applied in
 * order to one mutable working set that mirrors Prometheus' {@code labels.Builder}: the input
 * labels, a list of labels set by earlier steps (in the order they were set) and a list of deleted
 * names. Keeping that shape matters for {@code labelmap}, whose result depends on the order labels
 * are visited when two names map to the same target. Absent labels read as the empty string, and
 * setting a label to the empty string deletes it. Regexes are anchored at both ends
 * ({@code ^(?:regex)$}); unlike matchers in queries, {@code .} does not match a newline.
 *
 * <p>{@code hashmod} is Prometheus' algorithm: the md5 digest of the joined source values, its
 * last 8 bytes read as a big-endian unsigned 64-bit integer, modulo {@code modulus}; so several
 * conprof (or Prometheus) instances given the same config split a fleet into the same shards.
 *
 * <p>{@code lowercase} and {@code uppercase} map each code point on its own, as Go's
 * {@code strings.ToLower/ToUpper} do (no locale or context rules). A {@code replace} whose expanded
 * target is not a valid label name, and a {@code labelmap} whose expanded name is not, change
 * nothing.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Relabeler {
  private final List<CompiledRelabel> steps;

  /**
   * Compiles the configs.
   *
   * @throws IllegalArgumentException if a regex does not compile
   */
  public Relabeler(List<RelabelConfig> configs) {
    List<CompiledRelabel> compiled = new ArrayList<>(configs.size());
    for (RelabelConfig c : configs) {
      compiled.add(new CompiledRelabel(c));
    }
    this.steps = List.copyOf(compiled);
  }

  /** Applies {@code configs} to {@code labels}; see {@link #process}. */
  public static Labels process(Labels labels, List<RelabelConfig> configs) {
    return new Relabeler(configs).process(labels);
  }

  /** The relabelled labels, or null if a {@code keep}/{@code drop}-style step dropped them. */
  public Labels process(Labels labels) {
    if (steps.isEmpty()) {
      return labels;
    }
    WorkingSet ws = new WorkingSet(labels);
    for (CompiledRelabel step : steps) {
      if (!apply(step, ws)) {
        return null;
      }
    }
    return ws.build();
  }

  private static boolean apply(CompiledRelabel step, WorkingSet ws) {
    RelabelConfig cfg = step.config;
    String val = joinSources(cfg, ws);
    switch (cfg.action()) {
      case DROP -> {
        if (step.matches(val)) {
          return false;
        }
      }
      case KEEP -> {
        if (!step.matches(val)) {
          return false;
        }
      }
      case DROPEQUAL -> {
        if (ws.get(cfg.targetLabel()).equals(val)) {
          return false;
        }
      }
      case KEEPEQUAL -> {
        if (!ws.get(cfg.targetLabel()).equals(val)) {
          return false;
        }
      }
      case REPLACE -> replace(step, ws, val);
      case LOWERCASE -> ws.set(cfg.targetLabel(), mapCodePoints(val, true));
      case UPPERCASE -> ws.set(cfg.targetLabel(), mapCodePoints(val, false));
      case HASHMOD -> ws.set(cfg.targetLabel(), hashmod(val, cfg.modulus()));
      case LABELMAP -> {
        for (Label l : ws.snapshot()) {
          com.google.re2j.Matcher m = step.match(l.name());
          if (m != null) {
            String name = step.expand(cfg.replacement(), m);
            if (RelabelConfig.isValidName(name)) {
              ws.set(name, l.value());
            }
          }
        }
      }
      case LABELDROP -> {
        for (Label l : ws.snapshot()) {
          if (step.matches(l.name())) {
            ws.delete(l.name());
          }
        }
      }
      case LABELKEEP -> {
        for (Label l : ws.snapshot()) {
          if (!step.matches(l.name())) {
            ws.delete(l.name());
          }
        }
      }
      default -> throw new IllegalStateException("unknown relabel action " + cfg.action());
    }
    return true;
  }

  private static void replace(CompiledRelabel step, WorkingSet ws, String val) {
    RelabelConfig cfg = step.config;
    // Prometheus' fast path: set or delete a fixed label without running the default regex.
    if (val.isEmpty() && cfg.regex().equals(RelabelConfig.DEFAULT_REGEX)
        && !cfg.targetLabel().contains("$") && !cfg.replacement().contains("$")) {
      ws.set(cfg.targetLabel(), cfg.replacement());
      return;
    }
    com.google.re2j.Matcher m = step.match(val);
    if (m == null) {
      return;
    }
    String target = step.expand(cfg.targetLabel(), m);
    if (!RelabelConfig.isValidName(target)) {
      return;
    }
    String res = step.expand(cfg.replacement(), m);
    if (res.isEmpty()) {
      ws.delete(target);
    } else {
      ws.set(target, res);
    }
  }

  private static String joinSources(RelabelConfig cfg, WorkingSet ws) {
    List<String> names = cfg.sourceLabels();
    if (names.isEmpty()) {
      return "";
    }
    if (names.size() == 1) {
      return ws.get(names.get(0));
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        sb.append(cfg.separator());
      }
      sb.append(ws.get(names.get(i)));
    }
    return sb.toString();
  }

  /** Prometheus' hashmod: md5, last 8 bytes big-endian as unsigned 64-bit, modulo modulus. */
  static String hashmod(String val, long modulus) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("MD5").digest(val.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
    long x = 0;
    for (int i = 8; i < 16; i++) {
      x = (x << 8) | (digest[i] & 0xff);
    }
    return Long.toUnsignedString(Long.remainderUnsigned(x, modulus));
  }

  static String mapCodePoints(String s, boolean lower) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      sb.appendCodePoint(lower ? Character.toLowerCase(cp) : Character.toUpperCase(cp));
    }
    return sb.toString();
  }

  /** Mirrors Prometheus' {@code labels.Builder}: base labels, ordered additions, deletions. */
  private static final class WorkingSet {
    private final Labels base;
    private final List<Label> add = new ArrayList<>();
    private final List<String> del = new ArrayList<>();

    WorkingSet(Labels base) {
      this.base = base;
    }

    String get(String name) {
      for (Label a : add) {
        if (a.name().equals(name)) {
          return a.value();
        }
      }
      if (del.contains(name)) {
        return "";
      }
      String v = base.get(name);
      return v == null ? "" : v;
    }

    void set(String name, String value) {
      if (value.isEmpty()) {
        delete(name);
        return;
      }
      for (int i = 0; i < add.size(); i++) {
        if (add.get(i).name().equals(name)) {
          add.set(i, new Label(name, value));
          return;
        }
      }
      add.add(new Label(name, value));
    }

    void delete(String name) {
      add.removeIf(a -> a.name().equals(name));
      del.add(name);
    }

    /** The current labels: base ones not deleted or overridden, then additions in order. */
    List<Label> snapshot() {
      List<Label> out = new ArrayList<>(base.size() + add.size());
      for (Label l : base) {
        if (!del.contains(l.name()) && !inAdd(l.name())) {
          out.add(l);
        }
      }
      out.addAll(add);
      return out;
    }

    private boolean inAdd(String name) {
      for (Label a : add) {
        if (a.name().equals(name)) {
          return true;
        }
      }
      return false;
    }

    Labels build() {
      Labels.Builder b = Labels.builder();
      for (Label l : snapshot()) {
        b.set(l.name(), l.value());
      }
      return b.build();
    }
  }
}
