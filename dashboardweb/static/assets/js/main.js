// The dashboard page: sign in with a bearer token (kept in sessionStorage only, so it
// goes with the tab), choose a filter, read dashboard(filter) and follow
// dashboardUpdated(filter) live.
import { initialLang, setLang, t, currentLang, applyStatic, setOrganisationNames, monthLabel, periodLabel } from './i18n.js';
import { query, subscribe, download, ApiError } from './api.js';
import { h, section } from './html.js';
import { funnel, trend, openCases, allFigures } from './sections.js';
import { stageDurations, barriersOrNeeds } from './durations.js';
import { renderSurvey, SURVEY } from './survey.js';

const TOKEN = 'waymark.dashboard.token';
const $ = id => document.getElementById(id);

const C = '{ value suppressed provisional }';
const SERIES = `{ figure name code months ${C} periods ${C} }`;
const FIELDS = `jurisdiction organisationId months periods minCell currentMonth position
  funnel ${SERIES} conversions { from to period percent } figures ${SERIES}
  durations { kind from to period cases ${C} medianDays p90Days }
  openCases { band count ${C} } stalledCases ${C}`;
const QUERY = `query Dashboard($filter: DashboardFilter!) { dashboard(filter: $filter) { ${FIELDS} ${SURVEY} } }`;
const SUBSCRIPTION = `subscription DashboardUpdated($filter: DashboardFilter!) { dashboardUpdated(filter: $filter) { ${FIELDS} ${SURVEY} } }`;

let token = sessionStorage.getItem(TOKEN) || '';
let last = null;
let stopLive = null;
let liveState = 'closed';
let orgsOf = ''; // the jurisdiction whose organisations the datalist holds

// ---- Sign-in ----------------------------------------------------------------------

function showSignIn() {
  $('signin').hidden = false;
  $('app').hidden = true;
  $('signout').hidden = true;
  $('live').hidden = true;
  $('token').focus();
}

function signOut() {
  if (stopLive) stopLive();
  stopLive = null;
  token = '';
  last = null;
  sessionStorage.removeItem(TOKEN);
  $('dashboard').replaceChildren();
  showSignIn();
}

$('signin-form').addEventListener('submit', ev => {
  ev.preventDefault();
  token = $('token').value.trim();
  $('token').value = '';
  if (!token) return;
  sessionStorage.setItem(TOKEN, token);
  start();
});
$('signout').addEventListener('click', () => { clearError(); signOut(); });

// ---- Errors -----------------------------------------------------------------------

function showError(err) {
  const code = err instanceof ApiError && err.code ? err.code : '';
  $('error').replaceChildren(h('strong', {}, t('ui.error')), ' ', err.message, code ? h('code', {}, ` ${code}`) : null);
  $('error').hidden = false;
  if (code === 'UNAUTHENTICATED') signOut();
}
function clearError() { $('error').hidden = true; $('error').replaceChildren(); }

// ---- Filter -----------------------------------------------------------------------

