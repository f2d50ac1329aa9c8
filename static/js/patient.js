// patient.js - the patients (#/patients): search by name, phone or birth
// number; open one (#/patients/<id>) to see and correct their name, mobile,
// e-mail and preferred language (every read and change is in their audit
// log, server side), with their upcoming appointments; add one
// (#/patients/new?national_id=), the birth number typed in the search
// carried over.  A birth number another patient has (409 duplicate) offers
// that patient instead of an error; a patient with neither mobile nor
// e-mail is warned about: no invitation can reach them, a letter must.
import {
  api, ApiError, query, t, h, clear, field, fieldError, showError, toast, changed,
  nowLocal, fmtWhen, fmtDay, clinicianName, STATUS_MARK, explain, fmtPhone,
} from './lib.js';
import { openAppointment } from './appt.js';

const FIELDS = { name: 'pt-name', phone: 'pt-phone', email: 'pt-email', language: 'pt-language', national_id: 'pt-national_id' };
const birthNumber = s => { const d = String(s || '').replace(/\s/g, ''); return /^\d{11}$/.test(d) ? d : ''; };

// #/patients?q=..., #/patients/new?national_id=..., #/patients/<id>
export async function showPatients(main, which, params) {
  try {
    if (which === 'new') await showNew(main, params);
    else if (/^\d+$/.test(which || '')) await showOne(main, Number(which), params);
    else await showSearch(main, params);
  } catch (x) {
    clear(main, h('p.error', { role: 'alert' }, explain(x)));
  }
  // the heading, unless the view put focus on what comes next already
  if (!main.contains(document.activeElement) || document.activeElement === main) main.querySelector('h1')?.focus();
}

async function showSearch(main, params) {
  const q = h('input', { type: 'search', value: params.q || '', autocomplete: 'off' });
  const results = h('div', { id: 'pt-results', 'aria-live': 'polite' });
  const form = h('form.search', { role: 'search', onsubmit: e => {
    e.preventDefault();
    location.hash = `#/patients${query({ q: q.value.trim() })}`;
  } }, field('pt-q', t('patients.search'), q, t('patients.searchHint')),
  h('button.primary', { type: 'submit' }, t('patients.find')));
  const newHref = () => `#/patients/new${query({ national_id: birthNumber(q.value) })}`;
  const add = h('a.button', { href: newHref(), id: 'pt-new' }, t('patients.new'));
  q.addEventListener('input', () => { add.href = newHref(); });
  clear(main, h('div.patients', {}, h('h1', { tabindex: '-1' }, t('patients.title')), form, add, results));
  const text = (params.q || '').trim();
  if (!text) return;
  const nin = birthNumber(text);
  const found = await api('GET', `/patients${query(nin ? { national_id: nin, limit: 50 } : { q: text, limit: 50 })}`);
  clear(results, found.length ? h('table.admin-table', {},
    h('caption', {}, t('patients.hits', found.length, text)),
    h('thead', {}, h('tr', {}, ['name', 'born', 'phone', 'email', 'actions'].map(k => h('th', { scope: 'col' }, t(`patients.col.${k}`))))),
    h('tbody', {}, found.map(p => h('tr', {},
      h('th', { scope: 'row' }, p.name, p.active === false ? h('span.muted', {}, ` (${t('patients.inactive')})`) : ''),
      h('td', {}, p.birth_date ? fmtDay(p.birth_date) : ''),
      h('td', {}, fmtPhone(p.phone)),
      h('td', {}, p.email || ''),
      h('td', {}, h('a', { href: `#/patients/${p.id}` }, t('patients.open', p.name)))))))
    : h('p', {}, t('patients.noHits', text), ' ', nin ? t('patients.noHitsNin') : ''));
  const first = results.querySelector('tbody a');
  if (first) first.focus();
}

// The form's controls for p (empty for a new patient).
function controls(p = {}) {
  return {
    name: h('input', { type: 'text', autocomplete: 'off', value: p.name || '' }),
    phone: h('input', { type: 'tel', autocomplete: 'off', value: p.phone || '' }),
    email: h('input', { type: 'email', autocomplete: 'off', value: p.email || '' }),
    language: h('select', {}, ['nb', 'nn', 'en'].map(l => h('option', { value: l, selected: l === (p.language || 'nb') }, t(`lang.${l}`)))),
    national_id: h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', maxlength: '11', value: p.national_id || '' }),
  };
}

function fields(c, { nationalId = true } = {}) {
  return [
    field('pt-name', t('patient.name'), c.name),
    field('pt-phone', t('patient.phone'), c.phone, t('patient.phoneHint')),
    field('pt-email', t('patient.email'), c.email),
    field('pt-language', t('patient.language'), c.language),
    nationalId ? field('pt-national_id', t('patient.nationalId'), c.national_id, t('patient.nationalIdHint')) : null,
  ];
}

// No mobile and no e-mail: the invitation cannot be sent.
const noChannel = p => (!p.phone && !p.email
  ? h('div.attention', { id: 'pt-nochannel', role: 'alert', tabindex: '-1' }, h('strong', {}, t('patients.noChannelH')), ' ', t('patients.noChannel'))
  : null);

