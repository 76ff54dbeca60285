// conprof's web UI: the query page (timelines, then a profile as flame graph + top table, a merge
// of a dragged range, or the diff of two selections) and the targets page. Every bit of state lives
// in the URL's query string, so reload, copy-paste and the back button reproduce a view. Only
// relative URLs are used, so the UI works under any path prefix.
//
// URL parameters of the query page (P/ or P/graph; P/targets is the targets page):
//   query   the selector, e.g. heap{job="api"}
//   range   a duration (5m ... 7d) ending now, or with now=0 the length of [from, to]
//   now=0   absolute range: from, to in epoch milliseconds
//   a, b    the open profile (a) and the diff's target (b; a is then the base), each
//           t:<ms>:<selector> (one profile) or r:<from ms>:<to ms>:<selector> (a merge)
//   sample  the sample type; search  the flame graph's regex; view  flame | top (default both)
//
// For tests and benchmarks: performance.measure entries "conprof:timeline-render" and
// "conprof:flamegraph-render" (from the data's arrival to the end of the first draw), and
// window.conprof (state(), pointPosition(series, point), framePosition(name), topFrames(), ...).
import { Timelines, formatTime, escapeValue } from './timeline.js';
import { FlameGraph } from './flamegraph.js';

const MIN_SHARE = '0.0001';

const $ = id => document.getElementById(id);
const errors = [];
window.addEventListener('error', e => errors.push(String(e.message || e.error)));
window.addEventListener('unhandledrejection', e => errors.push(String(e.reason?.stack || e.reason)));
const RANGES = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

// ---- state and URL

const state = {
  query: '', range: '30m', now: true, from: 0, to: 0,
  a: null, b: null, sample: '', search: '', layout: '',
  resolvedFrom: 0, resolvedTo: 0, timelineReady: false, profileReady: false, series: 0,
  // completed renders (results, "No result" or errors), so a test can wait for the next one
  renders: { timeline: 0, profile: 0 },
};

export function parseDuration(text) {
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text || '');
  if (!m || !text) return 0;
  return [[1, 'w'], [2, 'd'], [3, 'h'], [4, 'm'], [5, 's']].reduce((acc, [g, u]) => acc + (+m[g] || 0) * RANGES[u], 0);
}

function formatDuration(ms) {
  for (const [u, f] of [['w', 6048e5], ['d', 864e5], ['h', 36e5], ['m', 6e4]]) {
    if (ms % f === 0) return `${ms / f}${u}`;
  }
  return `${Math.max(1, Math.round(ms / 1e3))}s`;
}

/** A selection: {kind: 't', timeMs, selector} (one profile) or {kind: 'r', fromMs, toMs, selector} (a merge). */
function encodeSel(s) {
  return s.kind === 't' ? `t:${s.timeMs}:${s.selector}` : `r:${s.fromMs}:${s.toMs}:${s.selector}`;
}

function decodeSel(text) {
  if (!text) return null;
  let m = /^t:(-?\d+):(.+)$/s.exec(text);
  if (m) return { kind: 't', timeMs: +m[1], selector: m[2] };
  m = /^r:(-?\d+):(-?\d+):(.+)$/s.exec(text);
  if (m) return { kind: 'r', fromMs: +m[1], toMs: +m[2], selector: m[3] };
  return null;
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  state.query = p.get('query') || '';
  state.now = p.get('now') !== '0';
  state.range = p.get('range') ?? (p.has('from') && !state.now ? '' : '30m');
  state.from = +(p.get('from') || 0);
  state.to = +(p.get('to') || 0);
  if (!state.now && !(state.from && state.to)) state.now = true;
  if (state.now && !parseDuration(state.range)) state.range = '30m';
  state.a = decodeSel(p.get('a'));
  state.b = state.a ? decodeSel(p.get('b')) : null;
  state.sample = p.get('sample') || '';
  state.search = p.get('search') || '';
  state.layout = ['flame', 'top'].includes(p.get('view')) ? p.get('view') : '';
}

