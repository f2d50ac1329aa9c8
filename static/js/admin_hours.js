// admin_hours.js - weekly hours of a clinician and opening hours of a room
// (#/admin/hours?clinician=N or ?room=N), and their absences and extra
// hours.  The week is a grid, one row a weekday, each with its times
// (several a day allowed); a template may hold several periods of
// validity (from and to dates, either open), each its own grid, so a
// summer timetable is entered beside the ordinary one.  Saving replaces the
// whole template (PUT .../hours), as the API does.  Absences and extra
// hours are a list and a form; an absence lists how many appointments it
// hits (the secretary moves them).
import {
  api, t, h, clear, dir, explain, toast, field, fieldError, showError, fmtStamp, fmtDay, nowLocal, dateInput, timeInput, typedSpan,
} from './lib.js';

const DAYS = [1, 2, 3, 4, 5, 6, 7];

// ?clinician=3 / ?room=2 as {kind, id, name}.
function ownerOf(params) {
  if (params.clinician) {
    const c = dir.byId.clinician?.[params.clinician];
    return c ? { kind: 'clinician', id: c.id, name: c.name, path: `/clinicians/${c.id}` } : null;
  }
  if (params.room) {
    const r = dir.byId.room?.[params.room];
    return r ? { kind: 'room', id: r.id, name: r.name, path: `/rooms/${r.id}` } : null;
  }
  return null;
}

export async function showHours(body, params) {
  const owner = ownerOf(params);
  const choose = h('select', { id: 'hours-owner', onchange: e => { location.hash = `#/admin/hours${e.target.value ? `?${e.target.value}` : ''}`; } },
    h('option', { value: '' }, t('admin.hours.choose')),
    h('optgroup', { label: t('admin.page.clinicians') }, dir.clinicians.map(c =>
      h('option', { value: `clinician=${c.id}`, selected: owner?.kind === 'clinician' && owner.id === c.id }, c.name))),
    h('optgroup', { label: t('admin.page.rooms') }, dir.rooms.map(r =>
      h('option', { value: `room=${r.id}`, selected: owner?.kind === 'room' && owner.id === r.id }, r.name))));
  const title = owner ? t(`admin.hours.title.${owner.kind}`, owner.name) : t('admin.page.hours');
  clear(body, h('h1', { tabindex: '-1' }, title), h('p', {}, t('admin.intro.hours')),
    h('div.toolbar', {}, h('div.group', {}, h('label.inline', { for: 'hours-owner' }, t('admin.hours.owner')), choose)));
  if (!owner) return overview(body);
  const grid = h('section', { 'aria-labelledby': 'week-h' });
  const exceptions = h('section', { 'aria-labelledby': 'exc-h' });
  body.append(grid, exceptions);
  await Promise.all([weekGrid(grid, owner), exceptionList(exceptions, owner)]);
}

// Without a choice: who has hours and who has none, each a link.
async function overview(body) {
  const rows = async (list, kind) => Promise.all(list.map(async x =>
    [x, (await api('GET', `/${kind === 'clinician' ? 'clinicians' : 'rooms'}/${x.id}/hours`)).length]));
  const [cl, ro] = await Promise.all([rows(dir.clinicians, 'clinician'), rows(dir.rooms, 'room')]);
  const list = (items, kind) => h('ul.hours-overview', {}, items.map(([x, n]) => h('li', {},
    h('a', { href: `#/admin/hours?${kind}=${x.id}` }, x.name), ' ',
    h('span', { class: n ? 'muted' : 'state-missing' }, n ? t('admin.hours.hasHours', n) : t(`admin.hours.noHours.${kind}`)))));
  body.append(h('h2', {}, t('admin.page.clinicians')), cl.length ? list(cl, 'clinician') : h('p.muted', {}, t('admin.none')),
    h('h2', {}, t('admin.page.rooms')), ro.length ? list(ro, 'room') : h('p.muted', {}, t('admin.none')));
}

