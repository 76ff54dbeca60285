// Timelines: one canvas row per series, one dot per stored profile, on one shared time axis.
// Nothing per point lives in the DOM: a row draws at most one dot per pixel column (timestamps
// are sorted, so this is one pass), hover finds the nearest point by binary search, and every
// redraw is coalesced into one animation frame.

const ROW_HEIGHT = 26;
const DOT_RADIUS = 3;
const HIT_PX = 6;
const DRAG_PX = 4;
const TICKS = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 108e5,
  216e5, 432e5, 864e5, 1728e5, 6048e5];

/** The series' labels as PromQL text: name{k="v", ...}. */
export function labelText(labels, sep = ', ') {
  const name = labels.__name__ || '';
  const rest = Object.keys(labels).filter(k => k !== '__name__').sort()
    .map(k => `${k}="${escapeValue(labels[k])}"`);
  return rest.length ? `${name}{${rest.join(sep)}}` : (name || '{}');
}

/** A selector matching exactly these labels. */
export function selectorOf(labels) {
  return labelText(labels, ',');
}

export function escapeValue(v) {
  return String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatTime(ms, withDate = true) {
  const d = new Date(ms);
  const p = n => String(n).padStart(2, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time;
}

function lowerBound(arr, v) {
  let lo = 0, hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export class Timelines {
  /**
   * @param list element that receives the rows
   * @param axis canvas of the shared axis
   * @param tooltip shared tooltip element
   * @param handlers {pick(seriesIndex, pointIndex, shift), range(seriesIndex, fromMs, toMs, shift)}
   */
  constructor(list, axis, tooltip, handlers) {
    this.list = list;
    this.axis = axis;
    this.tooltip = tooltip;
    this.handlers = handlers;
    this.series = [];
    this.rows = [];
    this.marks = [];
    this.from = 0;
    this.to = 1;
    this.frame = 0;
    this.width = 0;
    this.drag = null;
    this.hover = null;
    // redraw on a change of width only: rows added below change the height, not the drawing
    new ResizeObserver(() => {
      if ((this.axis.clientWidth || this.list.clientWidth) !== this.width) this.schedule();
    }).observe(list);
    window.addEventListener('mousemove', e => this.dragMove(e));
    window.addEventListener('mouseup', e => this.dragEnd(e));
  }

  /** Replaces the data: series [{labels, timestamps}] over [fromMs, toMs]. Draws synchronously. */
  set(series, fromMs, toMs) {
    this.series = series.map(s => ({
      labels: s.labels, text: labelText(s.labels), selector: selectorOf(s.labels),
      ts: Float64Array.from(s.timestamps),
    }));
    this.from = fromMs;
    this.to = Math.max(toMs, fromMs + 1);
    this.list.replaceChildren();
    this.rows = this.series.map((s, i) => {
      const row = document.createElement('div');
      row.className = 'series-row';
      row.dataset.testid = 'series-row';
      row.dataset.index = i;
      const head = document.createElement('div');
      head.className = 'series-head';
      head.textContent = s.text;
      head.title = `${s.text}\n${s.ts.length} profiles`;
      const canvas = document.createElement('canvas');
      canvas.dataset.testid = 'series-canvas';
      canvas.dataset.index = i;
      canvas.addEventListener('mousedown', e => this.dragStart(e, i));
      canvas.addEventListener('mousemove', e => this.hoverAt(e, i));
      canvas.addEventListener('mouseleave', () => this.hideTooltip());
      row.append(head, canvas);
      this.list.append(row);
      return canvas;
    });
    this.drawNow();
  }

  /** Highlights selections: [{selector, timeMs} | {selector, fromMs, toMs}, tag]. */
  setMarks(marks) {
    this.marks = marks;
    this.schedule();
  }

  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => { this.frame = 0; this.drawNow(); });
    }
  }

  x(t) {
    return (t - this.from) / (this.to - this.from) * this.width;
  }

  /** Where point p of series s is drawn, in CSS px relative to that series' canvas. */
  pointPosition(s, p) {
    const ts = this.series[s]?.ts;
    if (!ts || p < 0 || p >= ts.length) return null;
    return { x: this.x(ts[p]), y: ROW_HEIGHT / 2 };
  }

  drawNow() {
    if (this.frame) { cancelAnimationFrame(this.frame); this.frame = 0; }
    const width = this.axis.clientWidth || this.list.clientWidth;
    if (!width) return;
    this.width = width;
    const dpr = window.devicePixelRatio || 1;
    this.drawAxis(dpr);
    for (let i = 0; i < this.rows.length; i++) this.drawRow(i, dpr);
  }

  size(canvas, h, dpr) {
    const w = Math.round(this.width * dpr), hh = Math.round(h * dpr);
    if (canvas.width !== w || canvas.height !== hh) { canvas.width = w; canvas.height = hh; }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, h);
    return ctx;
  }

  drawAxis(dpr) {
    const ctx = this.size(this.axis, 22, dpr);
    const span = this.to - this.from;
    const step = TICKS.find(t => span / t <= this.width / 110) || TICKS[TICKS.length - 1];
    const offset = new Date(this.from).getTimezoneOffset() * 6e4;
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#5c6678';
    ctx.strokeStyle = '#c3cad6';
    ctx.beginPath();
    ctx.moveTo(0, 21.5); ctx.lineTo(this.width, 21.5);
    const first = Math.ceil((this.from - offset) / step) * step + offset;
    for (let t = first; t <= this.to; t += step) {
      const x = Math.round(this.x(t)) + 0.5;
      ctx.moveTo(x, 16); ctx.lineTo(x, 22);
      const d = new Date(t);
      const midnight = d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0;
      const label = midnight && step >= 6e4 ? formatTime(t).slice(5, 10) : formatTime(t, false).slice(0, step < 6e4 ? 8 : 5);
      const w = ctx.measureText(label).width;
      ctx.fillText(label, Math.min(Math.max(0, x - w / 2), this.width - w), 12);
    }
    ctx.stroke();
  }

  drawRow(i, dpr) {
    const canvas = this.rows[i];
    const ctx = this.size(canvas, ROW_HEIGHT, dpr);
    const s = this.series[i];
    const y = ROW_HEIGHT / 2;
    ctx.strokeStyle = '#e3e7ee';
    ctx.beginPath(); ctx.moveTo(0, y + 0.5); ctx.lineTo(this.width, y + 0.5); ctx.stroke();
    for (const m of this.marks) {
      if (m.selector !== s.selector || m.fromMs === undefined) continue;
      ctx.fillStyle = m.tag === 'B' ? 'rgba(192,80,58,.22)' : 'rgba(58,112,192,.22)';
      const x0 = this.x(m.fromMs), x1 = this.x(m.toMs);
      ctx.fillRect(x0, 1, Math.max(2, x1 - x0), ROW_HEIGHT - 2);
    }
    // one dot per pixel column at most
    ctx.fillStyle = '#1f5fbf';
    ctx.beginPath();
    const ts = s.ts;
    let lastPx = -1e9;
    const start = Math.max(0, lowerBound(ts, this.from) - 1);
    for (let k = start; k < ts.length; k++) {
      const x = this.x(ts[k]);
      if (x > this.width + DOT_RADIUS) break;
      const px = Math.round(x);
      if (px === lastPx) continue;
      lastPx = px;
      ctx.moveTo(x + DOT_RADIUS, y);
      ctx.arc(x, y, DOT_RADIUS, 0, 2 * Math.PI);
    }
    ctx.fill();
    for (const m of this.marks) {
      if (m.selector !== s.selector || m.timeMs === undefined) continue;
      this.ring(ctx, this.x(m.timeMs), y, m.tag === 'B' ? '#c0503a' : '#3a70c0', m.tag);
    }
    if (this.hover && this.hover.s === i) {
      this.ring(ctx, this.x(ts[this.hover.p]), y, '#1d2330', '');
    }
    if (this.drag && this.drag.active && this.drag.s === i) {
      ctx.fillStyle = 'rgba(31,95,191,.18)';
      ctx.strokeStyle = '#1f5fbf';
      const x0 = Math.min(this.drag.x0, this.drag.x1), x1 = Math.max(this.drag.x0, this.drag.x1);
      ctx.fillRect(x0, 0, x1 - x0, ROW_HEIGHT);
      ctx.strokeRect(x0 + 0.5, 0.5, x1 - x0 - 1, ROW_HEIGHT - 1);
    }
  }

  ring(ctx, x, y, colour, tag) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(x, y, DOT_RADIUS + 3, 0, 2 * Math.PI); ctx.stroke();
    ctx.lineWidth = 1;
    if (tag) {
      ctx.fillStyle = colour;
      ctx.font = 'bold 10px system-ui, sans-serif';
      ctx.fillText(tag, x + 8, 10);
    }
  }

  localX(e, i) {
    return e.clientX - this.rows[i].getBoundingClientRect().left;
  }

  /** The index of the point of series i nearest to x, if within the hit distance. */
  nearest(i, x) {
    const ts = this.series[i].ts;
    if (!ts.length) return -1;
    const t = this.from + x / this.width * (this.to - this.from);
    const k = lowerBound(ts, t);
    let best = -1, bestD = HIT_PX + 1;
    for (const c of [k - 1, k]) {
      if (c < 0 || c >= ts.length) continue;
      const d = Math.abs(this.x(ts[c]) - x);
      if (d < bestD) { best = c; bestD = d; }
    }
    return bestD <= HIT_PX ? best : -1;
  }

  hoverAt(e, i) {
    if (this.drag) return;
    const p = this.nearest(i, this.localX(e, i));
    const prev = this.hover;
    this.hover = p < 0 ? null : { s: i, p };
    if (prev?.s !== this.hover?.s || prev?.p !== this.hover?.p) {
      if (prev) this.drawRow(prev.s, window.devicePixelRatio || 1);
      if (this.hover) this.drawRow(i, window.devicePixelRatio || 1);
    }
    if (p < 0) { this.hideTooltip(); return; }
    const s = this.series[i];
    showTooltip(this.tooltip, e, `${formatTime(s.ts[p])}\n${s.text}\n(click: open, shift+click: compare)`);
  }

  hideTooltip() {
    this.tooltip.hidden = true;
    if (this.hover) {
      const s = this.hover.s;
      this.hover = null;
      this.drawRow(s, window.devicePixelRatio || 1);
    }
  }

  dragStart(e, i) {
    if (e.button !== 0) return;
    e.preventDefault();
    const x = this.localX(e, i);
    this.drag = { s: i, x0: x, x1: x, active: false };
  }

  dragMove(e) {
    const d = this.drag;
    if (!d) return;
    d.x1 = Math.max(0, Math.min(this.width, this.localX(e, d.s)));
    if (Math.abs(d.x1 - d.x0) > DRAG_PX) d.active = true;
    if (d.active) {
      this.tooltip.hidden = true;
      const t0 = this.from + Math.min(d.x0, d.x1) / this.width * (this.to - this.from);
      const t1 = this.from + Math.max(d.x0, d.x1) / this.width * (this.to - this.from);
      this.drawRow(d.s, window.devicePixelRatio || 1);
      showTooltip(this.tooltip, e, `${formatTime(t0)} – ${formatTime(t1, false)}\nrelease: merge of this range`);
    }
  }

  dragEnd(e) {
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    if (d.active) {
      const x0 = Math.min(d.x0, d.x1), x1 = Math.max(d.x0, d.x1);
      const f = x => Math.round(this.from + x / this.width * (this.to - this.from));
      this.tooltip.hidden = true;
      this.drawRow(d.s, window.devicePixelRatio || 1);
      this.handlers.range(d.s, f(x0), f(x1), e.shiftKey);
    } else {
      const p = this.nearest(d.s, d.x0);
      if (p >= 0) this.handlers.pick(d.s, p, e.shiftKey);
    }
  }
}

export function showTooltip(tip, e, text, html = false) {
  if (html) tip.innerHTML = text; else tip.textContent = text;
  tip.hidden = false;
  const w = tip.offsetWidth, h = tip.offsetHeight;
  let x = e.clientX + 14, y = e.clientY + 14;
  if (x + w > window.innerWidth - 4) x = Math.max(4, e.clientX - w - 14);
  if (y + h > window.innerHeight - 4) y = Math.max(4, e.clientY - h - 14);
  tip.style.left = `${x}px`;
  tip.style.top = `${y}px`;
}
