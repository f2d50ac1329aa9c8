// validate.mjs - every answer the end-to-end suites recorded, against
// static/openapi.json, with an independent JSON Schema validator (ajv, the
// 2020-12 dialect of OpenAPI 3.1, with ajv-formats).
//
// usage: node tests/openapi/validate.mjs RECORD_DIR [openapi.json]
//
// RECORD_DIR holds the *.jsonl files tests/e2e.c writes when
// TIMEBOK_RECORD_DIR is set: one {method, path, status, content_type, body}
// a line.  Each request is matched to its path template (literal segments
// before parameters) and method.  An answer passes when its status is
// documented for that operation (exactly, as 4XX, or as default), its media
// type is one the response lists, and a JSON body is valid against that
// schema, with no property the schema does not name.  Outside the API (the pages' files, /i/, /s/) nothing is checked;
// an unknown /api path may answer 404, and an undocumented method only 405
// (with the error body).  Every mismatch is printed, grouped; exit 1 if any.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

// ajv lives with the browser tests' packages (tests/browser/package.json)
const require = createRequire(new URL('../browser/package.json', import.meta.url));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const [dir, docPath = new URL('../../static/openapi.json', import.meta.url)] = process.argv.slice(2);
if (!dir) {
  console.error('usage: validate.mjs RECORD_DIR [openapi.json]');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
// every field documented: an answer's object may hold only the properties
// its schema names (unevaluatedProperties, so allOf sees its parts'); a
// schema used as a part of an allOf is inlined there as it was written
const original = JSON.parse(JSON.stringify(doc));
const target = (ref) => ref.slice(2).split('/').reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], original);
(function close(s) {
  if (Array.isArray(s)) return s.forEach(close);
  if (!s || typeof s !== 'object') return;
  if (s.allOf) s.allOf = s.allOf.map((x) => (x.$ref ? JSON.parse(JSON.stringify(target(x.$ref))) : x));
  for (const v of Object.values(s)) close(v);
  if (s.allOf) s.allOf.forEach((x) => delete x.unevaluatedProperties); /* the parent closes */
  if ((s.properties || s.allOf) && !('additionalProperties' in s) && !('unevaluatedProperties' in s))
    s.unevaluatedProperties = false;
})(doc.components.schemas);
for (const item of Object.values(doc.paths))
  for (const op of Object.values(item))
    for (const r of Object.values(op.responses || {}))
      for (const m of Object.values(r.content || {})) if (m.schema && !m.schema.$ref) (function close(s) {
        if (!s || typeof s !== 'object') return;
        for (const v of Object.values(s)) close(v);
        if (s.properties && !('additionalProperties' in s)) s.unevaluatedProperties = false;
      })(m.schema);
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi.json');

const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

