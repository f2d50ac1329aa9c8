// appt.js - one appointment, opened from the calendar or the work queue:
// what it is; re-book in person when the patient opted out (a room, one
// click, a new invitation); move it, change mode or room; cancel with a
// reason; mark it completed or no-show; send or resend the invitation; the
// patient's answer and every message's delivery state, with times; the
// history.  Every change sends If-Match; a stale edit (412) is explained
// and offers a reload.
import {
  api, ApiError, t, h, clear, openDialog, setDialogTitle, field, fieldError, showError, changed,
  STATUS_MARK, fmtWhen, fmtSpan, fmtDate, dateOf, timeOf, minutesOf, clinicianName, roomName, explain,
  nowIso, dateInput, timeInput, parseDay, parseTime,
} from './lib.js';
import { patientFacts, explainRefusal } from './book.js';
import { waitingOffers } from './waiting.js';
import { manualPanel, failedPanel } from './letter.js';
import { freeRoomSelect, roomField, unitOf, localSpan } from './rooms_free.js';
import { latestWords } from './survey_summary.js';
import { partsSection, refocusParts, recipientText, whoIsTold, limits } from './participants.js';

const OPEN = ['booked', 'invited', 'confirmed', 'opted_out'];

// after (optional): what just happened, shown on top: notice, the
// invitation's answer when it went nowhere (letter.js), inviteFailed.
export async function openAppointment(id, after = {}) {
  const body = h('div.appt-view', { id: 'appt-view', 'aria-busy': 'true' }, h('p.muted', {}, t('app.loading')));
  openDialog(t('appt.title'), body, { wide: true });
  await render(id, body, after.notice, after);
}

