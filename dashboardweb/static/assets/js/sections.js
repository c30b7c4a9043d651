// The dashboard's count sections: the funnel, the monthly trend, the open cases. Each
// is a chart and, under it, a table of the same numbers.
import { t, figureLabel, codeLabel, monthLabel, shortMonthLabel, periodLabel, number } from './i18n.js';
import { countText, countTitle, isWithheld, total, totalText, totalBar, coveringPeriod } from './counts.js';
import { barChart, lineChart, legend } from './svg.js';
import { h, table, section } from './html.js';

export function cell(c, k) {
  return { text: countText(c, k), title: countTitle(c, k), class: isWithheld(c) ? 'withheld' : c.provisional ? 'provisional' : '' };
}

export function totalHeader(d) {
  const i = coveringPeriod(d);
  return i >= 0 ? t('ui.totalPeriod', { period: periodLabel(d.periods[i]) }) : t('ui.sumPublished');
}

export function totalCell(tot, k) {
  if (tot.count) return cell(tot.count, k);
  const s = tot.sum;
  return {
    text: totalText(tot, k),
    title: s.withheld ? t('ui.sumWithheldTitle', { n: s.withheld }) : t('ui.sumTitle'),
    class: s.lowerBound ? 'provisional' : '',
  };
}

function barOf(tot, k) {
  const b = totalBar(tot);
  return { value: b.value, partial: b.partial, text: totalText(tot, k) };
}

export function funnel(d) {
  const k = d.minCell;
  const rows = d.funnel.map(s => ({ s, label: codeLabel('stage_reached', s.code), tot: total(s, d) }));
  const chart = barChart({
    title: t('ui.funnelTitle'),
    desc: t('ui.funnelDesc'),
    rows: rows.map(r => ({ label: r.label, bars: [barOf(r.tot, k)] })),
  });
  return section('funnel', t('ui.funnelTitle'),
    h('p', { class: 'hint' }, t('ui.funnelDesc')),
    h('div', { class: 'chart-box' }, chart),
    table({
      id: 'funnel-table',
      caption: t('ui.funnelTitle'),
      columns: [t('ui.stage'), ...d.months.map(monthLabel), totalHeader(d)],
      rows: rows.map(r => ({ code: r.s.code, label: r.label, cells: [...r.s.months.map(c => cell(c, k)), totalCell(r.tot, k)] })),
    }),
    conversions(d));
}

// conversions is the funnel's stage-to-stage conversion per closed period, as the API
// works it out from published counts alone (null: not published).
function conversions(d) {
  const list = d.conversions || [];
  if (!list.length) return null;
  const periods = d.periods.filter(p => list.some(c => c.period === p));
  const steps = [];
  for (const c of list) if (!steps.some(s => s.from === c.from && s.to === c.to)) steps.push({ from: c.from, to: c.to });
  const label = s => `${codeLabel('stage_reached', s.from.toLowerCase())} → ${codeLabel('stage_reached', s.to.toLowerCase())}`;
  return table({
    id: 'conversions-table',
    caption: t('ui.conversionTitle'),
    columns: [t('ui.step'), ...periods.map(periodLabel)],
    rows: steps.map(s => ({
      code: `${s.from.toLowerCase()}/${s.to.toLowerCase()}`,
      label: label(s),
      cells: periods.map(p => {
        const c = list.find(x => x.from === s.from && x.to === s.to && x.period === p);
        return c && c.percent !== null && c.percent !== undefined
          ? `${number(c.percent, 1)} %`
          : { text: t('ui.notPublished'), class: 'withheld' };
      }),
    })),
    note: t('ui.conversionDesc'),
  });
}

export const TREND = ['referrals', 'bank_referrals', 'applications', 'accounts_opened', 'credit_reports', 'disputes_filed'];

export function trend(d) {
  const k = d.minCell;
  const series = TREND.map(n => d.figures.find(s => s.name === n && !s.code)).filter(Boolean);
  const labels = series.map(s => figureLabel(s.name));
  const chart = lineChart({
    title: t('ui.trendTitle'),
    desc: t('ui.trendDesc'),
    xLabels: d.months.map((m, i) => shortMonthLabel(m, i === 0)),
    series: series.map((s, i) => ({
      label: labels[i],
      points: s.months.map(c => ({ value: isWithheld(c) ? null : c.value, partial: !!(c && c.provisional), text: countText(c, k) })),
    })),
  });
  return section('trend', t('ui.trendTitle'),
    h('div', { class: 'chart-box' }, chart, legend(labels, [['open-dot', t('ui.legendProvisionalPoint')], ['gap-mark', t('ui.legendWithheldPoint')]])),
    table({
      id: 'trend-table',
      caption: t('ui.trendTitle'),
      columns: [t('ui.figure'), ...d.months.map(monthLabel), totalHeader(d)],
      rows: series.map((s, i) => ({ code: s.name, label: labels[i], cells: [...s.months.map(c => cell(c, k)), totalCell(total(s, d), k)] })),
    }));
}

export function openCases(d) {
  const k = d.minCell;
  const label = b => t(`band.${b}`);
  const rows = d.openCases.map(b => ({ label: label(b.band), code: b.band, c: b.count }));
  const chart = barChart({
    title: t('ui.openTitle'),
    desc: t('ui.openDesc'),
    rows: rows.map(r => ({ label: r.label, bars: [{ value: isWithheld(r.c) ? null : r.c.value, partial: !!r.c.provisional, text: countText(r.c, k) }] })),
  });
  return section('open', t('ui.openTitle'),
    h('p', { class: 'hint' }, t('ui.openDesc')),
    h('div', { class: 'chart-box' }, chart),
    h('p', { class: 'stalled' }, h('strong', {}, t('ui.stalled')), ' ', h('span', { id: 'stalled-count', title: countTitle(d.stalledCases, k) }, countText(d.stalledCases, k))),
    table({
      id: 'open-table',
      caption: t('ui.openTitle'),
      columns: [t('ui.ageBand'), t('ui.openCount')],
      rows: [...rows.map(r => ({ code: r.code, label: r.label, cells: [cell(r.c, k)] })),
        { code: 'stalled', label: t('ui.stalled'), cells: [cell(d.stalledCases, k)] }],
    }));
}

// allFigures is every series, month by month and period by period.
export function allFigures(d) {
  const k = d.minCell;
  const label = s => (s.code ? `${figureLabel(s.name)}: ${codeLabel(s.name, s.code)}` : figureLabel(s.name));
  return section('figures', t('ui.figuresTitle'),
    h('p', { class: 'hint' }, t('ui.figuresDesc')),
    table({
      id: 'figures-table',
      caption: t('ui.figuresTitle'),
      columns: [t('ui.figure'), ...d.months.map(monthLabel), ...d.periods.map(periodLabel)],
      rows: [...d.funnel, ...d.figures].map(s => ({ code: s.figure, label: label(s), cells: [...s.months, ...s.periods].map(c => cell(c, k)) })),
    }));
}
