package io.conprof.core.pprof;

import java.util.ArrayList;
import java.util.List;

/**
 * The merged samples of a {@link ProfileMerger}, stored compactly.
 *
 * <p>Design: a sample's identity (its merged location ids and its sorted labels) is encoded as
 * unsigned varints into 64 KiB byte pages, so a key costs about what it costs in the protobuf
 * (typically one or two bytes per location id) instead of a boxed array per sample. Values live in
 * pages of longs, one row of {@code width} per sample. Lookup is an open-addressing hash table of
 * sample numbers with the keys' hashes kept alongside for cheap probing and resizing. Nothing is
 * copied on growth but the two int arrays; pages are appended. Memory is therefore in proportion to
 * the merged result: roughly its serialised size plus 8 bytes per value and 12 bytes per sample.
 */
final class SampleTable {
  private static final int PAGE_BITS = 16;
  private static final int PAGE_SIZE = 1 << PAGE_BITS;
  private static final int VALUE_PAGE = 8192;

  private final int width;
  private final List<byte[]> pages = new ArrayList<>();
  private int pagePos = PAGE_SIZE; // forces a first page
  private final List<long[]> valuePages = new ArrayList<>();
  private int[] keyRef = new int[1024]; // page << 16 | offset of the key (length-prefixed)
  private int[] hashes = new int[1024];
  private int[] slots = new int[2048]; // sample number + 1, 0 = empty
  private int size;

  SampleTable(int width) {
    if (width <= 0) {
      throw new IllegalArgumentException("a profile needs at least one sample type");
    }
    this.width = width;
  }

  int size() {
    return size;
  }

  int width() {
    return width;
  }

  /** Adds {@code values} to the sample whose key is {@code key[0..len)}, creating it if new. */
  void add(byte[] key, int len, long[] values) {
    int h = hash(key, len);
    int mask = slots.length - 1;
    int i = h & mask;
    while (true) {
      int s = slots[i];
      if (s == 0) {
        break;
      }
      int n = s - 1;
      if (hashes[n] == h && keyEquals(n, key, len)) {
        long[] page = valuePages.get((int) ((long) n * width / VALUE_PAGE));
        int base = (int) ((long) n * width % VALUE_PAGE);
        for (int k = 0; k < width; k++) {
          page[base + k] += values[k];
        }
        return;
      }
      i = (i + 1) & mask;
    }
    int n = size++;
    if (n == keyRef.length) {
      keyRef = java.util.Arrays.copyOf(keyRef, n * 2);
      hashes = java.util.Arrays.copyOf(hashes, n * 2);
    }
    keyRef[n] = store(key, len);
    hashes[n] = h;
    slots[i] = n + 1;
    long v = (long) n * width;
    if (v / VALUE_PAGE >= valuePages.size()) {
      valuePages.add(new long[VALUE_PAGE]);
    }
    long[] page = valuePages.get((int) (v / VALUE_PAGE));
    int base = (int) (v % VALUE_PAGE);
    System.arraycopy(values, 0, page, base, width);
    if (size * 2 > slots.length) {
      rehash();
    }
  }

  /** Copies sample {@code n}'s values into {@code out}. */
  void values(int n, long[] out) {
    long v = (long) n * width;
    System.arraycopy(valuePages.get((int) (v / VALUE_PAGE)), (int) (v % VALUE_PAGE), out, 0, width);
  }

  /** A reader positioned at sample {@code n}'s key bytes (after the length prefix). */
  KeyReader key(int n, KeyReader reuse) {
    int ref = keyRef[n];
    byte[] page = pages.get(ref >>> PAGE_BITS);
    int pos = ref & (PAGE_SIZE - 1);
    int len = 0;
    int shift = 0;
    while (true) {
      byte b = page[pos++];
      len |= (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
      shift += 7;
    }
    reuse.reset(page, pos, pos + len);
    return reuse;
  }

  private int store(byte[] key, int len) {
    int need = len + 5;
    if (need > PAGE_SIZE) {
      throw new IllegalArgumentException("sample key of " + len + " bytes is too large (a stack of more than 10,000 frames?)");
    }
    if (pagePos + need > PAGE_SIZE) {
      if (pages.size() >= (1 << (31 - PAGE_BITS)) - 1) {
        throw new IllegalStateException("merged profile too large: more than 2 GiB of sample keys");
      }
      pages.add(new byte[PAGE_SIZE]);
      pagePos = 0;
    }
    byte[] page = pages.get(pages.size() - 1);
    int ref = (pages.size() - 1) << PAGE_BITS | pagePos;
    int l = len;
    while ((l & ~0x7f) != 0) {
      page[pagePos++] = (byte) ((l & 0x7f) | 0x80);
      l >>>= 7;
    }
    page[pagePos++] = (byte) l;
    System.arraycopy(key, 0, page, pagePos, len);
    pagePos += len;
    return ref;
  }

  private boolean keyEquals(int n, byte[] key, int len) {
    int ref = keyRef[n];
    byte[] page = pages.get(ref >>> PAGE_BITS);
    int pos = ref & (PAGE_SIZE - 1);
    int stored = 0;
    int shift = 0;
    while (true) {
      byte b = page[pos++];
      stored |= (b & 0x7f) << shift;
      if (b >= 0) {
        break;
      }
      shift += 7;
    }
    return stored == len && java.util.Arrays.equals(page, pos, pos + len, key, 0, len);
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

  private static int hash(byte[] key, int len) {
    int h = 0x9747b28c;
    for (int i = 0; i < len; i++) {
      h = (h ^ key[i]) * 0x01000193;
    }
    return h ^ (h >>> 16);
  }

  /** Sequential varint reader over one stored key. */
  static final class KeyReader {
    private byte[] buf;
    private int pos;
    private int end;

    void reset(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean hasMore() {
      return pos < end;
    }

    long next() {
      long result = 0;
      int shift = 0;
      while (true) {
        byte b = buf[pos++];
        result |= (long) (b & 0x7f) << shift;
        if (b >= 0) {
          return result;
        }
        shift += 7;
      }
    }
  }

  /** Growable byte buffer for building one key. */
  static final class KeyBuilder {
    byte[] buf = new byte[256];
    int len;

    void clear() {
      len = 0;
    }

    void put(long v) {
      if (len + 10 > buf.length) {
        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
      }
      while ((v & ~0x7fL) != 0) {
        buf[len++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }
  }
}
