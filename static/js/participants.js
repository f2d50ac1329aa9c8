// participants.js - the many-party meeting: who else takes part in an
// appointment besides the patient.  Other clinicians (of the unit) and
// guests (GP, NAV adviser, interpreter with the language, next of kin,
// other), each with their own contact details, their own invitation and
// their own answer.
//
// Two places use it: the booking form (guestsForBooking: guests are kept
// in the form until the appointment exists, then added and, when the form
// says so, invited one by one) and the appointment dialog (partsSection:
// the list with each one's answer and message state, invite, remove with a
// confirmation, add a clinician or a guest, the clinic's reference for the
// guests' page).  The platform's limit (GET /me: video_max_participants,
// max_guests) is shown before it is hit ("3 of 8") and the add button is
// disabled at it.  The module also says whom each message went to
// (recipientText) and who a cancellation will tell (whoIsTold), so that
// the dialog promises nothing the server will not send.
import { api, t, h, clear, field, showError, toast, explain, changed, fmtWhen, clinicianName, dir } from './lib.js';

export const ROLES = ['gp', 'nav', 'interpreter', 'next_of_kin', 'other'];
const GUEST_FIELDS = ['name', 'role', 'interpreter_language', 'phone', 'email', 'language', 'organisation'];

// The limits and the role of whoever is logged in now (asked each time a
// form is drawn: another user may have logged in since).
export function limits() {
  return api('GET', '/me').then(me => ({ video: me.video_max_participants, guests: me.max_guests, role: me.role }));
}

// A phone number as people type it ("912 34 567", "+47 912 34 567",
// "0047…") in E.164, as the API normalises it (validate_phone); null when
// the API would refuse it.
export function normalPhone(text) {
  const d = text.replace(/[\s\-.()]/g, '');
  let out;
  if (d.startsWith('00')) out = `+${d.slice(2)}`;
  else if (d.startsWith('+')) out = d;
  else if (/^[2-9]\d{7}$/.test(d)) out = `+47${d}`;
  else return null;
  return /^\+[1-9]\d{7,14}$/.test(out) ? out : null;
}

const emailOk = s => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) && s.length <= 254;

// "Fastlege Åse (GP)", "Anna (interpreter, Polish)".
export function guestLabel(g) {
  const what = [t(`guest.${g.role}`), g.interpreter_language].filter(Boolean).join(', ');
  return `${g.name} (${what})`;
}

// How full the meeting is: "3 of 8 in the video meeting" (or guests of the
// appointment's cap when not by video), and whether one more fits.
export function fullness(lim, mode, nClinicians, nGuests) {
  if (mode === 'video') {
    const n = 1 + nClinicians + nGuests;
    return { text: t('parts.count', n, lim.video), full: n >= lim.video };
  }
  return { text: t('parts.countGuests', nGuests, lim.guests), full: nGuests >= lim.guests };
}

