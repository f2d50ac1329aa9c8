// forms.test.mjs - forms that survive and read the Norwegian way, in
// Chromium started in an American (en-US) locale: every staff view's date
// and time fields show dd.mm.åååå and a 24-hour clock (no native date or
// time inputs left, no "11/30/2026", no AM/PM); a booking typed that way
// goes through; a session that runs out in the middle of the booking form
// asks for the password in place, the form still filled beneath, and the
// save goes through after; focus goes back to what opened a dialog after
// saving it; the all-units day at 200 % zoom (640 px wide, twice the
// pixels) has no sideways scrolling of the page and no clipped names.
// axe-core on the log-in-again dialog and the zoomed day; screenshots in
// tests/browser/screenshots/forms-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, workday } from './harness.mjs';
import { login } from './setup_steps.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const pageErrors = [];
const ADMIN = ['kontor', 'kontor-passord-2026'];

let srv, browser, context, page, day, unit1, unit2, clin1, kari;
const dmy = iso => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;

before(async () => {
  srv = await startServer();
  browser = await launch();
  unit1 = (await srv.api('POST', '/api/v1/units', { name: 'Hjertepoliklinikken' }, 201)).id;
  unit2 = (await srv.api('POST', '/api/v1/units', { name: 'Lunge- og allergipoliklinikken' }, 201)).id;
  clin1 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unit1 }, 201)).id;
  const long = ['Overlege Kristoffer Aleksander Haugen-Bjørnstad', 'Spesialsykepleier Marie-Therese Kvernmo',
    'Dr. Oddbjørn Sæther', 'Psykolog Ragnhild Fjellstad-Nilsen'];
  const more = [];
  for (const [i, name] of long.entries())
    more.push((await srv.api('POST', '/api/v1/clinicians', { name, profession: 'lege', unit_id: i % 2 ? unit1 : unit2 }, 201)).id);
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567' }, 201)).id;
  const ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  await srv.api('POST', '/api/v1/users', { username: ADMIN[0], role: 'admin', password: ADMIN[1] }, 201);
  day = workday(5);
  await srv.api('POST', '/api/v1/appointments', { patient_id: ola, clinician_ids: [more[0]], start: `${day}T13:00:00`,
    duration_minutes: 30, mode: 'in_person', room_id: (await srv.api('POST', '/api/v1/rooms', { name: 'Rom 3', kind: 'clinic' }, 201)).id }, 201);
  await srv.api('POST', '/api/v1/appointments', { patient_id: kari, clinician_ids: [more[1]], start: `${day}T14:00:00`,
    duration_minutes: 30 }, 201);
  // an American browser: its own date inputs would say 12/07/2026 and 1:00 PM
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, locale: 'en-US',
    timezoneId: 'America/New_York' });
  page = await context.newPage();
  page.on('pageerror', e => pageErrors.push(e.message));
  await login(page, srv.base, ...ADMIN);
  assert.equal(await page.evaluate(() => navigator.language), 'en-US');
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name, p = page) { await p.screenshot({ path: join(shots, `forms-${name}.png`) }); }

// No native date/time inputs, and nothing on screen written the American way.
async function norwegianOnly(what) {
  const native = await page.locator('input[type=date], input[type=time], input[type=datetime-local], input[type=month], input[type=week]').count();
  assert.equal(native, 0, `${what}: a native date or time input follows the browser's locale`);
  const text = await page.evaluate(() => [document.body.innerText,
    ...[...document.querySelectorAll('input')].map(i => i.value)].join('\n'));
  assert.doesNotMatch(text, /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/, `${what}: a date written m/d/y`);
  assert.doesNotMatch(text, /\b\d{1,2}:\d\d\s?[AP]M\b/i, `${what}: a 12-hour time`);
}

