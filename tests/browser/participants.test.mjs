// participants.test.mjs - the many-party meeting in the browser (issue 20):
// a secretary books a video consultation with a GP and an interpreter (the
// interpreter added with the keyboard alone, the phone typed as people
// type it), both are invited at booking; the GP opens their own link in a
// second browser context, sees whom the meeting is about (initials and
// birth year, never the name) and accepts; the secretary sees the answer
// and each one's message state, every message with its recipient; the
// platform's limit is shown before it is hit ("4 of 5") and the add
// buttons are disabled at it; a guest is removed after a confirmation
// (the meeting gets a new room); the clinic's reference replaces the
// initials on the guest's page; the cancel form says truthfully who is
// told, also "no one" for a patient without phone or e-mail.  axe-core on
// each new view; screenshots in tests/browser/screenshots/participants-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const P = nb.parts;
const pageErrors = [];
const SECRETARY = ['sekretaer', 'sekretaer-passord-2026'];
const GP_PHONE = '+4791230001';
const TOLK_PHONE = '+4792222222';

let srv, browser, page, guestContext;
let day, unit, clin1, clin2, kari, per, apptId;

before(async () => {
  // a platform that takes five: patient, clinician, GP and interpreter are
  // four; one more clinician fills it
  srv = await startServer(['--video-max-participants', '5']);
  browser = await launch();
  await srv.api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);
  unit = (await srv.api('POST', '/api/v1/units', { name: 'Medisinsk poliklinikk' }, 201)).id;
  clin1 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unit }, 201)).id;
  clin2 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Hanne Lie', profession: 'sykepleier', unit_id: unit }, 201)).id;
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567',
    national_id: '15076500565', language: 'nb' }, 201)).id;
  per = (await srv.api('POST', '/api/v1/patients', { name: 'Per Utenkontakt' }, 201)).id;
  day = workday(3);
  page = await staffPage(browser, pageErrors);
  await page.goto(srv.base);
  await page.getByLabel(nb.login.username).fill(SECRETARY[0]);
  await page.getByLabel(nb.login.password).fill(SECRETARY[1]);
  await page.keyboard.press('Enter');
  await page.locator('.grid').waitFor();
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await guestContext?.close();
  await browser?.close();
  await srv?.stop();
});

async function shot(p, name) { await p.screenshot({ path: join(shots, `participants-${name}.png`), fullPage: true }); }
async function noViolations(p, what) { assert.deepEqual(await axe(p), [], `axe: ${what}`); }

// The link in the newest spooled SMS to phone (waits for the worker).
async function spooledLink(phone) {
  const spool = join(srv.dir, 't.db.outbox');
  for (let i = 0; i < 200; i++) {
    let files = [];
    try { files = readdirSync(spool).filter(f => f.endsWith('-sms.json')).sort().reverse(); } catch { /* not yet */ }
    for (const f of files) {
      const m = JSON.parse(readFileSync(join(spool, f), 'utf8'));
      if (m.to === phone) return m.body.match(/https?:\/\/\S+\/i\/[A-Za-z0-9_-]+/)[0];
    }
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`no SMS to ${phone}`);
}

