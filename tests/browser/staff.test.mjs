// staff.test.mjs - the secretary's app at /, in headless Chromium: log in,
// book from the form (patient found as you type, keyboard only), meet a
// conflict (the appointment in the way is named; the form keeps what was
// typed), send the invitation, open the patient's link (read from the
// spooled SMS) in a second browser context and opt out, see it in the work
// queue, re-book in person with a room and re-invite in one click; a stale
// edit (412) explained with a reload; a failed message marked handled; the
// week view; English.  axe-core finds no WCAG 2.1 AA violations on any
// view; screenshots of each view in tests/browser/screenshots/.  Also
// measures the day view with 20 clinicians and 60 appointments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';

const TEXTS = await loadTexts();
const pageErrors = [];

let srv, browser, context, page;
const SECRETARY = ['sekretaer', 'sekretaer-passord-2026'];
let day, unit, clin1, clin2, room, kari, ola;

before(async () => {
  // e-mail goes to a port where nobody listens, and gives up at once: a
  // failed message for the work queue (SMS stays in the file spool)
  srv = await startServer(['--email-channel', 'smtp', '--smtp-url', 'smtp://127.0.0.1:9', '--smtp-tls', 'none',
    '--mail-from', 'time@sykehuset.example.no', '--delivery-attempts', '1']);
  browser = await launch();
  await srv.api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);
  unit = (await srv.api('POST', '/api/v1/units', { name: 'Medisinsk poliklinikk' }, 201)).id;
  clin1 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unit }, 201)).id;
  clin2 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Hanne Lie', profession: 'sykepleier', unit_id: unit }, 201)).id;
  room = (await srv.api('POST', '/api/v1/rooms', { name: 'Rom 101', kind: 'clinic', unit_id: unit, location: 'Bygg A' }, 201)).id;
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567', language: 'nb' }, 201)).id;
  ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  day = workday(3);
  page = await staffPage(browser, pageErrors);
  context = page.context();
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

const nb = TEXTS.nb;
async function shot(name) { await page.screenshot({ path: join(shots, `staff-${name}.png`), fullPage: false }); }
async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }

// The patient's link in the newest spooled SMS to phone.
function spooledLink(phone) {
  const spool = join(srv.dir, 't.db.outbox');
  const sms = readdirSync(spool).filter(f => f.endsWith('-sms.json')).sort().reverse();
  for (const f of sms) {
    const m = JSON.parse(readFileSync(join(spool, f), 'utf8'));
    if (m.to === phone) return m.body.match(/https?:\/\/\S+\/i\/[A-Za-z0-9_-]+/)[0];
  }
  throw new Error(`no SMS to ${phone}`);
}

