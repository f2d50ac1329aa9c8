// clinician.test.mjs - the clinician's day list, what a walk-through found
// missing: "Start video" for a patient never invited warns first (the
// patient has no link) and lets the clinician go on; a consultation by
// phone shows the number to call as a tel: link; a no-show marked by
// mistake is undone the same day, back to what it was, and focus stays in
// the row.  All in nynorsk too.  axe-core on the list and the warning;
// screenshots in tests/browser/screenshots/clinician-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, staffPage, osloNow, hhmm } from './harness.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb, nn = TEXTS.nn;
const pageErrors = [];
const LEGE = ['lege', 'lege-passord-2026'];

let srv, browser, page;
const ids = {};

before(async () => {
  srv = await startServer(['--video-url-template', 'https://meet.example.org/{room}',
    '--video-host-url-template', 'https://host.example.org/moderate/{room}']);
  browser = await launch();
  const clin = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege' }, 201)).id;
  const kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567' }, 201)).id;
  const ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  await srv.api('POST', '/api/v1/users', { username: LEGE[0], role: 'clinician', clinician_id: clin, password: LEGE[1] }, 201);
  // today: a video consultation under way, never invited; then one by phone
  const now = osloNow();
  const begin = Math.max(0, Math.floor(now.minute / 15) * 15 - 15);
  const book = async (patient, start, minutes, extra = {}) => (await srv.api('POST', '/api/v1/appointments', {
    patient_id: patient, clinician_ids: [clin], start: `${now.date}T${hhmm(start)}:00`, duration_minutes: minutes, ...extra,
  }, 201)).id;
  ids.video = await book(kari, begin, Math.min(30, 1440 - begin - 10));
  ids.phone = await book(ola, Math.min(begin + 30, 1430), 10, { mode: 'phone' });
  page = await staffPage(browser, pageErrors);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name) { await page.screenshot({ path: join(shots, `clinician-${name}.png`) }); }
async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }
const row = id => page.locator(`li.entry[data-id="${id}"]`);
const focusedAction = () => page.evaluate(() => document.activeElement?.dataset?.action
  || (document.activeElement?.closest?.('li.entry') ? 'row' : document.activeElement?.tagName));

test('Start video for a patient never invited warns first, and the clinician may go on', async () => {
  await page.goto(srv.base);
  await page.getByLabel(nb.login.username).fill(LEGE[0]);
  await page.getByLabel(nb.login.password).fill(LEGE[1]);
  await page.keyboard.press('Enter');
  await row(ids.video).waitFor();
  const start = row(ids.video).getByRole('link', { name: nb.day.startVideo });
  await start.focus();
  await page.keyboard.press('Enter'); // keyboard alone
  const dlg = page.getByRole('dialog', { name: nb.day.notInvitedTitle });
  await dlg.waitFor();
  assert.equal(page.context().pages().length, 1, 'no video room opened yet');
  assert.match(await dlg.textContent(), /Kari Nordmann har ikke fått innkalling/);
  const anyway = dlg.getByRole('link', { name: nb.day.startAnyway });
  const appt = await srv.api('GET', `/api/v1/appointments/${ids.video}`, null, 200);
  assert.equal(await anyway.getAttribute('href'), appt.video_host_url);
  assert.equal(await anyway.getAttribute('target'), '_blank');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'day-video-anyway');
  await shot('not-invited');
  await noViolations('the warning');
  // backing out: focus is back on Start video
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'hidden' });
  assert.equal(await focusedAction(), 'video');
  // going on opens the host's room in a new tab and closes the warning
  await page.keyboard.press('Enter');
  await dlg.waitFor();
  const [tab] = await Promise.all([page.context().waitForEvent('page'), anyway.click()]);
  await tab.close();
  await dlg.waitFor({ state: 'hidden' });
});

test('a consultation by phone shows the number to call', async () => {
  const call = row(ids.phone).getByRole('link', { name: nb.day.call('+47 987 65 432') });
  assert.equal(await call.getAttribute('href'), 'tel:+4798765432');
  // the video one has none
  assert.equal(await row(ids.video).locator('a[href^="tel:"]').count(), 0);
  await shot('phone');
  await noViolations('the day list with a call link');
});

test('a no-show marked by mistake is undone, back to what it was, focus kept in the row', async () => {
  await row(ids.video).getByRole('button', { name: nb.appt.noShow, exact: true }).click();
  const undo = row(ids.video).getByRole('button', { name: nb.day.undoNoShow });
  await undo.waitFor();
  assert.notEqual(await focusedAction(), 'BODY');
  assert.match(await row(ids.video).textContent(), new RegExp(nb.day.status.no_show));
  await undo.focus();
  await page.keyboard.press('Enter');
  await row(ids.video).getByRole('button', { name: nb.appt.noShow, exact: true }).waitFor();
  assert.equal((await srv.api('GET', `/api/v1/appointments/${ids.video}`, null, 200)).status, 'booked');
  assert.notEqual(await focusedAction(), 'BODY', 'focus is not lost when the row changes');
  const hist = await srv.api('GET', `/api/v1/appointments/${ids.video}/history`, null, 200);
  assert.ok(hist.some(x => x.changes?.status?.old === 'no_show' && x.changes?.status?.new === 'booked'));
  await page.locator('#toast').getByText(nb.day.noShowUndone(nb.day.status.booked)).waitFor();
});

test('the same day list in nynorsk', async () => {
  await page.locator('#lang').selectOption('nn');
  // drawn anew once nynorsk's texts have arrived (lib.js imports them)
  await row(ids.video).getByText(nn.day.status.booked).waitFor();
  await row(ids.video).getByRole('link', { name: nn.day.startVideo }).waitFor();
  await row(ids.phone).getByRole('link', { name: nn.day.call('+47 987 65 432') }).waitFor();
  assert.match(await row(ids.video).textContent(), new RegExp(nn.day.status.booked));
  assert.equal(await page.locator('html').getAttribute('lang'), 'nn');
  await shot('nynorsk');
  await noViolations('the day list in nynorsk');
  await page.locator('#lang').selectOption('nb');
});