// ---- the week grid ----

// The API's entries as periods [{from, to, days: {1: [{start, end}], ...}}].
function periodsOf(entries) {
  const by = new Map();
  for (const e of entries) {
    const k = `${e.valid_from || ''}|${e.valid_to || ''}`;
    if (!by.has(k)) by.set(k, { from: e.valid_from || '', to: e.valid_to || '', days: Object.fromEntries(DAYS.map(d => [d, []])) });
    by.get(k).days[e.weekday].push({ start: e.start, end: e.end });
  }
  const list = [...by.values()].sort((a, b) => a.from.localeCompare(b.from));
  return list.length ? list : [{ from: '', to: '', days: Object.fromEntries(DAYS.map(d => [d, []])) }];
}

async function weekGrid(box, owner) {
  let periods = periodsOf(await api('GET', `${owner.path}/hours`));
  const problem = h('p.error', { id: 'hours-problem', role: 'alert' });
  const word = k => t(`admin.hours.${k}.${owner.kind}`);

  function draw(focusId) {
    clear(box, h('h2', { id: 'week-h' }, word('week')), h('p.muted', {}, t('admin.hours.gridHint')),
      periods.map(periodBox),
      h('div.actions', {},
        h('button', { type: 'button', id: 'hours-add-period', onclick: () => {
          periods.push({ from: nowLocal().date, to: '', days: Object.fromEntries(DAYS.map(d => [d, []])) });
          draw(`p${periods.length - 1}-from`);
        } }, t('admin.hours.addPeriod')),
        h('button.primary', { type: 'button', id: 'hours-save', onclick: save }, word('save'))),
      problem);
    if (focusId) document.getElementById(focusId)?.focus();
  }

  function periodBox(p, i) {
    const id = `p${i}`;
    const from = dateInput(p.from, v => { p.from = v; });
    const to = dateInput(p.to, v => { p.to = v; });
    const legend = p.from || p.to ? t('admin.hours.period', fmtDay(p.from), fmtDay(p.to)) : t('admin.hours.always');
    return h('fieldset.period', { id },
      h('legend', {}, periods.length > 1 ? `${i + 1}. ${legend}` : legend),
      h('div.row', {}, field(`${id}-from`, t('admin.hours.from'), from, t('admin.hours.fromHint')),
        field(`${id}-to`, t('admin.hours.to'), to, t('admin.hours.toHint'))),
      h('table.week', {},
        h('caption.sr', {}, t('admin.hours.gridCaption', legend)),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('admin.hours.day')), h('th', { scope: 'col' }, t('admin.hours.times')))),
        h('tbody', {}, DAYS.map(d => h('tr', {},
          h('th', { scope: 'row' }, t('admin.hours.weekday', d)),
          h('td', {}, h('div.intervals', {},
            p.days[d].map((x, j) => interval(p, i, d, x, j)),
            h('button.link', { type: 'button', id: `${id}-d${d}-add`, 'aria-label': t('admin.hours.addOn', t('admin.hours.weekday', d)),
              onclick: () => {
                const last = p.days[d][p.days[d].length - 1];
                p.days[d].push(last ? { start: last.end, end: last.end < '20:00' ? '20:00' : '24:00' } : { start: '08:00', end: '15:30' });
                draw(`${id}-d${d}-i${p.days[d].length - 1}-start`);
              } }, t('admin.hours.add')))))))),
      h('div.actions', {},
        h('button', { type: 'button', id: `${id}-copy`, onclick: () => {
          for (const d of [2, 3, 4, 5]) p.days[d] = p.days[1].map(x => ({ ...x }));
          draw(`${id}-copy`);
          toast(t('admin.hours.copied'));
        } }, t('admin.hours.copy')),
        periods.length > 1 ? h('button', { type: 'button', onclick: () => {
          periods.splice(i, 1);
          draw('hours-add-period');
        } }, t('admin.hours.removePeriod')) : null));
  }

  function interval(p, i, d, x, j) {
    const id = `p${i}-d${d}-i${j}`;
    const day = t('admin.hours.weekday', d);
    const start = timeInput(x.start, v => { x.start = v; name(); });
    const end = timeInput(x.end, v => { x.end = v; name(); }, true);
    start.id = `${id}-start`;
    end.id = `${id}-end`;
    start.setAttribute('aria-describedby', `${id}-start-error`);
    end.setAttribute('aria-describedby', `${id}-end-error`);
    // the remove button names the times as they now are
    const remove = h('button.link', { type: 'button', onclick: () => { p.days[d].splice(j, 1); draw(`p${i}-d${d}-add`); } },
      t('admin.hours.remove'));
    const name = () => remove.setAttribute('aria-label', t('admin.hours.removeOn', day, x.start || '', x.end || ''));
    name();
    return h('div.interval', {},
      h('label.sr', { for: `${id}-start` }, t('admin.hours.startOn', day)), start,
      h('span', { 'aria-hidden': 'true' }, '–'),
      h('label.sr', { for: `${id}-end` }, t('admin.hours.endOn', day)), end,
      remove,
      h('span.field-error', { id: `${id}-start-error` }), h('span.field-error', { id: `${id}-end-error` }));
  }

  // Checked here first (each field said at its place), then by the server.
  function entries() {
    const out = [];
    for (const [i, p] of periods.entries()) {
      if (p.from === null) { fieldError(`p${i}-from`, t('admin.bad.date')); return null; }
      if (p.to === null) { fieldError(`p${i}-to`, t('admin.bad.date')); return null; }
      if (p.from && p.to && p.to < p.from) { fieldError(`p${i}-to`, t('admin.bad.valid_to')); return null; }
      for (const d of DAYS) {
        for (const [j, x] of p.days[d].entries()) {
          const id = `p${i}-d${d}-i${j}`;
          if (!x.start) { fieldError(`${id}-start`, t('admin.bad.time')); return null; }
          if (!x.end) { fieldError(`${id}-end`, t('admin.bad.time')); return null; }
          if (x.end <= x.start) { fieldError(`${id}-end`, t('admin.bad.end')); return null; }
        }
        const sorted = p.days[d].map((x, j) => ({ ...x, j })).sort((a, b) => a.start.localeCompare(b.start));
        for (const [k, x] of sorted.entries()) {
          const id = `p${i}-d${d}-i${x.j}`;
          if (k && x.start < sorted[k - 1].end) { fieldError(`${id}-start`, t('admin.hours.overlap')); return null; }
          out.push({ weekday: d, start: x.start, end: x.end, ...(p.from ? { valid_from: p.from } : {}), ...(p.to ? { valid_to: p.to } : {}) });
        }
      }
    }
    return out;
  }

  async function save() {
    showError(null, problem);
    const list = entries();
    if (!list) return;
    try {
      periods = periodsOf(await api('PUT', `${owner.path}/hours`, list));
      draw('hours-save');
      toast(word('saved'));
    } catch (x) {
      showError(x, problem, {}, 'admin');
      problem.focus();
    }
  }
  problem.tabIndex = -1;
  draw();
}

