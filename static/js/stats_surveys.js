// stats_surveys.js - the patients' answers in the statistics view (issue
// 22): satisfaction after the appointment (response rate, the 1-5
// distribution and the mean) by mode, unit, clinician and month, the
// free-text comments without who wrote them (managers and admins; the
// server leaves them out for others), and the PROM follow-ups per unit and
// plan: response rate, and how many ended without a check-up against those
// that led to one.  GET /statistics/surveys and /statistics/prom; small
// counts come as "<5" for a manager and are shown as they come.
import { api, query, t, h, clear, explain, locale, fmtStamp } from './lib.js';

const GROUPS = ['mode', 'unit', 'clinician', 'month'];
const SCORES = ['1', '2', '3', '4', '5'];

const isNum = v => typeof v === 'number';
const count = v => (v === null || v === undefined ? '–' : String(v));
const pct = v => (isNum(v) ? new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(v) : '–');
const dec = v => (isNum(v) ? new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(v) : '–');

// A row's key in words: the mode, the month, or the unit's or clinician's
// name from names (the main statistics' rows; ids the caller does not know
// stay ids).
function keyName(group, row, names) {
  if (row.key === null || row.key === undefined) return t('survstats.unknown');
  const known = names[group] && names[group].get(String(row.key));
  if (known) return known;
  if (group === 'mode') return t(`mode.${row.key}`);
  if (group === 'month') {
    return new Intl.DateTimeFormat(locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' })
      .format(new Date(`${row.key}-15T12:00:00Z`));
  }
  return String(row.key);
}

function grid(id, caption, head, rows) {
  return h('table.stats', { id }, h('caption', {}, caption),
    h('thead', {}, h('tr', {}, head.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, c)))),
    h('tbody', {}, rows.map(r => h('tr', { class: r.cls || null },
      r.cells.map((c, i) => (i ? h('td.num', {}, c) : h('th', { scope: 'row' }, c)))))));
}

function satisfaction(group, answer, names) {
  const head = [t('survstats.col.key'), t('survstats.col.sent'), t('survstats.col.answered'), t('survstats.col.rate'),
    t('survstats.col.mean'), ...SCORES.map(s => t('survstats.score', s))];
  const line = (name, r, cls) => ({ cls, cells: [name, count(r.sent), count(r.answered), pct(r.response_rate), dec(r.mean),
    ...SCORES.map(s => count((r.distribution || {})[s]))] });
  const rows = answer.rows.map(r => line(keyName(group, r, names), r));
  if (answer.total) rows.push(line(t('survstats.total'), answer.total, 'total'));
  return h('section', {}, h('h3', {}, t(`survstats.by.${group}`)),
    grid(`survey-by-${group}`, `${t('survstats.satisfaction')}: ${t(`survstats.by.${group}`).toLowerCase()}`, head, rows));
}

function comments(list) {
  if (!list) return null;
  return h('section', { id: 'survey-comments' }, h('h3', {}, t('survstats.comments')),
    list.length ? h('ul.comments', {}, list.map(c => h('li', {},
      h('blockquote', {}, c.text), h('p.muted.small', {}, [fmtStamp(c.at), c.mode ? t(`mode.${c.mode}`) : ''].filter(Boolean).join(', ')))))
      : h('p.muted', {}, t('survstats.noComments')));
}

function prom(answer) {
  const head = [t('survstats.col.plan'), t('survstats.col.sent'), t('survstats.col.answered'), t('survstats.col.rate'),
    t('survstats.col.ended'), t('survstats.col.control')];
  const line = (name, r, cls) => ({ cls, cells: [name, count(r.sent), count(r.answered), pct(r.response_rate),
    count(r.ended_without_control), count(r.led_to_control)] });
  const rows = answer.rows.map(r => line(r.key ?? t('survstats.unknown'), r));
  if (answer.total) rows.push(line(t('survstats.total'), answer.total, 'total'));
  return answer.rows.length ? grid('survey-prom', t('survstats.prom'), head, rows) : h('p.muted', {}, t('survstats.none'));
}

// Fills box with the surveys' part of the statistics for q {from, to,
// unit_id, clinician_id}; names {unit, clinician}: Maps of id to name.
export async function showSurveyStats(box, q, names = {}) {
  clear(box, h('h2', { id: 'survey-stats-h' }, t('survstats.title')), h('p.muted', {}, t('app.loading')));
  try {
    const [groups, proms] = await Promise.all([
      Promise.all(GROUPS.map(g => api('GET', `/statistics/surveys${query({ ...q, group_by: g })}`))),
      api('GET', `/statistics/prom${query({ from: q.from, to: q.to, unit_id: q.unit_id })}`)]);
    const any = groups[0].rows.length > 0;
    clear(box, h('h2', { id: 'survey-stats-h' }, t('survstats.title')), h('p.muted', {}, t('survstats.intro')),
      h('section', { 'aria-labelledby': 'survey-sat-h' }, h('h3', { id: 'survey-sat-h' }, t('survstats.satisfaction')),
        any ? GROUPS.map((g, i) => satisfaction(g, groups[i], names)) : h('p.muted', {}, t('survstats.none')),
        comments(groups[0].comments)),
      h('section', { 'aria-labelledby': 'survey-prom-h' }, h('h3', { id: 'survey-prom-h' }, t('survstats.prom')), prom(proms)));
  } catch (x) {
    clear(box, h('h2', { id: 'survey-stats-h' }, t('survstats.title')), h('p.error', { role: 'alert' }, explain(x)));
  }
}
