// setup_steps.mjs - setting a clinic up in the browser, step by step, as an
// admin does from the set-up menu (#/admin): a unit, clinicians with weekly
// hours from the week grid, a quiet video room with opening hours, a
// consultation type, staff accounts.  setup.test.mjs runs the steps one by
// one with its checks in between; setUpClinic() runs them all, for a test
// that needs a clinic made the way a new clinic makes it (starting from
// harness.mjs's startServer(), whose database holds only the admin) and
// goes on from there, e.g. as the secretary.
import assert from 'node:assert/strict';
import { loadTexts } from './harness.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
export const A = nb.admin;

// What setUpClinic() makes.
export const CLINIC = {
  unit: 'Medisinsk poliklinikk',
  clinicians: [
    { name: 'Dr. Ingrid Solheim', profession: 'lege', email: 'ingrid.solheim@sykehuset.example.no', phone: '+4791112222',
      hours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '15:30' } },
    { name: 'Hanne Lie', profession: 'sykepleier', hours: { days: [1, 3], start: '09:00', end: '14:00' } },
  ],
  room: { name: 'Videorom 2', location: 'Bygg A, 2. etasje', kind: 'video', hours: { days: [1, 2, 3, 4, 5], start: '07:30', end: '16:00' } },
  type: { name: 'Kontroll på video', duration: 30, after: 5 },
  secretary: { username: 'sekr.med', password: 'sekretær-passord-2026' },
  clinicianAccount: { username: 'ingrid', password: 'ingrid-sitt-passord-1', clinician: 'Dr. Ingrid Solheim' },
};

export async function login(page, base, username, password) {
  await page.goto(base);
  await page.getByLabel(nb.login.username, { exact: true }).fill(username);
  await page.getByLabel(nb.login.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: nb.login.submit }).click();
  await page.locator('#user').filter({ hasText: username }).waitFor();
}

export async function logout(page) {
  await page.getByRole('button', { name: nb.app.logout }).click();
  await page.getByText(nb.login.out).waitFor();
}

// A page of the set-up menu, by its menu entry.
export async function openSetup(page, key) {
  if (!(await page.locator('nav.subnav').isVisible())) await page.getByRole('link', { name: A.nav, exact: true }).click();
  await page.locator('nav.subnav').getByRole('link', { name: A.page[key], exact: true }).click();
  await page.getByRole('heading', { level: 1, name: key === 'start' ? A.check.title : A.page[key] }).waitFor();
}

async function submitDialog(page, title, button) {
  const dlg = page.getByRole('dialog', { name: title });
  await dlg.getByRole('button', { name: button, exact: true }).click();
  await dlg.waitFor({ state: 'hidden' });
}

export async function addUnit(page, name) {
  await openSetup(page, 'units');
  await page.getByRole('button', { name: A.new.units }).click();
  const dlg = page.getByRole('dialog', { name: A.new.units });
  await dlg.getByLabel(A.f.name, { exact: true }).fill(name);
  await submitDialog(page, A.new.units, A.add);
  await page.locator('#units-list').getByRole('rowheader', { name }).waitFor();
}

export async function addClinician(page, c, unit) {
  await openSetup(page, 'clinicians');
  await page.getByRole('button', { name: A.new.clinicians }).click();
  const dlg = page.getByRole('dialog', { name: A.new.clinicians });
  await dlg.getByLabel(A.f.name, { exact: true }).fill(c.name);
  await dlg.getByLabel(A.f.profession).selectOption(c.profession);
  await dlg.getByLabel(A.f.unit_id).selectOption({ label: unit });
  if (c.email) await dlg.getByLabel(A.f.email).fill(c.email);
  if (c.phone) await dlg.getByLabel(A.f.phone).fill(c.phone);
  await submitDialog(page, A.new.clinicians, A.add);
  await page.locator('#clinicians-list').getByRole('rowheader', { name: c.name }).waitFor();
}

// Weekly hours from the week grid of a clinician or a room: one time on
// the first day, copied to Tuesday-Friday when the days are Monday-Friday,
// otherwise added day by day.
export async function setWeekHours(page, kind, name, { days, start, end }) {
  await openSetup(page, kind === 'clinician' ? 'clinicians' : 'rooms');
  await page.getByRole('link', { name: A.hoursOf[kind](name) }).click();
  await page.getByRole('heading', { level: 1, name: A.hours.title[kind](name) }).waitFor();
  const weekday = A.hours.weekday;
  const copy = days.join() === '1,2,3,4,5';
  for (const d of copy ? [1] : days) {
    await page.getByRole('button', { name: A.hours.addOn(weekday(d)) }).first().click();
    await page.getByLabel(A.hours.startOn(weekday(d))).first().fill(start);
    await page.getByLabel(A.hours.endOn(weekday(d))).first().fill(end);
  }
  if (copy) await page.getByRole('button', { name: A.hours.copy }).first().click();
  await saveHours(page, kind);
}

