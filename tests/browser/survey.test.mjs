// survey.test.mjs - questionnaires end to end with the real server, in
// headless Chromium: an appointment completed, the survey SMS spooled, the
// patient opens /s/<token> on a 360 px phone and answers in bokmål,
// nynorsk or English (the built-in satisfaction questionnaire; axe-core,
// screenshots survey-real-*.png); the answer is in the staff API as FHIR;
// a second answer from a tab opened before is told it is answered (409);
// reopening the link shows the thank-you; "do not ask me again" marks the
// patient and the next completion sends no survey; an unknown link.  A
// PROM follow-up (a type's plan) answered with enableWhen on the real
// server, its wish for a check-up in the work queue.  The
// admin uploads an invalid questionnaire (the error said at the item, the
// item selected in the JSON), then a valid one, previews it in English and
// sets a type's follow-up plan with the keyboard.  The clinician sees the
// latest score in the day list and the appointment view, and the survey
// and PROM statistics show the answers (comments without who).  The renderer's
// every branch (enableWhen, required, ranges) is in survey_form.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startServer, launch, axe, shots, fromNow, loadTexts, staffPage } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const KNEE = JSON.parse(readFileSync(join(here, 'fixtures', 'questionnaire-knee.json'), 'utf8'));
const TEXTS = await loadTexts();
const ADMIN = ['oppsett', 'oppsett-passord-2026'];
const LEGE = ['lege', 'lege-passord-2026'];
const pageErrors = [];
const sleep = ms => new Promise(r => setTimeout(r, ms));

let srv, browser, unit, clin;
before(async () => {
  srv = await startServer();
  browser = await launch();
  unit = (await srv.api('POST', '/api/v1/units', { name: 'Ortopedisk poliklinikk' }, 201)).id;
  clin = (await srv.api('POST', '/api/v1/clinicians', { name: 'Ingrid Solheim', profession: 'lege', unit_id: unit }, 201)).id;
  await srv.api('POST', '/api/v1/users', { username: ADMIN[0], role: 'admin', password: ADMIN[1] }, 201);
  await srv.api('POST', '/api/v1/users', { username: LEGE[0], role: 'clinician', clinician_id: clin, password: LEGE[1] }, 201);
});
after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the pages');
  await browser?.close();
  await srv?.stop();
});

test('texts: the questionnaires\' and the surveys\' statistics have the same keys in bokmål, nynorsk and English', () => {
  const keys = (o, pre = '') => Object.entries(o).flatMap(([k, v]) =>
    (v && typeof v === 'object' ? keys(v, `${pre}${k}.`) : [`${pre}${k}`])).sort();
  for (const section of ['quest', 'survstats']) {
    assert.deepEqual(keys(TEXTS.nn[section]), keys(TEXTS.nb[section]), section);
    assert.deepEqual(keys(TEXTS.en[section]), keys(TEXTS.nb[section]), section);
  }
});

let n = 0;
let knut = null; // the patient of the PROM test, for the summary test after it
// A new patient's appointment two hours ago, completed: [patient, appointment].
async function completed(language, extra = {}) {
  n += 1;
  const pat = await srv.api('POST', '/api/v1/patients',
    { name: `Pasient ${n}`, phone: `+4792000${String(n).padStart(3, '0')}`, language, ...extra }, 201);
  const a = await srv.api('POST', '/api/v1/appointments',
    { patient_id: pat.id, clinician_ids: [clin], start: fromNow(-1 - n), duration_minutes: 30 }, 201);
  const done = await srv.api('PATCH', `/api/v1/appointments/${a.id}`, { status: 'completed' }, 200);
  return [pat, done];
}

// The survey link of the newest spooled SMS to phone (the outbox's file channel).
async function surveyLink(phone) {
  const spool = join(srv.dir, 't.db.outbox');
  for (let i = 0; i < 100; i++) {
    if (existsSync(spool)) {
      for (const f of readdirSync(spool).filter(x => x.endsWith('-sms.json')).sort().reverse()) {
        const m = JSON.parse(readFileSync(join(spool, f), 'utf8'));
        const link = m.to === phone && m.body.match(/https?:\/\/\S+\/s\/[A-Za-z0-9_-]+/);
        if (link) return link[0];
      }
    }
    await sleep(30);
  }
  throw new Error(`no survey SMS to ${phone}`);
}