test('in an en-US browser every staff view shows dates dd.mm.åååå and a 24-hour clock', async () => {
  const views = [`#/calendar/day/${day}`, `#/calendar/week/${day}?by=clinician&who=${clin1}`, `#/day/${day}?clinician=${clin1}`,
    '#/queue', '#/admin', '#/admin/hours', '#/admin/audit', '#/stats', '#/admin/accounts'];
  for (const v of views) {
    await page.goto(`${srv.base}/${v}`);
    await page.locator('#main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    await norwegianOnly(v);
  }
  // the toolbars' dates
  await page.goto(`${srv.base}/#/calendar/day/${day}`);
  await page.locator('.col-head').first().waitFor();
  assert.equal(await page.locator('#cal-date').inputValue(), dmy(day));
  await page.goto(`${srv.base}/#/day/${day}?clinician=${clin1}`);
  const dayDate = page.locator('#day-date');
  await dayDate.waitFor();
  assert.equal(await dayDate.inputValue(), dmy(day));
  // typed the Norwegian way, with Enter: the day after
  const next = new Date(`${day}T12:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const nextIso = next.toISOString().slice(0, 10);
  await dayDate.fill(`${Number(nextIso.slice(8, 10))}.${nextIso.slice(5, 7)}.${nextIso.slice(0, 4)}`);
  await dayDate.press('Enter');
  await page.waitForFunction(d => location.hash.startsWith(`#/day/${d}`), nextIso);
  assert.equal(await page.locator('#day-date').inputValue(), dmy(nextIso));
  // something that is not a date goes nowhere and says so
  await page.locator('#day-date').fill('31.02.2026');
  await page.locator('#day-date').press('Enter');
  assert.equal(await page.locator('#day-date').getAttribute('aria-invalid'), '');
  assert.ok((await page.evaluate(() => location.hash)).startsWith(`#/day/${nextIso}`));
  await shot('en-us-day');
});

// The booking form for Kari with Dr. Solheim, filled the Norwegian way.
async function fillBooking(time) {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit1}`);
  await page.locator('.col-head').first().waitFor();
  const opener = page.getByRole('button', { name: nb.cal.book });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('kari');
  await page.getByRole('option', { name: /Kari Nordmann/ }).click();
  await dlg.locator('#bk-chosen').getByText('Kari Nordmann').waitFor();
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(`${Number(day.slice(8, 10))}.${day.slice(5, 7)}.${day.slice(2, 4)}`);
  await dlg.getByLabel(nb.book.time).fill(time.replace(':', ''));
  await dlg.getByLabel(nb.book.time).press('Tab'); // tidied when left
  assert.equal(await dlg.getByLabel(nb.book.date).inputValue(), dmy(day));
  assert.equal(await dlg.getByLabel(nb.book.time).inputValue(), time);
  await dlg.getByRole('checkbox', { name: nb.book.inviteNow }).uncheck();
  await norwegianOnly('the booking form');
  return dlg;
}

const kariAt = async time => (await srv.api('GET', `/api/v1/appointments?patient_id=${kari}&from=${day}&to=${day}`, null, 200))
  .filter(a => a.start.slice(11, 16) === time && a.status !== 'cancelled');

test('a booking typed the Norwegian way goes through; focus goes back to "Ny time"', async () => {
  const dlg = await fillBooking('09:30');
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await dlg.waitFor({ state: 'hidden' });
  assert.equal((await kariAt('09:30')).length, 1);
  await page.locator('.grid .appt', { hasText: 'Kari Nordmann' }).first().waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), nb.cal.book,
    'focus is back on what opened the form');
});

test('after saving in an appointment opened from the calendar, focus goes back to its block', async () => {
  const [a] = await kariAt('09:30');
  const block = page.locator(`.grid .appt[data-id="${a.id}"]`);
  await block.focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog');
  await dlg.getByText(nb.appt.change).click();
  await dlg.getByLabel(nb.book.time).fill('9.45');
  await dlg.getByLabel(nb.book.time).press('Tab');
  assert.equal(await dlg.getByLabel(nb.book.time).inputValue(), '09:45');
  await dlg.getByRole('button', { name: nb.appt.save }).focus();
  await page.keyboard.press('Enter');
  await dlg.getByText(nb.appt.saved).waitFor();
  assert.equal((await kariAt('09:45')).length, 1);
  await page.locator(`.grid .appt[data-id="${a.id}"]`, { hasText: '09:45' }).waitFor(); // drawn anew
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'hidden' });
  // the dialog's close event (a task after the close) moves the focus: wait for it, briefly
  await page.waitForFunction(id => document.activeElement?.dataset?.id === id, String(a.id), { timeout: 2000 })
    .catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.dataset?.id), String(a.id),
    'focus is on the same appointment\'s block, not lost to the page');
});

test('a session that runs out mid-form: log in again in place, the form kept, the save goes through', async () => {
  const dlg = await fillBooking('10:15');
  await context.clearCookies(); // the session is gone, as after the idle timeout
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  const again = page.getByRole('dialog', { name: nb.relogin.title });
  await again.waitFor();
  // the form is still there, filled, under the log-in dialog
  assert.equal(await dlg.getByLabel(nb.book.time).inputValue(), '10:15');
  assert.match(await dlg.locator('#bk-chosen').textContent(), /Kari Nordmann/);
  assert.equal(await again.getByLabel(nb.login.username).inputValue(), ADMIN[0]);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'relogin-password');
  assert.equal((await kariAt('10:15')).length, 0);
  await shot('relogin');
  assert.deepEqual(await axe(page), [], 'axe: the log-in-again dialog');
  // a wrong password is said in the dialog, which stays
  await page.keyboard.type('feil-passord');
  await page.keyboard.press('Enter');
  await again.getByText(nb.login.wrong).waitFor();
  await again.getByLabel(nb.login.password).fill(ADMIN[1]);
  await page.keyboard.press('Enter');
  await again.waitFor({ state: 'hidden' });
  await dlg.waitFor({ state: 'hidden' }); // the booking went through and closed its form
  assert.equal((await kariAt('10:15')).length, 1);
  await page.locator('#toast').getByText(/er booket/).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), nb.cal.book);
});

test('cancelling the log-in leaves the form as it was', async () => {
  const dlg = await fillBooking('11:00');
  await context.clearCookies();
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  const again = page.getByRole('dialog', { name: nb.relogin.title });
  await again.waitFor();
  await page.keyboard.press('Escape');
  await again.waitFor({ state: 'hidden' });
  assert.equal(await dlg.isVisible(), true);
  assert.equal(await dlg.getByLabel(nb.book.time).inputValue(), '11:00');
  await dlg.locator('#bk-problem').getByText(nb.err.unauthenticated).waitFor();
  // trying again asks again, and then it goes through
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await again.waitFor();
  await again.getByLabel(nb.login.password).fill(ADMIN[1]);
  await page.keyboard.press('Enter');
  await dlg.waitFor({ state: 'hidden' });
  assert.equal((await kariAt('11:00')).length, 1);
});

test('the all-units day at 200 % zoom: no sideways scrolling of the page, names not clipped', async () => {
  const zoomed = await browser.newContext({ viewport: { width: 640, height: 900 }, deviceScaleFactor: 2,
    bypassCSP: true, locale: 'nb-NO' });
  const p = await zoomed.newPage();
  p.on('pageerror', e => pageErrors.push(e.message));
  await login(p, srv.base, ...ADMIN);
  await p.goto(`${srv.base}/#/calendar/day/${day}`);
  await p.locator('.col-head').first().waitFor();
  assert.equal(await p.locator('.col-head').count(), 5);
  const overflow = await p.evaluate(() => ({
    doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    body: document.body.scrollWidth - document.body.clientWidth,
  }));
  assert.deepEqual(overflow, { doc: 0, body: 0 }, 'the page itself does not scroll sideways');
  // every column's name can be read whole: not cut off by its box
  const clipped = await p.locator('.col-head a, .col-head > span:first-child').evaluateAll(els => els
    .filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.textContent));
  assert.deepEqual(clipped, [], 'column names are not clipped');
  // the appointments' patient names, likewise (the block may scroll in the grid)
  const names = await p.locator('.grid .appt .line').evaluateAll(els => els
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent));
  assert.deepEqual(names, [], 'names in the blocks are not clipped');
  await shot('zoom-200', p);
  assert.deepEqual(await axe(p), [], 'axe: the all-units day at 200 %');
  await zoomed.close();
});

