// survey_form.test.mjs - the survey page's renderer (static/survey_form.js
// through static/survey.html) against a fixture questionnaire, with the
// survey API answered by the test (page.route), so every branch can be
// driven: the item kinds, required marks, enableWhen live (=, >=, on a
// boolean, inside a group), validation at the item, the translations and
// the language switch keeping the answers, the QuestionnaireResponse sent,
// 409 on a second answer, decline, an unknown link; on a 360 px phone,
// with axe-core.  The same flows against the real server are in
// survey.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, axe, shots } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const KNEE = JSON.parse(readFileSync(join(here, 'fixtures', 'questionnaire-knee.json'), 'utf8'));
const TOKEN = 'A'.repeat(43); // the shape of a real token; the API here is the test's

let srv, browser;
before(async () => {
  srv = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// The page /s/<token> on a 360 px phone; api(method, body) answers the
// survey API: [status, json]; posts collects what the page sent.
async function open({ language = 'nb', answered = false, api } = {}) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true, locale: 'nb-NO' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  const posts = [];
  await page.route(`${srv.base}/s/*`, route => route.fulfill({
    status: 200, contentType: 'text/html; charset=utf-8', body: readFileSync(join(here, '..', '..', 'static', 'survey.html')),
  }));
  await page.route(`${srv.base}/api/v1/survey/**`, async route => {
    const req = route.request();
    const path = new URL(req.url()).pathname;
    if (req.method() === 'POST') posts.push({ path, body: req.postData() ? JSON.parse(req.postData()) : null });
    const [status, json] = api ? api(req.method(), path, posts) : [200, { questionnaire: KNEE, language, answered }];
    await route.fulfill({ status, contentType: 'application/json', body: json === null ? '' : JSON.stringify(json) });
  });
  await page.goto(`${srv.base}/s/${TOKEN}`);
  return { context, page, posts, errors };
}

// The message at a question: the element its control's aria-describedby ends with.
async function errorAt(control) {
  const ids = (await control.getAttribute('aria-describedby')).split(' ');
  return control.page().locator(`[id="${ids[ids.length - 1]}"]`).textContent();
}

test('the form: every item kind, required marks, axe clean, in bokmål', async () => {
  const { context, page, errors } = await open();
  await page.locator('#survey').waitFor();
  assert.equal(await page.locator('h1').textContent(), 'Oppfølging etter kneoperasjon');
  assert.equal(await page.locator('#intro').textContent(), 'Svarene hjelper oss å avgjøre om du trenger en kontroll.');
  // the 0-10 scale is a group of 11 radios, named by the question
  const pain = page.getByRole('radiogroup', { name: /Hvor sterke smerter har du i kneet\?/ });
  assert.equal(await pain.getByRole('radio').count(), 11);
  assert.match(await pain.locator('legend').textContent(), /\(Må besvares\)/);
  assert.equal(await page.getByRole('radiogroup', { name: /Hvor langt klarer du å gå/ }).getByRole('radio').count(), 3);
  assert.equal(await page.getByRole('heading', { name: 'Hverdagen' }).count(), 1);
  // a range wider than a scale is a text field
  assert.equal(await page.getByLabel(/Hvor mange dager/).getAttribute('inputmode'), 'numeric');
  assert.equal(await page.getByLabel(/Har du noe annet/).evaluate(e => e.tagName), 'TEXTAREA');
  // hidden until enabled
  assert.equal(await page.getByText('Hva slags hjelp trenger du i trapper?').isVisible(), false);
  assert.equal(await page.getByText(/Du har oppgitt sterke smerter/).isVisible(), false);
  assert.equal(await page.getByLabel('Hva vil du ta opp på kontrollen?').isVisible(), false);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-form-nb-360.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('enableWhen live, required and range checks at the item, the response sent', async () => {
  const { context, page, posts } = await open({ api: (method, path, sent) =>
    (method === 'GET' ? [200, { questionnaire: KNEE, language: 'nb', answered: false }]
      : sent.length === 1 ? [201, { resourceType: 'QuestionnaireResponse', id: '1', status: 'completed' }] : [409, { error: { code: 'conflict', message: 'answered' } }]) });
  await page.locator('#survey').waitFor();
  // sending empty: messages at the required items, focus on the first
  await page.getByRole('button', { name: 'Send svarene' }).click();
  assert.match(await page.locator('#summary').textContent(), /^3 spørsmål mangler svar/);
  const pain = page.getByRole('radiogroup', { name: /Hvor sterke smerter/ });
  assert.equal(await errorAt(pain), 'Svar på dette spørsmålet.');
  assert.equal(await page.getByRole('radiogroup', { name: /Hvor sterke smerter/ }).getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.name), await page.getByRole('radiogroup', { name: /Hvor sterke smerter/ }).getAttribute('id'));
  await page.screenshot({ path: join(shots, 'survey-required-nb-360.png'), fullPage: true });
  assert.deepEqual(await axe(page), []);
  // the keyboard: arrows move along the scale and choose
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('radio', { name: '2', exact: true }).isChecked(), true);
  assert.equal(await errorAt(pain), ''); // the message goes with the answer
  assert.match(await page.locator('#summary').textContent(), /^2 spørsmål mangler svar/); // and the count follows
  // pain >= 7 shows the display item; back below hides it
  await page.getByRole('radio', { name: '8', exact: true }).check();
  await page.getByText(/Du har oppgitt sterke smerter/).waitFor();
  await page.getByRole('radio', { name: '6', exact: true }).check();
  assert.equal(await page.getByText(/Du har oppgitt sterke smerter/).isVisible(), false);
  await page.getByRole('radio', { name: 'Mer enn 1 km' }).check();
  // stairs "no" opens the required follow-up inside the group
  await page.getByRole('radiogroup', { name: /Klarer du å gå i trapper/ }).getByRole('radio', { name: 'Nei' }).check();
  const help = page.getByRole('radiogroup', { name: /Hva slags hjelp trenger du i trapper/ });
  await help.waitFor();
  await page.getByLabel(/Hvor mange dager/).fill('40');
  await page.getByRole('radiogroup', { name: /Ønsker du en kontroll/ }).getByRole('radio', { name: 'Ja' }).check();
  await page.getByLabel('Hva vil du ta opp på kontrollen?').fill('Hevelse om kvelden');
  await page.getByRole('button', { name: 'Send svarene' }).click();
  assert.match(await page.locator('#summary').textContent(), /^2 spørsmål mangler svar/);
  assert.equal(await errorAt(page.getByLabel(/Hvor mange dager/)), 'Skriv et tall fra 0 til 31.');
  assert.equal(await errorAt(help), 'Svar på dette spørsmålet.');
  // stairs "yes" hides the follow-up again: no longer asked, no longer sent
  await page.getByRole('radiogroup', { name: /Klarer du å gå i trapper/ }).getByRole('radio', { name: 'Ja' }).check();
  assert.equal(await help.isVisible(), false);
  await page.getByLabel(/Hvor mange dager/).fill('3');
  await page.getByLabel(/Har du noe annet/).fill('Takk for god hjelp');
  await page.getByRole('button', { name: 'Send svarene' }).click();
  await page.getByText('Takk for svarene dine! Du kan lukke siden nå.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'title');
  assert.equal(posts.length, 1);
  const qr = posts[0].body;
  assert.equal(qr.resourceType, 'QuestionnaireResponse');
  assert.equal(qr.status, 'completed');
  assert.equal(qr.questionnaire, KNEE.url);
  assert.deepEqual(qr.item.map(i => i.linkId), ['pain', 'walk', 'daily', 'control', 'why', 'comment']);
  assert.deepEqual(qr.item[0].answer, [{ valueInteger: 6 }]);
  assert.deepEqual(qr.item[1].answer, [{ valueCoding: { system: 'https://timebok.no/fhir/CodeSystem/knee', code: '3', display: 'Mer enn 1 km' } }]);
  assert.deepEqual(qr.item[2].item, [
    { linkId: 'stairs', text: 'Klarer du å gå i trapper?', answer: [{ valueBoolean: true }] },
    { linkId: 'days', text: 'Hvor mange dager har du vært borte fra jobb siste måned?', answer: [{ valueInteger: 3 }] }]);
  assert.deepEqual(qr.item[3].answer, [{ valueBoolean: true }]);
  assert.deepEqual(qr.item[4].answer, [{ valueString: 'Hevelse om kvelden' }]);
  assert.deepEqual(qr.item[5].answer, [{ valueString: 'Takk for god hjelp' }]);
  await page.screenshot({ path: join(shots, 'survey-thanks-nb-360.png'), fullPage: true });
  await context.close();
});

test('nynorsk and English from the translations; the switch keeps the answers', async () => {
  const { context, page } = await open({ language: 'nn' });
  await page.locator('#survey').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nn');
  assert.equal(await page.getByLabel('Språk').inputValue(), 'nn');
  assert.equal(await page.getByRole('button', { name: 'Send svara' }).count(), 1);
  await page.getByRole('radiogroup', { name: /Kor sterke smerter/ }).getByRole('radio', { name: '3', exact: true }).check();
  await page.getByRole('radiogroup', { name: /Klarer du å gå i trapper/ }).getByRole('radio', { name: 'Nei' }).check();
  assert.equal(await page.getByRole('radio', { name: 'Rekkverk' }).count(), 1);
  await page.getByLabel(/Har du noko anna/).fill('Fint');
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-form-nn-360.png'), fullPage: true });
  await page.getByLabel('Språk').focus();
  await page.keyboard.press('ArrowDown'); // nynorsk -> English, with the keyboard
  assert.equal(await page.evaluate(() => document.activeElement.id), 'lang');
  assert.equal(await page.locator('h1').textContent(), 'Follow-up after knee surgery');
  assert.equal(await page.getByRole('radiogroup', { name: /How much pain/ }).getByRole('radio', { name: '3', exact: true }).isChecked(), true);
  assert.equal(await page.getByRole('radio', { name: 'A handrail' }).isVisible(), true);
  assert.equal(await page.getByLabel(/Is there anything else/).inputValue(), 'Fint');
  assert.match(await page.getByRole('radiogroup', { name: /Would you like a check-up/ }).textContent(), /\(Required\)/);
  await page.getByRole('button', { name: 'Send my answers' }).click();
  assert.match(await page.locator('.sf-item.invalid').first().textContent(), /Please answer this question\./);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-form-en-360.png'), fullPage: true });
  await context.close();
});

test('already answered, a second answer (409), decline, unknown link', async () => {
  let r = await open({ answered: true });
  await r.page.getByText('Du har allerede svart på dette spørreskjemaet. Takk!').waitFor();
  assert.equal(await r.page.locator('#survey').isVisible(), false);
  assert.deepEqual(await axe(r.page), []);
  await r.context.close();

  // answered meanwhile in another tab: the server says 409, the page says answered
  r = await open({ api: method => (method === 'GET' ? [200, { questionnaire: KNEE, language: 'en', answered: false }]
    : [409, { error: { code: 'conflict', message: 'already answered' } }]) });
  await r.page.locator('#survey').waitFor();
  await r.page.getByRole('radio', { name: '0', exact: true }).check();
  await r.page.getByRole('radio', { name: 'Less than 100 metres' }).check();
  await r.page.getByRole('radiogroup', { name: /check-up/ }).getByRole('radio', { name: 'No' }).check();
  await r.page.getByRole('button', { name: 'Send my answers' }).click();
  await r.page.getByText('You have already answered this questionnaire. Thank you!').waitFor();
  await r.context.close();

  r = await open({ api: (method, path) => (method === 'GET' ? [200, { questionnaire: KNEE, language: 'nb', answered: false }]
    : path.endsWith('/decline') ? [204, null] : [500, null]) });
  await r.page.locator('#survey').waitFor();
  await r.page.getByRole('button', { name: 'Ikke spør meg igjen' }).focus();
  await r.page.keyboard.press('Enter');
  assert.equal(await r.page.getByRole('button', { name: 'Ikke spør meg igjen' }).getAttribute('aria-expanded'), 'true');
  assert.equal(await r.page.evaluate(() => document.activeElement.id), 'decline-send');
  await r.page.screenshot({ path: join(shots, 'survey-decline-nb-360.png'), fullPage: true });
  await r.page.keyboard.press('Enter');
  await r.page.getByText('Vi sender deg ikke flere spørreskjema. Takk for beskjed.').waitFor();
  assert.deepEqual(r.posts.map(p => p.path), [`/api/v1/survey/${TOKEN}/decline`]);
  await r.context.close();

  r = await open({ api: () => [404, { error: { code: 'not_found', message: 'no such link' } }] });
  await r.page.getByText(/Lenken virker ikke lenger/).waitFor();
  assert.equal(await r.page.locator('h1').textContent(), 'Spørreskjema');
  assert.deepEqual(await axe(r.page), []);
  await r.page.screenshot({ path: join(shots, 'survey-gone-nb-360.png'), fullPage: true });
  await r.context.close();
});

test('a text over the 4000 characters is stopped at the item; a 400 reads in the patient\'s language', async () => {
  const r = await open({ api: method => (method === 'GET' ? [200, { questionnaire: KNEE, language: 'en', answered: false }]
    : [400, { error: { code: 'invalid', message: "item 'comment' takes valueString: text of at most 4000 characters", field: 'item[3].answer[0]' } }]) });
  await r.page.locator('#survey').waitFor();
  await r.page.getByRole('radio', { name: '0', exact: true }).check();
  await r.page.getByRole('radio', { name: 'Less than 100 metres' }).check();
  await r.page.getByRole('radiogroup', { name: /check-up/ }).getByRole('radio', { name: 'No' }).check();
  const comment = r.page.getByLabel(/anything else/);
  // characters, not bytes: 4000 æ are 8000 bytes and still within
  await comment.fill('æ'.repeat(4001));
  await r.page.getByRole('button', { name: 'Send my answers' }).click();
  assert.equal(await errorAt(comment), 'Please use at most 4000 characters.');
  assert.equal(r.posts.length, 0);
  await comment.fill('æ'.repeat(4000));
  await r.page.getByRole('button', { name: 'Send my answers' }).click();
  await r.page.getByText(/Some of the answers could not be accepted/).waitFor();
  assert.equal(r.posts.length, 1);
  assert.doesNotMatch(await r.page.locator('#notice').textContent(), /valueString|item '/);
  await r.context.close();
});
