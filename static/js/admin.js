// admin.js - the admin's set-up (#/admin/...): a first-run checklist that
// walks a new clinic through units, clinicians, their hours, rooms,
// consultation types and staff accounts in that order and says what is
// missing; the directory pages (units, clinicians, rooms, consultation
// types: list, create, change, deactivate) from one description per kind,
// as the server's resources.c describes them; and the sub-menu that leads
// to the accounts (admin_accounts.js), the hours (admin_hours.js), a
// patient's audit log (admin_audit.js) and the single sign-on rules
// (admin_sso.js).  Every change reloads the shared
// directory (lib.js loadDirectory) so the calendar sees it at once.
import {
  api, t, h, clear, dir, loadDirectory, explain, toast, openDialog, closeDialog, field, fieldError, showError, fmtPhone,
} from './lib.js';
import { showAccounts } from './admin_accounts.js';
import { showHours } from './admin_hours.js';
import { showAudit } from './admin_audit.js';
import { showQuestionnaires, followUpButton } from './admin_questionnaires.js';
import { showSso } from './admin_sso.js';

const PAGES = ['start', 'units', 'clinicians', 'hours', 'rooms', 'types', 'questionnaires', 'accounts', 'audit', 'sso'];
const PROFESSIONS = ['lege', 'sykepleier', 'psykolog', 'fysioterapeut', 'ergoterapeut', 'sosionom',
  'klinisk ernæringsfysiolog', 'logoped', 'annet'];

// #/admin/<page>?...; the page's h1 takes focus, so a keyboard user who
// chose in the sub-menu lands on what was chosen.
export function showAdmin(main, page, params, me) {
  const current = PAGES.includes(page) ? page : 'start';
  const body = h('div.admin-body', { id: 'admin' });
  clear(main, h('div.admin', {}, h('nav.subnav', { 'aria-label': t('admin.menu') },
    h('ul', {}, PAGES.map(p => h('li', {}, h('a', {
      href: `#/admin${p === 'start' ? '' : `/${p}`}`, 'aria-current': p === current ? 'page' : null,
    }, t(`admin.page.${p}`)))))), body));
  const view = { start: showChecklist, units: showKind, clinicians: showKind, rooms: showKind, types: showKind,
    hours: showHours, accounts: showAccounts, audit: showAudit, questionnaires: showQuestionnaires, sso: showSso }[current];
  view(body, params, current, me)
    .then(() => body.querySelector('h1')?.focus())
    .catch(x => clear(body, h('p.error', { role: 'alert' }, explain(x))));
}

// ---- the checklist ----

// The set-up steps in order, each {key, done, detail, href}.
export async function setupSteps() {
  const [units, clinicians, rooms, types, users] = await Promise.all([
    api('GET', '/units?active=true&limit=1000'), api('GET', '/clinicians?active=true&limit=1000'),
    api('GET', '/rooms?active=true&limit=1000'), api('GET', '/consultation-types?active=true&limit=1000'),
    api('GET', '/users')]);
  const hours = await Promise.all(clinicians.slice(0, 200).map(c => api('GET', `/clinicians/${c.id}/hours`)));
  const noHours = clinicians.filter((c, i) => i < 200 && !hours[i].length);
  const staff = users.filter(u => u.active && u.role !== 'admin');
  const names = list => list.slice(0, 5).map(x => x.name || x.username).join(', ') + (list.length > 5 ? ' …' : '');
  return [
    { key: 'units', done: units.length > 0, detail: t('admin.check.have', units.length, names(units)) },
    { key: 'clinicians', done: clinicians.length > 0, detail: t('admin.check.have', clinicians.length, names(clinicians)) },
    { key: 'hours', done: clinicians.length > 0 && !noHours.length,
      detail: noHours.length ? t('admin.check.noHours', names(noHours)) : clinicians.length ? t('admin.check.allHours') : '' },
    { key: 'rooms', done: rooms.length > 0, detail: t('admin.check.rooms', rooms.length, rooms.filter(r => r.kind === 'video').length) },
    { key: 'types', done: types.length > 0, detail: t('admin.check.have', types.length, names(types)) },
    { key: 'accounts', done: staff.length > 0, detail: t('admin.check.have', staff.length, names(staff)) },
  ].map(s => ({ ...s, href: `#/admin/${s.key}` }));
}

