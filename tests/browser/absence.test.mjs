// absence.test.mjs - a sick day, handled in the browser by a secretary with
// the keyboard alone (absence.js): from the calendar's clinician column to
// the absence form, the four appointments it hits listed at once (patient,
// time, mode, status); one moved to the clinician's next free time, one to
// another clinician of the unit, the other two cancelled all together; the
// summary says what happened to each; the patients are told (read back
// through the API's messages), and the appointments are as the summary
// says.  axe-core on the view; screenshots in tests/browser/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';
import { login } from './setup_steps.mjs';

const nb = (await loadTexts()).nb;
const A = nb.absence;
const pageErrors = [];
const SECRETARY = ['sekr.abs', 'sekretaer-passord-2026'];
let srv, browser, page, day, ingrid, hanne, appts;

before(async () => {
  srv = await startServer();
  browser = await launch();
  const api = srv.api;
  await api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);
  const unit = (await api('POST', '/api/v1/units', { name: 'Medisinsk poliklinikk' }, 201)).id;
  ingrid = (await api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unit }, 201)).id;
  hanne = (await api('POST', '/api/v1/clinicians', { name: 'Hanne Lie', profession: 'sykepleier', unit_id: unit }, 201)).id;
  const week = [1, 2, 3, 4, 5].map(weekday => ({ weekday, start: '08:00', end: '15:30' }));
  await api('PUT', `/api/v1/clinicians/${ingrid}/hours`, week, 200);
  await api('PUT', `/api/v1/clinicians/${hanne}/hours`, week, 200);
  day = workday(3);
  const people = [['Kari Nordmann', '+4791234567'], ['Ola Nordmann', '+4798765432'],
    ['Per Hansen', '+4790011223'], ['Lise Berg', '+4790044556']];
  appts = [];
  for (const [i, [name, phone]] of people.entries()) {
    const p = (await api('POST', '/api/v1/patients', { name, phone }, 201)).id;
    const a = await api('POST', '/api/v1/appointments', { patient_id: p, clinician_ids: [ingrid],
      start: `${day}T${String(9 + i).padStart(2, '0')}:00:00`, duration_minutes: 30 }, 201);
    await api('POST', `/api/v1/appointments/${a.id}/invitations`, null, 201);
    appts.push({ ...a, name });
  }
  page = await staffPage(browser, pageErrors);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name) { await page.screenshot({ path: join(shots, `absence-${name}.png`), fullPage: true }); }
const kinds = async id => (await srv.api('GET', `/api/v1/appointments/${id}/messages`, null, 200)).map(m => m.kind);

test('a sick day: register it from the calendar; the four hit appointments are listed at once', async () => {
  await login(page, srv.base, ...SECRETARY);
  await page.goto(`${srv.base}/#/calendar/day/${day}`);
  // from the clinician's column in the calendar, with the keyboard
  const link = page.getByRole('link', { name: A.of('Dr. Ingrid Solheim') });
  await link.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: A.title }).waitFor();
  assert.equal(await page.getByLabel(A.clinician, { exact: true }).inputValue(), String(ingrid));
  assert.equal(await page.getByLabel(A.fromDate).inputValue(), `${day.slice(8)}.${day.slice(5, 7)}.${day.slice(0, 4)}`);
  await page.getByLabel(A.reason, { exact: true }).focus();
  await page.keyboard.type('Syk');
  await page.keyboard.press('Enter'); // submits the form
  const table = page.getByRole('table', { name: A.hitsCaption });
  await table.waitFor();
  const rows = table.locator('tbody tr');
  assert.equal(await rows.count(), 4);
  assert.deepEqual(await rows.locator('th').allTextContents(), appts.map(a => a.name));
  const first = await rows.first().locator('td').allTextContents();
  assert.match(first[0], /09:00/);
  assert.equal(first[1], nb.mode.video);
  assert.match(first[2], new RegExp(nb.status.invited));
  // focus went to the list's heading, where the work is
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ab-hits-h');
  await shot('hits');
  assert.deepEqual(await axe(page), [], 'axe: the hit appointments');
  // the absence is also in the list of those to come, and the calendar refuses booking then
  await page.getByRole('button', { name: A.showHitsOf(`${day.slice(8)}.${day.slice(5, 7)}.${day.slice(0, 4)} 00:00`) }).waitFor();
});

