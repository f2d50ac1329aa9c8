// book.js - booking: the patient (search as you type by name, phone or
// birth number; or a new one made inline), one or more clinicians, start
// and duration, video preselected, a room when in person, "next free time"
// for the chosen clinicians, and the invitation at once if wanted.  A
// conflict answer names the appointment in the way, inline; nothing typed
// is lost.
import {
  api, ApiError, query, t, h, clear, dir, openDialog, closeDialog, field, fieldError, showError,
  toast, changed,
  addDays, fmtWhen, timeOf, dateOf, clinicianName, roomName, age, explain, nowIso,
  dateInput, timeInput, parseDay, parseTime, fmtDay, nowLocal, fmtPhone,
} from './lib.js';
import { seriesSection, reviewSeries } from './series.js';
import { openAppointment } from './appt.js';
import { askIfPast } from './letter.js';
import { freeRoomSelect, roomField as freeRoomField, unitOf, localSpan } from './rooms_free.js';
import { guestsForBooking } from './participants.js';

const DURATIONS = [10, 15, 20, 30, 45, 60, 90, 120];
const FIELDS = { patient_id: 'bk-patient', clinician_ids: 'bk-clinicians', start: 'bk-time',
  duration_minutes: 'bk-duration', room_id: 'bk-room', mode: 'bk-mode-video', type_id: 'bk-type',
  reference: 'bk-reference' };

