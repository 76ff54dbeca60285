package io.conprof.core.pprof;

import java.util.Arrays;

/**
 * An append-only set of byte strings numbered 0, 1, 2, … in insertion order, for the merged
 * tables of a {@link ProfileMerger}: strings by their UTF-8 bytes, and functions, locations and
 * mappings by their content encoded as varints.
 *
 * <p>Design: all entries live back to back in one growable byte array with an offset array beside
 * it; lookup is an open-addressing hash table of entry numbers with each entry's hash kept for
 * cheap probing and resizing. A probe hashes the caller's slice in place, so looking up an entry
 * that exists allocates nothing, whatever buffer the slice lies in.
 */
final class BytesTable {
  private byte[] data = new byte[4096];
  private int dataLen;
  private int[] offsets = new int[257]; // entry n is data[offsets[n], offsets[n + 1])
  private int[] hashes = new int[256];
  private int[] slots = new int[512]; // entry number + 1, 0 = empty
  private int size;

  int size() {
    return size;
  }

  /** The number of the entry equal to {@code b[off, off + len)}, added if new. */
  int intern(byte[] b, int off, int len) {
    int h = hash(b, off, len);
    int mask = slots.length - 1;
    int i = h & mask;
    while (true) {
      int s = slots[i];
      if (s == 0) {
        break;
      }
      int n = s - 1;
      if (hashes[n] == h) {
        int o = offsets[n];
        if (offsets[n + 1] - o == len && Arrays.equals(data, o, o + len, b, off, off + len)) {
          return n;
        }
      }
      i = (i + 1) & mask;
    }
    int n = size++;
    if (n == hashes.length) {
      hashes = Arrays.copyOf(hashes, n * 2);
      offsets = Arrays.copyOf(offsets, n * 2 + 1);
    }
    if (dataLen + len > data.length) {
      long grown = Math.max((long) data.length * 2, (long) dataLen + len);
      if (grown > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("merged profile too large: more than 2 GiB of symbols");
      }
      data = Arrays.copyOf(data, (int) grown);
    }
    System.arraycopy(b, off, data, dataLen, len);
    dataLen += len;
    offsets[n + 1] = dataLen;
    hashes[n] = h;
    slots[i] = n + 1;
    if (size * 2 > slots.length) {
      rehash();
    }
    return n;
  }

  /** The bytes of all entries; entry {@code n} is {@code [offset(n), offset(n + 1))}. */
  byte[] data() {
    return data;
  }

  int offset(int n) {
    return offsets[n];
  }

  int length(int n) {
    return offsets[n + 1] - offsets[n];
  }

  private void rehash() {
    int[] next = new int[slots.length * 2];
    int mask = next.length - 1;
    for (int n = 0; n < size; n++) {
      int i = hashes[n] & mask;
      while (next[i] != 0) {
        i = (i + 1) & mask;
      }
      next[i] = n + 1;
    }
    slots = next;
  }

  private static int hash(byte[] b, int off, int len) {
    int h = 0x811c9dc5 ^ len;
    int i = off;
    int end = off + len;
    for (; i + 4 <= end; i += 4) {
      int w = (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | b[i + 3] << 24;
      h = (h ^ w) * 0x01000193;
      h ^= h >>> 15;
    }
    for (; i < end; i++) {
      h = (h ^ b[i]) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }
}
