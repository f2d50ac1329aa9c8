// rebook.test.mjs - re-booking in person shows which rooms are free at that
// time, the unit's first, and what is in the way of the busy ones (an
// appointment of the unit by its time; another unit's only as such; a
// closed room), in the work queue and in the appointment; a video
// consultation may book a quiet video room from the booking form (the room
// field is no longer hidden for video).  A secretary limited to one unit;
// keyboard only; axe-core on the views; screenshots
// tests/browser/screenshots/rebook-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';
import { login } from './setup_steps.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const pageErrors = [];
const SEK = ['sekretaer', 'sekretaer-passord-2026'];

let srv, browser, page, day, unitA, cA, kari, optedOut, r101, r102, r103, quiet, closedRoom;

before(async () => {
  srv = await startServer();
  browser = await launch();
  unitA = (await srv.api('POST', '/api/v1/units', { name: 'Hjertepoliklinikken' }, 201)).id;
  const unitB = (await srv.api('POST', '/api/v1/units', { name: 'Lungepoliklinikken' }, 201)).id;
  cA = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unitA }, 201)).id;
  const cA2 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Hanne Lie', profession: 'sykepleier', unit_id: unitA }, 201)).id;
  const cB = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Lunge', profession: 'lege', unit_id: unitB }, 201)).id;
  const room = async (name, kind, unit, location) => (await srv.api('POST', '/api/v1/rooms', { name, kind, unit_id: unit, location }, 201)).id;
  r101 = await room('Rom 101', 'clinic', unitA, 'Bygg A');
  r102 = await room('Rom 102', 'clinic', unitA, 'Bygg A');
  r103 = await room('Rom 103', 'clinic', unitA, 'Bygg A');
  closedRoom = await room('Rom 104', 'clinic', unitA, 'Bygg A');
  quiet = await room('Stille rom 1', 'video', unitA, 'Bygg A, 2. etg.');
  await room('B-rom', 'clinic', unitB);
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567' }, 201)).id;
  const ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  const per = (await srv.api('POST', '/api/v1/patients', { name: 'Per Lunge', phone: '+4790011223' }, 201)).id;
  await srv.api('POST', '/api/v1/users', { username: SEK[0], role: 'secretary', password: SEK[1], unit_ids: [unitA] }, 201);
  day = workday(4);
  const book = async body => (await srv.api('POST', '/api/v1/appointments', { duration_minutes: 30, ...body }, 201)).id;
  // Kari asked to meet in person instead of by video, 10:00-10:30
  optedOut = await book({ patient_id: kari, clinician_ids: [cA], start: `${day}T10:00:00` });
  await srv.api('PATCH', `/api/v1/appointments/${optedOut}`, { status: 'opted_out' }, 200);
  // in the way then: the unit's own, another unit's, a closure
  await book({ patient_id: ola, clinician_ids: [cA2], start: `${day}T09:45:00`, mode: 'in_person', room_id: r101 });
  await book({ patient_id: per, clinician_ids: [cB], start: `${day}T10:15:00`, mode: 'in_person', room_id: r102 });
  await srv.api('POST', `/api/v1/rooms/${closedRoom}/exceptions`,
    { kind: 'absence', start: `${day}T08:00:00`, end: `${day}T16:00:00`, reason: 'Maling' }, 201);
  page = await staffPage(browser, pageErrors);
  await login(page, srv.base, ...SEK);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name) { await page.screenshot({ path: join(shots, `rebook-${name}.png`), fullPage: true }); }
const options = sel => sel.locator('option').evaluateAll(os => os.map(o => o.textContent));

const EXPECTED = [
  nb.book.noRoom,
  `Rom 101 (Bygg A) – ${nb.rooms.busyAt('09:45–10:15')}`,
  `Rom 102 (Bygg A) – ${nb.rooms.other_unit}`,
  `Rom 103 (Bygg A) – ${nb.rooms.free}`,
  `Rom 104 (Bygg A) – ${nb.rooms.closed}`,
];

test('the work queue: the rooms free when Kari comes, and what is in the way of the others', async () => {
  await page.goto(`${srv.base}/#/queue`);
  const item = page.locator(`li.q-item[data-appointment="${optedOut}"]`);
  const sel = item.getByLabel(nb.book.room);
  await item.locator('option', { hasText: nb.rooms.free }).waitFor({ state: 'attached' });
  assert.deepEqual(await options(sel), EXPECTED);
  // no other unit's room, no patient or clinician of the other unit named
  assert.equal(await item.getByText('B-rom').count(), 0);
  assert.doesNotMatch(await item.textContent(), /Per Lunge|Dr\. Lunge/);
  await item.getByText(nb.rooms.count(1, 4, '10:00', '10:30')).waitFor();
  await shot('queue');
  assert.deepEqual(await axe(page), [], 'axe: the work queue with free rooms');
});