// Every survey link spooled to phone so far, oldest first.
function surveyLinks(phoneNo) {
  const spool = join(srv.dir, 't.db.outbox');
  if (!existsSync(spool)) return [];
  return readdirSync(spool).filter(x => x.endsWith('-sms.json')).sort()
    .map(f => JSON.parse(readFileSync(join(spool, f), 'utf8')))
    .filter(m => m.to === phoneNo)
    .map(m => (m.body.match(/https?:\/\/\S+\/s\/[A-Za-z0-9_-]+/) || [])[0]).filter(Boolean);
}

async function phone(url) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, bypassCSP: true });
  const page = await context.newPage();
  page.on('pageerror', e => pageErrors.push(e.message));
  await page.goto(url);
  await page.locator('#survey:visible, #done:visible').waitFor();
  return [context, page];
}

const WORDS = {
  nb: { title: 'Hvordan var timen?', overall: /Hvor fornøyd er du/, option: 'Fornøyd', yes: 'Ja', better: 'Hva kunne vært bedre?',
    send: 'Send svarene', thanks: 'Takk for svarene dine! Du kan lukke siden nå.' },
  nn: { title: 'Korleis var timen?', overall: /Kor nøgd er du/, option: 'Nøgd', yes: 'Ja', better: 'Kva kunne vore betre?',
    send: 'Send svara', thanks: 'Takk for svara dine! Du kan lukke sida no.' },
  en: { title: 'How was your appointment?', overall: /Overall, how satisfied/, option: 'Satisfied', yes: 'Yes',
    better: 'What could have been better?', send: 'Send my answers', thanks: 'Thank you for your answers! You may close this page now.' },
};

for (const lang of ['nb', 'nn', 'en']) {
  test(`the patient answers the satisfaction survey on a phone in ${lang}`, async () => {
    const w = WORDS[lang];
    const [pat] = await completed(lang);
    const url = await surveyLink(pat.phone);
    const [context, page] = await phone(url);
    assert.equal(await page.locator('h1').textContent(), w.title);
    assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 360), true, 'no sideways scrolling');
    // required: sent empty, the message is at the question
    await page.getByRole('button', { name: w.send }).click();
    const overall = page.getByRole('radiogroup', { name: w.overall });
    assert.equal(await overall.getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await axe(page), []);
    await overall.getByRole('radio', { name: w.option, exact: true }).check();
    await page.getByRole('radio', { name: w.yes, exact: true }).check();
    await page.getByLabel(w.better).fill('Lyden var dårlig i starten');
    assert.equal(await page.locator('#summary').isVisible(), false, 'nothing is wrong any more');
    assert.deepEqual(await axe(page), []);
    await page.screenshot({ path: join(shots, `survey-real-${lang}.png`), fullPage: true });
    await page.getByRole('button', { name: w.send }).click();
    await page.getByText(w.thanks).waitFor();
    await page.screenshot({ path: join(shots, `survey-real-thanks-${lang}.png`), fullPage: true });
    // the staff see it as FHIR
    const bundle = await srv.api('GET', `/api/v1/questionnaire-responses?patient_id=${pat.id}`, null, 200);
    assert.equal(bundle.resourceType, 'Bundle');
    assert.equal(bundle.entry.length, 1);
    const qr = bundle.entry[0].resource;
    assert.equal(qr.resourceType, 'QuestionnaireResponse');
    const item = id => qr.item.find(i => i.linkId === id);
    assert.equal(item('overall').answer[0].valueCoding.code, '4');
    assert.equal(item('video_again').answer[0].valueBoolean, true);
    assert.equal(item('better').answer[0].valueString, 'Lyden var dårlig i starten');
    await context.close();
  });
}

test('one answer per link: a tab opened before is told it is answered; reopening shows the thanks', async () => {
  const [pat] = await completed('nb');
  const url = await surveyLink(pat.phone);
  const [c1, first] = await phone(url);
  const [c2, second] = await phone(url);
  for (const page of [first, second]) {
    await page.getByRole('radiogroup', { name: /Hvor fornøyd er du/ }).getByRole('radio', { name: 'Svært fornøyd', exact: true }).check();
  }
  await first.getByRole('button', { name: 'Send svarene' }).click();
  await first.getByText('Takk for svarene dine!', { exact: false }).waitFor();
  await second.getByRole('button', { name: 'Send svarene' }).click();
  await second.getByText('Du har allerede svart på dette spørreskjemaet. Takk!').waitFor();
  assert.equal(await second.evaluate(() => document.activeElement.id), 'title');
  await second.reload();
  await second.getByText('Du har allerede svart på dette spørreskjemaet. Takk!').waitFor();
  assert.equal(await second.locator('#survey').isVisible(), false);
  assert.deepEqual(await axe(second), []);
  const bundle = await srv.api('GET', `/api/v1/questionnaire-responses?patient_id=${pat.id}`, null, 200);
  assert.equal(bundle.entry.length, 1);
  await c1.close();
  await c2.close();
});

