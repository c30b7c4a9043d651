// Hand-written SVG charts. They scale with their viewBox (phone to desktop), colour by
// CSS class (the Okabe–Ito palette in dashboard.css, safe for colour-blind readers),
// and mark a lower bound (a provisional count, a sum with counts left out) by hatching,
// so colour is never the only signal. Each is role="img" with a <title> and <desc>;
// the same numbers are in a table under every chart.

const NS = 'http://www.w3.org/2000/svg'; // an XML namespace name, never fetched
let seq = 0;

export function el(name, attrs = {}, ...children) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function frame(width, height, title, desc) {
  const id = `chart-${++seq}`;
  const svg = el('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart',
    'aria-labelledby': `${id}-t ${id}-d`, preserveAspectRatio: 'xMinYMin meet',
  });
  svg.append(el('title', { id: `${id}-t` }, title), el('desc', { id: `${id}-d` }, desc || ''));
  const defs = el('defs');
  for (let i = 0; i < 8; i++) {
    const p = el('pattern', { id: `${id}-h${i}`, patternUnits: 'userSpaceOnUse', width: 6, height: 6, patternTransform: 'rotate(45)' });
    p.append(el('rect', { width: 6, height: 6, class: 'hatch-bg' }), el('rect', { width: 3, height: 6, class: `s${i}` }));
    defs.append(p);
  }
  svg.append(defs);
  return { svg, id };
}

const W = 420;

// barChart draws horizontal bars, a group per row, one bar per series.
// rows: [{label, bars: [{value (null: not drawn), partial, text, title}]}].
export function barChart({ title, desc, rows, series = [''], unit = '' }) {
  const barH = 14, gap = 3, labelH = 17, rowGap = 10;
  const rowH = labelH + series.length * (barH + gap) + rowGap;
  const height = Math.max(rows.length * rowH, 24);
  const { svg, id } = frame(W, height, title, desc);
  const max = Math.max(1, ...rows.flatMap(r => r.bars.map(b => b.value || 0)));
  const room = W - 78;
  rows.forEach((r, i) => {
    const y0 = i * rowH;
    svg.append(el('text', { x: 0, y: y0 + 12, class: 'label' }, r.label));
    r.bars.forEach((b, j) => {
      const y = y0 + labelH + j * (barH + gap);
      const g = el('g', { class: 'bar' });
      let x = 0;
      if (b.value !== null && b.value !== undefined) {
        const w = Math.max(b.value > 0 ? 2 : 0, (b.value / max) * room);
        g.append(el('rect', {
          x: 0, y, width: w.toFixed(1), height: barH,
          class: b.partial ? 'partial' : `s${j}`,
          fill: b.partial ? `url(#${id}-h${j})` : null,
        }));
        x = w;
      } else {
        g.append(el('rect', { x: 0, y, width: 1, height: barH, class: 'withheld' }));
      }
      g.append(el('text', { x: (x + 4).toFixed(1), y: y + barH - 3, class: 'value' }, b.text + unit));
      g.append(el('title', {}, `${r.label}${series[j] ? ' — ' + series[j] : ''}: ${b.title || b.text}`));
      svg.append(g);
    });
  });
  return svg;
}

// lineChart draws one line per series over the months; a withheld month is a gap
// (with a mark on the axis), a provisional one an open circle.
// series: [{label, points: [{value (null: withheld), partial, text}]}].
export function lineChart({ title, desc, xLabels, series }) {
  // xLabels are short (a month, its year on January and on the first).
  const H = 230, left = 36, right = 8, top = 10, bottom = 34;
  const { svg } = frame(W, H, title, desc);
  const step = niceStep(Math.max(1, ...series.flatMap(s => s.points.map(p => p.value || 0))) / 4);
  const max = step * Math.max(1, Math.ceil(Math.max(1, ...series.flatMap(s => s.points.map(p => p.value || 0))) / step));
  const n = xLabels.length;
  const x = i => left + (n === 1 ? (W - left - right) / 2 : (i * (W - left - right)) / (n - 1));
  const y = v => top + (H - top - bottom) * (1 - v / max);
  for (let v = 0; v <= max + step / 2; v += step) {
    svg.append(el('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: left - 4, y: y(v) + 4, class: 'tick end' }, String(v)));
  }
  // At most about six month labels, evenly spaced, so they never overlap.
  const every = Math.ceil(n / 6);
  xLabels.forEach((l, i) => {
    if (i % every === 0) svg.append(el('text', { x: x(i), y: H - bottom + 20, class: 'tick middle' }, l));
  });
  series.forEach((s, j) => {
    let run = [];
    const flush = () => {
      if (run.length > 1) svg.append(el('polyline', { points: run.join(' '), class: `line l${j}` }));
      run = [];
    };
    s.points.forEach((p, i) => {
      if (p.value === null || p.value === undefined) {
        flush();
        svg.append(el('line', { x1: x(i) - 3, x2: x(i) + 3, y1: y(0) + 4 + j * 2, y2: y(0) + 4 + j * 2, class: `l${j} withheld-mark` },
          el('title', {}, `${s.label}, ${xLabels[i]}: ${p.text}`)));
        return;
      }
      // A provisional count is a lower bound of a month still open: a line down to it
      // would read as a fall, so it stands alone as an open circle.
      if (p.partial) { flush(); return; }
      run.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
    });
    flush();
    s.points.forEach((p, i) => {
      if (p.value === null || p.value === undefined) return;
      svg.append(el('circle', { cx: x(i), cy: y(p.value), r: 3.2, class: p.partial ? `open l${j}` : `dot s${j} l${j}` },
        el('title', {}, `${s.label}, ${xLabels[i]}: ${p.text}`)));
    });
  });
  return svg;
}

// niceStep is a whole 1, 2 or 5 × 10ⁿ at least v: counts are whole numbers.
function niceStep(v) {
  const p = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1))));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// legend is an HTML list of the series' swatches (text scales better than SVG text).
export function legend(labels, extra = []) {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  labels.forEach((l, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `swatch s${i}`;
    sw.setAttribute('aria-hidden', 'true');
    li.append(sw, document.createTextNode(l));
    ul.append(li);
  });
  for (const [cls, l] of extra) {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `swatch ${cls}`;
    sw.setAttribute('aria-hidden', 'true');
    li.append(sw, document.createTextNode(l));
    ul.append(li);
  }
  return ul;
}