// The add-a-guest controls: role, name, the interpreter's language, phone,
// e-mail, the language of their messages.  Enter in any field adds.
// onAdd(body) gets the guest as the API takes it, already checked here the
// way the API checks it; it returns true when the guest was added (the
// fields are then emptied and the name field takes focus again).
function guestForm(prefix, onAdd) {
  const c = {
    role: h('select', {}, ROLES.map(r => h('option', { value: r }, t(`guest.${r}`)))),
    name: h('input', { type: 'text', autocomplete: 'off', maxlength: '200' }),
    interpreter_language: h('input', { type: 'text', autocomplete: 'off', maxlength: '60' }),
    phone: h('input', { type: 'tel', autocomplete: 'off', placeholder: '+47…' }),
    email: h('input', { type: 'email', autocomplete: 'off' }),
    language: h('select', {}, ['nb', 'nn', 'en'].map(l => h('option', { value: l }, t(`lang.${l}`)))),
  };
  const ids = Object.fromEntries(Object.keys(c).map(k => [k, `${prefix}-${k}`]));
  const langField = field(ids.interpreter_language, t('parts.interpreterLanguage'), c.interpreter_language);
  const problem = h('p.error', { role: 'alert', id: `${prefix}-problem` });
  const add = h('button', { type: 'button', id: `${prefix}-add` }, t('parts.addGuest'));
  const syncRole = () => { langField.hidden = c.role.value !== 'interpreter'; };
  c.role.addEventListener('change', syncRole);
  const say = (k, text) => {
    showError(null, problem);
    c[k].setAttribute('aria-invalid', 'true');
    document.getElementById(`${ids[k]}-error`).textContent = text;
    c[k].focus();
    return false;
  };
  // The guest as the API takes it, or false (said at the field).
  const read = () => {
    showError(null, problem);
    const body = { role: c.role.value, name: c.name.value.trim(), language: c.language.value };
    if (!body.name) return say('name', t('parts.needName'));
    if (body.role === 'interpreter') {
      body.interpreter_language = c.interpreter_language.value.trim();
      if (!body.interpreter_language) return say('interpreter_language', t('parts.needLanguage'));
    }
    const phone = c.phone.value.trim();
    if (phone) {
      body.phone = normalPhone(phone);
      if (!body.phone) return say('phone', t('parts.badPhone'));
      c.phone.value = body.phone;
    }
    const email = c.email.value.trim();
    if (email) {
      if (!emailOk(email)) return say('email', t('parts.badEmail'));
      body.email = email;
    }
    return body;
  };
  const TYPED = ['name', 'interpreter_language', 'phone', 'email'];
  // Whether the add succeeded (a refusal is said at the field).
  const go = async (focusAfter = true) => {
    if (add.disabled) return false;
    const body = read();
    if (!body) return false;
    add.disabled = true;
    let ok = false;
    try { ok = await onAdd(body, problem, ids); } finally { add.disabled = false; }
    if (ok) {
      for (const k of TYPED) c[k].value = '';
      if (focusAfter && c.name.isConnected) c.name.focus();
    }
    return ok;
  };
  add.addEventListener('click', () => go());
  const box = h('div.guest-form', { role: 'group', 'aria-labelledby': `${prefix}-legend` },
    h('p.legend', { id: `${prefix}-legend` }, h('strong', {}, t('parts.newGuest'))),
    h('div.row', {}, field(ids.role, t('parts.role'), c.role), field(ids.name, t('parts.name'), c.name), langField),
    h('div.row', {}, field(ids.phone, t('parts.phone'), c.phone, t('parts.phoneHint')),
      field(ids.email, t('parts.email'), c.email), field(ids.language, t('parts.messageLanguage'), c.language)),
    problem, add);
  box.addEventListener('keydown', e => {
    if (e.key === 'Enter' && e.target.tagName === 'INPUT') { e.preventDefault(); go(); }
  });
  syncRole();
  // A guest typed in but not added: added now as "Add guest" would (true),
  // or refused at the field (false); true when nothing is typed.
  const commit = async () => {
    if (!box.isConnected || !TYPED.some(k => c[k].value.trim())) return true;
    if (add.disabled) { // the meeting is full
      showError(null, problem);
      problem.textContent = t('parts.typedFull');
      c.name.focus();
      return false;
    }
    return go(false);
  };
  return { el: box, add, ids, commit };
}

// The reference field ("shown to guests instead of the patient's initials").
function referenceField(id, value) {
  const input = h('input', { type: 'text', maxlength: '40', autocomplete: 'off', value: value || '' });
  return { input, el: field(id, t('parts.reference'), input, t('parts.referenceHint')) };
}

// ---- at booking ----

// The "Other participants" part of the booking form.  mode() and
// clinicians() read the form; call sync() when they change.  body() is what
// goes into the booking (the reference); save(id, invite) adds the guests
// to the booked appointment (and invites each when invite) and answers the
// problems, one text each.
export function guestsForBooking({ mode, clinicians }) {
  const guests = [];
  let lim = null; // until GET /me answers (the form is complete by then)
  const count = h('p.parts-count', { id: 'bk-parts-count', 'aria-live': 'polite' });
  const list = h('ul.parts-pending', { id: 'bk-guests' });
  const ref = referenceField('bk-reference');
  const form = guestForm('bk-guest', async body => {
    guests.push(body);
    render();
    toast(t('parts.added', body.name));
    return true;
  });
  const sync = () => {
    if (!lim) return;
    const f = fullness(lim, mode(), clinicians().length, guests.length);
    count.textContent = f.text;
    form.add.disabled = f.full;
    form.add.setAttribute('aria-describedby', 'bk-parts-count');
    count.classList.toggle('full', f.full);
    if (f.full) count.textContent = `${f.text}. ${t('parts.full')}`;
  };
  const render = () => {
    clear(list, guests.map((g, i) => h('li', {}, h('span', {}, guestLabel(g)), ' ',
      h('span.muted', {}, [g.phone, g.email].filter(Boolean).join(' · ') || t('parts.noContact')), ' ',
      h('button.link', { type: 'button', 'aria-label': t('parts.removeName', g.name), onclick: () => {
        guests.splice(i, 1);
        render();
        form.el.querySelector('input').focus();
      } }, t('parts.remove')))));
    list.hidden = !guests.length;
    sync();
  };
  limits().then(l => { lim = l; sync(); }, () => {});
  render();
  // the controls join the form when the part is first opened: a booking
  // without guests has no second set of name and phone fields
  const el = h('details.parts', { id: 'bk-parts' }, h('summary', {}, t('parts.title')));
  el.addEventListener('toggle', () => {
    if (el.open && !el.querySelector('.guest-form'))
      el.append(h('p.muted', {}, t('parts.bookingIntro')), count, list, form.el, ref.el);
  });
  return {
    el, sync,
    // before booking: the guest typed in the form but not added yet
    commitTyped: () => form.commit(),
    body: () => (ref.input.value.trim() ? { reference: ref.input.value.trim() } : {}),
    async save(id, invite) {
      const problems = [];
      for (const g of guests) {
        try {
          const p = await api('POST', `/appointments/${id}/participants`, g);
          if (invite && (p.phone || p.email)) await api('POST', `/appointments/${id}/participants/${p.id}/invitations`);
        } catch (x) { problems.push(`${g.name}: ${explain(x)}`); }
      }
      return problems;
    },
  };
}

