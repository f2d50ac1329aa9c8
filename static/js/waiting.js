// waiting.js - the waiting list (#/waiting?unit=N) and what a cancelled
// appointment offers from it.
//
// The list: a unit's waiting patients, urgent first and then the longest
// waiting (the server's order), with the days each has waited; add a
// patient (found by name, phone or birth number; a consultation type of
// the unit, a clinician or anyone, urgency, the earliest day, a note),
// change an entry, or remove one after a confirmation (DELETE marks it
// removed; the entry stays in the audit trail).
//
// The offer: when an appointment is cancelled, its dialog lists the waiting
// patients who fit the freed slot (GET /appointments/{id}/waiting-list);
// one click books the chosen one into it (same clinicians, time and type,
// by video unless the type does not allow it) with "waiting_id", which
// takes them off the list in the same transaction, and sends the
// invitation.  A slot taken meanwhile (409) is said as such.
import {
  api, ApiError, query, t, h, clear, dir, openDialog, closeDialog, field, fieldError, showError, toast, changed,
  dateInput, fmtDay, fmtWhen, dateOf, nowLocal, clinicianName, explain,
} from './lib.js';
import { patientFacts, explainRefusal } from './book.js';

const FIELDS = { patient_id: 'wl-find', type_id: 'wl-type', clinician_id: 'wl-clinician', priority: 'wl-priority-normal',
  earliest: 'wl-earliest', note: 'wl-note' };

// Whole days from the day of instant s to today in the clinic.
function daysSince(s) {
  const a = new Date(`${dateOf(s)}T12:00:00Z`), b = new Date(`${nowLocal().date}T12:00:00Z`);
  return Math.max(0, Math.round((b - a) / 86400000));
}

const typeName = id => dir.byId.type?.[id]?.name || `#${id}`;
const urgentPill = () => h('span.pill.urgent', {}, h('span', { 'aria-hidden': 'true' }, '! '), t('waiting.urgent'));

export async function showWaiting(main, params) {
  const units = dir.units;
  const unit = params.unit && dir.byId.unit[params.unit] ? Number(params.unit) : units[0]?.id;
  const unitSel = h('select', { id: 'wl-unit' }, units.map(u => h('option', { value: u.id, selected: u.id === unit }, u.name)));
  unitSel.addEventListener('change', () => { location.hash = `#/waiting${query({ unit: unitSel.value })}`; });
  const list = h('div', { id: 'wl-list', 'aria-live': 'polite' });
  const add = h('button.primary', { type: 'button', id: 'wl-add', onclick: () => entryForm(null, unit, () => load()) }, t('waiting.add'));
  const names = new Map();

  const load = async focusList => {
    let rows;
    try {
      rows = await api('GET', `/waiting-list${query({ status: 'waiting', limit: 1000 })}`);
    } catch (x) { clear(list, h('p.error', { role: 'alert' }, explain(x))); return; }
    rows = rows.filter(e => dir.byId.type[e.type_id]?.unit_id === unit);
    await Promise.all([...new Set(rows.map(e => e.patient_id))].filter(id => !names.has(id)).map(async id => {
      try { names.set(id, await api('GET', `/patients/${id}`)); } catch { names.set(id, null); }
    }));
    const caption = h('caption', { id: 'wl-caption', tabindex: '-1' }, t('waiting.caption', rows.length));
    clear(list, rows.length ? h('table.admin-table.waiting', {}, caption,
      h('thead', {}, h('tr', {}, ['patient', 'type', 'clinician', 'priority', 'waited', 'earliest', 'note', 'actions']
        .map(k => h('th', { scope: 'col' }, t(`waiting.col.${k}`))))),
      h('tbody', {}, rows.map(e => {
        const p = names.get(e.patient_id);
        const who = p ? p.name : `#${e.patient_id}`;
        return h('tr', { id: `wl-row-${e.id}` },
          h('th', { scope: 'row' }, who, p ? h('div.muted', {}, patientFacts(p)) : null),
          h('td', {}, typeName(e.type_id)),
          h('td', {}, e.clinician_id ? clinicianName(e.clinician_id) : t('waiting.anyone')),
          h('td', {}, e.priority === 'urgent' ? urgentPill() : t('waiting.normal')),
          h('td', {}, t('waiting.days', daysSince(e.created_at)), h('div.muted', {}, t('waiting.since', fmtDay(dateOf(e.created_at))))),
          h('td', {}, e.earliest ? fmtDay(e.earliest) : ''),
          h('td', {}, e.note || ''),
          h('td', {}, h('div.actions', {},
            h('button', { type: 'button', 'aria-label': t('waiting.editFor', who), onclick: () => entryForm(e, unit, () => load(true), p) }, t('waiting.edit')),
            h('button.danger', { type: 'button', 'aria-label': t('waiting.removeFor', who), onclick: () => confirmRemove(e, who, () => load(true)) }, t('waiting.remove')))));
      }))) : h('p', { id: 'wl-caption', tabindex: '-1' }, t('waiting.empty')));
    if (focusList) document.getElementById('wl-caption').focus();
  };

  clear(main, h('div.waiting-page', {},
    h('h1', {}, t('waiting.title')),
    h('p', {}, t('waiting.intro')),
    h('div.row', {}, field('wl-unit', t('waiting.unit'), unitSel)),
    add, list));
  await load();
}