function writeUrl(push) {
  const p = new URLSearchParams();
  if (state.query) p.set('query', state.query);
  if (state.now) {
    p.set('range', state.range);
  } else {
    if (state.range) p.set('range', state.range);
    p.set('from', String(state.from));
    p.set('to', String(state.to));
    p.set('now', '0');
  }
  if (state.a) p.set('a', encodeSel(state.a));
  if (state.b) p.set('b', encodeSel(state.b));
  if (state.sample) p.set('sample', state.sample);
  if (state.search) p.set('search', state.search);
  if (state.layout) p.set('view', state.layout);
  const url = `${location.pathname}?${p}`;
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
}

// ---- API

class ApiError extends Error {}

/** GETs api/v1/<path>; resolves to {data, warnings} (data null for 204), throws ApiError with the server's text. */
async function api(path, params = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== null && one !== '') qs.append(k, one);
  }
  let res;
  try {
    res = await fetch(`api/v1/${path}${[...qs].length ? `?${qs}` : ''}`, { headers: { Accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(`cannot reach the server: ${e.message}`);
  }
  if (res.status === 204) return { data: null, warnings: [] };
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(`${res.status} ${res.statusText}: ${text.slice(0, 500)}`);
  }
  if (body.status !== 'success') {
    throw new ApiError(`${body.errorType ? `${body.errorType}: ` : ''}${body.error || `HTTP ${res.status}`}`);
  }
  return { data: body.data, warnings: body.warnings || [] };
}

function showMessages(box, lines) {
  box.hidden = !lines.length;
  box.textContent = lines.join('\n');
}

function measure(name, start) {
  try {
    performance.measure(name, { start, end: performance.now() });
  } catch {
    // old browsers without the options form: the measure is only for benchmarks
  }
}

// ---- formatting

const UNITS = {
  nanoseconds: [[1, 'ns'], [1e3, 'us'], [1e6, 'ms'], [1e9, 's'], [6e10, 'mins'], [36e11, 'hrs']],
  bytes: [[1, 'B'], [1024, 'kB'], [1024 ** 2, 'MB'], [1024 ** 3, 'GB'], [1024 ** 4, 'TB']],
};

export function formatValue(v, unit) {
  const table = UNITS[unit];
  if (!table) return `${Math.round(v)}${unit && unit !== 'count' ? unit : ''}`;
  const a = Math.abs(v);
  let [f, u] = table[0];
  for (const [ff, uu] of table) if (a >= ff) [f, u] = [ff, uu];
  const x = v / f;
  return `${Number.isInteger(x) ? x : x.toFixed(2).replace(/\.?0+$/, '')}${u}`;
}

function describe(s) {
  return s.kind === 't'
    ? `${s.selector} @ ${formatTime(s.timeMs)}`
    : `merge of ${s.selector} over ${formatTime(s.fromMs)} – ${formatTime(s.toMs)}`;
}

// ---- the query page

const timelines = new Timelines($('series'), $('axis'), $('tooltip'), {
  pick(s, p, shift) {
    const series = timelines.series[s];
    select({ kind: 't', timeMs: series.ts[p], selector: series.selector }, shift);
  },
  range(s, fromMs, toMs, shift) {
    select({ kind: 'r', fromMs, toMs, selector: timelines.series[s].selector }, shift);
  },
});
let compareArmed = false;
let lastGraphSearch = '';
let querySeq = 0;

function readForm() {
  state.query = $('expr').value.trim();
  state.range = $('range').value;
  state.now = $('now').checked;
  if (!state.now) {
    state.from = fromLocal($('from').value) || state.from;
    state.to = fromLocal($('to').value) || state.to;
  }
}

function toLocal(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 6e4);
  return d.toISOString().slice(0, 19);
}

function fromLocal(text) {
  const t = text ? new Date(text).getTime() : NaN;
  return Number.isFinite(t) ? t : 0;
}

function ensureRangeOption(range) {
  const sel = $('range');
  if (range && ![...sel.options].some(o => o.value === range)) {
    sel.add(new Option(range, range), sel.options[sel.options.length - 1]);
  }
  sel.value = range;
}

function resolveRange() {
  if (state.now) {
    state.resolvedTo = Date.now();
    state.resolvedFrom = state.resolvedTo - parseDuration(state.range);
  } else {
    state.resolvedFrom = state.from;
    state.resolvedTo = state.to;
  }
}

