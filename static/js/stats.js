// stats.js - the statistics view (issue 21): how many consultations went by
// video against the unit's target, the trend month by month, breakdowns by
// clinician, type and age band (bands far below the unit's share marked),
// why patients asked to meet in person, no-shows by mode, and the rest of
// GET /statistics, with the CSV download.  Admins, secretaries and
// managers; a manager's small counts come as "<5" and are shown as such.
//
// The chart is plain SVG drawn here rather than Chart.js (libjs-chart.js):
// one bar chart with a target line is some sixty lines, needs no vendored
// file, no /usr/share/javascript alias in the server and no package
// dependency, obeys the CSP as it is, and is part of the page's DOM (a
// canvas is an opaque picture to a screen reader).  Every chart has its
// numbers in a table next to it.
import { api, query, t, h, clear, explain, nowLocal, addDays, locale, pad, dateInput, parseDay } from './lib.js';
import { showSurveyStats } from './stats_surveys.js';

const SVG = 'http://www.w3.org/2000/svg';
const REASONS = ['equipment', 'prefer_in_person', 'examination', 'language_hearing', 'other', 'not_given'];
const MODES = ['video', 'in_person', 'phone'];
const FAR_BELOW = 0.10; // an age band this far under the unit's share is marked

let seq = 0; // answers to an older choice are dropped

const isNum = v => typeof v === 'number';
const shown = v => (v === null || v === undefined ? t('stats.none') : String(v)); // counts, or "<5"
function pct(v) {
  return isNum(v) ? new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(v)
    : t('stats.none');
}
function dec(v) {
  return isNum(v) ? new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(v) : t('stats.none');
}
function monthName(key) {
  return new Intl.DateTimeFormat(locale(), { month: 'short', year: 'numeric', timeZone: 'UTC' })
    .format(new Date(`${key}-15T12:00:00Z`));
}
const sumHeld = r => MODES.reduce((n, m) => n + (isNum(r.held[m]) ? r.held[m] : 0), 0);

// The period: the last twelve months to today, unless the address says.
function period(params) {
  const today = nowLocal().date;
  const from = params.from || `${addDays(`${today.slice(0, 7)}-01`, -335).slice(0, 7)}-01`;
  return { from, to: params.to || today };
}

// The same length just before [from, to], for the trend.
function previous(from, to) {
  const days = Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86400e3);
  return { from: addDays(from, -days - 1), to: addDays(from, -1) };
}

function table(caption, head, rows, cls = '') {
  return h(`table.stats${cls}`, {}, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, c)))),
    h('tbody', {}, rows.map(r => h('tr', { class: r.cls || null },
      r.cells.map((c, i) => (i ? h('td.num', {}, c) : h('th', { scope: 'row' }, c)))))));
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

// Video share per month as bars, the target as a dashed line; the numbers
// also in a table (the chart's alternative).
function trendChart(rows, target) {
  const W = 760, H = 240, L = 44, B = 36, T = 12, n = Math.max(rows.length, 1);
  const bw = (W - L - 8) / n;
  const y = v => T + (H - T - B) * (1 - v);
  const g = svg('g', {});
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    g.append(svg('line', { x1: L, x2: W - 4, y1: y(v), y2: y(v), class: 'grid-line' }),
      svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis-label' }, `${v * 100} %`));
  }
  rows.forEach((r, i) => {
    const x = L + i * bw;
    if (isNum(r.video_share))
      g.append(svg('rect', { x: x + bw * 0.15, width: bw * 0.7, y: y(r.video_share), height: y(0) - y(r.video_share), class: 'bar' }));
    g.append(svg('text', { x: x + bw / 2, y: H - B + 16, 'text-anchor': 'middle', class: 'axis-label' },
      monthName(r.key).replace(/\.$/, '')));
  });
  if (isNum(target)) {
    g.append(svg('line', { x1: L, x2: W - 4, y1: y(target / 100), y2: y(target / 100), class: 'target-line' }),
      svg('text', { x: L + 6, y: y(target / 100) - 5, 'text-anchor': 'start', class: 'target-label' },
        `${t('stats.targetLine')} ${target} %`));
  }
  const last = [...rows].reverse().find(r => isNum(r.video_share));
  const label = t('stats.chartLabel', rows.length, last ? `${monthName(last.key)} ${pct(last.video_share)}` : t('stats.none'),
    isNum(target) ? dec(target) : null);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart', id: 'stats-chart' }, g);
  const alt = table(t('stats.trend'), [t('stats.month'), t('stats.videoShare'), t('stats.digitalShare'),
    t('stats.held'), t('stats.booked'), t('stats.targetLine')],
  rows.map(r => ({ cells: [monthName(r.key), pct(r.video_share), pct(r.digital_share), shown(sumHeldShown(r)),
    shown(sumBookedShown(r)), isNum(target) ? `${dec(target)} %` : t('stats.none')] })));
  alt.id = 'stats-trend-table';
  return h('figure.stats-chart', {}, h('figcaption', {}, h('h2', {}, t('stats.trend'))), chart,
    h('details', {}, h('summary', {}, t('stats.asTable')), alt));
}

