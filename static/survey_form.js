// survey_form.js - renders timebok's subset of a FHIR R4 Questionnaire as
// a form and turns the answers into a QuestionnaireResponse.  The patient's
// page (survey.js, /s/<token>) and the admin's preview
// (js/admin_questionnaires.js) both use it, so the preview is what the
// patient sees.
//
// Items: group, display, boolean, choice (answerOption valueCoding or
// valueString; checkboxes when "repeats"), integer (min/max through the
// minValue/maxValue extensions; a range of at most 11 values is a row of
// large buttons), string and text; "required"; "enableWhen" (operators
// = != > < >= <= exists, "enableBehavior" any/all), evaluated live: a
// disabled item is hidden, and its answers are kept but not sent.  Texts in
// nb, nn or en: the resource's own text is its "language" (bokmål unless it
// says otherwise), the others come from the FHIR translation extension on
// _text, _title, _description, answerOption _valueString and valueCoding
// _display.  The answers live in a model, not in the DOM, so a change of
// language redraws the form without losing them.

const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
const MIN_VALUE = 'http://hl7.org/fhir/StructureDefinition/minValue';
const MAX_VALUE = 'http://hl7.org/fhir/StructureDefinition/maxValue';
const SCALE_MAX = 11; // an integer range up to this many values is a row of buttons
export const TEXT_MAX = 4000; // characters of a text answer (server/questionnaire.h)

export const FORM_TEXTS = {
  nb: {
    required: 'Må besvares', yes: 'Ja', no: 'Nei',
    needAnswer: 'Svar på dette spørsmålet.', needNumber: 'Skriv et helt tall.',
    range: (a, b) => `Skriv et tall fra ${a} til ${b}.`, atLeast: a => `Skriv et tall som er ${a} eller mer.`,
    atMost: b => `Skriv et tall som er ${b} eller mindre.`, tooLong: n => `Bruk høyst ${n} tegn.`,
    scaleEnds: (a, b) => `${a} er lavest, ${b} er høyest.`,
  },
  nn: {
    required: 'Må svarast på', yes: 'Ja', no: 'Nei',
    needAnswer: 'Svar på dette spørsmålet.', needNumber: 'Skriv eit heilt tal.',
    range: (a, b) => `Skriv eit tal frå ${a} til ${b}.`, atLeast: a => `Skriv eit tal som er ${a} eller meir.`,
    atMost: b => `Skriv eit tal som er ${b} eller mindre.`, tooLong: n => `Bruk høgst ${n} teikn.`,
    scaleEnds: (a, b) => `${a} er lågast, ${b} er høgast.`,
  },
  en: {
    required: 'Required', yes: 'Yes', no: 'No',
    needAnswer: 'Please answer this question.', needNumber: 'Please write a whole number.',
    range: (a, b) => `Please write a number from ${a} to ${b}.`, atLeast: a => `Please write a number of ${a} or more.`,
    atMost: b => `Please write a number of ${b} or less.`, tooLong: n => `Please use at most ${n} characters.`,
    scaleEnds: (a, b) => `${a} is the lowest, ${b} the highest.`,
  },
};

// ---- reading the resource ----

// The text of base (with its shadow element, "_text" and the like) in lang;
// the base text when there is no translation to lang.
export function translated(base, shadow, lang, baseLang = 'nb') {
  if (lang === baseLang || !shadow || !Array.isArray(shadow.extension)) return base ?? '';
  for (const ext of shadow.extension) {
    if (!ext || ext.url !== TRANSLATION || !Array.isArray(ext.extension)) continue;
    const l = ext.extension.find(e => e && e.url === 'lang');
    const c = ext.extension.find(e => e && e.url === 'content');
    if (l && c && l.valueCode === lang && typeof c.valueString === 'string') return c.valueString;
  }
  return base ?? '';
}

function extInteger(item, url) {
  const e = (item.extension || []).find(x => x && x.url === url);
  return e && Number.isInteger(e.valueInteger) ? e.valueInteger : null;
}

// An answer option's key in the model (its code or its string) and its
// words in lang.
export function optionKey(opt) {
  if (opt.valueCoding) return `c:${opt.valueCoding.system || ''}|${opt.valueCoding.code}`;
  if (opt.valueString !== undefined) return `s:${opt.valueString}`;
  if (opt.valueInteger !== undefined) return `i:${opt.valueInteger}`;
  return '';
}
function optionText(opt, lang, baseLang) {
  if (opt.valueCoding) {
    const c = opt.valueCoding;
    return translated(c.display ?? c.code, c._display, lang, baseLang);
  }
  if (opt.valueString !== undefined) return translated(opt.valueString, opt._valueString, lang, baseLang);
  return String(opt.valueInteger);
}

