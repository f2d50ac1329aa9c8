// invite.test.mjs - the patient's page behind the link, in headless
// Chromium: confirm, "I would rather meet in person" with a reason, and
// cancel, each seen on the page and in the API; an answer to a stale page;
// the languages; the camera
// test; an unknown link; a guest's page (a GP's: attending, maybe, not
// attending; nothing of the patient); no WCAG 2.1 AA violations (axe-core);
// screenshots in tests/browser/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, fromNow, shots } from './harness.mjs';

let srv, browser;
let clin, room;

before(async () => {
  srv = await startServer();
  browser = await launch();
  clin = (await srv.api('POST', '/api/v1/clinicians', { name: 'Ingrid Solheim', profession: 'psykolog' }, 201)).id;
  room = (await srv.api('POST', '/api/v1/rooms', { name: 'Rom 3', kind: 'clinic', location: 'Bygg A, 2. etasje' }, 201)).id;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

let n = 0;
// A booked and invited appointment for a new patient; [id, url].
async function invited(language = 'nb', extra = {}) {
  n += 1;
  const pat = await srv.api('POST', '/api/v1/patients',
    { name: `Pasient ${n}`, phone: `+4791000${String(n).padStart(3, '0')}`, language }, 201);
  const a = await srv.api('POST', '/api/v1/appointments', {
    patient_id: pat.id, clinician_ids: [clin], start: fromNow(48 + n), duration_minutes: 30, ...extra,
  }, 201);
  const inv = await srv.api('POST', `/api/v1/appointments/${a.id}/invitations`, null, 201);
  return [a.id, inv.url];
}

async function open(url, options = {}) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, ...options });
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#card').waitFor();
  return [context, page];
}

test('confirm: the page shows it, the API has it, axe finds nothing', async () => {
  const [id, url] = await invited('nb');
  const [context, page] = await open(url, { bypassCSP: true }); // axe is injected
  await page.screenshot({ path: join(shots, 'invite-video-nb.png'), fullPage: true });
  assert.equal(await page.locator('h1').textContent(), 'Din time');
  assert.match(await page.locator('#with').textContent(), /Ingrid Solheim \(psykolog\)/);
  assert.equal(await page.locator('#status').textContent(), 'Venter på svar fra deg');
  assert.equal(await page.locator('#join').getAttribute('aria-disabled'), 'true'); // opens 15 min before
  assert.deepEqual(await axe(page), []);
  await page.getByRole('button', { name: 'Bekreft timen' }).click();
  await page.getByText('Takk! Timen er bekreftet.').waitFor();
  assert.equal(await page.locator('#status').textContent(), 'Du har bekreftet timen');
  assert.equal(await page.getByRole('button', { name: 'Bekreft timen' }).count(), 0);
  await page.screenshot({ path: join(shots, 'invite-confirmed-nb.png'), fullPage: true });
  assert.deepEqual(await axe(page), []);
  assert.equal((await srv.api('GET', `/api/v1/appointments/${id}`, null, 200)).status, 'confirmed');
  await context.close();
});

test('opt out of video with a reason and its category, in nynorsk, with the keyboard', async () => {
  const [id, url] = await invited('nn');
  const [context, page] = await open(url);
  assert.equal(await page.locator('h1').textContent(), 'Timen din');
  assert.match(await page.locator('#when').textContent(), /^(måndag|tysdag|onsdag|torsdag|fredag|laurdag|sundag) \d+\. /);
  await page.getByRole('button', { name: 'Eg vil heller møtast fysisk' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('group', { name: 'Kvifor vil du heller møtast fysisk? (friviljug)' }).waitFor();
  await page.getByLabel('Eg manglar utstyr eller god nok nettsamband').focus();
  await page.keyboard.press('Space');
  await page.getByLabel('Fortel gjerne meir (friviljug)').fill('Eg har ikkje god nok nettilgang');
  await page.screenshot({ path: join(shots, 'invite-optout-form-nn.png'), fullPage: true });
  await page.getByRole('button', { name: 'Send ønsket om å møtast fysisk' }).click();
  await page.getByText(/Takk! Vi har fått ønsket ditt om å møtast fysisk/).waitFor();
  const a = await srv.api('GET', `/api/v1/appointments/${id}`, null, 200);
  assert.equal(a.status, 'opted_out');
  assert.equal(a.mode, 'video');
  assert.equal(a.status_reason, 'Eg har ikkje god nok nettilgang');
  assert.equal(a.opt_out_reason, 'equipment'); // staff see both, the statistics count the category
  assert.equal(await page.locator('#video').isHidden(), true);
  await page.screenshot({ path: join(shots, 'invite-opted-out-nn.png'), fullPage: true });
  await context.close();
});

test('an answer to a page that has gone stale is refused, and the page shows the change', async () => {
  const [id, url] = await invited('nb');
  const [context, page] = await open(url);
  assert.equal(await page.locator('#status').textContent(), 'Venter på svar fra deg');
  // meanwhile the patient phoned, and the secretary confirmed for them
  await srv.api('PATCH', `/api/v1/appointments/${id}`, { status: 'confirmed' }, 200);
  await page.getByRole('button', { name: 'Jeg vil heller møte fysisk' }).click();
  await page.getByRole('button', { name: /^Send ønsket/ }).click();
  await page.getByText(/Timen ble endret mens du så på den/).waitFor();
  assert.equal(await page.locator('#status').textContent(), 'Du har bekreftet timen');
  await page.screenshot({ path: join(shots, 'invite-stale-nb.png'), fullPage: true });
  assert.equal((await srv.api('GET', `/api/v1/appointments/${id}`, null, 200)).status, 'confirmed');
  // the form stays open with what was written; sent again from the fresh view, it goes through
  await page.getByRole('button', { name: /^Send ønsket/ }).click();
  await page.getByText(/Takk! Vi har fått ønsket ditt/).waitFor();
  assert.equal((await srv.api('GET', `/api/v1/appointments/${id}`, null, 200)).status, 'opted_out');
  await context.close();
});

test('cancel with the notice rule stated, in English; then nothing but the state', async () => {
  const [id, url] = await invited('en');
  const [context, page] = await open(url, { bypassCSP: true });
  await page.getByRole('button', { name: 'Cancel the appointment' }).click();
  assert.match(await page.locator('#cancel-rule').textContent(), /at least 24 hours/);
  await page.getByLabel('Reason (optional)').fill('I am better');
  await page.getByRole('button', { name: 'Yes, cancel the appointment' }).click();
  await page.getByText('The appointment is cancelled.').waitFor();
  assert.equal(await page.locator('#status').textContent(), 'The appointment is cancelled');
  assert.equal(await page.locator('#actions').isHidden(), true);
  assert.equal(await page.locator('#video').isHidden(), true);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'invite-cancelled-en.png'), fullPage: true });
  assert.equal((await srv.api('GET', `/api/v1/appointments/${id}`, null, 200)).status, 'cancelled');
  // reloading shows the same: the state is the server's
  await page.reload();
  await page.locator('#card').waitFor();
  assert.equal(await page.locator('#status').textContent(), 'The appointment is cancelled');
  await context.close();
});