// Wait until no message of the appointment is queued.
async function settled() {
  for (let i = 0; i < 200; i++) {
    const m = await srv.api('GET', `/api/v1/appointments/${apptId}/messages`, null, 200);
    if (!m.some(x => x.status === 'queued')) return;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error('messages still queued');
}

async function openAppt(name) {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.reload(); // what the API booked meanwhile
  await page.locator('.grid .appt', { hasText: name }).first().click();
  const dlg = page.getByRole('dialog');
  await dlg.locator('#parts-count').getByText(/\d/).waitFor();
  return dlg;
}

test('book a video consultation with a GP and an interpreter; the interpreter added by keyboard alone', async () => {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.locator('.col-head').first().waitFor();
  await page.getByRole('button', { name: nb.cal.book }).click();
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('Kari');
  await page.getByRole('option', { name: /Kari Nordmann/ }).waitFor();
  await page.keyboard.press('Enter');
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByLabel(nb.book.time).fill('10:00');

  // the participants part opens from the keyboard
  await dlg.locator('#bk-parts summary').focus();
  await page.keyboard.press('Enter');
  const count = dlg.locator('#bk-parts-count');
  await count.getByText(P.count(2, 5)).waitFor();

  // the GP: typed as people type a phone number
  await dlg.locator('#bk-guest-name').fill('Fastlege Åse Berg');
  await dlg.locator('#bk-guest-phone').fill('912 30 001');
  await dlg.getByRole('button', { name: P.addGuest }).click();
  await dlg.locator('#bk-guests').getByText('Fastlege Åse Berg (fastlege)').waitFor();
  assert.match(await dlg.locator('#bk-guests').textContent(), /\+4791230001/);
  await count.getByText(P.count(3, 5)).waitFor();

  // the interpreter, with the keyboard alone: the role by arrow keys, Tab
  // from field to field, Enter adds; the focus comes back to the name
  await page.locator('#bk-guest-role').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.locator('#bk-guest-role').inputValue(), 'interpreter');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Tolk Anna');
  await page.keyboard.press('Tab'); // the interpreter's language, shown for an interpreter
  await page.keyboard.press('Enter'); // no language yet: said at the field
  assert.equal(await dlg.locator('#bk-guest-interpreter_language-error').textContent(), P.needLanguage);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-guest-interpreter_language');
  await page.keyboard.type('polsk');
  await page.keyboard.press('Tab');
  await page.keyboard.type('0047 922 22 222');
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-guests').getByText('Tolk Anna (tolk, polsk)').waitFor();
  assert.match(await dlg.locator('#bk-guests').textContent(), /\+4792222222/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-guest-name');
  await count.getByText(P.count(4, 5)).waitFor();
  assert.equal(await dlg.getByRole('button', { name: P.addGuest }).isDisabled(), false);
  // a bad phone number is said at the field, nothing is added
  await dlg.locator('#bk-guest-role').selectOption('gp');
  await dlg.locator('#bk-guest-name').fill('Feil Nummer');
  await dlg.locator('#bk-guest-phone').fill('12');
  await dlg.getByRole('button', { name: P.addGuest }).click();
  assert.equal(await dlg.locator('#bk-guest-phone-error').textContent(), P.badPhone);
  await dlg.locator('#bk-guest-name').fill('');
  await dlg.locator('#bk-guest-phone').fill('');
  assert.equal(await dlg.locator('#bk-guests li').count(), 2);
  await shot(page, 'book');
  await noViolations(page, 'booking form with participants');

  // two clinicians would fill the platform: the add button says so
  await dlg.getByRole('checkbox', { name: /Hanne Lie/ }).check();
  await count.getByText(P.count(5, 5), { exact: false }).waitFor();
  assert.match(await count.textContent(), new RegExp(P.full));
  assert.equal(await dlg.getByRole('button', { name: P.addGuest }).isDisabled(), true);
  await dlg.getByRole('checkbox', { name: /Hanne Lie/ }).uncheck();
  await count.getByText(P.count(4, 5)).waitFor();

  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await dlg.waitFor({ state: 'hidden' });
  const list = await srv.api('GET', `/api/v1/appointments?from=${day}&to=${day}`, null, 200);
  assert.equal(list.length, 1);
  apptId = list[0].id;
  const people = await srv.api('GET', `/api/v1/appointments/${apptId}/participants`, null, 200);
  const guests = people.filter(p => p.kind === 'guest');
  assert.deepEqual(guests.map(g => [g.name, g.role, g.interpreter_language, g.phone, g.invited]), [
    ['Fastlege Åse Berg', 'gp', null, GP_PHONE, true],
    ['Tolk Anna', 'interpreter', 'polsk', TOLK_PHONE, true],
  ]);
});

test("the GP opens their own link in a second browser, sees whom it is about, and accepts", async () => {
  const link = await spooledLink(GP_PHONE);
  guestContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'nb-NO', bypassCSP: true });
  const gp = await guestContext.newPage();
  gp.on('pageerror', e => pageErrors.push(`guest page: ${e.message}`));
  await gp.goto(link);
  await gp.locator('#card').waitFor();
  assert.equal(await gp.locator('#l-about').textContent(), 'Gjelder');
  assert.equal(await gp.locator('#about').textContent(), 'pasient K.N., født 1965');
  const text = await gp.locator('body').textContent();
  for (const secret of ['Kari', 'Nordmann', '15076500565', '91234567']) assert.ok(!text.includes(secret), `guest page shows ${secret}`);
  await shot(gp, 'guest');
  await noViolations(gp, "the guest's page");
  await gp.getByRole('button', { name: 'Jeg kommer', exact: true }).click();
  await gp.getByText('Takk! Du er påmeldt.').waitFor();
  await gp.close();
});