// Every item with its parent, in document order: [{item, parent}].
function walk(items, parent = null, out = []) {
  for (const item of items || []) {
    out.push({ item, parent });
    walk(item.item, item, out);
  }
  return out;
}

// ---- enableWhen ----

// The answer to compare: boolean, number, or string (a coding's code).
function comparable(item, value) {
  if (value === undefined || value === null || value === '') return undefined;
  if (item && item.type === 'choice') {
    const opt = (item.answerOption || []).find(o => optionKey(o) === (Array.isArray(value) ? value[0] : value));
    if (!opt) return undefined;
    if (opt.valueCoding) return opt.valueCoding.code;
    return opt.valueString ?? opt.valueInteger;
  }
  return value;
}

function expected(ew) {
  if ('answerBoolean' in ew) return ew.answerBoolean;
  if ('answerInteger' in ew) return ew.answerInteger;
  if ('answerDecimal' in ew) return ew.answerDecimal;
  if ('answerString' in ew) return ew.answerString;
  if ('answerCoding' in ew) return ew.answerCoding && ew.answerCoding.code;
  return undefined;
}

function holds(op, have, want) {
  // a choice answered with a code that is a number compares as one
  const num = typeof want === 'number' && typeof have === 'string' && have.trim() !== '' ? Number(have) : have;
  switch (op) {
  case '=': return num === want;
  case '!=': return num !== want;
  case '>': return num > want;
  case '<': return num < want;
  case '>=': return num >= want;
  case '<=': return num <= want;
  default: return false;
  }
}

// Whether condition ew holds for the answer value (the form's model value:
// a choice's optionKey; undefined when the item is unanswered or hidden) of
// its question item.  The server (questionnaire.c) decides alike: the
// shared cases are tests/fixtures/enable_when.json.
export function conditionHolds(item, value, ew) {
  const has = !!item && value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && !value.length);
  if (ew.operator === 'exists') return has === (ew.answerBoolean !== false);
  if (!has) return false;
  return holds(ew.operator, comparable(item, value), expected(ew));
}

// ---- the form ----

