// admin_questionnaires.js - the admin's questionnaires (#/admin/questionnaires):
// the list per unit (title, version, status, built-in), upload or change
// one as FHIR R4 Questionnaire JSON in a text area (timebok's unit_id and
// feedback bands are members of the same JSON), checked by the server
// (POST /questionnaires/validate) with its error said at the item and the
// item's text selected in the area, a preview drawn by the patient page's
// own renderer (survey_form.js) in each language at a phone's width, and
// retire.  Also the follow-up plan of a consultation type (PUT
// /consultation-types/{id}/follow-up), opened from the types list.
import { api, ApiError, t, h, clear, dir, explain, toast, openDialog, closeDialog, field, fieldError, query } from './lib.js';
import { surveyForm, surveyTitle } from '../survey_form.js';

// The members the server keeps; not part of what the admin writes.
const SERVER_MEMBERS = ['id', 'version', 'status', 'meta', 'builtin'];
const PLAN_FIELDS = ['after_days', 'questionnaire_id', 'threshold', 'urgent_threshold', 'reminder_days'];

// The form's look is the patient page's: its style sheet, once.
function surveyStyles() {
  if (document.querySelector('link[href="/survey.css"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/survey.css' }));
}

const unitWord = id => (id == null ? t('quest.clinicWide') : dir.byId.unit?.[id]?.name || `#${id}`);

export async function showQuestionnaires(body, params) {
  surveyStyles();
  let unit = params.unit || '';
  const list = h('div.admin-list', { id: 'quest-list' });
  // the choice redraws the list in place (the address follows without a
  // new view), so focus stays on the choice
  const unitSel = h('select', { onchange: e => {
    unit = e.target.value;
    history.replaceState(null, '', `#/admin/questionnaires${query({ unit })}`);
    draw().catch(x => toast(explain(x), 'bad'));
  } },
    h('option', { value: '' }, t('quest.allUnits')),
    dir.units.map(u => h('option', { value: u.id, selected: String(u.id) === unit }, u.name)));
  const work = h('div', { id: 'quest-work' });
  clear(body, h('h1', { tabindex: '-1' }, t('admin.page.questionnaires')), h('p', {}, t('quest.intro')),
    h('div.actions', {}, field('quest-unit-filter', t('quest.unit'), unitSel),
      h('button.primary', { type: 'button', id: 'quest-new', onclick: () => editor(work, null, draw) }, t('quest.new'))),
    list, work);

  async function draw(focusSel) {
    const rows = await api('GET', `/questionnaires${query({ unit_id: unit })}`);
    rows.sort((a, b) => (a.status === b.status ? 0 : a.status === 'active' ? -1 : 1) ||
      String(a.title || '').localeCompare(String(b.title || ''), 'nb'));
    const cols = ['title', 'unit', 'version', 'status', 'builtin', 'actions'];
    clear(list, rows.length ? h('table.admin-table', {},
      h('caption.sr', {}, t('admin.page.questionnaires')),
      h('thead', {}, h('tr', {}, cols.map(k => h('th', { scope: 'col' }, t(`quest.col.${k}`))))),
      h('tbody', {}, rows.map(q => h(`tr${q.status === 'active' ? '' : '.inactive'}`, { dataset: { id: q.id } },
        h('th', { scope: 'row', 'data-label': t('quest.col.title') }, q.title || t('quest.untitled')),
        h('td', { 'data-label': t('quest.col.unit') }, unitWord(q.unit_id)),
        h('td', { 'data-label': t('quest.col.version') }, q.version),
        h('td', { 'data-label': t('quest.col.status') }, t(`quest.status.${q.status}`)),
        h('td', { 'data-label': t('quest.col.builtin') }, q.builtin ? t('admin.yes') : t('admin.no')),
        h('td.row-actions', {},
          h('button.preview', { type: 'button', 'aria-label': t('quest.previewName', q.title),
            onclick: () => preview(work, q) }, t('quest.preview')),
          !q.builtin && q.status === 'active' ? h('button.edit', { type: 'button', 'aria-label': t('admin.editName', q.title),
            onclick: () => editor(work, q, draw) }, t('admin.change')) : null,
          !q.builtin && q.status === 'active' ? h('button.retire', { type: 'button', 'aria-label': t('quest.retireName', q.title),
            onclick: () => retire(q) }, t('quest.retire')) : null))))) : h('p.muted', {}, t('quest.none')));
    if (focusSel) list.querySelector(focusSel)?.focus();
  }

  async function retire(q) {
    if (!confirm(t('quest.retireSure', q.title))) return;
    try {
      await api('DELETE', `/questionnaires/${q.id}`);
      toast(t('quest.retired', q.title));
      clear(work);
      await draw('#quest-new');
      document.getElementById('quest-new').focus();
    } catch (x) { toast(explain(x), 'bad'); }
  }
  await draw();
}

