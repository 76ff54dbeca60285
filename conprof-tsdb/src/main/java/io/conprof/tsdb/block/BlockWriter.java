package io.conprof.tsdb.block;

import io.conprof.core.model.Label;
import io.conprof.core.model.Labels;
import io.conprof.core.model.Sample;
import io.conprof.tsdb.chunk.ChunkCodec;
import io.conprof.tsdb.chunk.ChunkWriter;
import io.conprof.tsdb.index.ChunkMeta;
import io.conprof.tsdb.index.IndexSeries;
import io.conprof.tsdb.index.IndexWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Writes an immutable block directory from sorted series.
 *
 * <p>Crash safety, as in Prometheus: everything is written into {@code <ULID>.tmp-for-creation}; the chunk
 * segments, index, tombstones and {@code meta.json} are fsynced, then the directory, then it is renamed to
 * {@code <ULID>} and the data directory is fsynced. A crash leaves either no block or a temporary directory
 * that the database deletes on open; never a half-written block under a block name. A failed write
 * deletes its temporary directory.
 *
 * <p>Chunking: samples of a series are cut into chunks of at most {@link Options#maxSamplesPerChunk()}
 * samples, and a chunk is also cut once its payloads reach {@link #MAX_CHUNK_RAW_BYTES}, so reading one
 * profile never inflates more than about that much. The default of 64 samples per chunk is a compromise:
 * the first profile of a chunk costs nearly its full compressed size and every later one only its
 * difference from the earlier ones, so longer chunks amortise that first profile (at 12 samples it is a
 * twelfth of the chunk's input, at 64 a sixty-fourth), while reading a single profile costs the inflation of
 * its whole chunk (64 CPU profiles of 10 s are about 1.5 MB raw). With the symbol-dictionary codec, 64 is
 * where Go CPU series reach 1/5 of the gzip bytes received (1/4.1-4.4 at 32); conprof used 12, Prometheus
 * uses 120 for floats.
 *
 * <p>The series' labels and chunk metas are held in memory until the index is written at the end (payloads
 * go to disk as soon as a chunk is cut); that is a few hundred bytes per series.
 */
public final class BlockWriter {
  /** A chunk is cut once its payloads total this many bytes. */
  public static final int MAX_CHUNK_RAW_BYTES = 8 << 20;
  /** Suffix of the temporary directory a block is written into. */
  public static final String TMP_CREATION_SUFFIX = ".tmp-for-creation";
  /** Suffix a block directory gets before it is deleted. */
  public static final String TMP_DELETION_SUFFIX = ".tmp-for-deletion";
  static final String INDEX_NAME = "index";
  static final String CHUNKS_NAME = "chunks";

  private BlockWriter() {}

  /**
   * How to write a block.
   *
   * @param maxSamplesPerChunk most samples in one chunk, 1 to 65535
   * @param zstdLevel zstd compression level for the chunk payloads, 1 to 19 (3 is zstd's default)
   * @param fsync whether to fsync files and directories (off only for tests and benchmarks)
   * @param level compaction level of the block written
   * @param sources ULIDs of the level-1 blocks this one's data comes from; empty means the block itself
   * @param parents ULIDs of the blocks compacted into this one
   */
  public record Options(int maxSamplesPerChunk, int zstdLevel, boolean fsync, int level, List<String> sources,
      List<String> parents) {
    public Options {
      if (maxSamplesPerChunk < 1 || maxSamplesPerChunk > 65535) {
        throw new IllegalArgumentException("maxSamplesPerChunk " + maxSamplesPerChunk + " outside [1, 65535]");
      }
      if (zstdLevel < 1 || zstdLevel > 19) {
        throw new IllegalArgumentException("zstdLevel " + zstdLevel + " outside [1, 19]");
      }
      if (level < 1) {
        throw new IllegalArgumentException("level " + level + " < 1");
      }
      sources = List.copyOf(sources);
      parents = List.copyOf(parents);
    }

    /** 32 samples per chunk, zstd level 3, fsync on, level 1, no sources or parents. */
    public static Options defaults() {
      return new Options(64, 3, true, 1, List.of(), List.of());
    }

    Options withLevel(int newLevel, List<String> newSources, List<String> newParents) {
      return new Options(maxSamplesPerChunk, zstdLevel, fsync, newLevel, newSources, newParents);
    }
  }

  /**
   * Writes a new block under {@code dataDir} (tmp dir, fsync, rename). Series MUST be sorted by {@link
   * Labels} order with distinct label sets; each series' samples strictly increasing by timestamp and inside
   * [minTimeMillis, maxTimeMillis). Series without samples are left out. A block without any series is
   * still written (it keeps the time range covered).
   *
   * @throws IllegalArgumentException when the series or samples break these rules (nothing is left behind)
   */
  public static BlockMeta write(Path dataDir, Iterator<? extends SeriesSource> sortedSeries, long minTimeMillis,
      long maxTimeMillis, Options options) throws IOException {
    Objects.requireNonNull(options, "options");
    if (maxTimeMillis <= minTimeMillis) {
      throw new IllegalArgumentException("block range [" + minTimeMillis + ", " + maxTimeMillis + ") is empty");
    }
    String ulid = Ulid.next();
    Path tmp = dataDir.resolve(ulid + TMP_CREATION_SUFFIX);
    Path dst = dataDir.resolve(ulid);
    try {
      Files.createDirectories(tmp);
      BlockMeta meta = writeInto(tmp, ulid, sortedSeries, minTimeMillis, maxTimeMillis, options);
      if (options.fsync()) {
        FileSync.fsyncDir(tmp.resolve(CHUNKS_NAME));
        FileSync.fsyncDir(tmp);
      }
      FileSync.moveDir(tmp, dst);
      if (options.fsync()) {
        FileSync.fsyncDir(dataDir);
      }
      return meta;
    } catch (IOException | RuntimeException | Error e) {
      try {
        FileSync.deleteTree(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private static BlockMeta writeInto(Path dir, String ulid, Iterator<? extends SeriesSource> series, long minT,
      long maxT, Options options) throws IOException {
    List<IndexSeries> indexSeries = new ArrayList<>();
    long numSamples = 0;
    long numChunks = 0;
    ChunkWriter chunks = new ChunkWriter(dir.resolve(CHUNKS_NAME), ChunkWriter.DEFAULT_MAX_SEGMENT_BYTES,
        options.fsync());
    try {
      Labels prev = null;
      ChunkCutter cutter = new ChunkCutter(chunks, options);
      while (series.hasNext()) {
        SeriesSource s = series.next();
        Labels labels = Objects.requireNonNull(s.labels(), "series labels");
        if (labels.isEmpty()) {
          throw new IllegalArgumentException("series with an empty label set");
        }
        if (prev != null && prev.compareTo(labels) >= 0) {
          throw new IllegalArgumentException("series " + labels + " is not after " + prev + " in label order");
        }
        prev = labels;
        List<ChunkMeta> metas = cutter.writeSeries(labels, s.samples(), minT, maxT);
        if (metas.isEmpty()) {
          continue;
        }
        List<String> pairs = new ArrayList<>(labels.size() * 2);
        for (Label l : labels) {
          pairs.add(l.name());
          pairs.add(l.value());
        }
        indexSeries.add(new IndexSeries(0, pairs, metas));
        numChunks += metas.size();
        for (ChunkMeta m : metas) {
          numSamples += m.numSamples();
        }
      }
    } finally {
      chunks.close();
    }
    long chunkBytes = chunks.totalBytes();
    long indexBytes = IndexWriter.write(dir.resolve(INDEX_NAME), indexSeries, options.fsync());
    Tombstones.EMPTY.write(dir, options.fsync());
    long tombstoneBytes = Files.size(dir.resolve(Tombstones.NAME));
    List<String> sources = options.sources().isEmpty() ? List.of(ulid) : options.sources();
    BlockMeta meta = new BlockMeta(ulid, minT, maxT, indexSeries.size(), numSamples, numChunks,
        chunkBytes + indexBytes + tombstoneBytes, options.level(), sources, options.parents(), false);
    MetaFile.write(dir, meta, options.fsync());
    return meta;
  }

  /** Buffers the samples of one series and cuts them into chunks. */
  private static final class ChunkCutter {
    private final ChunkWriter writer;
    private final Options options;
    private final long[] ts;
    private final byte[][] payloads;

    ChunkCutter(ChunkWriter writer, Options options) {
      this.writer = writer;
      this.options = options;
      this.ts = new long[options.maxSamplesPerChunk()];
      this.payloads = new byte[options.maxSamplesPerChunk()][];
    }

    List<ChunkMeta> writeSeries(Labels labels, Iterator<Sample> samples, long minT, long maxT) throws IOException {
      List<ChunkMeta> metas = new ArrayList<>();
      int n = 0;
      long rawBytes = 0;
      long last = Long.MIN_VALUE;
      boolean first = true;
      while (samples.hasNext()) {
        Sample s = samples.next();
        long t = s.timestampMillis();
        if (!first && t <= last) {
          throw new IllegalArgumentException("series " + labels + ": timestamp " + t + " is not after " + last);
        }
        if (t < minT || t >= maxT) {
          throw new IllegalArgumentException("series " + labels + ": timestamp " + t + " outside the block range ["
              + minT + ", " + maxT + ")");
        }
        if (s.bytes().length > ChunkCodec.MAX_RAW_BYTES - 16) {
          throw new IllegalArgumentException("series " + labels + ": sample at " + t + " has " + s.bytes().length
              + " bytes, more than the limit of " + (ChunkCodec.MAX_RAW_BYTES - 16));
        }
        if (n > 0 && rawBytes + s.bytes().length > MAX_CHUNK_RAW_BYTES) {
          metas.add(flush(n));
          n = 0;
          rawBytes = 0;
        }
        first = false;
        last = t;
        ts[n] = t;
        payloads[n] = s.bytes();
        n++;
        rawBytes += s.bytes().length;
        if (n == ts.length) {
          metas.add(flush(n));
          n = 0;
          rawBytes = 0;
        }
      }
      if (n > 0) {
        metas.add(flush(n));
      }
      return metas;
    }

    private ChunkMeta flush(int n) throws IOException {
      byte[] data = ChunkCodec.encode(ts, payloads, n, options.zstdLevel());
      long ref = writer.write(data);
      ChunkMeta meta = new ChunkMeta(ts[0], ts[n - 1], ref, n);
      java.util.Arrays.fill(payloads, null);
      return meta;
    }
  }
}