test('"do not ask me again": the patient is marked, the next completion sends no survey', async () => {
  const [pat] = await completed('en');
  const url = await surveyLink(pat.phone);
  const [context, page] = await phone(url);
  await page.getByRole('button', { name: 'Do not ask me again' }).click();
  await page.getByRole('button', { name: 'Yes, send me no more questionnaires' }).click();
  await page.getByText('We will send you no more questionnaires. Thank you for letting us know.').waitFor();
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-real-declined-en.png'), fullPage: true });
  await context.close();
  assert.equal((await srv.api('GET', `/api/v1/patients/${pat.id}`, null, 200)).surveys_declined, true);
  const a = await srv.api('POST', '/api/v1/appointments',
    { patient_id: pat.id, clinician_ids: [clin], start: fromNow(-40), duration_minutes: 30 }, 201);
  await srv.api('PATCH', `/api/v1/appointments/${a.id}`, { status: 'completed' }, 200);
  await sleep(300);
  const kinds = (await srv.api('GET', `/api/v1/appointments/${a.id}/messages`, null, 200)).map(m => m.kind);
  assert.equal(kinds.includes('survey'), false);
});

test('an unknown link: the friendly page, the same as an expired one', async () => {
  const [context, page] = await phone(`${srv.base}/s/${'B'.repeat(43)}`);
  await page.getByText(/Lenken virker ikke lenger/).waitFor();
  assert.deepEqual(await axe(page), []);
  await context.close();
});

// ---- the staff side ----

async function login(page, [user, password]) {
  await page.goto(srv.base);
  await page.getByLabel(TEXTS.nb.login.username).fill(user);
  await page.getByLabel(TEXTS.nb.login.password).fill(password);
  await page.keyboard.press('Enter');
  await page.locator('#logout').waitFor();
}

