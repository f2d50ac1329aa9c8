// mistakes.test.mjs - the mistakes the app invited (issue 20), each seen
// failing before and fixed, in headless Chromium: "invite" for a patient
// with no mobile and no e-mail says nothing went out, shows the link to
// copy and a letter to print in the patient's language; a booking in the
// past is asked about first, and an invitation that fails at booking is
// shown where it can be dealt with, not hidden by a success toast; after an
// opt-out the patient's page says what happens next and offers video only
// as a second choice (which keeps the reason in the history), and the
// secretary's main action is re-booking in person; the work queue puts
// failed messages first and says when an invitation counts as unanswered;
// the patient page's main action fits a 360 x 640 phone and shows the
// unit's department, phone and address (set in the units editor with the
// keyboard) in bokmål, nynorsk and English.  axe-core on every changed
// view; screenshots mistakes-*.png in tests/browser/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';
import { login, openSetup } from './setup_steps.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const pageErrors = [];
const SECRETARY = ['sekretaer', 'sekretaer-passord-2026'];
const ADMIN = ['admin2', 'admin-passord-2026-lang'];
const UNIT = { name: 'Hjertepoliklinikken', department: 'Medisinsk klinikk, Ullevål', phone: '+4722118080', address: 'Kirkeveien 166, 0450 Oslo' };

let srv, browser, page, unit, clin, day;

before(async () => {
  // e-mail goes to a port where nobody listens and gives up at once: a
  // failed message for the work queue (SMS stays in the file spool)
  srv = await startServer(['--email-channel', 'smtp', '--smtp-url', 'smtp://127.0.0.1:9', '--smtp-tls', 'none',
    '--mail-from', 'time@sykehuset.example.no', '--delivery-attempts', '1']);
  browser = await launch();
  await srv.api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);
  await srv.api('POST', '/api/v1/users', { username: ADMIN[0], role: 'admin', password: ADMIN[1] }, 201);
  unit = (await srv.api('POST', '/api/v1/units', UNIT, 201)).id;
  clin = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unit }, 201)).id;
  await srv.api('POST', '/api/v1/rooms', { name: 'Rom 101', kind: 'clinic', unit_id: unit, location: 'Bygg A' }, 201);
  day = workday(3);
  page = await staffPage(browser, pageErrors);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.base });
  await login(page, srv.base, ...SECRETARY);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(p, name, fullPage = false) { await p.screenshot({ path: join(shots, `mistakes-${name}.png`), fullPage }); }
async function noViolations(p, what) { assert.deepEqual(await axe(p), [], `axe: ${what}`); }

