// absence.js - a clinician is away (#/absence?clinician=&date=): register
// the absence for a day or a period (an "absence" exception of the
// clinician, api_hours.c), and deal at once with the appointments it hits,
// listed with patient, time, mode and status: each one moved to the next
// free time of its clinicians (GET /slots), moved to another clinician of
// the unit (at the same time when that one is free, else at their next
// free time), or cancelled; one by one or all together.  Every change is a
// PATCH with If-Match, so the patient is told as a move or a cancellation
// from the appointment dialog tells them; the summary says, for each, what
// happened and whether a message went out (read back from the
// appointment's messages, not assumed).  The absences still to come are
// listed, so the hit appointments can be dealt with later too.
import {
  api, ApiError, query, t, h, clear, dir, field, fieldError, showError, toast, changed,
  dateInput, timeInput, parseDay, typedSpan, nowLocal, addDays, dateOf, timeOf, fmtDay, fmtStamp, fmtWhen,
  clinicianName, STATUS_MARK, explainField,
} from './lib.js';

const OPEN = 'booked,invited,confirmed,opted_out';
const FIELDS = { start: 'ab-from-date', end: 'ab-to-date', reason: 'ab-reason' };

// #/absence?clinician=3&date=2026-11-24 (both optional)
export async function showAbsence(main, params) {
  const today = nowLocal().date;
  const who = h('select', { onchange: () => { location.hash = `#/absence${query({ clinician: who.value, date: parseDay(fromDate.value) || '' })}`; } },
    h('option', { value: '' }, t('absence.choose')),
    dir.clinicians.map(c => h('option', { value: c.id, selected: String(c.id) === params.clinician },
      `${c.name}${dir.byId.unit?.[c.unit_id] ? ` (${dir.byId.unit[c.unit_id].name})` : ''}`)));
  const fromDate = dateInput(params.date || today);
  const toDate = dateInput(params.date || today);
  const fromTime = timeInput('');
  const toTime = timeInput('', undefined, true);
  const reason = h('input', { maxlength: 200, autocomplete: 'off' });
  const problem = h('p.error', { id: 'ab-problem', role: 'alert' });
  const hits = h('section', { id: 'ab-hits', 'aria-labelledby': 'ab-hits-h' });
  const list = h('section', { id: 'ab-list', 'aria-labelledby': 'ab-list-h' });
  const clinician = () => dir.byId.clinician?.[who.value];

  const form = h('form.admin-form', {
    novalidate: true,
    async onsubmit(e) {
      e.preventDefault();
      showError(null, problem);
      if (!clinician()) return fieldError('ab-who', t('absence.needClinician'));
      if (!toDate.value.trim()) toDate.value = fromDate.value; // one day
      const span = typedSpan('ab');
      if (!span) return;
      const { start, end } = span;
      try {
        const made = await api('POST', `/clinicians/${clinician().id}/exceptions`,
          { kind: 'absence', start, end, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) });
        reason.value = '';
        toast(t('absence.made', clinician().name));
        changed();
        await drawList(list, clinician());
        await showHits(hits, clinician(), made);
      } catch (x) { showError(x, problem, FIELDS); }
    },
  },
  field('ab-who', t('absence.clinician'), who),
  h('div.row', {}, field('ab-from-date', t('absence.fromDate'), fromDate),
    field('ab-from-time', t('absence.fromTime'), fromTime, t('absence.fromTimeHint'))),
  h('div.row', {}, field('ab-to-date', t('absence.toDate'), toDate, t('absence.toDateHint')),
    field('ab-to-time', t('absence.toTime'), toTime, t('absence.toTimeHint'))),
  field('ab-reason', t('absence.reason'), reason, t('absence.reasonHint')),
  problem,
  h('div.actions', {}, h('button.primary', { type: 'submit', id: 'ab-submit' }, t('absence.submit'))));
  // a one-day absence: the end date follows the start unless changed
  fromDate.addEventListener('change', () => { if (!toDate.dataset.touched) toDate.value = fromDate.value; });
  toDate.addEventListener('input', () => { toDate.dataset.touched = '1'; });

  clear(main, h('div.absence', { id: 'absence' },
    h('h1', { tabindex: '-1' }, t('absence.title')), h('p.muted', {}, t('absence.intro')),
    form, hits, list));
  if (clinician()) await drawList(list, clinician());
  main.querySelector('h1').focus();
}

// The clinician's absences still to come, each able to list what it hits.
async function drawList(box, c) {
  const rows = (await api('GET', `/clinicians/${c.id}/exceptions`)).filter(x => x.kind === 'absence');
  const hits = document.getElementById('ab-hits');
  clear(box, h('h2', { id: 'ab-list-h' }, t('absence.listOf', c.name)),
    rows.length ? h('ul.plain', {}, rows.map(x => h('li', {}, spanOf(x),
      x.reason ? ` («${x.reason}»)` : '', ' ',
      h('button', { type: 'button', 'aria-label': t('absence.showHitsOf', fmtStamp(x.start)),
        onclick: () => showHits(hits, c, x) }, t('absence.showHits')))))
      : h('p.muted', {}, t('absence.none')));
}

