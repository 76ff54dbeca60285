package io.conprof.core.jvm;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A marker the profiler commits into its own recording to learn when JFR has delivered every
 * event up to a point in time: all threads' buffers are written at each flush, so once the flush
 * holding the marker has been dispatched, every event committed before it has been seen.
 */
@Name(WatermarkEvent.NAME)
@Label("conprof Watermark")
@Category("conprof")
@Description("Marks a point the conprof JVM profiler waits for before it builds a profile")
@StackTrace(false)
final class WatermarkEvent extends Event {
  static final String NAME = "io.conprof.Watermark";

  @Label("Sequence")
  long sequence;
}
