// Small DOM helpers. Text always goes in as text nodes (never parsed as markup), so nothing
// from the API can become markup.

export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-') || k.startsWith('aria-') || k === 'scope' || k === 'role' || k === 'colspan' || k === 'id' || k === 'for' || k === 'title' || k === 'tabindex') e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// table builds a data table: a caption, a header row of column headers, and rows whose
// first cell is a row header. cells: strings or {text, title, class}.
export function table({ id, caption, columns, rows, note }) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, c))));
  const tbody = h('tbody', {}, rows.map(r => h('tr', { 'data-code': r.code },
    h('th', { scope: 'row' }, r.label),
    r.cells.map(c => typeof c === 'object'
      ? h('td', { class: `num ${c.class || ''}`.trim(), title: c.title }, c.text)
      : h('td', { class: 'num' }, c)))));
  const t = h('table', { id, class: 'data' }, h('caption', {}, caption), thead, tbody);
  // A wide table scrolls on its own, not the page; focusable so a keyboard can scroll it.
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 }, t, note ? h('p', { class: 'note' }, note) : null);
}

export function section(id, title, ...children) {
  return h('section', { id, class: 'panel', 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}
