// calendar.js - the secretary's calendar: a day with one column per
// clinician (or room) of a unit, or a week of one clinician (or room);
// appointments drawn at their times, coloured by mode and marked by status
// in words and a symbol (never colour alone); a line for "now".  A click on
// an empty place books there; every appointment is a button that opens it.
// The view refreshes every minute without moving the page; a refresh the
// server answers 304 (nothing changed) redraws nothing but the line for
// now.  Each
// clinician's column links to their day list (day.js), which is also all a
// clinician sees.  A day is read from the board (GET /appointments/board:
// each appointment with only what a block draws); a week from the list.
// The booking form and the appointment (book.js, appt.js and what they
// import) are fetched once the first day is drawn, not before it.
import {
  api, query, t, h, clear, dir, nowLocal, addDays, monday, fmtDate, dateOf, minutesOf, hhmm,
  fmtSpan, clinicianName, roomName, explain, STATUS_MARK,
  dayPicker, findAgain, unchanged, toast,
} from './lib.js';

const forms = () => Promise.all([import('./book.js'), import('./appt.js')]);
const openBooking = p => forms().then(([m]) => m.openBooking(p), x => toast(explain(x), 'bad'));
const openAppointment = id => forms().then(([, m]) => m.openAppointment(id), x => toast(explain(x), 'bad'));

const PX = 1.2;           // pixels per minute
const DAY_FROM = 7 * 60;  // the grid's default hours
const DAY_TO = 18 * 60;

let timer = null;
let state = null;
let reload = null; // the shown calendar's refresh, after any change (lib.js changed())
window.addEventListener('timebok:changed', () => { if (reload && document.getElementById('board')) reload(); });

function href(over) {
  const s = { ...state, ...over };
  const q = query({ unit: s.unit, by: s.by === 'room' ? 'room' : '', who: s.view === 'week' ? s.who : '',
    cancelled: s.cancelled ? '1' : '' });
  return `#/calendar/${s.view}/${s.date}${q}`;
}

function go(over) { location.hash = href(over); }

// The columns a day shows: the unit's clinicians or rooms.
function resources(s) {
  const list = s.by === 'room' ? dir.rooms : dir.clinicians;
  return list.filter(r => !s.unit || String(r.unit_id) === String(s.unit));
}

export function showCalendar(main, view, date, params, me) {
  clearInterval(timer);
  const today = nowLocal().date;
  state = {
    view: view === 'week' ? 'week' : 'day',
    date: /^\d{4}-\d{2}-\d{2}$/.test(date || '') ? date : today,
    unit: params.unit || '', by: params.by === 'room' ? 'room' : 'clinician',
    who: params.who || '', cancelled: params.cancelled === '1', me,
  };
  if (state.view === 'week' && !state.who) state.who = String(resources(state)[0]?.id || '');
  const board = h('div.board', { id: 'board' });
  clear(main, toolbar(), legend(), board);
  const load = poll => draw(board, poll).catch(x => { clear(board, h('p.error', { role: 'alert' }, explain(x))); });
  load();
  timer = setInterval(() => { if (!document.querySelector('dialog[open]')) load(true); }, 60000);
  reload = load;
}