test('one to the next free time, one to another clinician, the rest cancelled together; the patients are told', async () => {
  const [kari, ola, per, lise] = appts;
  // Kari: the clinician's next free time (the next working day, 08:00)
  await page.getByRole('button', { name: A.nextFreeFor(kari.name) }).focus();
  await page.keyboard.press('Enter');
  const summary = page.locator('#ab-summary li');
  await summary.first().waitFor();
  assert.match(await summary.first().textContent(), new RegExp(`${kari.name}.*${A.told}`));
  // focus moved on to Ola's row
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), A.nextFreeFor(ola.name));
  // Ola: to Hanne Lie, the only other clinician of the unit, free at that time
  await page.keyboard.press('Tab'); // the choice of clinician
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), A.otherFor(ola.name));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await summary.nth(1).waitFor();
  assert.match(await summary.nth(1).textContent(), new RegExp(`${ola.name}.*Hanne Lie`));
  // Per and Lise: all together, with a reason kept on the appointment
  await page.getByLabel(A.cancelWhy).focus();
  await page.keyboard.type('Behandler syk');
  await page.getByRole('button', { name: A.cancelAll }).focus();
  await page.keyboard.press('Enter');
  // asked first, in place, with the focus on yes; keep cancels nothing
  const together = page.locator('#ab-together');
  await together.getByRole('alert').waitFor();
  assert.equal(await together.getByRole('alert').textContent(), A.cancelAllQ(2));
  assert.equal(await page.evaluate(() => document.activeElement.textContent), A.cancelYes);
  await shot('cancel-all-asked');
  assert.deepEqual(await axe(page), [], 'axe: the question');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), A.keep);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ab-cancel-all');
  assert.equal(await together.getByRole('alert').count(), 0);
  assert.notEqual((await srv.api('GET', `/api/v1/appointments/${per.id}`, null, 200)).status, 'cancelled');
  assert.equal(await summary.count(), 2);
  await page.keyboard.press('Enter');
  await together.getByRole('alert').waitFor();
  await page.keyboard.press('Enter'); // yes
  await summary.nth(3).waitFor();
  const said = await summary.allTextContents();
  assert.match(said[2], new RegExp(`${per.name}.*${A.cancelledOne} ${A.told}`));
  assert.match(said[3], new RegExp(`${lise.name}.*${A.cancelledOne} ${A.told}`));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ab-summary-h');
  await shot('summary');
  assert.deepEqual(await axe(page), [], 'axe: the summary');

  // the appointments are as the summary says
  const get = id => srv.api('GET', `/api/v1/appointments/${id}`, null, 200);
  const k = await get(kari.id), o = await get(ola.id), p = await get(per.id), l = await get(lise.id);
  assert.ok(k.start.slice(0, 10) > day, `Kari moved past the sick day: ${k.start}`);
  assert.deepEqual(k.clinician_ids, [ingrid]);
  assert.match(said[0], new RegExp(k.start.slice(11, 16)));
  assert.deepEqual(o.clinician_ids, [hanne]);
  assert.equal(o.start, ola.start);
  assert.equal(p.status, 'cancelled');
  assert.equal(p.status_reason, 'Behandler syk');
  assert.equal(l.status, 'cancelled');
  // the patients are told: a change for the moved one, a cancellation for each cancelled
  assert.ok((await kinds(kari.id)).includes('changed'));
  assert.ok((await kinds(per.id)).includes('cancelled'));
  assert.ok((await kinds(lise.id)).includes('cancelled'));
  // the one kept at its time with another clinician: nothing to tell, and the summary says so
  assert.ok(!(await kinds(ola.id)).includes('changed'));
  assert.match(said[1], new RegExp(A.notTold));
  // nothing left to do in the table
  assert.equal(await page.locator('.ab-actions button').count(), 0);
});

test('a refused move is said in Norwegian in its row and in the summary, and the row keeps its actions', async () => {
  // a new hit appointment on a day Hanne does not work either: no slot within four weeks for both
  const p = (await srv.api('POST', '/api/v1/patients', { name: 'Nils Nilsen', phone: '+4790077889' }, 201)).id;
  const a = await srv.api('POST', '/api/v1/appointments', { patient_id: p, clinician_ids: [ingrid, hanne],
    start: `${day}T14:00:00`, duration_minutes: 30, override_hours: true }, 201);
  await srv.api('POST', `/api/v1/clinicians/${hanne}/exceptions`, { kind: 'absence', start: `${day}T00:00:00`,
    end: `${workday(40)}T00:00:00` }, 201);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: A.title }).waitFor();
  await page.getByRole('button', { name: new RegExp(A.showHits) }).first().focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: A.nextFreeFor('Nils Nilsen') }).focus();
  await page.keyboard.press('Enter');
  const li = page.locator('#ab-summary li');
  await li.first().waitFor();
  assert.match(await li.first().textContent(), new RegExp(A.noSlot));
  assert.equal(await page.getByRole('button', { name: A.cancelFor('Nils Nilsen') }).count(), 1);
  assert.equal((await srv.api('GET', `/api/v1/appointments/${a.id}`, null, 200)).start, a.start);
  await shot('refused');
  // a single cancellation is asked first in its row too; keep changes nothing
  const row = page.locator(`tr[data-id="${a.id}"]`);
  await page.getByRole('button', { name: A.cancelFor('Nils Nilsen') }).focus();
  await page.keyboard.press('Enter');
  await row.getByRole('alert').waitFor();
  assert.equal(await row.getByRole('alert').textContent(), A.cancelQ('Nils Nilsen'));
  assert.equal(await page.evaluate(() => document.activeElement.textContent), A.cancelYes);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // keep
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), A.cancelFor('Nils Nilsen'));
  assert.notEqual((await srv.api('GET', `/api/v1/appointments/${a.id}`, null, 200)).status, 'cancelled');
  await page.keyboard.press('Enter');
  await row.getByRole('alert').waitFor();
  await page.keyboard.press('Enter'); // yes
  await li.nth(1).waitFor();
  assert.match(await li.nth(1).textContent(), new RegExp(`Nils Nilsen.*${A.cancelledOne}`));
  assert.equal((await srv.api('GET', `/api/v1/appointments/${a.id}`, null, 200)).status, 'cancelled');
});