test('the admin uploads an invalid, then a valid questionnaire, previews it and plans a follow-up', async () => {
  const nb = TEXTS.nb.quest;
  const page = await staffPage(browser, pageErrors);
  page.on('dialog', d => d.accept());
  await login(page, ADMIN);
  await page.goto(`${srv.base}/#/admin/questionnaires`);
  await page.getByRole('heading', { name: TEXTS.nb.admin.page.questionnaires, level: 1 }).waitFor();
  // the list per unit: the built-in, clinic-wide one is in every unit's; the choice keeps focus
  await page.getByLabel(TEXTS.nb.quest.unit).focus();
  await page.keyboard.press('ArrowDown'); // "all units" -> the one unit, with the keyboard
  await page.waitForFunction(() => location.hash.includes('unit='));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'quest-unit-filter');
  // the built-in one is listed, and cannot be changed
  const builtin = page.locator('#quest-list tbody tr', { hasText: 'Hvordan var timen?' });
  assert.match(await builtin.textContent(), /Hele klinikken/);
  assert.equal(await builtin.getByRole('button', { name: TEXTS.nb.admin.change }).count(), 0);
  assert.deepEqual(await axe(page), []);

  await page.getByRole('button', { name: nb.new }).click();
  const area = page.getByLabel(nb.json);
  // not JSON at all
  await area.fill('{"resourceType": "Questionnaire",');
  await page.getByRole('button', { name: nb.check }).click();
  assert.match(await page.locator('#quest-json-error').textContent(), /^Teksten er ikke gyldig JSON/);
  // JSON, but a choice without options: the server names the item, the area selects it
  const bad = structuredClone(KNEE);
  bad.unit_id = unit;
  delete bad.item[3].item[1].answerOption;
  await area.fill(JSON.stringify(bad, null, 2));
  await page.getByRole('button', { name: nb.check }).click();
  await page.locator('#quest-json-error').filter({ hasText: 'stairs-help' }).waitFor();
  assert.match(await page.locator('#quest-json-error').textContent(), /item\[3\]\.item\[1\]\.answerOption/);
  assert.equal(await area.getAttribute('aria-invalid'), 'true');
  assert.equal(await area.evaluate(e => e.value.slice(e.selectionStart, e.selectionEnd)), '"linkId": "stairs-help"');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'quest-json');
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-admin-invalid.png'), fullPage: true });
  // saving it is refused the same way, and nothing is stored
  await page.getByRole('button', { name: nb.save }).click();
  await page.locator('#quest-json-error').filter({ hasText: 'stairs-help' }).waitFor();
  assert.equal((await srv.api('GET', '/api/v1/questionnaires', null, 200)).length, 1);

  // the valid one: checked, previewed, saved
  await area.fill(JSON.stringify({ ...KNEE, unit_id: unit }, null, 2));
  await page.getByRole('button', { name: nb.check }).click();
  await page.getByText(nb.valid).waitFor();
  await page.locator('#quest-work').getByRole('button', { name: nb.preview, exact: true }).click();
  const phoneBox = page.locator('#quest-editor-preview .phone');
  await phoneBox.getByRole('heading', { name: 'Oppfølging etter kneoperasjon' }).waitFor();
  assert.equal(await phoneBox.getByRole('radiogroup', { name: /Hvor sterke smerter/ }).getByRole('radio').count(), 11);
  await page.getByRole('button', { name: nb.save }).click();
  await page.locator('#quest-list tbody tr', { hasText: 'Oppfølging etter kneoperasjon' }).waitFor();
  const stored = (await srv.api('GET', '/api/v1/questionnaires', null, 200)).find(q => q.title === 'Oppfølging etter kneoperasjon');
  assert.equal(stored.unit_id, unit);
  assert.equal(stored.version, '1');
  // the preview of the stored one in English, as the patient would see it
  const preview = page.locator('.quest-preview');
  await preview.getByLabel(nb.previewLang).selectOption('en');
  await preview.getByRole('heading', { name: 'Follow-up after knee surgery' }).waitFor();
  await preview.getByRole('radiogroup', { name: /Can you climb stairs/ }).getByRole('radio', { name: 'No' }).check();
  await preview.getByRole('radiogroup', { name: /What help do you need on stairs/ }).waitFor();
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-admin-preview.png'), fullPage: true });

  // a consultation type's follow-up plan: 84 days, the knee questionnaire, threshold 12
  const type = await srv.api('POST', '/api/v1/consultation-types', { name: 'Kontroll etter kneoperasjon', unit_id: unit, duration_minutes: 20 }, 201);
  await page.goto(`${srv.base}/#/admin/types`);
  await page.getByRole('button', { name: nb.plan.ofName('Kontroll etter kneoperasjon') }).click();
  await page.getByRole('button', { name: nb.plan.add }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'plan-0-after_days');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('84');
  await page.getByLabel(nb.plan.f.questionnaire_id).selectOption({ label: 'Oppfølging etter kneoperasjon (v1)' });
  await page.getByLabel(nb.plan.f.threshold).fill('12');
  await page.getByLabel(nb.plan.f.reminder_days).fill('7');
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-admin-plan.png') });
  await page.getByRole('button', { name: TEXTS.nb.admin.save }).click();
  await page.getByText(nb.plan.saved('Kontroll etter kneoperasjon')).waitFor();
  const plan = await srv.api('GET', `/api/v1/consultation-types/${type.id}/follow-up`, null, 200);
  assert.deepEqual(Array.isArray(plan) ? plan : plan.plan, [{ after_days: 84, questionnaire_id: Number(stored.id), threshold: 12,
    urgent_threshold: null, reminder_days: 7 }]);

  // a change is a new version; what the server keeps is not in the text
  await page.goto(`${srv.base}/#/admin/questionnaires`);
  await page.getByRole('button', { name: TEXTS.nb.admin.editName('Oppfølging etter kneoperasjon') }).click();
  const doc = JSON.parse(await area.inputValue());
  assert.equal(doc.id, undefined);
  assert.equal(doc.unit_id, unit);
  doc.title = 'Oppfølging etter kneoperasjon (ny)';
  await area.fill(JSON.stringify(doc, null, 2));
  await page.getByRole('button', { name: nb.saveVersion }).click();
  await page.locator('#quest-list tbody tr', { hasText: 'Oppfølging etter kneoperasjon (ny)' }).waitFor();
  assert.equal((await srv.api('GET', `/api/v1/questionnaires/${stored.id}`, null, 200)).version, '2');

  // retire: gone from use, kept in the list
  await page.getByRole('button', { name: nb.retireName('Oppfølging etter kneoperasjon (ny)') }).click();
  await page.locator('#quest-list tbody tr.inactive', { hasText: 'Oppfølging etter kneoperasjon' }).waitFor();
  assert.equal((await srv.api('GET', `/api/v1/questionnaires/${stored.id}`, null, 200)).status, 'retired');
  await page.context().close();
});

