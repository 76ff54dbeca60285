// An icicle flame graph on one canvas (root on top, as pprof's web UI draws it).
// The JSON tree is flattened once into typed arrays in pre-order, with each node's subtree end,
// so a draw walks the nodes once and skips whole subtrees narrower than MIN_PX or outside the
// zoomed range: a 100,000-node profile draws only the few thousand frames that are visible.
// Redraws (resize, hover, search) are coalesced into one animation frame.

const ROW = 18;
const MIN_PX = 0.5;
const MAX_CANVAS_PX = 16384;
const FONT = '12px ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace';

export class FlameGraph {
  /** @param canvas the canvas; @param tooltip the shared tooltip; @param handlers {zoom(nodeIndex)}, optional */
  constructor(canvas, tooltip, handlers = {}) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.handlers = handlers;
    this.n = 0;
    this.zoom = 0;
    this.hover = -1;
    this.match = null;
    this.frame = 0;
    this.colours = new Map();
    this.format = v => String(v);
    canvas.addEventListener('mousemove', e => this.onMove(e));
    canvas.addEventListener('mouseleave', () => this.setHover(-1, null));
    canvas.addEventListener('click', e => this.onClick(e));
    // redraw on a change of width only (a drawn graph changes the height itself)
    new ResizeObserver(() => {
      if (canvas.parentElement.clientWidth !== this.width) this.schedule();
    }).observe(canvas.parentElement);
  }

  /**
   * Shows a tree ({n, f, v, l, p, c, b?}); diff trees (with b) are coloured by growth.
   * format(value) formats a base value for the tooltip of a diff.
   */
  set(root, format) {
    this.format = format || (v => String(v));
    const name = [], full = [], label = [], share = [];
    let cap = 1024;
    let v = new Float64Array(cap), b = new Float64Array(cap), x = new Float64Array(cap);
    let depth = new Int32Array(cap), end = new Int32Array(cap);
    const grow = () => {
      cap *= 2;
      const g = (a, T) => { const r = new T(cap); r.set(a); return r; };
      v = g(v, Float64Array); b = g(b, Float64Array); x = g(x, Float64Array);
      depth = g(depth, Int32Array); end = g(end, Int32Array);
    };
    const diff = root.b !== undefined;
    let maxDepth = 0, n = 0;
    // iterative pre-order over the path from the root: no allocation per node, any depth
    const pathNode = [], pathNext = [], pathOffset = [], pathIndex = [];
    const visit = (node, d, x0) => {
      if (n === cap) grow();
      const i = n++;
      name.push(node.n); full.push(node.f); label.push(node.l); share.push(node.p);
      v[i] = node.v; x[i] = x0; depth[i] = d;
      if (diff) b[i] = node.b || 0;
      if (d > maxDepth) maxDepth = d;
      pathNode.push(node); pathNext.push(0); pathOffset.push(x0); pathIndex.push(i);
    };
    visit(root, 0, 0);
    while (pathNode.length) {
      const top = pathNode.length - 1;
      const c = pathNode[top].c;
      const k = pathNext[top];
      if (c && k < c.length) {
        pathNext[top] = k + 1;
        const child = c[k];
        const x0 = pathOffset[top];
        pathOffset[top] = x0 + Math.max(0, child.v);
        visit(child, top + 1, x0);
      } else {
        end[pathIndex[top]] = n;
        pathNode.pop(); pathNext.pop(); pathOffset.pop(); pathIndex.pop();
      }
    }
    name[0] = `${root.n} · ${root.l}`;
    Object.assign(this, { n, name, full, label, share, v, b, x, depth, end, diff, maxDepth });
    this.zoom = 0;
    this.hover = -1;
    this.match = null;
    this.matchRegex = null;
    this.drawNow();
  }

  get nodeCount() { return this.n; }

  /** Highlights frames whose full name matches the regex (a string; empty clears); returns the matched share. */
  search(text) {
    if (!text) { this.match = null; this.matchRegex = null; this.schedule(); return null; }
    const re = new RegExp(text);
    const cache = new Map();
    const match = new Uint8Array(this.n);
    for (let i = 1; i < this.n; i++) {
      const f = this.full[i];
      let m = cache.get(f);
      if (m === undefined) { m = re.test(f) ? 1 : 0; cache.set(f, m); }
      match[i] = m;
    }
    this.match = match;
    this.matchRegex = text;
    let sum = 0;
    for (let i = 1; i < this.n;) {
      if (match[i]) { sum += this.v[i]; i = this.end[i]; } else i++;
    }
    this.schedule();
    return { value: sum, share: this.v[0] ? sum / this.v[0] : 0 };
  }

  reset() { this.zoomTo(0); }

  zoomTo(i) {
    this.zoom = i;
    this.schedule();
    if (this.handlers.zoom) this.handlers.zoom(i);
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.drawNow(); });
  }

  /** The top-level frames (children of the root), widest first. */
  topFrames() {
    const out = [];
    for (let i = 1; i < this.n; i = this.end[i]) {
      out.push({ name: this.full[i], value: this.v[i], base: this.b[i], label: this.label[i], share: this.share[i] });
    }
    return out.sort((a, b) => b.value - a.value);
  }

  /** Centre of the first frame named `full` (shallowest first), CSS px relative to the canvas. */
  framePosition(full) {
    let best = -1;
    for (let i = 0; i < this.n; i++) {
      if (this.full[i] === full && (best < 0 || this.depth[i] < this.depth[best])) best = i;
    }
    if (best < 0) return null;
    const [x0, w] = this.span(best);
    return { x: Math.max(0, x0) + Math.min(w, this.width) / 2, y: this.depth[best] * ROW + ROW / 2 };
  }

  span(i) {
    const scale = this.width / (this.v[this.zoom] || 1);
    return [(this.x[i] - this.x[this.zoom]) * scale, this.v[i] * scale];
  }

  drawNow() {
    if (this.frame) { cancelAnimationFrame(this.frame); this.frame = 0; }
    const width = this.canvas.parentElement.clientWidth;
    if (!width || !this.n) return;
    this.width = width;
    const dpr = window.devicePixelRatio || 1;
    const rows = Math.min(this.maxDepth + 1, Math.floor(MAX_CANVAS_PX / dpr / ROW));
    const height = rows * ROW;
    const c = this.canvas;
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
      c.style.height = `${height}px`;
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = FONT;
    ctx.textBaseline = 'middle';
    const charW = ctx.measureText('m').width;
    const zx = this.x[this.zoom], scale = width / (this.v[this.zoom] || 1);
    const zd = this.depth[this.zoom];
    let drawn = 0;
    for (let i = 0; i < this.n;) {
      const w = this.v[i] * scale;
      const x0 = (this.x[i] - zx) * scale;
      const d = this.depth[i];
      if (w < MIN_PX || x0 >= width || x0 + w <= 0 || d >= rows) { i = this.end[i]; continue; }
      const left = Math.max(0, x0), right = Math.min(width, x0 + w);
      ctx.fillStyle = this.colour(i, d < zd);
      const y = d * ROW;
      ctx.fillRect(left, y, Math.max(MIN_PX, right - left - (right - left > 2 ? 1 : 0)), ROW - 1);
      const chars = Math.floor((right - left - 6) / charW);
      if (chars >= 3) {
        const s = this.name[i];
        ctx.fillStyle = '#1d2330';
        ctx.fillText(s.length <= chars ? s : `${s.slice(0, chars - 1)}…`, left + 3, y + ROW / 2);
      }
      if (i === this.hover) {
        ctx.strokeStyle = '#1d2330';
        ctx.strokeRect(left + 0.5, y + 0.5, right - left - 1, ROW - 2);
      }
      drawn++;
      i++;
    }
    this.drawn = drawn;
  }

  colour(i, ancestor) {
    if (this.match) return this.match[i] ? '#e8409a' : '#e1e4ea';
    if (this.diff) {
      const v = this.v[i], b = this.b[i];
      const rel = Math.min(1, Math.abs(v - b) / Math.max(v, b, 1));
      if (rel < 0.01) return '#dcdcdc';
      const t = 0.25 + 0.75 * rel;
      const mix = (a, z) => Math.round(220 + (z - 220) * t);
      return v > b ? `rgb(${mix(0, 208)},${mix(0, 59)},${mix(0, 44)})` : `rgb(${mix(0, 44)},${mix(0, 111)},${mix(0, 208)})`;
    }
    if (ancestor || i === 0) return '#d5d9e0';
    const f = this.name[i];
    let c = this.colours.get(f);
    if (!c) {
      // hue from the package / class part, so a library's frames share a colour family
      const pkg = f.replace(/[.:/]+[^.:/]*$/, '') || f;
      let h = 2166136261;
      for (let k = 0; k < pkg.length; k++) h = Math.imul(h ^ pkg.charCodeAt(k), 16777619);
      let g = 2166136261;
      for (let k = 0; k < f.length; k++) g = Math.imul(g ^ f.charCodeAt(k), 16777619);
      const hue = 8 + ((h >>> 0) % 42);
      c = `hsl(${hue},${72 + ((g >>> 8) % 20)}%,${60 + ((g >>> 16) % 14)}%)`;
      this.colours.set(f, c);
    }
    return c;
  }

  nodeAt(e) {
    if (!this.n) return -1;
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    const row = Math.floor(y / ROW);
    const scale = this.width / (this.v[this.zoom] || 1);
    const t = this.x[this.zoom] + x / scale;
    let node = 0;
    if (t < this.x[0] || t >= this.x[0] + this.v[0]) return -1;
    for (let d = 1; d <= row; d++) {
      let found = -1;
      for (let c = node + 1; c < this.end[node]; c = this.end[c]) {
        if (t >= this.x[c] && t < this.x[c] + this.v[c]) { found = c; break; }
      }
      if (found < 0) return -1;
      node = found;
    }
    return this.v[node] * scale >= MIN_PX ? node : -1;
  }

  onMove(e) {
    const i = this.nodeAt(e);
    this.setHover(i, e);
  }

  setHover(i, e) {
    if (i !== this.hover) { this.hover = i; this.schedule(); }
    if (i < 0) { this.tooltip.hidden = true; return; }
    let self = this.v[i];
    for (let c = i + 1; c < this.end[i]; c = this.end[c]) self -= this.v[c];
    const esc = s => String(s).replace(/[&<>"]/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[ch]));
    let html = `<b>${esc(this.full[i])}</b>\n${esc(this.label[i])} (${esc(this.share[i])})`;
    if (this.diff) {
      const delta = this.v[i] - this.b[i];
      html += `\nB ${esc(this.label[i])} · A ${esc(this.format(this.b[i]))} · ${delta >= 0 ? '+' : '−'}${esc(this.format(Math.abs(delta)))}`;
    } else if (self > 0 && this.end[i] > i + 1) {
      html += `\nself ${esc(this.format(self))}`;
    }
    const tip = this.tooltip;
    tip.innerHTML = html;
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    let x = e.clientX + 14, y = e.clientY + 14;
    if (x + w > window.innerWidth - 4) x = Math.max(4, e.clientX - w - 14);
    if (y + h > window.innerHeight - 4) y = Math.max(4, e.clientY - h - 14);
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  }

  onClick(e) {
    const i = this.nodeAt(e);
    if (i >= 0) this.zoomTo(i === this.zoom ? 0 : i);
  }
}