// Nothing on screen written "null" or "undefined" (a DOM append(null) says
// "null"; a missing text says "undefined").
async function noNullText(what) {
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /\b(null|undefined|NaN)\b/, `${what}: ${text.match(/.{0,40}\b(null|undefined|NaN)\b.{0,40}/)?.[0]}`);
}

test('no view says "null" or "undefined"; phone numbers are spaced as read out', async () => {
  // a consultation by phone and one in the room, on a day that has passed: the outcome buttons show
  const past = new Date(Date.now() - 7 * 86400e3).toISOString().slice(0, 10);
  const phone = await srv.api('POST', '/api/v1/appointments', { patient_id: kari, clinician_ids: [clin1],
    start: `${past}T09:00:00`, duration_minutes: 30, mode: 'phone', override_hours: true }, 201);
  await srv.api('PATCH', `/api/v1/units/${unit1}`, { phone: '+4741430318' }, 200);
  await page.goto(`${srv.base}/#/day/${past}?clinician=${clin1}`);
  const row = page.locator(`li.entry[data-id="${phone.id}"]`);
  await row.getByRole('button', { name: nb.appt.noShow, exact: true }).waitFor();
  const rowText = await row.innerText();
  assert.doesNotMatch(rowText, /null|undefined/, `the row: ${rowText}`);
  assert.equal(await row.locator('a[href^="tel:"]').count(), 0, 'no number to call on a day that has passed');
  await noNullText('the day list of a past day');
  const views = [`#/calendar/day/${day}`, `#/calendar/week/${day}?by=clinician&who=${clin1}`, `#/day/${day}?clinician=${clin1}`,
    '#/queue', '#/admin', '#/admin/hours', '#/admin/audit', '#/stats', '#/admin/accounts', '#/patients?q=Kari',
    '#/waiting', `#/absence?clinician=${clin1}`];
  for (const v of views) {
    await page.goto(`${srv.base}/${v}`);
    await page.locator('#main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    await noNullText(v);
  }
  // the patients list and the units list: "+47 912 34 567", "+47 414 30 318"
  await page.goto(`${srv.base}/#/patients?q=Kari`);
  await page.locator('#main table').getByText('+47 912 34 567').waitFor();
  await page.goto(`${srv.base}/#/admin/units`);
  await page.locator('#main').getByText('+47 414 30 318').waitFor();
  // the appointment: its header's patient line
  await page.goto(`${srv.base}/#/calendar/day/${past}?unit=${unit1}`);
  await page.locator('.grid .appt', { hasText: 'Kari Nordmann' }).first().click();
  const facts = page.getByRole('dialog').locator('dl.facts');
  await facts.getByText('+47 912 34 567', { exact: false }).waitFor();
  await noNullText('the appointment dialog');
  await page.keyboard.press('Escape');
  assert.ok(phone.id);
});

test('nynorsk in an en-US browser: dates in Norwegian, never "Fri, Dec 4"', async () => {
  const nn = TEXTS.nn;
  const english = /\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(day)?\b|\b(January|February|March|April|June|July|August|September|October|November|December)\b|\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b/;
  await page.goto(`${srv.base}/#/calendar/week/${day}?by=clinician&who=${clin1}`);
  await page.locator('#lang').selectOption('nn');
  await page.locator('html[lang="nn"]').waitFor({ state: 'attached' }); // nynorsk's texts have arrived (lib.js)
  try {
    for (const v of [`#/calendar/day/${day}`, `#/calendar/week/${day}?by=clinician&who=${clin1}`, `#/day/${day}?clinician=${clin1}`, '#/stats']) {
      await page.goto(`${srv.base}/${v}`);
      await page.locator('#main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(await page.locator('html').getAttribute('lang'), 'nn');
      const text = await page.evaluate(() => document.body.innerText);
      assert.doesNotMatch(text, english, `${v}: ${text.match(new RegExp(`.{0,30}(${english.source}).{0,30}`))?.[0]}`);
    }
    // the day's heading names the weekday in Norwegian
    await page.goto(`${srv.base}/#/calendar/day/${day}`);
    await page.locator('.col-head').first().waitFor();
    assert.match(await page.locator('#main h1, #main h2').first().innerText(), /(måndag|tysdag|onsdag|torsdag|fredag|laurdag|søndag|mandag|tirsdag|lørdag)/i);
    await shot('nn-en-us');
    assert.ok(nn.app);
  } finally {
    await page.locator('#lang').selectOption('nb');
  }
});
