// setup.test.mjs - a new clinic set up entirely in the browser by its one
// admin (the database holds nothing else): the checklist shown at login
// says what is missing; a unit; two clinicians (the first with the
// keyboard alone; a phone number the server refuses is said at the field,
// in Norwegian); weekly hours from the week grid (a second period of
// validity too); an absence over a booked appointment (counted); a quiet video room with opening hours; a
// consultation type; a secretary limited to the unit (password made by the
// app and shown once) and a clinician's account; the checklist then
// complete.  A password reset and a login with it; a disabled account
// that cannot log in; last login in the list; a patient's audit log and
// its CSV.  Then the secretary's calendar shows the unit's clinicians.
// axe-core on every view, screenshots at 1280 px and at 390 px (a phone,
// and what 200 % zoom leaves of a small laptop) in tests/browser/screenshots/.
//
// The steps live in setup_steps.mjs: a later test can start from
// setUpClinic() (checked here on a second, fresh server) and go on as the
// secretary (booking with guests, series, a sick day).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startServer, launch, axe, shots, loadTexts, workday, staffPage } from './harness.mjs';
import {
  A, CLINIC, login, logout, openSetup, addUnit, addClinician, setWeekHours, saveHours, addRoom, addType, addAccount,
  setUpClinic,
} from './setup_steps.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const pageErrors = [];
const ADMIN_PASSWORD = 'correct horse battery staple'; // harness.mjs's first admin
let srv, browser, page;
let secretaryPassword;

before(async () => {
  srv = await startServer();
  browser = await launch();
  page = await staffPage(browser, pageErrors);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name) { await page.screenshot({ path: join(shots, `setup-${name}.png`), fullPage: true }); }
async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }
// The view at a phone's width too (also what 200 % zoom leaves of 780 px).
async function narrow(name) {
  await page.setViewportSize({ width: 390, height: 800 });
  await shot(`${name}-narrow`);
  await noViolations(`${name} at 390 px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}
const dmy = iso => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
async function steps() {
  return page.locator('.checklist .step').evaluateAll(els => els.map(e => [e.dataset.step, e.classList.contains('done')]));
}

test('texts: the set-up has the same keys in bokmål, nynorsk and English', () => {
  const keys = (o, p = '') => Object.entries(o).flatMap(([k, v]) =>
    (v && typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`])).sort();
  assert.deepEqual(keys(TEXTS.en.admin), keys(TEXTS.nb.admin));
  assert.deepEqual(keys(TEXTS.nn.admin), keys(TEXTS.nb.admin));
});

test('an empty clinic: the admin lands on the checklist, everything missing', async () => {
  await login(page, srv.base, 'admin', ADMIN_PASSWORD);
  await page.getByRole('heading', { level: 1, name: A.check.title }).waitFor();
  assert.equal(await page.evaluate(() => location.hash), '#/admin');
  assert.deepEqual(await steps(), ['units', 'clinicians', 'hours', 'rooms', 'types', 'accounts'].map(k => [k, false]));
  assert.equal(await page.locator('#check-progress').textContent(), A.check.progress(0, 6));
  // the first step is the one to take, and its link says so
  assert.equal(await page.locator('.step.next').getAttribute('data-step'), 'units');
  await shot('checklist-empty');
  await noViolations('checklist');
  await narrow('checklist-empty');
});

test('a unit; directory pages without units say to make one first', async () => {
  await openSetup(page, 'clinicians');
  await page.getByText(A.unitsFirst).waitFor();
  await page.locator('.step').first().waitFor({ state: 'detached' });
  await page.getByRole('link', { name: A.page.start, exact: true }).click();
  await page.getByRole('link', { name: A.check.go.units }).click();
  await page.getByRole('heading', { level: 1, name: A.page.units }).waitFor();
  // an empty name is said at the field
  await page.getByRole('button', { name: A.new.units }).click();
  const dlg = page.getByRole('dialog', { name: A.new.units });
  await dlg.getByRole('button', { name: A.add, exact: true }).click();
  await dlg.getByText(A.needName).waitFor();
  assert.equal(await dlg.getByLabel(A.f.name, { exact: true }).getAttribute('aria-invalid'), 'true');
  await noViolations('unit form with an error');
  await dlg.getByRole('button', { name: nb.app.cancel }).click();
  await addUnit(page, CLINIC.unit);
  await shot('units');
  await noViolations('units');
});

