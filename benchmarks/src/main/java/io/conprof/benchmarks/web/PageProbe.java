package io.conprof.benchmarks.web;

/**
 * The JavaScript the benchmark runs in the page. {@link #INSTALL} is added to every new document
 * (CDP {@code Page.addScriptToEvaluateOnNewDocument}), so its observers see the page from the first
 * task on; the other scripts are Selenium async scripts whose last argument is the callback.
 *
 * <p>"Drawn" means: the UI's ready flag (or the element the step changes) is seen, and then one
 * {@code requestAnimationFrame} callback and a {@code setTimeout(0)} after it have run, i.e. the
 * frame holding the new canvas content has been produced. Times are {@code performance.now()}
 * milliseconds of the page; a user event's start is its {@code event.timeStamp} (when the browser
 * received the input, so input delay is included).
 */
final class PageProbe {
  private PageProbe() {}

  /** Observers: long tasks, Event Timing entries, per-event handler times, click/mouseup stamps, rAF frames. */
  static final String INSTALL = """
      (() => {
        if (window.__bench) return;
        const b = window.__bench = { longTasks: [], events: [], moves: [], recordMoves: false,
          frames: [], framing: false, lastUp: null, lastClick: null, clickDone: null, errors: [] };
        try {
          new PerformanceObserver(l => { for (const e of l.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration }); })
            .observe({ type: 'longtask', buffered: true });
        } catch (e) { b.errors.push('longtask: ' + e); }
        try {
          new PerformanceObserver(l => { for (const e of l.getEntries()) b.events.push({ name: e.name, start: e.startTime,
              duration: e.duration, processing: e.processingEnd - e.processingStart, delay: e.processingStart - e.startTime }); })
            .observe({ type: 'event', buffered: true, durationThreshold: 16 });
        } catch (e) { b.errors.push('event timing: ' + e); }
        b.loafs = [];
        try {
          new PerformanceObserver(l => { for (const e of l.getEntries()) {
            const end = e.startTime + e.duration;
            b.loafs.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
              tasks: (e.renderStart || end) - e.startTime,
              frameCallbacks: e.renderStart ? (e.styleAndLayoutStart || end) - e.renderStart : 0,
              styleLayoutPaint: e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0,
              scripts: e.scripts.map(x => ({ invoker: x.invoker, fn: x.sourceFunctionName,
                src: (x.sourceURL || '').split('/').pop(), duration: x.duration,
                forcedLayout: x.forcedStyleAndLayoutDuration })) });
          } }).observe({ type: 'long-animation-frame', buffered: true });
        } catch (e) { b.errors.push('long-animation-frame: ' + e); }
        addEventListener('error', e => b.errors.push('error: ' + e.message + ' at ' + e.filename + ':' + e.lineno));
        addEventListener('unhandledrejection', e => b.errors.push('unhandled rejection: '
          + (e.reason && e.reason.stack ? e.reason.stack : e.reason)));
        let moveStart = 0;
        addEventListener('mousemove', () => { moveStart = performance.now(); }, true);
        addEventListener('mousemove', e => {
          if (b.recordMoves) {
            const tip = document.getElementById('tooltip');
            b.moves.push({ delay: moveStart - e.timeStamp, handler: performance.now() - moveStart, hit: !!tip && !tip.hidden });
          }
        }, false);
        addEventListener('mouseup', e => { b.lastUp = e.timeStamp; }, true);
        addEventListener('click', e => { b.lastClick = e.timeStamp; b.clickDone = null; }, true);
        // registered after the page's own handlers ran (bubble phase at window), so this frame
        // callback runs after any redraw the handler scheduled for the next frame
        addEventListener('click', () => {
          requestAnimationFrame(t => {
            const inFrame = performance.now() - t;
            setTimeout(() => { b.clickDone = { end: performance.now(), frameWork: inFrame }; }, 0);
          });
        }, false);
        b.startFrames = () => {
          b.frames = []; b.framing = true;
          const loop = t => { b.frames.push(t); if (b.framing) requestAnimationFrame(loop); };
          requestAnimationFrame(loop);
        };
        b.stopFrames = () => { b.framing = false; return b.frames; };
        b.whenPainted = (cond, done, startMs) => {
          const limit = performance.now() + 60000;
          const poll = () => {
            if (cond()) {
              // results are read 500 ms later, so that observers have delivered the step's entries
              requestAnimationFrame(() => setTimeout(() => {
                const end = performance.now();
                setTimeout(() => done({ start: startMs, end }), 500);
              }, 0));
            } else if (performance.now() > limit) {
              done({ error: 'timed out after 60 s', state: window.conprof ? window.conprof.state() : null,
                pageErrors: b.errors, status: document.getElementById('status').textContent,
                profileError: document.getElementById('profile-error').textContent,
                resources: performance.getEntriesByType('resource').map(r => r.name + ' ' + Math.round(r.duration)) });
            } else {
              requestAnimationFrame(poll);
            }
          };
          requestAnimationFrame(poll);
        };
        b.resource = part => {
          const e = performance.getEntriesByType('resource').filter(r => r.name.includes(part)).pop();
          return e ? { start: e.startTime, end: e.responseEnd, duration: e.responseEnd - e.startTime,
            wait: e.responseStart - e.requestStart, transferBytes: e.transferSize,
            encodedBytes: e.encodedBodySize, decodedBytes: e.decodedBodySize } : null;
        };
        b.measure = name => {
          const m = performance.getEntriesByName(name, 'measure').pop();
          return m ? { start: m.startTime, duration: m.duration } : null;
        };
        b.longTasksIn = (from, to) => b.longTasks.filter(t => t.start + t.duration > from && t.start < to);
        b.loafsIn = (from, to) => b.loafs.filter(t => t.start + t.duration > from && t.start < to);
      })();
      """;