export function openBooking(pre = {}) {
  const form = h('form.booking', { novalidate: true });
  const st = { patient: pre.patient || null, override: false };

  // -- patient --
  const pInput = h('input', { type: 'text', role: 'combobox', autocomplete: 'off', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': 'bk-patient-list' });
  const pList = h('ul.listbox', { id: 'bk-patient-list', role: 'listbox', 'aria-label': t('book.matches'), hidden: true });
  const chosen = h('div.chosen', { id: 'bk-chosen', 'aria-live': 'polite' });
  let options = [], active = -1, seq = 0, debounce = null;
  const pickPatient = p => {
    st.patient = p;
    pList.hidden = true;
    pInput.setAttribute('aria-expanded', 'false');
    pInput.value = '';
    renderChosen();
  };
  const renderChosen = () => {
    const p = st.patient;
    pInput.closest('.field').hidden = !!p;
    clear(chosen, p ? [h('strong', {}, p.name), ' ', h('span.muted', {}, patientFacts(p)), ' ',
      h('button.link', { type: 'button', onclick: () => { st.patient = null; renderChosen(); pInput.focus(); } }, t('book.changePatient'))] : null);
  };
  const highlight = i => {
    active = i;
    for (const [k, li] of [...pList.children].entries()) li.setAttribute('aria-selected', String(k === i));
    if (i >= 0 && pList.children[i]) {
      pInput.setAttribute('aria-activedescendant', pList.children[i].id);
      pList.children[i].scrollIntoView({ block: 'nearest' });
    } else pInput.removeAttribute('aria-activedescendant');
  };
  const search = async () => {
    const q = pInput.value.trim();
    const mine = ++seq;
    if (q.length < 2) { pList.hidden = true; pInput.setAttribute('aria-expanded', 'false'); return; }
    const digits = q.replace(/\s/g, '');
    const params = /^\d{11}$/.test(digits) ? { national_id: digits } : { q, active: 'true' };
    let found = [];
    try { found = await api('GET', `/patients${query({ ...params, limit: 8 })}`); } catch (x) { found = []; }
    if (mine !== seq) return;
    options = found;
    clear(pList, found.length ? found.map((p, i) => h('li', { id: `bk-opt-${p.id}`, role: 'option', 'aria-selected': 'false',
      onmousedown: e => e.preventDefault(), onclick: () => pickPatient(options[i]) },
    h('strong', {}, p.name), ' ', h('span.muted', {}, patientFacts(p))))
      : h('li.none', { role: 'option', 'aria-disabled': 'true', 'aria-selected': 'false' }, t('book.noMatch')));
    pList.hidden = false;
    pInput.setAttribute('aria-expanded', 'true');
    highlight(found.length ? 0 : -1);
  };
  pInput.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(search, 200); });
  pInput.addEventListener('keydown', e => {
    if (pList.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); highlight(Math.min(active + 1, options.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); pickPatient(options[active]); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); pList.hidden = true; pInput.setAttribute('aria-expanded', 'false'); }
  });
  pInput.addEventListener('blur', () => setTimeout(() => { pList.hidden = true; pInput.setAttribute('aria-expanded', 'false'); }, 150));

  // -- a new patient, inline --
  const np = {
    name: h('input', { type: 'text', autocomplete: 'off' }),
    phone: h('input', { type: 'tel', autocomplete: 'off', placeholder: '+47…' }),
    email: h('input', { type: 'email', autocomplete: 'off' }),
    national_id: h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: '11' }),
    language: h('select', {}, ['nb', 'nn', 'en'].map(l => h('option', { value: l }, t(`lang.${l}`)))),
  };
  const npError = h('p.error', { role: 'alert' });
  const newBox = h('fieldset.subform', { hidden: true }, h('legend', {}, t('book.newPatient')),
    field('np-name', t('patient.name'), np.name),
    field('np-phone', t('patient.phone'), np.phone, t('patient.phoneHint')),
    field('np-email', t('patient.email'), np.email),
    field('np-national_id', t('patient.nationalId'), np.national_id, t('patient.nationalIdHint')),
    field('np-language', t('patient.language'), np.language),
    npError,
    h('button', { type: 'button', onclick: async () => {
      const body = { name: np.name.value.trim(), language: np.language.value };
      for (const k of ['phone', 'email', 'national_id']) if (np[k].value.trim()) body[k] = np[k].value.trim();
      try {
        const p = await api('POST', '/patients', body);
        newBox.hidden = true;
        for (const k of ['name', 'phone', 'email', 'national_id']) np[k].value = '';
        pickPatient(p);
        toast(t('book.patientMade', p.name));
      } catch (x) {
        showError(x, npError, { name: 'np-name', phone: 'np-phone', email: 'np-email', national_id: 'np-national_id', language: 'np-language' });
        if (x instanceof ApiError && x.code === 'duplicate' && body.national_id) { // the patient is there: offer them
          const [p] = await api('GET', `/patients${query({ national_id: body.national_id, limit: 1 })}`).catch(() => []);
          if (p) npError.append(' ', h('button', { type: 'button', onclick: () => { newBox.hidden = true; pickPatient(p); } }, t('patients.openExisting', p.name)));
        }
      }
    } }, t('book.savePatient')));

  // -- clinicians --
  const want = new Set((pre.clinician_ids || []).map(Number));
  const unit = pre.unit ? String(pre.unit) : '';
  const ordered = [...dir.clinicians].sort((a, b) => (String(b.unit_id) === unit) - (String(a.unit_id) === unit));
  const filter = h('input', { type: 'search', id: 'bk-clin-filter', 'aria-label': t('book.filterClinicians'), placeholder: t('book.filterClinicians') });
  const boxes = ordered.map(c => h('label.check', { dataset: { name: c.name.toLowerCase() } },
    h('input', { type: 'checkbox', value: c.id, checked: want.has(c.id), name: 'clinician' }),
    h('span', {}, c.name, h('span.muted', {}, `${c.profession}${c.unit_id && dir.byId.unit[c.unit_id] ? ` · ${dir.byId.unit[c.unit_id].name}` : ''}`))));
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    for (const b of boxes) b.hidden = q && !b.dataset.name.includes(q) && !b.querySelector('input').checked;
  });
  const clinBox = h('fieldset.clinicians', { id: 'bk-clinicians', tabindex: '-1', 'aria-describedby': 'bk-clinicians-error' },
    h('legend', {}, t('book.clinicians')), filter, h('div.scroll', {}, boxes), h('span.field-error', { id: 'bk-clinicians-error' }));
  const chosenClinicians = () => boxes.map(b => b.querySelector('input')).filter(i => i.checked).map(i => Number(i.value));

  // -- time, type, mode, room --
  // typed the Norwegian way (dd.mm.åååå, 24 h) whatever the browser's locale
  const date = dateInput(pre.date || '');
  const time = timeInput(pre.time || '');
  const day = () => parseDay(date.value), clock = () => parseTime(time.value);
  const duration = h('select', {}, DURATIONS.map(m => h('option', { value: m, selected: m === (pre.duration || 30) }, t('book.minutes', m))));
  const type = h('select', {}, h('option', { value: '' }, t('book.noType')),
    dir.types.filter(x => !unit || String(x.unit_id) === unit || !x.unit_id).map(x => h('option', { value: x.id }, x.name)));
  const modeName = 'bk-mode';
  const modeRadios = ['video', 'in_person', 'phone'].map(m => h('label.check', {},
    h('input', { type: 'radio', name: modeName, value: m, id: `bk-mode-${m}`, checked: m === (pre.mode || 'video') }), t(`mode.${m}`)));
  const mode = () => form.querySelector(`input[name=${modeName}]:checked`).value;
  // which rooms are free at the time chosen: clinic rooms in person, the
  // quiet video rooms by video (optional), none by phone
  const room = freeRoomSelect({ id: 'bk-room', selected: pre.room_id, unitId: Number(unit) || null });
  const roomField = freeRoomField(field, 'bk-room', t('book.room'), room, t('book.roomHint'));
  const askRooms = () => {
    const span = localSpan(day(), clock(), Number(duration.value));
    room.when({ ...span, mode: mode(), unit: unitOf(chosenClinicians()) || Number(unit) || null });
  };
  const syncMode = () => {
    const inPerson = mode() === 'in_person';
    room.required = inPerson;
    roomField.hidden = mode() === 'phone' && !room.value;
    roomField.querySelector('.hint').textContent = inPerson ? t('book.roomHint') : t('rooms.videoHint');
    askRooms();
  };
  for (const r of modeRadios) r.querySelector('input').addEventListener('change', syncMode);
  for (const el of [date, time, duration, clinBox]) el.addEventListener('change', askRooms);
  type.addEventListener('change', () => {
    const x = dir.byId.type[type.value];
    if (!x) return;
    if (DURATIONS.includes(x.duration_minutes)) duration.value = String(x.duration_minutes);
    const m = x.video_allowed ? x.default_mode : (x.default_mode === 'video' ? 'in_person' : x.default_mode);
    form.querySelector(`#bk-mode-${m}`).checked = true;
    syncMode();
  });

  // -- next free time --
  const slotsBox = h('div.slots', { 'aria-live': 'polite' });
  const nextFree = h('button', { type: 'button', onclick: async () => {
    const ids = chosenClinicians();
    if (!ids.length) { clear(slotsBox, h('p.error', {}, t('book.chooseClinician'))); return; }
    const from = day() || pre.date || nowLocal().date;
    clear(slotsBox, h('p.muted', {}, t('book.searching')));
    try {
      const slots = await api('GET', `/slots${query({ clinician_id: ids, from, to: addDays(from, 20),
        duration_minutes: duration.value, mode: mode(), limit: 6 })}`);
      clear(slotsBox, slots.length ? [h('p', {}, t('book.freeTimes')), h('ul.slot-list', {}, slots.map(sl => h('li', {},
        h('button', { type: 'button', onclick: () => {
          date.value = fmtDay(dateOf(sl.start)); time.value = timeOf(sl.start);
          toast(t('book.slotChosen', fmtWhen(sl.start)));
          time.focus();
        } }, fmtWhen(sl.start)))))] : h('p', {}, t('book.noSlots')));
    } catch (x) { clear(slotsBox, h('p.error', {}, explain(x))); }
  } }, t('book.nextFree'));

  const repeat = seriesSection(on => { submit.textContent = t(on ? 'series.check' : 'book.submit'); });
  const parts = guestsForBooking({ mode, clinicians: chosenClinicians }); // guests, the reference
  form.addEventListener('change', parts.sync);
  const invite = h('input', { type: 'checkbox', id: 'bk-invite', checked: true });
  const problem = h('div.problem', { id: 'bk-problem', role: 'alert' });
  const submit = h('button.primary', { type: 'submit' }, t('book.submit'));

  form.append(
    h('fieldset', {}, h('legend', {}, t('book.patient')),
      field('bk-patient', t('book.findPatient'), pInput, t('book.findHint')), pList, chosen,
      h('button.link', { type: 'button', onclick: () => {
        newBox.hidden = !newBox.hidden;
        if (newBox.hidden) return;
        const nin = pInput.value.replace(/\s/g, ''); // a birth number typed in the search comes along
        if (/^\d{11}$/.test(nin) && !np.national_id.value) np.national_id.value = nin;
        np.name.focus();
      } }, t('book.newPatient')),
      newBox),
    clinBox,
    h('fieldset', {}, h('legend', {}, t('book.when')),
      h('div.row', {}, field('bk-date', t('book.date'), date), field('bk-time', t('book.time'), time),
        field('bk-duration', t('book.duration'), duration), field('bk-type', t('book.type'), type)),
      nextFree, slotsBox),
    repeat.el,
    h('fieldset', { id: 'bk-mode' }, h('legend', {}, t('book.mode')), h('div.row', {}, modeRadios), roomField),
    parts.el,
    h('label.check', {}, invite, t('book.inviteNow')),
    problem,
    h('div.actions', {}, submit, h('button', { type: 'button', onclick: closeDialog }, t('app.cancel'))));

  form.addEventListener('submit', async e => {
    e.preventDefault();
    showError(null, problem);
    const ids = chosenClinicians();
    if (!st.patient) return fieldError('bk-patient', t('book.needPatient'));
    if (!ids.length) return fieldError('bk-clinicians', t('book.chooseClinician'));
    if (!day()) return fieldError('bk-date', date.value.trim() ? t('admin.bad.date') : t('book.needDate'));
    if (!clock()) return fieldError('bk-time', time.value.trim() ? t('admin.bad.time') : t('book.needTime'));
    if (mode() === 'in_person' && !room.value) return fieldError('bk-room', t('book.needRoom'));
    // a guest typed in but not added comes along, or stops the booking at its field
    if (!(await parts.commitTyped())) return;
    // a time that has passed: asked first, booked only when the secretary says so
    const when = `${day()}T${clock()}`;
    if (st.pastOk !== when && askIfPast(when, nowIso(), problem, () => { st.pastOk = when; form.requestSubmit(); })) return;
    const body = { patient_id: st.patient.id, clinician_ids: ids, start: `${day()}T${clock()}:00`,
      duration_minutes: Number(duration.value), mode: mode() };
    if (room.value) body.room_id = Number(room.value);
    if (type.value) body.type_id = Number(type.value);
    if (st.override) body.override_hours = true;
    if (repeat.active()) { // checked occurrence by occurrence before anything is written
      const r = repeat.repeat();
      const { start, ...base } = body;
      return r && reviewSeries(form, { ...base, ...parts.body() }, start, r,
        { invite: invite.checked, patientName: st.patient.name, guests: parts.save });
    }
    Object.assign(body, parts.body());
    submit.disabled = true;
    try {
      const a = await api('POST', '/appointments', body);
      let sent = null, failed = null;
      if (invite.checked) {
        try { sent = await api('POST', `/appointments/${a.id}/invitations`); } catch (x) { failed = explain(x); }
      }
      const guestProblems = await parts.save(a.id, invite.checked);
      closeDialog();
      if (guestProblems.length) toast(t('parts.guestsFailed', guestProblems.join('; ')), 'bad');
      changed();
      // an invitation that went nowhere is shown where it can be dealt with
      if (failed || sent?.delivery === 'manual') {
        await openAppointment(a.id, { notice: t('book.done', st.patient.name, fmtWhen(a.start)), invitation: sent, inviteFailed: failed });
        return;
      }
      toast(t(sent ? 'book.doneInvited' : 'book.done', st.patient.name, fmtWhen(a.start)));
    } catch (x) {
      await explainRefusal(x, problem, st);
    } finally { submit.disabled = false; }
  });

  openDialog(t('book.title'), form, { wide: true });
  renderChosen();
  syncMode();
  if (st.patient) (boxes.find(b => b.querySelector('input').checked)?.querySelector('input') || time).focus();
  else pInput.focus();
}