// Held and booked in all: a sum, unless a part is withheld ("<5").
function sumShown(o) {
  return MODES.some(m => !isNum(o[m])) ? MODES.map(m => shown(o[m])).join(' + ') : MODES.reduce((n, m) => n + o[m], 0);
}
const sumHeldShown = r => sumShown(r.held);
const sumBookedShown = r => sumShown(r.booked);

// The trend: against the previous period when it has data, else the last
// three months with consultations against the three before them (asked
// of the API, which computes each share from exact numbers).
async function trendOf(cur, prev, ask) {
  const share = cur.total.video_share;
  if (isNum(share) && isNum(prev?.total.video_share)) return [share - prev.total.video_share, t('stats.sincePrevious')];
  const months = cur.rows.filter(r => sumHeld(r) > 0 || MODES.some(m => typeof r.held[m] === 'string')).map(r => r.key);
  if (months.length < 6) return [null, ''];
  const next = m => (m.slice(5) === '12' ? `${Number(m.slice(0, 4)) + 1}-01-01` : `${m.slice(0, 5)}${pad(Number(m.slice(5)) + 1)}-01`);
  const last = (m, to) => { const e = addDays(next(m), -1); return e < to ? e : to; };
  const [a, b] = await Promise.all([
    ask({ from: `${months.at(-6)}-01`, to: last(months.at(-4), cur.to), group_by: 'month' }),
    ask({ from: `${months.at(-3)}-01`, to: last(months.at(-1), cur.to), group_by: 'month' })]);
  return isNum(a.total.video_share) && isNum(b.total.video_share)
    ? [b.total.video_share - a.total.video_share, t('stats.sinceMonths')] : [null, ''];
}

function headline(cur, [change, since], target) {
  const share = cur.total.video_share;
  let trend = t('stats.noTrend'), arrow = '';
  if (isNum(change)) {
    const d = Math.round(change * 1000) / 10;
    trend = d > 0 ? t('stats.trendUp', dec(d), since) : d < 0 ? t('stats.trendDown', dec(-d), since) : t('stats.trendSame', since);
    arrow = d > 0 ? '▲ ' : d < 0 ? '▼ ' : '■ ';
  }
  const met = isNum(share) && isNum(target) ? share * 100 >= target : null;
  return h('section.stats-headline', { 'aria-labelledby': 'stats-headline' },
    h('h2', { id: 'stats-headline' }, t('stats.headline')),
    h('p.big', { id: 'stats-share' }, pct(share)),
    h('p', {}, `${t('stats.heldOf', shown(sumHeldShown(cur.total)))} · ${t('stats.digital', pct(cur.total.digital_share))}`),
    h('p', { id: 'stats-target' }, isNum(target) ? t('stats.target', dec(target)) : t('stats.noTarget'),
      met === null ? null : h(met ? 'strong.met' : 'strong.not-met', {}, ` ${met ? '✓' : '✕'} ${t(met ? 'stats.met' : 'stats.notMet')}`)),
    h('p', { id: 'stats-trend' }, arrow, trend));
}