const ym = d => `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
const monthStart = (y, m) => new Date(Date.UTC(y, m, 1)); // m may be out of 0..11

function range(kind) {
  const now = new Date();
  const y = now.getUTCFullYear(), m = now.getUTCMonth(), q = Math.floor(m / 3) * 3;
  switch (kind) {
    case 'thisQuarter': return [monthStart(y, q), monthStart(y, q + 2)];
    case 'lastQuarter': return [monthStart(y, q - 3), monthStart(y, q - 1)];
    case 'lastYear': return [monthStart(y - 1, 0), monthStart(y - 1, 11)];
    case 'last12': return [monthStart(y, m - 11), monthStart(y, m)];
    default: return [monthStart(y, 0), monthStart(y, m)]; // thisYear, to date: no month that has not begun
  }
}

function setRange(kind) {
  const [from, to] = range(kind);
  $('f-from').value = ym(from);
  $('f-to').value = ym(to);
}

function readFilter() {
  const f = {
    jurisdiction: $('f-jurisdiction').value.trim().toUpperCase(),
    fromMonth: $('f-from').value,
    toMonth: $('f-to').value,
  };
  const org = $('f-organisation').value.trim();
  if (org) f.organisationId = org;
  return f;
}

// The filter lives in the address too, so a view can be bookmarked (it is no secret).
function filterFromAddress() {
  const p = new URLSearchParams(location.search);
  setRange('thisYear');
  if (/^[A-Za-z]{2}$/.test(p.get('jurisdiction') || '')) $('f-jurisdiction').value = p.get('jurisdiction').toUpperCase();
  if (p.get('organisationId')) $('f-organisation').value = p.get('organisationId');
  if (/^\d{4}-\d{2}$/.test(p.get('fromMonth') || '')) $('f-from').value = p.get('fromMonth');
  if (/^\d{4}-\d{2}$/.test(p.get('toMonth') || '')) $('f-to').value = p.get('toMonth');
}

function filterToAddress(f) {
  const p = new URLSearchParams(f);
  history.replaceState(null, '', `${location.pathname}?${p}`);
}

document.querySelectorAll('[data-range]').forEach(b => b.addEventListener('click', () => { setRange(b.dataset.range); load(); }));
$('filter').addEventListener('submit', ev => { ev.preventDefault(); load(); });

async function loadOrganisations(jurisdiction) {
  try {
    const data = await query(token, 'query Orgs($j: String) { organisations(jurisdiction: $j) { id name kind } }', { j: jurisdiction });
    const names = {};
    const list = $('f-organisations');
    list.replaceChildren(...data.organisations.map(o => {
      names[o.id] = o.name;
      return h('option', { value: o.id }, `${o.name} (${t(`organisation_kind.${o.kind.toLowerCase()}`)})`);
    }));
    setOrganisationNames(names);
  } catch {
    // The field still takes an id typed in; names are a convenience.
  }
}

// ---- Dashboard --------------------------------------------------------------------

async function load() {
  clearError();
  if (!$('filter').reportValidity()) return;
  const filter = readFilter();
  filterToAddress(filter);
  if (filter.jurisdiction !== orgsOf) {
    orgsOf = filter.jurisdiction;
    loadOrganisations(orgsOf);
  }
  if (stopLive) stopLive();
  stopLive = null;
  $('dashboard').setAttribute('aria-busy', 'true');
  try {
    const data = await query(token, QUERY, { filter });
    last = data.dashboard;
    render();
    stopLive = subscribe(token, SUBSCRIPTION, { filter }, {
      onData: d => { last = d.dashboardUpdated; render(); },
      onError: showError,
      onState: s => { liveState = s; renderLive(); },
    });
  } catch (err) {
    last = null;
    $('dashboard').replaceChildren();
    showError(err);
  } finally {
    $('dashboard').removeAttribute('aria-busy');
  }
}

function renderLive() {
  const live = $('live');
  live.hidden = !last;
  live.className = `live ${liveState}`;
  live.replaceChildren(
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { id: 'live-state' }, t(`ui.live_${liveState}`)),
    last ? h('span', { class: 'position' }, ` · ${t('ui.position')} `, h('span', { id: 'position' }, last.position)) : null);
}

function summary(d) {
  const org = d.organisationId ? d.organisationId : t('ui.allOrganisations');
  const months = d.months.length ? `${monthLabel(d.months[0])} – ${monthLabel(d.months[d.months.length - 1])}` : '';
  return section('summary', t('ui.summaryTitle', { jurisdiction: d.jurisdiction }),
    h('p', {}, `${org} · ${months}`),
    d.periods.length ? h('p', { class: 'hint' }, `${t('ui.periods')}: ${d.periods.map(periodLabel).join(', ')}`) : null,
    h('ul', { class: 'key' },
      h('li', {}, h('span', { class: 'swatch withheld-key', 'aria-hidden': 'true' }), t('ui.keyWithheld', { k: d.minCell, k1: d.minCell - 1 })),
      h('li', {}, h('span', { class: 'swatch hatched', 'aria-hidden': 'true' }), t('ui.keyProvisional', { month: monthLabel(d.currentMonth), k: d.minCell })),
      h('li', {}, h('span', { class: 'swatch sum-key', 'aria-hidden': 'true' }), t('ui.keySums'))));
}

function render() {
  renderLive();
  if (!last) return;
  const d = last;
  $('dashboard').replaceChildren(...[
    summary(d),
    funnel(d),
    trend(d),
    stageDurations(d, render),
    barriersOrNeeds(d, 'barriers', render),
    barriersOrNeeds(d, 'needs', render),
    openCases(d),
    d.survey ? renderSurvey(d) : null,
    allFigures(d),
  ].filter(Boolean));
}

// ---- CSV --------------------------------------------------------------------------

$('csv').addEventListener('click', async () => {
  clearError();
  if (!$('filter').reportValidity()) return;
  const f = readFilter();
  const p = new URLSearchParams({ ...f, lang: currentLang() });
  const name = `waymark-dashboard-${f.jurisdiction}${f.organisationId ? '-' + f.organisationId : ''}-${f.fromMonth}-${f.toMonth}-${currentLang()}.csv`;
  try {
    await download(token, `/dashboard.csv?${p}`, name);
  } catch (err) {
    showError(err);
  }
});

// ---- Language and start -----------------------------------------------------------

$('lang').addEventListener('change', async () => {
  await setLang($('lang').value);
  render();
  if (token && orgsOf) loadOrganisations(orgsOf); // the kinds in the list, translated
});

function start() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  orgsOf = '';
  load();
}

(async () => {
  const l = initialLang();
  $('lang').value = l;
  try {
    await setLang(l);
  } catch (err) {
    showError(err);
  }
  applyStatic(document);
  filterFromAddress();
  if (token) start();
  else showSignIn();
})();
