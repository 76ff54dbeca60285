package io.conprof.tsdb.index;

import java.util.Arrays;
import java.util.List;

/**
 * Set operations on postings: strictly increasing arrays of series references (non-negative, because an
 * index file is smaller than 2 GiB).
 */
public final class Postings {
  public static final int[] EMPTY = new int[0];

  private Postings() {}

  public static int[] intersect(int[] a, int[] b) {
    int[] out = new int[Math.min(a.length, b.length)];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length && j < b.length) {
      int c = Integer.compareUnsigned(a[i], b[j]);
      if (c == 0) {
        out[n++] = a[i];
        i++;
        j++;
      } else if (c < 0) {
        i++;
      } else {
        j++;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Elements of {@code a} that are not in {@code b}. */
  public static int[] subtract(int[] a, int[] b) {
    int[] out = new int[a.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length) {
      if (j >= b.length) {
        out[n++] = a[i++];
        continue;
      }
      int c = Integer.compareUnsigned(a[i], b[j]);
      if (c == 0) {
        i++;
        j++;
      } else if (c < 0) {
        out[n++] = a[i++];
      } else {
        j++;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Union of any number of postings lists. */
  public static int[] union(List<int[]> lists) {
    if (lists.size() <= 2) {
      int[] acc = EMPTY;
      for (int[] l : lists) {
        acc = union(acc, l);
      }
      return acc;
    }
    long total = 0;
    for (int[] l : lists) {
      total += l.length;
    }
    int[] all = new int[Math.toIntExact(total)];
    int n = 0;
    for (int[] l : lists) {
      System.arraycopy(l, 0, all, n, l.length);
      n += l.length;
    }
    Arrays.sort(all);
    int m = 0;
    for (int i = 0; i < all.length; i++) {
      if (m == 0 || all[m - 1] != all[i]) {
        all[m++] = all[i];
      }
    }
    return Arrays.copyOf(all, m);
  }

  public static int[] union(int[] a, int[] b) {
    int[] out = new int[a.length + b.length];
    int i = 0;
    int j = 0;
    int n = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length) {
        out[n++] = a[i++];
      } else if (i >= a.length) {
        out[n++] = b[j++];
      } else {
        int c = Integer.compareUnsigned(a[i], b[j]);
        if (c == 0) {
          out[n++] = a[i];
          i++;
          j++;
        } else if (c < 0) {
          out[n++] = a[i++];
        } else {
          out[n++] = b[j++];
        }
      }
    }
    return Arrays.copyOf(out, n);
  }
}