function toolbar() {
  const s = state;
  const step = s.view === 'week' ? 7 : 1;
  const title = s.view === 'week'
    ? t('cal.weekOf', fmtDate(monday(s.date), 'day'), fmtDate(addDays(monday(s.date), 6), 'day'),
      s.by === 'room' ? roomName(s.who) : clinicianName(s.who))
    : fmtDate(s.date, 'long');
  const unitSel = h('select', { id: 'cal-unit', onchange: e => go({ unit: e.target.value, who: '' }) },
    h('option', { value: '' }, t('cal.allUnits')),
    dir.units.map(u => h('option', { value: u.id, selected: String(u.id) === s.unit }, u.name)));
  const bySel = h('select', { id: 'cal-by', onchange: e => go({ by: e.target.value, who: '' }) },
    h('option', { value: 'clinician', selected: s.by === 'clinician' }, t('cal.byClinician')),
    h('option', { value: 'room', selected: s.by === 'room' }, t('cal.byRoom')));
  const whoSel = h('select', { id: 'cal-who', onchange: e => go({ who: e.target.value }) },
    resources(s).map(r => h('option', { value: r.id, selected: String(r.id) === s.who }, r.name)));
  const dateIn = dayPicker('cal-date', s.date, date => go({ date }));
  return h('div.toolbar', { role: 'toolbar', 'aria-label': t('cal.tools') },
    h('h1', { id: 'cal-title' }, title),
    h('div.group', {},
      h('button', { type: 'button', onclick: () => go({ date: addDays(s.date, -step) }) },
        h('span', { 'aria-hidden': 'true' }, '‹ '), s.view === 'week' ? t('cal.prevWeek') : t('cal.prevDay')),
      h('button', { type: 'button', onclick: () => go({ date: nowLocal().date }) }, t('cal.today')),
      h('button', { type: 'button', onclick: () => go({ date: addDays(s.date, step) }) },
        s.view === 'week' ? t('cal.nextWeek') : t('cal.nextDay'), h('span', { 'aria-hidden': 'true' }, ' ›')),
      h('label.inline', { for: 'cal-date' }, t('cal.date')), dateIn),
    h('div.group', {},
      h('span.seg', { role: 'group', 'aria-label': t('cal.view') },
        h('button', { type: 'button', 'aria-pressed': String(s.view === 'day'), onclick: () => go({ view: 'day' }) }, t('cal.day')),
        h('button', { type: 'button', 'aria-pressed': String(s.view === 'week'), onclick: () => go({ view: 'week' }) }, t('cal.week'))),
      h('label.inline', { for: 'cal-unit' }, t('cal.unit')), unitSel,
      h('label.inline', { for: 'cal-by' }, t('cal.columns')), bySel,
      s.view === 'week' ? [h('label.inline', { for: 'cal-who' }, s.by === 'room' ? t('cal.room') : t('cal.clinician')), whoSel] : null,
      h('label.inline.check', {}, h('input', { type: 'checkbox', checked: s.cancelled,
        onchange: e => go({ cancelled: e.target.checked }) }), t('cal.showCancelled')),
      h('button.primary', { type: 'button', id: 'new-booking', onclick: () => openBooking(prefill()) }, t('cal.book'))));
}

function prefill(extra = {}) {
  const s = state;
  const p = { date: s.date, ...extra };
  if (!p.clinician_ids) {
    if (s.view === 'week' && s.by === 'clinician' && s.who) p.clinician_ids = [Number(s.who)];
  }
  if (s.unit) p.unit = s.unit;
  return p;
}

function legend() {
  const modes = ['video', 'in_person', 'phone'];
  const statuses = ['booked', 'invited', 'confirmed', 'opted_out', 'cancelled', 'completed', 'no_show'];
  return h('details.legend', {}, h('summary', {}, t('cal.legend')),
    h('ul', {}, modes.map(m => h(`li.appt.mode-${m}`, {}, t(`mode.${m}`))),
      statuses.map(st => h(`li.status-${st}`, {}, h('span.mark', { 'aria-hidden': 'true' }, STATUS_MARK[st]), ' ', t(`status.${st}`)))));
}

// A poll that found nothing new: the line for now moves, nothing else is
// drawn again (false when the board must be drawn: another day began, or
// now left the hours the grid shows).
function moveNow(board) {
  const from = Number(board.dataset.from), to = Number(board.dataset.to), now = nowLocal();
  if (!board.querySelector('.grid') || now.date !== board.dataset.today || now.minute < from || now.minute >= to) return false;
  for (const line of board.querySelectorAll('.now')) {
    line.style.top = `${(now.minute - from) * PX}px`;
    line.title = t('cal.now', hhmm(now.minute));
  }
  return true;
}