// Save the grid and wait for the server's answer (a toast of an earlier
// save may still be showing).
export async function saveHours(page, kind) {
  const [res] = await Promise.all([
    page.waitForResponse(r => r.request().method() === 'PUT' && /\/hours$/.test(r.url())),
    page.getByRole('button', { name: A.hours.save[kind] }).click()]);
  assert.equal(res.status(), 200);
  await page.getByRole('status').filter({ hasText: A.hours.saved[kind] }).waitFor();
}

export async function addRoom(page, r, unit) {
  await openSetup(page, 'rooms');
  await page.getByRole('button', { name: A.new.rooms }).click();
  const dlg = page.getByRole('dialog', { name: A.new.rooms });
  await dlg.getByLabel(A.f.name, { exact: true }).fill(r.name);
  await dlg.getByLabel(A.f.location).fill(r.location);
  await dlg.getByLabel(A.f.kind).selectOption(r.kind);
  await dlg.getByLabel(A.f.unit_id).selectOption({ label: unit });
  await submitDialog(page, A.new.rooms, A.add);
  await page.locator('#rooms-list').getByRole('rowheader', { name: r.name }).waitFor();
}

export async function addType(page, x, unit) {
  await openSetup(page, 'types');
  await page.getByRole('button', { name: A.new.types }).click();
  const dlg = page.getByRole('dialog', { name: A.new.types });
  await dlg.getByLabel(A.f.name, { exact: true }).fill(x.name);
  await dlg.getByLabel(A.f.unit_id).selectOption({ label: unit });
  await dlg.getByLabel(A.f.duration_minutes).fill(String(x.duration));
  await dlg.getByLabel(A.f.buffer_after_minutes).fill(String(x.after));
  await submitDialog(page, A.new.types, A.add);
  await page.locator('#types-list').getByRole('rowheader', { name: x.name }).waitFor();
}

// A staff account; password null: made by the app, read off the dialog
// that shows it once.  The password in use is returned.
export async function addAccount(page, { username, role, units = [], clinician, password }) {
  await openSetup(page, 'accounts');
  await page.getByRole('button', { name: A.acc.new }).click();
  const dlg = page.getByRole('dialog', { name: A.acc.new });
  await dlg.getByLabel(A.acc.col.username).fill(username);
  await dlg.getByLabel(A.acc.col.role).selectOption(role);
  for (const u of units) await dlg.getByRole('checkbox', { name: u }).check();
  if (clinician) await dlg.getByLabel(A.acc.clinician, { exact: true }).selectOption({ label: clinician });
  if (password) {
    await dlg.getByRole('radio', { name: A.acc.set }).check();
    await dlg.getByLabel(A.acc.newPassword).fill(password);
  }
  await dlg.getByRole('button', { name: A.acc.create }).click();
  if (password) {
    await dlg.waitFor({ state: 'hidden' });
  } else {
    await page.getByRole('dialog', { name: A.acc.onceTitle(username) }).waitFor();
    password = await page.locator('#once-password').textContent();
    await page.getByRole('button', { name: A.acc.noted }).click();
  }
  await page.locator('#accounts-list').getByRole('rowheader', { name: username, exact: true }).waitFor();
  return password;
}

// The whole set-up of CLINIC, logged in as the admin; the secretary's
// password is returned (made by the app).
export async function setUpClinic(page) {
  const c = CLINIC;
  await addUnit(page, c.unit);
  for (const x of c.clinicians) await addClinician(page, x, c.unit);
  for (const x of c.clinicians) await setWeekHours(page, 'clinician', x.name, x.hours);
  await addRoom(page, c.room, c.unit);
  await setWeekHours(page, 'room', c.room.name, c.room.hours);
  await addType(page, c.type, c.unit);
  const secretary = await addAccount(page, { username: c.secretary.username, role: 'secretary', units: [c.unit] });
  await addAccount(page, { username: c.clinicianAccount.username, role: 'clinician', clinician: c.clinicianAccount.clinician,
    password: c.clinicianAccount.password });
  assert.ok(secretary.length >= 12);
  return { secretary };
}