async function render(id, body, notice, after = {}) {
  let a, patient, people, messages, history;
  try {
    a = await api('GET', `/appointments/${id}`);
    [patient, people, messages, history] = await Promise.all([
      api('GET', `/patients/${a.patient_id}`).catch(() => null),
      api('GET', `/appointments/${id}/participants`),
      api('GET', `/appointments/${id}/messages`),
      api('GET', `/appointments/${id}/history`),
    ]);
  } catch (x) {
    clear(body, h('p.error', { role: 'alert' }, explain(x)));
    body.removeAttribute('aria-busy');
    return;
  }
  const reload = (msg, more) => render(id, body, msg, more);
  setDialogTitle(`${patient?.name || t('appt.patient')} · ${fmtDate(dateOf(a.start), 'short')} ${fmtSpan(a)}`);
  const problem = h('div.problem', { role: 'alert', id: 'appt-problem' });
  // A change with If-Match; a refusal is explained in place.
  const change = async (patch, done) => {
    showError(null, problem);
    try {
      const next = await api('PATCH', `/appointments/${id}`, patch, { ifMatch: a.version });
      changed();
      await reload(done);
      return next;
    } catch (x) {
      if (x instanceof ApiError && x.status === 412) {
        clear(problem, h('p', {}, h('strong', {}, t('appt.stale'))), h('p', {}, t('appt.staleHint')),
          h('button', { type: 'button', onclick: () => reload(t('appt.reloaded')) }, t('appt.reload')));
        problem.querySelector('button').focus();
      } else await explainRefusal(x, problem, null);
      return null;
    }
  };
  const invite = async () => {
    showError(null, problem);
    try {
      const sent = await api('POST', `/appointments/${id}/invitations`);
      changed();
      if (sent.delivery === 'manual') await reload(null, { invitation: sent });
      else await reload(t('appt.invited'));
    } catch (x) { showError(x, problem); }
  };
  const over = a.end <= nowIso();
  const isOpen = OPEN.includes(a.status);
  const patientPart = people.find(p => p.kind === 'patient');

  const facts = h('dl.facts', {},
    h('dt', {}, t('appt.patient')), h('dd', {}, patient ? [h('strong', {}, patient.name), ' ', h('span.muted', {}, patientFacts(patient))] : `#${a.patient_id}`),
    h('dt', {}, t('appt.when')), h('dd', {}, `${fmtDate(dateOf(a.start), 'long')} ${fmtSpan(a)}`),
    h('dt', {}, t('appt.clinicians')), h('dd', {}, a.clinician_ids.map(clinicianName).join(', ')),
    h('dt', {}, t('appt.mode')), h('dd', {}, h(`span.pill.mode-${a.mode}`, {}, t(`mode.${a.mode}`))),
    a.room_id ? [h('dt', {}, t('appt.room')), h('dd', {}, roomName(a.room_id))] : null,
    h('dt', {}, t('appt.status')), h('dd', { id: 'appt-status' }, h(`span.pill.status-${a.status}`, {},
      h('span', { 'aria-hidden': 'true' }, `${STATUS_MARK[a.status]} `), t(`status.${a.status}`)),
    a.opt_out_reason ? h('span', { id: 'appt-opt-out-reason' }, ` ${t('stats.optedOut')}: ${t(`stats.reason_${a.opt_out_reason}`)}`) : null,
    a.status_reason ? h('span', {}, ` «${a.status_reason}»`) : null),
    patientPart ? [h('dt', {}, t('appt.answer')), h('dd', { id: 'appt-answer' }, answerText(patientPart, history))] : null,
    latestWords(a.questionnaire) ? [h('dt', {}, t('quest.latest')), h('dd', { id: 'appt-survey' }, latestWords(a.questionnaire))] : null,
    a.video_url && a.status !== 'cancelled' ? [h('dt', {}, t('appt.video')), h('dd', {}, h('a', { href: a.video_url, target: '_blank', rel: 'noopener' }, t('appt.openVideo')))] : null);

  const sections = [notice ? h('p.notice', { role: 'status' }, notice) : null,
    after.invitation?.delivery === 'manual' ? manualPanel(a, patient, after.invitation) : null,
    after.inviteFailed ? failedPanel(after.inviteFailed, over) : null, facts];
  if (a.status === 'opted_out') sections.push(rebook(a, change, invite));
  // opted out: re-booking in person is the main action; the video
  // invitation again only when the patient has said yes to video after all
  if (isOpen && !over && a.status === 'opted_out') sections.push(h('div.actions', {},
    h('button', { type: 'button', id: 'appt-invite', onclick: invite, 'aria-describedby': 'appt-invite-hint' }, t('inv.reinviteVideo')),
    h('p.hint', { id: 'appt-invite-hint' }, t('inv.reinviteHint'))));
  else if (isOpen && !over) sections.push(h('div.actions', {},
    h('button.primary', { type: 'button', id: 'appt-invite', onclick: invite },
      a.status === 'booked' ? t('appt.invite') : t('appt.reinvite'))));
  sections.push(problem);
  const lim = await limits().catch(() => null); // the platform's limit, and who may change
  const editable = ['admin', 'secretary'].includes(lim?.role) && isOpen && !over;
  sections.push(partsSection(a, people, messages, { change, reload, editable, lim }));
  if (isOpen) sections.push(moveForm(a, change), cancelForm(change, whoIsTold(patient, people)));
  if (a.status === 'cancelled' && a.start > nowIso()) sections.push(waitingOffers(a, openAppointment)); // the freed slot
  if (a.status !== 'cancelled' && a.start <= nowIso() || ['completed', 'no_show'].includes(a.status)) {
    sections.push(h('div.actions', { role: 'group', 'aria-label': t('appt.outcome') },
      h('button', { type: 'button', disabled: a.status === 'completed', onclick: () => change({ status: 'completed' }, t('appt.markedCompleted')) }, t('appt.completed')),
      h('button', { type: 'button', disabled: a.status === 'no_show', onclick: () => change({ status: 'no_show' }, t('appt.markedNoShow')) }, t('appt.noShow'))));
  }
  sections.push(messageList(a, messages, reload, problem), historyList(history));
  clear(body, sections);
  body.removeAttribute('aria-busy');
  const focus = body.querySelector('#manual-h, #invite-failed-h') ||
    (body.querySelector('.notice') ? body.querySelector('#appt-invite, #rebook-room, button') : null);
  // a render that ends after the dialog was closed takes no focus from where the user is now
  if (!body.closest('dialog[open]')) return;
  if (focus) focus.focus();
  refocusParts(body);
}