test('the appointment: choose the free room with the keyboard, re-booked in person', async () => {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unitA}`);
  await page.locator('.grid .appt', { hasText: 'Kari Nordmann' }).click();
  const dlg = page.getByRole('dialog');
  const sel = dlg.locator('#rebook-room');
  await dlg.locator('#rebook-room option', { hasText: nb.rooms.free }).waitFor({ state: 'attached' });
  assert.deepEqual(await options(sel), EXPECTED);
  await sel.focus();
  await sel.selectOption({ label: `Rom 103 (Bygg A) – ${nb.rooms.free}` });
  await shot('appointment');
  assert.deepEqual(await axe(page), [], 'axe: the appointment with free rooms');
  await dlg.getByRole('button', { name: nb.appt.rebookGo }).focus();
  await page.keyboard.press('Enter');
  // re-booked ("rebooked"), then invited anew: the first notice is
  // replaced by the second as soon as the invitation is sent, so it is the
  // second that is waited for (the first can come and go between polls)
  await dlg.locator('.notice').filter({ hasText: nb.appt.invited }).waitFor();
  const a = await srv.api('GET', `/api/v1/appointments/${optedOut}`, null, 200);
  assert.equal(a.mode, 'in_person');
  assert.equal(a.room_id, r103);
  // moving it: the room list follows the time typed, its own room free for it
  await dlg.getByText(nb.appt.change).click();
  await dlg.locator('#mv-room option', { hasText: `Rom 103 (Bygg A) – ${nb.rooms.free}` }).waitFor({ state: 'attached' });
  await dlg.getByLabel(nb.book.time).fill('09:50');
  await dlg.getByLabel(nb.book.time).press('Tab');
  await dlg.locator('#mv-room option', { hasText: `Rom 101 (Bygg A) – ${nb.rooms.busyAt('09:45–10:15')}` }).waitFor({ state: 'attached' });
  assert.equal(await dlg.locator('#mv-room').inputValue(), String(r103), 'the chosen room stays chosen');
  await page.keyboard.press('Escape');
});

test('a video consultation books a quiet video room from the booking form', async () => {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unitA}`);
  await page.locator('.col-head').first().waitFor();
  await page.getByRole('button', { name: nb.cal.book }).click();
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await page.getByRole('combobox', { name: nb.book.findPatient }).fill('ola');
  await page.getByRole('option', { name: /Ola Nordmann/ }).click();
  await dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }).check();
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByLabel(nb.book.time).fill('13:00');
  await dlg.getByLabel(nb.book.time).press('Tab');
  assert.equal(await dlg.getByRole('radio', { name: nb.mode.video }).isChecked(), true);
  // by video the room field is there, offering the quiet video rooms only
  const sel = dlg.getByLabel(nb.book.room);
  assert.equal(await sel.isVisible(), true);
  await dlg.locator('#bk-room option', { hasText: nb.rooms.free }).waitFor({ state: 'attached' });
  assert.deepEqual(await options(sel), [nb.book.noRoom, `Stille rom 1 (Bygg A, 2. etg.) – ${nb.rooms.free}`]);
  assert.match(await dlg.locator('#bk-room-hint').textContent(), new RegExp(nb.rooms.videoHint));
  await sel.selectOption(String(quiet));
  // in person: the clinic rooms; by phone: no room field
  await dlg.getByRole('radio', { name: nb.mode.in_person }).check();
  await dlg.locator('#bk-room option', { hasText: 'Rom 103' }).waitFor({ state: 'attached' });
  assert.equal(await sel.inputValue(), '', 'a video room is not kept for an appointment in person');
  await dlg.getByRole('radio', { name: nb.mode.phone }).check();
  assert.equal(await sel.isVisible(), false);
  await dlg.getByRole('radio', { name: nb.mode.video }).check();
  await dlg.locator('#bk-room option', { hasText: 'Stille rom 1' }).waitFor({ state: 'attached' });
  await sel.selectOption(String(quiet));
  await dlg.getByRole('checkbox', { name: nb.book.inviteNow }).uncheck();
  await shot('video-room');
  assert.deepEqual(await axe(page), [], 'axe: the booking form with a quiet video room');
  await dlg.getByRole('button', { name: nb.book.submit }).click();
  await dlg.waitFor({ state: 'hidden' });
  const list = await srv.api('GET', `/api/v1/appointments?from=${day}&to=${day}&clinician_id=${cA}`, null, 200);
  const made = list.find(a => a.start.slice(11, 16) === '13:00');
  assert.equal(made.mode, 'video');
  assert.equal(made.room_id, quiet);
});