// Add (entry null) or change an entry, in a dialog; done() after saving.
function entryForm(entry, unit, done, patient) {
  const st = { patient: patient || null };
  const form = h('form.waiting-form', { novalidate: true });
  const problem = h('div.problem', { role: 'alert', id: 'wl-problem' });

  // the patient: typed, then chosen from the matches (a button each)
  const find = h('input', { type: 'search', autocomplete: 'off' });
  const matches = h('ul.wl-matches', { id: 'wl-matches', 'aria-live': 'polite' });
  const chosen = h('p.chosen', { id: 'wl-chosen' });
  let seq = 0, timer = null;
  const choose = p => {
    st.patient = p;
    clear(matches);
    find.value = '';
    find.closest('.field').hidden = true;
    clear(chosen, h('strong', {}, p.name), ' ', h('span.muted', {}, patientFacts(p)), ' ',
      h('button.link', { type: 'button', id: 'wl-change-patient', onclick: () => {
        st.patient = null; clear(chosen); find.closest('.field').hidden = false; find.focus();
      } }, t('waiting.changePatient')));
    type.focus();
  };
  find.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = find.value.trim(), mine = ++seq;
      if (q.length < 2) { clear(matches); return; }
      const digits = q.replace(/\s/g, '');
      let found = [];
      try {
        found = await api('GET', `/patients${query({ ...(/^\d{11}$/.test(digits) ? { national_id: digits } : { q, active: 'true' }), limit: 8 })}`);
      } catch { found = []; }
      if (mine !== seq) return;
      clear(matches, found.length ? found.map(p => h('li', {}, h('button', { type: 'button', onclick: () => choose(p) },
        h('strong', {}, p.name), ' ', h('span.muted', {}, patientFacts(p)))))
        : h('li.muted', {}, t('waiting.noMatch')));
    }, 200);
  });

  const unitTypes = dir.types.filter(x => x.unit_id === unit || (entry && x.id === entry.type_id));
  const type = h('select', {}, h('option', { value: '' }, t('waiting.chooseType')),
    unitTypes.map(x => h('option', { value: x.id, selected: entry?.type_id === x.id }, x.name)));
  const clinician = h('select', {}, h('option', { value: '' }, t('waiting.anyone')),
    dir.clinicians.filter(c => c.unit_id === unit || entry?.clinician_id === c.id)
      .map(c => h('option', { value: c.id, selected: entry?.clinician_id === c.id }, `${c.name} (${c.profession})`)));
  const prio = ['normal', 'urgent'].map(v => h('label.check', {},
    h('input', { type: 'radio', name: 'wl-priority', id: `wl-priority-${v}`, value: v, checked: (entry?.priority || 'normal') === v }),
    t(`waiting.${v}`)));
  let earliestIso = entry?.earliest || '';
  const earliest = dateInput(earliestIso, v => { earliestIso = v; });
  const note = h('textarea', { rows: '2', maxlength: '500' }, entry?.note || '');

  form.append(
    entry ? h('p', {}, h('strong', {}, patient ? patient.name : `#${entry.patient_id}`))
      : h('fieldset', {}, h('legend', {}, t('waiting.patient')),
        field('wl-find', t('waiting.findPatient'), find, t('waiting.findHint')), matches, chosen),
    field('wl-type', t('waiting.type'), type),
    field('wl-clinician', t('waiting.clinician'), clinician),
    h('fieldset', {}, h('legend', {}, t('waiting.priority')), h('div.row', {}, prio)),
    field('wl-earliest', t('waiting.earliest'), earliest, t('waiting.earliestHint')),
    field('wl-note', t('waiting.note'), note, t('waiting.noteHint')),
    problem,
    h('div.actions', {}, h('button.primary', { type: 'submit', id: 'wl-save' }, entry ? t('waiting.save') : t('waiting.addGo')),
      h('button', { type: 'button', onclick: closeDialog }, t('app.cancel'))));

  form.addEventListener('submit', async e => {
    e.preventDefault();
    showError(null, problem);
    if (!entry && !st.patient) return fieldError('wl-find', t('waiting.needPatient'));
    if (!type.value) return fieldError('wl-type', t('waiting.needType'));
    if (earliestIso === null) return fieldError('wl-earliest', t('waiting.badDate'));
    const body = {
      type_id: Number(type.value),
      clinician_id: clinician.value ? Number(clinician.value) : null,
      priority: form.querySelector('input[name=wl-priority]:checked').value,
      earliest: earliestIso || null,
      note: note.value.trim() || null,
    };
    if (!entry) body.patient_id = st.patient.id;
    try {
      await (entry ? api('PATCH', `/waiting-list/${entry.id}`, body) : api('POST', '/waiting-list', body));
      closeDialog();
      toast(entry ? t('waiting.saved') : t('waiting.added', st.patient.name));
      changed();
      await done();
    } catch (x) { showError(x, problem, FIELDS, 'waiting'); }
  });
  openDialog(entry ? t('waiting.editTitle') : t('waiting.addTitle'), form);
  (entry ? type : find).focus();
}

