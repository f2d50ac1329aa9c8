// letter.js - what the staff app does when an invitation did not go out as
// a message: the patient has no mobile and no e-mail (the API answers
// "delivery": "manual" with the link), or the invitation at booking failed.
// The secretary is told so where they are, never by a success toast: the
// link to read out or copy, and a letter to print with the time, the link
// and the clinic's contact details in the patient's language (nb, nn, en).
// Also the question asked before booking a time that has passed.
import { TEXTS, loadLanguage, t, h, clear, toast, dir, fmtStamp, dateOf, timeOf, clinicianName, roomName, LOCALE, fmtPhone } from './lib.js';

// The letter's text key in language lang (bokmål where it has none).
function lt(lang, key, ...args) {
  const v = (TEXTS[lang]?.letter || TEXTS.nb.letter)[key] ?? TEXTS.nb.letter[key];
  return typeof v === 'function' ? v(...args) : v;
}

// The letter's date in its own language: "tirsdag 24. november 2026".
function letterDate(lang, iso) {
  const f = new Intl.DateTimeFormat(LOCALE[lang] || LOCALE.nb,
    { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return f.format(new Date(`${dateOf(iso)}T12:00:00Z`));
}

// The unit of appointment a (its first clinician's), from the directory.
export function unitOf(a) {
  const c = dir.byId.clinician?.[a.clinician_ids?.[0]];
  return c?.unit_id ? dir.byId.unit?.[c.unit_id] || null : null;
}

// The printable letter to patient about appointment a with link url (in
// bokmål unless the patient's language has been loaded: manualPanel).
export function letter(a, patient, url) {
  const lang = TEXTS[patient?.language] ? patient.language : 'nb';
  const unit = unitOf(a);
  const place = a.room_id ? roomName(a.room_id) : '';
  return h('article.letter', { id: 'letter', lang },
    h('p.letter-from', {}, [unit?.department, unit?.name].filter(Boolean).join(', ') || document.getElementById('clinic')?.textContent.replace(/^·\s*/, '') || ''),
    unit?.address ? h('p.letter-from', {}, unit.address) : null,
    h('p', {}, lt(lang, 'dear', patient?.name || '')),
    h('h3', {}, lt(lang, `subject_${a.mode}`)),
    h('p', {}, lt(lang, 'when', letterDate(lang, a.start), `${timeOf(a.start)}–${timeOf(a.end)}`)),
    h('p', {}, lt(lang, 'with', a.clinician_ids.map(clinicianName).join(', '))),
    a.mode === 'in_person' && place ? h('p', {}, lt(lang, 'where', place)) : null,
    h('p', {}, lt(lang, `how_${a.mode}`)),
    h('p', {}, lt(lang, 'link')),
    h('p.letter-link', {}, url),
    unit?.phone ? h('p', {}, lt(lang, 'questions', fmtPhone(unit.phone))) : null,
    h('p', {}, lt(lang, 'regards')),
    h('p', {}, [unit?.department, unit?.name].filter(Boolean).join(', ')));
}

// Print only the letter (app.css: body.printing-letter), then give the
// page back.
function print(box) {
  document.body.classList.add('printing-letter');
  box.classList.add('to-print');
  const done = () => {
    document.body.classList.remove('printing-letter');
    box.classList.remove('to-print');
    window.removeEventListener('afterprint', done);
  };
  window.addEventListener('afterprint', done);
  window.print();
  if (!window.matchMedia('print').matches) setTimeout(done, 0);
}

// The panel shown in the appointment when the invitation went nowhere: why,
// what to do, the link to copy, and the letter to print.
export function manualPanel(a, patient, invitation) {
  // the texts of the patient's language (the staff's may be another),
  // asked for now so the letter finds them (failing: bokmål)
  const texts = loadLanguage(patient?.language).catch(() => {});
  const link = h('input', { type: 'text', id: 'manual-link', readonly: true, value: invitation.url, spellcheck: false });
  const letterBox = h('div.letter-box', { hidden: true });
  const copy = h('button', { type: 'button', id: 'manual-copy', onclick: async () => {
    link.select();
    try { await navigator.clipboard.writeText(invitation.url); toast(t('inv.copied')); } catch { toast(t('inv.copyFailed'), 'bad'); }
    copy.focus();
  } }, t('inv.copy'));
  const show = h('button.primary', { type: 'button', id: 'manual-letter', 'aria-expanded': 'false', 'aria-controls': 'manual-letter-box', onclick: async () => {
    if (letterBox.hidden) {
      await texts;
      if (!letterBox.hidden) return; // a second click meanwhile
      clear(letterBox, letter(a, patient, invitation.url),
        h('div.actions.letter-actions', {}, h('button.primary', { type: 'button', id: 'letter-print', onclick: () => print(letterBox) }, t('inv.print'))));
    }
    letterBox.hidden = !letterBox.hidden;
    show.setAttribute('aria-expanded', String(!letterBox.hidden));
    if (!letterBox.hidden) letterBox.querySelector('#letter-print').focus();
  } }, t('inv.letter'));
  letterBox.id = 'manual-letter-box';
  return h('section.attention', { id: 'manual', 'aria-labelledby': 'manual-h' },
    h('h3', { id: 'manual-h', tabindex: '-1' }, t('inv.manualH')),
    h('p', {}, t('inv.manual', patient?.name || t('appt.patient'))),
    h('p', {}, t('inv.manualDo')),
    h('div.field', {}, h('label', { for: 'manual-link' }, t('inv.link')), link),
    h('div.actions', {}, show, copy), letterBox);
}

// The panel shown when the invitation at booking failed: what happened and
// what to do (the send button is right below it, unless it is over).
export function failedPanel(error, over) {
  return h('section.attention', { id: 'invite-failed', 'aria-labelledby': 'invite-failed-h' },
    h('h3', { id: 'invite-failed-h', tabindex: '-1' }, t('inv.failedH')),
    h('p', {}, error), h('p', {}, t(over ? 'inv.failedOver' : 'inv.failedDo')));
}

// Before booking start (a local "YYYY-MM-DDTHH:MM"), when it has passed:
// ask in box, and call go() when the secretary says to book anyway.
// Returns true when it asked (the booking waits).
export function askIfPast(start, now, box, go) {
  if (start >= now) return false;
  const yes = h('button.primary', { type: 'button', id: 'bk-past-go', onclick: go }, t('inv.pastGo'));
  clear(box, h('p', {}, h('strong', {}, t('inv.pastH'))), h('p', {}, t('inv.past', fmtStamp(`${start}:00`))), yes);
  yes.focus();
  return true;
}