test('a clinician with the keyboard alone; a refused phone number said at the field in Norwegian', async () => {
  const [c1, c2] = CLINIC.clinicians;
  await openSetup(page, 'clinicians');
  const add = page.getByRole('button', { name: A.new.clinicians });
  await add.focus();
  await page.keyboard.press('Enter');
  const dlg = page.getByRole('dialog', { name: A.new.clinicians });
  await dlg.waitFor();
  // focus starts in the name field; Tab walks the form in order
  assert.equal(await page.evaluate(() => document.activeElement.id), 'clinicians-name');
  await page.keyboard.type(c1.name);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'clinicians-profession');
  await page.keyboard.press('Tab'); // lege is first
  assert.equal(await page.evaluate(() => document.activeElement.id), 'clinicians-unit_id');
  await page.keyboard.press('Tab'); // the only unit is chosen
  await page.keyboard.type(c1.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('12');
  await page.keyboard.press('Enter'); // submits
  const phoneError = dlg.locator('#clinicians-phone-error');
  await phoneError.getByText(A.bad.phone).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'clinicians-phone');
  await shot('clinician-phone-refused');
  await noViolations('clinician form, phone refused');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(c1.phone);
  await page.keyboard.press('Enter');
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#clinicians-list').getByRole('rowheader', { name: c1.name }).waitFor();
  // focus is back where the keyboard user was
  assert.equal(await page.evaluate(() => document.activeElement.id), 'clinicians-new');
  const saved = await srv.api('GET', '/api/v1/clinicians', null, 200);
  assert.deepEqual(saved.map(c => [c.name, c.profession, c.email, c.phone]),
    [[c1.name, 'lege', c1.email, c1.phone]]);

  await addClinician(page, c2, CLINIC.unit);
  const row = page.locator('#clinicians-list tr', { hasText: c2.name });
  assert.match(await row.textContent(), /Sykepleier.*Medisinsk poliklinikk.*Aktiv/);
  await shot('clinicians');
  await noViolations('clinicians');
  await narrow('clinicians');
  // the checklist: units and clinicians done, hours next
  await openSetup(page, 'start');
  assert.deepEqual((await steps()).map(s => s[1]), [true, true, false, false, false, false]);
  assert.match(await page.locator('.step[data-step="hours"]').textContent(), /Dr\. Ingrid Solheim, Hanne Lie/);
});