function answerText(p, history) {
  const by = history.filter(x => x.actor === 'patient').pop();
  if (p.response === 'needs-action' && !by) return t('appt.noAnswer');
  const what = by ? t(`answer.${by.action}`) : t(`response.${p.response}`);
  const when = by?.at || p.responded_at;
  return when ? `${what} (${fmtWhen(when)})` : what;
}

// The patient asked to meet in person: pick a room, one click re-books and
// re-invites.
function rebook(a, change, invite) {
  // which rooms are free then, the unit's first
  const room = freeRoomSelect({ id: 'rebook-room', unitId: unitOf(a.clinician_ids), appointmentId: a.id });
  room.when({ start: a.start, end: a.end, mode: 'in_person' });
  const go = h('button.primary', { type: 'button', onclick: async () => {
    if (!room.value) return fieldError('rebook-room', t('book.needRoom'));
    const done = await change({ mode: 'in_person', room_id: Number(room.value), status: 'booked' }, t('appt.rebooked'));
    if (done) await invite();
  } }, t('appt.rebookGo'));
  return h('section.attention', { 'aria-labelledby': 'rebook-h' },
    h('h3', { id: 'rebook-h' }, t('appt.optedOutH')),
    h('p', {}, a.opt_out_reason ? `${t(`stats.reason_${a.opt_out_reason}`)}. ` : '',
      a.status_reason ? t('appt.optedOutWhy', a.status_reason) : t('appt.optedOut')),
    roomField(field, 'rebook-room', t('book.room'), room), go);
}

function moveForm(a, change) {
  // typed the Norwegian way (dd.mm.åååå, 24 h) whatever the browser's locale
  const date = dateInput(dateOf(a.start));
  const time = timeInput(timeOf(a.start));
  const minutes = (dateOf(a.end) === dateOf(a.start) ? minutesOf(a.end) : 1440) - minutesOf(a.start);
  const duration = h('input', { type: 'number', min: '5', max: '480', step: '5', value: String(minutes) });
  const modes = ['video', 'in_person', 'phone'].map(m => h('label.check', {},
    h('input', { type: 'radio', name: 'mv-mode', value: m, checked: a.mode === m }), t(`mode.${m}`)));
  // which rooms are free at the time typed: clinic rooms in person, quiet
  // video rooms by video
  const room = freeRoomSelect({ id: 'mv-room', selected: a.room_id, unitId: unitOf(a.clinician_ids), appointmentId: a.id });
  const mode = () => form.querySelector('input[name=mv-mode]:checked').value;
  const ask = () => {
    const span = localSpan(parseDay(date.value), parseTime(time.value), Number(duration.value));
    room.when({ ...span, mode: mode() });
  };
  const form = h('form', { onsubmit: async e => {
    e.preventDefault();
    const patch = {};
    const day = parseDay(date.value), clock = parseTime(time.value);
    if (!day) return fieldError('mv-date', t('admin.bad.date'));
    if (!clock) return fieldError('mv-time', t('admin.bad.time'));
    const start = `${day}T${clock}:00`;
    if (day !== dateOf(a.start) || clock !== timeOf(a.start) || Number(duration.value) !== minutes) {
      patch.start = start;
      patch.duration_minutes = Number(duration.value);
    }
    if (mode() !== a.mode) patch.mode = mode();
    const roomId = room.value ? Number(room.value) : null;
    if (roomId !== a.room_id) patch.room_id = roomId;
    if (!Object.keys(patch).length) return;
    await change(patch, t('appt.saved'));
  } },
  h('div.row', {}, field('mv-date', t('book.date'), date), field('mv-time', t('book.time'), time),
    field('mv-duration', t('appt.minutes'), duration)),
  h('fieldset', {}, h('legend', {}, t('book.mode')), h('div.row', {}, modes)),
  roomField(field, 'mv-room', t('book.room'), room, t('book.roomHint')),
  h('button.primary', { type: 'submit' }, t('appt.save')));
  for (const el of [date, time, duration]) el.addEventListener('change', ask);
  for (const r of form.querySelectorAll('input[name=mv-mode]')) r.addEventListener('change', ask);
  ask();
  return h('details.change', {}, h('summary', {}, t('appt.change')), form);
}

