// admin_sso.js - the admin's rules for single sign-on (#/admin/sso): which
// claim value of the hospital's login gives which role, units and (for a
// clinician) which clinician.  The first rule that fits a person applies,
// so the order matters: rules move up and down with buttons.  Saved whole
// with PUT /sso/mappings; they apply from each person's next login.
import { api, t, h, clear, dir, toast, field, showError } from './lib.js';

const ROLES = ['secretary', 'clinician', 'manager', 'admin'];
const roleWord = r => (r === 'manager' ? t('stats.role') : t(`role.${r}`));

export async function showSso(body) {
  let rules = await api('GET', '/sso/mappings');
  const list = h('ol.sso-rules', { id: 'sso-rules' });
  const problem = h('p.error', { id: 'sso-problem', role: 'alert' });
  const addButton = h('button', { type: 'button', id: 'sso-add', onclick: add }, t('sso.add'));
  const form = h('form.admin-form.sso-form', { novalidate: true, onsubmit: save }, list, problem,
    h('div.actions', {}, addButton, h('button.primary', { type: 'submit', id: 'sso-save' }, t('sso.save'))));
  clear(body, h('h1', { tabindex: '-1' }, t('sso.title')), h('p', {}, t('sso.intro')), form);

  // The rules as the form shows them now (so a move keeps what was typed).
  function read() {
    return [...list.querySelectorAll('li.sso-rule')].map(li => {
      const q = s => li.querySelector(s);
      const role = q('.sso-role').value;
      return {
        claim: q('.sso-claim').value.trim() || undefined,
        value: q('.sso-value').value.trim(),
        role,
        unit_ids: [...q('.sso-units').selectedOptions].map(o => Number(o.value)),
        clinician_id: role === 'clinician' && q('.sso-clinician').value ? Number(q('.sso-clinician').value) : null,
      };
    });
  }

  function draw(focus) {
    clear(list, rules.map((r, i) => {
      const n = i + 1;
      const id = k => `sso-${k}-${n}`;
      const role = h('select.sso-role', { onchange: () => { rules = read(); draw(`#${id('role')}`); } },
        ROLES.map(x => h('option', { value: x, selected: r.role === x }, roleWord(x))));
      const units = h('select.sso-units', { multiple: true, size: Math.min(4, Math.max(2, dir.units.length)) },
        dir.units.map(u => h('option', { value: u.id, selected: (r.unit_ids || []).includes(u.id) }, u.name)));
      const clinician = h('select.sso-clinician', {}, h('option', { value: '' }, t('sso.noClinician')),
        dir.clinicians.map(c => h('option', { value: c.id, selected: r.clinician_id === c.id }, c.name)));
      return h('li.sso-rule', { dataset: { n } },
        h('fieldset', {}, h('legend', {}, t('sso.rule', n)),
          h('div.row', {},
            field(id('claim'), t('sso.claim'), h('input.sso-claim', { value: r.claim || '', placeholder: 'roles', maxlength: 64, autocomplete: 'off' }), t('sso.claimHint')),
            field(id('value'), t('sso.value'), h('input.sso-value', { value: r.value || '', maxlength: 256, required: true, autocomplete: 'off' }))),
          h('div.row', {},
            field(id('role'), t('sso.role'), role),
            r.role === 'clinician' ? field(id('clinician'), t('sso.clinician'), clinician)
              : field(id('units'), t('sso.units'), units, t('sso.unitsHint'))),
          h('div.actions', {},
            h('button.sso-up', { type: 'button', disabled: i === 0, 'aria-label': t('sso.upOf', n), onclick: () => move(i, -1) }, t('sso.up')),
            h('button.sso-down', { type: 'button', disabled: i === rules.length - 1, 'aria-label': t('sso.downOf', n), onclick: () => move(i, 1) }, t('sso.down')),
            h('button.sso-remove', { type: 'button', 'aria-label': t('sso.removeOf', n), onclick: () => remove(i) }, t('sso.remove')))));
    }));
    if (!rules.length) list.append(h('li.muted', {}, t('sso.none')));
    if (focus) form.querySelector(focus)?.focus();
  }

  function add() {
    rules = [...read(), { claim: '', value: '', role: 'secretary', unit_ids: [], clinician_id: null }];
    draw(`#sso-value-${rules.length}`);
  }
  function move(i, by) {
    rules = read();
    [rules[i], rules[i + by]] = [rules[i + by], rules[i]];
    // the focus follows the rule to its new place
    const n = i + by + 1;
    draw(by < 0 && n === 1 ? `#sso-value-${n}` : `li[data-n="${n}"] .sso-${by < 0 ? 'up' : 'down'}:not([disabled])`);
    if (!form.contains(document.activeElement)) form.querySelector(`#sso-value-${n}`)?.focus();
  }
  function remove(i) {
    rules = read();
    rules.splice(i, 1);
    draw(rules.length ? `#sso-value-${Math.min(i, rules.length - 1) + 1}` : '#sso-add');
  }
  async function save(e) {
    e.preventDefault();
    showError(null, problem);
    const body = read();
    const empty = body.findIndex(r => !r.value);
    if (empty >= 0) {
      problem.textContent = `${t('sso.rule', empty + 1)}: ${t('sso.needValue')}`;
      form.querySelector(`#sso-value-${empty + 1}`).focus();
      return;
    }
    try {
      rules = await api('PUT', '/sso/mappings', body);
      draw();
      toast(t('sso.saved'));
      form.querySelector('#sso-save').focus();
    } catch (x) { showError(x, problem); problem.focus?.(); }
  }
  draw();
}