test('weekly hours from the week grid, a second period of validity, an absence', async () => {
  const [c1, c2] = CLINIC.clinicians;
  await setWeekHours(page, 'clinician', c1.name, c1.hours);
  let hours = await srv.api('GET', '/api/v1/clinicians/1/hours', null, 200);
  assert.deepEqual(hours.map(x => [x.weekday, x.start, x.end]), [1, 2, 3, 4, 5].map(d => [d, '08:00', '15:30']));

  await setWeekHours(page, 'clinician', c2.name, c2.hours);
  // an end before the start is said at that field, nothing saved
  const wed = A.hours.weekday(3);
  await page.getByRole('button', { name: A.hours.addOn(wed) }).first().click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'p0-d3-i1-start'); // the new time's start
  await page.getByLabel(A.hours.startOn(wed)).nth(1).fill('15:00');
  await page.getByLabel(A.hours.endOn(wed)).nth(1).fill('14:30');
  await page.getByRole('button', { name: A.hours.save.clinician }).click();
  await page.getByText(A.bad.end).waitFor();
  assert.equal(await page.getByLabel(A.hours.endOn(wed)).nth(1).getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: A.hours.removeOn(wed, '15:00', '14:30') }).click();
  // a second period: from a date, Fridays only
  const from = workday(30);
  await page.getByRole('button', { name: A.hours.addPeriod }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'p1-from');
  await page.locator('#p1-from').fill(dmy(from));
  await page.locator('#p1').getByRole('button', { name: A.hours.addOn(A.hours.weekday(5)) }).click();
  await page.locator('#p1').getByLabel(A.hours.endOn(A.hours.weekday(5))).fill('12:00');
  await saveHours(page, 'clinician');
  hours = await srv.api('GET', '/api/v1/clinicians/2/hours', null, 200);
  assert.deepEqual(hours.map(x => [x.weekday, x.start, x.end, x.valid_from || null]),
    [[1, '09:00', '14:00', null], [3, '09:00', '14:00', null], [5, '08:00', '12:00', from]]);
  // the period's legend in Norwegian date format
  await page.locator('#p1 legend').getByText(`Fra ${dmy(from)}`).waitFor();
  await shot('hours-grid');
  await noViolations('hours grid');
  await narrow('hours-grid');

  // an absence (a course day) over a booked appointment: listed, with the
  // times in Norwegian format, and the appointment it hits counted
  const day = workday(7);
  const ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  await srv.api('POST', '/api/v1/appointments', { patient_id: ola, clinician_ids: [2], start: `${day}T10:00:00`,
    duration_minutes: 30, override_hours: true }, 201);
  await page.getByLabel(A.exc.fromDate).fill(dmy(day));
  await page.getByLabel(A.exc.toDate).fill(day.slice(8, 10).replace(/^0/, '') + '.' + day.slice(5, 7) + '.' + day.slice(0, 4)); // tidied
  assert.equal(await page.getByLabel(A.exc.toDate).inputValue(), dmy(day).replace(/^0/, ''));
  await page.getByLabel(A.exc.reason, { exact: true }).fill('Kurs');
  await page.getByRole('button', { name: A.exc.add, exact: true }).click();
  await page.locator('#exc-result').getByText(A.exc.hits(1)).waitFor();
  const row = page.locator('#exc-list tbody tr');
  await row.first().waitFor();
  assert.match(await row.first().textContent(), new RegExp(`Fravær${dmy(day).replace(/\./g, '\\.')} 00:00.*00:00Kursadmin`));
  assert.equal(await page.getByLabel(A.exc.toDate).inputValue(), dmy(day)); // tidied when left
  const exc = await srv.api('GET', '/api/v1/clinicians/2/exceptions', null, 200);
  assert.equal(exc.length, 1);
  assert.equal(exc[0].kind, 'absence');
  await noViolations('absences');
});

test('a quiet video room with opening hours, and a consultation type', async () => {
  await addRoom(page, CLINIC.room, CLINIC.unit);
  assert.match(await page.locator('#rooms-list tr', { hasText: CLINIC.room.name }).textContent(), /Bygg A, 2\. etasje.*Stille videorom/);
  await noViolations('rooms');
  await setWeekHours(page, 'room', CLINIC.room.name, CLINIC.room.hours);
  const rooms = await srv.api('GET', '/api/v1/rooms', null, 200);
  assert.equal(rooms[0].kind, 'video');
  assert.equal((await srv.api('GET', `/api/v1/rooms/${rooms[0].id}/hours`, null, 200)).length, 5);

  // video not allowed but video the usual mode: the server's refusal at the field, in Norwegian
  await openSetup(page, 'types');
  await page.getByRole('button', { name: A.new.types }).click();
  const dlg = page.getByRole('dialog', { name: A.new.types });
  await dlg.getByLabel(A.f.name, { exact: true }).fill('Feil type');
  await dlg.getByLabel(A.f.video_allowed).uncheck();
  await dlg.getByRole('button', { name: A.add, exact: true }).click();
  await dlg.locator('#types-default_mode-error').getByText(A.bad.default_mode).waitFor();
  await shot('type-refused');
  await noViolations('type form, refused');
  await dlg.getByRole('button', { name: nb.app.cancel }).click();
  await addType(page, CLINIC.type, CLINIC.unit);
  const types = await srv.api('GET', '/api/v1/consultation-types', null, 200);
  assert.deepEqual(types.map(x => [x.name, x.duration_minutes, x.video_allowed, x.default_mode, x.buffer_after_minutes]),
    [[CLINIC.type.name, 30, true, 'video', 5]]);
  await shot('types');
  await noViolations('types');
});

