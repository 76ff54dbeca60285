package io.conprof.core.jvm;

import io.conprof.core.pprof.ProfileBuilder.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jdk.jfr.FlightRecorder;
import jdk.jfr.consumer.RecordedClass;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedObject;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JFR side of the engine: the one {@link RecordingStream}, its explicitly enabled events, and
 * the conversion of each event's stack into interned frames. Only this class touches {@code
 * jdk.jfr}, so a JVM without that module fails here, where the engine catches it.
 */
final class JfrEventSource {
  private static final Logger LOG = LoggerFactory.getLogger(JfrEventSource.class);
  static final String EXECUTION_SAMPLE = "jdk.ExecutionSample";
  static final String ALLOCATION_SAMPLE = "jdk.ObjectAllocationSample";
  static final String MONITOR_ENTER = "jdk.JavaMonitorEnter";
  static final String THREAD_PARK = "jdk.ThreadPark";
  static final String THREAD_START = "jdk.ThreadStart";
  static final String OLD_OBJECT_SAMPLE = "jdk.OldObjectSample";
  private static final int MAX_CACHED_FRAMES = 200_000;

  private static final AtomicLong WATERMARKS = new AtomicLong();

  private final RecordingStream stream;
  private volatile long seenWatermark;
  private long unreadableEvents;
  private final JfrEngine engine;
  /** Frames by (class, method, descriptor, line); used on the callback thread only. */
  private final HashMap<FrameKey, Frame> frames = new HashMap<>();

  private record FrameKey(String className, String method, String descriptor, int line) {}

  private JfrEventSource(JfrEngine engine, JfrSettings s) {
    this.engine = engine;
    this.stream = new RecordingStream();
    stream.setOrdered(false);
    stream.setReuse(true);
    stream.setMaxAge(Duration.ofSeconds(30));
    stream.enable(EXECUTION_SAMPLE).withPeriod(s.cpuPeriod());
    stream.enable(ALLOCATION_SAMPLE).with("throttle", s.allocationSamplesPerSecond() + "/s").withStackTrace();
    stream.enable(MONITOR_ENTER).withThreshold(s.mutexThreshold()).withStackTrace();
    stream.enable(THREAD_PARK).withThreshold(s.blockThreshold()).withStackTrace();
    stream.enable(THREAD_START).withStackTrace();
    stream.enable(OLD_OBJECT_SAMPLE).withStackTrace().with("cutoff", "0 ns");
    stream.onEvent(EXECUTION_SAMPLE, guarded(EXECUTION_SAMPLE, this::executionSample));
    stream.onEvent(ALLOCATION_SAMPLE, guarded(ALLOCATION_SAMPLE, this::allocationSample));
    stream.onEvent(MONITOR_ENTER, guarded(MONITOR_ENTER, this::monitorEnter));
    stream.onEvent(THREAD_PARK, guarded(THREAD_PARK, this::threadPark));
    stream.onEvent(THREAD_START, guarded(THREAD_START, this::threadStart));
    stream.onEvent(OLD_OBJECT_SAMPLE, guarded(OLD_OBJECT_SAMPLE, this::oldObjectSample));
    stream.enable(WatermarkEvent.class);
    stream.onEvent(WatermarkEvent.NAME, e -> seenWatermark = Math.max(seenWatermark, e.getLong("sequence")));
    stream.onFlush(() -> engine.onFlush(seenWatermark));
  }

  static JfrEventSource start(JfrEngine engine, JfrSettings settings) {
    if (!FlightRecorder.isAvailable()) {
      throw new IllegalStateException("FlightRecorder.isAvailable() is false in this JVM");
    }
    JfrEventSource s = new JfrEventSource(engine, settings);
    try {
      s.stream.startAsync();
    } catch (RuntimeException e) {
      s.stream.close();
      throw e;
    }
    return s;
  }

  void setRates(Duration cpuPeriod, int allocationPerSecond) {
    stream.enable(EXECUTION_SAMPLE).withPeriod(cpuPeriod);
    stream.enable(ALLOCATION_SAMPLE).with("throttle", allocationPerSecond + "/s");
  }

  /** The handler, with any failure to read an event logged once and counted instead of thrown into JFR. */
  private Consumer<RecordedEvent> guarded(String eventName, Consumer<RecordedEvent> handler) {
    return e -> {
      try {
        handler.accept(e);
      } catch (RuntimeException ex) {
        if (unreadableEvents++ == 0) {
          LOG.warn("could not read a {} event; the profiler skips it and counts further failures silently",
              eventName, ex);
        }
      }
    };
  }

  /** Commits a watermark event and returns its sequence number. */
  long commitWatermark() {
    WatermarkEvent e = new WatermarkEvent();
    e.sequence = WATERMARKS.incrementAndGet();
    e.commit();
    return e.sequence;
  }

  void close() {
    stream.close();
  }

  private void executionSample(RecordedEvent e) {
    RecordedThread t = e.getThread("sampledThread");
    long id = t == null ? -1 : t.getJavaThreadId();
    engine.onExecutionSample(id, JfrEngine.epochNanos(e.getStartTime()), stack(e.getStackTrace()));
  }

  private void allocationSample(RecordedEvent e) {
    RecordedClass c = e.getClass("objectClass");
    engine.onAllocationSample(stack(e.getStackTrace()), c == null ? null : c.getName(), e.getLong("weight"));
  }

  private void monitorEnter(RecordedEvent e) {
    engine.onMonitorEnter(stack(e.getStackTrace()), e.getDuration().toNanos());
  }

  private void threadPark(RecordedEvent e) {
    RecordedClass c = e.getClass("parkedClass");
    engine.onThreadPark(stack(e.getStackTrace()), c == null ? null : c.getName(), e.getDuration().toNanos());
  }

  private void threadStart(RecordedEvent e) {
    engine.onThreadStart(stack(e.getStackTrace()));
  }

  private void oldObjectSample(RecordedEvent e) {
    RecordedObject object = e.getValue("object");
    RecordedClass c = object == null ? null : object.getClass("type");
    engine.onOldObjectSample(stack(e.getStackTrace()), c == null ? null : c.getName());
  }

  /** Makes JFR emit its live-object samples into the stream: they are written only on dump or stop. */
  void emitOldObjectSamples() throws IOException {
    Path file = Files.createTempFile("conprof-heap-", ".jfr");
    try {
      stream.dump(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The stack leaf first, with a {@code [truncated]} root when JFR cut it at its depth limit. */
  private List<Frame> stack(RecordedStackTrace st) {
    if (st == null) {
      return List.of(Frame.of("[no stack]"));
    }
    List<RecordedFrame> in = st.getFrames();
    boolean truncated = st.isTruncated();
    Frame[] out = new Frame[in.size() + (truncated ? 1 : 0)];
    for (int i = 0; i < in.size(); i++) {
      out[i] = frame(in.get(i));
    }
    if (truncated) {
      out[out.length - 1] = FrameNames.TRUNCATED;
    }
    return List.of(out);
  }

  private Frame frame(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null || m.getType() == null) {
      return Frame.of("[unknown]");
    }
    FrameKey key = new FrameKey(m.getType().getName(), m.getName(), m.getDescriptor(), f.getLineNumber());
    Frame frame = frames.get(key);
    if (frame == null) {
      if (frames.size() >= MAX_CACHED_FRAMES) {
        frames.clear();
      }
      frame = FrameNames.jfr(key.className(), key.method(), key.descriptor(), key.line());
      frames.put(key, frame);
    }
    return frame;
  }
}