function fillForm() {
  $('expr').value = state.query;
  ensureRangeOption(state.range);
  $('now').checked = state.now;
  resolveRange();
  $('from').value = toLocal(state.resolvedFrom);
  $('to').value = toLocal(state.resolvedTo);
  $('from').disabled = $('to').disabled = false;
  $('search').value = state.search;
}

async function runQuery() {
  const seq = ++querySeq;
  $('no-result').hidden = true;
  showMessages($('error'), []);
  showMessages($('warnings'), []);
  state.timelineReady = false;
  $('start').hidden = true;
  if (!state.query) {
    $('start').hidden = false;
    $('timelines').hidden = true;
    setStatus('Enter a selector such as heap{job="api"} and press Enter.');
    return;
  }
  resolveRange();
  $('from').value = toLocal(state.resolvedFrom);
  $('to').value = toLocal(state.resolvedTo);
  setStatus('Loading…', true);
  const started = performance.now();
  let res;
  try {
    res = await api('query_range', { query: state.query, from: state.resolvedFrom, to: state.resolvedTo });
  } catch (e) {
    if (seq !== querySeq) return;
    setStatus('');
    $('timelines').hidden = true;
    showMessages($('error'), [e.message]);
    state.timelineReady = true;
    state.renders.timeline++;
    return;
  }
  if (seq !== querySeq) return;
  const arrived = performance.now();
  showMessages($('warnings'), res.warnings);
  if (!res.data || !res.data.length) {
    $('timelines').hidden = true;
    $('no-result').hidden = false;
    state.series = 0;
    setStatus('');
    state.timelineReady = true;
    state.renders.timeline++;
    return;
  }
  $('timelines').hidden = false;
  timelines.set(res.data, state.resolvedFrom, state.resolvedTo);
  markSelections();
  measure('conprof:timeline-render', arrived);
  const points = res.data.reduce((n, s) => n + s.timestamps.length, 0);
  state.series = res.data.length;
  setStatus(`${res.data.length} series, ${points} profiles · ${Math.round(arrived - started)} ms query, `
    + `${Math.round(performance.now() - arrived)} ms draw`);
  state.timelineReady = true;
  state.renders.timeline++;
}

function setStatus(text, loading = false) {
  $('status').textContent = text;
  $('status').classList.toggle('loading', loading);
}

function markSelections() {
  const marks = [];
  if (state.a) marks.push({ ...state.a, tag: state.b ? 'A' : '' });
  if (state.b) marks.push({ ...state.b, tag: 'B' });
  timelines.setMarks(marks);
}

function select(sel, compare) {
  if ((compare || compareArmed) && state.a) {
    state.b = sel;
  } else {
    state.a = sel;
    state.b = null;
  }
  setCompareArmed(false);
  state.sample = '';
  writeUrl(true);
  markSelections();
  openProfile(true);
}

function setCompareArmed(on) {
  compareArmed = on;
  $('compare').classList.toggle('armed', on);
  $('compare').textContent = on ? 'Pick B…' : 'Compare';
}

// ---- the profile view

const flame = new FlameGraph($('flamegraph'), $('tooltip'));
let profileSeq = 0;
let topData = null;
let topSort = null; // null: the server's order (go tool pprof -top)
let unit = '';

function profileParams() {
  const side = (s, suffix) => (s.kind === 't'
    ? { [`mode${suffix}`]: 'single', [`query${suffix}`]: s.selector, [`time${suffix}`]: s.timeMs }
    : { [`mode${suffix}`]: 'merge', [`query${suffix}`]: s.selector, [`from${suffix}`]: s.fromMs, [`to${suffix}`]: s.toMs });
  if (state.b) return { mode: 'diff', ...side(state.a, '_a'), ...side(state.b, '_b') };
  return side(state.a, '');
}

