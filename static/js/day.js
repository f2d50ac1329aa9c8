// day.js - the clinician's day: one list of their appointments, in order,
// with the patient's name and age, mode, status, room or video room and
// everyone else taking part.  The next appointment stands out and has the
// "Start video" button (the host's link); once an appointment has begun it
// can be marked completed (noting when a video consultation fell back to
// phone) or no-show.  The list refreshes itself every 30 s, when the tab
// comes back into view, and after any change, updating only the rows that
// changed so the clinician keeps their place and focus; changes are said
// to screen readers.  Print gives one A4 page.  The personal calendar feed
// is made, renewed and revoked from here.  Secretaries open any clinician's
// day (#/day/DATE?clinician=ID).
import {
  api, query, t, h, clear, dir, nowLocal, addDays, fmtDate, fmtSpan, timeOf, dateOf, explain,
  STATUS_MARK, toast, changed, openDialog, closeDialog, language, nowIso,
  dayPicker, fmtPhone,
} from './lib.js';
import { latestLine } from './survey_summary.js';

const POLL_MS = 30000;
let state = null;
let timer = null;
const onChanged = () => { if (state && document.getElementById('daylist')) refresh(); };
window.addEventListener('timebok:changed', onChanged);
document.addEventListener('visibilitychange', () => { if (!document.hidden) onChanged(); });

function href(over) {
  const s = { ...state, ...over };
  const who = s.me.role === 'clinician' ? '' : s.clinician;
  return `#/day/${s.date}${query({ clinician: who })}`;
}
const go = over => { location.hash = href(over); };

const key = s => s.slice(0, 16); // an instant to the minute, as nowIso()
const finished = a => ['cancelled', 'completed', 'no_show'].includes(a.status);
const begun = a => key(a.start) <= nowIso();

export function showDay(main, date, params, me) {
  clearInterval(timer);
  const clinician = me.role === 'clinician' ? String(me.clinician_id)
    : params.clinician || String(dir.clinicians[0]?.id || '');
  state = {
    me, clinician,
    date: /^\d{4}-\d{2}-\d{2}$/.test(date || '') ? date : nowLocal().date,
    rows: new Map(), first: true, list: [], seq: 0,
  };
  const list = h('ol.daylist', { id: 'daylist', 'aria-labelledby': 'day-title' });
  const status = h('p.day-status', { id: 'day-status' });
  const live = h('div.sr', { id: 'day-live', role: 'status', 'aria-live': 'polite' });
  clear(main, toolbar(), h('p.print-only.print-head', { id: 'print-head' }), status, live, list);
  if (!clinician) { clear(list, h('li.empty', {}, t('cal.noColumns'))); return; }
  refresh();
  timer = setInterval(() => { if (!document.hidden && !document.querySelector('dialog[open]')) refresh(); }, POLL_MS);
}

// The clinician's name: from the directory (staff), or from their own row
// among an appointment's participants (a clinician has no directory).
function ownerName() {
  const id = Number(state.clinician);
  if (dir.byId.clinician?.[id]) return dir.byId.clinician[id].name;
  for (const a of state.list) for (const p of a.participants || []) if (p.clinician_id === id) return p.name;
  return state.me.username;
}
function clinicianTitle() { return state.me.role === 'clinician' ? t('day.mine') : ownerName(); }

function toolbar() {
  const s = state;
  const dateIn = dayPicker('day-date', s.date, date => go({ date }));
  const staff = s.me.role !== 'clinician';
  const whoSel = staff ? h('select', { id: 'day-who', onchange: e => go({ clinician: e.target.value }) },
    dir.clinicians.map(c => h('option', { value: c.id, selected: String(c.id) === s.clinician }, c.name))) : null;
  return h('div.toolbar', { role: 'toolbar', 'aria-label': t('cal.tools') },
    h('h1', { id: 'day-title' }, `${clinicianTitle()}: ${fmtDate(s.date, 'long')}`),
    h('div.group', {},
      h('button', { type: 'button', onclick: () => go({ date: addDays(s.date, -1) }) },
        h('span', { 'aria-hidden': 'true' }, '‹ '), t('cal.prevDay')),
      h('button', { type: 'button', onclick: () => go({ date: nowLocal().date }) }, t('cal.today')),
      h('button', { type: 'button', onclick: () => go({ date: addDays(s.date, 1) }) },
        t('cal.nextDay'), h('span', { 'aria-hidden': 'true' }, ' ›')),
      h('label.inline', { for: 'day-date' }, t('cal.date')), dateIn),
    h('div.group', {},
      staff ? [h('label.inline', { for: 'day-who' }, t('cal.clinician')), whoSel] : null,
      h('button', { type: 'button', id: 'day-print', onclick: () => window.print() }, t('day.print')),
      h('button', { type: 'button', id: 'day-feed', onclick: openFeed }, t('day.feed'))));
}

