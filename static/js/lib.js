// lib.js - what the staff app's views share: the JSON API client (session
// cookie, CSRF header on every change, the contract's error shape, said at
// the field in the user's language), the texts, times in the clinic's zone
// (typed and shown the Norwegian way), and a small DOM builder.  No framework, no build step, nothing from another site.
import nb from './texts_nb.js';
import { takeEarly, dropEarly, LOCALE } from './early.js';

// ---- the API ----

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http';
    this.field = e.field || null;
    this.body = body;
  }
}

let csrf = '';
let onUnauthenticated = () => {};
let logInAgain = () => undefined;

export function setCsrf(token) { csrf = token || ''; }
export function whenLoggedOut(fn) { onUnauthenticated = fn; }
// fn() -> a promise of the new session (null: the user would not), or
// undefined when there is no one to ask (not logged in yet).
export function whenSessionExpired(fn) { logInAgain = fn; }

// One request; the parsed body, or throws ApiError.  opts.ifMatch sends
// If-Match.  A 401 on anything but the login: a session that ran out asks
// the user to log in again in place (relogin.js) and repeats the request
// once, so a form being saved keeps what was typed; with no session to
// renew, it hands over to the login view.  The last answer of each GET is
// kept with its ETag, so a poll that finds nothing new is a 304 with no body
// (the server tags every GET answer).  A GET that early.js asked for at
// the page's load takes that answer instead of asking again; any change
// (or a login) forgets the rest.
const seen = new Map();
const SEEN_MAX = 64;
const notModified = new WeakSet(); // answers rebuilt from a 304
// Whether json (an answer of api()) is the last one again: the server said
// 304, nothing changed, and a view may keep what it drew.
export const unchanged = json => json !== null && typeof json === 'object' && notModified.has(json);

