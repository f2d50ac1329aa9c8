// admin_accounts.js - staff accounts for the admin (#/admin/accounts): the
// list with role, units, linked clinician and last login; create (a
// secretary limited to units or not, a clinician linked to their clinician
// record, an admin); change role, units and clinician; disable and enable;
// a new password, either made here (shown once) or typed by the admin.  A
// new password, a new role or a disabled account ends the account's
// sessions (the server does it).  Passwords made here come from the
// browser's CSPRNG: 16 characters of an alphabet without look-alikes (about
// 79 bits), in groups of four to read out.
import {
  api, t, h, clear, dir, explain, toast, openDialog, closeDialog, field, fieldError, showError, fmtStamp,
} from './lib.js';

const ROLES = ['secretary', 'clinician', 'admin'];
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function strongPassword() {
  const out = [];
  while (out.length < 16) {
    for (const b of crypto.getRandomValues(new Uint8Array(32))) {
      // 248 = 8 * 31: the bytes above it would favour the first letters
      if (b < 248 && out.length < 16) out.push(ALPHABET[b % ALPHABET.length]);
    }
  }
  return out.join('').match(/.{4}/g).join('-');
}

const unitsText = u => (u.unit_ids.length ? u.unit_ids.map(id => dir.byId.unit?.[id]?.name || `#${id}`).join(', ')
  : t('admin.acc.allUnits'));

export async function showAccounts(body, params, page, me) {
  const list = h('div.admin-list', { id: 'accounts-list' });
  clear(body, h('h1', { tabindex: '-1' }, t('admin.page.accounts')), h('p', {}, t('admin.intro.accounts')),
    h('div.actions', {}, h('button.primary', { type: 'button', id: 'accounts-new', onclick: () => openAccount(null, draw) },
      t('admin.acc.new'))), list);
  async function draw(focusSel) {
    const users = await api('GET', '/users');
    const clinicians = await api('GET', '/clinicians?limit=1000');
    const clinName = id => clinicians.find(c => c.id === id)?.name || '';
    const cols = ['username', 'role', 'units', 'clinician', 'active', 'lastLogin', 'actions'];
    clear(list, h('table.admin-table', {},
      h('caption.sr', {}, t('admin.page.accounts')),
      h('thead', {}, h('tr', {}, cols.map(k => h('th', { scope: 'col' }, t(`admin.acc.col.${k}`))))),
      h('tbody', {}, users.map(u => h(`tr${u.active ? '' : '.inactive'}`, { dataset: { id: u.id } },
        h('th', { scope: 'row' }, u.username),
        h('td', { 'data-label': t('admin.acc.col.role') }, t(`role.${u.role}`)),
        h('td', { 'data-label': t('admin.acc.col.units') }, u.role === 'secretary' ? unitsText(u) : ''),
        h('td', { 'data-label': t('admin.acc.col.clinician') }, clinName(u.clinician_id)),
        h('td', { 'data-label': t('admin.acc.col.active') }, u.active ? t('admin.active') : t('admin.inactive')),
        h('td', { 'data-label': t('admin.acc.col.lastLogin') }, u.last_login_at ? fmtStamp(u.last_login_at) : t('admin.acc.never')),
        h('td.row-actions', {},
          h('button.edit', { type: 'button', 'aria-label': t('admin.editName', u.username),
            onclick: () => openAccount(u, () => draw(`tr[data-id="${u.id}"] .edit`)) }, t('admin.change')),
          h('button.password', { type: 'button', 'aria-label': t('admin.acc.passwordFor', u.username),
            onclick: () => openPassword(u, () => draw(`tr[data-id="${u.id}"] .password`)) }, t('admin.acc.newPassword')),
          u.id === me?.user_id ? null : h('button.toggle', { type: 'button',
            'aria-label': t(u.active ? 'admin.deactivateName' : 'admin.activateName', u.username),
            onclick: () => toggle(u) }, u.active ? t('admin.deactivate') : t('admin.activate'))))))));
    if (focusSel) list.querySelector(focusSel)?.focus();
  }
  async function toggle(u) {
    try {
      await api('PATCH', `/users/${u.id}`, { active: !u.active });
      toast(t(u.active ? 'admin.acc.disabled' : 'admin.activated', u.username));
      await draw(`tr[data-id="${u.id}"] .toggle`);
    } catch (x) { toast(explain(x), 'bad'); }
  }
  await draw();
}

// The password choice: made here (shown once) or typed.  Returns
// {box, value(), made()} where value() is null when the typed one is too
// short (the field says so).
function passwordChoice(prefix) {
  const typed = h('input', { type: 'password', autocomplete: 'new-password', minlength: 12, disabled: true });
  const make = h('input', { type: 'radio', name: `${prefix}-how`, id: `${prefix}-make`, checked: true,
    onchange: () => { typed.disabled = true; } });
  const set = h('input', { type: 'radio', name: `${prefix}-how`, id: `${prefix}-set`,
    onchange: () => { typed.disabled = false; typed.focus(); } });
  const box = h('fieldset', {}, h('legend', {}, t('admin.acc.password')),
    h('label.check', { for: `${prefix}-make` }, make, t('admin.acc.make')),
    h('label.check', { for: `${prefix}-set` }, set, t('admin.acc.set')),
    field(`${prefix}-password`, t('admin.acc.newPassword'), typed, t('admin.acc.passwordHint')));
  return {
    box,
    made: () => make.checked,
    value() {
      if (make.checked) return strongPassword();
      if ([...typed.value].length < 12) { fieldError(`${prefix}-password`, t('admin.bad.password')); return null; }
      return typed.value;
    },
  };
}