test('PROM follow-up: the knee questionnaire on the real server, enableWhen, a wish for a check-up in the work queue', async () => {
  const knee = await srv.api('POST', '/api/v1/questionnaires', { ...KNEE, unit_id: unit,
    feedback: { score: 'pain', control_item: 'control', bands: [
      { min: 0, max: 3, text: { nb: 'Takk! Svarene dine ser fine ut.', nn: 'Takk! Svara dine ser fine ut.', en: 'Thank you! Your answers look good.' } },
      { min: 4, max: 10, text: { nb: 'Takk! Vi ser på svarene dine.', nn: 'Takk! Vi ser på svara dine.', en: 'Thank you! We will look at your answers.' } }] } }, 201);
  const type = await srv.api('POST', '/api/v1/consultation-types', { name: 'Etterkontroll kne', unit_id: unit, duration_minutes: 30 }, 201);
  await srv.api('PUT', `/api/v1/consultation-types/${type.id}/follow-up`,
    [{ after_days: 1, questionnaire_id: Number(knee.id), threshold: 8, urgent_threshold: null, reminder_days: 7 }], 200);
  const pat = await srv.api('POST', '/api/v1/patients', { name: 'Knut Kneet', phone: '+4793000001', language: 'nb' }, 201);
  knut = pat;
  // ended three days ago: the send one day after is due at the delivery worker's next scan (30 s)
  const a = await srv.api('POST', '/api/v1/appointments',
    { patient_id: pat.id, clinician_ids: [clin], type_id: type.id, start: fromNow(-72), duration_minutes: 30 }, 201);
  await srv.api('PATCH', `/api/v1/appointments/${a.id}`, { status: 'completed' }, 200);
  let url = null;
  for (let i = 0; i < 450 && !url; i++) {
    for (const link of surveyLinks(pat.phone)) {
      const v = await (await fetch(`${srv.base}/api/v1/survey/${link.split('/').pop()}`)).json();
      if (v.kind === 'prom') url = link;
    }
    if (!url) await sleep(100);
  }
  assert.ok(url, 'a PROM link was sent');
  const [context, page] = await phone(url);
  assert.equal(await page.locator('h1').textContent(), 'Oppfølging etter kneoperasjon');
  await page.getByRole('radiogroup', { name: /Hvor sterke smerter/ }).getByRole('radio', { name: '5', exact: true }).check();
  await page.getByRole('radio', { name: '100 meter til 1 km' }).check();
  await page.getByRole('radiogroup', { name: /Klarer du å gå i trapper/ }).getByRole('radio', { name: 'Nei' }).check();
  await page.getByRole('radiogroup', { name: /Hva slags hjelp/ }).getByRole('radio', { name: 'Krykker' }).check();
  await page.getByRole('radiogroup', { name: /Ønsker du en kontroll/ }).getByRole('radio', { name: 'Ja' }).check();
  await page.getByLabel('Hva vil du ta opp på kontrollen?').fill('Hevelse');
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-real-prom-nb.png'), fullPage: true });
  await page.getByRole('button', { name: 'Send svarene' }).click();
  await page.getByText('Takk for svarene dine! Du kan lukke siden nå.').waitFor();
  await context.close();
  // stored as FHIR with the answer inside the group
  const bundle = await srv.api('GET', `/api/v1/questionnaire-responses?patient_id=${pat.id}`, null, 200);
  const qr = bundle.entry.map(e => e.resource).find(r => r.item.some(i => i.linkId === 'pain'));
  const daily = qr.item.find(i => i.linkId === 'daily');
  assert.deepEqual(daily.item.find(i => i.linkId === 'stairs-help').answer, [{ valueString: 'Krykker' }]);
  // the wish for a check-up: in the work queue, shown to the secretary's eye
  const queue = await srv.api('GET', '/api/v1/work-queue', null, 200);
  assert.equal(queue.some(x => x.kind === 'prom_control' && x.appointment.id === a.id), true);
  const staff = await staffPage(browser, pageErrors);
  await login(staff, ADMIN);
  await staff.goto(`${srv.base}/#/queue`);
  const section = staff.locator('section.queue-group', { has: staff.getByRole('heading', { name: /PROM: ønsker kontroll/ }) });
  await section.locator(`li[data-appointment="${a.id}"]`).waitFor();
  assert.match(await section.textContent(), /Knut Kneet/);
  assert.match(await section.textContent(), /Pasienten står på ventelisten/);
  assert.deepEqual(await axe(staff), []);
  await staff.screenshot({ path: join(shots, 'survey-queue-prom.png'), fullPage: true });
  await staff.context().close();
});