  /** Waits until the page's hooks exist and a first query (if any) is done. */
  static final String WAIT_READY = """
      const done = arguments[arguments.length - 1];
      const poll = () => {
        if (window.conprof && window.__bench) {
          const s = window.conprof.state();
          if (!s.query || s.timelineReady) { done(true); return; }
        }
        setTimeout(poll, 20);
      };
      poll();
      """;

  /** arguments[0] = the selector, arguments[1] = the expected series count. */
  static final String SUBMIT_TIMELINE = """
      const done = arguments[arguments.length - 1];
      const query = arguments[0], series = arguments[1];
      const b = window.__bench;
      const start = performance.now();
      document.getElementById('expr').value = query;
      document.getElementById('run').click();
      b.whenPainted(() => { const s = conprof.state(); return s.timelineReady && s.series === series; }, r => {
        if (r.error) { done(r); return; }
        done({ start: r.start, end: r.end, total: r.end - r.start, api: b.resource('/api/v1/query_range'),
          render: b.measure('conprof:timeline-render'), longTasks: b.longTasksIn(r.start, r.end), loafs: b.loafsIn(r.start, r.end),
          status: document.getElementById('status').textContent });
      }, start);
      """;

  /** Waits until the profile opened by the click that just happened is drawn. */
  static final String WAIT_PROFILE = """
      const done = arguments[arguments.length - 1];
      const b = window.__bench;
      b.whenPainted(() => conprof.state().profileReady && conprof.flameNodes() > 0, r => {
        if (r.error) { done(r); return; }
        const start = b.lastUp;
        done({ start, end: r.end, total: r.end - start, graph: b.resource('report=flamegraph'),
          top: b.resource('report=top'), meta: b.resource('report=meta'),
          render: b.measure('conprof:flamegraph-render'), nodes: conprof.flameNodes(),
          drawn: conprof.flameFramesDrawn(), longTasks: b.longTasksIn(start, r.end), loafs: b.loafsIn(start, r.end),
          error: document.getElementById('profile-error').textContent });
      }, 0);
      """;

  /** Waits until the frame after the last click was produced. */
  static final String WAIT_CLICK = """
      const done = arguments[arguments.length - 1];
      const b = window.__bench;
      const limit = performance.now() + 60000;
      const poll = () => {
        if (b.clickDone) {
          const start = b.lastClick, end = b.clickDone.end, frameWork = b.clickDone.frameWork;
          setTimeout(() => done({ start, end, total: end - start, frameWork,
            drawn: conprof.flameFramesDrawn(), longTasks: b.longTasksIn(start, end), loafs: b.loafsIn(start, end),
            events: b.events.filter(e => e.name === 'click' && e.start >= start - 1) }), 300);
        } else if (performance.now() > limit) {
          done({ error: 'no frame after the click within 60 s' });
        } else {
          setTimeout(poll, 5);
        }
      };
      poll();
      """;

  /**
   * Types a search (arguments[0]) as one input event and waits until the match share is shown and
   * the next frame was produced; the UI debounces input by 120 ms before it searches.
   */
  static final String SEARCH = """
      const done = arguments[arguments.length - 1];
      const text = arguments[0];
      const b = window.__bench;
      const box = document.getElementById('search'), share = document.getElementById('search-share');
      const before = share.textContent;
      let applied = 0;
      const obs = new MutationObserver(() => {
        if (applied || share.textContent === before) return;
        applied = performance.now();
        obs.disconnect();
        requestAnimationFrame(t => {
          const frameWork = performance.now() - t;
          setTimeout(() => {
            const end = performance.now();
            setTimeout(() => done({ start, applied, end, total: end - start, frameWork, share: share.textContent,
              longTasks: b.longTasksIn(start, end), loafs: b.loafsIn(start, end) }), 300);
          }, 0);
        });
      });
      obs.observe(share, { childList: true, characterData: true, subtree: true });
      const start = performance.now();
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      setTimeout(() => { if (!applied) { obs.disconnect(); done({ error: 'search share did not change within 60 s' }); } }, 60000);
      """;

  /** Starts recording frames and mousemove handler times. */
  static final String START_HOVER = """
      const b = window.__bench;
      b.moves = []; b.recordMoves = true; b.startFrames();
      return performance.now();
      """;

  /** Stops recording; arguments[0] = the start time returned by START_HOVER. */
  static final String STOP_HOVER = """
      const done = arguments[arguments.length - 1];
      const start = arguments[0];
      const b = window.__bench;
      requestAnimationFrame(() => setTimeout(() => {
        const end = performance.now();
        b.recordMoves = false;
        const frames = b.stopFrames();
        setTimeout(() => done({ start, end, frames, moves: b.moves, longTasks: b.longTasksIn(start, end), loafs: b.loafsIn(start, end),
          tooltip: !document.getElementById('tooltip').hidden }), 300);
      }, 0));
      """;
}
