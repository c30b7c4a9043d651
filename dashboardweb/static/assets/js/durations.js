// How long things took (Dashboard.durations): between stages, to resolve a barrier, to
// meet a need; and the barrier and need counts they go with. Medians and 90th
// percentiles are published for closed periods over at least minCell cases only.
import { t, codeLabel, periodLabel, number } from './i18n.js';
import { countText, isWithheld, total } from './counts.js';
import { barChart, legend } from './svg.js';
import { h, table, section } from './html.js';
import { cell, totalCell, totalHeader } from './sections.js';

// The period the duration charts and tables show, kept across live updates (the CSV
// has every period).
let chosen = '';

function periodsWith(d, kind) {
  const have = new Set(d.durations.filter(x => x.kind === kind).map(x => x.period));
  return d.periods.filter(p => have.has(p));
}

// pick keeps the reader's choice; else the latest year that has a published median
// (a period still open has none), else the latest such quarter, else the latest period.
function pick(d, kind, ps) {
  if (ps.includes(chosen)) return chosen;
  const published = ps.filter(p => d.durations.some(x => x.kind === kind && x.period === p && x.medianDays !== null));
  const pool = published.length ? published : ps;
  const years = pool.filter(p => /^\d{4}$/.test(p));
  return (years.length ? years : pool).at(-1) || '';
}

const days = v => (v === null || v === undefined ? t('ui.notPublished') : t('ui.days', { n: number(v, 1) }));

function stepLabel(x) {
  return x.kind === 'STAGE'
    ? `${codeLabel('stage_reached', x.from)} → ${codeLabel('stage_reached', x.to)}`
    : codeLabel(x.kind === 'BARRIER' ? 'barriers_resolved' : 'needs_met', x.from);
}

function durationBlock(d, kind, rerender) {
  const ps = periodsWith(d, kind);
  const kindLabel = t(`duration_kind.${kind.toLowerCase()}`);
  if (!ps.length) return h('p', { class: 'hint' }, t('ui.noDurations', { kind: kindLabel }));
  const period = pick(d, kind, ps);
  const select = h('select', { class: 'period', 'aria-label': t('ui.period') },
    ps.map(p => h('option', { value: p, selected: p === period }, periodLabel(p))));
  select.addEventListener('change', () => { chosen = select.value; rerender(); });
  const rows = d.durations.filter(x => x.kind === kind && x.period === period);
  const series = [t('ui.median'), t('ui.p90')];
  const chart = barChart({
    title: `${kindLabel} — ${periodLabel(period)}`,
    desc: t('ui.durationDesc'),
    series,
    rows: rows.map(x => ({
      label: stepLabel(x),
      bars: [
        { value: x.medianDays, text: days(x.medianDays) },
        { value: x.p90Days, text: days(x.p90Days) },
      ],
    })),
  });
  return h('div', { class: 'durations' },
    h('label', { class: 'inline' }, h('span', {}, t('ui.period')), select),
    h('div', { class: 'chart-box' }, chart, legend(series)),
    table({
      id: `durations-${kind.toLowerCase()}-table`,
      caption: `${kindLabel} — ${periodLabel(period)} (${t('ui.daysUnit')})`,
      columns: [t('ui.step'), t('ui.cases'), t('ui.median'), t('ui.p90')],
      rows: rows.map(x => ({
        code: `${x.from}/${x.to}`,
        label: stepLabel(x),
        cells: [cell(x.cases, d.minCell), days(x.medianDays), days(x.p90Days)],
      })),
    }));
}

export function stageDurations(d, rerender) {
  return section('durations', t('ui.durationsTitle'), h('p', { class: 'hint' }, t('ui.durationDesc')), durationBlock(d, 'STAGE', rerender));
}

// barriersOrNeeds: what: 'barriers' or 'needs'.
export function barriersOrNeeds(d, what, rerender) {
  const k = d.minCell;
  const names = what === 'barriers'
    ? ['barriers_at_referral', 'barriers_identified', 'barriers_resolved']
    : ['needs_at_referral', 'needs_identified', 'needs_met'];
  const codes = [];
  for (const s of d.figures) if (names.includes(s.name) && s.code && !codes.includes(s.code)) codes.push(s.code);
  const find = (n, c) => d.figures.find(s => s.name === n && s.code === c);
  const series = [t('ui.atReferral'), t('ui.identifiedLater'), t(what === 'barriers' ? 'ui.resolved' : 'ui.met')];
  const rows = codes.map(c => ({
    code: c,
    label: codeLabel(names[0], c),
    tots: names.map(n => (find(n, c) ? total(find(n, c), d) : null)),
  }));
  const bar = tot => {
    if (!tot) return { value: null, text: '—' };
    if (tot.count) return { value: isWithheld(tot.count) ? null : tot.count.value, partial: !!tot.count.provisional, text: countText(tot.count, k) };
    return { value: tot.sum.value, partial: tot.sum.lowerBound, text: totalCell(tot, k).text };
  };
  const chart = barChart({
    title: t(`ui.${what}Title`),
    desc: t(`ui.${what}Desc`),
    series,
    rows: rows.map(r => ({ label: r.label, bars: r.tots.map(bar) })),
  });
  return section(what, t(`ui.${what}Title`),
    h('p', { class: 'hint' }, t(`ui.${what}Desc`)),
    h('div', { class: 'chart-box' }, chart, legend(series)),
    table({
      id: `${what}-table`,
      caption: `${t(`ui.${what}Title`)} — ${totalHeader(d)}`,
      columns: [t(`ui.${what === 'barriers' ? 'barrier' : 'need'}`), ...series],
      rows: rows.map(r => ({ code: r.code, label: r.label, cells: r.tots.map(tot => (tot ? totalCell(tot, k) : '—')) })),
    }),
    h('h3', {}, t(`duration_kind.${what === 'barriers' ? 'barrier' : 'need'}`)),
    durationBlock(d, what === 'barriers' ? 'BARRIER' : 'NEED', rerender));
}