test('accounts: a secretary of the unit (password shown once), a clinician linked; the checklist complete', async () => {
  await openSetup(page, 'start');
  assert.deepEqual((await steps()).map(s => s[1]), [true, true, true, true, true, false]);
  secretaryPassword = await addAccount(page, { username: CLINIC.secretary.username, role: 'secretary', units: [CLINIC.unit] });
  assert.match(secretaryPassword, /^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
  // the clinician's account: the form asks for the clinician
  await page.getByRole('button', { name: A.acc.new }).click();
  const dlg = page.getByRole('dialog', { name: A.acc.new });
  await dlg.getByLabel(A.acc.col.username).fill(CLINIC.clinicianAccount.username);
  await dlg.getByLabel(A.acc.col.role).selectOption('clinician');
  assert.equal(await dlg.getByRole('group', { name: A.acc.units }).isVisible(), false);
  await dlg.getByRole('radio', { name: A.acc.set }).check();
  await dlg.getByLabel(A.acc.newPassword).fill('for kort');
  await dlg.getByRole('button', { name: A.acc.create }).click();
  await dlg.getByText(A.bad.clinician_id).waitFor();
  await dlg.getByLabel(A.acc.clinician, { exact: true }).selectOption({ label: CLINIC.clinicianAccount.clinician });
  await dlg.getByRole('button', { name: A.acc.create }).click();
  await dlg.locator('#acc-password-error').getByText(A.bad.password).waitFor();
  await shot('account-form');
  await noViolations('account form');
  await narrow('account-form');
  await dlg.getByLabel(A.acc.newPassword).fill(CLINIC.clinicianAccount.password);
  await dlg.getByRole('button', { name: A.acc.create }).click();
  await dlg.waitFor({ state: 'hidden' });
  const users = await srv.api('GET', '/api/v1/users', null, 200);
  const byName = Object.fromEntries(users.map(u => [u.username, u]));
  assert.deepEqual(byName[CLINIC.secretary.username].unit_ids, [1]);
  assert.equal(byName[CLINIC.clinicianAccount.username].clinician_id, 1);
  assert.equal(byName[CLINIC.secretary.username].last_login_at, null);
  const list = page.locator('#accounts-list');
  assert.match(await list.locator('tr', { hasText: CLINIC.secretary.username }).textContent(),
    new RegExp(`helsesekretær.*${CLINIC.unit}.*Aktiv.*${A.acc.never}`));
  assert.match(await list.locator('tr', { hasText: 'admin' }).first().textContent(), /\d\d\.\d\d\.\d{4} \d\d:\d\d/);
  await shot('accounts');
  await noViolations('accounts');
  await narrow('accounts');

  await openSetup(page, 'start');
  assert.deepEqual((await steps()).map(s => s[1]), [true, true, true, true, true, true]);
  assert.equal(await page.locator('#check-progress').textContent(), A.check.complete);
  await shot('checklist-complete');
  await noViolations('checklist complete');
  // in English too
  await page.getByLabel(nb.app.language).selectOption('en');
  await page.getByRole('heading', { level: 1, name: TEXTS.en.admin.check.title }).waitFor();
  assert.equal(await page.locator('#check-progress').textContent(), TEXTS.en.admin.check.complete);
  await shot('checklist-complete-en');
  await noViolations('checklist in English');
  await page.getByLabel(TEXTS.en.app.language).selectOption('nb');
  await page.getByRole('heading', { level: 1, name: A.check.title }).waitFor();
});

test('changing: a clinician\'s profession; a secretary\'s units (none: all units) and back', async () => {
  await openSetup(page, 'clinicians');
  await page.getByRole('button', { name: A.editName('Hanne Lie') }).click();
  let dlg = page.getByRole('dialog', { name: A.edit('Hanne Lie') });
  await dlg.getByLabel(A.f.profession).selectOption('psykolog');
  await dlg.getByRole('button', { name: A.save, exact: true }).click();
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#clinicians-list tr', { hasText: 'Hanne Lie' }).getByText(A.profession.psykolog).waitFor();
  // focus back on the row's button, though the list was drawn again
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), A.editName('Hanne Lie'));
  await page.getByRole('button', { name: A.editName('Hanne Lie') }).click();
  await dlg.getByLabel(A.f.profession).selectOption('sykepleier');
  await dlg.getByRole('button', { name: A.save, exact: true }).click();
  await dlg.waitFor({ state: 'hidden' });

  const user = CLINIC.secretary.username;
  const units = async () => (await srv.api('GET', '/api/v1/users', null, 200)).find(u => u.username === user).unit_ids;
  await openSetup(page, 'accounts');
  for (const [check, want, text] of [[false, [], A.acc.allUnits], [true, [1], CLINIC.unit]]) {
    await page.getByRole('button', { name: A.editName(user) }).click();
    dlg = page.getByRole('dialog', { name: A.edit(user) });
    await dlg.getByRole('checkbox', { name: CLINIC.unit }).setChecked(check);
    await dlg.getByRole('button', { name: A.save, exact: true }).click();
    await dlg.waitFor({ state: 'hidden' });
    await page.locator('#accounts-list tr', { hasText: user }).getByText(text).waitFor();
    assert.deepEqual(await units(), want);
  }
  await noViolations('accounts after changes');
});