async function openProfile(scroll) {
  const seq = ++profileSeq;
  state.profileReady = false;
  const view = $('profile');
  if (!state.a) { view.hidden = true; return; }
  view.hidden = false;
  const diff = !!state.b;
  $('profile-title').innerHTML = '';
  const line = (tag, s) => {
    const div = document.createElement('div');
    if (tag) {
      const t = document.createElement('span');
      t.className = `tag ${tag.toLowerCase()}`;
      t.textContent = tag === 'A' ? 'A (base)' : 'B';
      div.append(t);
    }
    div.append(describe(s));
    $('profile-title').append(div);
  };
  line(diff ? 'A' : '', state.a);
  if (diff) line('B', state.b);
  $('swap').hidden = $('clear-b').hidden = !diff;
  $('flame-legend').hidden = !diff;
  showMessages($('profile-error'), []);
  showMessages($('profile-warnings'), []);
  const params = profileParams();
  const withSample = { ...params, sample_index: state.sample };
  $('download').href = `api/v1/query?${new URLSearchParams({ ...params, report: 'proto' })}`;
  $('svg-link').href = `api/v1/query?${new URLSearchParams({ ...params, report: 'svg', ...(state.sample ? { sample_index: state.sample } : {}) })}`;
  if (scroll) view.scrollIntoView({ block: 'nearest' });
  const started = performance.now();
  view.classList.add('loading');
  $('profile-status').textContent = 'Loading…';
  $('profile-status').classList.add('loading');
  const done = text => {
    view.classList.remove('loading');
    $('profile-status').textContent = text;
    $('profile-status').classList.remove('loading');
  };
  let meta, graph, top;
  try {
    [meta, graph, top] = await Promise.all([
      api('query', { ...params, report: 'meta' }),
      // frames under 1/10,000 of the total are not drawn anyway (< 0.2 px): the server leaves them out
      api('query', { ...withSample, report: 'flamegraph', min_share: MIN_SHARE }),
      api('query', { ...withSample, report: 'top' }),
    ]);
  } catch (e) {
    if (seq !== profileSeq) return;
    done('');
    showMessages($('profile-error'), [e.message]);
    $('flame-wrap').hidden = true;
    $('top-wrap').hidden = true;
    state.profileReady = true;
    state.renders.profile++;
    return;
  }
  if (seq !== profileSeq) return;
  const arrived = performance.now();
  applyLayout();
  showMessages($('profile-warnings'), [...new Set([...graph.warnings, ...top.warnings])]);
  const sel = $('sample-type');
  sel.replaceChildren(...meta.data.sampleTypes.map(t => new Option(`${t.type} (${t.unit})`, t.type)));
  sel.value = state.sample || top.data.sampleType || meta.data.defaultSampleType;
  unit = top.data.unit;
  flame.set(graph.data, v => formatValue(v, unit));
  measure('conprof:flamegraph-render', arrived);
  renderFrameList();
  topData = top.data;
  renderTop();
  applySearch();
  done(`${flame.nodeCount.toLocaleString('en')} frames, total ${top.data.totalFormat} · `
    + `${Math.round(arrived - started)} ms query, ${Math.round(performance.now() - arrived)} ms draw`);
  state.profileReady = true;
  state.renders.profile++;
}

function applyLayout() {
  $('layout').value = state.layout;
  $('flame-wrap').hidden = state.layout === 'top';
  $('top-wrap').hidden = state.layout === 'flame';
  if (state.layout !== 'top' && flame.nodeCount) flame.drawNow();
}

function renderFrameList() {
  $('flame-frames').replaceChildren(...flame.topFrames().map(f => {
    const li = document.createElement('li');
    li.textContent = `${f.name}\t${f.label}\t${f.share}`;
    li.dataset.name = f.name;
    li.dataset.value = f.value;
    return li;
  }));
}

function renderTop() {
  const items = [...topData.items];
  const k = topSort?.key;
  if (topSort) {
    items.sort((x, y) => {
      const c = k === 'name' ? x.name.localeCompare(y.name) : y[k] - x[k] || y.flat - x.flat;
      return topSort.asc ? -c : c;
    });
  }
  const fmtPct = p => `${p.toFixed(2)}%`;
  const rows = items.map(it => {
    const tr = document.createElement('tr');
    tr.dataset.name = it.name;
    const cells = [
      [it.flatFormat, it.flat], [fmtPct(it.flatPercent)], [fmtPct(it.sumPercent)],
      [it.cumFormat, it.cum], [fmtPct(it.cumPercent)],
    ].map(([text, v]) => {
      const td = document.createElement('td');
      td.className = 'num';
      if (topData.diff && v) td.classList.add(v > 0 ? 'pos' : 'neg');
      td.textContent = text;
      return td;
    });
    const name = document.createElement('td');
    name.textContent = it.name + (it.inlineLabel ? ` ${it.inlineLabel}` : '');
    tr.append(...cells, name);
    if (state.search === exactRegex(it.name)) tr.classList.add('selected');
    return tr;
  });
  $('top').tBodies[0].replaceChildren(...rows);
  for (const th of $('top').tHead.rows[0].cells) {
    const sorted = !!topSort && th.dataset.sort === k;
    th.classList.toggle('sorted', sorted);
    th.classList.toggle('asc', sorted && topSort.asc);
    th.title = th.dataset.sort ? 'Sort (click again to reverse)' : '';
  }
}