export async function api(method, path, body, opts = {}) {
  const headers = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.ifMatch) headers['If-Match'] = `"${opts.ifMatch}"`;
  const last = method === 'GET' ? seen.get(path) : undefined;
  if (last) headers['If-None-Match'] = last.etag;
  if (method !== 'GET') dropEarly();
  const early = method === 'GET' && !last ? await takeEarly(path) : undefined;
  const r = early ? early.response : await fetch(`/api/v1${path}`, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (r.status === 304 && last) {
    const again = JSON.parse(last.text);
    if (again !== null && typeof again === 'object') notModified.add(again);
    return again;
  }
  const text = await (early ? early.text : r.text());
  const etag = r.headers.get('ETag');
  if (method === 'GET' && r.ok && etag && text) {
    seen.delete(path);
    if (seen.size >= SEEN_MAX) seen.delete(seen.keys().next().value);
    seen.set(path, { etag, text });
  }
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (path === '/session' || r.status === 401) seen.clear(); // another person may log in next
  if (r.status === 401 && path !== '/session') {
    const again = opts.retried ? undefined : await logInAgain();
    if (again) return api(method, path, body, { ...opts, retried: true });
    if (again === undefined) onUnauthenticated();
  }
  if (!r.ok) throw new ApiError(r.status, json);
  return json;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Each status has a symbol beside its word, so colour is never the only sign.
export const STATUS_MARK = {
  booked: '○', invited: '✉', confirmed: '✓', opted_out: '⚠', cancelled: '✕', completed: '●', no_show: '⊘',
};

// ---- texts ----

export const LANGS = { nb: 'Norsk bokmål', nn: 'Norsk nynorsk', en: 'English' };
// Each language is a module of its own (texts_nb.js, texts_nn.js,
// texts_en.js): bokmål comes with the app (the default, and the fall-back
// of a key missing elsewhere), another language is imported when first
// shown (early.js has asked for the stored one already), so a page loads
// the texts of one language, not of three.
export const TEXTS = { nb };
const importing = {};
// A promise of language l's texts (bokmål's when l is none of LANGS).
export function loadLanguage(l) {
  if (!(l in LANGS)) l = 'nb';
  if (TEXTS[l]) return Promise.resolve(TEXTS[l]);
  importing[l] ||= import(`./texts_${l}.js`).then(m => (TEXTS[l] = m.default))
    .finally(() => { delete importing[l]; });
  return importing[l];
}
let lang = 'nb';
const stored = localStorage.getItem('timebok.lang');
if (stored in LANGS && stored !== 'nb') {
  // before any view draws (a module that fails to arrive leaves bokmål)
  try { await loadLanguage(stored); lang = stored; } catch { /* bokmål */ }
}

export function language() { return lang; }
// Show language l from now on, once its texts have arrived (a promise).
// (at once when they are here already).
export function setLanguage(l) {
  const want = l in LANGS ? l : 'nb';
  const use = () => {
    lang = want;
    localStorage.setItem('timebok.lang', lang);
    document.documentElement.lang = lang;
  };
  if (!TEXTS[want]) return loadLanguage(want).then(use);
  use();
  return Promise.resolve();
}

// The text under a dotted key; a function is called with args.
export function t(key, ...args) {
  let v = key.split('.').reduce((o, k) => (o == null ? o : o[k]), TEXTS[lang]);
  if (v == null) v = key.split('.').reduce((o, k) => (o == null ? o : o[k]), TEXTS.nb);
  if (typeof v === 'function') return v(...args);
  return v == null ? key : v;
}

// ---- times in the clinic's zone ----
//
// The API answers instants in the clinic's zone with their offset
// ("2026-11-24T09:30:00+01:00"), so the wall clock is read off the string;
// Intl is needed only for names and for "now".  Local times sent without an
// offset are read in the clinic's zone by the server.

let zone = 'Europe/Oslo';
export function setZone(z) { if (z) zone = z; }
// Each language's locales for Intl (in early.js, which makes the first
// date format while the page loads).
export { LOCALE };
export function locale() { return LOCALE[lang]; }

export const dateOf = s => s.slice(0, 10);
export const timeOf = s => s.slice(11, 16);
export const minutesOf = s => Number(s.slice(11, 13)) * 60 + Number(s.slice(14, 16));
export const pad = n => String(n).padStart(2, '0');
export const hhmm = m => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;

// Intl's formatters are slow to make (a day list's rows asked for "now"
// and a date enough times to cost a cold load 50 ms): one per zone,
// language and style, made on first use.
const formats = new Map();
function format(key, make) {
  let f = formats.get(key);
  if (!f) formats.set(key, f = make());
  return f;
}

// The clinic's date and minute of day now.
export function nowLocal() {
  const p = Object.fromEntries(format(`now ${zone}`, () => new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', hourCycle: 'h23',
  })).formatToParts(new Date()).map(x => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) };
}

// The clinic's wall clock now ("2026-11-24T09:30"), comparable as a string
// with the API's instants.
export function nowIso() {
  const n = nowLocal();
  return `${n.date}T${hhmm(n.minute)}`;
}

// Calendar arithmetic on YYYY-MM-DD, zone-free (noon UTC never slips a day).
const civil = d => new Date(`${d}T12:00:00Z`);
export function addDays(d, n) {
  const x = civil(d);
  x.setUTCDate(x.getUTCDate() + n);
  return x.toISOString().slice(0, 10);
}
export function weekday(d) { return (civil(d).getUTCDay() + 6) % 7; } // Monday 0
export function monday(d) { return addDays(d, -weekday(d)); }

export function fmtDate(d, style = 'long') {
  const opts = style === 'long' ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
    : style === 'short' ? { weekday: 'short', day: 'numeric', month: 'short' }
      : { day: 'numeric', month: 'short' };
  return format(`date ${lang} ${style}`, () => new Intl.DateTimeFormat(LOCALE[lang], { ...opts, timeZone: 'UTC' }))
    .format(civil(d));
}

// Norwegian numeric dates whatever the language: "24.11.2026" for a
// YYYY-MM-DD, "24.11.2026 09:30" for an instant string (its wall clock is
// the clinic's, as the API answers).
export const fmtDay = d => (d ? `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}` : '');
export const fmtStamp = s => (s ? `${fmtDay(dateOf(s))} ${timeOf(s)}` : '');