// Load the day and bring the list up to date, row by row.
async function refresh() {
  const s = state;
  const list = document.getElementById('daylist');
  const status = document.getElementById('day-status');
  const seq = ++s.seq;
  let appts;
  try {
    appts = await api('GET', `/clinicians/${s.clinician}/day${query({ date: s.date })}`);
  } catch (x) {
    if (seq !== s.seq || !status?.isConnected) return; // the view moved on meanwhile
    status.textContent = explain(x);
    status.classList.add('error');
    return;
  }
  // the view moved on meanwhile, or a later refresh was asked for (its answer wins)
  if (s !== state || seq !== s.seq || !list?.isConnected) return;
  status.classList.remove('error');
  const now = nowIso();
  const next = s.date === dateOf(now) ? appts.find(a => !finished(a) && key(a.end) > now) : null;
  const said = [];
  const focused = document.activeElement?.closest?.('li.entry');
  const focusAction = document.activeElement?.dataset?.action;
  const seen = new Set();
  let before = null;
  for (const a of [...appts].reverse()) { // from the end, so each row goes before the one after it
    const sig = JSON.stringify([a, a.id === next?.id, begun(a)]);
    const old = s.rows.get(a.id);
    let li = old?.li;
    if (!old || old.sig !== sig) {
      li = entry(a, a.id === next?.id);
      if (old) {
        if (old.status !== a.status) said.push(t('day.nowStatus', timeOf(a.start), a.patient_name, t(`day.status.${a.status}`)));
        if (!s.first) li.classList.add('changed');
        old.li.replaceWith(li);
        if (focused === old.li) (li.querySelector(`[data-action="${focusAction}"]`) || li).focus();
      }
      s.rows.set(a.id, { li, sig, status: a.status });
    }
    if (li.parentNode !== list || li.nextSibling !== before) list.insertBefore(li, before);
    before = li;
    seen.add(a.id);
  }
  for (const [id, r] of s.rows) if (!seen.has(id)) { r.li.remove(); s.rows.delete(id); }
  let empty = list.querySelector('li.empty');
  if (!appts.length && !empty) list.append(empty = h('li.empty', {}, t('day.none')));
  else if (appts.length && empty) empty.remove();
  const live = appts.filter(a => a.status !== 'cancelled');
  status.textContent = [t('cal.summary', live.length, live.filter(a => a.mode === 'video').length),
    next ? (begun(next) ? `${t('day.ongoing')} ${fmtSpan(next)}` : t('day.nextAt', timeOf(next.start))) : '', t('day.updated', timeOf(now))].filter(Boolean).join(' · ');
  s.list = appts;
  document.getElementById('print-head').textContent =
    t('day.printHead', ownerName(), fmtDate(s.date, 'long'), timeOf(now));
  if (said.length) document.getElementById('day-live').textContent = said.join('. ');
  if (s.first && next) s.rows.get(next.id)?.li.scrollIntoView({ block: 'center' });
  s.first = false;
  if (!performance.getEntriesByName('timebok:day-list-drawn').length) performance.mark('timebok:day-list-drawn'); // the first list drawn (tests/bench/browser.mjs)
}

// The other people of a: "Dr. Eirik Holm · Dr. Fastlege (fastlege, Sentrum legekontor) – kommer".
function others(a) {
  const me = Number(state.clinician);
  const people = (a.participants || []).filter(p => p.clinician_id !== me); // clinicians first
  if (!people.length) return null;
  return h('ul.others', { 'aria-label': t('appt.guests') }, people.map(p => {
    const what = p.kind === 'external'
      ? [t(`guest.${p.role}`), p.interpreter_language, p.organisation].filter(Boolean).join(', ') : '';
    return h('li', {}, p.name, what ? ` (${what})` : '',
      p.kind === 'external' ? h('span.muted', {}, ` – ${t(`response.${p.response}`)}`) : null);
  }));
}

