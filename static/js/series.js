// series.js - a follow-up series from the booking form ("every N weeks,
// M times").  Nothing is written until the secretary has seen every
// occurrence: POST /appointments/series with "dry_run" says of each whether
// it can be booked and what is in the way (the clinician busy, absent or
// not working then, the room busy or closed, the patient busy).  Each one
// can be moved to a free time of its week (GET /slots, nearest first) or
// skipped, and is checked again; then the series is booked all or nothing
// with the starts as adjusted ("starts"), and each appointment is invited
// as a single booking is.
import {
  api, ApiError, query, t, h, clear, toast, changed, closeDialog, field, explain, showError,
  dateOf, timeOf, fmtDate, fmtWhen, monday, addDays, nowLocal, clinicianName, roomName,
} from './lib.js';
import { openAppointment } from './appt.js';

// The repeat choice inside the booking form: off unless ticked;
// onToggle(on) hears it ticked or not.
export function seriesSection(onToggle = () => {}) {
  const on = h('input', { type: 'checkbox', id: 'bk-series' });
  const every = h('input', { type: 'number', min: '1', max: '52', value: '2', inputmode: 'numeric' });
  const count = h('input', { type: 'number', min: '2', max: '52', value: '6', inputmode: 'numeric' });
  const fields = h('div.row', { hidden: true }, field('bk-series-every', t('series.every'), every, t('series.everyHint')),
    field('bk-series-count', t('series.count'), count, t('series.countHint')));
  on.addEventListener('change', () => { fields.hidden = !on.checked; onToggle(on.checked); if (on.checked) every.focus(); });
  for (const input of [every, count]) input.addEventListener('input', () => { // a correction clears the complaint
    input.removeAttribute('aria-invalid');
    document.getElementById(`${input.id}-error`).textContent = '';
  });
  const el = h('fieldset.series', {}, h('legend', {}, t('series.legend')),
    h('label.check', {}, on, t('series.repeat')), fields);
  return {
    el,
    active: () => on.checked,
    // {every_weeks, count}, or null after saying what is wrong at the field
    repeat() {
      const w = Number(every.value), n = Number(count.value);
      for (const el2 of el.querySelectorAll('[aria-invalid]')) el2.removeAttribute('aria-invalid');
      if (!Number.isInteger(w) || w < 1 || w > 52) return bad('bk-series-every', t('series.badEvery'));
      if (!Number.isInteger(n) || n < 2 || n > 52) return bad('bk-series-count', t('series.badCount'));
      return { every_weeks: w, count: n };
    },
  };
}

function bad(id, text) {
  const c = document.getElementById(id);
  c.setAttribute('aria-invalid', 'true');
  document.getElementById(`${id}-error`).textContent = text;
  c.focus();
  return null;
}

// What is in the way of one occurrence, in words.
function problemText(p) {
  const who = p.kind === 'clinician' ? (p.id ? clinicianName(p.id) : t('series.theClinician'))
    : p.kind === 'room' ? (p.id ? roomName(p.id) : t('series.theRoom')) : t('series.thePatient');
  return t(`series.why.${p.kind}_${p.reason}`, who);
}

