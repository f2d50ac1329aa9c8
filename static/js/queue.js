// queue.js - the work queue: everything that needs a secretary, from the
// API's GET /work-queue (computed from the data, so nothing is missed and
// an item leaves only when its cause is dealt with): patients who opted out
// of video (pick a room: one click re-books in person and re-invites),
// failed messages (resend, or mark handled after a phone call), invitations
// unanswered shortly before the appointment once the patient has had
// reasonable time (24 h, or half the time that was left; the server's
// rule).  Grouped by cause, failed messages first, each by the
// appointment's time; refreshed every minute and after every change.
import {
  api, query, t, h, clear, dir, fmtWhen, fmtSpan, fmtDate, dateOf, clinicianName, explain, toast,
  changed, field, fieldError,
} from './lib.js';
import { freeRoomSelect, roomField, unitOf } from './rooms_free.js';
import { openAppointment } from './appt.js';

const GROUPS = ['message_failed', 'opted_out', 'unanswered', 'prom_control']; // failed first: they went nowhere
let timer = null;
let reload = null;
window.addEventListener('timebok:changed', () => { if (reload && document.getElementById('queue')) reload(); });

export function showQueue(main, params) {
  clearInterval(timer);
  const unit = params.unit || '';
  const unitSel = h('select', { id: 'q-unit', onchange: e => { location.hash = `#/queue${query({ unit: e.target.value })}`; } },
    h('option', { value: '' }, t('cal.allUnits')),
    dir.units.map(u => h('option', { value: u.id, selected: String(u.id) === unit }, u.name)));
  const box = h('div', { id: 'queue', 'aria-live': 'polite' }, h('p.muted', {}, t('app.loading')));
  clear(main, h('div.toolbar', {}, h('h1', {}, t('queue.title')),
    h('div.group', {}, h('label.inline', { for: 'q-unit' }, t('cal.unit')), unitSel)),
  h('p.muted', {}, t('queue.intro'), ' ', t('inv.queueRule')), box);
  const load = async () => {
    try {
      // the list (up to the server's page of 5,000) and how many there are: a cut list says so
      const [items, { count }] = await Promise.all([api('GET', `/work-queue${query({ unit_id: unit })}`),
        api('GET', `/work-queue/count${query({ unit_id: unit })}`)]);
      draw(box, items, count);
    } catch (x) { clear(box, h('p.error', { role: 'alert' }, explain(x))); }
  };
  reload = load;
  load();
  timer = setInterval(() => { if (!document.querySelector('dialog[open]')) load(); }, 60000);
}

function draw(box, items, count) {
  const sections = GROUPS.map(kind => {
    const mine = items.filter(x => x.kind === kind);
    return h('section.queue-group', { 'aria-labelledby': `q-${kind}` },
      h('h2', { id: `q-${kind}` }, t(`queue.${kind}`), ' ', h('span.badge', {}, String(mine.length))),
      mine.length ? h('ul.queue', {}, mine.map(item)) : h('p.muted', {}, t('queue.none')));
  });
  clear(box, items.length ? null : h('p.notice', {}, t('queue.empty')),
    count > items.length ? h('p.notice', { id: 'q-more', role: 'status' }, t('queue.more', items.length, count)) : null, sections);
}

function item(x) {
  const a = x.appointment;
  const key = `${x.kind}-${a.id}-${x.message_id || 0}`;
  const facts = h('div.q-facts', {},
    h('button.link.q-open', { type: 'button', onclick: () => openAppointment(a.id) },
      h('strong', {}, a.patient_name), ` · ${fmtDate(dateOf(a.start), 'short')} ${fmtSpan(a)}`),
    h('div.muted', {}, `${a.clinician_ids.map(clinicianName).join(', ')} · ${t(`mode.${a.mode}`)}`),
    x.kind === 'opted_out' ? h('div', {}, x.detail ? t('queue.why', x.detail) : t('queue.noReason'), x.at ? h('span.muted', {}, ` (${fmtWhen(x.at)})`) : null) : null,
    x.kind === 'message_failed' ? h('div', {}, t('queue.failedOn', t(`channel.${x.channel}`), x.at ? fmtWhen(x.at) : ''),
      x.detail ? h('div.muted', {}, x.detail) : null) : null,
    x.kind === 'unanswered' ? h('div', {}, x.at ? t('queue.invitedAt', fmtWhen(x.at)) : t('queue.notAnswered')) : null,
    x.kind === 'prom_control' ? h('div', {}, t('queue.promAt', x.at ? fmtWhen(x.at) : '')) : null);
  const problem = h('p.error', { role: 'alert' });
  const act = async (fn, done) => {
    problem.textContent = '';
    try { if (await fn() !== false) toast(done); changed(); } catch (x) { problem.textContent = explain(x); }
  };
  // an invitation that could go nowhere (no mobile, no e-mail) is not
  // "sent": the appointment opens with the link and the letter instead
  const invite = async () => {
    const sent = await api('POST', `/appointments/${a.id}/invitations`);
    if (sent.delivery !== 'manual') return true;
    await openAppointment(a.id, { invitation: sent });
    return false;
  };
  let actions;
  if (x.kind === 'opted_out') {
    // which rooms are free then, the unit's first
    const room = freeRoomSelect({ id: `room-${key}`, unitId: unitOf(a.clinician_ids), appointmentId: a.id });
    room.when({ start: a.start, end: a.end, mode: 'in_person' });
    actions = [roomField(field, `room-${key}`, t('book.room'), room),
      h('button.primary', { type: 'button', onclick: () => {
        if (!room.value) return fieldError(`room-${key}`, t('book.needRoom'));
        return act(async () => {
          await api('PATCH', `/appointments/${a.id}`, { mode: 'in_person', room_id: Number(room.value), status: 'booked' }, { ifMatch: a.version });
          return invite();
        }, t('queue.rebooked', a.patient_name));
      } }, t('appt.rebookGo'))];
  } else if (x.kind === 'message_failed') {
    actions = [h('button.primary', { type: 'button', onclick: () => act(invite, t('appt.invited')) }, t('queue.resend')),
      h('button', { type: 'button', onclick: () => act(() => api('POST', `/appointments/${a.id}/messages/${x.message_id}/handled`), t('appt.handled')) }, t('appt.markHandled'))];
  } else if (x.kind === 'prom_control') {
    actions = []; // the patient waits on the waiting list; booking from it ends the item
  } else {
    actions = [h('button', { type: 'button', onclick: () => act(invite, t('appt.invited')) }, t('queue.remind')),
      h('button', { type: 'button', onclick: () => act(() => api('PATCH', `/appointments/${a.id}`, { status: 'confirmed' }, { ifMatch: a.version }),
        t('queue.confirmedByPhone')) }, t('queue.confirmByPhone'))];
  }
  return h(`li.q-item.q-${x.kind}`, { dataset: { appointment: a.id, kind: x.kind } }, facts, h('div.q-actions', {}, actions), problem);
}