// Typed dates and times, the Norwegian way whatever the browser's language
// (its own date and time inputs follow its locale, 12-hour clock and all).
// parseDay: "7.12.2026", "07.12.26", "2026-12-07" -> "2026-12-07"; '' when
// empty, null when not a date.  parseTime: "8", "830", "08.30", "8:30" ->
// "08:30" ("24:00" with end); '' or null likewise.
export function parseDay(text) {
  const s = String(text).trim();
  if (!s) return '';
  let m = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  let [y, mo, d] = m ? [m[1], m[2], m[3]] : [];
  if (!m && (m = s.match(/^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})$/))) [d, mo, y] = [m[1], m[2], m[3].length === 2 ? `20${m[3]}` : m[3]];
  if (!m) return null;
  const iso = `${y}-${pad(Number(mo))}-${pad(Number(d))}`;
  return civil(iso).toISOString().slice(0, 10) === iso ? iso : null;
}
export function parseTime(text, end = false) {
  const s = String(text).trim();
  if (!s) return '';
  const m = s.match(/^(\d{1,2})(?:[:.]?(\d{2}))?$/);
  if (!m) return null;
  const hh = Number(m[1]), mm = Number(m[2] || 0);
  if (mm > 59 || hh > 24 || (hh === 24 && (mm || !end))) return null;
  return `${pad(hh)}:${pad(mm)}`;
}

// A text field for a date (iso shown as dd.mm.åååå) or a time: what is
// typed is tidied when the field is left; onValue(parsed) hears each change.
export function dateInput(iso, onValue = () => {}) {
  const el = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', size: 11, placeholder: t('admin.datePlaceholder'),
    value: iso ? fmtDay(iso) : '' });
  el.addEventListener('input', () => onValue(parseDay(el.value)));
  el.addEventListener('change', () => { const v = parseDay(el.value); if (v) el.value = fmtDay(v); });
  return el;
}
export function timeInput(hhmmText, onValue = () => {}, end = false) {
  const el = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', size: 6, placeholder: t('admin.timePlaceholder'),
    value: hhmmText || '' });
  el.addEventListener('input', () => onValue(parseTime(el.value, end)));
  el.addEventListener('change', () => { const v = parseTime(el.value, end); if (v) el.value = v; });
  return el;
}

// The span typed in four fields (<prefix>-from-date, -from-time, -to-date,
// -to-time, made by field()) as clinic-local {day, start, end}; no time
// at the start is the day's start, none at the end the whole of that day
// ("24:00" is the next day's start); null after saying at the field what
// is wrong.
export function typedSpan(prefix) {
  const v = k => document.getElementById(`${prefix}-${k}`).value;
  const [d0, t0, d1, t1] = [parseDay(v('from-date')), parseTime(v('from-time')), parseDay(v('to-date')), parseTime(v('to-time'), true)];
  const bad = (k, why) => { fieldError(`${prefix}-${k}`, t(`admin.bad.${why}`)); return null; };
  if (!d0) return bad('from-date', 'date');
  if (t0 === null) return bad('from-time', 'time');
  if (!d1) return bad('to-date', 'date');
  if (t1 === null) return bad('to-time', 'time');
  const start = `${d0}T${t0 || '00:00'}:00`;
  const end = t1 && t1 !== '24:00' ? `${d1}T${t1}:00` : `${addDays(d1, 1)}T00:00:00`;
  if (end <= start) return bad(t1 ? 'to-time' : 'to-date', 'end');
  return { day: d0, start, end };
}

// A toolbar's date (id, iso shown as dd.mm.åååå): onDay(iso) once a date
// is typed and Enter pressed or the field left; a date it cannot read is
// marked invalid and goes nowhere.
export function dayPicker(id, iso, onDay) {
  const el = dateInput(iso);
  el.id = id;
  const go = () => {
    const v = parseDay(el.value);
    el.toggleAttribute('aria-invalid', v === null);
    if (v && v !== iso) onDay(v);
  };
  el.addEventListener('change', go);
  el.addEventListener('keydown', e => { if (e.key === 'Enter') go(); });
  return el;
}

