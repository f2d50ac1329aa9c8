// admin_audit.js - "who has looked at my data" (#/admin/audit?patient=N):
// find the patient, then every read and change of their data, newest
// first (GET /audit?patient_id=N), and the same as CSV to hand over.  The
// admin's own look is in the log too: that is the point of it.
import { api, t, h, clear, query, field, fmtStamp, fmtDay, explain } from './lib.js';

// A role's word; the log also holds who is no staff role ("patient", "system").
function roleWord(role) {
  const w = t(`role.${role}`);
  return w === `role.${role}` ? role : w;
}

export async function showAudit(body, params) {
  const id = Number(params.patient) || 0;
  const q = h('input', { type: 'search', autocomplete: 'off', value: params.q || '' });
  const results = h('div', { id: 'audit-results', 'aria-live': 'polite' });
  const form = h('form.admin-form.audit-search', {
    role: 'search',
    async onsubmit(e) {
      e.preventDefault();
      const text = q.value.trim();
      if (!text) return;
      try {
        const found = await api('GET', `/patients${query({ q: text, limit: 20 })}`);
        clear(results, found.length ? h('ul.found', {}, found.map(p => h('li', {},
          h('a', { href: `#/admin/audit${query({ patient: p.id, q: text })}` }, p.name),
          ' ', h('span.muted', {}, [p.birth_date ? t('admin.audit.born', fmtDay(p.birth_date)) : '', p.phone || ''].filter(Boolean).join(', ')))))
          : h('p', {}, t('book.noMatch')));
      } catch (x) { clear(results, h('p.error', { role: 'alert' }, explain(x))); }
    },
  }, h('div.row', {}, field('audit-q', t('admin.audit.find'), q, t('book.findHint')),
    h('button', { type: 'submit' }, t('admin.audit.search'))));
  clear(body, h('h1', { tabindex: '-1' }, t('admin.page.audit')), h('p', {}, t('admin.intro.audit')), form, results);
  if (params.q && !id) form.requestSubmit();
  if (!id) return;
  const [patient, rows] = await Promise.all([api('GET', `/patients/${id}`), api('GET', `/audit?patient_id=${id}`)]);
  body.append(h('section.audit', { 'aria-labelledby': 'audit-h' },
    h('h2', { id: 'audit-h' }, t('admin.audit.of', patient.name)),
    h('p', {}, t('admin.audit.count', rows.length), ' ',
      h('a.button', { href: `/api/v1/audit?patient_id=${id}&format=csv`, download: `innsyn-pasient-${id}.csv`, id: 'audit-csv' },
        t('admin.audit.csv'))),
    rows.length ? h('table.admin-table', {},
      h('caption.sr', {}, t('admin.audit.of', patient.name)),
      h('thead', {}, h('tr', {}, ['at', 'who', 'role', 'action', 'appointment'].map(k => h('th', { scope: 'col' }, t(`admin.audit.col.${k}`))))),
      h('tbody', {}, rows.map(r => h('tr', {},
        h('th', { scope: 'row' }, fmtStamp(r.at)),
        h('td', { 'data-label': t('admin.audit.col.who') }, r.username),
        h('td', { 'data-label': t('admin.audit.col.role') }, roleWord(r.role)),
        h('td', { 'data-label': t('admin.audit.col.action') }, t('admin.audit.act', r.action)),
        h('td', { 'data-label': t('admin.audit.col.appointment') }, r.appointment_id ? `#${r.appointment_id}` : ''))))) : null));
}