test('the clinician sees the latest PROM score in the day list and the appointment, not the satisfaction answer', async () => {
  assert.ok(knut, 'the PROM test ran first');
  const [pat, appt] = await completed('nb');
  const url = await surveyLink(pat.phone);
  const [context, p] = await phone(url);
  await p.getByRole('radiogroup', { name: /Hvor fornøyd er du/ }).getByRole('radio', { name: 'Misfornøyd', exact: true }).check();
  await p.getByRole('button', { name: 'Send svarene' }).click();
  await p.getByText(/Takk for svarene dine/).waitFor();
  await context.close();
  // Knut answered the knee PROM (pain 5, wants a check-up): his next appointment shows it
  n += 1;
  const next = await srv.api('POST', '/api/v1/appointments',
    { patient_id: knut.id, clinician_ids: [clin], start: fromNow(-1 - n), duration_minutes: 30 }, 201);
  const page = await staffPage(browser, pageErrors);
  await login(page, LEGE);
  await page.goto(`${srv.base}/#/day/${next.start.slice(0, 10)}`);
  const line = page.locator(`[data-survey="${next.id}"]`);
  await line.waitFor();
  assert.match(await line.textContent(), /^⚑ Siste skjema: Oppfølging etter kneoperasjon, besvart \d\d\.\d\d\.\d{4}, poeng 5, ønsker kontroll$/);
  // the patient's own satisfaction rating is no clinical result
  assert.equal(await page.locator(`[data-survey="${appt.id}"]`).count(), 0);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'survey-day-score.png'), fullPage: true });
  await page.context().close();

  // the same in the appointment view, opened from the calendar
  const admin = await staffPage(browser, pageErrors);
  await login(admin, ADMIN);
  await admin.goto(`${srv.base}/#/calendar/day/${next.start.slice(0, 10)}?unit=${unit}`);
  await admin.locator(`button.appt[data-id="${next.id}"]`).click();
  await admin.locator('#appt-survey').waitFor();
  assert.match(await admin.locator('#appt-survey').textContent(), /^Oppfølging etter kneoperasjon, besvart \d\d\.\d\d\.\d{4}, poeng 5, ønsker kontroll$/);
  assert.deepEqual(await axe(admin), []);
  await admin.screenshot({ path: join(shots, 'survey-appt-score.png') });
  await admin.context().close();
});

test('the statistics: satisfaction by mode, unit, clinician and month, comments without who; PROM', async () => {
  const page = await staffPage(browser, pageErrors);
  await login(page, ADMIN);
  await page.goto(`${srv.base}/#/stats`);
  const st = TEXTS.nb.survstats;
  await page.locator('#survey-by-mode').waitFor();
  const api = await srv.api('GET', `/api/v1/statistics/surveys?from=${fromNow(-24 * 30).slice(0, 10)}&to=${fromNow(24).slice(0, 10)}&group_by=mode`, null, 200);
  const video = page.locator('#survey-by-mode tbody tr', { hasText: 'Video' });
  const cells = await video.locator('td').allTextContents();
  assert.equal(cells[0], String(api.rows.find(r => r.key === 'video').sent));
  assert.equal(cells[1], String(api.rows.find(r => r.key === 'video').answered));
  assert.match(await page.locator('#survey-by-clinician').textContent(), /Ingrid Solheim/);
  assert.match(await page.locator('#survey-by-unit').textContent(), /Ortopedisk poliklinikk/);
  assert.equal(await page.locator('#survey-by-month tbody tr').count() >= 2, true); // a month and the total
  const comments = page.locator('#survey-comments');
  assert.match(await comments.textContent(), /Lyden var dårlig i starten/);
  assert.doesNotMatch(await comments.textContent(), /Pasient \d/); // nobody's identity
  assert.equal(await page.getByRole('heading', { name: st.prom }).count(), 1);
  // the PROM plan of the follow-up test: one sent, answered, led to a check-up
  const prom = page.locator('#survey-prom tbody tr', { hasText: 'Etterkontroll kne' });
  assert.deepEqual((await prom.locator('td').allTextContents()).map(x => x.replace(/\s/g, ' ')), ['1', '1', '100 %', '0', '1']);
  assert.deepEqual(await axe(page), []);
  await page.locator('#stats-surveys').screenshot({ path: join(shots, 'survey-stats.png') });
  await page.context().close();
});