// Check the series body (with "repeat" or "starts") and let the secretary
// adjust it, inside the booking dialog: form is hidden meanwhile (kept as
// typed), and "Back" shows it again.  base: the booking fields without
// start; opts.invite: invite each booked appointment; opts.patientName;
// opts.guests(id, invite): add the form's guests to each booked one (their problems).
export async function reviewSeries(form, base, first, repeat, opts) {
  const box = h('section.series-review', { id: 'series-review', 'aria-labelledby': 'series-h', tabindex: '-1' });
  form.hidden = true;
  form.after(box);
  const back = () => { box.remove(); form.hidden = false; document.getElementById('bk-series')?.focus(); };
  let occ; // [{start, end, skipped, bookable, problems, message}]
  const check = async body => api('POST', '/appointments/series', { ...base, ...body, dry_run: true });
  clear(box, h('p.muted', {}, t('series.checking')));
  try {
    const r = await check({ start: first, repeat });
    occ = r.occurrences.map(o => ({ ...o, skipped: false }));
  } catch (x) {
    clear(box, h('p.error', { role: 'alert' }, explain(x)), h('button', { type: 'button', onclick: back }, t('series.back')));
    box.querySelector('button').focus();
    return;
  }

  // Check again the occurrences not skipped, as they now stand.
  const recheck = async () => {
    const keep = occ.filter(o => !o.skipped).sort((a, b) => (a.start < b.start ? -1 : 1));
    if (!keep.length) return;
    const r = await check({ starts: keep.map(o => o.start) });
    r.occurrences.forEach((o, i) => Object.assign(keep[i], o));
  };

  const render = (notice, focusId) => {
    const keep = occ.filter(o => !o.skipped);
    const ready = keep.length > 0 && keep.every(o => o.bookable);
    const nbad = keep.filter(o => !o.bookable).length;
    const rows = occ.map((o, i) => {
      const id = `series-occ-${i}`;
      const state = o.skipped ? h('span.pill', {}, t('series.skipped'))
        : o.bookable ? h('span.pill.status-confirmed', {}, h('span', { 'aria-hidden': 'true' }, '✓ '), t('series.ok'))
          : [h('span.pill.status-cancelled', {}, h('span', { 'aria-hidden': 'true' }, '✕ '), t('series.notOk')),
            h('ul.why', {}, o.problems.map(p => h('li', {}, problemText(p))))];
      const times = h('div.series-times', { id: `${id}-times`, 'aria-live': 'polite' });
      return h('li.series-occ', { id, class: `series-occ ${o.skipped ? 'skipped' : o.bookable ? 'ok' : 'bad'}` },
        h('div.series-when', {}, h('strong', {}, t('series.nth', i + 1)), ' ',
          `${fmtDate(dateOf(o.start), 'long')} ${timeOf(o.start)}–${timeOf(o.end)}`),
        h('div.series-state', {}, state),
        h('div.actions', {},
          o.skipped ? null : h('button', { type: 'button', id: `${id}-move`, onclick: () => offerTimes(i, times) }, t('series.move')),
          h('button', { type: 'button', id: `${id}-skip`, onclick: async () => {
            o.skipped = !o.skipped;
            await act(() => (o.skipped ? null : recheck()), o.skipped ? t('series.skippedOne', i + 1) : t('series.takenBack', i + 1), `${id}-skip`);
          } }, o.skipped ? t('series.unskip') : t('series.skip'))),
        times);
    });
    const problem = h('div.problem', { role: 'alert', id: 'series-problem' });
    clear(box,
      h('h3', { id: 'series-h' }, t('series.title', occ.length)),
      notice ? h('p.notice', { role: 'status' }, notice) : null,
      h('p', { id: 'series-summary' }, ready ? t('series.allOk', keep.length) : nbad ? t('series.someBad', nbad) : t('series.noneLeft')),
      h('ol.series-list', {}, rows),
      problem,
      h('div.actions', {},
        h('button.primary', { type: 'button', id: 'series-book', disabled: !ready, onclick: () => book(keep, problem) },
          t('series.book', keep.length)),
        h('button', { type: 'button', id: 'series-back', onclick: back }, t('series.back'))));
    const f = focusId && document.getElementById(focusId);
    (f || box).focus();
  };

  // Run step (a recheck), then draw again with notice, focus on focusId.
  const act = async (step, notice, focusId) => {
    try { if (step) await step(); render(notice, focusId); } catch (x) {
      render(null, focusId);
      showError(x, document.getElementById('series-problem'));
    }
  };

  // The free times of occurrence i's week, nearest to its time first.
  const offerTimes = async (i, into) => {
    const o = occ[i];
    const day = dateOf(o.start);
    const today = nowLocal().date;
    const from = monday(day) < today ? today : monday(day);
    clear(into, h('p.muted', {}, t('series.searching')));
    let slots;
    try {
      slots = await api('GET', `/slots${query({ clinician_id: base.clinician_ids, from, to: addDays(monday(day), 6),
        ...(base.type_id ? { type_id: base.type_id } : { duration_minutes: base.duration_minutes }),
        mode: base.mode, limit: 200 })}`);
    } catch (x) { clear(into, h('p.error', {}, explain(x))); return; }
    const taken = new Set(occ.filter((x, k) => k !== i && !x.skipped).map(x => x.start));
    const at = s => new Date(s).getTime();
    const near = slots.filter(s => !taken.has(s.start))
      .sort((a, b) => ((dateOf(b.start) === day) - (dateOf(a.start) === day)) || Math.abs(at(a.start) - at(o.start)) - Math.abs(at(b.start) - at(o.start)))
      .slice(0, 8);
    if (!near.length) { clear(into, h('p', {}, t('series.noTimes'))); return; }
    clear(into, h('p', { id: `series-occ-${i}-times-h` }, t('series.nearest')),
      h('ul.slot-list', { 'aria-labelledby': `series-occ-${i}-times-h` }, near.map(s => h('li', {},
        h('button', { type: 'button', onclick: () => act(async () => {
          o.start = s.start;
          o.end = s.end;
          await recheck();
        }, t('series.moved', i + 1, fmtWhen(s.start)), `series-occ-${i}-move`) }, fmtWhen(s.start))))));
    into.querySelector('button').focus();
  };

  // All or nothing; then each invited as a single booking is.
  const book = async (keep, problem) => {
    const btn = document.getElementById('series-book');
    btn.disabled = true;
    try {
      const r = await api('POST', '/appointments/series', { ...base, starts: keep.map(o => o.start) });
      let failed = 0;
      const guestProblems = [], manual = [];
      for (const a of r.appointments) {
        if (opts.invite) {
          try {
            const sent = await api('POST', `/appointments/${a.id}/invitations`);
            if (sent.delivery === 'manual') manual.push({ a, sent }); // nothing went out
          } catch { failed += 1; }
        }
        // the guests of the booking form take part in each occurrence
        if (opts.guests) guestProblems.push(...await opts.guests(a.id, opts.invite));
      }
      closeDialog();
      if (guestProblems.length) toast(t('parts.guestsFailed', [...new Set(guestProblems)].join('; ')), 'bad');
      if (manual.length) { // as a single booking: said where the link and the letter are
        changed();
        await openAppointment(manual[0].a.id, { invitation: manual[0].sent,
          notice: t('series.doneManual', r.appointments.length, opts.patientName, manual.map(m => fmtWhen(m.a.start)).join(', ')) });
        return;
      }
      toast(opts.invite ? (failed ? t('series.doneInviteFailed', r.appointments.length, failed) : t('series.doneInvited', r.appointments.length, opts.patientName))
        : t('series.done', r.appointments.length, opts.patientName), failed ? 'bad' : 'ok');
      changed();
    } catch (x) {
      btn.disabled = false;
      if (x instanceof ApiError && x.status === 409) { // taken meanwhile: show it again as it is now
        await act(recheck, null, 'series-book');
        showError(null, document.getElementById('series-problem'));
        document.getElementById('series-problem').textContent = t('series.takenMeanwhile');
      } else showError(x, problem);
    }
  };

  render(null, null);
}
