// clinic_day.test.mjs - issue 20's whole walk, in the browser only: a
// database that holds a single admin; the admin sets the clinic up from the
// set-up menu (a unit, two clinicians with weekly hours, a quiet video room
// with opening hours, a consultation type, a secretary limited to the unit
// and a clinician's account: setup_steps.mjs's setUpClinic()); then the
// secretary logs in with the password the app made, adds a patient, books
// a video consultation in the quiet video room with a GP and an interpreter
// (each invited), books a follow-up series (every 2 weeks, 3 times), and
// handles the clinician's sick day: the two appointments it hits are listed
// at once and moved together to the clinician's next free times, everyone
// told.  The API is used only to read what the browser did.  axe-core on
// the views the walk passes; screenshots clinic-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';
import { CLINIC, login, logout, setUpClinic } from './setup_steps.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const P = nb.parts, S = nb.series, A = nb.absence, PT = nb.patients;
const pageErrors = [];
const ADMIN_PASSWORD = 'correct horse battery staple'; // harness.mjs's first admin
const GP_PHONE = '+4791230001';
const TOLK_PHONE = '+4792222222';
let srv, browser, page, secretaryPassword, day, kari, ingrid;
const nbDate = iso => `${iso.slice(8)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

before(async () => {
  srv = await startServer();
  browser = await launch();
  page = await staffPage(browser, pageErrors);
  day = workday(4);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name) { await page.screenshot({ path: join(shots, `clinic-${name}.png`), fullPage: true }); }
async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }
const get = path => srv.api('GET', `/api/v1${path}`, null, 200);

// The booking form from the calendar of the day, Kari and Dr. Solheim chosen, the date typed.
async function bookKariWithIngrid() {
  await page.goto(`${srv.base}/#/calendar/day/${day}`);
  await page.locator('.col-head').first().waitFor();
  await page.getByRole('button', { name: nb.cal.book }).click();
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('Kari');
  await page.getByRole('option', { name: /Kari Nordmann/ }).waitFor();
  await page.keyboard.press('Enter');
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(nbDate(day));
  return dlg;
}

test('an empty clinic set up by its one admin, entirely in the browser', async () => {
  assert.equal((await get('/units')).length, 0, 'the database holds nothing but the admin');
  await login(page, srv.base, 'admin', ADMIN_PASSWORD);
  ({ secretary: secretaryPassword } = await setUpClinic(page));
  await logout(page);
  ingrid = (await get('/clinicians')).find(c => c.name === CLINIC.clinicians[0].name).id;
  assert.ok(ingrid);
});

test('the secretary adds a patient and books a video consultation in the quiet room with a GP and an interpreter', async () => {
  await login(page, srv.base, CLINIC.secretary.username, secretaryPassword);
  // the patient, from the patients view
  await page.goto(`${srv.base}/#/patients/new`);
  await page.getByRole('heading', { level: 1, name: PT.new }).waitFor();
  await page.getByLabel(nb.patient.name, { exact: true }).fill('Kari Nordmann');
  await page.getByLabel(nb.patient.phone, { exact: true }).fill('912 34 567');
  await page.getByLabel(nb.patient.nationalId, { exact: true }).fill('15076500565');
  await page.getByLabel(nb.patient.name, { exact: true }).press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Kari Nordmann' }).waitFor();
  [{ id: kari }] = await get('/patients?national_id=15076500565');
  assert.equal((await get(`/patients/${kari}`)).phone, '+4791234567');

  // the booking form from the calendar of the day
  const dlg = await bookKariWithIngrid();
  await dlg.getByLabel(nb.book.time).fill('10:00');
  await dlg.getByLabel(nb.book.type).selectOption({ label: CLINIC.type.name });
  assert.equal(await dlg.locator('#bk-mode-video').isChecked(), true, 'video is the default');
  // the clinician's quiet video room, offered as free then
  const room = dlg.getByLabel(nb.book.room);
  await dlg.locator('#bk-room option', { hasText: nb.rooms.free }).first().waitFor({ state: 'attached' });
  await room.selectOption({ label: `${CLINIC.room.name} (${CLINIC.room.location}) – ${nb.rooms.free}` });

  // the GP and the interpreter
  await dlg.locator('#bk-parts summary').focus();
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-guest-name').fill('Fastlege Åse Berg');
  await dlg.locator('#bk-guest-phone').fill('912 30 001');
  await dlg.getByRole('button', { name: P.addGuest }).click();
  await dlg.locator('#bk-guests').getByText('Fastlege Åse Berg (fastlege)').waitFor();
  await dlg.locator('#bk-guest-role').selectOption('interpreter');
  await dlg.locator('#bk-guest-name').fill('Tolk Anna');
  await dlg.locator('#bk-guest-interpreter_language').fill('polsk');
  await dlg.locator('#bk-guest-phone').fill('0047 922 22 222');
  await dlg.getByRole('button', { name: P.addGuest }).click();
  await dlg.locator('#bk-guests').getByText('Tolk Anna (tolk, polsk)').waitFor();
  assert.equal(await dlg.getByRole('checkbox', { name: nb.book.inviteNow }).isChecked(), true);
  await shot('booking');
  await noViolations('the booking form with guests');
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await dlg.waitFor({ state: 'hidden' });

  // what the browser did, read back
  const [a] = await get(`/appointments?patient_id=${kari}`);
  assert.equal(a.mode, 'video');
  assert.equal(a.status, 'invited');
  assert.equal(a.start.slice(0, 16), `${day}T10:00`);
  assert.equal(a.room_id, (await get('/rooms')).find(r => r.name === CLINIC.room.name).id);
  const guests = (await get(`/appointments/${a.id}/participants`)).filter(p => p.kind === 'guest');
  assert.deepEqual(guests.map(g => [g.role, g.phone]).sort(), [['gp', GP_PHONE], ['interpreter', TOLK_PHONE]]);
  assert.equal(guests.find(g => g.role === 'interpreter').interpreter_language, 'polsk');
  const messages = await get(`/appointments/${a.id}/messages`);
  for (const who of ['patient', 'gp', 'interpreter'])
    assert.ok(messages.some(m => m.kind === 'invitation' && (who === 'patient' ? m.recipient?.kind === 'patient' : m.recipient?.role === who)),
      `an invitation to the ${who}`);
});