function place(a) {
  if (a.room) return `${a.room.name}${a.room.location ? `, ${a.room.location}` : ''}`;
  if (a.mode === 'video') return t('day.videoRoom');
  if (a.mode === 'phone') return t('day.byPhone');
  return '';
}

function entry(a, isNext) {
  const cls = ['entry', `mode-${a.mode}`, `status-${a.status}`, isNext ? 'next' : ''].filter(Boolean).join('.');
  const age = a.patient_age != null ? t('day.age', a.patient_age) : '';
  const head = h('h2.entry-head', { id: `day-${a.id}` },
    h('span.time', {}, fmtSpan(a)), ' ',
    h('span.name', {}, a.patient_name || t('appt.patient')), age ? h('span.age', {}, `, ${age}`) : null);
  const facts = h('p.facts-line', {},
    h(`span.pill.mode.mode-${a.mode}`, {}, t(`mode.${a.mode}`)), ' ',
    h(`span.pill.status-${a.status}`, {}, h('span', { 'aria-hidden': 'true' }, `${STATUS_MARK[a.status]} `), t(`day.status.${a.status}`)),
    a.status === 'completed' && a.held_mode && a.held_mode !== a.mode
      ? h('span.pill.held', {}, t('day.heldAs', t(`mode.${a.held_mode}`))) : null,
    place(a) ? h('span.place', {}, ` ${place(a)}`) : null);
  const li = h(`li.${cls}`, { dataset: { id: a.id }, tabindex: '-1', 'aria-labelledby': `day-${a.id}` },
    isNext ? h('p.next-flag', {}, t(begun(a) ? 'day.ongoing' : 'day.next')) : null,
    head, facts, others(a), latestLine(a),
    a.status === 'opted_out' ? h('p.attention.small', {}, t('day.optedOut')) : null,
    a.status_reason && a.status === 'cancelled' ? h('p.muted', {}, t('day.reason', a.status_reason)) : null,
    actions(a, isNext));
  return li;
}

function actions(a, isNext) {
  const box = h('div.actions.day-actions', { role: 'group', 'aria-label': t('day.actionsFor', timeOf(a.start)) });
  const url = a.video_host_url || a.video_url;
  if (a.mode === 'video' && url && ['booked', 'invited', 'confirmed'].includes(a.status)) {
    box.append(h(`a.button${isNext ? '.primary' : ''}`, {
      href: url, target: '_blank', rel: 'noopener noreferrer', dataset: { action: 'video' },
      'aria-describedby': `day-${a.id}`,
      // never invited: the patient has no link and will not come; say so first
      onclick: a.status === 'booked' ? e => { e.preventDefault(); notInvited(a, url); } : undefined,
    }, t('day.startVideo')));
  }
  if (a.mode === 'phone' && a.patient_phone) {
    box.append(h(`a.button${isNext ? '.primary' : ''}`, {
      href: `tel:${a.patient_phone}`, dataset: { action: 'call' }, 'aria-describedby': `day-${a.id}`,
    }, t('day.call', fmtPhone(a.patient_phone))));
  }
  const outcome = (body, said) => mark(a, body, said);
  if (['booked', 'invited', 'confirmed', 'opted_out'].includes(a.status) && begun(a)) {
    box.append(...[ // DOM append writes a null as the text "null"
      h('button', { type: 'button', dataset: { action: 'completed' }, 'aria-describedby': `day-${a.id}`,
        onclick: () => outcome({ status: 'completed' }, t('appt.markedCompleted')) }, t('appt.completed')),
      a.mode === 'video' ? h('button', { type: 'button', dataset: { action: 'phone' }, 'aria-describedby': `day-${a.id}`,
        onclick: () => outcome({ status: 'completed', held_mode: 'phone' }, t('day.markedPhone')) }, t('day.completedPhone')) : null,
      h('button', { type: 'button', dataset: { action: 'no_show' }, 'aria-describedby': `day-${a.id}`,
        onclick: () => outcome({ status: 'no_show' }, t('appt.markedNoShow')) }, t('appt.noShow'))].filter(Boolean));
  } else if (a.status === 'no_show' && dateOf(a.start) === nowLocal().date) {
    box.append(h('button.link', { type: 'button', dataset: { action: 'undo' }, 'aria-describedby': `day-${a.id}`,
      onclick: () => undoNoShow(a) }, t('day.undoNoShow')));
  }
  if (a.status === 'completed' && a.mode === 'video') {
    const phone = a.held_mode === 'phone';
    box.append(h('button.link', { type: 'button', dataset: { action: 'held' }, 'aria-describedby': `day-${a.id}`,
      onclick: () => outcome({ held_mode: phone ? 'video' : 'phone' }, phone ? t('day.markedVideo') : t('day.markedPhone')) },
    phone ? t('day.wasVideo') : t('day.wasPhone')));
  }
  return box.childNodes.length ? box : null;
}