// ---- on an existing appointment ----

// The newest message to participant id on each channel: "SMS sent 01.03 09:00".
function messageState(messages, id) {
  const last = {};
  for (const m of messages) if (m.participant_id === id) last[m.channel] = m;
  const parts = Object.values(last).map(m => h('span', { class: `pill msg-${m.status}` },
    `${t(`channel.${m.channel}`)}: ${t(`delivery.${m.status}`)}${m.status === 'sent' && m.sent_at ? ` ${fmtWhen(m.sent_at)}` : ''}`));
  return parts.length ? parts : t('parts.notInvited');
}

// Where the focus goes when the dialog is drawn again after a change here.
let refocus = null;
export function refocusParts(root) {
  if (!refocus) return;
  const el = root.querySelector(refocus) || root.querySelector('#parts-h');
  refocus = null;
  if (el) el.focus();
}

// The participants section of the appointment dialog.  a: the
// appointment; people: its participants; messages: its messages;
// change(patch, notice): the dialog's If-Match PATCH; reload(notice);
// editable: whether this user may change them now; lim: limits().
export function partsSection(a, people, messages, { change, reload, editable, lim }) {
  const problem = h('div.problem', { role: 'alert', id: 'parts-problem' });
  const guests = people.filter(p => p.kind === 'guest');
  const count = h('p.parts-count', { id: 'parts-count', 'aria-live': 'polite' });
  const act = async (fn, notice, focus) => {
    showError(null, problem);
    try {
      await fn();
      changed();
      refocus = focus;
      await reload(notice);
    } catch (x) { showError(x, problem); }
  };

  const rows = [];
  for (const id of a.clinician_ids) {
    const c = dir.byId.clinician?.[id];
    rows.push(h('tr', {}, h('th', { scope: 'row' }, clinicianName(id)),
      h('td', {}, c?.profession || t('parts.clinician')), h('td', {}, '–'), h('td', {}, '–'), h('td', {}, '–'), h('td', {})));
  }
  for (const g of guests) {
    const actions = h('td.actions-cell', {});
    if (editable) {
      const contact = g.phone || g.email;
      const invite = h('button', { type: 'button', id: `parts-invite-${g.id}`, disabled: !contact,
        'aria-label': t(g.invited ? 'parts.reinviteName' : 'parts.inviteName', g.name),
        onclick: () => act(() => api('POST', `/appointments/${a.id}/participants/${g.id}/invitations`),
          t('parts.invited', g.name), `#parts-invite-${g.id}`) }, t(g.invited ? 'parts.reinvite' : 'parts.invite'));
      const remove = h('button.danger', { type: 'button', id: `parts-remove-${g.id}`, 'aria-label': t('parts.removeName', g.name) }, t('parts.remove'));
      remove.addEventListener('click', () => {
        // ask first, in place; the focus goes to the question's answer
        const yes = h('button.danger', { type: 'button', id: `parts-remove-yes-${g.id}`, onclick: () => act(
          () => api('DELETE', `/appointments/${a.id}/participants/${g.id}`), t('parts.removed', g.name), '#parts-count') },
        t('parts.removeYes'));
        const keep = h('button', { type: 'button', onclick: () => { clear(actions, invite, ' ', remove); remove.focus(); } }, t('parts.keep'));
        clear(actions, h('span', { role: 'alert' }, t('parts.removeQ', g.name, a.mode === 'video')), ' ', yes, ' ', keep);
        yes.focus();
      });
      clear(actions, invite, ' ', remove);
    }
    rows.push(h('tr', { id: `parts-guest-${g.id}` }, h('th', { scope: 'row' }, g.name),
      h('td', {}, [t(`guest.${g.role}`), g.interpreter_language].filter(Boolean).join(', ')),
      h('td', {}, [g.phone, g.email].filter(Boolean).join(' · ') || h('span.muted', {}, t('parts.noContact'))),
      h('td', { class: `answer-${g.response}` }, t(`response.${g.response}`), g.responded_at ? h('span.muted', {}, ` ${fmtWhen(g.responded_at)}`) : null),
      h('td', {}, messageState(messages, g.id)),
      actions));
  }
  const table = h('table.parts', { id: 'parts-table' }, h('caption.sr', {}, t('parts.heading')),
    h('thead', {}, h('tr', {}, ['name', 'role', 'contact', 'answer', 'messages', 'action'].map(k => h('th', { scope: 'col' }, t(`parts.col.${k}`))))),
    h('tbody', {}, rows));

  const section = h('section.parts', { 'aria-labelledby': 'parts-h', id: 'parts' },
    h('h3', { id: 'parts-h', tabindex: '-1' }, t('parts.heading')), count, table, problem);
  const f = lim ? fullness(lim, a.mode, a.clinician_ids.length, guests.length) : null;
  const full = !!f?.full;
  if (f) count.textContent = full ? `${f.text}. ${t('parts.full')}` : f.text;
  count.classList.toggle('full', full);
  if (!editable) return section;

  // another clinician of the unit(s) of those already booked
  const units = new Set(a.clinician_ids.map(id => dir.byId.clinician?.[id]?.unit_id).filter(Boolean));
  const others = dir.clinicians.filter(c => !a.clinician_ids.includes(c.id) && (!units.size || units.has(c.unit_id)));
  const pick = h('select', {}, h('option', { value: '' }, t('parts.chooseClinician')),
    others.map(c => h('option', { value: c.id }, `${c.name} (${c.profession})`)));
  const addClin = h('button', { type: 'button', id: 'parts-add-clinician', onclick: async () => {
    if (!pick.value) { pick.focus(); return; }
    const name = clinicianName(Number(pick.value));
    refocus = '#parts-clinician';
    const done = await change({ clinician_ids: [...a.clinician_ids, Number(pick.value)] }, t('parts.added', name));
    if (!done) refocus = null;
  } }, t('parts.addClinician'));
  const form = guestForm('parts-guest', async (body, box, ids) => {
    try {
      await api('POST', `/appointments/${a.id}/participants`, body);
    } catch (x) {
      showError(x, box, Object.fromEntries(GUEST_FIELDS.map(k => [k, ids[k]])));
      return false;
    }
    changed();
    refocus = '#parts-guest-name';
    await reload(t('parts.added', body.name));
    return true;
  });
  const ref = referenceField('parts-reference', a.reference);
  const saveRef = h('button', { type: 'button', id: 'parts-reference-save', onclick: async () => {
    refocus = '#parts-reference';
    const done = await change({ reference: ref.input.value.trim() || null }, t('parts.referenceSaved'));
    if (!done) refocus = null;
  } }, t('parts.referenceSave'));
  ref.input.addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); saveRef.click(); } });

  form.add.disabled = full;
  addClin.disabled = full && a.mode === 'video';
  form.add.setAttribute('aria-describedby', 'parts-count');
  section.append(
    h('div.row', {}, field('parts-clinician', t('parts.otherClinician'), pick), addClin),
    form.el,
    h('div.row', {}, ref.el, saveRef));
  return section;
}

