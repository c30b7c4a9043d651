// The baseline survey of service organisations, per round (Dashboard.survey, added to
// the schema on another branch). Its selection is guessed here in one place (SURVEY);
// if the server does not know it, main.js asks without it and this section is not
// shown. The renderer only assumes counts ({value, suppressed, provisional}), numbers,
// and lists of {code, count}: whatever else the type holds is shown as a plain value.
import { t, has, number } from './i18n.js';
import { countText, isWithheld } from './counts.js';
import { barChart } from './svg.js';
import { h, table, section } from './html.js';

const C = '{ value suppressed provisional }';
export const SURVEY = `survey { round organisationsAnswered ${C} capacity ${C} survivorsPerYear ${C}
  services { code count ${C} } barriers { code count ${C} } needs { code count ${C} } }`;

// Which dictionary namespace a list's codes are in.
const LIST_KINDS = { services: 'service', barriers: 'barrier', needs: 'survey_need' };

const isCount = v => v && typeof v === 'object' && 'suppressed' in v;

function text(v, k) {
  if (isCount(v)) return countText(v, k);
  if (typeof v === 'number') return number(v);
  return v === null || v === undefined ? '—' : String(v);
}

function label(field) { return has(`survey.${field}`) ? t(`survey.${field}`) : field; }

function codeText(list, code) {
  const key = `${LIST_KINDS[list] || list}.${code}`;
  return has(key) ? t(key) : code;
}

// renderSurvey returns the survey section, or null when there is no survey. survey may
// be one round or a list of rounds.
export function renderSurvey(d) {
  const rounds = Array.isArray(d.survey) ? d.survey : d.survey ? [d.survey] : [];
  if (!rounds.length) return null;
  const k = d.minCell;
  const parts = [h('p', { class: 'hint' }, t('survey.desc'))];
  for (const r of rounds) {
    const heading = r.round !== undefined ? t('survey.roundTitle', { round: r.round }) : t('survey.title');
    parts.push(h('h3', {}, heading));
    const scalars = Object.entries(r).filter(([f, v]) => f !== 'round' && !Array.isArray(v));
    if (scalars.length) {
      parts.push(table({
        id: `survey-${r.round ?? 'all'}-table`,
        caption: heading,
        columns: [t('ui.figure'), t('ui.value')],
        rows: scalars.map(([f, v]) => ({ code: f, label: label(f), cells: [text(v, k)] })),
      }));
    }
    for (const [f, list] of Object.entries(r).filter(([, v]) => Array.isArray(v))) {
      const rows = list.map(x => ({ code: x.code, label: codeText(f, x.code), c: x.count }));
      parts.push(h('h4', {}, label(f)));
      parts.push(h('div', { class: 'chart-box' }, barChart({
        title: `${heading}: ${label(f)}`,
        desc: t('survey.desc'),
        rows: rows.map(x => ({ label: x.label, bars: [{ value: isCount(x.c) && !isWithheld(x.c) ? x.c.value : typeof x.c === 'number' ? x.c : null, partial: !!(x.c && x.c.provisional), text: text(x.c, k) }] })),
      })));
      parts.push(table({
        id: `survey-${r.round ?? 'all'}-${f}-table`,
        caption: `${heading}: ${label(f)}`,
        columns: [label(f), t('survey.organisations')],
        rows: rows.map(x => ({ code: x.code, label: x.label, cells: [text(x.c, k)] })),
      }));
    }
  }
  return section('survey', t('survey.title'), ...parts);
}