function confirmRemove(entry, who, done) {
  const problem = h('div.problem', { role: 'alert' });
  const yes = h('button.danger', { type: 'button', id: 'wl-remove-yes', onclick: async () => {
    try {
      await api('DELETE', `/waiting-list/${entry.id}`);
      closeDialog();
      toast(t('waiting.removed', who));
      changed();
      await done();
    } catch (x) { showError(x, problem); }
  } }, t('waiting.removeGo'));
  const keep = h('button', { type: 'button', id: 'wl-remove-no', onclick: closeDialog }, t('waiting.keep'));
  openDialog(t('waiting.removeTitle'), h('div', {}, h('p', {}, t('waiting.removeText', who, typeName(entry.type_id))), problem,
    h('div.actions', {}, yes, keep)));
  keep.focus(); // the safe choice first
}

// The waiting patients a cancelled appointment a's slot suits, each booked
// into it with one click; open(id) shows the new appointment.
export function waitingOffers(a, open) {
  const box = h('section.offers', { id: 'wl-offers', 'aria-labelledby': 'wl-offers-h' },
    h('h3', { id: 'wl-offers-h' }, t('waiting.offerTitle')), h('p.muted', {}, t('app.loading')));
  const say = h('div', { id: 'wl-offer-result', role: 'status' });
  const fill = async () => {
    let offers;
    try { offers = await api('GET', `/appointments/${a.id}/waiting-list`); } catch (x) {
      clear(box, box.firstChild, h('p.error', {}, explain(x)));
      return;
    }
    clear(box, box.firstChild,
      offers.length ? [h('p', {}, t('waiting.offerIntro')), h('ul.offer-list', {}, offers.map(o => h('li', {},
        h('strong', {}, o.patient_name), ' ', o.priority === 'urgent' ? urgentPill() : null, ' ',
        h('span.muted', {}, [t('waiting.days', daysSince(o.waiting_since)), o.clinician_id ? clinicianName(o.clinician_id) : t('waiting.anyone')].join(' · ')),
        o.note ? h('div.muted', {}, o.note) : null,
        h('button.primary', { type: 'button', onclick: e => bookOffer(o, e.target) }, t('waiting.bookHere', o.patient_name)))))]
        : h('p', {}, t('waiting.noOffers')), say);
  };
  const bookOffer = async (o, btn) => {
    const ty = dir.byId.type[a.type_id];
    const mode = !ty || ty.video_allowed ? 'video' : ty.default_mode;
    const body = { patient_id: o.patient_id, clinician_ids: a.clinician_ids, start: a.start, end: a.end, mode, waiting_id: o.id };
    if (a.type_id) body.type_id = a.type_id;
    if (mode === 'in_person' && a.room_id) body.room_id = a.room_id;
    btn.disabled = true;
    clear(say);
    let made;
    try { made = await api('POST', '/appointments', body); } catch (x) {
      btn.disabled = false;
      const why = h('div.problem', { role: 'alert', id: 'wl-offer-problem' });
      clear(say, why);
      if (x instanceof ApiError && x.status === 409 && x.code === 'conflict') {
        await explainRefusal(x, why, null);
        why.querySelector(':scope > p:last-child')?.remove(); // the booking form's hint: no form here
        why.prepend(h('p', {}, h('strong', {}, t('waiting.takenMeanwhile'))));
        why.append(h('p', {}, t('waiting.takenHint')));
        box.querySelector('.offer-list')?.remove(); // the slot is gone for all of them
      } else why.textContent = x instanceof ApiError && x.code === 'invalid_transition' ? t('waiting.notWaiting') : explain(x);
      return;
    }
    let invited = true, sent = null;
    try { sent = await api('POST', `/appointments/${made.id}/invitations`); } catch { invited = false; }
    changed();
    if (sent?.delivery === 'manual') { // nothing went out: the link and the letter, as at booking
      await open(made.id, { notice: t('waiting.bookedManual', o.patient_name, fmtWhen(made.start)), invitation: sent });
      return;
    }
    // the slot is taken now: nobody else is offered it
    clear(box, box.firstChild, say);
    clear(say, h('p.notice', {}, t(invited ? 'waiting.bookedInvited' : 'waiting.bookedNotInvited', o.patient_name, fmtWhen(made.start))),
      h('button', { type: 'button', id: 'wl-open-new', onclick: () => open(made.id) }, t('waiting.openNew')));
    say.querySelector('button').focus();
  };
  fill();
  return box;
}