// ---- whom messages go to ----

// Whom message m went to: "Kari Nordmann (patient)", "Åse (GP)".
export function recipientText(m) {
  const r = m.recipient;
  if (!r) return '–';
  const who = r.kind === 'guest' ? guestLabel(r) : `${r.name} (${t(`parts.kind.${r.kind}`)})`;
  return r.removed ? `${who}, ${t('parts.wasRemoved')}` : who;
}

// What cancelling will tell, truthfully (outbox.c: the patient only when
// they were invited and have a phone or e-mail; each invited guest with
// one): a sentence, and whether anyone is told at all.
export function whoIsTold(patient, people) {
  const chans = x => [x?.phone ? t('channel.sms') : null, x?.email ? t('channel.email').toLowerCase() : null]
    .filter(Boolean).join(t('parts.and'));
  const me = people.find(p => p.kind === 'patient');
  const guests = people.filter(p => p.kind === 'guest' && p.invited && (p.phone || p.email));
  const why = !patient ? null : !patient.phone && !patient.email ? 'noChannel' : !me?.invited ? 'notInvited' : null;
  const told = [];
  if (patient && !why) told.push(t('parts.tellPatient', chans(patient)));
  if (guests.length) told.push(t('parts.tellGuests', guests.map(g => `${guestLabel(g)}: ${chans(g)}`).join('; ')));
  if (!told.length) return { text: t('parts.noOne', t(`parts.why.${why || 'notInvited'}`)), anyone: false };
  if (why) told.push(t('parts.patientNotTold', t(`parts.why.${why}`)));
  return { text: told.join(' '), anyone: true };
}
