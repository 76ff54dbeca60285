package io.conprof.tsdb.index;

import java.util.List;

/**
 * One series of an index: its label pairs and chunk metas.
 *
 * @param ref the series reference (its entry's byte offset in the index file); 0 for series not yet written
 * @param labelPairs names and values alternating, sorted by name: {@code [n0, v0, n1, v1, ...]}
 * @param chunks the series' chunks in time order
 */
public record IndexSeries(long ref, List<String> labelPairs, List<ChunkMeta> chunks) {
  public IndexSeries {
    labelPairs = List.copyOf(labelPairs);
    chunks = List.copyOf(chunks);
    if (labelPairs.size() % 2 != 0) {
      throw new IllegalArgumentException("labelPairs must hold name/value pairs, got " + labelPairs.size() + " strings");
    }
  }
}