function exactRegex(name) {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

function applySearch() {
  $('search').setCustomValidity('');
  let res = null;
  try {
    res = flame.search(state.search);
  } catch (e) {
    $('search').setCustomValidity(e.message);
    $('search-share').textContent = 'invalid regex';
    return;
  }
  $('search-share').textContent = res
    ? `matched ${(res.share * 100).toFixed(2)}% (${formatValue(res.value, unit)})` : '';
  for (const tr of $('top').tBodies[0].rows) {
    tr.classList.toggle('selected', state.search !== '' && state.search === exactRegex(tr.dataset.name));
  }
}

// ---- label pickers

async function loadPickers() {
  const range = { start: state.resolvedFrom || undefined, end: state.resolvedTo || undefined };
  try {
    const [names, types] = await Promise.all([api('labels', range), api('label/__name__/values', range)]);
    const pt = $('profile-type');
    pt.replaceChildren(new Option('profile type…', ''), ...types.data.map(t => new Option(t, t)));
    renderStart(types.data);
    const current = /^\s*([A-Za-z_:][\w:]*)/.exec(state.query);
    if (current && types.data.includes(current[1])) pt.value = current[1];
    $('label-name').replaceChildren(new Option('name…', ''),
      ...names.data.filter(n => n !== '__name__').map(n => new Option(n, n)));
  } catch (e) {
    showMessages($('warnings'), [`label suggestions unavailable: ${e.message}`]);
  }
}

/** With no query yet: one button per profile type stored in the range, which runs it. */
function renderStart(types) {
  const start = $('start');
  start.hidden = !!state.query;
  if (state.query) return;
  start.replaceChildren(types.length ? 'Profile types stored in this range: ' : 'No profiles stored in this range.',
    ...types.map(t => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = t;
      b.addEventListener('click', () => {
        $('expr').value = t;
        $('profile-type').value = t;
        $('query-form').requestSubmit();
      });
      return b;
    }));
}

async function loadLabelValues() {
  const name = $('label-name').value;
  const values = $('label-value');
  values.replaceChildren(new Option('value…', ''));
  values.disabled = $('add-matcher').disabled = !name;
  if (!name) return;
  const type = $('profile-type').value;
  try {
    const res = await api(`label/${encodeURIComponent(name)}/values`, {
      'match[]': type ? `{__name__="${escapeValue(type)}"}` : undefined,
      start: state.resolvedFrom || undefined, end: state.resolvedTo || undefined,
    });
    values.append(...res.data.map(v => new Option(v, v)));
  } catch (e) {
    showMessages($('warnings'), [`label values unavailable: ${e.message}`]);
  }
}

export function insertMatcher(expr, matcher) {
  const e = expr.trim();
  const close = e.lastIndexOf('}');
  if (close >= 0 && e.indexOf('{') >= 0 && close === e.length - 1) {
    const inside = e.slice(e.indexOf('{') + 1, close).trim();
    return `${e.slice(0, close).trimEnd()}${inside ? ', ' : ''}${matcher}}`;
  }
  return `${e}{${matcher}}`;
}

function setProfileType(type) {
  const e = $('expr').value.trim();
  const m = /^\s*([A-Za-z_:][\w:]*)/.exec(e);
  $('expr').value = m ? type + e.slice(m[0].length) : `${type}${e}`;
}

// ---- targets page