export function patientFacts(p) {
  const a = age(p.birth_date);
  return [p.birth_date ? t('patient.born', fmtDay(p.birth_date), a) : null, fmtPhone(p.phone)].filter(Boolean).join(' · ');
}

// A refused booking or move, explained where it happened: the appointments
// in the way (a conflict), the working hours (with a way past them), or the
// field.
export async function explainRefusal(x, box, st) {
  if (!(x instanceof ApiError)) return showError(x, box);
  if (x.status === 409 && x.code === 'conflict' && x.body?.conflicts?.length) {
    const seen = new Set();
    const items = [];
    for (const c of x.body.conflicts) {
      if (!c.appointment_id) { // another unit's: the kind is all the answer says
        if (seen.has(c.kind)) continue;
        seen.add(c.kind);
        items.push(h('li', {}, t('book.busyThen', t(c.kind === 'room' ? 'book.theRoom' : 'book.thePatient'))));
        continue;
      }
      if (seen.has(`${c.kind}${c.appointment_id}`)) continue;
      seen.add(`${c.kind}${c.appointment_id}`);
      let what = `#${c.appointment_id}`;
      try {
        const a = await api('GET', `/appointments/${c.appointment_id}`);
        what = `${fmtWhen(a.start)}–${timeOf(a.end)} (${t(`mode.${a.mode}`)}, ${t(`status.${a.status}`)})`;
      } catch { /* the id is all there is */ }
      const whom = c.kind === 'clinician' ? clinicianName(c.id) : c.kind === 'room' ? roomName(c.id) : t('book.thePatient');
      items.push(h('li', {}, t('book.busy', whom, what)));
    }
    clear(box, h('p', {}, h('strong', {}, t('book.conflict'))), h('ul', {}, items), h('p', {}, t('book.conflictHint')));
    return;
  }
  if (x.status === 409 && x.code === 'outside_hours' && st) {
    const ok = h('input', { type: 'checkbox', id: 'bk-override', onchange: e => { st.override = e.target.checked; } });
    clear(box, h('p', {}, h('strong', {}, t('err.outside_hours')), ' ', x.message),
      h('label.check', {}, ok, t('book.override')));
    return;
  }
  showError(x, box, FIELDS);
}
