// poll.test.mjs - polls that cost nothing (issue 23), in headless Chromium:
// the secretary's calendar refreshes every minute and the clinician's list
// every 30 s, each sending the last answer's ETag.  A poll that finds
// nothing new is a 304 with no body and redraws nothing (the same elements
// stay; on the calendar only the line for now moves); after a change by
// someone else the next poll is a 200 with a new tag and the page shows the
// change.  axe-core on both views; screenshots poll-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, staffPage, osloNow, hhmm } from './harness.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const pageErrors = [];
const LEGE = ['lege', 'lege-passord-2026'];
const SECRETARY = ['sekretaer', 'sekretaer-passord-2026'];

let srv, browser, page, clin, other, kari, ola, today, first;

async function book(patient, start, clinician = clin) {
  return (await srv.api('POST', '/api/v1/appointments', {
    patient_id: patient, clinician_ids: [clinician], start, duration_minutes: 15,
  }, 201)).id;
}

before(async () => {
  srv = await startServer();
  browser = await launch();
  clin = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege' }, 201)).id;
  other = (await srv.api('POST', '/api/v1/clinicians', { name: 'Hanne Lie', profession: 'sykepleier' }, 201)).id;
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567' }, 201)).id;
  ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  await srv.api('POST', '/api/v1/users', { username: LEGE[0], role: 'clinician', clinician_id: clin, password: LEGE[1] }, 201);
  await srv.api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);
  today = osloNow().date;
  // today in the clinic's time, and nothing about it changes while the
  // polls move the page's clock on (a row is drawn again when it begins,
  // ends or stops being the next): half an hour or more ahead, or, late in
  // the evening, at 01:00, long over (once it was booked around now, and
  // the list failed when the test ran in the last half minute of it)
  const now = osloNow().minute, ahead = now - now % 15 + 45;
  const at = ahead + 15 <= 23 * 60 ? ahead : 60;
  first = await book(kari, `${today}T${hhmm(at)}:00`);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }

async function logIn(who) {
  page = await staffPage(browser, pageErrors);
  await page.clock.install();
  await page.goto(srv.base);
  await page.getByLabel(nb.login.username).fill(who[0]);
  await page.getByLabel(nb.login.password).fill(who[1]);
  await page.keyboard.press('Enter');
}

// The answers to GETs whose URL holds part while fn runs (after the page's
// clock moved on by ms); waits for the first of them.
async function pollsDuring(part, ms) {
  const polls = [];
  const seen = r => { if (r.url().includes(part) && r.request().method() === 'GET') polls.push(r); };
  page.on('response', seen);
  await page.clock.fastForward(ms);
  for (let i = 0; i < 200 && !polls.length; i++) await new Promise(r => setTimeout(r, 20));
  await new Promise(r => setTimeout(r, 100)); // the answer's handling
  page.off('response', seen);
  assert.equal(polls.length, 1, `one poll of ${part}`);
  return polls[0];
}

// Marks every element of sel, to tell later whether it was drawn again.
const mark = sel => page.$$eval(sel, els => els.forEach(e => { e.__kept = true; }));
const kept = sel => page.$$eval(sel, els => els.length > 0 && els.every(e => e.__kept === true));

test('the calendar: a poll that finds nothing new is a 304 and redraws nothing; a change is a 200 and shown', async () => {
  await logIn(SECRETARY);
  await page.goto(`${srv.base}/#/calendar/day/${today}`);
  const block = page.locator(`button.appt[data-id="${first}"]`);
  await block.waitFor();
  await mark('#board .grid, #board button.appt');
  const before = await page.locator('#board').innerHTML();

  const quiet = await pollsDuring('/api/v1/appointments/board?', 61000);
  const tag = await quiet.request().headerValue('if-none-match');
  assert.match(tag || '', /^"[0-9a-f]{24}"$/);
  assert.equal(quiet.status(), 304);
  assert.equal(await kept('#board .grid, #board button.appt'), true, 'nothing drawn again');
  // only the line for now may have moved
  const strip = html => html.replace(/<div class="now"[^>]*><\/div>/g, '');
  assert.equal(strip(await page.locator('#board').innerHTML()), strip(before));

  // someone else books: the next poll is a 200 with a new tag, and it shows
  // (for the other clinician: between 00:00 and 01:00 the time below is
  // 00:15-00:30, and in the clinician's own list the row would be drawn
  // again when the next test's clock passed its end)
  const second = await book(ola, `${today}T${hhmm(Math.min(Math.max(osloNow().minute, 60), 22 * 60) - 45)}:00`, other);
  const changed = await pollsDuring('/api/v1/appointments/board?', 61000);
  assert.equal(changed.status(), 200);
  assert.notEqual(await changed.headerValue('etag'), tag);
  await page.locator(`button.appt[data-id="${second}"]`).waitFor();
  await block.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, 'poll-calendar.png') });
  await noViolations('the calendar after polls');
  await page.context().close();
});

test('the clinician\'s list: a 304 keeps every row; a cancel by the secretary is a 200 and shown', async () => {
  await logIn(LEGE);
  const row = id => page.locator(`li.entry[data-id="${id}"]`);
  await row(first).waitFor();
  await mark('#daylist li.entry');

  const quiet = await pollsDuring('/day?', 31000);
  const tag = await quiet.request().headerValue('if-none-match');
  assert.match(tag || '', /^"[0-9a-f]{24}"$/);
  assert.equal(quiet.status(), 304);
  assert.equal(await kept('#daylist li.entry'), true, 'no row drawn again');

  await srv.api('DELETE', `/api/v1/appointments/${first}`, null, 200);
  const changed = await pollsDuring('/day?', 31000);
  assert.equal(changed.status(), 200);
  assert.notEqual(await changed.headerValue('etag'), tag);
  await row(first).getByText(nb.day.status.cancelled).waitFor();
  await page.screenshot({ path: join(shots, 'poll-day.png'), fullPage: true });
  await noViolations('the day list after polls');
  await page.context().close();
});