// the path templates, most literal first
const templates = Object.keys(doc.paths).map((t) => {
  const segs = t.split('/');
  return {
    t,
    re: new RegExp('^' + segs.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/') + '$'),
    params: segs.filter((s) => s.startsWith('{')).length,
    firstParam: segs.findIndex((s) => s.startsWith('{')),
  };
}).sort((a, b) => a.params - b.params || b.firstParam - a.firstParam);

function resolve(obj, ptr) {
  while (obj && obj.$ref) {
    ptr = obj.$ref.slice(1);
    obj = ptr.split('/').slice(1).reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return [obj, ptr];
}

const validators = new Map();
function validatorAt(ptr) {
  if (!validators.has(ptr)) validators.set(ptr, ajv.compile({ $ref: 'openapi.json#' + ptr }));
  return validators.get(ptr);
}

const mismatches = new Map();
function mismatch(key, detail) {
  const m = mismatches.get(key) || { n: 0, detail };
  m.n++;
  mismatches.set(key, m);
}

function mediaType(ct) {
  return (ct || '').split(';')[0].trim().toLowerCase();
}

let checked = 0, skipped = 0;
function check(r) {
  const path = r.path.split('?')[0];
  const tpl = templates.find((x) => x.re.test(path));
  const method = r.method.toLowerCase();
  if (!tpl) {
    if (path.startsWith('/api/') ? r.status !== 404 : path === '/healthz' || path === '/metrics')
      mismatch(`${r.method} ${path} ${r.status}: not in the document`, '');
    else skipped++;
    return;
  }
  checked++;
  const item = doc.paths[tpl.t];
  let opMethod = method;
  if (method === 'head' && !item.head && item.get) opMethod = 'get';
  const op = item[opMethod];
  const where = `${r.method} ${tpl.t} ${r.status}`;
  if (!op) {
    if (r.status !== 405) mismatch(`${where}: method not documented`, '');
    else if (r.body !== undefined && !validatorAt('/components/schemas/Error')(r.body))
      mismatch(`${where}: 405 body is not an Error`, JSON.stringify(r.body).slice(0, 300));
    return;
  }
  const opPtr = `/paths/${esc(tpl.t)}/${opMethod}`;
  const code = String(r.status);
  const key = [code, code[0] + 'XX', 'default'].find((k) => op.responses?.[k]);
  if (!key) {
    mismatch(`${where}: status not documented`, JSON.stringify(r.body ?? '').slice(0, 300));
    return;
  }
  const [resp, respPtr] = resolve(op.responses[key], `${opPtr}/responses/${key}`);
  if (method === 'head' || r.status === 204 || r.status === 304 || r.body === undefined) return;
  const mt = mediaType(r.content_type);
  const content = resp.content || {};
  const mkey = Object.keys(content).find((k) => mediaType(k) === mt);
  if (!mkey) {
    mismatch(`${where}: content type ${mt} not documented (has ${Object.keys(content).join(', ') || 'none'})`, '');
    return;
  }
  const media = content[mkey];
  if (!media.schema || typeof r.body === 'string') return;
  const validate = validatorAt(`${respPtr}/content/${esc(mkey)}/schema`);
  if (!validate(r.body)) {
    const errs = validate.errors.slice(0, 3).map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.unevaluatedProperty ? " (" + e.params.unevaluatedProperty + ")" : ""}`).join("; ");
    mismatch(`${where}: body: ${errs}`, JSON.stringify(r.body).slice(0, 300));
  }
}

// the document itself: one operationId each, unique
const ids = new Map();
for (const [t, item] of Object.entries(doc.paths))
  for (const m of methods)
    if (item[m]) {
      const id = item[m].operationId;
      if (!id) mismatch(`${m.toUpperCase()} ${t}: no operationId`, '');
      else if (ids.has(id)) mismatch(`${m.toUpperCase()} ${t}: operationId ${id} also on ${ids.get(id)}`, '');
      else ids.set(id, `${m.toUpperCase()} ${t}`);
    }

// PATCH bodies are partial updates: nothing required in them (but in the
// entries of a list, which a PATCH replaces whole, as a type's follow_up);
// each object an answer holds says which of its fields are always there
const refTarget = (ref) => ref.slice(2).split('/').reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], original);
function lint(s, where, seen, test, wholeItems = false) {
  if (!s || typeof s !== 'object' || seen.has(s)) return;
  seen.add(s);
  if (s.$ref) return lint(refTarget(s.$ref), where, seen, test, wholeItems);
  test(s, where);
  for (const [k, v] of Object.entries(s))
    if (k === 'properties') for (const [name, p] of Object.entries(v)) lint(p, `${where}.${name}`, seen, test, wholeItems);
    else if (wholeItems && (k === 'items' || k === 'prefixItems')) continue;
    else if (k !== 'enum' && k !== 'default' && k !== 'examples' && k !== 'example') lint(v, where, seen, test, wholeItems);
}
for (const [t, item] of Object.entries(original.paths))
  for (const m of methods) {
    const op = item[m];
    if (!op) continue;
    if (m === 'patch')
      for (const media of Object.values(op.requestBody?.content || {}))
        lint(media.schema, `PATCH ${t} body`, new Set(), (s, where) => {
          if (s.required) mismatch(`${where}: a PATCH body requires ${s.required.join(', ')}`, '');
        }, true);
    for (const [code, r] of Object.entries(op.responses || {}))
      for (const media of Object.values(resolve(r, '')[0].content || {}))
        lint(media.schema, `${m.toUpperCase()} ${t} ${code}`, new Set(), (s, where) => {
          if (s.properties && !s.required) mismatch(`${where}: an answer's object without required`, '');
        });
  }

for (const f of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort())
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n'))
    if (line) check(JSON.parse(line));

for (const [k, m] of [...mismatches].sort())
  console.log(`MISMATCH x${m.n} ${k}${m.detail ? '\n    ' + m.detail : ''}`);
console.log(`openapi: ${checked} answers validated against ${docPath instanceof URL ? 'static/openapi.json' : docPath}` +
  ` (${skipped} outside the API); ${mismatches.size} kinds of mismatch`);
process.exit(mismatches.size ? 1 : 0);
