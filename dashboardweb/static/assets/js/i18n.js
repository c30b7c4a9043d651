// Translations: one dictionary per language (../i18n/en.json, es.json, the same keys:
// dashboardweb's Go tests check both against the schema's codes). The choice is kept in
// localStorage (a preference, not a secret); the default follows the browser.

export const LANGS = ['en', 'es'];
const STORE = 'waymark.dashboard.lang';

let lang = 'en';
let dict = {};

export function currentLang() { return lang; }

export function initialLang() {
  const saved = localStorage.getItem(STORE);
  if (LANGS.includes(saved)) return saved;
  return (navigator.language || '').toLowerCase().startsWith('es') ? 'es' : 'en';
}

export async function setLang(l) {
  if (!LANGS.includes(l)) l = 'en';
  const resp = await fetch(`/dashboard/assets/i18n/${l}.json`, { cache: 'no-cache' });
  if (!resp.ok) throw new Error(`dictionary ${l}: HTTP ${resp.status}`);
  dict = await resp.json();
  lang = l;
  localStorage.setItem(STORE, l);
  document.documentElement.lang = l;
  applyStatic(document);
}

// t looks a key up and fills {name} placeholders. A missing key shows as itself, so a
// gap is visible rather than blank (the Go tests keep it from happening).
export function t(key, params) {
  let s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
  if (params) {
    for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

export function has(key) { return Object.prototype.hasOwnProperty.call(dict, key); }

// applyStatic translates the page's fixed text: data-i18n (text), data-i18n-placeholder,
// data-i18n-label (aria-label).
export function applyStatic(root) {
  root.querySelectorAll('[data-i18n]').forEach(el => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-placeholder]').forEach(el => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  root.querySelectorAll('[data-i18n-label]').forEach(el => { el.setAttribute('aria-label', t(el.dataset.i18nLabel)); });
  document.title = t('ui.pageTitle');
}

// Which dictionary namespace a series' code belongs to, by the figure's name (the
// DashboardSeries doc in schema/dashboard.graphqls).
const CODE_KINDS = {
  id_documents_requested: 'document_kind',
  id_documents_obtained: 'document_kind',
  id_documents_refused: 'document_kind',
  offers_declined_all: 'decline_reason',
  applications_declined: 'account_decline_reason',
  packs_rejected: 'pack_rejection_reason',
  items_blocked: 'bureau',
  items_refused: 'bureau',
  closures: 'closure_outcome',
  stage_reached: 'stage',
  barriers_at_referral: 'barrier',
  barriers_identified: 'barrier',
  barriers_resolved: 'barrier',
  needs_at_referral: 'need',
  needs_identified: 'need',
  needs_met: 'need',
};

let orgNames = {};
// setOrganisationNames: bureau breakdowns are organisation ids; show names when the
// directory could be read.
export function setOrganisationNames(m) { orgNames = m || {}; }

export function codeLabel(name, code) {
  const kind = CODE_KINDS[name];
  if (kind === 'bureau') return orgNames[code] || code;
  const key = `${kind}.${code}`;
  return kind && has(key) ? t(key) : code;
}

export function figureLabel(name) { return t(`figure.${name}`); }

export function seriesLabel(s) {
  return s.code ? `${figureLabel(s.name)}: ${codeLabel(s.name, s.code)}` : figureLabel(s.name);
}

export function monthLabel(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Intl.DateTimeFormat(lang, { month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, 1)));
}

// shortMonthLabel is an axis label: "Mar", with the year on January and the first.
export function shortMonthLabel(ym, first) {
  const [y, m] = ym.split('-').map(Number);
  const opts = first || m === 1 ? { month: 'short', year: '2-digit', timeZone: 'UTC' } : { month: 'short', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(lang, opts).format(new Date(Date.UTC(y, m - 1, 1)));
}

export function periodLabel(p) {
  const q = /^(\d{4})-Q([1-4])$/.exec(p);
  return q ? t('ui.quarterLabel', { q: q[2], year: q[1] }) : p;
}

export function number(n, digits = 0) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n);
}