// Start video for a patient never invited: they have no link, so they
// will not come unless told some other way.  The clinician may go on.
function notInvited(a, url) {
  const go = h('a.button.primary', { href: url, target: '_blank', rel: 'noopener noreferrer', id: 'day-video-anyway',
    onclick: () => closeDialog() }, t('day.startAnyway'));
  openDialog(t('day.notInvitedTitle'), h('div', {},
    h('p', {}, t('day.notInvited', a.patient_name || t('appt.patient'))),
    h('div.actions', {}, go,
      h('button', { type: 'button', onclick: () => closeDialog() }, t('app.cancel')))));
  go.focus();
}

// A no-show marked by mistake, undone the same day: back to the status it
// had before (the server takes no other), read from its history.
async function undoNoShow(a) {
  try {
    const hist = await api('GET', `/appointments/${a.id}/history`);
    const last = [...hist].reverse().find(x => x.changes?.status?.new === 'no_show');
    const was = last?.changes?.status?.old;
    if (!['booked', 'invited', 'confirmed'].includes(was)) throw new Error('no earlier status');
    await mark(a, { status: was }, t('day.noShowUndone', t(`day.status.${was}`)));
  } catch (x) {
    toast(x.status === 412 ? t('day.stale') : explain(x), 'bad');
    refresh();
  }
}

async function mark(a, body, said) {
  try {
    await api('PATCH', `/appointments/${a.id}`, body, { ifMatch: a.version });
    toast(said);
    changed();
  } catch (x) {
    toast(x.status === 412 ? t('day.stale') : explain(x), 'bad');
    refresh();
  }
}

// ---- the personal calendar feed ----

async function openFeed() {
  const path = `/clinicians/${state.clinician}/calendar-feed`;
  const body = h('div.feed', {}, h('p', {}, t('feed.intro')), h('p.muted', {}, t('feed.privacy')));
  const out = h('div', { id: 'feed-state' });
  body.append(out);
  openDialog(t('feed.title'), body);
  const show = (feed, url) => {
    const parts = [];
    if (url) {
      const input = h('input', { id: 'feed-url', readonly: true, value: url, size: 60 });
      parts.push(h('div.field', {}, h('label', { for: 'feed-url' }, t('feed.address')), input,
        h('span.hint', {}, t('feed.onlyNow'))),
      h('div.actions', {},
        h('button.primary', { type: 'button', onclick: async () => {
          input.select();
          try { await navigator.clipboard.writeText(url); toast(t('feed.copied')); } catch { document.execCommand?.('copy'); }
        } }, t('feed.copy')),
        h('a.button', { href: url.replace(/^https?:/, 'webcal:') }, t('feed.open'))));
    } else if (feed) {
      parts.push(h('p', {}, t('feed.exists', fmtDate(dateOf(feed.created_at), 'long'), feed.created_by)));
    } else {
      parts.push(h('p', {}, t('feed.none')));
    }
    parts.push(h('div.actions', {},
      h(`button${feed ? '' : '.primary'}`, { type: 'button', id: 'feed-make', onclick: make },
        feed ? t('feed.renew') : t('feed.make')),
      feed ? h('button.danger', { type: 'button', id: 'feed-revoke', onclick: revoke }, t('feed.revoke')) : null),
    feed ? h('p.hint', {}, t('feed.renewHint')) : null);
    clear(out, parts);
    (out.querySelector('#feed-url') || out.querySelector('button'))?.focus();
  };
  async function make() {
    try {
      const feed = await api('POST', path, { language: language() });
      show(feed, feed.url);
    } catch (x) { toast(explain(x), 'bad'); }
  }
  async function revoke() {
    try {
      await api('DELETE', path);
      toast(t('feed.revoked'));
      show(null);
    } catch (x) { toast(explain(x), 'bad'); }
  }
  try {
    show(await api('GET', path));
  } catch (x) {
    if (x.status === 404) show(null);
    else { closeDialog(); toast(explain(x), 'bad'); }
  }
}
