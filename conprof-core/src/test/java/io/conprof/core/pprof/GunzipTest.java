package io.conprof.core.pprof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GunzipTest {
  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] gunzipWithJdk(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  private static byte[] randomText(long seed, int n) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + r.nextInt(r.nextBoolean() ? 3 : 26));
    }
    return b;
  }

  @Test
  void gunzip_givesWhatTheJdkGives_forSeededRandomInputs() throws IOException {
    for (int seed = 0; seed < 40; seed++) {
      byte[] data = randomText(seed, seed * 997 % 70_000);
      byte[] gz = gzip(data);
      assertThat(Gunzip.gunzip(gz, 1 << 20)).isEqualTo(data).isEqualTo(gunzipWithJdk(gz));
    }
  }

  @Test
  void gunzip_readsConcatenatedMembersAndIgnoresTrailingGarbage() throws IOException {
    byte[] a = randomText(1, 5000);
    byte[] b = randomText(2, 7000);
    ByteArrayOutputStream cat = new ByteArrayOutputStream();
    cat.write(gzip(a));
    cat.write(gzip(b));
    cat.write(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    byte[] gz = cat.toByteArray();

    byte[] expected = new byte[a.length + b.length];
    System.arraycopy(a, 0, expected, 0, a.length);
    System.arraycopy(b, 0, expected, a.length, b.length);
    assertThat(Gunzip.gunzip(gz, 1 << 20)).isEqualTo(expected).isEqualTo(gunzipWithJdk(gz));
  }

  @Test
  void gunzip_skipsOptionalHeaderFieldsAndChecksTheHeaderCrc() throws IOException {
    byte[] data = randomText(3, 3000);
    byte[] plain = gzip(data);
    // Rebuild the member with FEXTRA, FNAME, FCOMMENT and FHCRC set.
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, (byte) 0xff});
    h.write(new byte[] {3, 0, 'x', 'y', 'z'});
    h.write("cpu.pb\0".getBytes());
    h.write("a comment\0".getBytes());
    CRC32 crc = new CRC32();
    crc.update(h.toByteArray());
    int hcrc = (int) crc.getValue() & 0xffff;
    byte[] head = h.toByteArray();
    ByteArrayOutputStream member = new ByteArrayOutputStream();
    member.write(head);
    member.write(hcrc & 0xff);
    member.write(hcrc >>> 8);
    member.write(plain, 10, plain.length - 10);
    byte[] gz = member.toByteArray();
    assertThat(Gunzip.gunzip(gz, 1 << 20)).isEqualTo(data).isEqualTo(gunzipWithJdk(gz));

    byte[] badHeaderCrc = gz.clone();
    badHeaderCrc[head.length] ^= 1;
    assertThatThrownBy(() -> Gunzip.gunzip(badHeaderCrc, 1 << 20))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessage("corrupt gzip stream: Corrupt GZIP header");
  }

  @Test
  void gunzip_refusesCorruptAndTruncatedStreams() throws IOException {
    byte[] data = randomText(4, 20_000);
    byte[] gz = gzip(data);

    byte[] badCrc = gz.clone();
    badCrc[gz.length - 8] ^= 1;
    assertThatThrownBy(() -> Gunzip.gunzip(badCrc, 1 << 20)).hasMessage("corrupt gzip stream: Corrupt GZIP trailer");

    byte[] badSize = gz.clone();
    badSize[gz.length - 1] ^= 1;
    assertThatThrownBy(() -> Gunzip.gunzip(badSize, 1 << 20)).hasMessage("corrupt gzip stream: Corrupt GZIP trailer");

    byte[] badMethod = gz.clone();
    badMethod[2] = 7;
    assertThatThrownBy(() -> Gunzip.gunzip(badMethod, 1 << 20))
        .hasMessage("corrupt gzip stream: Unsupported compression method");

    byte[] badBlock = gz.clone();
    badBlock[10] = (byte) 0xff; // block type 3 is reserved
    assertThatThrownBy(() -> Gunzip.gunzip(badBlock, 1 << 20))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessageStartingWith("corrupt gzip stream: ");

    for (int cut : new int[] {5, 12, gz.length / 2, gz.length - 3}) {
      assertThatThrownBy(() -> Gunzip.gunzip(Arrays.copyOf(gz, cut), 1 << 20))
          .isInstanceOf(InvalidProfileException.class)
          .hasMessageStartingWith("truncated gzip stream: it ends after ");
    }
  }

  @Test
  void gunzip_stopsAtTheLimit() throws IOException {
    byte[] zeros = new byte[1 << 20];
    byte[] gz = gzip(zeros);

    assertThat(Gunzip.gunzip(gz, zeros.length)).hasSize(zeros.length);
    assertThatThrownBy(() -> Gunzip.gunzip(gz, zeros.length - 1))
        .isInstanceOf(InvalidProfileException.class)
        .hasMessage("gzip stream expands beyond the limit of " + (zeros.length - 1)
            + " bytes (decompression stopped there; a decompression bomb?)");
  }
}
