package io.conprof.core.pprof;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps the ids of one kind of pprof entity (mapping, location, function) to their position in the
 * profile. Ids are usually dense (1..n in order), so a plain array indexed by id serves; sparse ids
 * fall back to a hash map. Building it checks that ids are non-zero and unique.
 */
final class IdIndex {
  private final int[] dense; // dense[id] = position + 1, 0 = absent
  private final Map<Long, Integer> sparse;

  private IdIndex(int[] dense, Map<Long, Integer> sparse) {
    this.dense = dense;
    this.sparse = sparse;
  }

  /**
   * @param kind "mapping", "location" or "function", for error messages
   */
  static IdIndex build(long[] ids, String kind) throws InvalidProfileException {
    long max = 0;
    for (int i = 0; i < ids.length; i++) {
      long id = ids[i];
      if (id == 0) {
        throw new InvalidProfileException(kind + " #" + i + " has the reserved id 0");
      }
      if (Long.compareUnsigned(id, max) > 0) {
        max = id;
      }
    }
    if (Long.compareUnsigned(max, (long) ids.length * 4 + 64) <= 0) {
      int[] dense = new int[(int) max + 1];
      for (int i = 0; i < ids.length; i++) {
        int id = (int) ids[i];
        if (dense[id] != 0) {
          throw new InvalidProfileException(
              kind + " id " + id + " is used twice (" + kind + " #" + (dense[id] - 1) + " and #" + i + ")");
        }
        dense[id] = i + 1;
      }
      return new IdIndex(dense, null);
    }
    Map<Long, Integer> sparse = new HashMap<>(ids.length * 2);
    for (int i = 0; i < ids.length; i++) {
      Integer prev = sparse.put(ids[i], i);
      if (prev != null) {
        throw new InvalidProfileException(
            kind + " id " + Long.toUnsignedString(ids[i]) + " is used twice (" + kind + " #" + prev + " and #" + i + ")");
      }
    }
    return new IdIndex(null, sparse);
  }

  /** Position of {@code id}, or -1 when no entity has it. */
  int indexOf(long id) {
    if (dense != null) {
      if (id <= 0 || id >= dense.length) {
        return -1;
      }
      return dense[(int) id] - 1;
    }
    Integer i = sparse.get(id);
    return i == null ? -1 : i;
  }

  @Override
  public String toString() {
    return dense != null ? "IdIndex(dense " + Arrays.stream(dense).filter(x -> x != 0).count() + ")" : "IdIndex(sparse " + sparse.size() + ")";
  }

  /** The id indexes of one profile's mappings, functions and locations. */
  record Indexes(IdIndex mappings, IdIndex functions, IdIndex locations) {}
}