async function showNew(main, params) {
  const c = controls({ national_id: birthNumber(params.national_id) });
  const problem = h('div.problem', { id: 'pt-problem', role: 'alert' });
  const form = h('form.admin-form', { novalidate: true, async onsubmit(e) {
    e.preventDefault();
    showError(null, problem);
    if (!c.name.value.trim()) return fieldError('pt-name', t('admin.needName'));
    const body = { name: c.name.value.trim(), language: c.language.value };
    for (const k of ['phone', 'email', 'national_id']) if (c[k].value.trim()) body[k] = c[k].value.trim();
    try {
      const p = await api('POST', '/patients', body);
      toast(t('patients.made', p.name));
      changed();
      location.hash = `#/patients/${p.id}${p.phone || p.email ? '' : '?saved=1'}`;
    } catch (x) {
      if (x instanceof ApiError && x.code === 'duplicate' && x.field === 'national_id') return offerExisting(x, body.national_id, problem);
      showError(x, problem, FIELDS);
    }
  } }, fields(c), problem,
  h('div.actions', {}, h('button.primary', { type: 'submit' }, t('patients.create')),
    h('a.button', { href: '#/patients' }, t('app.cancel'))));
  clear(main, h('div.patients', {}, h('h1', { tabindex: '-1' }, t('patients.new')), form));
}

// The birth number is another patient's: say so at the field, and offer
// to open that patient.
async function offerExisting(x, nin, problem) {
  showError(x, problem, FIELDS);
  const [p] = await api('GET', `/patients${query({ national_id: nin, limit: 1 })}`).catch(() => []);
  if (!p) return;
  const open = h('a.button.primary', { href: `#/patients/${p.id}`, id: 'pt-existing' }, t('patients.openExisting', p.name));
  clear(problem, h('p', {}, t('patients.exists', p.name, p.birth_date ? fmtDay(p.birth_date) : '')), open);
  open.focus();
}

async function showOne(main, id, params) {
  const [p, upcoming] = await Promise.all([
    api('GET', `/patients/${id}`),
    api('GET', `/appointments${query({ patient_id: id, from: nowLocal().date, limit: 100 })}`),
  ]);
  const c = controls(p);
  const problem = h('div.problem', { id: 'pt-problem', role: 'alert' });
  const warn = h('div', { id: 'pt-warn' }, noChannel(p));
  const form = h('form.admin-form', { novalidate: true, async onsubmit(e) {
    e.preventDefault();
    showError(null, problem);
    if (!c.name.value.trim()) return fieldError('pt-name', t('admin.needName'));
    const patch = {};
    const now = { name: c.name.value.trim(), language: c.language.value, phone: c.phone.value.trim() || null, email: c.email.value.trim() || null };
    for (const [k, v] of Object.entries(now)) if (v !== (p[k] ?? null)) patch[k] = v;
    if (!Object.keys(patch).length) { toast(t('patients.unchanged')); return; }
    try {
      const next = await api('PATCH', `/patients/${id}`, patch);
      Object.assign(p, next);
      for (const k of ['name', 'phone', 'email']) c[k].value = next[k] || '';
      main.querySelector('h1').textContent = next.name;
      clear(warn, noChannel(next));
      toast(t('patients.saved', next.name));
      changed();
      (warn.firstChild || c.name).focus();
    } catch (x) { showError(x, problem, FIELDS); }
  } }, fields(c, { nationalId: false }),
  p.national_id ? h('p', {}, h('span.muted', {}, `${t('patient.nationalId')}: `), p.national_id) : null,
  problem,
  h('div.actions', {}, h('button.primary', { type: 'submit', id: 'pt-save' }, t('patients.save'))));
  const list = upcoming.filter(a => a.status !== 'cancelled').sort((a, b) => a.start.localeCompare(b.start));
  clear(main, h('div.patients', {},
    h('p', {}, h('a', { href: '#/patients' }, t('patients.back'))),
    h('h1', { tabindex: '-1' }, p.name),
    p.birth_date ? h('p.muted', {}, t('patient.born', fmtDay(p.birth_date), null)) : null,
    warn, form,
    h('section', { 'aria-labelledby': 'pt-upcoming-h' }, h('h2', { id: 'pt-upcoming-h' }, t('patients.upcoming')),
      list.length ? h('ul.plain', { id: 'pt-upcoming' }, list.map(a => h('li', {},
        h('button.link', { type: 'button', onclick: () => openAppointment(a.id) }, fmtWhen(a.start)), ' ',
        a.clinician_ids.map(clinicianName).join(', '), ' · ', t(`mode.${a.mode}`), ' · ',
        h('span', { 'aria-hidden': 'true' }, `${STATUS_MARK[a.status]} `), t(`status.${a.status}`))))
        : h('p.muted', {}, t('patients.noUpcoming')))));
  if (params.saved) (warn.firstChild || main.querySelector('h1')).focus();
}