// "tir. 24. nov. 09:30" for an instant string.
export function fmtWhen(s) { return `${fmtDate(dateOf(s), 'short')} ${timeOf(s)}`; }
export function fmtSpan(a) { return `${timeOf(a.start)}–${timeOf(a.end)}`; }

// Years between a birth date and the clinic's today.
export function age(birth) {
  if (!birth) return null;
  const today = nowLocal().date;
  let y = Number(today.slice(0, 4)) - Number(birth.slice(0, 4));
  if (today.slice(5) < birth.slice(5)) y -= 1;
  return y;
}

// ---- DOM ----

// h('button.primary', {onclick, type: 'button'}, 'text', child...)
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// A Norwegian number as people read it out: a mobile "+47 414 30 318", a
// landline "+47 22 11 80 80" (others as they are); used wherever a number
// is shown.
export function fmtPhone(phone) {
  const m = /^\+47([2-9]\d{7})$/.exec(phone || '');
  if (!m) return phone || '';
  const d = m[1];
  return /^[49]/.test(d) ? `+47 ${d.slice(0, 3)} ${d.slice(3, 5)} ${d.slice(5)}`
    : `+47 ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4, 6)} ${d.slice(6)}`;
}

export function clear(el, ...children) { el.replaceChildren(...children.flat().filter(Boolean)); return el; }

// Say something to screen readers and show it briefly.
export function toast(text, kind = 'ok') {
  const box = document.getElementById('toast');
  box.className = `toast ${kind}`;
  box.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.textContent = ''; box.className = 'toast'; }, 6000);
}

// Something changed: the open views refresh, the work queue's count too.
export function changed() { window.dispatchEvent(new Event('timebok:changed')); }

// An error's text for people, with the field it concerns.
// Never the server's English: a code texts does not know is said as what
// its status class means.
export function explain(err) {
  if (!(err instanceof ApiError)) return t('err.network');
  const known = t(`err.${err.code}`);
  if (known !== `err.${err.code}`) return known;
  return t(err.status >= 500 ? 'err.internal' : 'err.refused');
}

// Directory caches: clinicians, rooms, units, types (loaded once per session).
export const dir = { clinicians: [], rooms: [], units: [], types: [], byId: {} };
export async function loadDirectory() {
  const [clinicians, rooms, units, types] = await Promise.all([
    api('GET', '/clinicians?active=true&limit=1000'),
    api('GET', '/rooms?active=true&limit=1000'),
    api('GET', '/units?active=true&limit=1000'),
    api('GET', '/consultation-types?active=true&limit=1000'),
  ]);
  const nb = new Intl.Collator('nb'); // as localeCompare(b, 'nb'), made once, not for each pair (20 ms)
  const byName = (a, b) => nb.compare(a.name, b.name);
  Object.assign(dir, {
    clinicians: clinicians.sort(byName), rooms: rooms.sort(byName), units: units.sort(byName),
    types: types.sort(byName),
    byId: {
      clinician: Object.fromEntries(clinicians.map(c => [c.id, c])),
      room: Object.fromEntries(rooms.map(r => [r.id, r])),
      unit: Object.fromEntries(units.map(u => [u.id, u])),
      type: Object.fromEntries(types.map(x => [x.id, x])),
    },
  });
}
export const clinicianName = id => dir.byId.clinician?.[id]?.name || `#${id}`;
export const roomName = id => dir.byId.room?.[id]?.name || (id ? `#${id}` : '');

// ---- the dialog ----
//
// One modal <dialog> at a time (showModal: focus stays inside, Escape
// closes).  Focus returns to what opened it.