// ---- the preview: the patient's form, at a phone's width ----

function preview(work, q, { focus = true } = {}) {
  let lang = 'nb';
  const form = surveyForm(q, { lang, prefix: 'qp' });
  const heading = h('h2', { id: 'quest-preview-title' });
  const intro = h('p');
  const langSel = h('select', { onchange: e => { lang = e.target.value; form.setLanguage(lang); words(); } },
    ['nb', 'nn', 'en'].map(l => h('option', { value: l }, t(`lang.${l}`))));
  function words() {
    const s = surveyTitle(q, lang);
    heading.textContent = s.title || t('quest.untitled');
    intro.textContent = s.description;
    intro.hidden = !s.description;
  }
  words();
  const check = h('button', { type: 'button', onclick: () => { const n = form.validate().length; status.textContent = n ? t('quest.previewWrong', n) : t('quest.previewOk'); } },
    t('quest.previewCheck'));
  const status = h('p', { role: 'status' });
  clear(work, h('section.quest-preview', { 'aria-labelledby': 'quest-preview-h' },
    h('h2', { id: 'quest-preview-h', tabindex: '-1' }, t('quest.previewOf', q.title || t('quest.untitled'))),
    h('p.muted', {}, t('quest.previewIntro')),
    field('quest-preview-lang', t('quest.previewLang'), langSel),
    h('div.phone', { lang }, heading, intro, form.element),
    h('div.actions', {}, check), status));
  langSel.addEventListener('change', () => work.querySelector('.phone').setAttribute('lang', lang));
  if (focus) work.querySelector('#quest-preview-h').focus();
}

// ---- the editor ----

// The JSON to edit: the stored questionnaire without what the server keeps.
function editable(q) {
  if (!q) return { resourceType: 'Questionnaire', language: 'nb', status: 'active', title: '', unit_id: dir.units[0]?.id ?? null, item: [] };
  const out = {};
  for (const [k, v] of Object.entries(q)) if (!SERVER_MEMBERS.includes(k)) out[k] = v;
  out.status = 'active';
  return out;
}

// Where a JSON path ("item[2].item[0].answerOption") points in text: the
// range of the innermost item's linkId (or of the member named), for the
// selection; null when it cannot be found.
export function locate(text, doc, path) {
  let node = doc;
  let linkId = null;
  let last = null;
  for (const m of String(path || '').matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]/g)) {
    const key = m[1] !== undefined ? m[1] : Number(m[2]);
    if (m[1] !== undefined) last = m[1];
    if (node == null || typeof node !== 'object') break;
    node = node[key];
    if (node && typeof node === 'object' && typeof node.linkId === 'string') linkId = node.linkId;
  }
  const esc = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = linkId !== null ? new RegExp(`"linkId"\\s*:\\s*"${esc(JSON.stringify(linkId).slice(1, -1))}"`)
    : last ? new RegExp(`"${esc(last)}"\\s*:`) : null;
  const hit = re && re.exec(text);
  return hit ? { start: hit.index, end: hit.index + hit[0].length, linkId } : null;
}

