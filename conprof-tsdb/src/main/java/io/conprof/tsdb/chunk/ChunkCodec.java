package io.conprof.tsdb.chunk;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.conprof.tsdb.block.CorruptBlockException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Encoding {@value #ENCODING_ZSTD_BYTES} of a chunk: up to a few dozen samples {@code (timestamp, bytes)} of one
 * series.
 *
 * <pre>
 * data          := num_samples:uvarint ts_len:uvarint ts_section[ts_len] ts_crc:u32
 *                  payload_codec:u8 raw_len:uvarint payload_section
 * ts_section    := t0:varint [ d1:varint { dod:varint } ]        (zigzag varints; d1 = t1-t0, dod = d(i)-d(i-1))
 * ts_crc        := CRC32C over num_samples, ts_len and ts_section
 * payload_codec := 0 (payload_section is the raw section)
 *                | 1 (payload_section is one zstd frame of the raw section)
 *                | 2 (payload_section is one zstd frame of the split section, see FieldSplit)
 *                | 3 (payload_section is one zstd frame of the symbol-dictionary section, see SymbolDictionaryCodec)
 * raw section   := { len:uvarint bytes[len] }                    (num_samples times; len may be 0)
 * raw_len       := length of the raw (codec 0, 1), split (codec 2) or symbol-dictionary (codec 3) section
 * </pre>
 *
 * <p>Why this shape. The timestamps come first, with their own CRC, and are not compressed with the
 * payloads, so a timeline query reads a few bytes per chunk and never inflates profiles. The payloads of a
 * chunk are compressed together as one zstd frame, because consecutive profiles of one process share most
 * of their bytes (string tables, locations, functions): compressed alone, a profile barely shrinks; in a
 * chunk each later profile costs little more than its difference from the earlier ones. The zstd window
 * is sized to the whole section (up to 2^27 bytes, zstd's default decoder limit), so the last profile of
 * a chunk can still refer to the first one; above {@value #LONG_DISTANCE_MIN_BYTES} bytes long-distance
 * matching is switched on, which finds those repeats cheaply. The price is paid on reads: one profile costs
 * the inflation of its whole chunk, which is why chunks are bounded both by sample count and by raw bytes.
 * When any payload parses as a protobuf (pprof profiles do), the payloads are first regrouped by top-level
 * field ({@link FieldSplit}), which brings the string tables, functions and locations of consecutive
 * profiles next to each other. Better still for pprof, the payloads are re-encoded against chunk-level
 * dictionaries of strings, mappings, functions, locations and stacks, with sample values delta-coded against
 * the previous profile ({@link SymbolDictionaryCodec}, byte-exact and verified on encode); the encoder keeps
 * whichever of codecs 2 and 3 compresses smaller. When zstd does not make the payloads smaller (tiny or
 * random payloads) they are stored raw.
 *
 * <p>Readers bound everything: sample counts by the bytes present, raw sizes by
 * {@value #MAX_RAW_BYTES}, and the zstd frame's declared content size must equal {@code raw_len}.
 */
public final class ChunkCodec {
  /** The encoding byte of this format. */
  public static final int ENCODING_ZSTD_BYTES = 1;
  /** Largest uncompressed payload section a reader inflates (and a writer produces). */
  public static final int MAX_RAW_BYTES = 256 << 20;
  /** Raw sections at least this large are compressed with long-distance matching. */
  static final int LONG_DISTANCE_MIN_BYTES = 1 << 20;

  static final int CODEC_RAW = 0;
  static final int CODEC_ZSTD = 1;
  static final int CODEC_ZSTD_SPLIT = 2;
  static final int CODEC_ZSTD_SYMBOLS = 3;

  /** Test hook: number of zstd decompressions performed by this JVM. */
  static final AtomicLong DECOMPRESSIONS = new AtomicLong();

  private ChunkCodec() {}

  /**
   * Encodes {@code count} samples. Timestamps may be any longs (the block writer enforces order); payloads
   * may be empty.
   *
   * @throws IllegalArgumentException if the raw payload section would exceed {@link #MAX_RAW_BYTES}
   */
  public static byte[] encode(long[] timestampsMillis, byte[][] payloads, int count, int zstdLevel) {
    return encode(timestampsMillis, payloads, count, zstdLevel, CODEC_ZSTD_SYMBOLS);
  }

  /**
   * Like {@link #encode(long[], byte[][], int, int)}, choosing only among payload codecs up to
   * {@code maxPayloadCodec} (1: zstd of the payloads as they are, 2: plus field regrouping, 3: plus symbol
   * dictionaries), so that benchmarks can compare them. Readers understand every codec.
   */
  public static byte[] encode(long[] timestampsMillis, byte[][] payloads, int count, int zstdLevel,
      int maxPayloadCodec) {
    if (maxPayloadCodec < CODEC_ZSTD || maxPayloadCodec > CODEC_ZSTD_SYMBOLS) {
      throw new IllegalArgumentException("maxPayloadCodec " + maxPayloadCodec + " outside [1, 3]");
    }
    if (count < 1 || count > timestampsMillis.length || count > payloads.length) {
      throw new IllegalArgumentException("count " + count + " out of range");
    }
    ByteEncoder ts = new ByteEncoder(count * 3 + 16);
    long prev = timestampsMillis[0];
    long prevDelta = 0;
    ts.varint(prev);
    for (int i = 1; i < count; i++) {
      long delta = timestampsMillis[i] - prev;
      ts.varint(i == 1 ? delta : delta - prevDelta);
      prevDelta = delta;
      prev = timestampsMillis[i];
    }
    long rawLen = 0;
    for (int i = 0; i < count; i++) {
      rawLen += ByteEncoder.uvarintSize(payloads[i].length) + payloads[i].length;
    }
    if (rawLen > MAX_RAW_BYTES) {
      throw new IllegalArgumentException(
          "chunk payloads total " + rawLen + " bytes, more than the limit of " + MAX_RAW_BYTES);
    }
    ByteEncoder raw = new ByteEncoder((int) rawLen);
    for (int i = 0; i < count; i++) {
      raw.uvarint(payloads[i].length).bytes(payloads[i]);
    }
    boolean anyProtobuf = false;
    for (int i = 0; i < count && !anyProtobuf; i++) {
      anyProtobuf = FieldSplit.parses(payloads[i]);
    }
    int codec = CODEC_ZSTD;
    ByteEncoder section = raw;
    if (anyProtobuf && maxPayloadCodec >= CODEC_ZSTD_SPLIT) {
      ByteEncoder split = FieldSplit.split(payloads, count);
      if (split != null && split.length() <= MAX_RAW_BYTES) {
        codec = CODEC_ZSTD_SPLIT;
        section = split;
      }
    }
    byte[] compressed = compress(section.array(), section.length(), zstdLevel);
    if (anyProtobuf && maxPayloadCodec >= CODEC_ZSTD_SYMBOLS) {
      ByteEncoder symbols = SymbolDictionaryCodec.encode(payloads, count);
      if (symbols != null) {
        byte[] c3 = compress(symbols.array(), symbols.length(), zstdLevel);
        if (c3.length < compressed.length) {
          codec = CODEC_ZSTD_SYMBOLS;
          section = symbols;
          compressed = c3;
        }
      }
    }

    ByteEncoder out = new ByteEncoder(ts.length() + 32 + Math.min(raw.length(), compressed.length));
    out.uvarint(count).uvarint(ts.length()).bytes(ts.array(), 0, ts.length());
    out.crc32cFrom(0);
    if (compressed.length < raw.length()) {
      out.u8(codec).uvarint(section.length()).bytes(compressed);
    } else {
      out.u8(CODEC_RAW).uvarint(raw.length()).bytes(raw.array(), 0, raw.length());
    }
    return out.toByteArray();
  }

  private static byte[] compress(byte[] raw, int len, int level) {
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(level);
      ctx.setChecksum(false);
      ctx.setContentSize(true);
      int windowLog = Math.max(Zstd.windowLogMin(), Math.min(27, 64 - Long.numberOfLeadingZeros(Math.max(1, len - 1))));
      ctx.setWindowLog(windowLog);
      if (len >= LONG_DISTANCE_MIN_BYTES) {
        ctx.setLong(windowLog);
      }
      byte[] dst = new byte[(int) Math.min(Integer.MAX_VALUE - 16, Zstd.compressBound(len))];
      int n = ctx.compressByteArray(dst, 0, dst.length, raw, 0, len);
      return java.util.Arrays.copyOf(dst, n);
    }
  }

  /**
   * Parses and checks the timestamp part of the data in {@code d} (positioned at the start of the data),
   * leaving it after {@code ts_crc}.
   */
  static int[] readTimestampSection(ByteDecoder d) throws CorruptBlockException {
    int dataStart = d.position();
    int n = d.uvarintInt("chunk sample count", Integer.MAX_VALUE);
    int tsLen = d.uvarintInt("chunk timestamp section length", d.remaining());
    int tsStart = d.position();
    if (n < 1 || n > tsLen) {
      throw d.corruptAt(dataStart, "chunk sample count " + n + " impossible for a timestamp section of " + tsLen + " bytes");
    }
    d.skip(tsLen, "chunk timestamp section");
    d.checkCrc32c(dataStart, "chunk timestamp section");
    return new int[] {n, tsStart, tsStart + tsLen};
  }

  /** Decodes the payloads; {@code d} is positioned at {@code payload_codec}. Reads to the end of the window. */
  static byte[][] decodePayloads(ByteDecoder d, int n) throws CorruptBlockException {
    int codecAt = d.position();
    int codec = d.u8("payload codec");
    int rawLen = d.uvarintInt("raw payload length", MAX_RAW_BYTES);
    byte[] raw;
    if (codec == CODEC_RAW) {
      if (d.remaining() != rawLen) {
        throw d.corrupt("raw payload section is " + d.remaining() + " bytes, header says " + rawLen);
      }
      raw = d.bytes(rawLen, "raw payload section");
    } else if (codec == CODEC_ZSTD || codec == CODEC_ZSTD_SPLIT || codec == CODEC_ZSTD_SYMBOLS) {
      int frameAt = d.position();
      byte[] frame = d.bytes(d.remaining(), "zstd payload frame");
      long declared = Zstd.getFrameContentSize(frame);
      if (declared != rawLen) {
        throw d.corruptAt(frameAt, "zstd frame declares " + declared + " content bytes, header says " + rawLen);
      }
      raw = new byte[rawLen];
      DECOMPRESSIONS.incrementAndGet();
      try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
        int got = ctx.decompressByteArray(raw, 0, rawLen, frame, 0, frame.length);
        if (got != rawLen) {
          throw d.corruptAt(frameAt, "zstd frame inflated to " + got + " bytes, expected " + rawLen);
        }
      } catch (ZstdException e) {
        throw d.corruptAt(frameAt, "zstd frame does not decode: " + e.getMessage());
      }
    } else {
      throw d.corruptAt(codecAt, "unknown payload codec " + codec + " (expected 0, 1, 2 or 3)");
    }
    if (codec == CODEC_ZSTD_SPLIT) {
      return FieldSplit.join(raw, n, d.file(), codecAt);
    }
    if (codec == CODEC_ZSTD_SYMBOLS) {
      return SymbolDictionaryCodec.decode(raw, n, d.file(), d.fileOffset() - (d.position() - codecAt));
    }
    ByteDecoder r = new ByteDecoder(ByteBuffer.wrap(raw), 0, raw.length, d.file(), codecAt);
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      int len = r.uvarintInt("payload length (in the inflated payload section)", r.remaining());
      out[i] = r.bytes(len, "payload");
    }
    if (r.remaining() != 0) {
      throw d.corruptAt(codecAt, "payload section has " + r.remaining() + " bytes after " + n + " payloads");
    }
    return out;
  }

  /** Decodes timestamps of a whole data window. */
  static long[] timestamps(ByteBuffer buf, int start, int end, Path file, long fileOffset) throws CorruptBlockException {
    ByteDecoder d = new ByteDecoder(buf, start, end, file, fileOffset);
    int n = d.uvarintInt("chunk sample count", Integer.MAX_VALUE);
    int tsLen = d.uvarintInt("chunk timestamp section length", d.remaining());
    int tsStart = d.position();
    if (n < 1 || n > tsLen) {
      throw d.corruptAt(start, "chunk sample count " + n + " impossible for a timestamp section of " + tsLen + " bytes");
    }
    d.skip(tsLen, "chunk timestamp section");
    int crcAt = d.position();
    int stored = d.u32("chunk timestamp section CRC32C");
    // one bulk copy, then CRC and varints on the heap array: this is the hot path of timeline queries
    byte[] b = new byte[crcAt - start];
    buf.get(start, b, 0, b.length);
    CRC32C crc = new CRC32C();
    crc.update(b, 0, b.length);
    if ((int) crc.getValue() != stored) {
      throw d.corruptAt(crcAt, "chunk timestamp section CRC32C mismatch: stored " + ByteDecoder.hex(stored)
          + ", computed " + ByteDecoder.hex((int) crc.getValue()));
    }
    long[] ts = new long[n];
    int p = tsStart - start;
    long prev = 0;
    long delta = 0;
    for (int i = 0; i < n; i++) {
      long u = 0;
      int shift = 0;
      while (true) {
        if (p >= b.length || shift > 63) {
          throw d.corruptAt(start + Math.min(p, b.length), "timestamp " + i + " of " + n + " is a truncated or overlong varint");
        }
        int x = b[p++] & 0xff;
        u |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          break;
        }
        shift += 7;
      }
      long v = (u >>> 1) ^ -(u & 1);
      if (i == 0) {
        prev = v;
      } else {
        delta = i == 1 ? v : delta + v;
        prev += delta;
      }
      ts[i] = prev;
    }
    if (p != b.length) {
      throw d.corruptAt(start + p, "timestamp section has " + (b.length - p) + " unread bytes after " + n + " timestamps");
    }
    return ts;
  }
}