test('a password reset: shown once, the old one stops working, the new one logs in', async () => {
  await openSetup(page, 'accounts');
  await page.getByRole('button', { name: A.acc.passwordFor(CLINIC.secretary.username) }).click();
  const dlg = page.getByRole('dialog', { name: A.acc.passwordFor(CLINIC.secretary.username) });
  await dlg.getByRole('button', { name: A.acc.reset }).click();
  const once = page.getByRole('dialog', { name: A.acc.onceTitle(CLINIC.secretary.username) });
  await once.waitFor();
  const fresh = await page.locator('#once-password').textContent();
  assert.notEqual(fresh, secretaryPassword);
  await shot('password-once');
  await noViolations('password shown once');
  await once.getByRole('button', { name: A.acc.noted }).click();
  await once.waitFor({ state: 'hidden' });
  // focus is back on the button that started it
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')),
    A.acc.passwordFor(CLINIC.secretary.username));
  await logout(page);
  await page.getByLabel(nb.login.username, { exact: true }).fill(CLINIC.secretary.username);
  await page.getByLabel(nb.login.password, { exact: true }).fill(secretaryPassword);
  await page.getByRole('button', { name: nb.login.submit }).click();
  await page.getByText(nb.login.wrong).waitFor();
  secretaryPassword = fresh;
  await login(page, srv.base, CLINIC.secretary.username, secretaryPassword);
  // the secretary has no set-up menu and lands on the calendar
  await page.locator('.grid').waitFor();
  assert.equal(await page.getByRole('link', { name: A.nav, exact: true }).isVisible(), false);
  await logout(page);
});

