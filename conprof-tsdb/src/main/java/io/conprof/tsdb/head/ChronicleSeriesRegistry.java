package io.conprof.tsdb.head;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent {@link SeriesRegistry}: a Chronicle Map file ({@code head-series.cmap}) of
 * fixed-size entries, 16-byte key and 24-byte value, memory-mapped off the Java heap so that a
 * restart does not rebuild it and many series do not weigh on the garbage collector.
 *
 * <p>Chronicle Map promises no durability: its pages are flushed by the OS, and a crash can lose
 * recent updates or leave a segment lock held. Hence a clean-shutdown marker ({@code
 * head-series.cmap.clean}), written after {@code close()} and removed on open: without it the file
 * is opened with {@code recoverPersistedTo}, which scans it and clears stale locks, and the head
 * then checks it against the WAL and rebuilds it on any disagreement. If even recovery fails the
 * file is deleted and rebuilt from the WAL.
 */
public final class ChronicleSeriesRegistry implements SeriesRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ChronicleSeriesRegistry.class);
  static final int VALUE_BYTES = 24;

  static {
    System.setProperty("chronicle.analytics.disable", "true");
    if (System.getProperty("chronicle.announcer.disable") == null) {
      System.setProperty("chronicle.announcer.disable", "true"); // no banner on the CLI's stderr
    }
  }

  private final ChronicleMap<byte[], byte[]> map;
  private final Path file;
  private final Path cleanMarker;
  private final boolean recovered;

  private ChronicleSeriesRegistry(
      ChronicleMap<byte[], byte[]> map, Path file, Path cleanMarker, boolean recovered) {
    this.map = map;
    this.file = file;
    this.cleanMarker = cleanMarker;
    this.recovered = recovered;
  }

  /** Opens or creates the registry file, recovering it after an unclean stop. */
  public static ChronicleSeriesRegistry open(Path file, long maxSeries) throws IOException {
    ChronicleJvmOptions.check();
    Path marker = file.resolveSibling(file.getFileName() + ".clean");
    boolean exists = Files.exists(file);
    boolean clean = Files.exists(marker);
    Files.deleteIfExists(marker);
    ChronicleMapBuilder<byte[], byte[]> b = builder(maxSeries);
    if (exists && !looksLikeChronicleMap(file)) {
      // Chronicle waits a minute for a header that never becomes ready; do not ask it.
      LOG.warn("series registry {} is not a Chronicle Map file; rebuilding it from the WAL", file);
      Files.delete(file);
      return new ChronicleSeriesRegistry(b.createPersistedTo(file.toFile()), file, marker, true);
    }
    if (!exists) {
      return new ChronicleSeriesRegistry(b.createPersistedTo(file.toFile()), file, marker, false);
    }
    try {
      if (clean) {
        return new ChronicleSeriesRegistry(b.createPersistedTo(file.toFile()), file, marker, false);
      }
      LOG.info("series registry {} was not closed cleanly; recovering it", file);
      return new ChronicleSeriesRegistry(
          b.recoverPersistedTo(file.toFile(), true), file, marker, true);
    } catch (IOException | RuntimeException e) {
      LOG.warn("series registry {} cannot be opened ({}); rebuilding it from the WAL", file,
          e.toString());
      Files.deleteIfExists(file);
      return new ChronicleSeriesRegistry(builder(maxSeries).createPersistedTo(file.toFile()), file,
          marker, true);
    }
  }

  private static boolean looksLikeChronicleMap(Path file) throws IOException {
    byte[] head = new byte[256];
    int n;
    try (var in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    return new String(head, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains("net.openhft.chronicle.map.VanillaChronicleMap");
  }

  private static ChronicleMapBuilder<byte[], byte[]> builder(long maxSeries) {
    return ChronicleMapBuilder.of(byte[].class, byte[].class)
        .name("conprof-head-series")
        .entries(Math.max(1024, maxSeries))
        .maxBloatFactor(4)
        .constantKeySizeBySample(new byte[16])
        .constantValueSizeBySample(new byte[VALUE_BYTES]);
  }

  @Override
  public Entry get(SeriesKey key) {
    byte[] v = map.get(key.toBytes());
    return v == null ? null : decode(v);
  }

  @Override
  public void put(SeriesKey key, Entry entry) {
    map.put(key.toBytes(), ByteBuffer.allocate(VALUE_BYTES).putLong(entry.seriesRef())
        .putLong(entry.firstTimestampMillis()).putLong(entry.lastTimestampMillis()).array());
  }

  @Override
  public void remove(SeriesKey key) {
    map.remove(key.toBytes());
  }

  @Override
  public long size() {
    return map.longSize();
  }

  @Override
  public void forEach(BiConsumer<SeriesKey, Entry> action) {
    map.forEach((k, v) -> action.accept(SeriesKey.fromBytes(k), decode(v)));
  }

  @Override
  public void clear() {
    map.clear();
  }

  @Override
  public boolean recovered() {
    return recovered;
  }

  /** The registry file. */
  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    if (map.isOpen()) {
      map.close();
      Files.write(cleanMarker, new byte[0]);
    }
  }

  private static Entry decode(byte[] v) {
    ByteBuffer b = ByteBuffer.wrap(v);
    return new Entry(b.getLong(), b.getLong(), b.getLong());
  }
}
