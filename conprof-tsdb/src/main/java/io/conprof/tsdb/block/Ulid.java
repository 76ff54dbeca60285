package io.conprof.tsdb.block;

import java.security.SecureRandom;
import java.util.Random;

/**
 * ULIDs (https://github.com/ulid/spec): 48 bits of Unix milliseconds then 80 random bits, written as 26
 * characters of Crockford base32. They sort by creation time as strings, which is why blocks are named
 * by them.
 */
final class Ulid {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final Random RANDOM = new SecureRandom();

  private Ulid() {}

  static String next() {
    return generate(System.currentTimeMillis(), RANDOM);
  }

  static String generate(long timeMillis, Random random) {
    if (timeMillis < 0 || timeMillis >= (1L << 48)) {
      throw new IllegalArgumentException("ULID time " + timeMillis + " outside 48 bits");
    }
    char[] out = new char[26];
    // 10 characters of time (50 bits, top 2 are zero)
    long t = timeMillis;
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (t & 31)];
      t >>>= 5;
    }
    // 16 characters of randomness (80 bits)
    long hi;
    long lo;
    synchronized (random) {
      hi = random.nextLong() & 0xffffL; // 16 bits
      lo = random.nextLong(); // 64 bits
    }
    for (int i = 25; i >= 10; i--) {
      out[i] = ALPHABET[(int) (lo & 31)];
      lo = (lo >>> 5) | ((hi & 31) << 59);
      hi >>>= 5;
    }
    return new String(out);
  }

  static boolean isValid(String s) {
    if (s == null || s.length() != 26 || s.charAt(0) > '7') {
      return false;
    }
    for (int i = 0; i < 26; i++) {
      if (decode(s.charAt(i)) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Milliseconds encoded in a valid ULID. */
  static long timeMillis(String ulid) {
    long t = 0;
    for (int i = 0; i < 10; i++) {
      t = (t << 5) | decode(ulid.charAt(i));
    }
    return t;
  }

  private static int decode(char c) {
    for (int i = 0; i < ALPHABET.length; i++) {
      if (ALPHABET[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