// Whether the clinic still lacks a step (the app opens the checklist at
// login then).
export async function setupMissing() {
  return (await setupSteps()).some(s => !s.done);
}

async function showChecklist(body) {
  const steps = await setupSteps();
  const done = steps.filter(s => s.done).length;
  const next = steps.find(s => !s.done);
  clear(body,
    h('h1', { tabindex: '-1' }, t('admin.check.title')),
    h('p', {}, t('admin.check.intro')),
    h('p', { id: 'check-progress', class: next ? 'progress' : 'notice' },
      next ? t('admin.check.progress', done, steps.length) : t('admin.check.complete')),
    h('ol.checklist', {}, steps.map(s => h(`li.step.${s.done ? 'done' : 'missing'}${s === next ? '.next' : ''}`,
      { dataset: { step: s.key } },
      h('span.mark', { 'aria-hidden': 'true' }, s.done ? '✓' : '○'),
      h('div', {},
        h('h2', {}, t(`admin.page.${s.key}`), ' ',
          h('span.state', {}, s.done ? t('admin.check.done') : t('admin.check.missing'))),
        h('p.muted', {}, t(`admin.check.why.${s.key}`)),
        s.detail ? h('p', {}, s.detail) : null,
        h('a', { href: s.href, class: s === next ? 'button primary' : null }, t(`admin.check.go.${s.key}`)))))));
}

// ---- the directory: units, clinicians, rooms, consultation types ----

const unitName = id => dir.byId.unit?.[id]?.name || '';
const yesNo = v => (v ? t('admin.yes') : t('admin.no'));

// The fields of each kind's form: [API field, control kind, options].
const FIELDS = {
  name: { type: 'text', required: true, max: 200 },
  profession: { type: 'select', options: () => PROFESSIONS.map(p => [p, t(`admin.profession.${p}`)]) },
  unit_id: { type: 'unit' },
  email: { type: 'email', max: 254 },
  phone: { type: 'tel', max: 32 },
  location: { type: 'text', max: 200 },
  department: { type: 'text', max: 200 },
  address: { type: 'text', max: 200 },
  kind: { type: 'select', options: () => ['clinic', 'video'].map(k => [k, t(`admin.roomKind.${k}`)]) },
  duration_minutes: { type: 'number', min: 5, max: 720, value: 30, required: true },
  video_allowed: { type: 'check', value: true },
  default_mode: { type: 'select', options: () => ['video', 'in_person', 'phone'].map(m => [m, t(`mode.${m}`)]) },
  needs_room: { type: 'check', value: false },
  buffer_before_minutes: { type: 'number', min: 0, max: 240, value: 0 },
  buffer_after_minutes: { type: 'number', min: 0, max: 240, value: 0 },
};

const KINDS = {
  // how patients reach the unit: shown on their page and in letters
  units: { path: '/units', fields: ['name', 'department', 'phone', 'address'],
    cols: [['department', u => u.department || ''], ['phone', u => fmtPhone(u.phone)]] },
  clinicians: {
    path: '/clinicians', fields: ['name', 'profession', 'unit_id', 'email', 'phone'], hours: 'clinician',
    cols: [['profession', c => t(`admin.profession.${c.profession}`)], ['unit_id', c => unitName(c.unit_id)]],
  },
  rooms: {
    path: '/rooms', fields: ['name', 'location', 'kind', 'unit_id'], hours: 'room', optionalUnit: true,
    cols: [['location', r => r.location || ''], ['kind', r => t(`admin.roomKind.${r.kind}`)],
      ['unit_id', r => unitName(r.unit_id) || t('admin.sharedRoom')]],
  },
  types: {
    path: '/consultation-types', requiredUnit: true,
    fields: ['name', 'unit_id', 'duration_minutes', 'video_allowed', 'default_mode', 'needs_room',
      'buffer_before_minutes', 'buffer_after_minutes'],
    cols: [['unit_id', x => unitName(x.unit_id)], ['duration_minutes', x => t('book.minutes', x.duration_minutes)],
      ['default_mode', x => `${t(`mode.${x.default_mode}`)}${x.video_allowed ? '' : ` (${t('admin.noVideo')})`}`],
      ['needs_room', x => yesNo(x.needs_room)],
      ['buffers', x => t('admin.buffers', x.buffer_before_minutes, x.buffer_after_minutes)]],
  },
};