function breakdown(id, caption, rows, keyName, unitShare) {
  const body = rows.filter(r => sumHeld(r) || MODES.some(m => r.booked[m])).map(r => {
    const far = unitShare !== undefined && isNum(r.video_share) && isNum(unitShare) && r.video_share < unitShare - FAR_BELOW;
    return {
      cls: far ? 'far-below' : '',
      cells: [far ? h('span', {}, keyName(r), ' ', h('span.flag', {}, `⚠ ${t('stats.farBelow')}`)) : keyName(r),
        pct(r.video_share), pct(r.digital_share), shown(sumHeldShown(r)), shown(r.opted_out.count),
        MODES.map(m => shown(r.no_show[m])).join(' / ')],
    };
  });
  const tbl = table(caption, [keyName === ageName ? t('stats.age') : t('stats.name'), t('stats.videoShare'),
    t('stats.digitalShare'), t('stats.held'), t('stats.optedOut'), `${t('stats.noShows')} (${MODES.map(m => t(`stats.${m}`)).join(' / ')})`], body);
  tbl.id = id;
  return tbl;
}
const ageName = r => (r.key === 'unknown' ? t('stats.unknownAge') : r.key);
const named = r => r.name || t('stats.noName');

function reasons(total) {
  const tbl = table(t('stats.reasons'), [t('stats.reason'), t('stats.count')],
    REASONS.map(k => ({ cells: [t(`stats.reason_${k}`), shown(total.opted_out.reasons[k])] })));
  tbl.id = 'stats-reasons';
  return tbl;
}

function noShows(total) {
  const tbl = table(t('stats.noShows'), [t('stats.mode'), t('stats.count')],
    MODES.map(m => ({ cells: [t(`stats.${m}`), shown(total.no_show[m])] })));
  tbl.id = 'stats-no-shows';
  return tbl;
}

function more(cur) {
  const x = cur.total, tr = x.travel_avoided;
  const rows = [
    [t('stats.phoneFallback'), shown(x.phone_fallback)],
    [t('stats.cancelledPatient'), shown(x.cancelled_by_patient)],
    [t('stats.cancelledClinic'), shown(x.cancelled_by_clinic)],
    [t('stats.late'), shown(x.late_cancellations)],
    [t('stats.invSent'), shown(x.invitations.sent)],
    [t('stats.invAnswered'), shown(x.invitations.answered)],
    [t('stats.invMedian'), dec(x.invitations.median_hours_to_answer)],
    [t('stats.roomHours'), dec(x.room_hours_freed)],
    [t('stats.travel'), t('stats.travelText', dec(tr.km), dec(tr.hours), dec(tr.co2_kg))],
    [t('stats.waiting'), shown(x.waiting.patients)],
    [t('stats.waitingMedian'), dec(x.waiting.median_days)],
  ];
  const tbl = table(t('stats.more'), ['', t('stats.count')], rows.map(cells => ({ cells })));
  tbl.id = 'stats-more';
  return h('div', {}, tbl, h('p.muted', {}, t('stats.travelBasis', cur.travel_basis.g_co2_per_km)));
}

function picker(id, label, all, items, selected) {
  return h('div.group', {}, h('label.inline', { for: id }, label),
    h('select', { id }, h('option', { value: '' }, all),
      items.map(r => h('option', { value: r.key, selected: String(r.key) === String(selected || '') }, named(r)))));
}

