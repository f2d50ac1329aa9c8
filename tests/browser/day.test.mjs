// day.test.mjs - the clinician's day at /, in headless Chromium: a clinician
// logs in and lands on today's list (time, patient's name and age, mode,
// status, room or video room, the others taking part), the appointment under
// way stands out with "Start video" opening the host's link; they mark it
// completed by phone (a video consultation that fell back to phone) and
// correct it.  On another day a patient confirms through their link in a
// second browser and the list shows it at the next poll without losing the
// clinician's place or focus; a poll that finds nothing new is a 304.
// Only their own list, whatever the address says.  The print view of a normal day is one A4 page.  The calendar feed
// is made, fetched (no patient name) and revoked from the page.  A secretary
// opens any clinician's day from the calendar.  axe-core finds no WCAG 2.1
// AA violations; screenshots in tests/browser/screenshots/day-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const pageErrors = [];
const LEGE = ['lege', 'lege-passord-2026'];
const SECRETARY = ['sekretaer', 'sekretaer-passord-2026'];

let srv, browser, page;
let clin1, clin2, room, kari, ola, per, today, later, now;
const ids = {};

// The clinic's date and time now (Europe/Oslo), and minutes of day.
function osloNow() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date()).map(x => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) };
}
const hhmm = m => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

async function book(patient, clinicians, start, minutes, extra = {}) {
  return (await srv.api('POST', '/api/v1/appointments', {
    patient_id: patient, clinician_ids: clinicians, start, duration_minutes: minutes, ...extra,
  }, 201)).id;
}

before(async () => {
  srv = await startServer(['--video-url-template', 'https://meet.example.org/{room}',
    '--video-host-url-template', 'https://host.example.org/moderate/{room}']);
  browser = await launch();
  clin1 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege' }, 201)).id;
  clin2 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Hanne Lie', profession: 'sykepleier' }, 201)).id;
  room = (await srv.api('POST', '/api/v1/rooms', { name: 'Rom 101', kind: 'clinic', location: 'Bygg A' }, 201)).id;
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567', national_id: '15076500565' }, 201)).id;
  ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  per = (await srv.api('POST', '/api/v1/patients', { name: 'Per Annensen', phone: '+4790011223' }, 201)).id;
  await srv.api('POST', '/api/v1/users', { username: LEGE[0], role: 'clinician', clinician_id: clin1, password: LEGE[1] }, 201);
  await srv.api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);

  // today: one video consultation under way (begun at most 30 min ago,
  // never before midnight), for Dr. Solheim with Hanne Lie and the GP
  now = osloNow();
  today = now.date;
  const begin = Math.max(0, Math.floor(now.minute / 15) * 15 - 15);
  ids.ongoing = await book(kari, [clin1, clin2], `${today}T${hhmm(begin)}:00`, Math.min(60, 1440 - begin));
  await srv.api('POST', `/api/v1/appointments/${ids.ongoing}/participants`,
    { name: 'Dr. Fastlege', role: 'gp', organisation: 'Sentrum legekontor', email: 'gp@example.org' }, 201);
  // another clinician's patient the same day: never on Dr. Solheim's list
  ids.foreign = await book(per, [clin2], `${today}T${hhmm(Math.min(begin + 60, 1425))}:00`, 15);

  // a normal day later: twelve appointments 08:00-14:00, one invited
  later = workday(3);
  for (let i = 0; i < 12; i++) {
    const start = `${later}T${hhmm(8 * 60 + i * 30)}:00`;
    const extra = i % 4 === 1 ? { mode: 'in_person', room_id: room } : i % 4 === 3 ? { mode: 'phone' } : {};
    ids[`later${i}`] = await book(i === 5 ? kari : i % 2 ? ola : per, [clin1], start, 30, extra);
  }
  page = await staffPage(browser, pageErrors);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name, full = false) { await page.screenshot({ path: join(shots, `day-${name}.png`), fullPage: full }); }
async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }
const row = id => page.locator(`li.entry[data-id="${id}"]`);