let n = 0;
async function patient(fields) {
  n += 1;
  return (await srv.api('POST', '/api/v1/patients', { name: `Pasient ${n}`, ...fields }, 201)).id;
}
async function book(patientId, start, extra = {}) {
  return srv.api('POST', '/api/v1/appointments', { patient_id: patientId, clinician_ids: [clin], start, duration_minutes: 30, ...extra }, 201);
}
const token = url => url.split('/i/')[1];
async function asPatient(url, action, body) {
  const r = await fetch(`${srv.base}/api/v1/invite/${token(url)}/${action}`, {
    method: 'POST', headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(r.status, 200);
  return r.json();
}
// The appointment's dialog, opened from the day's calendar.
async function openFromCalendar(name, date = day) {
  await page.goto(`${srv.base}/?load=${Date.now()}#/calendar/day/${date}?unit=${unit}`); // a fresh load: the grid as it is now
  await page.locator('.grid .appt', { hasText: name }).click();
  const dlg = page.getByRole('dialog');
  await dlg.locator('#appt-status').waitFor();
  return dlg;
}
// The patient's page in a phone-sized context of its own.
async function phonePage(url, viewport = { width: 360, height: 640 }) {
  const context = await browser.newContext({ viewport, bypassCSP: true }); // axe is injected
  const pp = await context.newPage();
  pp.on('pageerror', e => pageErrors.push(`patient page: ${e.message}`));
  await pp.goto(url);
  await pp.locator('#card').waitFor();
  return pp;
}
// Whether the element's box lies wholly inside the viewport.
async function inViewport(locator, { width, height }) {
  const b = await locator.boundingBox();
  assert.ok(b, 'the element is shown');
  return b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height;
}

test('texts: the new sections have the same keys in bokmål, nynorsk and English', () => {
  const keys = (o, p = '') => Object.entries(o).flatMap(([k, v]) =>
    (v && typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`])).sort();
  for (const section of ['inv', 'letter']) {
    assert.deepEqual(keys(TEXTS.nn[section]), keys(nb[section]), `nn ${section}`);
    assert.deepEqual(keys(TEXTS.en[section]), keys(nb[section]), `en ${section}`);
  }
});

test('no mobile and no e-mail: "invite" says nothing went out, shows the link to copy and a letter in the patient\'s language', async () => {
  const per = await patient({ name: 'Per Uten Telefon', language: 'en' });
  const a = await book(per, `${day}T10:00:00`);
  const dlg = await openFromCalendar('Per Uten Telefon');
  await dlg.getByRole('button', { name: nb.appt.invite }).click();
  const panel = dlg.locator('#manual');
  await panel.getByRole('heading', { name: nb.inv.manualH }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'manual-h', 'focus goes to what happened');
  assert.match(await panel.textContent(), /Per Uten Telefon har verken mobilnummer eller e-postadresse/);
  const url = await dlg.getByLabel(nb.inv.link).inputValue();
  assert.match(url, /^http:\/\/.+\/i\/[A-Za-z0-9_-]{40,}$/);
  // the truth in the API: not invited, nothing queued, the history says why
  assert.equal((await srv.api('GET', `/api/v1/appointments/${a.id}`, null, 200)).status, 'booked');
  assert.deepEqual(await srv.api('GET', `/api/v1/appointments/${a.id}/messages`, null, 200), []);
  const history = await srv.api('GET', `/api/v1/appointments/${a.id}/history`, null, 200);
  assert.ok(history.some(x => x.action === 'invitation_manual'));
  assert.equal(await dlg.locator('#appt-status').textContent(), `${'○'} ${nb.status.booked}`.replace('○ ', await dlg.locator('#appt-status span[aria-hidden]').textContent()));
  await shot(page, 'manual-invitation');
  await noViolations(page, 'appointment, invitation that went nowhere');
  // copy the link, with the keyboard
  await dlg.getByRole('button', { name: nb.inv.copy }).focus();
  await page.keyboard.press('Enter');
  await page.locator('#toast', { hasText: nb.inv.copied }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  // the letter, in English (the patient's language), with the time, the link and the unit
  await dlg.getByRole('button', { name: nb.inv.letter }).focus();
  await page.keyboard.press('Enter');
  const letter = dlg.locator('#letter');
  await letter.waitFor();
  assert.equal(await letter.getAttribute('lang'), 'en');
  const text = await letter.textContent();
  for (const want of ['Your video appointment', 'To Per Uten Telefon', 'You have an appointment on', '10:00–10:30',
    'Dr. Ingrid Solheim', url, `Questions? Call us on ${UNIT.phone.replace(/^\+47(\d\d)(\d\d)(\d\d)(\d\d)$/, '+47 $1 $2 $3 $4')}.`, UNIT.department, UNIT.address])
    assert.ok(text.includes(want), `the letter has ${want}`);
  assert.match(text, /(Monday|Tuesday|Wednesday|Thursday|Friday),? \d+ \w+ \d{4}/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'letter-print');
  await noViolations(page, 'the letter');
  // printing prints the letter alone
  await page.evaluate(() => { window.printed = []; window.print = () => window.printed.push(document.body.className); });
  await page.keyboard.press('Enter');
  assert.deepEqual(await page.evaluate(() => window.printed), ['printing-letter']);
  await page.waitForFunction(() => !document.body.classList.contains('printing-letter'));
  await page.evaluate(() => { document.body.classList.add('printing-letter'); document.getElementById('manual-letter-box').classList.add('to-print'); });
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'letter-print', true);
  assert.equal(await dlg.getByRole('button', { name: nb.inv.copy }).isVisible(), false, 'only the letter is printed');
  assert.equal(await letter.isVisible(), true);
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => { document.body.classList.remove('printing-letter'); });
  await dlg.getByRole('button', { name: nb.app.close }).click();
});

test('booking: a time that has passed is asked about first; a failed invitation is shown, not a success toast', async () => {
  await patient({ name: 'Kari Fortid', phone: '+4791234567' });
  const yesterday = new Date(Date.now() - 86400e3).toISOString().slice(0, 10);
  await page.goto(`${srv.base}/#/calendar/day/${yesterday}?unit=${unit}`);
  await page.getByRole('button', { name: nb.cal.book }).click();
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('Kari Fortid');
  await page.getByRole('option', { name: /Kari Fortid/ }).click();
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(yesterday);
  await dlg.getByLabel(nb.book.time).fill('10:00');
  assert.equal(await dlg.getByRole('checkbox', { name: nb.book.inviteNow }).isChecked(), true);
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  const problem = dlg.locator('#bk-problem');
  await problem.getByText(nb.inv.pastH).waitFor();
  assert.match(await problem.textContent(), new RegExp(`${yesterday.slice(8, 10)}\\.${yesterday.slice(5, 7)}\\.${yesterday.slice(0, 4)} 10:00`));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-past-go', 'focus on the question');
  assert.equal((await srv.api('GET', `/api/v1/appointments?from=${yesterday}&to=${yesterday}`, null, 200)).length, 0, 'nothing booked yet');
  await shot(page, 'book-past');
  await noViolations(page, 'booking in the past asked');
  // yes: booked; the invitation of a time that is over is refused, and said so
  await page.keyboard.press('Enter');
  const view = page.getByRole('dialog').locator('#appt-view');
  await view.locator('#invite-failed').waitFor();
  assert.match(await view.locator('#invite-failed').textContent(), new RegExp(nb.inv.failedH));
  assert.match(await view.locator('#invite-failed').textContent(), new RegExp(`${nb.err.invalid_transition}.*${nb.inv.failedOver}`));
  assert.match(await view.locator('.notice').textContent(), /Timen for Kari Fortid .* er booket\./);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'invite-failed-h');
  assert.equal(await page.locator('#toast').textContent(), '', 'no success toast over it');
  const made = await srv.api('GET', `/api/v1/appointments?from=${yesterday}&to=${yesterday}`, null, 200);
  assert.equal(made.length, 1);
  assert.equal(made[0].status, 'booked');
  await shot(page, 'book-invite-failed');
  await noViolations(page, 'booking whose invitation failed');
  await page.getByRole('dialog').getByRole('button', { name: nb.app.close }).click();

  // a patient with no channel booked with "invite now": the link, at once
  await patient({ name: 'Ola Uten Kontakt', language: 'nn' });
  await page.goto(`${srv.base}/?load=${Date.now()}#/calendar/day/${day}?unit=${unit}`);
  await page.getByRole('button', { name: nb.cal.book }).click();
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('Ola Uten');
  await page.getByRole('option', { name: /Ola Uten Kontakt/ }).click();
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByLabel(nb.book.time).fill('13:00');
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  const manual = page.getByRole('dialog').locator('#manual');
  await manual.getByRole('heading', { name: nb.inv.manualH }).waitFor();
  await manual.getByRole('button', { name: nb.inv.letter }).click();
  assert.equal(await manual.locator('#letter').getAttribute('lang'), 'nn');
  assert.match(await manual.locator('#letter').textContent(), /Den personlege lenkja di/);
  await page.getByRole('dialog').getByRole('button', { name: nb.app.close }).click();
});

test('opted out: the page says what happens next, video is a second choice that keeps the reason; the secretary re-books first', async () => {
  const kari = await patient({ name: 'Kari Fysisk', phone: '+4791234568', language: 'nb' });
  const a = await book(kari, `${day}T11:00:00`);
  const inv = await srv.api('POST', `/api/v1/appointments/${a.id}/invitations`, null, 201);
  await asPatient(inv.url, 'opt-out', { reason: 'Ingen kamera hjemme', reason_code: 'equipment' });

  // the secretary: re-book in person is the main action, not the video invitation
  const dlg = await openFromCalendar('Kari Fysisk');
  const primaries = await dlg.locator('button.primary').allTextContents();
  assert.ok(primaries.includes(nb.appt.rebookGo), 'rebook is a main action');
  assert.ok(!primaries.some(x => [nb.appt.invite, nb.appt.reinvite, nb.inv.reinviteVideo].includes(x)), 'no main video invitation');
  const again = dlg.locator('#appt-invite');
  assert.equal(await again.textContent(), nb.inv.reinviteVideo);
  assert.equal(await again.getAttribute('aria-describedby'), 'appt-invite-hint');
  await shot(page, 'opted-out-dialog');
  await noViolations(page, 'opted-out appointment');
  await dlg.getByRole('button', { name: nb.app.close }).click();

  // the patient: what happens next first; no "Bekreft timen"
  const pp = await phonePage(inv.url);
  assert.equal(await pp.getByRole('button', { name: 'Bekreft timen' }).count(), 0);
  assert.equal(await pp.locator('#status').textContent(), 'Du har bedt om å møte fysisk.');
  assert.match(await pp.locator('#next').textContent(), /Klinikken tar kontakt med deg om et fysisk møte/);
  assert.ok(await inViewport(pp.locator('#next-text'), { width: 360, height: 640 }), 'what happens next is on the first screen');
  const later = pp.getByRole('button', { name: 'Jeg kan ta timen på video likevel' });
  assert.equal(await later.isVisible(), true);
  assert.doesNotMatch(await later.getAttribute('class'), /primary/);
  assert.ok(await pp.evaluate(() => document.getElementById('next').compareDocumentPosition(document.getElementById('actions')) & Node.DOCUMENT_POSITION_FOLLOWING));
  await shot(pp, 'patient-opted-out', true);
  await noViolations(pp, 'patient page after an opt-out');
  // video after all: confirmed, the reason kept, the queue item closed
  await later.focus();
  await pp.keyboard.press('Enter');
  await pp.getByText('Takk! Timen blir på video som avtalt.').waitFor();
  assert.equal(await pp.locator('#status').textContent(), 'Du har bekreftet timen');
  await shot(pp, 'patient-video-after-all', true);
  await noViolations(pp, 'patient page, video after all');
  await pp.context().close();
  assert.equal((await srv.api('GET', `/api/v1/appointments/${a.id}`, null, 200)).status, 'confirmed');
  const history = await srv.api('GET', `/api/v1/appointments/${a.id}/history`, null, 200);
  const last = history[history.length - 1];
  assert.equal(last.action, 'video_after_all');
  assert.equal(last.changes.opt_out_reason, 'Ingen kamera hjemme');
  assert.equal(last.changes.reason_code, 'equipment');
  const queue = await srv.api('GET', '/api/v1/work-queue', null, 200);
  assert.ok(!queue.some(x => x.appointment.id === a.id), 'the opt-out left the work queue');
});

test('work queue: failed messages first, the appointments by time; a fresh invitation is not yet unanswered', async () => {
  // opted out, tomorrow-ish; a failed e-mail, later; invited just now, soon
  const early = await book(await patient({ name: 'Anne Tidlig', phone: '+4791000001' }), `${day}T08:00:00`);
  const ie = await srv.api('POST', `/api/v1/appointments/${early.id}/invitations`, null, 201);
  await asPatient(ie.url, 'opt-out', {});
  const late = await book(await patient({ name: 'Per Feil', phone: '+4791000002', email: 'per@example.no' }), `${workday(6)}T14:00:00`);
  await srv.api('POST', `/api/v1/appointments/${late.id}/invitations`, null, 201);
  for (let i = 0; i < 100; i++) {
    const m = await srv.api('GET', `/api/v1/appointments/${late.id}/messages`, null, 200);
    if (m.some(x => x.channel === 'email' && x.status === 'failed')) break;
    await new Promise(r => setTimeout(r, 100));
  }
  const soon = await book(await patient({ name: 'Siv Snart', phone: '+4791000003' }), new Date(Date.now() + 20 * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'));
  await srv.api('POST', `/api/v1/appointments/${soon.id}/invitations`, null, 201);

  const q = await srv.api('GET', '/api/v1/work-queue', null, 200);
  assert.equal(q[0].kind, 'message_failed');
  assert.equal(q[0].appointment.id, late.id);
  assert.ok(!q.some(x => x.appointment.id === soon.id), 'invited a moment ago: the patient has had no time yet');
  await page.goto(`${srv.base}/#/queue?unit=${unit}`);
  await page.locator('.q-item.q-message_failed', { hasText: 'Per Feil' }).waitFor();
  await page.locator('.q-item.q-opted_out', { hasText: 'Anne Tidlig' }).waitFor();
  const headings = await page.locator('#queue h2').allTextContents();
  assert.match(headings[0], new RegExp(nb.queue.message_failed));
  assert.match(headings[1], new RegExp(nb.queue.opted_out));
  assert.match(await page.locator('main').textContent(), new RegExp(nb.inv.queueRule.slice(0, 40)));
  await shot(page, 'queue');
  await noViolations(page, 'work queue');

  // re-booked in person from the queue for a patient with no mobile and no
  // e-mail (the link was read out): not "sent", the link and letter instead
  const quiet = await book(await patient({ name: 'Liv Uten Nummer' }), `${day}T09:00:00`);
  const iq = await srv.api('POST', `/api/v1/appointments/${quiet.id}/invitations`, null, 201);
  assert.equal(iq.delivery, 'manual');
  await asPatient(iq.url, 'opt-out', {});
  await page.goto(`${srv.base}/?load=${Date.now()}#/queue?unit=${unit}`);
  const item = page.locator('.q-item.q-opted_out', { hasText: 'Liv Uten Nummer' });
  await item.locator('option', { hasText: nb.rooms.free }).first().waitFor({ state: 'attached' });
  await item.getByLabel(nb.book.room).selectOption({ label: `Rom 101 (Bygg A) – ${nb.rooms.free}` });
  await item.getByRole('button', { name: nb.appt.rebookGo }).click();
  const manual = page.getByRole('dialog').locator('#manual');
  await manual.getByRole('heading', { name: nb.inv.manualH }).waitFor();
  assert.doesNotMatch(await page.locator('#toast').textContent(), /sendt/);
  const now = await srv.api('GET', `/api/v1/appointments/${quiet.id}`, null, 200);
  assert.equal(now.mode, 'in_person');
  assert.equal(now.status, 'booked');
  await page.getByRole('dialog').getByRole('button', { name: nb.app.close }).click();
});

test('units: department, phone and address set in the units editor with the keyboard; bad input said at the field', async () => {
  const admin = await staffPage(browser, pageErrors);
  await login(admin, srv.base, ...ADMIN);
  await openSetup(admin, 'units');
  const row = admin.locator('#units-list tr', { hasText: UNIT.name });
  await row.locator('td', { hasText: UNIT.department }).waitFor();
  await row.getByRole('button', { name: nb.admin.editName(UNIT.name) }).focus();
  await admin.keyboard.press('Enter');
  const dlg = admin.getByRole('dialog');
  const dept = dlg.getByLabel(nb.inv.f.units.department);
  await dept.focus();
  await admin.keyboard.press('Control+A');
  await admin.keyboard.type('Hjerteavdelingen');
  await admin.keyboard.press('Tab');
  assert.equal(await admin.evaluate(() => document.activeElement.id), 'units-phone');
  await admin.keyboard.press('Control+A');
  await admin.keyboard.type('ring oss');
  await admin.keyboard.press('Tab');
  await admin.keyboard.press('Control+A');
  await admin.keyboard.type('Ullevål sykehus, bygg 3');
  await admin.keyboard.press('Enter');
  await dlg.locator('#units-phone-error').filter({ hasText: nb.inv.unit.bad.phone }).waitFor(); // in the user's words, not a mobile's
  assert.equal(await admin.evaluate(() => document.activeElement.id), 'units-phone', 'focus on the field to mend');
  assert.equal((await srv.api('GET', `/api/v1/units/${unit}`, null, 200)).department, UNIT.department, 'nothing changed');
  await shot(admin, 'unit-bad-phone');
  await noViolations(admin, 'unit form with an error');
  await admin.keyboard.press('Control+A');
  await admin.keyboard.type('22 11 80 81');
  await admin.keyboard.press('Enter');
  await dlg.waitFor({ state: 'hidden' });
  const u = await srv.api('GET', `/api/v1/units/${unit}`, null, 200);
  assert.equal(u.department, 'Hjerteavdelingen');
  assert.equal(u.address, 'Ullevål sykehus, bygg 3');
  assert.match(u.phone, /^(\+47)?22118081$/);
  await row.locator('td', { hasText: 'Hjerteavdelingen' }).waitFor();
  await shot(admin, 'units');
  await noViolations(admin, 'units list');
  // back as it was, for the patient pages
  await srv.api('PATCH', `/api/v1/units/${unit}`, { department: UNIT.department, phone: UNIT.phone, address: UNIT.address }, 200);
  await admin.context().close();
});

for (const [lang, confirm, join, contact, call] of [
  ['nb', 'Bekreft timen', 'Gå til videotimen', 'Kontakt klinikken', 'Telefon:'],
  ['nn', 'Stadfest timen', 'Gå til videotimen', 'Kontakt klinikken', 'Telefon:'],
  ['en', 'Confirm the appointment', 'Join the video appointment', 'Contact the clinic', 'Phone:'],
]) {
  test(`patient page on a 360 x 640 phone (${lang}): the main action without scrolling, the clinic's phone, address and department`, async () => {
    const p = await patient({ name: `Telefon ${lang}`, phone: `+4792${String(n).padStart(6, '0')}`, language: lang });
    const a = await book(p, `${workday(4)}T${String(8 + n % 8).padStart(2, '0')}:30:00`);
    const inv = await srv.api('POST', `/api/v1/appointments/${a.id}/invitations`, null, 201);
    const pp = await phonePage(inv.url);
    const vp = { width: 360, height: 640 };
    const main = pp.getByRole('button', { name: confirm, exact: true });
    assert.ok(await inViewport(main, vp), `"${confirm}" is on the first screen`);
    const box = pp.locator('#contact');
    assert.equal(await box.getByRole('heading').textContent(), contact);
    assert.match(await box.textContent(), new RegExp(`${UNIT.department}, ${UNIT.name}`));
    assert.match(await box.textContent(), new RegExp(call));
    assert.equal(await box.getByRole('link', { name: UNIT.phone }).getAttribute('href'), `tel:${UNIT.phone}`);
    assert.match(await box.textContent(), new RegExp(UNIT.address));
    assert.ok((await pp.locator('#next-text').textContent()).length > 20, 'what happens next');
    await shot(pp, `patient-phone-${lang}`);
    await shot(pp, `patient-phone-${lang}-full`, true);
    await noViolations(pp, `patient page on a phone (${lang})`);
    // confirmed: the video room is the main action now
    await main.click();
    await pp.locator('#status.confirmed').waitFor();
    assert.ok(await inViewport(pp.getByRole('link', { name: join }).or(pp.locator('#join')), vp), 'the video room is on the first screen');
    await shot(pp, `patient-phone-confirmed-${lang}`);
    await noViolations(pp, `patient page confirmed (${lang})`);
    await pp.context().close();
  });
}
