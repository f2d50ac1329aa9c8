// survey_enable_when.test.mjs - the page's enableWhen (static/survey_form.js
// conditionHolds) on the cases the server's test runs
// (tests/fixtures/enable_when.json, tests/test_questionnaire.c): the patient
// is asked exactly what the server accepts.  No browser: plain node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conditionHolds, optionKey } from '../../static/survey_form.js';

const cases = JSON.parse(readFileSync(new URL('../fixtures/enable_when.json', import.meta.url)));

// The form's model value of a server-side answer to item.
function modelValue(item, answer) {
  if (answer === null) return undefined;
  if (item.type !== 'choice') return answer.valueBoolean ?? answer.valueInteger ?? answer.valueString;
  const want = answer.valueCoding ? answer.valueCoding.code : answer.valueString;
  const opt = item.answerOption.find(o => (o.valueCoding ? o.valueCoding.code : o.valueString) === want);
  assert.ok(opt, `no option ${want}`);
  return optionKey(opt);
}

test('every allowed enableWhen decides as the server does', () => {
  let n = 0;
  for (const group of cases.allowed) {
    for (const [when, answers] of group.when) {
      for (const [answer, asked] of answers) {
        const ew = { question: 'a', ...when };
        assert.equal(conditionHolds(group.target, modelValue(group.target, answer), ew), asked,
          `${group.target.type} ${JSON.stringify(when)} on ${JSON.stringify(answer)}`);
        n++;
      }
    }
  }
  assert.ok(n > 50);
});

test('an integer typed in the field compares as the number sent', () => {
  const item = { linkId: 'a', type: 'integer' };
  assert.equal(conditionHolds(item, '6', { operator: '>', answerInteger: 5 }), true);
  assert.equal(conditionHolds(item, '5', { operator: '>', answerInteger: 5 }), false);
});