// A small element builder (the patient page loads nothing of the staff app).
function el(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const e = document.createElement(name);
  if (classes.length) e.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

// The form of questionnaire q in lang; {element, setLanguage(lang),
// validate() -> [{linkId, id, message}] (and the messages shown at the
// items), response() -> QuestionnaireResponse, answers}.  prefix keeps the
// element ids apart when two forms are on one page.
export function surveyForm(q, { lang = 'nb', prefix = 'sq', onChange } = {}) {
  const baseLang = (q.language || 'nb').slice(0, 2);
  const all = walk(q.item);
  const byLink = new Map(all.map(x => [x.item.linkId, x]));
  const ids = new Map(all.map((x, i) => [x.item.linkId, `${prefix}-${i}`]));
  const answers = new Map();
  const errors = new Map(); // linkId -> message shown
  const root = el('div.survey-form');
  let tx = FORM_TEXTS[lang] || FORM_TEXTS.nb;

  const text = item => translated(item.text, item._text, lang, baseLang);

  function answered(linkId) {
    const v = answers.get(linkId);
    return !(v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length));
  }

  // Whether an item is shown: its own enableWhen and every ancestor's.  The
  // server refuses a condition on a later item, so the depth only guards
  // the preview of a resource not yet checked.
  function enabled(linkId, depth = 0) {
    const x = byLink.get(linkId);
    if (!x || depth > all.length) return false;
    if (x.parent && !enabled(x.parent.linkId, depth + 1)) return false;
    const conds = x.item.enableWhen || [];
    if (!conds.length) return true;
    const results = conds.map(ew => {
      const src = byLink.get(ew.question);
      const has = !!src && enabled(ew.question, depth + 1) && answered(ew.question);
      return conditionHolds(src && src.item, has ? answers.get(ew.question) : undefined, ew);
    });
    return x.item.enableBehavior === 'any' ? results.some(Boolean) : results.every(Boolean);
  }

  function refresh() {
    for (const { item } of all) {
      const box = root.querySelector(`[data-item="${ids.get(item.linkId)}"]`);
      if (box) box.hidden = !enabled(item.linkId);
    }
  }

  function changed(linkId, value) {
    if (value === undefined) answers.delete(linkId); else answers.set(linkId, value);
    if (errors.has(linkId) && !problem(byLink.get(linkId).item)) showError(linkId, null);
    refresh();
    if (onChange) onChange(linkId, value);
  }

  function requiredMark(item) {
    return item.required ? [' ', el('span.req', {}, `(${tx.required})`)] : [];
  }

  // One question's box: the control, the error slot.
  function question(item, id) {
    const errId = `${id}-error`;
    const err = el('p.sf-error', { id: errId });
    const v = answers.get(item.linkId);
    const req = item.required ? 'true' : null;
    let body;
    if (item.type === 'boolean' || item.type === 'choice' || (item.type === 'integer' && scale(item))) {
      const multi = item.type === 'choice' && item.repeats;
      let opts;
      if (item.type === 'boolean') opts = [[true, tx.yes], [false, tx.no]];
      else if (item.type === 'choice') opts = (item.answerOption || []).map(o => [optionKey(o), optionText(o, lang, baseLang)]);
      else {
        const [a, b] = scale(item);
        opts = [];
        for (let n = a; n <= b; n++) opts.push([n, String(n)]);
      }
      const isScale = item.type === 'integer';
      const hint = isScale ? el('p.sf-hint', { id: `${id}-hint` }, tx.scaleEnds(...scale(item))) : null;
      body = el(`fieldset.sf-options${isScale ? '.sf-scale' : ''}`, {
        id, role: multi ? null : 'radiogroup', 'aria-required': multi ? null : req, 'aria-labelledby': `${id}-l`,
        'aria-describedby': [hint ? `${id}-hint` : '', errId].filter(Boolean).join(' '),
      },
      el('legend', { id: `${id}-l` }, text(item), ...requiredMark(item)), hint,
      el('div.sf-choices', {}, opts.map(([val, words], i) => {
        const checked = multi ? Array.isArray(v) && v.includes(val) : v === val;
        const input = el('input', { type: multi ? 'checkbox' : 'radio', name: id, id: `${id}-o${i}`, value: String(val),
          checked: checked ? true : null,
          onchange: e => {
            if (!multi) return changed(item.linkId, val);
            const now = new Set(Array.isArray(answers.get(item.linkId)) ? answers.get(item.linkId) : []);
            if (e.target.checked) now.add(val); else now.delete(val);
            const list = opts.map(o => o[0]).filter(o => now.has(o));
            return changed(item.linkId, list.length ? list : undefined);
          } });
        input.checked = checked;
        return el('label.sf-option', { for: `${id}-o${i}` }, input, el('span', {}, words));
      })));
    } else {
      const long = item.type === 'text';
      const numeric = item.type === 'integer';
      const input = el(long ? 'textarea' : 'input', {
        id, 'aria-required': req, 'aria-describedby': errId,
        type: long ? null : 'text', inputmode: numeric ? 'numeric' : null, rows: long ? '4' : null,
        maxlength: item.maxLength ? String(item.maxLength) : null, autocomplete: 'off',
        oninput: e => {
          const raw = e.target.value;
          if (!numeric) return changed(item.linkId, raw.trim() === '' ? undefined : raw);
          return changed(item.linkId, raw.trim() === '' ? undefined : raw.trim());
        },
      });
      if (v !== undefined) input.value = String(v);
      body = [el('label.sf-label', { for: id }, text(item), ...requiredMark(item)), input];
    }
    return [body, err];
  }

  function scale(item) {
    const a = extInteger(item, MIN_VALUE);
    const b = extInteger(item, MAX_VALUE);
    return a !== null && b !== null && b >= a && b - a < SCALE_MAX ? [a, b] : null;
  }

  function draw(items) {
    return (items || []).map(item => {
      const id = ids.get(item.linkId);
      let inner;
      if (item.type === 'group') {
        inner = [el('h2.sf-group', { id: `${id}-h` }, text(item), ...requiredMark(item)), draw(item.item)];
        return el('section.sf-item.sf-group', { 'data-item': id, 'aria-labelledby': `${id}-h` }, inner);
      }
      if (item.type === 'display') inner = [el('p.sf-display', { id }, text(item)), draw(item.item)];
      else inner = [question(item, id), draw(item.item)];
      return el(`div.sf-item.sf-${item.type}`, { 'data-item': id }, inner);
    });
  }

  function render() {
    tx = FORM_TEXTS[lang] || FORM_TEXTS.nb;
    root.replaceChildren(...draw(q.item));
    for (const [linkId, message] of [...errors]) showError(linkId, message && (problem(byLink.get(linkId).item) || null));
    refresh();
  }

  // What is wrong with an enabled item's answer, in words; null if nothing.
  function problem(item) {
    if (item.type === 'display') return null;
    if (item.type === 'group') {
      if (!item.required) return null;
      return walk(item.item).some(x => answered(x.item.linkId) && enabled(x.item.linkId)) ? null : tx.needAnswer;
    }
    if (!answered(item.linkId)) return item.required ? tx.needAnswer : null;
    const v = answers.get(item.linkId);
    if (item.type === 'integer') {
      const n = typeof v === 'number' ? v : /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isSafeInteger(n)) return tx.needNumber;
      const a = extInteger(item, MIN_VALUE);
      const b = extInteger(item, MAX_VALUE);
      if ((a !== null && n < a) || (b !== null && n > b))
        return a !== null && b !== null ? tx.range(a, b) : a !== null ? tx.atLeast(a) : tx.atMost(b);
    }
    if (item.type === 'string' || item.type === 'text') {
      // the server's limit (QUESTIONNAIRE_TEXT_MAX, characters) or the item's
      const max = Math.min(item.maxLength || TEXT_MAX, TEXT_MAX);
      if ([...v].length > max) return tx.tooLong(max);
    }
    return null;
  }

  function showError(linkId, message) {
    const id = ids.get(linkId);
    const slot = root.querySelector(`#${CSS.escape(id)}-error`);
    const control = root.querySelector(`#${CSS.escape(id)}`);
    if (message) errors.set(linkId, message); else errors.delete(linkId);
    if (slot) slot.textContent = message || '';
    if (control) {
      if (message) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
    }
    const box = root.querySelector(`[data-item="${id}"]`);
    if (box) box.classList.toggle('invalid', !!message);
  }

  // The messages at the items; the list of what is wrong, in order.
  function validate() {
    const out = [];
    for (const { item } of all) {
      const msg = enabled(item.linkId) ? problem(item) : null;
      showError(item.linkId, msg);
      if (msg) out.push({ linkId: item.linkId, id: ids.get(item.linkId), message: msg });
    }
    return out;
  }

  function answerOf(item) {
    const v = answers.get(item.linkId);
    if (item.type === 'boolean') return [{ valueBoolean: v }];
    if (item.type === 'integer') return [{ valueInteger: typeof v === 'number' ? v : Number(v) }];
    if (item.type === 'choice') {
      return (Array.isArray(v) ? v : [v]).map(key => {
        const opt = (item.answerOption || []).find(o => optionKey(o) === key);
        if (opt.valueCoding) {
          const c = opt.valueCoding;
          return { valueCoding: Object.fromEntries(['system', 'code', 'display'].filter(k => c[k] !== undefined).map(k => [k, c[k]])) };
        }
        return opt.valueString !== undefined ? { valueString: opt.valueString } : { valueInteger: opt.valueInteger };
      });
    }
    return [{ valueString: v }];
  }

  function responseItems(items) {
    const out = [];
    for (const item of items || []) {
      if (!enabled(item.linkId) || item.type === 'display') continue;
      const base = { linkId: item.linkId, ...(item.text ? { text: item.text } : {}) };
      const sub = responseItems(item.item);
      if (item.type === 'group') {
        if (sub.length) out.push({ ...base, item: sub });
      } else if (answered(item.linkId)) {
        const answer = answerOf(item);
        if (sub.length) answer[0].item = sub;
        out.push({ ...base, answer });
      }
    }
    return out;
  }

  // The answers as a QuestionnaireResponse (enabled, answered items only).
  function response() {
    const qr = { resourceType: 'QuestionnaireResponse', status: 'completed', language: lang };
    if (q.url) qr.questionnaire = q.version ? `${q.url}|${q.version}` : q.url;
    qr.authored = new Date().toISOString();
    qr.item = responseItems(q.item);
    return qr;
  }

  render();
  return {
    element: root,
    answers,
    setLanguage(l) { lang = FORM_TEXTS[l] ? l : 'nb'; render(); },
    validate,
    response,
    // the item's control, for focus after a failed check
    control(linkId) {
      const id = ids.get(linkId);
      const c = root.querySelector(`#${CSS.escape(id)}`);
      return c && c.tagName === 'FIELDSET' ? c.querySelector('input:checked') || c.querySelector('input') : c;
    },
  };
}

// The questionnaire's title and description in lang.
export function surveyTitle(q, lang) {
  const baseLang = (q.language || 'nb').slice(0, 2);
  return {
    title: translated(q.title, q._title, lang, baseLang),
    description: translated(q.description, q._description, lang, baseLang),
  };
}