// told: who the cancellation tells (participants.js whoIsTold), said
// before the button so that nothing is promised that will not be sent.
function cancelForm(change, told) {
  const reason = h('textarea', { rows: '2', maxlength: '500' });
  return h('details.change.danger', {}, h('summary', {}, t('appt.cancel')),
    field('cx-reason', t('appt.cancelReason'), reason, told.text),
    h('button.danger', { type: 'button', id: 'appt-cancel', onclick: () => {
      const patch = { status: 'cancelled' };
      if (reason.value.trim()) patch.reason = reason.value.trim();
      return change(patch, t('appt.cancelled'));
    } }, t('appt.cancelGo')));
}

function messageList(a, messages, reload, problem) {
  const rows = messages.map(m => h('tr', { class: `msg-${m.status}` },
    h('td', {}, fmtWhen(m.created_at)),
    h('td', {}, recipientText(m), h('div.muted', {}, m.to)),
    h('td', {}, t(`channel.${m.channel}`)),
    h('td', {}, t(`kind.${m.kind}`)),
    h('td', {}, h('span', { class: `pill msg-${m.status}` }, t(`delivery.${m.status}`)),
      m.status === 'sent' && m.sent_at ? ` ${fmtWhen(m.sent_at)}` : '',
      m.status === 'failed' && m.last_error ? h('div.muted', {}, m.last_error) : null,
      m.handled_at ? h('div.muted', {}, t('appt.handledBy', m.handled_by, fmtWhen(m.handled_at))) : null),
    h('td', {}, m.status === 'failed' && !m.handled_at ? h('button', { type: 'button', onclick: async () => {
      try {
        await api('POST', `/appointments/${a.id}/messages/${m.id}/handled`);
        changed();
        await reload(t('appt.handled'));
      } catch (x) { showError(x, problem); }
    } }, t('appt.markHandled')) : '')));
  return h('section', { 'aria-labelledby': 'msg-h' }, h('h3', { id: 'msg-h' }, t('appt.messages')),
    messages.length ? h('table.messages', {}, h('caption.sr', {}, t('appt.messages')),
      h('thead', {}, h('tr', {}, ['sent', 'to', 'channel', 'kind', 'state', 'action'].map(k => h('th', { scope: 'col' }, t(k === 'to' ? 'parts.col.to' : `appt.col.${k}`))))),
      h('tbody', {}, rows)) : h('p.muted', {}, t('appt.noMessages')));
}

function historyList(history) {
  const what = x => {
    const c = x.changes || {};
    if (x.action === 'create') return t('appt.h.create');
    const parts = [];
    if (c.status) parts.push(`${t(`status.${c.status.old}`)} → ${t(`status.${c.status.new}`)}`);
    if (c.start) parts.push(t('appt.h.moved', fmtWhen(c.start.new)));
    if (c.mode) parts.push(`${t(`mode.${c.mode.old}`)} → ${t(`mode.${c.mode.new}`)}`);
    if (c.room_id) parts.push(t('appt.h.room', roomName(c.room_id.new) || '–'));
    if (c.status_reason?.new) parts.push(`«${c.status_reason.new}»`);
    return parts.join('; ') || x.action;
  };
  return h('details.history', {}, h('summary', {}, t('appt.history', history.length)),
    h('ol', {}, history.map(x => h('li', {}, h('span.muted', {}, fmtWhen(x.at)), ' ',
      x.actor === 'patient' ? t('appt.byPatient') : x.actor, ': ', what(x)))));
}