test('the secretary sees each answer and message state; every message names its recipient', async () => {
  const dlg = await openAppt('Kari Nordmann');
  const gpRow = dlg.locator('#parts-table tr', { hasText: 'Fastlege Åse Berg' });
  await gpRow.locator('td.answer-accepted').waitFor();
  assert.match(await gpRow.locator('td.answer-accepted').textContent(), new RegExp(`^${nb.response.accepted} `));
  const tolkRow = dlg.locator('#parts-table tr', { hasText: 'Tolk Anna' });
  assert.match(await tolkRow.textContent(), new RegExp(nb.response['needs-action']));
  assert.match(await tolkRow.textContent(), /tolk, polsk/);
  assert.match(await gpRow.textContent(), /SMS: (Sendt|I kø)/);
  assert.equal(await dlg.locator('#parts-count').textContent(), P.count(4, 5));
  // the message list: who each went to, no two rows alike
  const rows = dlg.locator('table.messages tbody tr');
  assert.equal(await rows.count(), 3); // the patient, the GP, the interpreter: each by SMS
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    const cells = rows.nth(i).locator('td');
    seen.add(`${await cells.nth(1).textContent()}|${await cells.nth(2).textContent()}`);
  }
  assert.equal(seen.size, 3);
  const recipients = await rows.locator('td:nth-child(2)').allTextContents();
  assert.ok(recipients.some(r => r.startsWith('Kari Nordmann (pasient)')), recipients.join(' / '));
  assert.ok(recipients.some(r => r.startsWith('Fastlege Åse Berg (fastlege)')));
  assert.ok(recipients.some(r => r.startsWith('Tolk Anna (tolk, polsk)')));
  await shot(page, 'appointment');
  await noViolations(page, 'appointment dialog with participants');
});

test('the limit: a clinician fills the meeting, the add buttons are disabled; removing a guest (confirmed) frees a place', async () => {
  let dlg = page.getByRole('dialog');
  await dlg.getByLabel(P.otherClinician).selectOption(String(clin2));
  await dlg.locator('#parts-add-clinician').click();
  await dlg.getByText(P.added('Hanne Lie')).waitFor();
  await dlg.locator('#parts-count').getByText(P.full, { exact: false }).waitFor();
  assert.equal(await dlg.locator('#parts-guest-add').isDisabled(), true);
  assert.equal(await dlg.locator('#parts-add-clinician').isDisabled(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'parts-clinician');
  await shot(page, 'full');
  // the server holds the same limit
  const refused = await srv.api('POST', `/api/v1/appointments/${apptId}/participants`, { name: 'X', role: 'other' }, 409);
  assert.equal(refused.error.code, 'participant_limit');

  const before = (await srv.api('GET', `/api/v1/appointments/${apptId}`, null, 200)).video_url;
  const tolk = dlg.locator('#parts-table tr', { hasText: 'Tolk Anna' });
  await tolk.getByRole('button', { name: P.removeName('Tolk Anna') }).click();
  await tolk.getByText(P.removeQ('Tolk Anna', true)).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), P.removeYes);
  // "keep" keeps, and the focus goes back to the button
  await tolk.getByRole('button', { name: P.keep }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id.startsWith('parts-remove-')), true);
  await tolk.getByRole('button', { name: P.removeName('Tolk Anna') }).click();
  await tolk.getByRole('button', { name: P.removeYes }).click();
  dlg = page.getByRole('dialog');
  await dlg.getByText(P.removed('Tolk Anna')).waitFor();
  assert.equal(await dlg.locator('#parts-table tr', { hasText: 'Tolk Anna' }).count(), 0);
  assert.equal(await dlg.locator('#parts-count').textContent(), P.count(4, 5));
  assert.equal(await dlg.locator('#parts-guest-add').isDisabled(), false);
  const after = (await srv.api('GET', `/api/v1/appointments/${apptId}`, null, 200)).video_url;
  assert.notEqual(after, before, 'a new video room after a guest left');
  const people = await srv.api('GET', `/api/v1/appointments/${apptId}/participants`, null, 200);
  assert.deepEqual(people.filter(p => p.kind === 'guest').map(g => g.name), ['Fastlege Åse Berg']);
  // the removed interpreter's messages stay in the list, marked
  assert.ok((await dlg.locator('table.messages tbody').textContent()).includes(`Tolk Anna (tolk, polsk), ${P.wasRemoved}`));
});

test('a guest added in the dialog with the keyboard alone, then invited; the focus stays where the user is', async () => {
  const dlg = page.getByRole('dialog');
  await page.locator('#parts-guest-role').focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown'); // "other"
  assert.equal(await page.locator('#parts-guest-role').inputValue(), 'other');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Nils Pårørende');
  await page.keyboard.press('Tab'); // the phone: none
  await page.keyboard.press('Tab');
  await page.keyboard.type('nils@example.no');
  await page.keyboard.press('Enter');
  // five of five again; the focus stays in the form
  await dlg.getByText(P.added('Nils Pårørende')).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'parts-guest-name');
  const row = dlg.locator('#parts-table tr', { hasText: 'Nils Pårørende' });
  assert.match(await row.textContent(), /nils@example\.no/);
  assert.match(await row.textContent(), new RegExp(P.notInvited));
  await row.getByRole('button', { name: P.inviteName('Nils Pårørende') }).click();
  await dlg.getByText(P.invited('Nils Pårørende')).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id.startsWith('parts-invite-')), true);
  await noViolations(page, 'appointment dialog after adding a guest');
});