async function loadTargets() {
  showMessages($('targets-error'), []);
  let res;
  try {
    res = await api('targets', { state: 'any' });
  } catch (e) {
    showMessages($('targets-error'), [e.message]);
    return;
  }
  const active = res.data.activeTargets || [];
  const dropped = res.data.droppedTargets || [];
  const onlyBad = $('unhealthy-only').checked;
  const pools = new Map();
  for (const t of active) {
    if (onlyBad && t.health === 'up') continue;
    if (!pools.has(t.scrapePool)) pools.set(t.scrapePool, []);
    pools.get(t.scrapePool).push(t);
  }
  const body = $('targets').tBodies[0];
  const rows = [];
  for (const [pool, list] of [...pools].sort((x, y) => x[0].localeCompare(y[0]))) {
    const up = list.filter(t => t.health === 'up').length;
    const head = document.createElement('tr');
    head.className = 'pool';
    head.dataset.testid = 'target-pool';
    const th = document.createElement('th');
    th.colSpan = 7;
    th.textContent = `${pool} (${up}/${list.length} up)`;
    head.append(th);
    rows.push(head);
    for (const t of list) rows.push(targetRow(t));
  }
  if (!rows.length) {
    const tr = document.createElement('tr');
    const td = document.createElement('td');
    td.colSpan = 7;
    td.textContent = active.length ? 'All targets are healthy.' : 'No targets: this server does not scrape (conprof-cli serve), or its configuration has none.';
    tr.append(td);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
  const down = active.filter(t => t.health === 'down').length;
  $('targets-summary').textContent = `${active.length} active (${down} down), ${dropped.length} dropped`;
}

function targetRow(t) {
  const tr = document.createElement('tr');
  tr.dataset.testid = 'target-row';
  const td = (text, cls) => {
    const c = document.createElement('td');
    if (cls) c.className = cls;
    if (text instanceof Node) c.append(text); else c.textContent = text;
    tr.append(c);
    return c;
  };
  const a = document.createElement('a');
  a.href = t.scrapeUrl;
  a.textContent = t.scrapeUrl;
  a.rel = 'noopener';
  td(a);
  const h = document.createElement('span');
  h.className = `health ${['up', 'down'].includes(t.health) ? t.health : 'unknown'}`;
  h.textContent = t.health;
  td(h);
  const labels = document.createElement('span');
  for (const [k, v] of Object.entries(t.labels || {})) {
    const l = document.createElement('span');
    l.className = 'lbl';
    l.textContent = `${k}="${v}"`;
    labels.append(l);
  }
  td(labels);
  const last = Date.parse(t.lastScrape);
  const c = td(!Number.isFinite(last) || last <= 0 ? 'never' : `${Math.max(0, Math.round((Date.now() - last) / 1000))}s ago`);
  if (Number.isFinite(last) && last > 0) c.title = formatTime(last);
  td(`${(t.lastScrapeDuration * 1000).toFixed(1)} ms`, 'num');
  td(String(t.profilesStored ?? ''), 'num');
  td(t.lastError || '', 'err');
  return tr;
}

// ---- wiring

function view() {
  return location.pathname.endsWith('/targets') ? 'targets' : 'graph';
}

async function load() {
  const v = view();
  $('graph-page').hidden = v !== 'graph';
  $('targets-page').hidden = v !== 'targets';
  for (const a of document.querySelectorAll('.topbar nav a')) a.classList.toggle('active', a.dataset.view === v);
  if (v === 'targets') {
    document.title = 'conprof · targets';
    await loadTargets();
    return;
  }
  readUrl();
  document.title = state.query ? `${state.query} · conprof` : 'conprof';
  fillForm();
  const picking = loadPickers();
  await Promise.all([runQuery(), openProfile(false), picking]);
}

$('query-form').addEventListener('submit', e => {
  e.preventDefault();
  readForm();
  writeUrl(true);
  document.title = state.query ? `${state.query} · conprof` : 'conprof';
  runQuery();
});
$('range').addEventListener('change', () => {
  const d = parseDuration($('range').value);
  if (d && !$('now').checked) {
    const to = fromLocal($('to').value) || Date.now();
    $('from').value = toLocal(to - d);
  }
  if (!d) $('now').checked = false;
  $('query-form').requestSubmit();
});
for (const id of ['from', 'to']) {
  $(id).addEventListener('change', () => {
    $('now').checked = false;
    const f = fromLocal($('from').value), t = fromLocal($('to').value);
    if (f && t && t > f) ensureRangeOption(formatDuration(t - f));
  });
}
$('now').addEventListener('change', () => {
  if ($('now').checked && !parseDuration($('range').value)) {
    const f = fromLocal($('from').value), t = fromLocal($('to').value);
    ensureRangeOption(t > f ? formatDuration(t - f) : '30m');
  }
  $('query-form').requestSubmit();
});
$('profile-type').addEventListener('change', () => {
  if (!$('profile-type').value) return;
  setProfileType($('profile-type').value);
  loadLabelValues();
  $('query-form').requestSubmit();
});
$('label-name').addEventListener('change', loadLabelValues);
$('add-matcher').addEventListener('click', () => {
  const name = $('label-name').value;
  if (!name) return;
  const value = $('label-value').value;
  $('expr').value = insertMatcher($('expr').value, `${name}${$('label-op').value}"${escapeValue(value)}"`);
  $('expr').focus();
});
$('compare').addEventListener('click', () => setCompareArmed(!compareArmed && !!state.a));
$('layout').addEventListener('change', () => {
  state.layout = $('layout').value;
  writeUrl(true);
  applyLayout();
});
$('sample-type').addEventListener('change', () => {
  state.sample = $('sample-type').value;
  writeUrl(true);
  openProfile(false);
});
let searchTimer = 0;
$('search').addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    state.search = $('search').value;
    writeUrl(false);
    applySearch();
  }, 120);
});
$('reset-zoom').addEventListener('click', () => flame.reset());
$('swap').addEventListener('click', () => {
  [state.a, state.b] = [state.b, state.a];
  writeUrl(true);
  markSelections();
  openProfile(false);
});
$('clear-b').addEventListener('click', () => {
  state.b = null;
  writeUrl(true);
  markSelections();
  openProfile(false);
});
$('close-profile').addEventListener('click', () => {
  state.a = state.b = null;
  state.search = '';
  $('search').value = '';
  writeUrl(true);
  markSelections();
  $('profile').hidden = true;
});
$('top').tHead.addEventListener('click', e => {
  const key = e.target.dataset?.sort;
  if (!key || !topData) return;
  topSort = topSort?.key === key ? { key, asc: !topSort.asc } : { key, asc: false };
  renderTop();
});
$('top').tBodies[0].addEventListener('click', e => {
  const tr = e.target.closest('tr');
  if (!tr) return;
  const re = exactRegex(tr.dataset.name);
  state.search = state.search === re ? '' : re;
  $('search').value = state.search;
  writeUrl(false);
  applySearch();
});
$('unhealthy-only').addEventListener('change', loadTargets);
$('targets-refresh').addEventListener('click', loadTargets);
for (const a of document.querySelectorAll('.topbar a[data-view], .topbar .brand')) {
  a.addEventListener('click', e => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    const target = a.getAttribute('href');
    if (view() === 'graph') lastGraphSearch = location.search;
    history.pushState(null, '', target === 'graph' ? `graph${lastGraphSearch}` : target);
    load();
  });
}
window.addEventListener('popstate', load);
window.addEventListener('keydown', e => {
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement?.tagName || '');
  if (e.key === 'Escape') {
    setCompareArmed(false);
    $('tooltip').hidden = true;
    if (!typing && !$('profile').hidden) flame.reset();
  } else if (e.key === '/' && !typing && !$('profile').hidden) {
    e.preventDefault();
    $('search').focus();
  }
});

// Hooks for tests and benchmarks.
window.conprof = {
  state: () => JSON.parse(JSON.stringify({ ...state, compareArmed })),
  pointPosition: (series, point) => timelines.pointPosition(series, point),
  framePosition: name => flame.framePosition(name),
  topFrames: () => flame.topFrames(),
  flameNodes: () => flame.nodeCount,
  flameIsDiff: () => !!flame.diff,
  zoomedFrame: () => (flame.n && flame.zoom ? flame.full[flame.zoom] : null),
  errors: () => [...errors],
  flameFramesDrawn: () => flame.drawn,
  measures: () => performance.getEntriesByType('measure').filter(m => m.name.startsWith('conprof:'))
    .map(m => ({ name: m.name, duration: m.duration })),
};

api('status/buildinfo').then(r => { $('version').textContent = `v${r.data.version}`; }, () => {});
load();
