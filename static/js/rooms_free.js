// rooms_free.js - a choice of rooms that says which are free at the time
// being booked (GET /rooms/availability): the unit's rooms first, each
// marked free, or with what is in the way (an appointment's time, "another
// unit's", closed, not open then).  In person it offers the clinic rooms;
// by video the quiet video rooms (a video consultation held from a room
// where the clinician is not disturbed); "no room" first.  The control is
// a plain <select>: its value is the room id.
import { api, query, t, h, clear, dir, timeOf, fmtSpan, addDays, hhmm } from './lib.js';

// One room's words: "A-rom 2 (Bygg 1) – opptatt 09:15–09:45".
function label(r) {
  const name = `${r.name}${r.location ? ` (${r.location})` : ''}`;
  if (r.free) return `${name} – ${t('rooms.free')}`;
  const why = r.in_the_way.map(w => (w.kind === 'appointment' ? t('rooms.busyAt', fmtSpan(w))
    : t(`rooms.${w.kind}`)));
  return `${name} – ${[...new Set(why)].join(', ')}`;
}

// A local span from a day, a clock time and minutes: { start, end } as
// "YYYY-MM-DDTHH:MM:00" (the server reads them in the clinic's zone).
export function localSpan(day, clock, minutes) {
  if (!day || !clock || !(minutes > 0)) return {};
  const m = Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5)) + Number(minutes);
  const endDay = m >= 1440 ? addDays(day, Math.floor(m / 1440)) : day;
  return { start: `${day}T${clock}:00`, end: `${endDay}T${hhmm(m % 1440)}:00` };
}

// The unit whose rooms come first: the first clinician's (the directory's).
export function unitOf(clinicianIds) {
  for (const id of clinicianIds || []) {
    const u = dir.byId.clinician?.[id]?.unit_id;
    if (u) return u;
  }
  return null;
}

// A <select> of rooms; call .when({ start, end, mode[, unit] }) when the
// time or the form changes (start and end "YYYY-MM-DDTHH:MM:SS", local or
// with an offset; mode video, in_person or phone; unit: whose rooms first).  appointmentId: the one being re-booked (not in its
// own way).  The status line (id `${id}-status`) says how many are free.
export function freeRoomSelect({ id, selected = null, unitId = null, appointmentId = null }) {
  const sel = h('select', {}, h('option', { value: '' }, t('book.noRoom')));
  const status = h('span.hint', { id: `${id}-free`, 'aria-live': 'polite' });
  let want = selected ? String(selected) : '';
  let seq = 0;
  sel.addEventListener('change', () => { want = sel.value; });
  sel.when = async ({ start, end, mode, unit = unitId }) => {
    const kind = mode === 'video' ? 'video' : 'clinic';
    const mine = ++seq;
    if (!start || !end || mode === 'phone') {
      fill(dir.rooms.filter(r => r.kind === kind).map(r => ({ ...r, plain: true })));
      status.textContent = '';
      return;
    }
    try {
      const rooms = await api('GET', `/rooms/availability${query({ start, end, kind, unit_id: unit, appointment_id: appointmentId })}`);
      if (mine !== seq) return; // a later question was asked meanwhile
      fill(rooms);
      const free = rooms.filter(r => r.free).length;
      status.textContent = t('rooms.count', free, rooms.length, timeOf(start), timeOf(end));
    } catch {
      if (mine !== seq) return;
      fill(dir.rooms.filter(r => r.kind === kind).map(r => ({ ...r, plain: true })));
      status.textContent = '';
    }
  };
  function fill(rooms) {
    const keep = want;
    clear(sel, h('option', { value: '' }, t('book.noRoom')),
      rooms.map(r => h('option', { value: r.id, selected: String(r.id) === keep, dataset: { free: r.plain ? '' : String(r.free) } },
        r.plain ? `${r.name}${r.location ? ` (${r.location})` : ''}` : label(r))));
    // a room of the other kind (the mode changed) is not kept
    sel.value = keep && [...sel.options].some(o => o.value === keep) ? keep : '';
  }
  sel.status = status;
  return sel;
}

// field() for such a select, its free-room count read with it.
export function roomField(field, id, label, sel, hint) {
  const f = field(id, label, sel, hint);
  sel.setAttribute('aria-describedby', `${sel.getAttribute('aria-describedby')} ${id}-free`);
  sel.after(sel.status);
  return f;
}