test('in person: the place, no video; the language can be switched', async () => {
  const [, url] = await invited('nb', { mode: 'in_person', room_id: room });
  const [context, page] = await open(url);
  assert.equal(await page.locator('#where').textContent(), 'Rom 3, Bygg A, 2. etasje');
  assert.equal(await page.locator('#video').isHidden(), true);
  assert.equal(await page.getByRole('button', { name: 'Jeg vil heller møte fysisk' }).count(), 0);
  await page.getByLabel('Språk').selectOption('en');
  assert.equal(await page.locator('h1').textContent(), 'Your appointment');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.screenshot({ path: join(shots, 'invite-in-person-en.png'), fullPage: true });
  await context.close();
});

test('the camera and microphone test', async () => {
  const [, url] = await invited('nb');
  const [context, page] = await open(url, { permissions: ['camera', 'microphone'] });
  await page.getByRole('button', { name: 'Test kamera og mikrofon' }).click();
  await page.getByText(/Kamera og mikrofon virker/).waitFor();
  await page.screenshot({ path: join(shots, 'invite-camera-test-nb.png'), fullPage: true });
  await page.getByRole('button', { name: 'Avslutt testen' }).click();
  assert.equal(await page.locator('#av').isHidden(), true);
  await context.close();
});

test("a guest's page: the meeting, their role, their own answer; not the patient", async () => {
  const [id] = await invited('nb');
  const gp = await srv.api('POST', `/api/v1/appointments/${id}/participants`,
    { name: 'Dr. Kari Fastlege', role: 'gp', email: 'kari@legekontor.example' }, 201);
  const inv = await srv.api('POST', `/api/v1/appointments/${id}/participants/${gp.id}/invitations`, null, 201);
  const [context, page] = await open(inv.url, { bypassCSP: true });
  assert.equal(await page.locator('h1').textContent(), 'Invitasjon til møte');
  assert.equal(await page.locator('#you').textContent(), 'fastlege');
  assert.equal(await page.locator('#status').textContent(), 'Venter på svar fra deg');
  const text = await page.locator('body').textContent();
  assert.doesNotMatch(text, /Pasient \d/); // the patient's name is not the GP's business here
  assert.equal(await page.getByRole('button', { name: 'Avbestill timen' }).count(), 0);
  assert.deepEqual(await axe(page), []);
  await page.screenshot({ path: join(shots, 'invite-guest-nb.png'), fullPage: true });
  await page.getByRole('button', { name: 'Jeg kommer', exact: true }).click();
  await page.getByText('Takk! Du er påmeldt.').waitFor();
  assert.equal(await page.locator('#status').textContent(), 'Du har svart at du kommer');
  assert.equal(await page.getByRole('button', { name: 'Jeg kommer', exact: true }).count(), 0);
  await page.getByRole('button', { name: 'Jeg kommer ikke' }).click();
  await page.getByText('Takk for beskjed.').waitFor();
  const list = await srv.api('GET', `/api/v1/appointments/${id}/participants`, null, 200);
  assert.equal(list.find(p => p.id === gp.id).response, 'declined');
  assert.equal((await srv.api('GET', `/api/v1/appointments/${id}`, null, 200)).status, 'invited');
  await context.close();
});

test('an unknown link says so and offers nothing', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${srv.base}/i/${'A'.repeat(43)}`);
  await page.locator('#gone-text').waitFor();
  assert.match(await page.locator('#gone-text').textContent(), /Lenken virker ikke lenger/);
  assert.equal(await page.locator('#card').isHidden(), true);
  await page.screenshot({ path: join(shots, 'invite-unknown-nb.png'), fullPage: true });
  await context.close();
});