test('a disabled account cannot log in; last login is listed', async () => {
  await login(page, srv.base, 'admin', ADMIN_PASSWORD);
  await page.locator('.grid').waitFor(); // the clinic is set up: the calendar, not the checklist
  await openSetup(page, 'accounts');
  const row = page.locator('#accounts-list tr', { hasText: CLINIC.clinicianAccount.username });
  assert.match(await page.locator('#accounts-list tr', { hasText: CLINIC.secretary.username }).textContent(), /\d\d\.\d\d\.\d{4} \d\d:\d\d/);
  await row.getByRole('button', { name: A.deactivateName(CLINIC.clinicianAccount.username) }).click();
  await page.getByRole('status').filter({ hasText: A.acc.disabled(CLINIC.clinicianAccount.username) }).waitFor();
  await row.filter({ hasText: A.inactive }).waitFor(); // the list is drawn again after the toast
  // focus stays on the row's (now opposite) button
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')),
    A.activateName(CLINIC.clinicianAccount.username));
  await logout(page);
  await page.getByLabel(nb.login.username, { exact: true }).fill(CLINIC.clinicianAccount.username);
  await page.getByLabel(nb.login.password, { exact: true }).fill(CLINIC.clinicianAccount.password);
  await page.getByRole('button', { name: nb.login.submit }).click();
  await page.getByText(nb.login.wrong).waitFor();
});

test("a patient's audit log, and its CSV", async () => {
  const kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567' }, 201)).id;
  const sekr = await (await import('./harness.mjs')).staffClient(srv.base, CLINIC.secretary.username, secretaryPassword);
  await sekr('GET', `/api/v1/patients/${kari}`, null, 200);
  await login(page, srv.base, 'admin', ADMIN_PASSWORD);
  await openSetup(page, 'audit');
  await page.getByLabel(A.audit.find).fill('Kari');
  await page.getByRole('button', { name: A.audit.search }).click();
  await page.getByRole('link', { name: 'Kari Nordmann' }).click();
  await page.getByRole('heading', { level: 2, name: A.audit.of('Kari Nordmann') }).waitFor();
  const table = page.locator('section.audit table');
  const text = await table.textContent();
  assert.match(text, new RegExp(`${CLINIC.secretary.username.replace('.', '\\.')}helsesekretær${A.audit.act('patient.read')}`));
  assert.match(text, new RegExp(`admin.*${A.audit.act('patient.create')}`));
  assert.match(text, /\d\d\.\d\d\.\d{4} \d\d:\d\d/);
  await shot('audit');
  await noViolations('audit log');
  await narrow('audit');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: A.audit.csv }).click()]);
  assert.equal(download.suggestedFilename(), `innsyn-pasient-${kari}.csv`);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^at,username,role,action,patient_id,appointment_id,client_ip\r\n/);
  assert.match(csv, new RegExp(`"${CLINIC.secretary.username.replace('.', '\\.')}",secretary,patient\\.read,${kari}`));
  await logout(page);
});

test("the secretary's calendar shows the unit's clinicians", async () => {
  await login(page, srv.base, CLINIC.secretary.username, secretaryPassword);
  await page.goto(`${srv.base}/#/calendar/day/${workday(2)}`);
  await page.locator('.col-head').first().waitFor();
  const heads = await page.locator('.col-head').allTextContents();
  assert.equal(heads.length, 2);
  assert.ok(heads.some(x => x.includes('Dr. Ingrid Solheim')) && heads.some(x => x.includes('Hanne Lie')));
  await shot('secretary-calendar');
});

// What a later test starts from: the whole set-up in one call, on a clinic
// of its own, then the secretary logged in.
test('setUpClinic() sets a fresh clinic up in one go', async () => {
  const other = await startServer();
  const p = await staffPage(browser, pageErrors);
  try {
    await login(p, other.base, 'admin', ADMIN_PASSWORD);
    const { secretary } = await setUpClinic(p);
    await openSetup(p, 'start');
    assert.equal(await p.locator('.checklist .step.done').count(), 6);
    assert.equal((await other.api('GET', '/api/v1/clinicians/2/hours', null, 200)).length, 2);
    await logout(p);
    await login(p, other.base, CLINIC.secretary.username, secretary);
    await p.locator('.col-head').nth(1).waitFor();
  } finally {
    await p.context().close();
    await other.stop();
  }
});