export function openDialog(title, body, { wide = false, onClose } = {}) {
  const dlg = document.getElementById('dialog');
  const opener = document.activeElement;
  if (dlg.open) dlg.close();
  dlg.className = wide ? 'wide' : '';
  clear(dlg, h('div.dialog-head', {},
    h('h2', { id: 'dialog-title' }, title),
    h('button.close', { type: 'button', 'aria-label': t('app.close'), onclick: () => dlg.close() }, '×')),
  h('div.dialog-body', {}, body));
  const again = findAgain(opener);
  dlg.onclose = () => {
    if (onClose) onClose();
    // 'close' comes as a task of its own: a view that was drawn anew and
    // put the focus somewhere (the waiting list's caption after a removal)
    // before it keeps it
    const now = document.activeElement;
    if (now && now !== document.body && now !== opener && now.isConnected && !dlg.contains(now)) return;
    // what opened it, or (the view was drawn anew meanwhile, as after a
    // save) its successor; never <body>
    const to = opener && opener.isConnected ? opener : again();
    (to || document.getElementById('main'))?.focus();
  };
  dlg.showModal();
  const first = dlg.querySelector('.dialog-body [autofocus], .dialog-body input:not([type=hidden]), .dialog-body select, .dialog-body button');
  if (first) first.focus();
  return dlg;
}

// A way to find el again once its view is drawn anew: by its id, or its
// data-id (a calendar block, a day-list row) and tag, or its aria-label
// (a row's "Endre Hanne Lie", whose text "Endre" every row shares), or its
// text.
export function findAgain(el) {
  if (!el || el === document.body) return () => null;
  const tag = el.tagName.toLowerCase();
  const label = el.getAttribute('aria-label');
  const sel = el.id ? `#${CSS.escape(el.id)}`
    : el.dataset?.id ? `${tag}[data-id="${CSS.escape(el.dataset.id)}"]`
      : label ? `#main ${tag}[aria-label="${CSS.escape(label)}"]` : null;
  const text = el.textContent;
  return () => (sel ? document.querySelector(sel)
    : [...document.querySelectorAll(`#main ${tag}`)].find(x => x.textContent === text) || null);
}

export function closeDialog() {
  const dlg = document.getElementById('dialog');
  if (dlg.open) dlg.close();
}

export function setDialogTitle(title) {
  const el = document.getElementById('dialog-title');
  if (el) el.textContent = title;
}

// A labelled field: [label, control] wrapped in a div; hint and error slots.
export function field(id, label, control, hint) {
  control.id = id;
  const err = h('span.field-error', { id: `${id}-error` });
  const described = [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  return h('div.field', { dataset: { field: id } }, h('label', { for: id }, label),
    hint ? h('span.hint', { id: `${id}-hint` }, hint) : null, control, err);
}

// Say text at the field id (made by field()) and go there.
export function fieldError(id, text) {
  const control = document.getElementById(id);
  control.setAttribute('aria-invalid', 'true');
  document.getElementById(`${id}-error`).textContent = text;
  control.focus();
}

// An error in the user's language: for an answer naming a field, the
// words texts has for that field under section ("admin.bad.password"),
// else those for its code and field in every form ("fielderr.invalid.phone"),
// so no English from the server reaches the user; otherwise explain().
export function explainField(err, section) {
  if (err instanceof ApiError && err.field) {
    const keys = [`fielderr.${err.code}.${err.field}`];
    if (section) keys.unshift(`${section}.${err.code === 'duplicate' ? 'taken' : 'bad'}.${err.field}`);
    for (const key of keys) {
      const words = t(key);
      if (words !== key) return words;
    }
  }
  return explain(err);
}

// Show err next to the field named by the API's error (fields maps the
// API's field names to control ids); the rest in box.  With section, the
// words come from explainField().
export function showError(err, box, fields = {}, section) {
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
  for (const el of document.querySelectorAll('.field-error')) el.textContent = '';
  const id = err && err.field && fields[err.field];
  const control = id && document.getElementById(id);
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    document.getElementById(`${id}-error`).textContent = explainField(err, section);
    control.focus();
    if (box) box.textContent = '';
    return;
  }
  if (box) box.textContent = err ? explainField(err, section) : '';
}
