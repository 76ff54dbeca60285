package io.conprof.tsdb;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a database; build with {@link #builder()}. Every setter validates its argument at
 * once.
 */
public final class TsdbOptions {
  private final Duration blockRange;
  private final Duration retentionTime;
  private final long retentionBytes;
  private final FsyncPolicy fsyncPolicy;
  private final long maxSampleBytes;
  private final long maxSeries;
  private final int samplesPerChunk;
  private final int zstdLevel;
  private final SeriesRegistryKind registry;
  private final long walSegmentBytes;
  private final boolean backgroundCompaction;
  private final Duration compactionInterval;
  private final Duration readOnlyRefreshInterval;
  private final Clock clock;

  private TsdbOptions(Builder b) {
    blockRange = b.blockRange;
    retentionTime = b.retentionTime;
    retentionBytes = b.retentionBytes;
    fsyncPolicy = b.fsyncPolicy;
    maxSampleBytes = b.maxSampleBytes;
    maxSeries = b.maxSeries;
    samplesPerChunk = b.samplesPerChunk;
    zstdLevel = b.zstdLevel;
    registry = b.registry;
    walSegmentBytes = b.walSegmentBytes;
    backgroundCompaction = b.backgroundCompaction;
    compactionInterval = b.compactionInterval;
    readOnlyRefreshInterval = b.readOnlyRefreshInterval;
    clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** All defaults. */
  public static TsdbOptions defaults() {
    return builder().build();
  }

  /** Time range of a block cut from the head; default 2 h. */
  public Duration blockRange() {
    return blockRange;
  }

  /** Blocks ending more than this before the newest block's end are deleted; zero = keep all. */
  public Duration retentionTime() {
    return retentionTime;
  }

  /** Oldest blocks are deleted while blocks plus WAL exceed this many bytes; zero = no limit. */
  public long retentionBytes() {
    return retentionBytes;
  }

  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  /** Largest accepted sample, uncompressed; default 64 MiB. */
  public long maxSampleBytes() {
    return maxSampleBytes;
  }

  /** Most series the head holds (and the size of the registry file); default 100,000. */
  public long maxSeries() {
    return maxSeries;
  }

  /** Most samples per block chunk; default 64 (see docs/storage-format.md, "Why 64 samples per chunk"). */
  public int samplesPerChunk() {
    return samplesPerChunk;
  }

  /** zstd level of block chunks; default 3. */
  public int zstdLevel() {
    return zstdLevel;
  }

  public SeriesRegistryKind registry() {
    return registry;
  }

  /** WAL segment size; default 128 MiB. */
  public long walSegmentBytes() {
    return walSegmentBytes;
  }

  /** Whether a background thread compacts and applies retention; default true. */
  public boolean backgroundCompaction() {
    return backgroundCompaction;
  }

  /** How often the background thread checks for work besides after commits; default 1 min. */
  public Duration compactionInterval() {
    return compactionInterval;
  }

  /**
   * How often a store opened with {@link Tsdb#openReadOnly} picks up what its writer did, on a
   * daemon thread; {@link Duration#ZERO} for no background refresh (call {@link Tsdb#refresh}).
   * Default 5 s. Ignored by {@link Tsdb#open}.
   */
  public Duration readOnlyRefreshInterval() {
    return readOnlyRefreshInterval;
  }

  /** The clock used for compaction timing and statistics. */
  public Clock clock() {
    return clock;
  }

  /** Builder for {@link TsdbOptions}. */
  public static final class Builder {
    private Duration blockRange = Duration.ofHours(2);
    private Duration retentionTime = Duration.ofDays(15);
    private long retentionBytes;
    private FsyncPolicy fsyncPolicy = FsyncPolicy.everyCommit();
    private long maxSampleBytes = 64L << 20;
    private long maxSeries = 100_000;
    private int samplesPerChunk = 64;
    private int zstdLevel = 3;
    private SeriesRegistryKind registry = SeriesRegistryKind.CHRONICLE;
    private long walSegmentBytes = 128L << 20;
    private boolean backgroundCompaction = true;
    private Duration compactionInterval = Duration.ofMinutes(1);
    private Duration readOnlyRefreshInterval = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    public Builder blockRange(Duration d) {
      if (Objects.requireNonNull(d, "blockRange").toMillis() < 1) {
        throw new IllegalArgumentException("blockRange must be at least 1 ms, got " + d);
      }
      blockRange = d;
      return this;
    }

    public Builder retentionTime(Duration d) {
      if (Objects.requireNonNull(d, "retentionTime").isNegative()) {
        throw new IllegalArgumentException("retentionTime must not be negative, got " + d);
      }
      retentionTime = d;
      return this;
    }

    public Builder retentionBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("retentionBytes must not be negative, got " + bytes);
      }
      retentionBytes = bytes;
      return this;
    }

    public Builder fsyncPolicy(FsyncPolicy p) {
      fsyncPolicy = Objects.requireNonNull(p, "fsyncPolicy");
      return this;
    }

    public Builder maxSampleBytes(long bytes) {
      if (bytes < 1 || bytes > (1L << 30) - (1L << 20)) {
        throw new IllegalArgumentException("maxSampleBytes must be in [1, 1023 MiB], got " + bytes);
      }
      maxSampleBytes = bytes;
      return this;
    }

    public Builder maxSeries(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxSeries must be at least 1, got " + n);
      }
      maxSeries = n;
      return this;
    }

    public Builder samplesPerChunk(int n) {
      if (n < 1 || n > 65535) {
        throw new IllegalArgumentException("samplesPerChunk must be in [1, 65535], got " + n);
      }
      samplesPerChunk = n;
      return this;
    }

    public Builder zstdLevel(int level) {
      if (level < 1 || level > 19) {
        throw new IllegalArgumentException("zstdLevel must be in [1, 19], got " + level);
      }
      zstdLevel = level;
      return this;
    }

    public Builder registry(SeriesRegistryKind kind) {
      registry = Objects.requireNonNull(kind, "registry");
      return this;
    }

    public Builder walSegmentBytes(long bytes) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException("walSegmentBytes must be at least 64 KiB, got " + bytes);
      }
      walSegmentBytes = bytes;
      return this;
    }

    public Builder backgroundCompaction(boolean on) {
      backgroundCompaction = on;
      return this;
    }

    public Builder compactionInterval(Duration d) {
      if (Objects.requireNonNull(d, "compactionInterval").toMillis() < 1) {
        throw new IllegalArgumentException("compactionInterval must be at least 1 ms, got " + d);
      }
      compactionInterval = d;
      return this;
    }

    public Builder readOnlyRefreshInterval(Duration d) {
      if (Objects.requireNonNull(d, "readOnlyRefreshInterval").isNegative()
          || (!d.isZero() && d.toMillis() < 1)) {
        throw new IllegalArgumentException("readOnlyRefreshInterval must be zero (off) or at least "
            + "1 ms, got " + d);
      }
      readOnlyRefreshInterval = d;
      return this;
    }

    public Builder clock(Clock c) {
      clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public TsdbOptions build() {
      return new TsdbOptions(this);
    }
  }
}