test("the clinic's reference replaces the initials on the guest's page", async () => {
  const dlg = page.getByRole('dialog');
  await dlg.getByLabel(P.reference).fill('Henvisning 2026-114');
  await page.keyboard.press('Enter');
  await dlg.getByText(P.referenceSaved).waitFor();
  assert.equal((await srv.api('GET', `/api/v1/appointments/${apptId}`, null, 200)).reference, 'Henvisning 2026-114');
  // the GP's link was renewed with the new room: the newest SMS has it
  await settled();
  const link = await spooledLink(GP_PHONE);
  const gp = await guestContext.newPage();
  await gp.goto(link);
  await gp.locator('#card').waitFor();
  assert.equal(await gp.locator('#about').textContent(), 'referanse Henvisning 2026-114');
  assert.ok(!(await gp.locator('body').textContent()).includes('K.N.'));
  await shot(gp, 'guest-reference');
  await gp.close();
  // too long: said at the field, nothing changed
  await dlg.getByLabel(P.reference).evaluate(el => { el.removeAttribute('maxlength'); });
  await dlg.getByLabel(P.reference).fill('x'.repeat(41));
  await dlg.locator('#parts-reference-save').click();
  await dlg.locator('#appt-problem').getByText(/40/).waitFor();
  assert.equal((await srv.api('GET', `/api/v1/appointments/${apptId}`, null, 200)).reference, 'Henvisning 2026-114');
});

test('the cancel form says who will be told, and "no one" for a patient without phone or e-mail', async () => {
  let dlg = page.getByRole('dialog');
  await dlg.getByText(nb.appt.cancel, { exact: true }).first().click();
  const hint = await dlg.locator('#cx-reason-hint').textContent();
  assert.match(hint, new RegExp(`^${P.tellPatient('SMS')}`));
  assert.match(hint, /Fastlege Åse Berg \(fastlege\): SMS/);
  assert.match(hint, /Nils Pårørende \(deltaker\): e-post/);
  await dlg.getByRole('button', { name: nb.app.close }).click();

  await srv.api('POST', '/api/v1/appointments', { patient_id: per, clinician_ids: [clin1],
    start: `${day}T13:00:00`, duration_minutes: 30 }, 201);
  dlg = await openAppt('Per Utenkontakt');
  await dlg.getByText(nb.appt.cancel, { exact: true }).first().click();
  assert.equal(await dlg.locator('#cx-reason-hint').textContent(), P.noOne(P.why.noChannel));
  await shot(page, 'cancel-no-channel');
  await noViolations(page, 'cancel form, no channel');
  await dlg.getByRole('button', { name: nb.app.close }).click();
});

test('a guest typed in but not added comes along with the booking; a bad one stops it at its field', async () => {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.reload();
  await page.locator('.col-head').first().waitFor();
  await page.getByRole('button', { name: nb.cal.book }).focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  await page.keyboard.type('Kari');
  await page.getByRole('option', { name: /Kari Nordmann/ }).waitFor();
  await page.keyboard.press('Enter');
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).focus();
  await page.keyboard.press('Space');
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByLabel(nb.book.time).fill('14:00');
  await dlg.locator('#bk-parts summary').focus();
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-guest-name').fill('Fastlege Glemt');
  await dlg.locator('#bk-guest-phone').fill('12');
  const at14 = async () => (await srv.api('GET', `/api/v1/appointments?from=${day}&to=${day}`, null, 200))
    .filter(a => a.start.slice(11, 16) === '14:00' && a.status !== 'cancelled');
  // "Book" without "Add guest": the bad number is said at its field, nothing booked
  await dlg.getByRole('button', { name: nb.book.submit }).focus();
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-guest-phone-error').getByText(P.badPhone).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-guest-phone');
  assert.equal((await at14()).length, 0);
  assert.equal(await dlg.isVisible(), true);
  // corrected, and booked again: the guest comes along
  await page.keyboard.press('Control+A');
  await page.keyboard.type('913 00 777');
  await dlg.getByRole('button', { name: nb.book.submit }).focus();
  await page.keyboard.press('Enter');
  await dlg.waitFor({ state: 'hidden' });
  const [a] = await at14();
  assert.ok(a, 'booked');
  const people = await srv.api('GET', `/api/v1/appointments/${a.id}/participants`, null, 200);
  assert.deepEqual(people.filter(p => p.kind === 'guest').map(g => [g.name, g.phone]), [['Fastlege Glemt', '+4791300777']]);
});
