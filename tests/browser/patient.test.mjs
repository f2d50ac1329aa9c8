// patient.test.mjs - the patients in the browser (patient.js), as a
// secretary with the keyboard alone: find Kari by name, correct her mobile,
// e-mail and language (the change is in her audit log, under the
// secretary); a server refusal is said at the field, in bokmål, never in
// the server's English; a birth number typed in the search is carried into
// the new-patient form; a patient saved with neither mobile nor e-mail is
// warned about; a birth number another patient has offers that patient
// ("Åpne Kari Nordmann"), in the patients view and in the booking form.
// axe-core on each view; screenshots in tests/browser/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, staffPage } from './harness.mjs';
import { login } from './setup_steps.mjs';

const nb = (await loadTexts()).nb;
const P = nb.patients;
const pageErrors = [];
const SECRETARY = ['sekr.pas', 'sekretaer-passord-2026'];
const KARI_NIN = '15076500565';
const NEW_NIN = '01019010046';
let srv, browser, page, kari;

before(async () => {
  srv = await startServer();
  browser = await launch();
  await srv.api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567', national_id: KARI_NIN }, 201)).id;
  page = await staffPage(browser, pageErrors);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name) { await page.screenshot({ path: join(shots, `patient-${name}.png`), fullPage: true }); }
async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }
const focused = () => page.evaluate(() => document.activeElement.id);

test('find Kari, correct her mobile, e-mail and language; the change is audited', async () => {
  await login(page, srv.base, ...SECRETARY);
  await page.getByRole('link', { name: P.menu, exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: P.title }).waitFor();
  await page.getByLabel(P.search, { exact: true }).focus();
  await page.keyboard.type('Kari');
  await page.keyboard.press('Enter');
  const open = page.getByRole('link', { name: P.open('Kari Nordmann') });
  await open.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), P.open('Kari Nordmann'));
  await shot('search');
  await noViolations('search');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Kari Nordmann' }).waitFor();
  assert.equal(await page.locator('#pt-nochannel').count(), 0);
  await page.getByLabel(nb.patient.phone, { exact: true }).focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('+4798887766');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kari@example.no');
  await page.keyboard.press('Tab');
  await page.keyboard.type('e'); // the language: English, typed to
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'pt-save');
  await page.keyboard.press('Enter');
  await page.locator('#toast').filter({ hasText: P.saved('Kari Nordmann') }).waitFor();
  const now = await srv.api('GET', `/api/v1/patients/${kari}`, null, 200);
  assert.equal(now.phone, '+4798887766');
  assert.equal(now.email, 'kari@example.no');
  assert.equal(now.language, 'en');
  await shot('edited');
  await noViolations('a patient');
  const audit = await srv.api('GET', `/api/v1/audit?patient_id=${kari}`, null, 200);
  const update = audit.find(r => r.action === 'patient.update');
  assert.ok(update, 'the change is in the audit log');
  assert.equal(update.username, SECRETARY[0]);
});

test('a server refusal is said at the field in bokmål, not in the server\'s English', async () => {
  await page.getByLabel(nb.patient.email, { exact: true }).focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('kari@');
  await page.keyboard.press('Enter');
  const said = page.locator('#pt-email-error');
  await said.filter({ hasText: nb.fielderr.invalid.email }).waitFor();
  assert.equal(await page.getByLabel(nb.patient.email, { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await focused(), 'pt-email');
  assert.doesNotMatch(await page.locator('main').textContent(), /'email'|is not|valid e-mail/i);
  assert.equal((await srv.api('GET', `/api/v1/patients/${kari}`, null, 200)).email, 'kari@example.no', 'nothing changed');
  await shot('field-error');
  await noViolations('a field error');
});

test('a birth number typed in the search is carried into the new patient; no mobile or e-mail warns', async () => {
  await page.goto(`${srv.base}/#/patients`);
  await page.getByLabel(P.search, { exact: true }).focus();
  await page.keyboard.type('010190 10046');
  await page.keyboard.press('Enter');
  await page.getByText(P.noHits('010190 10046')).waitFor();
  await page.getByRole('link', { name: P.new, exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: P.new }).waitFor();
  assert.equal(await page.getByLabel(nb.patient.nationalId, { exact: true }).inputValue(), NEW_NIN);
  await page.getByLabel(nb.patient.name, { exact: true }).focus();
  await page.keyboard.type('Per Uten Kontakt');
  await shot('new');
  await noViolations('a new patient');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Per Uten Kontakt' }).waitFor();
  const warn = page.locator('#pt-nochannel');
  await warn.waitFor();
  assert.match(await warn.textContent(), new RegExp(P.noChannel.slice(0, 30)));
  assert.equal(await focused(), 'pt-nochannel', 'the warning is where the keyboard user is');
  const [made] = await srv.api('GET', `/api/v1/patients?national_id=${NEW_NIN}`, null, 200);
  assert.equal(made.name, 'Per Uten Kontakt');
  await shot('no-channel');
  await noViolations('a patient with no channel');
});

test('a birth number another patient has offers that patient instead of an error', async () => {
  await page.goto(`${srv.base}/#/patients/new?national_id=${KARI_NIN}`);
  await page.getByRole('heading', { level: 1, name: P.new }).waitFor();
  await page.getByLabel(nb.patient.name, { exact: true }).focus();
  await page.keyboard.type('Kari Dobbel');
  await page.keyboard.press('Enter');
  const offer = page.getByRole('link', { name: P.openExisting('Kari Nordmann') });
  await offer.waitFor();
  assert.equal(await focused(), 'pt-existing');
  assert.equal(await page.locator('#pt-national_id-error').textContent(), nb.fielderr.duplicate.national_id);
  await shot('duplicate');
  await noViolations('a duplicate');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Kari Nordmann' }).waitFor();
  assert.equal((await srv.api('GET', '/api/v1/patients?q=Kari%20Dobbel', null, 200)).length, 0, 'nothing was made');
});

test('the booking form: the birth number typed comes along, and the duplicate offers the patient', async () => {
  await page.goto(`${srv.base}/#/calendar`);
  await page.getByRole('button', { name: nb.cal.book }).first().click();
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  await page.keyboard.type(KARI_NIN.slice(0, 6)); // the search has focus; a number nobody has
  await page.keyboard.type('99999');
  await dlg.getByRole('button', { name: nb.book.newPatient }).focus();
  await page.keyboard.press('Enter');
  assert.equal(await dlg.getByLabel(nb.patient.nationalId).inputValue(), `${KARI_NIN.slice(0, 6)}99999`);
  // the national id of Kari instead: the server's 409 offers her
  await dlg.getByLabel(nb.patient.nationalId).fill(KARI_NIN);
  await dlg.getByLabel(nb.patient.name, { exact: true }).fill('Kari Dobbel');
  await dlg.getByRole('button', { name: nb.book.savePatient }).focus();
  await page.keyboard.press('Enter');
  const use = dlg.getByRole('button', { name: P.openExisting('Kari Nordmann') });
  await use.focus();
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-chosen').filter({ hasText: 'Kari Nordmann' }).waitFor();
  await shot('booking-duplicate');
});
