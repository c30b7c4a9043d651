// How a de-identified count is shown, and the only sums the page makes. A withheld
// count is never shown as 0 or guessed, and never added: a sum adds the published
// counts only, and says so when any were withheld.
import { number, t } from './i18n.js';

// A suppressed count: "<k". (It may also be a larger count withheld so that a small one
// cannot be worked out; the legend says so.)
export function isWithheld(c) { return !c || c.suppressed || c.value === null || c.value === undefined; }

export function countText(c, k) {
  if (isWithheld(c)) return `<${k}`;
  return c.provisional ? `≥ ${number(c.value)}` : number(c.value);
}

// countTitle is the longer explanation, for tooltips and screen readers.
export function countTitle(c, k) {
  if (isWithheld(c)) return t('ui.withheldTitle', { k });
  if (c.provisional) return t('ui.provisionalTitle', { low: number(c.value), high: number(c.value + k - 1) });
  return number(c.value);
}

// sumPublished adds the published counts: value is null when none was published;
// withheld says how many were left out; lowerBound when the true sum may be larger
// (a count left out, or a provisional one).
export function sumPublished(counts) {
  let value = 0, published = 0, withheld = 0, provisional = false;
  for (const c of counts) {
    if (isWithheld(c)) { withheld++; continue; }
    value += c.value;
    published++;
    if (c.provisional) provisional = true;
  }
  return { value: published ? value : null, withheld, lowerBound: withheld > 0 || provisional, sum: true };
}

export function sumText(s) {
  if (s.value === null) return t('ui.noneWithheld');
  return s.lowerBound ? `≥ ${number(s.value)}` : number(s.value);
}

// monthsOfPeriod lists the months of "2026" or "2026-Q2".
export function monthsOfPeriod(p) {
  const q = /^(\d{4})-Q([1-4])$/.exec(p);
  const year = q ? q[1] : p;
  const first = q ? (Number(q[2]) - 1) * 3 + 1 : 1;
  const n = q ? 3 : 12;
  const out = [];
  for (let m = first; m < first + n; m++) out.push(`${year}-${String(m).padStart(2, '0')}`);
  return out;
}

// coveringPeriod is the index of the period that is exactly the months shown (a whole
// quarter or year), or -1: its count is the table's own total, published or withheld
// as a whole, where adding months could only give a lower bound.
export function coveringPeriod(d) {
  return d.periods.findIndex(p => {
    const ms = monthsOfPeriod(p);
    return ms.length === d.months.length && ms[0] === d.months[0] && ms[ms.length - 1] === d.months[d.months.length - 1];
  });
}

// total is one series' figure for the whole range: the covering period's count when
// there is one, else the sum of the published months.
export function total(series, d) {
  const i = coveringPeriod(d);
  if (i >= 0) return { count: series.periods[i], period: d.periods[i] };
  return { sum: sumPublished(series.months) };
}

export function totalText(tot, k) { return tot.sum ? sumText(tot.sum) : countText(tot.count, k); }

// totalBar is what a chart draws for a total: a length (null: nothing drawn) and
// whether it is only a lower bound (hatched).
export function totalBar(tot) {
  if (tot.sum) return { value: tot.sum.value, partial: tot.sum.lowerBound };
  if (isWithheld(tot.count)) return { value: null, partial: false };
  return { value: tot.count.value, partial: !!tot.count.provisional };
}