test('a follow-up series: every 2 weeks, 3 times, checked before it is booked', async () => {
  const dlg = await bookKariWithIngrid();
  await dlg.getByLabel(nb.book.time).fill('13:00');
  await dlg.getByRole('checkbox', { name: S.repeat }).check();
  await dlg.getByLabel(S.every).fill('2');
  await dlg.getByLabel(S.count).fill('3');
  await dlg.getByRole('button', { name: S.check }).click();
  const review = dlg.locator('#series-review');
  await review.getByRole('heading', { name: S.title(3) }).waitFor();
  await review.getByText(S.allOk(3)).waitFor();
  await shot('series');
  await noViolations('the series checked');
  await review.locator('#series-book').click();
  await dlg.waitFor({ state: 'hidden' });
  const series = (await get(`/appointments?patient_id=${kari}`)).filter(a => a.series_id);
  assert.equal(series.length, 3);
  assert.equal(new Set(series.map(a => a.series_id)).size, 1);
  assert.deepEqual(series.map(a => a.start.slice(11, 16)), ['13:00', '13:00', '13:00']);
  assert.ok(series.every(a => a.status === 'invited'));
});

test("the clinician's sick day: the appointments hit are listed at once and moved to her next free times", async () => {
  const hit = (await get(`/appointments?patient_id=${kari}`)).filter(a => a.start.startsWith(day)).map(a => a.id);
  assert.equal(hit.length, 2);
  await page.goto(`${srv.base}/#/calendar/day/${day}`);
  await page.getByRole('link', { name: A.of('Dr. Ingrid Solheim') }).click();
  await page.getByRole('heading', { level: 1, name: A.title }).waitFor();
  assert.equal(await page.getByLabel(A.fromDate).inputValue(), nbDate(day));
  await page.getByLabel(A.reason, { exact: true }).fill('Syk');
  await page.getByRole('button', { name: A.submit }).click();
  const table = page.getByRole('table', { name: A.hitsCaption });
  await table.waitFor();
  assert.equal(await table.locator('tbody tr').count(), 2, 'the video consultation and the first of the series');
  await shot('sick-day');
  await noViolations('the appointments hit');
  await page.getByRole('button', { name: A.moveAll }).click();
  await page.locator('#ab-summary li').nth(1).waitFor();
  const said = await page.locator('#ab-summary li').allTextContents();
  assert.ok(said.every(s => s.includes(A.told)), said.join(' | '));
  await shot('sick-day-done');
  // nothing left to deal with: no all-together buttons; the absence said as a whole day
  assert.equal(await page.locator('#ab-together').isVisible(), false);
  await page.getByRole('heading', { name: A.hitsOf('Dr. Ingrid Solheim', A.wholeDay(nbDate(day))) }).waitFor();

  // nothing of hers is left on the sick day; both kept their patient and status, and everyone was told
  const all = await get(`/appointments?patient_id=${kari}`);
  assert.equal(all.filter(a => a.start.startsWith(day)).length, 0);
  assert.equal(all.length, 4);
  for (const a of all) {
    assert.deepEqual(a.clinician_ids, [ingrid]);
    assert.equal(a.status, 'invited');
  }
  const meeting = all.find(a => !a.series_id);
  const told = await get(`/appointments/${meeting.id}/messages`);
  for (const who of ['patient', 'gp', 'interpreter'])
    assert.ok(told.some(m => m.kind === 'changed' && (who === 'patient' ? m.recipient?.kind === 'patient' : m.recipient?.role === who)),
      `the ${who} is told of the new time`);
  for (const id of hit) assert.ok((await get(`/appointments/${id}`)).start.slice(0, 10) > day, 'moved to a later day');
});