async function download(q) {
  const r = await fetch(`/api/v1/statistics${query({ ...q, group_by: 'month', format: 'csv' })}`,
    { credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const url = URL.createObjectURL(await r.blob());
  const a = h('a', { href: url, download: `timebok-statistikk-${q.from}-${q.to}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function showStats(main, params) {
  const mine = ++seq;
  const { from, to } = period(params);
  const q = { from, to, unit_id: params.unit, clinician_id: params.clinician, type_id: params.type };
  const box = h('div', { id: 'stats', 'aria-live': 'polite' }, h('p.muted', {}, t('app.loading')));
  const problem = h('p.error', { role: 'alert' });
  clear(main, h('h1', {}, t('stats.title')), h('p.muted', {}, t('stats.intro')), problem, box);
  try {
    const ask = extra => api('GET', `/statistics${query({ ...q, ...extra })}`);
    const prev = previous(from, to);
    const [cur, before, units, clinicians, types, ages] = await Promise.all([
      ask({ group_by: 'month' }), ask({ ...prev, group_by: 'month' }).catch(() => null),
      api('GET', `/statistics${query({ from, to, group_by: 'unit' })}`),
      ask({ group_by: 'clinician' }), ask({ group_by: 'type' }), ask({ group_by: 'age_band' })]);
    const trend = await trendOf(cur, before, ask).catch(() => [null, '']);
    if (mine !== seq) return;
    const target = cur.target_percent;
    const go = () => {
      const v = id => document.getElementById(id).value;
      const day = id => parseDay(v(id)) || v(id); // dd.mm.åååå as typed; the server says what is wrong
      location.hash = `#/stats${query({ from: day('s-from'), to: day('s-to'), unit: v('s-unit'), clinician: v('s-clinician'), type: v('s-type') })}`;
    };
    const form = h('form.toolbar.stats-tools', { onsubmit: e => { e.preventDefault(); go(); } },
      h('div.group', {}, h('label.inline', { for: 's-from' }, t('stats.from')), Object.assign(dateInput(from), { id: 's-from', required: true })),
      h('div.group', {}, h('label.inline', { for: 's-to' }, t('stats.to')), Object.assign(dateInput(to), { id: 's-to', required: true })),
      picker('s-unit', t('stats.unit'), t('stats.allUnits'), units.rows, params.unit),
      picker('s-clinician', t('stats.clinician'), t('stats.allClinicians'), clinicians.rows, params.clinician),
      picker('s-type', t('stats.type'), t('stats.allTypes'), types.rows.filter(r => r.key !== null), params.type),
      h('button.primary', { type: 'submit' }, t('stats.show')),
      h('button', { type: 'button', id: 's-csv', onclick: () => download(q).catch(x => { problem.textContent = explain(x); }) }, t('stats.csv')));
    const surveys = h('section.stats-surveys', { id: 'stats-surveys', 'aria-labelledby': 'survey-stats-h' });
    const small = cur.small_counts ? h('p.muted', { id: 'stats-small' }, t('stats.small')) : null;
    clear(box, form,
      h('div.stats-top', {}, headline(cur, trend, target), trendChart(cur.rows, target)),
      small,
      h('section', { 'aria-labelledby': 'stats-breakdowns' }, h('h2', { id: 'stats-breakdowns' }, t('stats.byClinician')),
        breakdown('stats-by-clinician', t('stats.byClinician'), clinicians.rows, named)),
      h('section', {}, h('h2', {}, t('stats.byType')), breakdown('stats-by-type', t('stats.byType'), types.rows, named)),
      h('section', {}, h('h2', {}, t('stats.byAge')), h('p.muted', {}, t('stats.equityHint')),
        breakdown('stats-by-age', t('stats.byAge'), ages.rows, ageName, ages.total.video_share)),
      h('div.stats-pair', {}, h('section', {}, h('h2', {}, t('stats.reasons')), reasons(cur.total)),
        h('section', {}, h('h2', {}, t('stats.noShows')), noShows(cur.total))),
      h('section', {}, h('h2', {}, t('stats.more')), more(cur)),
      surveys);
    const names = rows => new Map(rows.map(r => [String(r.key), r.name]));
    showSurveyStats(surveys, { from, to, unit_id: params.unit, clinician_id: params.clinician },
      { unit: names(units.rows), clinician: names(clinicians.rows) });
  } catch (x) {
    if (mine === seq) clear(box, h('p.error', { role: 'alert' }, explain(x)));
  }
}