async function draw(board, poll = false) {
  const s = state;
  const started = performance.now();
  said.clear();
  let columns, appts;
  if (s.view === 'day') {
    columns = resources(s).map(r => ({ key: r.id, title: r.name, sub: s.by === 'room' ? r.location || '' : r.profession,
      date: s.date, weekHref: href({ view: 'week', who: String(r.id) }),
      dayHref: s.by === 'room' ? null : `#/day/${s.date}?clinician=${r.id}`,
      absenceHref: s.by === 'room' ? null : `#/absence?clinician=${r.id}&date=${s.date}` }));
    // the board: the day's appointments with only what a block draws
    appts = await api('GET', `/appointments/board${query({ date: s.date,
      unit_id: s.by === 'clinician' ? s.unit : '' })}`);
  } else {
    const from = monday(s.date);
    columns = [...Array(7).keys()].map(i => {
      const d = addDays(from, i);
      return { key: d, title: fmtDate(d, 'short'), sub: '', date: d, today: d === nowLocal().date };
    });
    appts = s.who ? await api('GET', `/appointments${query({ from, to: addDays(from, 6), limit: 5000,
      [s.by === 'room' ? 'room_id' : 'clinician_id']: s.who })}`) : [];
  }
  if (poll && unchanged(appts) && moveNow(board)) return;
  if (!s.cancelled) appts = appts.filter(a => a.status !== 'cancelled');
  const place = a => (s.view === 'week' ? [dateOf(a.start)]
    : s.by === 'room' ? (a.room_id ? [a.room_id] : []) : a.clinician_ids);
  const byCol = new Map(columns.map(c => [String(c.key), []]));
  for (const a of appts) for (const k of place(a)) byCol.get(String(k))?.push(a);
  let from = DAY_FROM, to = DAY_TO;
  for (const a of appts) {
    if (dateOf(a.start) === dateOf(a.end) || s.view === 'week') {
      from = Math.min(from, Math.floor(minutesOf(a.start) / 60) * 60);
      to = Math.max(to, Math.ceil((dateOf(a.end) === dateOf(a.start) ? minutesOf(a.end) : 1440) / 60) * 60);
    }
  }
  const now = nowLocal();
  if (columns.some(c => c.date === now.date)) { // the line for now is always in view
    from = Math.min(from, Math.floor(now.minute / 60) * 60);
    to = Math.max(to, Math.min(1440, Math.floor(now.minute / 60) * 60 + 60));
  }
  const grid = h('div.grid', { role: 'region', 'aria-label': t('cal.grid'), tabindex: '0' });
  grid.style.setProperty('--cols', String(Math.max(columns.length, 1)));
  grid.style.setProperty('--height', `${(to - from) * PX}px`);
  const head = h('div.grid-head', {}, h('div.corner', {}, h('span.sr', {}, t('cal.time'))),
    columns.map(c => h('div.col-head', { class: c.today ? 'col-head today' : 'col-head' },
      c.weekHref ? h('a', { href: c.weekHref, title: t('cal.openWeek', c.title) }, c.title) : h('span', {}, c.title),
      c.sub ? h('span.sub', {}, c.sub) : null,
      c.dayHref ? h('a.sub', { href: c.dayHref, 'aria-label': t('cal.openDay', c.title) }, t('cal.dayList')) : null,
      c.absenceHref ? h('a.sub', { href: c.absenceHref, 'aria-label': t('absence.of', c.title) }, t('absence.menu')) : null,
      h('span.count', {}, t('cal.nAppts', (byCol.get(String(c.key)) || []).filter(a => a.status !== 'cancelled').length)))));
  const axis = h('div.axis', { 'aria-hidden': 'true' });
  for (let m = from; m < to; m += 60) {
    const tick = h('div.tick', {}, hhmm(m));
    tick.style.top = `${(m - from) * PX}px`;
    axis.append(tick);
  }
  const cols = columns.map(c => column(c, byCol.get(String(c.key)) || [], from, to, now));
  grid.append(head, h('div.grid-body', {}, axis, cols));
  if (!columns.length) grid.append(h('p.empty', {}, t('cal.noColumns')));
  const summary = h('p.summary', { id: 'cal-summary' }, t('cal.summary', appts.filter(a => a.status !== 'cancelled').length,
    appts.filter(a => a.mode === 'video' && a.status !== 'cancelled').length));
  const keep = board.querySelector('.grid');
  const scroll = keep ? [keep.scrollLeft, keep.scrollTop] : null;
  // the keyboard user's place: a block focused before the redraw is focused after it
  const focused = board.contains(document.activeElement) ? findAgain(document.activeElement) : null;
  clear(board, summary, grid);
  if (scroll) [grid.scrollLeft, grid.scrollTop] = scroll;
  if (focused && !document.querySelector('dialog[open]')) focused()?.focus({ preventScroll: true });
  board.dataset.rendered = String(Math.round(performance.now() - started));
  if (s.view === 'day' && !performance.getEntriesByName('timebok:unit-day-drawn').length) performance.mark('timebok:unit-day-drawn'); // the first unit day drawn (tests/bench/browser.mjs)
  setTimeout(() => forms().catch(() => {}), 0); // ready before the first click (a no-op once loaded)
  Object.assign(board.dataset, { from: String(from), to: String(to), today: now.date });
}