function editor(work, q, redraw) {
  const area = h('textarea.json', { rows: '22', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off' });
  area.value = JSON.stringify(editable(q), null, 2);
  const status = h('p', { id: 'quest-status', role: 'status' });
  const pre = h('div', { id: 'quest-editor-preview' });
  let doc = null;

  // The text as JSON, or the parse error said at the area.
  function parse() {
    clearError();
    try {
      doc = JSON.parse(area.value);
    } catch (x) {
      const at = /position (\d+)/.exec(x.message);
      const pos = at ? Number(at[1]) : null;
      const line = pos === null ? null : area.value.slice(0, pos).split('\n').length;
      fieldError('quest-json', line ? t('quest.badJsonLine', line) : t('quest.badJson'));
      if (pos !== null) area.setSelectionRange(pos, pos + 1);
      return null;
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      fieldError('quest-json', t('quest.notObject'));
      return null;
    }
    return doc;
  }

  function clearError() {
    area.removeAttribute('aria-invalid');
    document.getElementById('quest-json-error').textContent = '';
    status.textContent = '';
  }

  // The server's error at the item: said under the area, the item selected.
  function showApiError(x) {
    if (!(x instanceof ApiError) || x.status !== 400) { fieldError('quest-json', explain(x)); return; }
    const where = locate(area.value, doc, x.field);
    fieldError('quest-json', t('quest.invalidAt', x.field || '', x.message));
    if (where) {
      area.setSelectionRange(where.start, where.end);
      // bring the selection into view: the line's place in the area
      const line = area.value.slice(0, where.start).split('\n').length;
      area.scrollTop = Math.max(0, (line - 3) * parseFloat(getComputedStyle(area).lineHeight || '20'));
    }
  }

  async function check() {
    if (!parse()) return false;
    try {
      await api('POST', '/questionnaires/validate', doc);
      status.textContent = t('quest.valid');
      return true;
    } catch (x) { showApiError(x); return false; }
  }

  const form = h('form.admin-form.quest-editor', {
    novalidate: true,
    async onsubmit(e) {
      e.preventDefault();
      if (!parse()) return;
      try {
        const saved = q ? await api('PUT', `/questionnaires/${q.id}`, doc) : await api('POST', '/questionnaires', doc);
        toast(t(q ? 'quest.savedVersion' : 'quest.made', saved.title, saved.version));
        await redraw(`tr[data-id="${saved.id}"] .preview`);
        preview(work, saved, { focus: false });
        document.querySelector(`#quest-list tr[data-id="${saved.id}"] .preview`)?.focus();
      } catch (x) { showApiError(x); }
    },
  },
  h('h2', { id: 'quest-editor-h', tabindex: '-1' }, q ? t('quest.editOf', q.title, q.version) : t('quest.new')),
  h('p.muted', {}, t('quest.editorIntro')),
  field('quest-json', t('quest.json'), area, t('quest.jsonHint')),
  status,
  h('div.actions', {},
    h('button', { type: 'button', id: 'quest-check', onclick: check }, t('quest.check')),
    h('button', { type: 'button', id: 'quest-preview', onclick: async () => { if (await check()) preview(pre, doc); } }, t('quest.preview')),
    h('button.primary', { type: 'submit' }, q ? t('quest.saveVersion') : t('quest.save')),
    h('button', { type: 'button', onclick: () => { clear(work); document.getElementById('quest-new').focus(); } }, t('app.cancel'))),
  pre);
  clear(work, form);
  work.querySelector('#quest-editor-h').focus();
}

// ---- a consultation type's follow-up plan ----

// The button for a row of the types list (admin.js).
export function followUpButton(type) {
  return h('button.follow-up', { type: 'button', 'aria-label': t('quest.plan.ofName', type.name),
    onclick: () => openPlan(type) }, t('quest.plan.button'));
}

async function openPlan(type) {
  let plan, choices;
  try {
    const [have, qs] = await Promise.all([api('GET', `/consultation-types/${type.id}/follow-up`),
      api('GET', `/questionnaires${query({ unit_id: type.unit_id, status: 'active' })}`)]);
    plan = Array.isArray(have) ? have : have.plan || [];
    choices = qs;
  } catch (x) { toast(explain(x), 'bad'); return; }
  let rows = plan.map(p => ({ ...p }));
  const box = h('div', { id: 'plan-rows' });
  const problem = h('p.error', { id: 'plan-problem', role: 'alert' });
  const add = h('button', { type: 'button', id: 'plan-add', onclick: () => { rows.push({ after_days: 84, questionnaire_id: choices[0]?.id ? Number(choices[0].id) : null }); draw(rows.length - 1); } },
    t('quest.plan.add'));

  function num(v) { return v === '' || v == null ? null : Number(v); }
  function draw(focusRow) {
    clear(box, rows.length ? rows.map((r, i) => {
      const id = k => `plan-${i}-${k}`;
      const input = (k, min, max) => {
        const c = h('input', { type: 'number', inputmode: 'numeric', min, max, value: r[k] ?? '',
          oninput: e => { r[k] = num(e.target.value); } });
        return field(id(k), t(`quest.plan.f.${k}`), c);
      };
      const sel = h('select', { onchange: e => { r.questionnaire_id = Number(e.target.value); } },
        choices.map(q => h('option', { value: q.id, selected: Number(q.id) === Number(r.questionnaire_id) }, `${q.title} (v${q.version})`)));
      return h('fieldset.plan-row', { dataset: { row: i } },
        h('legend', {}, t('quest.plan.entry', i + 1)),
        input('after_days', 1, 3650), field(id('questionnaire_id'), t('quest.plan.f.questionnaire_id'), sel),
        input('threshold'), input('urgent_threshold'), input('reminder_days', 1, 365),
        h('button.remove', { type: 'button', 'aria-label': t('quest.plan.removeN', i + 1),
          onclick: () => { rows.splice(i, 1); draw(); add.focus(); } }, t('quest.plan.remove')));
    }) : h('p.muted', {}, t('quest.plan.none')));
    if (focusRow !== undefined) document.getElementById(`plan-${focusRow}-after_days`)?.focus();
  }

  const form = h('form.admin-form', {
    novalidate: true,
    async onsubmit(e) {
      e.preventDefault();
      problem.textContent = '';
      for (const [i, r] of rows.entries()) {
        if (!Number.isInteger(r.after_days) || r.after_days < 1) return fieldError(`plan-${i}-after_days`, t('quest.plan.needDays'));
        if (!r.questionnaire_id) return fieldError(`plan-${i}-questionnaire_id`, t('quest.plan.needQuestionnaire'));
      }
      const body = rows.map(r => Object.fromEntries(PLAN_FIELDS.map(k => [k, k === 'questionnaire_id' ? Number(r[k]) : r[k] ?? null])));
      try {
        await api('PUT', `/consultation-types/${type.id}/follow-up`, body);
        closeDialog();
        toast(t('quest.plan.saved', type.name));
      } catch (x) {
        // the API names the entry's field: "[1].threshold"
        const m = x instanceof ApiError && /(\d+)\]?\.?(\w+)$/.exec(x.field || '');
        if (m && document.getElementById(`plan-${m[1]}-${m[2]}`)) fieldError(`plan-${m[1]}-${m[2]}`, explain(x));
        else problem.textContent = explain(x);
      }
    },
  }, h('p', {}, t('quest.plan.intro')), choices.length ? null : h('p.attention', {}, t('quest.plan.noQuestionnaires')),
  box, h('div.actions', {}, add), problem,
  h('div.actions', {}, h('button.primary', { type: 'submit' }, t('admin.save')),
    h('button', { type: 'button', onclick: closeDialog }, t('app.cancel'))));
  draw();
  openDialog(t('quest.plan.title', type.name), form, { wide: true });
  if (!choices.length) add.disabled = true;
}