// A label or hint (what: 'f' or 'hint') that only kind has (a unit's
// phone is the number patients call, not a mobile): texts' inv section.
function ownText(what, kind, key) {
  const v = t(`inv.${what}.${kind}.${key}`);
  return v.startsWith('inv.') ? null : v;
}

// One form control for key of kind, filled from row (or the default).
function control(kind, key, row) {
  const f = FIELDS[key];
  const v = row ? row[key] : f.value;
  if (f.type === 'check') return h('input', { type: 'checkbox', checked: !!v });
  if (f.type === 'number') return h('input', { type: 'number', inputmode: 'numeric', min: f.min, max: f.max, value: v ?? '', required: !!f.required });
  if (f.type === 'select') return h('select', {}, f.options().map(([val, text]) => h('option', { value: val, selected: v === val }, text)));
  if (f.type === 'unit') {
    const spec = KINDS[kind];
    const chosen = row ? row.unit_id : dir.units[0]?.id;
    return h('select', { required: !!spec.requiredUnit },
      spec.requiredUnit ? null : h('option', { value: '' }, spec.optionalUnit ? t('admin.sharedRoom') : t('admin.noUnit')),
      dir.units.map(u => h('option', { value: u.id, selected: u.id === chosen }, u.name)));
  }
  return h('input', { type: f.type, maxlength: f.max, value: v ?? '', required: !!f.required,
    autocomplete: f.type === 'email' ? 'off' : null });
}

function valueOf(key, el) {
  const f = FIELDS[key];
  if (f.type === 'check') return el.checked;
  if (f.type === 'number') return el.value === '' ? null : Number(el.value);
  if (f.type === 'unit') return el.value ? Number(el.value) : null;
  return el.value.trim() || (key === 'name' ? '' : null);
}

// The create or change form of kind in the dialog; row null: a new one.
function openForm(kind, row, after) {
  const spec = KINDS[kind];
  const ids = {};
  const controls = {};
  const parts = spec.fields.map(key => {
    const id = `${kind}-${key}`;
    ids[key] = id;
    const c = control(kind, key, row);
    controls[key] = c;
    if (FIELDS[key].type === 'check') {
      c.id = id;
      c.setAttribute('aria-describedby', `${id}-error`);
      return h('div.field', { dataset: { field: id } }, h('label.check', { for: id }, c, t(`admin.f.${key}`)),
        h('span.field-error', { id: `${id}-error` }));
    }
    const hint = ownText('hint', kind, key) || t(`admin.hint.${kind}.${key}`);
    return field(id, ownText('f', kind, key) || t(`admin.f.${key}`), c, hint.startsWith('admin.') ? null : hint);
  });
  const problem = h('p.error', { id: `${kind}-problem`, role: 'alert' });
  const form = h('form.admin-form', {
    novalidate: true,
    async onsubmit(e) {
      e.preventDefault();
      showError(null, problem);
      const body = Object.fromEntries(spec.fields.map(k => [k, valueOf(k, controls[k])]));
      if (!body.name) return fieldError(`${kind}-name`, t('admin.needName'));
      if (kind === 'types' && !body.unit_id) return fieldError(`${kind}-unit_id`, t('admin.needUnit'));
      if (!row) for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
      try {
        const saved = row ? await api('PATCH', `${spec.path}/${row.id}`, body) : await api('POST', spec.path, body);
        closeDialog();
        await loadDirectory();
        toast(t(row ? 'admin.saved' : 'admin.made', saved.name));
        after(saved);
      } catch (x) { showError(x, problem, ids, kind === 'units' ? 'inv.unit' : 'admin'); }
    },
  }, parts, problem, h('div.actions', {},
    h('button.primary', { type: 'submit' }, row ? t('admin.save') : t('admin.add')),
    h('button', { type: 'button', onclick: closeDialog }, t('app.cancel'))));
  openDialog(row ? t('admin.edit', row.name) : t(`admin.new.${kind}`), form);
}

