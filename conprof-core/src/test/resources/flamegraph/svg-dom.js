// A minimal DOM for conprof's flame-graph SVG, enough to run its embedded script under node:
// node svg-dom.js FILE.svg SEARCH_REGEX ZOOM_FRAME_TITLE_PREFIX  -> one JSON line of observations.
const fs = require('fs');
const svg = fs.readFileSync(process.argv[2], 'utf8');
function el(attrs, text) {
  const a = Object.assign({}, attrs);
  const e = {
    attrs: a, style: {}, textContent: text || '', children: {},
    getAttribute: k => a[k], setAttribute: (k, v) => { a[k] = String(v); },
    classList: { set: new Set(), add(c) { this.set.add(c); }, remove(c) { this.set.delete(c); } },
    getElementsByTagName: t => e.children[t] || [],
  };
  return e;
}
function attrs(s) { const o = {}; s.replace(/([\w-]+)="([^"]*)"/g, (m, k, v) => { o[k] = v; }); return o; }
const unesc = s => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const gs = [];
const re = /<g class="f"([^>]*)><title>([^<]*)<\/title><rect([^>]*)\/><text([^>]*)>([^<]*)<\/text><\/g>/g;
let m;
while ((m = re.exec(svg))) {
  const g = el(attrs(m[1]));
  g.children.title = [el({}, unesc(m[2]))];
  g.children.rect = [el(attrs(m[3]))];
  g.children.text = [el(attrs(m[4]), unesc(m[5]))];
  gs.push(g);
}
const byId = {};
for (const id of ['unzoom', 'matched', 'search']) byId[id] = el({});
const detailsText = { nodeValue: (svg.match(/<text id="details"[^>]*>([^<]*)<\/text>/) || [])[1] };
byId.details = Object.assign(el({}), { firstChild: detailsText });
byId.frames = Object.assign(el({}), { getElementsByTagName: t => (t === 'g' ? gs : []) });
global.document = { getElementById: id => byId[id] };
let answer = null;
global.prompt = () => answer;
global.alert = msg => { throw new Error('alert: ' + msg); };
const script = svg.match(/<!\[CDATA\[([\s\S]*?)\]\]>/)[1];
eval(script + '\nglobal.api = {init, zoom, unzoom, search};');
const api = global.api;
api.init({});
const result = {frames: gs.length};
const target = gs.find(g => g.children.title[0].textContent.startsWith(process.argv[4]));
result.width = target.children.rect[0].getAttribute('width');
target.onmouseover.call(target);
result.hover = detailsText.nodeValue;
target.onmouseout.call(target);
result.idle = detailsText.nodeValue;
target.onclick.call(target);
result.zoomedWidth = target.children.rect[0].getAttribute('width');
result.zoomedX = target.children.rect[0].getAttribute('x');
result.zoomedLabel = target.children.text[0].textContent;
result.rootOpacity = gs[0].style.opacity;
result.unzoomShown = byId.unzoom.style.opacity;
api.unzoom();
result.unzoomedWidth = target.children.rect[0].getAttribute('width');
answer = process.argv[3];
api.search();
result.matched = byId.matched.textContent;
result.highlighted = gs.filter(f => f.classList.set.has('hl')).length;
console.log(JSON.stringify(result));