test('a clinician lands on today: the one under way stands out, with Start video as host', async () => {
  await page.goto(srv.base);
  await page.getByLabel(nb.login.username).fill(LEGE[0]);
  await page.getByLabel(nb.login.password).fill(LEGE[1]);
  await page.keyboard.press('Enter');
  await page.locator('#daylist li.entry').first().waitFor();
  assert.match(page.url(), /#\/day$/);
  assert.equal(await page.locator('#nav').isHidden(), true); // one view, no menu
  assert.match(await page.locator('#day-title').textContent(), new RegExp(`^${nb.day.mine}: `));
  const r = row(ids.ongoing);
  assert.equal(await page.locator('li.entry').count(), 1, 'only their own appointments');
  assert.equal(await page.getByText('Per Annensen').count(), 0);
  assert.match(await r.locator('h2').textContent(), /^\d\d:\d\d–\d\d:\d\d Kari Nordmann, \d+ år$/);
  assert.equal(await r.evaluate(el => el.classList.contains('next')), true);
  await r.getByText(nb.day.ongoing).waitFor();
  assert.match(await r.textContent(), /Video/);
  assert.match(await r.textContent(), new RegExp(nb.day.status.booked));
  assert.match(await r.textContent(), new RegExp(nb.day.videoRoom));
  assert.match(await r.locator('ul.others').textContent(), /Hanne Lie/);
  assert.match(await r.locator('ul.others').textContent(), /Dr\. Fastlege \(fastlege, Sentrum legekontor\)/);
  const video = r.getByRole('link', { name: nb.day.startVideo });
  const href = await video.getAttribute('href');
  const appt = await srv.api('GET', `/api/v1/appointments/${ids.ongoing}`, null, 200);
  assert.equal(href, appt.video_host_url);
  assert.equal(href, appt.video_url.replace('https://meet.example.org/', 'https://host.example.org/moderate/'));
  assert.match(href, /^https:\/\/host\.example\.org\/moderate\/[a-z2-7]{26}$/);
  assert.equal(await video.getAttribute('target'), '_blank');
  assert.match(await video.getAttribute('class'), /primary/);
  await shot('clinician');
  await noViolations('clinician day');
});

test('the address cannot show another clinician\'s day to a clinician', async () => {
  await page.goto(`${srv.base}/#/day/${today}?clinician=${clin2}`);
  await row(ids.ongoing).waitFor();
  assert.equal(await page.getByText('Per Annensen').count(), 0);
  const r = await page.evaluate(async id => (await fetch(`/api/v1/clinicians/${id}/day`)).status, clin2);
  assert.equal(r, 403);
});

test('completed by phone, then corrected: the outcome is kept as held_mode', async () => {
  const r = row(ids.ongoing);
  await r.getByRole('button', { name: nb.day.completedPhone }).click();
  await page.getByText(nb.day.markedPhone).waitFor();
  await row(ids.ongoing).getByText(nb.day.heldAs(nb.mode.phone)).waitFor();
  let a = await srv.api('GET', `/api/v1/appointments/${ids.ongoing}`, null, 200);
  assert.equal(a.status, 'completed');
  assert.equal(a.mode, 'video');
  assert.equal(a.held_mode, 'phone');
  assert.equal(await row(ids.ongoing).getByRole('link', { name: nb.day.startVideo }).count(), 0);
  await row(ids.ongoing).getByRole('button', { name: nb.day.wasVideo }).click();
  await page.getByText(nb.day.markedVideo).waitFor();
  await row(ids.ongoing).getByRole('button', { name: nb.day.wasPhone }).waitFor();
  a = await srv.api('GET', `/api/v1/appointments/${ids.ongoing}`, null, 200);
  assert.equal(a.held_mode, 'video');
  await noViolations('after the outcome');
});

test('a patient confirms in another browser: the list shows it at the next poll, place and focus kept', async () => {
  await page.clock.install();
  await page.goto(`${srv.base}/#/day/${today}`);
  await row(ids.ongoing).waitFor();
  // to the later day with the date picker
  await page.getByLabel(nb.cal.date).fill(later);
  await page.locator('#day-title', { hasText: /\d{4}$/ }).waitFor();
  await row(ids.later11).waitFor();
  assert.equal(await page.locator('li.entry').count(), 12);
  const target = row(ids.later5);
  assert.match(await target.textContent(), new RegExp(nb.day.status.booked));
  const { url } = await srv.api('POST', `/api/v1/appointments/${ids.later5}/invitations`, { channels: ['sms'] }, 201);
  await page.clock.fastForward(31000);
  await target.getByText(nb.day.status.invited).waitFor();

  // the clinician's place: scrolled down, focus on a later row's button
  await page.setViewportSize({ width: 1280, height: 500 });
  const focusRow = row(ids.later8);
  await focusRow.scrollIntoViewIfNeeded();
  await focusRow.getByRole('link', { name: nb.day.startVideo }).focus();
  const before = await page.evaluate(() => [window.scrollY, document.activeElement.outerHTML]);
  assert.ok(before[0] > 0, 'scrolled');

  const patient = await (await browser.newContext({ locale: 'nb-NO' })).newPage();
  await patient.goto(url);
  await patient.getByRole('button', { name: 'Bekreft timen' }).click();
  await patient.getByText('Takk! Timen er bekreftet.').waitFor();
  await patient.context().close();

  await page.clock.fastForward(31000);
  await target.getByText(nb.day.status.confirmed).waitFor();

  // a poll that finds nothing new: the page sends the last ETag, the
  // server answers 304 with no body, and the list stays as it was
  const polls = [];
  const seen = r => { if (r.url().includes('/day?')) polls.push(r); };
  page.on('response', seen);
  await page.clock.fastForward(31000);
  for (let i = 0; i < 100 && !polls.length; i++) await new Promise(r => setTimeout(r, 20));
  page.off('response', seen);
  assert.equal(polls.length, 1, 'one poll');
  assert.match(await polls[0].request().headerValue('if-none-match') || '', /^"[0-9a-f]+"$/);
  assert.equal(polls[0].status(), 304);
  await target.getByText(nb.day.status.confirmed).waitFor();
  assert.equal(await page.locator('li.entry').count(), 12);
  const afterIt = await page.evaluate(() => [window.scrollY, document.activeElement.outerHTML]);
  assert.deepEqual(afterIt, before, 'the same place and the same focused button');
  assert.match(await page.locator('#day-live').textContent(), new RegExp(`Kari Nordmann: ${nb.day.status.confirmed}`));
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('print: a normal day is one A4 page', async () => {
  await page.emulateMedia({ media: 'print' });
  await page.locator('#print-head').waitFor();
  assert.match(await page.locator('#print-head').textContent(), /^Dagliste for Dr\. Ingrid Solheim, /);
  assert.equal(await page.locator('.day-actions').first().isVisible(), false);
  await shot('print', true);
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
  assert.equal(pages, 1, 'one A4 page');
  await page.emulateMedia({ media: 'screen' });
});

test('the calendar feed: made, holds no patient name, revoked', async () => {
  await page.getByRole('button', { name: nb.day.feed }).click();
  const dlg = page.getByRole('dialog', { name: nb.feed.title });
  await dlg.getByText(nb.feed.none).waitFor();
  await dlg.getByRole('button', { name: nb.feed.make }).click();
  const input = dlg.getByLabel(nb.feed.address);
  await input.waitFor();
  const url = await input.inputValue();
  assert.match(url, /\/api\/v1\/calendar-feeds\/[A-Za-z0-9_-]{43}\/calendar\.ics$/);
  await shot('feed');
  await noViolations('feed dialog');
  const ics = await (await fetch(url)).text();
  assert.match(ics, /^BEGIN:VCALENDAR/);
  assert.match(ics, /SUMMARY:Videokonsultasjon/);
  assert.match(ics, /LOCATION:Rom 101\\, Bygg A/);
  for (const name of ['Kari', 'Ola', 'Nordmann', 'Annensen', '4791234567', 'meet.example.org'])
    assert.equal(ics.includes(name), false, `${name} is not in the feed`);
  await dlg.getByRole('button', { name: nb.feed.revoke }).click();
  await dlg.getByText(nb.feed.none).waitFor();
  assert.equal((await fetch(url)).status, 404);
  await page.keyboard.press('Escape');
});

test('English', async () => {
  await page.locator('#lang').selectOption('en');
  await page.getByRole('button', { name: TEXTS.en.day.feed }).waitFor();
  assert.match(await page.locator('#day-title').textContent(), /^My day: /);
  await row(ids.later5).getByText(TEXTS.en.day.status.confirmed).waitFor();
  await page.locator('#lang').selectOption('nb');
  await page.getByRole('button', { name: nb.day.feed }).waitFor();
});

test('a secretary opens any clinician\'s day from the calendar', async () => {
  const p = await staffPage(browser, pageErrors);
  await p.goto(srv.base);
  await p.getByLabel(nb.login.username).fill(SECRETARY[0]);
  await p.getByLabel(nb.login.password).fill(SECRETARY[1]);
  await p.keyboard.press('Enter');
  await p.locator('.grid').waitFor();
  await p.goto(`${srv.base}/#/calendar/day/${today}`);
  await p.getByRole('link', { name: nb.cal.openDay('Hanne Lie') }).click();
  await p.locator(`li.entry[data-id="${ids.foreign}"]`).waitFor();
  assert.match(await p.locator('#day-title').textContent(), /^Hanne Lie: /);
  assert.equal(await p.locator(`li.entry[data-id="${ids.ongoing}"]`).count(), 1); // she takes part
  await p.getByLabel(nb.cal.clinician).selectOption(String(clin1));
  await p.locator('#day-title', { hasText: /^Dr\. Ingrid Solheim: / }).waitFor();
  assert.equal(await p.locator(`li.entry[data-id="${ids.foreign}"]`).count(), 0);
  await p.screenshot({ path: join(shots, 'day-secretary.png') });
  assert.deepEqual(await axe(p), [], 'axe: secretary day');
  await p.context().close();
});