async function showKind(body, params, kind) {
  const spec = KINDS[kind];
  const list = h('div.admin-list', { id: `${kind}-list` });
  const newButton = h('button.primary', { type: 'button', id: `${kind}-new`, onclick: () => openForm(kind, null, () => draw()) },
    t(`admin.new.${kind}`));
  const noUnits = kind !== 'units' && !dir.units.length;
  clear(body, h('h1', { tabindex: '-1' }, t(`admin.page.${kind}`)), h('p', {}, t(`admin.intro.${kind}`)),
    noUnits ? h('p.attention', {}, t('admin.unitsFirst'), ' ', h('a', { href: '#/admin/units' }, t('admin.check.go.units'))) : null,
    h('div.actions', {}, newButton), list);
  async function draw(focusSel) {
    const rows = (await api('GET', `${spec.path}?limit=1000`)).sort((a, b) =>
      (b.active - a.active) || a.name.localeCompare(b.name, 'nb'));
    const head = ['name', ...spec.cols.map(c => c[0]), 'active', 'actions'];
    const colName = k => ownText('f', kind, k) || t(`admin.col.${k}`);
    clear(list, rows.length ? h('table.admin-table', {},
      h('caption.sr', {}, t(`admin.page.${kind}`)),
      h('thead', {}, h('tr', {}, head.map(k => h('th', { scope: 'col' }, colName(k))))),
      h('tbody', {}, rows.map(r => h(`tr${r.active ? '' : '.inactive'}`, { dataset: { id: r.id } },
        h('th', { scope: 'row', 'data-label': t('admin.col.name') }, r.name),
        spec.cols.map(([k, fn]) => h('td', { 'data-label': colName(k) }, fn(r))),
        h('td', { 'data-label': t('admin.col.active') }, r.active ? t('admin.active') : t('admin.inactive')),
        h('td.row-actions', {},
          h('button.edit', { type: 'button', 'aria-label': t('admin.editName', r.name),
            onclick: () => openForm(kind, r, () => draw(`tr[data-id="${r.id}"] .edit`)) }, t('admin.change')),
          spec.hours && r.active ? h('a.button', { href: `#/admin/hours?${spec.hours}=${r.id}`,
            'aria-label': t(`admin.hoursOf.${spec.hours}`, r.name) }, t(`admin.hoursLink.${spec.hours}`)) : null,
          kind === 'types' && r.active ? followUpButton(r) : null,
          h('button.toggle', { type: 'button', 'aria-label': t(r.active ? 'admin.deactivateName' : 'admin.activateName', r.name),
            onclick: () => toggle(r) }, r.active ? t('admin.deactivate') : t('admin.activate'))))))) :
      h('p.muted', {}, t('admin.none')));
    if (focusSel) list.querySelector(focusSel)?.focus();
  }
  async function toggle(r) {
    try {
      if (r.active) await api('DELETE', `${spec.path}/${r.id}`);
      else await api('PATCH', `${spec.path}/${r.id}`, { active: true });
      await loadDirectory();
      toast(t(r.active ? 'admin.deactivated' : 'admin.activated', r.name));
      await draw(`tr[data-id="${r.id}"] .toggle`);
    } catch (x) { toast(explain(x), 'bad'); }
  }
  await draw();
}
