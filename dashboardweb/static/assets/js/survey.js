// The baseline survey of service organisations (Dashboard.survey, schema/survey.graphqls):
// the latest round up to the dashboard's last year, added up over the organisations in
// scope. These are facts organisations state about themselves and are published
// exactly, so nothing here is withheld or provisional.
import { t, number } from './i18n.js';
import { barChart } from './svg.js';
import { h, table, section } from './html.js';

export const SURVEY = `survey { round organisationsAnswered organisations capacity survivorsPerYear
  services { service organisations } barriers { barrier organisations } needs { need organisations } }`;

// The lists, each with its code field and dictionary namespace.
const LISTS = [
  ['services', 'service', 'service'],
  ['barriers', 'barrier', 'barrier'],
  ['needs', 'need', 'survey_need'],
];

export function renderSurvey(d) {
  const s = d.survey;
  if (!s) return null;
  const parts = [h('p', { class: 'hint' }, t('survey.desc'))];
  if (s.round === null || s.round === undefined) {
    parts.push(h('p', {}, t('survey.noRound')));
    return section('survey', t('survey.title'), ...parts);
  }
  const heading = t('survey.roundTitle', { round: s.round });
  parts.push(h('h3', {}, heading));
  parts.push(table({
    id: 'survey-table',
    caption: heading,
    columns: [t('ui.figure'), t('ui.value')],
    rows: [
      { code: 'organisationsAnswered', label: t('survey.organisationsAnswered'), cells: [t('survey.answeredOf', { n: number(s.organisationsAnswered), m: number(s.organisations) })] },
      { code: 'capacity', label: t('survey.capacity'), cells: [number(s.capacity)] },
      { code: 'survivorsPerYear', label: t('survey.survivorsPerYear'), cells: [number(s.survivorsPerYear)] },
    ],
  }));
  const lists = h('div', { class: 'survey-lists' });
  for (const [field, codeField, ns] of LISTS) {
    const rows = (s[field] || []).map(x => ({ code: x[codeField].toLowerCase(), label: t(`${ns}.${x[codeField].toLowerCase()}`), n: x.organisations }));
    const title = `${t(`survey.${field}`)} — ${heading}`;
    lists.append(h('div', {},
      h('h4', {}, t(`survey.${field}`)),
      h('div', { class: 'chart-box' }, barChart({
        title,
        desc: t('survey.listDesc', { n: number(s.organisationsAnswered) }),
        rows: rows.map(r => ({ label: r.label, bars: [{ value: r.n, text: number(r.n) }] })),
      })),
      table({
        id: `survey-${field}-table`,
        caption: title,
        columns: [t(`survey.${field}`), t('survey.organisations')],
        rows: rows.map(r => ({ code: r.code, label: r.label, cells: [number(r.n)] })),
      })));
  }
  parts.push(lists);
  return section('survey', t('survey.title'), ...parts);
}