// An absence's span: "04.12.2026" or "04.12.2026 – 06.12.2026" for whole
// days (midnight to midnight), else from and to with their times.
function spanOf(x) {
  const [d0, d1] = [dateOf(x.start), dateOf(x.end)];
  if (timeOf(x.start) !== '00:00' || timeOf(x.end) !== '00:00') return `${fmtStamp(x.start)} – ${fmtStamp(x.end)}`;
  const last = addDays(d1, -1);
  return last === d0 ? t('absence.wholeDay', fmtDay(d0)) : t('absence.wholeDays', fmtDay(d0), fmtDay(last));
}

// Minutes an appointment lasts.
const lengthOf = a => Math.round((Date.parse(a.end) - Date.parse(a.start)) / 60000);

// The appointments absence x of clinician c hits, each with its actions.
async function showHits(box, c, x) {
  const appts = (await api('GET', `/appointments${query({ clinician_id: c.id, from: x.start, to: x.end, status: OPEN, limit: 500 })}`))
    .sort((a, b) => a.start.localeCompare(b.start));
  const others = dir.clinicians.filter(o => o.id !== c.id && o.unit_id === c.unit_id);
  const summary = h('ol', { id: 'ab-summary' });
  const summaryBox = h('div', { role: 'status', 'aria-live': 'polite' },
    h('h3', { id: 'ab-summary-h', tabindex: '-1', hidden: true }, t('absence.summary')), summary);
  const cancelWhy = h('input', { maxlength: 500, autocomplete: 'off' });
  const pending = new Map(); // id -> {a, row}

  // What happened to a, said in its row and in the summary; its actions go.
  // A refusal keeps the row's actions (it is still to deal with).
  const report = (a, text, bad = false) => {
    const cell = pending.get(a.id).row.querySelector('.ab-actions');
    if (bad) {
      cell.querySelector('.ab-note')?.remove();
      cell.append(h('span.error.ab-note', {}, text));
    } else {
      pending.delete(a.id);
      clear(cell, h('span', {}, text));
    }
    summary.append(h('li', { class: bad ? 'error' : '' }, `${a.patient_name}, ${fmtWhen(a.start)}: ${text}`));
    summaryBox.querySelector('h3').hidden = false;
    // nothing left to deal with: the all-together actions go too
    if (!pending.size) for (const el of box.querySelectorAll('#ab-together, #ab-cancel-why-field')) el.hidden = true;
  };
  // After a's row was dealt with: the next row's first action, or the summary.
  const focusNext = row => {
    let next = row.nextElementSibling;
    while (next && !next.querySelector('.ab-actions button')) next = next.nextElementSibling;
    (next?.querySelector('.ab-actions button') || document.getElementById('ab-summary-h')).focus();
  };

  const act = async (a, fn) => {
    const before = await messageCount(a.id);
    try {
      const done = await fn();
      changed();
      const told = (await messageCount(a.id)) > before;
      report(a, `${done.text} ${told ? t('absence.told') : a.status === 'booked' ? t('absence.notInvited') : t('absence.notTold')}`);
      return true;
    } catch (err) {
      report(a, t('absence.failed', err instanceof NoSlot ? t('absence.noSlot') : explainField(err)), true);
      return false;
    }
  };
  const toNextFree = a => act(a, async () => {
    const slot = await nextFree(a.clinician_ids, a, lengthOf(a));
    if (!slot) throw new NoSlot();
    const next = await api('PATCH', `/appointments/${a.id}`, { start: slot.start, duration_minutes: lengthOf(a) }, { ifMatch: a.version });
    return { text: t('absence.movedTo', fmtWhen(next.start)), next };
  });
  const toOther = (a, otherId) => act(a, async () => {
    const ids = a.clinician_ids.map(id => (id === c.id ? otherId : id));
    let next;
    try {
      next = await api('PATCH', `/appointments/${a.id}`, { clinician_ids: ids }, { ifMatch: a.version });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 409 || !['conflict', 'outside_hours'].includes(err.code)) throw err;
      const slot = await nextFree(ids, a, lengthOf(a)); // busy then: their next free time
      if (!slot) throw new NoSlot();
      next = await api('PATCH', `/appointments/${a.id}`, { clinician_ids: ids, start: slot.start, duration_minutes: lengthOf(a) }, { ifMatch: a.version });
    }
    return { text: t(next.start === a.start ? 'absence.otherSameTime' : 'absence.otherAt', clinicianName(otherId), fmtWhen(next.start)), next };
  });
  const cancel = a => act(a, async () => {
    const why = cancelWhy.value.trim();
    const next = await api('PATCH', `/appointments/${a.id}`, { status: 'cancelled', ...(why ? { reason: why } : {}) }, { ifMatch: a.version });
    return { text: t('absence.cancelledOne'), next };
  });
  // Ask in box before a cancellation, in place: the question, yes and keep;
  // the focus goes to yes.  Either answer puts back what was there (a
  // refused cancellation keeps the row's actions); keep focuses back.
  const askFirst = (box, question, yes, back) => {
    const was = [...box.childNodes];
    const yesBtn = h('button.danger.ab-yes', { type: 'button', onclick: () => { clear(box, was); back.focus(); yes(); } }, t('absence.cancelYes'));
    const keep = h('button.ab-keep', { type: 'button', onclick: () => { clear(box, was); back.focus(); } }, t('absence.keep'));
    clear(box, h('span', { role: 'alert' }, question), ' ', yesBtn, ' ', keep);
    yesBtn.focus();
  };
  const all = async (fn, button) => {
    button.disabled = true;
    for (const { a } of [...pending.values()]) await fn(a);
    button.disabled = false;
    document.getElementById('ab-summary-h').focus();
  };

  const rows = appts.map(a => {
    const other = h('select', { id: `ab-other-${a.id}`, 'aria-label': t('absence.otherFor', a.patient_name) },
      others.map(o => h('option', { value: o.id }, o.name)));
    const row = h('tr', { dataset: { id: a.id } },
      h('th', { scope: 'row' }, a.patient_name),
      h('td', {}, fmtWhen(a.start)),
      h('td', {}, t(`mode.${a.mode}`)),
      h('td', {}, h('span', { 'aria-hidden': 'true' }, `${STATUS_MARK[a.status]} `), t(`status.${a.status}`)),
      h('td.row-actions.ab-actions', {},
        h('button', { type: 'button', 'aria-label': t('absence.nextFreeFor', a.patient_name),
          onclick: async () => { if (await toNextFree(a)) focusNext(row); } }, t('absence.nextFree')),
        others.length ? [other, h('button', { type: 'button', 'aria-label': t('absence.toOtherFor', a.patient_name),
          onclick: async () => { if (await toOther(a, Number(other.value))) focusNext(row); } }, t('absence.toOther'))] : null,
        h('button.danger', { type: 'button', 'aria-label': t('absence.cancelFor', a.patient_name),
          onclick: e => askFirst(row.querySelector('.ab-actions'), t('absence.cancelQ', a.patient_name),
            async () => { if (await cancel(a)) focusNext(row); }, e.currentTarget) }, t('absence.cancel'))));
    pending.set(a.id, { a, row });
    return row;
  });

  const moveAll = h('button', { type: 'button', id: 'ab-move-all', onclick: () => all(toNextFree, moveAll) }, t('absence.moveAll'));
  const cancelAll = h('button.danger', { type: 'button', id: 'ab-cancel-all', onclick: () => {
    const group = document.getElementById('ab-together');
    askFirst(group, t('absence.cancelAllQ', pending.size), () => all(cancel, cancelAll), cancelAll);
  } }, t('absence.cancelAll'));
  clear(box, h('h2', { id: 'ab-hits-h', tabindex: '-1' }, t('absence.hitsOf', c.name, spanOf(x))),
    appts.length ? [
      h('p', {}, t('absence.hitCount', appts.length)),
      h('table.admin-table', {}, h('caption.sr', {}, t('absence.hitsCaption')),
        h('thead', {}, h('tr', {}, ['patient', 'time', 'mode', 'status', 'actions'].map(k => h('th', { scope: 'col' }, t(`absence.col.${k}`))))),
        h('tbody', {}, rows)),
      h('div', { id: 'ab-cancel-why-field' }, field('ab-cancel-why', t('absence.cancelWhy'), cancelWhy, t('absence.cancelWhyHint'))),
      h('div.actions', { id: 'ab-together', role: 'group', 'aria-label': t('absence.allTogether') }, moveAll, cancelAll),
      summaryBox,
    ] : h('p', {}, t('absence.noHits')));
  box.querySelector('h2').focus();
}

class NoSlot extends Error {}

// The first free time of all of ids from a's day (or today) on, for as
// long as a lasts; null when there is none within four weeks.
async function nextFree(ids, a, minutes) {
  const today = nowLocal().date;
  const from = dateOf(a.start) > today ? dateOf(a.start) : today;
  const slots = await api('GET', `/slots${query({ clinician_id: ids, from, to: addDays(from, 28), duration_minutes: minutes, mode: a.mode, limit: 1 })}`);
  return slots[0] || null;
}

async function messageCount(id) {
  return (await api('GET', `/appointments/${id}/messages`)).length;
}
