package io.conprof.tsdb.block;

import io.conprof.tsdb.chunk.Chunk;
import io.conprof.tsdb.chunk.ChunkReader;
import io.conprof.tsdb.index.ChunkMeta;
import io.conprof.tsdb.index.IndexReader;
import io.conprof.tsdb.index.IndexSeries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a block completely, for {@code tsdb verify}: {@code meta.json}; every section CRC, series entry and
 * postings list of the index (order, symbol references, label presence); every chunk frame of every segment
 * (CRC, and that the payloads inflate); that every chunk reference of the index points at a chunk inside
 * its segment whose sample count and first and last timestamps match the chunk meta and lie in the block's
 * range; that the tombstones are intact and name existing series; and that the statistics in {@code
 * meta.json} match what was found. Problems are collected, not thrown: the check goes on past a damaged part
 * where it can.
 */
public final class BlockVerifier {
  private BlockVerifier() {}

  /**
   * One problem found.
   *
   * @param file the damaged file
   * @param offset byte offset in the file, or -1 when it concerns the whole file
   * @param message what is wrong
   */
  public record Problem(Path file, long offset, String message) {
    static Problem of(CorruptBlockException e) {
      return new Problem(e.file(), e.offset(), e.reason());
    }

    @Override
    public String toString() {
      return file + (offset >= 0 ? " at offset " + offset : "") + ": " + message;
    }
  }

  /** Checks the block directory; an empty list means no problem was found. */
  public static List<Problem> verify(Path blockDir) {
    List<Problem> problems = new ArrayList<>();
    if (!Files.isDirectory(blockDir)) {
      problems.add(new Problem(blockDir, -1, "not a directory"));
      return problems;
    }
    BlockMeta meta = null;
    try {
      meta = Block.readMeta(blockDir);
      String dirName = blockDir.getFileName().toString();
      if (Ulid.isValid(dirName) && !dirName.equals(meta.ulid())) {
        problems.add(new Problem(blockDir.resolve(MetaFile.NAME), -1, "ulid " + meta.ulid()
            + " differs from the directory name " + dirName));
      }
    } catch (CorruptBlockException e) {
      problems.add(Problem.of(e));
    } catch (IOException e) {
      problems.add(new Problem(blockDir.resolve(MetaFile.NAME), -1, "cannot read: " + e));
    }

    List<IndexSeries> series = null;
    Path indexFile = blockDir.resolve(BlockWriter.INDEX_NAME);
    try (IndexReader index = IndexReader.open(indexFile)) {
      series = index.verify(e -> problems.add(Problem.of(e)));
    } catch (CorruptBlockException e) {
      problems.add(Problem.of(e));
    } catch (IOException e) {
      problems.add(new Problem(indexFile, -1, "cannot read: " + e));
    }

    Set<Long> chunkRefs = null;
    ChunkReader chunks = null;
    Path chunksDir = blockDir.resolve(BlockWriter.CHUNKS_NAME);
    try {
      chunks = ChunkReader.open(chunksDir);
      List<Long> refs = new ArrayList<>();
      for (int s = 1; s <= chunks.segmentCount(); s++) {
        try {
          chunks.scanSegment(s, refs);
        } catch (CorruptBlockException e) {
          problems.add(Problem.of(e));
        }
      }
      chunkRefs = new HashSet<>(refs);
    } catch (CorruptBlockException e) {
      problems.add(Problem.of(e));
    } catch (IOException e) {
      problems.add(new Problem(chunksDir, -1, "cannot read: " + e));
    }

    if (series != null && chunks != null) {
      checkChunkRefs(meta, series, chunks, chunkRefs, indexFile, problems);
    }
    if (chunks != null) {
      chunks.close();
    }

    try {
      Tombstones t = Tombstones.read(blockDir);
      if (series != null) {
        Set<Long> seriesRefs = new HashSet<>();
        for (IndexSeries s : series) {
          seriesRefs.add(s.ref());
        }
        for (long ref : t.seriesRefs()) {
          if (!seriesRefs.contains(ref)) {
            problems.add(new Problem(blockDir.resolve(Tombstones.NAME), -1, "tombstone for series ref " + ref
                + ", which is not a series of the index"));
          }
        }
      }
    } catch (CorruptBlockException e) {
      problems.add(Problem.of(e));
    } catch (IOException e) {
      problems.add(new Problem(blockDir.resolve(Tombstones.NAME), -1, "cannot read: " + e));
    }

    if (meta != null && series != null) {
      long samples = 0;
      long numChunks = 0;
      for (IndexSeries s : series) {
        numChunks += s.chunks().size();
        for (ChunkMeta c : s.chunks()) {
          samples += c.numSamples();
        }
      }
      if (meta.numSeries() != series.size() || meta.numChunks() != numChunks || meta.numSamples() != samples) {
        problems.add(new Problem(blockDir.resolve(MetaFile.NAME), -1, "stats say " + meta.numSeries() + " series, "
            + meta.numChunks() + " chunks, " + meta.numSamples() + " samples; the index has " + series.size()
            + " series, " + numChunks + " chunks, " + samples + " samples"));
      }
    }
    return problems.stream().distinct().toList();
  }

  private static void checkChunkRefs(BlockMeta meta, List<IndexSeries> series, ChunkReader chunks, Set<Long> chunkRefs,
      Path indexFile, List<Problem> problems) {
    for (IndexSeries s : series) {
      for (ChunkMeta c : s.chunks()) {
        if (chunkRefs != null && !chunkRefs.contains(c.ref())) {
          problems.add(new Problem(indexFile, s.ref(), "series " + s.labelPairs() + " refers to chunk 0x"
              + Long.toHexString(c.ref()) + ", which is not the start of an intact chunk"));
          try {
            chunks.chunk(c.ref());
          } catch (CorruptBlockException e) {
            problems.add(Problem.of(e)); // where the reference lands in the chunk files
          }
          continue;
        }
        if (meta != null && (c.minTimeMillis() < meta.minTimeMillis() || c.maxTimeMillis() >= meta.maxTimeMillis())) {
          problems.add(new Problem(indexFile, s.ref(), "chunk [" + c.minTimeMillis() + ", " + c.maxTimeMillis()
              + "] of series " + s.labelPairs() + " lies outside the block range [" + meta.minTimeMillis() + ", "
              + meta.maxTimeMillis() + ")"));
        }
        try {
          Chunk chunk = chunks.chunk(c.ref());
          long[] ts = chunk.timestamps();
          boolean increasing = true;
          for (int i = 1; i < ts.length; i++) {
            increasing &= ts[i] > ts[i - 1];
          }
          if (ts.length != c.numSamples() || ts[0] != c.minTimeMillis() || ts[ts.length - 1] != c.maxTimeMillis()
              || !increasing) {
            Path seg = chunks.segmentFile((int) (c.ref() >>> 32));
            problems.add(new Problem(seg, c.ref() & 0xffffffffL, "chunk holds " + ts.length + " samples from "
                + ts[0] + " to " + ts[ts.length - 1] + (increasing ? "" : " not strictly increasing")
                + "; the index of series " + s.labelPairs() + " says " + c.numSamples() + " samples from "
                + c.minTimeMillis() + " to " + c.maxTimeMillis()));
          }
          chunk.payloads();
        } catch (CorruptBlockException e) {
          problems.add(Problem.of(e));
        }
      }
    }
  }
}