test('texts: both languages have the same keys', () => {
  const keys = (o, p = '') => Object.entries(o).flatMap(([k, v]) =>
    (v && typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`])).sort();
  assert.deepEqual(keys(TEXTS.en), keys(TEXTS.nb));
});

test('log in: wrong password is said plainly; then the calendar, who and role', async () => {
  await page.goto(srv.base);
  await page.getByLabel(nb.login.username).fill(SECRETARY[0]);
  await page.getByLabel(nb.login.password).fill('wrong');
  await page.getByRole('button', { name: nb.login.submit }).click();
  await page.getByText(nb.login.wrong).waitFor();
  await shot('login');
  await noViolations('login');
  await page.getByLabel(nb.login.password).fill(SECRETARY[1]);
  await page.keyboard.press('Enter');
  await page.locator('.grid').waitFor();
  assert.equal(await page.locator('#user').textContent(), 'sekretaer (helsesekretær)');
  assert.match(await page.locator('#cal-title').textContent(), /\d{4}$/);
});

test('book from the form with the keyboard; a conflict names what is in the way', async () => {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.locator('.col-head').first().waitFor();
  assert.equal(await page.locator('.col-head').count(), 2);
  await shot('day-empty');
  await page.getByRole('button', { name: nb.cal.book }).click();
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  // the patient: typed, found, chosen with arrow and Enter
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('nordm');
  await page.getByRole('option', { name: /Kari Nordmann/ }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-chosen').getByText('Kari Nordmann').waitFor();
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByLabel(nb.book.time).fill('09:00');
  assert.equal(await dlg.getByRole('radio', { name: nb.mode.video }).isChecked(), true); // video first
  await dlg.getByRole('checkbox', { name: nb.book.inviteNow }).uncheck();
  await shot('book-form');
  await noViolations('booking form');
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await dlg.waitFor({ state: 'hidden' });
  const block = page.locator('.grid .appt', { hasText: 'Kari Nordmann' });
  await block.waitFor();
  // its accessible name: the visible text first, then the rest (WCAG 2.5.3)
  await page.getByRole('button', { name: /^09:00 Kari Nordmann ?, til 09:30, Video, Ikke invitert, Dr\. Ingrid Solheim$/ }).waitFor();
  const list = await srv.api('GET', `/api/v1/appointments?from=${day}&to=${day}`, null, 200);
  assert.equal(list.length, 1);
  assert.equal(list[0].mode, 'video');

  // the same clinician at 09:15 for Ola: refused, and the form keeps it all
  await page.getByRole('button', { name: nb.cal.book }).click();
  await dlg.waitFor();
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('Ola');
  await page.getByRole('option', { name: /Ola Nordmann/ }).click();
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByLabel(nb.book.time).fill('09:15');
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  const problem = dlg.locator('#bk-problem');
  await problem.getByText(nb.book.conflict).waitFor();
  assert.match(await problem.textContent(), /Dr\. Ingrid Solheim har allerede en time .*09:00–09:30/);
  assert.equal(await dlg.getByLabel(nb.book.time).inputValue(), '09:15');
  assert.match(await dlg.locator('#bk-chosen').textContent(), /Ola Nordmann/);
  await shot('book-conflict');
  await noViolations('booking conflict');
  // next free time for the chosen clinician (no hours set: none to offer)
  await dlg.getByRole('button', { name: nb.book.nextFree }).click();
  await dlg.getByText(nb.book.noSlots).waitFor();
  // move on to 09:30 (touching, not overlapping) and book
  await dlg.getByLabel(nb.book.time).fill('09:30');
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await dlg.waitFor({ state: 'hidden' });
  assert.equal((await srv.api('GET', `/api/v1/appointments?from=${day}&to=${day}`, null, 200)).length, 2);
});

test('invite, the patient opts out in another browser, the queue shows it, re-book in person', async () => {
  await page.locator('.grid .appt', { hasText: 'Kari Nordmann' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByRole('button', { name: nb.appt.invite }).click();
  await dlg.getByText(nb.appt.invited).waitFor();
  await dlg.locator('table.messages').waitFor();
  await shot('appointment');
  await noViolations('appointment');
  await dlg.getByRole('button', { name: nb.app.close }).click();

  // the patient, on their phone, with the link from the SMS
  const link = spooledLink('+4791234567');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const pp = await phone.newPage();
  await pp.goto(link);
  await pp.getByRole('button', { name: 'Jeg vil heller møte fysisk' }).click();
  await pp.getByLabel('Fortell gjerne mer (frivillig)').fill('Ustabilt nett hjemme');
  await pp.getByRole('button', { name: 'Send ønsket om å møte fysisk' }).click();
  await pp.getByText(/Takk! Vi har fått ønsket ditt/).waitFor();
  await phone.close();

  // the secretary's queue: counted in the menu, listed with the reason
  await page.goto(`${srv.base}/#/queue`);
  const item = page.locator('.q-item.q-opted_out', { hasText: 'Kari Nordmann' });
  await item.waitFor();
  assert.match(await item.textContent(), /Ustabilt nett hjemme/);
  assert.equal(await page.locator('#queue-count').textContent(), '1');
  assert.equal(await page.locator('#q-more').count(), 0); // every item counted is shown
  await shot('queue');
  await noViolations('work queue');
  // re-book in person: a room, one click (and the invitation goes again)
  // the appointment says what the patient answered, and when
  await item.locator('.q-open').click();
  const view = page.getByRole('dialog');
  assert.match(await view.locator('#appt-answer').textContent(), /^Ba om fysisk oppmøte \(.+ \d\d:\d\d\)$/);
  await view.getByRole('button', { name: nb.app.close }).click();
  await item.getByRole('button', { name: nb.appt.rebookGo }).click();
  await page.getByText(nb.book.needRoom).waitFor(); // no room chosen yet
  await item.locator('option', { hasText: nb.rooms.free }).first().waitFor({ state: 'attached' }); // which rooms are free then
  await item.getByLabel(nb.book.room).selectOption({ label: `Rom 101 (Bygg A) – ${nb.rooms.free}` });
  await item.getByRole('button', { name: nb.appt.rebookGo }).click();
  await page.locator('.q-item.q-opted_out').waitFor({ state: 'detached' });
  await page.getByText(nb.queue.empty).waitFor();
  const [a] = (await srv.api('GET', `/api/v1/appointments?patient_id=${kari}`, null, 200));
  assert.equal(a.mode, 'in_person');
  assert.equal(a.room_id, room);
  assert.equal(a.status, 'invited');
  const msgs = await srv.api('GET', `/api/v1/appointments/${a.id}/messages`, null, 200);
  assert.equal(msgs.filter(m => m.kind === 'invitation').length, 2);
  await shot('queue-done');
});

test('a stale edit is explained and offers a reload', async () => {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.locator('.grid .appt', { hasText: 'Ola Nordmann' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.getByText(nb.appt.change).click();
  // meanwhile, someone else changes it
  const [a] = (await srv.api('GET', `/api/v1/appointments?patient_id=${ola}`, null, 200));
  await srv.api('PATCH', `/api/v1/appointments/${a.id}`, { clinician_ids: [clin1, clin2] }, 200);
  await dlg.getByLabel(nb.book.time).fill('10:00');
  await dlg.getByRole('button', { name: nb.appt.save }).click();
  await dlg.getByText(nb.appt.stale).waitFor();
  await shot('stale');
  await dlg.getByRole('button', { name: nb.appt.reload }).click();
  await dlg.getByText(nb.appt.reloaded).waitFor();
  assert.match(await dlg.locator('.facts').textContent(), /Dr\. Ingrid Solheim, Hanne Lie/);
  // now it saves
  await dlg.getByText(nb.appt.change).click();
  await dlg.getByLabel(nb.book.time).fill('10:00');
  await dlg.getByRole('button', { name: nb.appt.save }).click();
  await dlg.getByText(nb.appt.saved).waitFor();
  assert.match((await srv.api('GET', `/api/v1/appointments/${a.id}`, null, 200)).start, /T10:00:00/);
  // cancel with a reason
  await dlg.getByText(nb.appt.cancel, { exact: true }).first().click();
  await dlg.getByLabel(nb.appt.cancelReason).fill('Behandler syk');
  await dlg.locator('#appt-cancel').click();
  await dlg.getByText(nb.appt.cancelled).waitFor();
  const gone = await srv.api('GET', `/api/v1/appointments/${a.id}`, null, 200);
  assert.equal(gone.status, 'cancelled');
  assert.equal(gone.status_reason, 'Behandler syk');
  await dlg.getByRole('button', { name: nb.app.close }).click();
});

test('a failed message waits in the queue until marked handled', async () => {
  const per = (await srv.api('POST', '/api/v1/patients', { name: 'Per Feil', phone: '+4790000001', email: 'per@example.no' }, 201)).id;
  const a = await srv.api('POST', '/api/v1/appointments', { patient_id: per, clinician_ids: [clin2], start: `${day}T13:00:00`, duration_minutes: 30 }, 201);
  await srv.api('POST', `/api/v1/appointments/${a.id}/invitations`, null, 201);
  for (let i = 0; i < 100; i++) {
    const m = await srv.api('GET', `/api/v1/appointments/${a.id}/messages`, null, 200);
    if (m.some(x => x.channel === 'email' && x.status === 'failed')) break;
    await new Promise(r => setTimeout(r, 100));
  }
  await page.goto(`${srv.base}/#/queue?unit=${unit}`);
  const item = page.locator('.q-item.q-message_failed', { hasText: 'Per Feil' });
  await item.waitFor();
  assert.match(await item.textContent(), /E-post feilet/);
  await shot('queue-failed');
  await noViolations('work queue, failed message');
  await item.getByRole('button', { name: nb.appt.markHandled }).click();
  await item.waitFor({ state: 'detached' });
  const m = await srv.api('GET', `/api/v1/appointments/${a.id}/messages`, null, 200);
  assert.equal(m.find(x => x.channel === 'email').handled_by, SECRETARY[0]);
});

// The secretary's log-in sent from page p's login form (not waited for).
async function submitLogIn(p) {
  await p.goto(srv.base);
  await p.getByLabel(nb.login.username).fill(SECRETARY[0]);
  await p.getByLabel(nb.login.password).fill(SECRETARY[1]);
  await p.getByRole('button', { name: nb.login.submit }).click();
}

test('an address chosen while the app starts is drawn once, with the directory', async () => {
  // the directory is slow to come: the secretary goes to the queue meanwhile
  const p = await staffPage(browser, pageErrors);
  try {
    await p.route('**/api/v1/units?active=true*', async route => {
      await new Promise(r => setTimeout(r, 700));
      await route.continue();
    });
    await submitLogIn(p);
    await p.locator('#logout').waitFor();
    await p.goto(`${srv.base}/#/queue`);
    await p.locator('#q-unit').waitFor();
    await p.$eval('#q-unit', e => { e.__first = true; });
    await new Promise(r => setTimeout(r, 1000)); // the directory has come: no second drawing
    assert.equal(await p.$eval('#q-unit', e => e.__first === true), true, 'drawn once');
    assert.ok(await p.locator('#q-unit option', { hasText: 'Medisinsk poliklinikk' }).count() === 1, 'with the units');
  } finally {
    await p.context().close();
  }
});

test('logging out while the app starts is a plain log-out, not a lapsed session', async () => {
  const p = await staffPage(browser, pageErrors);
  try {
    // the directory reaches the server after the log-out, and its 401 the
    // page before the log-out's own answer does
    await p.route('**/api/v1/units?active=true*', async route => {
      await new Promise(r => setTimeout(r, 300));
      await route.continue();
    });
    await p.route('**/api/v1/session', async route => {
      if (route.request().method() !== 'DELETE') return route.continue();
      const answer = await route.fetch();
      await new Promise(r => setTimeout(r, 800));
      return route.fulfill({ response: answer });
    });
    await submitLogIn(p);
    await p.locator('#logout').click(); // the directory is still on its way
    await p.getByText(nb.login.out).waitFor();
    await new Promise(r => setTimeout(r, 1000)); // the directory's 401 has come back
    assert.equal(await p.locator('dialog[open]').count(), 0, 'no log-in-again dialog');
    assert.ok(await p.getByText(nb.login.out).isVisible());
    assert.ok(await p.locator('#username').isVisible());
  } finally {
    await p.context().close();
  }
});

test('a queue longer than the page says how much is left out', async () => {
  // more items than a page holds (5,000) is too many to make here: the
  // count is answered larger than the list for this one load
  await page.route('**/api/v1/work-queue/count*', route => route.fulfill({ json: { count: 6001 } }));
  try {
    await page.goto(`${srv.base}/#/calendar`);
    await page.goto(`${srv.base}/#/queue?unit=${unit}`);
    await page.locator('#q-more').waitFor();
    const shown = await srv.api('GET', `/api/v1/work-queue?unit_id=${unit}`, null, 200);
    assert.equal(await page.locator('#q-more').textContent(), nb.queue.more(shown.length, 6001));
  } finally {
    await page.unroute('**/api/v1/work-queue/count*');
  }
});

test('a new patient inline, and the next free time of a clinician with hours', async () => {
  await srv.api('PUT', `/api/v1/clinicians/${clin2}/hours`,
    [1, 2, 3, 4, 5].map(weekday => ({ weekday, start: '08:00', end: '16:00' })), 200);
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.getByRole('button', { name: nb.cal.book }).click();
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.getByRole('button', { name: nb.book.newPatient }).click();
  await dlg.getByLabel(nb.patient.name).fill('Nina Ny');
  await dlg.getByLabel(nb.patient.phone).fill('12345');
  await dlg.getByRole('button', { name: nb.book.savePatient }).click();
  await dlg.locator('#np-phone-error').getByText(nb.fielderr.invalid.phone).waitFor(); // a clear error, at the field, in bokmål
  await dlg.getByLabel(nb.patient.phone).fill('+4791112223');
  await dlg.getByRole('button', { name: nb.book.savePatient }).click();
  await dlg.locator('#bk-chosen').getByText('Nina Ny').waitFor();
  await dlg.getByRole('checkbox', { name: /Hanne Lie/ }).check();
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByRole('button', { name: nb.book.nextFree }).click();
  const first = dlg.locator('.slot-list button').first();
  await first.waitFor();
  await first.click();
  assert.match(await dlg.getByLabel(nb.book.time).inputValue(), /^(0[89]|1[0-5]):[0-5][05]$/);
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await dlg.waitFor({ state: 'hidden' });
  const [p] = await srv.api('GET', '/api/v1/patients?q=Nina', null, 200);
  const [a] = await srv.api('GET', `/api/v1/appointments?patient_id=${p.id}`, null, 200);
  assert.equal(a.status, 'invited'); // the invitation went at once
  assert.deepEqual(a.clinician_ids, [clin2]);
});

test('today has the line for now', async () => {
  await page.goto(`${srv.base}/#/calendar/day/${new Date().toISOString().slice(0, 10)}?unit=${unit}`);
  await page.getByRole('button', { name: nb.cal.today }).click();
  await page.locator('.grid .col').first().waitFor();
  assert.equal(await page.locator('.grid .now').count(), await page.locator('.grid .col').count());
});

test('week view, rooms, English', async () => {
  await page.goto(`${srv.base}/#/calendar/week/${day}?unit=${unit}&who=${clin1}&cancelled=1`);
  await page.locator('.col-head').nth(6).waitFor();
  assert.equal(await page.locator('.col-head').count(), 7);
  assert.ok(await page.locator('.appt.status-cancelled').count() >= 1);
  await shot('week');
  await noViolations('week');
  await page.goto(`${srv.base}/#/calendar/day/${day}?by=room`);
  await page.locator('.col-head', { hasText: 'Rom 101' }).waitFor();
  assert.equal(await page.locator('.grid .appt', { hasText: 'Kari Nordmann' }).count(), 1);
  await page.selectOption('#lang', 'en');
  await page.getByRole('button', { name: 'New appointment' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await shot('day-rooms-en');
  await noViolations('rooms, English');
  await page.selectOption('#lang', 'nb');
});

test('day view with 20 clinicians and 60 appointments: readable, and how fast', async () => {
  const big = (await srv.api('POST', '/api/v1/units', { name: 'Stor poliklinikk' }, 201)).id;
  const ids = [];
  for (let i = 0; i < 20; i++)
    ids.push((await srv.api('POST', '/api/v1/clinicians', { name: `Behandler ${String(i + 1).padStart(2, '0')} Hansen`, profession: 'lege', unit_id: big }, 201)).id);
  const pats = [];
  for (let i = 0; i < 60; i++)
    pats.push((await srv.api('POST', '/api/v1/patients', { name: `Pasient ${i + 1} Olsen`, phone: `+47920${String(i).padStart(5, '0')}` }, 201)).id);
  const rooms = [];
  for (let i = 0; i < 5; i++)
    rooms.push((await srv.api('POST', '/api/v1/rooms', { name: `Rom ${201 + i}`, kind: 'clinic', unit_id: big }, 201)).id);
  const modes = ['video', 'video', 'in_person', 'phone'];
  for (let i = 0; i < 60; i++) {
    const slot = Math.floor(i / 20), mode = modes[i % 4];
    await srv.api('POST', '/api/v1/appointments', {
      patient_id: pats[i], clinician_ids: [ids[i % 20]], duration_minutes: 45, mode,
      start: `${day}T${String(8 + slot * 2).padStart(2, '0')}:${i % 2 ? '30' : '00'}:00`,
      ...(mode === 'in_person' ? { room_id: rooms[Math.floor(i / 4) % 5] } : {}),
    }, 201);
  }
  const times = [];
  for (let k = 0; k < 5; k++) {
    await page.goto('about:blank');
    const t0 = Date.now();
    await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${big}`);
    await page.locator('.col-head').nth(19).waitFor();
    await page.locator('#board[data-rendered]').waitFor();
    times.push({ total: Date.now() - t0, draw: Number(await page.getAttribute('#board', 'data-rendered')) });
  }
  assert.equal(await page.locator('.col-head').count(), 20);
  const shown = await page.locator('.grid .appt').count();
  assert.equal(shown, 60);
  // every column fits at 1280 px: no horizontal scrolling
  const [sw, cw] = await page.locator('.grid').evaluate(g => [g.scrollWidth, g.clientWidth]);
  assert.ok(sw <= cw + 1, `the grid scrolls sideways (${sw} > ${cw})`);
  await shot('day-20-clinicians');
  await noViolations('day view, 20 clinicians');
  const med = a => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(`# day view, 20 clinicians x ${shown} appointments: page load to drawn ${med(times.map(x => x.total))} ms (median of 5), ` +
    `API to DOM ${med(times.map(x => x.draw))} ms`);
});

test('the day is drawn from the board; a block opens the whole appointment', async () => {
  const asked = [];
  const note = r => { if (r.url().includes('/api/v1/')) asked.push(new URL(r.url())); };
  page.on('request', note);
  try {
    await page.goto('about:blank');
    await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
    await page.locator('#board[data-rendered]').waitFor();
    const board = asked.filter(u => u.pathname === '/api/v1/appointments/board');
    assert.equal(board.length, 1, 'the day view asks the board once');
    assert.equal(board[0].searchParams.get('date'), day);
    assert.equal(board[0].searchParams.get('unit_id'), String(unit));
    assert.equal(asked.filter(u => u.pathname === '/api/v1/appointments').length, 0,
      'the day view no longer reads the full list');
    // the blocks are those of the list, drawn from the board's short rows
    const list = (await srv.api('GET', `/api/v1/appointments?from=${day}&to=${day}&unit_id=${unit}`, null, 200))
      .filter(a => a.status !== 'cancelled');
    assert.equal(await page.locator('.grid .appt').count(),
      list.reduce((n, a) => n + a.clinician_ids.length, 0));
    const first = page.locator('.grid .appt').first();
    const id = await first.getAttribute('data-id');
    asked.length = 0;
    await first.click();
    const dlg = page.locator('dialog[open]');
    await dlg.waitFor();
    assert.ok(asked.some(u => u.pathname === `/api/v1/appointments/${id}`), 'the full appointment is read');
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'detached' }).catch(() => dlg.waitFor({ state: 'hidden' }));
  } finally {
    page.off('request', note);
  }
});

test('a tablet: the calendar and the queue still work', async () => {
  const tab = await browser.newContext({ viewport: { width: 820, height: 1180 }, bypassCSP: true });
  const tp = await tab.newPage();
  await tp.goto(srv.base);
  await tp.getByLabel(nb.login.username).fill(SECRETARY[0]);
  await tp.getByLabel(nb.login.password).fill(SECRETARY[1]);
  await tp.getByRole('button', { name: nb.login.submit }).click();
  await tp.locator('.grid').waitFor();
  await tp.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await tp.locator('.grid .appt').first().waitFor();
  await tp.screenshot({ path: join(shots, 'staff-tablet.png') });
  assert.deepEqual(await axe(tp), []);
  await tp.getByRole('button', { name: nb.app.logout }).click();
  await tp.getByText(nb.login.out).waitFor();
  await tab.close();
});