function column(c, list, from, to, now) {
  const col = h('div.col', { dataset: { key: c.key, date: c.date } });
  for (let m = from; m < to; m += 30) {
    const line = h('div', { class: m % 60 ? 'half' : 'hour' });
    line.style.top = `${(m - from) * PX}px`;
    col.append(line);
  }
  // one listener a column, for its blocks too (not one a block)
  col.addEventListener('click', e => {
    const appt = e.target.closest('button.appt');
    if (appt) { openAppointment(Number(appt.dataset.id)); return; }
    if (e.target !== col && !e.target.matches('.hour,.half')) return;
    const y = e.clientY - col.getBoundingClientRect().top;
    const minute = Math.max(from, Math.min(to - 15, from + Math.floor(y / PX / 15) * 15));
    const extra = { date: c.date, time: hhmm(minute) };
    if (state.view === 'day') {
      if (state.by === 'room') extra.room_id = c.key; else extra.clinician_ids = [c.key];
    } else if (state.by === 'room') extra.room_id = Number(state.who);
    openBooking(prefill(extra));
  });
  // lanes for overlapping appointments
  const sorted = [...list].sort((a, b) => a.start.localeCompare(b.start) || a.end.localeCompare(b.end));
  let cluster = [], clusterEnd = '';
  const flush = () => {
    const lanes = [];
    for (const a of cluster) {
      let i = lanes.findIndex(end => end <= a.start);
      if (i < 0) { i = lanes.length; lanes.push(''); }
      lanes[i] = a.end;
      a._lane = i;
    }
    for (const a of cluster) col.append(block(a, a._lane, lanes.length, from, c.date));
    cluster = [];
  };
  for (const a of sorted) {
    if (cluster.length && a.start >= clusterEnd) flush();
    cluster.push(a);
    clusterEnd = cluster.length === 1 || a.end > clusterEnd ? a.end : clusterEnd;
  }
  flush();
  if (c.date === now.date && now.minute >= from && now.minute < to) {
    const line = h('div.now', { title: t('cal.now', hhmm(now.minute)) });
    line.style.top = `${(now.minute - from) * PX}px`;
    col.append(line);
  }
  return col;
}

// A block's elements, made once and cloned for each appointment: built
// with h() one by one, a unit day's thousand blocks cost a cold load
// 50-100 ms more.
let shape = null;
// The texts the blocks repeat (a mode's, a status's), looked up once a
// draw (draw() forgets them: the language may have changed).
const said = new Map();
const once = (key, look) => {
  let v = said.get(key);
  if (v === undefined) { v = look(); said.set(key, v); }
  return v;
};

function block(a, lane, lanes, from, date) {
  const startMin = dateOf(a.start) === date ? minutesOf(a.start) : 0;
  const endMin = dateOf(a.end) === date ? minutesOf(a.end) : 1440;
  const who = a.clinician_ids.map(clinicianName).join(', ');
  const span = fmtSpan(a);
  // The accessible name begins with the visible text (WCAG 2.5.3), then the rest.
  const rest = [t('cal.until', span.slice(6)), once(`m${a.mode}`, () => t(`mode.${a.mode}`)),
    once(`s${a.status}`, () => t(`status.${a.status}`)), who,
    a.room_id ? roomName(a.room_id) : ''].filter(Boolean).join(', ');
  // its texts are the clone's own text nodes, set in place
  shape ||= h('button.appt', { type: 'button' },
    h('span.line', {}, h('span.mark', { 'aria-hidden': 'true' }, '-'), h('span.t', {}, '-'), ' ', h('span.p', {}, '-')),
    h('span.sr', {}, '-'));
  const b = shape.cloneNode(true);
  b.className = `appt mode-${a.mode} status-${a.status}`;
  b.title = `${span} ${a.patient_name || ''}, ${rest}`;
  b.setAttribute('data-id', a.id); // its click is the column's (column())
  const line = b.firstChild, sr = line.nextSibling;
  const mark = line.firstChild, time = mark.nextSibling, name = line.lastChild;
  mark.firstChild.data = STATUS_MARK[a.status] ?? '';
  time.firstChild.data = span.slice(0, 5);
  name.firstChild.data = a.patient_name || once('patient', () => t('appt.patient'));
  sr.firstChild.data = `, ${rest}`;
  if (a.status === 'opted_out') b.append(h('span.flag', { 'aria-hidden': 'true' }, t('status.opted_out')));
  // one declaration block to parse, not properties one by one; a block
  // alone in its time has app.css's left and width (.col > .appt)
  b.style.cssText = `top: ${(startMin - from) * PX}px; height: ${Math.max((endMin - startMin) * PX - 2, 18)}px;${
    lanes > 1 ? ` left: ${(lane / lanes) * 100}%; width: calc(${100 / lanes}% - 3px);` : ''}`;
  return b;
}
