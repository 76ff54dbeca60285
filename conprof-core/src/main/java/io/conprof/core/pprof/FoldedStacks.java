package io.conprof.core.pprof;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Folded stacks, the input format of flame-graph tools: one line per distinct stack,
 * {@code root;caller;…;leaf value}, values of equal stacks summed, stacks that sum to zero left
 * out, lines sorted. Inlined functions are frames of their own, as in pprof.
 */
public final class FoldedStacks {
  private FoldedStacks() {}

  /** The folded stacks of {@code profile}'s column {@code sampleType} (null or "" = default). */
  public static String of(Profile profile, String sampleType) {
    StringBuilder sb = new StringBuilder();
    try {
      write(profile, sampleType, sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sb.toString();
  }

  public static void write(Profile profile, String sampleType, Appendable out) throws IOException {
    StackTable st = new StackTable(profile, sampleType);
    Map<String, long[]> sums = new HashMap<>();
    StringBuilder line = new StringBuilder();
    for (int s = 0; s < st.stacks.length; s++) {
      int[] stack = st.stacks[s];
      if (stack.length == 0) {
        continue;
      }
      line.setLength(0);
      for (int i = stack.length - 1; i >= 0; i--) {
        line.append(st.names.get(stack[i]).replace(';', ':').replace('\n', ' '));
        if (i > 0) {
          line.append(';');
        }
      }
      sums.computeIfAbsent(line.toString(), k -> new long[1])[0] += st.values[s];
    }
    List<String> keys = new ArrayList<>(sums.keySet());
    keys.sort(null);
    for (String k : keys) {
      long v = sums.get(k)[0];
      if (v != 0) {
        out.append(k).append(' ').append(Long.toString(v)).append('\n');
      }
    }
  }
}