// ---- absences and extra hours ----

async function exceptionList(box, owner) {
  const list = h('div', { id: 'exc-list' });
  const kindAbs = h('input', { type: 'radio', name: 'exc-kind', id: 'exc-absence', value: 'absence', checked: true });
  const kindExtra = h('input', { type: 'radio', name: 'exc-kind', id: 'exc-extra', value: 'extra' });
  const today = nowLocal().date;
  const fromDate = dateInput(today);
  const fromTime = timeInput('');
  const toDate = dateInput(today);
  const toTime = timeInput('', undefined, true);
  const reason = h('input', { maxlength: 200, autocomplete: 'off' });
  const problem = h('p.error', { id: 'exc-problem', role: 'alert' });
  const result = h('div', { id: 'exc-result', 'aria-live': 'polite' });
  const form = h('form.admin-form.exc-form', {
    novalidate: true,
    async onsubmit(e) {
      e.preventDefault();
      showError(null, problem);
      clear(result);
      const span = typedSpan('exc');
      if (!span) return;
      const { day: d0, start, end } = span;
      const kind = kindExtra.checked ? 'extra' : 'absence';
      try {
        const made = await api('POST', `${owner.path}/exceptions`, { kind, start, end, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) });
        reason.value = '';
        const hit = made.affected_appointment_ids || [];
        toast(t(`admin.exc.made.${kind}`));
        if (hit.length) {
          clear(result, h('p.attention', {}, t('admin.exc.hits', hit.length), ' ',
            h('a', { href: `#/calendar/day/${d0}` }, t('admin.exc.seeDay'))));
        }
        await draw();
      } catch (x) {
        showError(x, problem, { start: 'exc-from-date', end: 'exc-to-date', kind: 'exc-absence', reason: 'exc-reason' }, 'admin');
      }
    },
  },
  h('fieldset', {}, h('legend', {}, t('admin.exc.kind')),
    h('label.check', { for: 'exc-absence' }, kindAbs, t(`admin.exc.absence.${owner.kind}`)),
    h('label.check', { for: 'exc-extra' }, kindExtra, t(`admin.exc.extra.${owner.kind}`))),
  h('div.row', {}, field('exc-from-date', t('admin.exc.fromDate'), fromDate), field('exc-from-time', t('admin.exc.fromTime'), fromTime, t('admin.exc.fromTimeHint'))),
  h('div.row', {}, field('exc-to-date', t('admin.exc.toDate'), toDate), field('exc-to-time', t('admin.exc.toTime'), toTime, t('admin.exc.toTimeHint'))),
  field('exc-reason', t('admin.exc.reason'), reason, t('admin.exc.reasonHint')),
  problem,
  h('div.actions', {}, h('button.primary', { type: 'submit' }, t('admin.exc.add'))));

  async function draw(focusSel) {
    const rows = await api('GET', `${owner.path}/exceptions`);
    clear(list, rows.length ? h('table.admin-table', {},
      h('caption.sr', {}, t('admin.exc.title')),
      h('thead', {}, h('tr', {}, ['kind', 'from', 'to', 'reason', 'by', 'actions'].map(k => h('th', { scope: 'col' }, t(`admin.exc.col.${k}`))))),
      h('tbody', {}, rows.map(x => h('tr', { dataset: { id: x.id } },
        h('th', { scope: 'row' }, t(`admin.exc.${x.kind}.${owner.kind}`)),
        h('td', { 'data-label': t('admin.exc.col.from') }, fmtStamp(x.start)),
        h('td', { 'data-label': t('admin.exc.col.to') }, fmtStamp(x.end)),
        h('td', { 'data-label': t('admin.exc.col.reason') }, x.reason || ''),
        h('td', { 'data-label': t('admin.exc.col.by') }, x.created_by || ''),
        h('td.row-actions', {}, h('button', { type: 'button', 'aria-label': t('admin.exc.removeOne', fmtStamp(x.start)),
          async onclick() {
            try {
              await api('DELETE', `${owner.path}/exceptions/${x.id}`);
              toast(t('admin.exc.removed'));
              await draw();
              (list.querySelector('tbody button') || document.getElementById('exc-h')).focus();
            } catch (err) { toast(explain(err), 'bad'); }
          } }, t('admin.hours.remove'))))))) : h('p.muted', {}, t('admin.exc.none')));
    if (focusSel) list.querySelector(focusSel)?.focus();
  }
  clear(box, h('h2', { id: 'exc-h', tabindex: '-1' }, t('admin.exc.title')), h('p.muted', {}, t(`admin.exc.intro.${owner.kind}`)),
    list, h('h3', {}, t('admin.exc.new')), form, result);
  await draw();
}