// The made password, once.
function showOnce(username, password) {
  const copy = h('button.primary', { type: 'button', async onclick() {
    try { await navigator.clipboard.writeText(password); toast(t('admin.acc.copied')); } catch { toast(t('admin.acc.copyFailed'), 'bad'); }
  } }, t('admin.acc.copy'));
  openDialog(t('admin.acc.onceTitle', username), h('div', {},
    h('p', {}, t('admin.acc.once', username)),
    h('p.secret', {}, h('code', { id: 'once-password' }, password)),
    h('div.actions', {}, copy, h('button', { type: 'button', onclick: closeDialog }, t('admin.acc.noted')))));
  copy.focus();
}

// Create (u null) or change an account.
function openAccount(u, after) {
  const username = h('input', { autocomplete: 'off', maxlength: 60, required: true, spellcheck: 'false' });
  const role = h('select', {}, ROLES.map(r => h('option', { value: r, selected: (u ? u.role : 'secretary') === r }, t(`role.${r}`))));
  const clinician = h('select', {}, h('option', { value: '' }, t('admin.acc.chooseClinician')),
    dir.clinicians.map(c => h('option', { value: c.id, selected: u?.clinician_id === c.id }, c.name)));
  const unitBoxes = dir.units.map(x => h('label.check', { for: `acc-unit-${x.id}` },
    h('input', { type: 'checkbox', id: `acc-unit-${x.id}`, value: x.id, checked: !!u?.unit_ids.includes(x.id) }), x.name));
  const units = h('fieldset', { id: 'acc-units', tabindex: '-1', 'aria-describedby': 'acc-units-hint acc-units-error' },
    h('legend', {}, t('admin.acc.units')), h('p.hint', { id: 'acc-units-hint' }, t('admin.acc.unitsHint')), unitBoxes,
    h('span.field-error', { id: 'acc-units-error' }));
  const clinField = field('acc-clinician', t('admin.acc.clinician'), clinician, t('admin.acc.clinicianHint'));
  const pw = u ? null : passwordChoice('acc');
  const shape = () => { clinField.hidden = role.value !== 'clinician'; units.hidden = role.value !== 'secretary'; };
  role.addEventListener('change', shape);
  shape();
  const problem = h('p.error', { id: 'acc-problem', role: 'alert' });
  const fields = { username: 'acc-username', role: 'acc-role', clinician_id: 'acc-clinician', unit_ids: 'acc-units', password: 'acc-password' };
  const form = h('form.admin-form', {
    novalidate: true,
    async onsubmit(e) {
      e.preventDefault();
      showError(null, problem);
      const ids = [...units.querySelectorAll('input:checked')].map(x => Number(x.value));
      const body = { role: role.value, unit_ids: role.value === 'secretary' && ids.length ? ids : null };
      if (role.value === 'clinician') {
        if (!clinician.value) return fieldError('acc-clinician', t('admin.bad.clinician_id'));
        body.clinician_id = Number(clinician.value);
      }
      if (!u) {
        body.username = username.value.trim();
        if (!body.username) return fieldError('acc-username', t('admin.bad.username'));
        body.password = pw.value();
        if (!body.password) return undefined;
      }
      try {
        const saved = u ? await api('PATCH', `/users/${u.id}`, body) : await api('POST', '/users', body);
        closeDialog();
        toast(t(u ? 'admin.saved' : 'admin.made', saved.username));
        await after();
        if (!u && pw.made()) showOnce(saved.username, body.password);
      } catch (x) { showError(x, problem, fields, 'admin'); }
    },
  },
  u ? h('p', {}, h('strong', {}, t('admin.acc.col.username')), ' ', u.username)
    : field('acc-username', t('admin.acc.col.username'), username, t('admin.acc.usernameHint')),
  field('acc-role', t('admin.acc.col.role'), role), clinField, units, pw?.box, problem,
  h('div.actions', {}, h('button.primary', { type: 'submit' }, u ? t('admin.save') : t('admin.acc.create')),
    h('button', { type: 'button', onclick: closeDialog }, t('app.cancel'))));
  openDialog(u ? t('admin.edit', u.username) : t('admin.acc.new'), form);
}

function openPassword(u, after) {
  const pw = passwordChoice('pw');
  const problem = h('p.error', { id: 'pw-problem', role: 'alert' });
  const form = h('form.admin-form', {
    novalidate: true,
    async onsubmit(e) {
      e.preventDefault();
      showError(null, problem);
      const password = pw.value();
      if (!password) return;
      try {
        await api('PATCH', `/users/${u.id}`, { password });
        closeDialog();
        toast(t('admin.acc.changed', u.username));
        await after();
        if (pw.made()) showOnce(u.username, password);
      } catch (x) { showError(x, problem, { password: 'pw-password' }, 'admin'); }
    },
  }, h('p', {}, t('admin.acc.resetIntro', u.username)), pw.box, problem,
  h('div.actions', {}, h('button.primary', { type: 'submit' }, t('admin.acc.reset')),
    h('button', { type: 'button', onclick: closeDialog }, t('app.cancel'))));
  openDialog(t('admin.acc.passwordFor', u.username), form);
}
