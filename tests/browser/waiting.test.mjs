// waiting.test.mjs - the waiting list in the browser, keyboard only: put
// two patients on it from the menu's "Venteliste" (found by name, a type,
// any clinician or one, urgency, earliest day, a note), see the unit's list
// urgent first with the days waited, change one, remove one after a
// confirmation.  Then an appointment cancelled in its dialog offers the
// waiting patients who fit; one click books the chosen one into the slot
// and sends the invitation (the server's state checked: the new
// appointment, the invitation queued, the entry booked); a slot taken
// meanwhile is said as such (409).  axe-core on each view; screenshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTexts, workday } from './harness.mjs';
import { secretaryFixture, textKeys, SECRETARY } from './secretary.mjs';
import { login } from './setup_steps.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const W = nb.waiting;
let srv, page, unit, clin, clin2, type, kari, ola, per, day;

const T = secretaryFixture('waiting', async ctx => {
  ({ srv, page } = ctx);
  unit = (await srv.api('POST', '/api/v1/units', { name: 'Medisinsk poliklinikk' }, 201)).id;
  clin = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unit }, 201)).id;
  clin2 = (await srv.api('POST', '/api/v1/clinicians', { name: 'Hanne Lie', profession: 'sykepleier', unit_id: unit }, 201)).id;
  type = (await srv.api('POST', '/api/v1/consultation-types', { name: 'Kontroll', unit_id: unit, duration_minutes: 30 }, 201)).id;
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567', language: 'nb' }, 201)).id;
  ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  per = (await srv.api('POST', '/api/v1/patients', { name: 'Per Hansen', phone: '+4790011223' }, 201)).id;
  day = workday(3);
});
const { shot, noViolations, press } = T;
const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent);

// The add dialog, keyboard only: the patient found and chosen, the rest typed.
async function addEntry(name, { clinician, urgent, earliest, note }) {
  await press(page.getByRole('button', { name: W.add }));
  const dlg = page.getByRole('dialog', { name: W.addTitle });
  await dlg.waitFor();
  assert.equal(await focused(), 'wl-find');
  await page.keyboard.type(name.split(' ')[0]);
  const match = dlg.locator('#wl-matches button', { hasText: name });
  await match.waitFor();
  await page.keyboard.press('Tab'); // to the first match
  await page.keyboard.press('Enter');
  await dlg.locator('#wl-chosen').getByText(name).waitFor();
  assert.equal(await focused(), 'wl-type', 'focus goes on to the type');
  await dlg.getByLabel(W.type).selectOption({ label: 'Kontroll' });
  if (clinician) await dlg.getByLabel(W.clinician).selectOption({ label: clinician });
  if (urgent) await press(dlg.getByRole('radio', { name: W.urgent }), 'Space');
  if (earliest) { await dlg.getByLabel(W.earliest).focus(); await page.keyboard.type(earliest); }
  if (note) { await dlg.getByLabel(W.note).focus(); await page.keyboard.type(note); }
  return dlg;
}

test('texts: the waiting-list keys in nb, nn and en', () => {
  assert.deepEqual(textKeys(TEXTS.en.waiting), textKeys(W));
  assert.deepEqual(textKeys(TEXTS.nn.waiting), textKeys(W));
});

test('the waiting list: add two, urgent first with days waited, change one, remove one', async () => {
  await login(page, srv.base, ...SECRETARY);
  await press(page.getByRole('link', { name: W.menu }));
  await page.getByRole('heading', { level: 1, name: W.title }).waitFor();
  await page.getByText(W.empty).waitFor();
  await noViolations('empty waiting list');

  // a missing patient is said at the field, and nothing is sent
  await press(page.getByRole('button', { name: W.add }));
  let dlg = page.getByRole('dialog', { name: W.addTitle });
  await press(dlg.getByRole('button', { name: W.addGo }));
  await dlg.getByText(W.needPatient).waitFor();
  assert.equal(await focused(), 'wl-find');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'hidden' });

  dlg = await addEntry('Ola Nordmann', { clinician: 'Hanne Lie (sykepleier)' });
  await press(dlg.getByRole('button', { name: W.addGo }));
  await dlg.waitFor({ state: 'hidden' });
  await page.locator('#wl-list tbody tr').first().waitFor();

  dlg = await addEntry('Kari Nordmann', { urgent: true, earliest: '1.1.2027', note: 'Kan komme på kort varsel' });
  await shot('add');
  await noViolations('add to the waiting list');
  await press(dlg.getByRole('button', { name: W.addGo }));
  await dlg.waitFor({ state: 'hidden' });
  await page.getByText(W.caption(2)).waitFor();
  const rows = page.locator('#wl-list tbody tr');
  assert.match(await rows.nth(0).textContent(), /Kari Nordmann.*Kontroll.*Hvem som helst.*Haster.*0 dager.*01\.01\.2027.*Kan komme på kort varsel/);
  assert.match(await rows.nth(1).textContent(), /Ola Nordmann.*Kontroll.*Hanne Lie.*Vanlig.*0 dager/);
  await shot('list');
  await noViolations('waiting list');
  let entries = await srv.api('GET', '/api/v1/waiting-list?status=waiting', null, 200);
  const kariEntry = entries.find(e => e.patient_id === kari);
  assert.equal(kariEntry.priority, 'urgent');
  assert.equal(kariEntry.earliest, '2027-01-01');
  assert.equal(kariEntry.clinician_id, null);
  assert.equal(kariEntry.type_id, type);
  assert.equal(entries.find(e => e.patient_id === ola).clinician_id, clin2);

  // change Ola's: any clinician, a note
  await press(page.getByRole('button', { name: W.editFor('Ola Nordmann') }));
  dlg = page.getByRole('dialog', { name: W.editTitle });
  await dlg.waitFor();
  assert.equal(await focused(), 'wl-type');
  await dlg.getByLabel(W.clinician).selectOption({ label: W.anyone });
  await dlg.getByLabel(W.note).focus();
  await page.keyboard.type('Ønsker ettermiddag');
  await noViolations('change a waiting-list entry');
  await press(dlg.getByRole('button', { name: W.save, exact: true }));
  await dlg.waitFor({ state: 'hidden' });
  await page.getByText('Ønsker ettermiddag').waitFor();
  entries = await srv.api('GET', '/api/v1/waiting-list?status=waiting', null, 200);
  assert.equal(entries.find(e => e.patient_id === ola).clinician_id, null);

  // remove Ola's: asked first; "keep" keeps it
  await press(page.getByRole('button', { name: W.removeFor('Ola Nordmann') }));
  dlg = page.getByRole('dialog', { name: W.removeTitle });
  await dlg.getByText(W.removeText('Ola Nordmann', 'Kontroll')).waitFor();
  assert.equal(await focused(), 'wl-remove-no', 'the safe choice has the focus');
  await shot('remove');
  await noViolations('remove confirmation');
  await press(dlg.getByRole('button', { name: W.keep }));
  await dlg.waitFor({ state: 'hidden' });
  assert.equal((await srv.api('GET', '/api/v1/waiting-list?status=waiting', null, 200)).length, 2);
  await press(page.getByRole('button', { name: W.removeFor('Ola Nordmann') }));
  await page.keyboard.press('Shift+Tab'); // to "remove"
  assert.equal(await focused(), 'wl-remove-yes');
  await page.keyboard.press('Enter');
  await dlg.waitFor({ state: 'hidden' });
  await page.getByText(W.caption(1)).waitFor();
  assert.equal(await focused(), 'wl-caption', 'focus on the list after the removal');
  entries = await srv.api('GET', '/api/v1/waiting-list?status=removed', null, 200);
  assert.deepEqual(entries.map(e => e.patient_id), [ola]);
});

// Open the appointment of patient name on day in the calendar and cancel it.
async function cancelInDialog(name) {
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.reload(); // the same address: drawn afresh, with what the API made meanwhile
  const block = page.locator('.grid .appt', { hasText: name });
  await block.waitFor();
  await press(block);
  const dlg = page.getByRole('dialog');
  await dlg.locator('#appt-cancel').waitFor({ state: 'attached' });
  await press(dlg.locator('summary', { hasText: nb.appt.cancel }));
  await dlg.getByLabel(nb.appt.cancelReason).focus();
  await page.keyboard.type('Behandler på kurs');
  await press(dlg.locator('#appt-cancel'));
  await dlg.getByText(nb.appt.cancelled).waitFor();
  await dlg.locator('#wl-offers').waitFor();
  return dlg;
}

test('cancel, and the freed slot is offered: one click books the waiting patient and invites', async () => {
  // Kari (urgent, Kontroll, anyone, from 1.1.2027) and now Ola again
  await srv.api('POST', '/api/v1/waiting-list', { patient_id: ola, type_id: type }, 201);
  const gone = await srv.api('POST', '/api/v1/appointments', { patient_id: per, clinician_ids: [clin], type_id: type,
    start: `${day}T10:00:00` }, 201);
  const kariEarliest = day < '2027-01-01';
  if (kariEarliest) { // the day of the test is before Kari's earliest: let her wait from today
    const e = (await srv.api('GET', `/api/v1/waiting-list?patient_id=${kari}&status=waiting`, null, 200))[0];
    await srv.api('PATCH', `/api/v1/waiting-list/${e.id}`, { earliest: null }, 200);
  }
  const dlg = await cancelInDialog('Per Hansen');
  const offers = dlg.locator('#wl-offers');
  await offers.getByRole('button', { name: W.bookHere('Kari Nordmann') }).waitFor();
  const order = await offers.locator('li strong').allTextContents();
  assert.deepEqual(order, ['Kari Nordmann', 'Ola Nordmann'], 'urgent first');
  await shot('offer');
  await noViolations('offer of a cancelled slot');
  await press(offers.getByRole('button', { name: W.bookHere('Kari Nordmann') }));
  await offers.locator('.notice', { hasText: 'Kari Nordmann er booket' }).waitFor();
  assert.match(await offers.locator('.notice').textContent(), /innkallingen er sendt/);
  assert.equal(await focused(), 'wl-open-new', 'focus on what comes next');
  assert.equal(await offers.locator('.offer-list').count(), 0, 'the slot is taken: nobody else is offered it');
  await shot('offer-booked');

  const made = (await srv.api('GET', `/api/v1/appointments?patient_id=${kari}`, null, 200))[0];
  assert.equal(made.start, (await srv.api('GET', `/api/v1/appointments/${gone.id}`, null, 200)).start);
  assert.deepEqual(made.clinician_ids, [clin]);
  assert.equal(made.type_id, type);
  assert.equal(made.mode, 'video');
  assert.equal(made.status, 'invited');
  const msgs = await srv.api('GET', `/api/v1/appointments/${made.id}/messages`, null, 200);
  assert.ok(msgs.some(m => m.kind === 'invitation' && m.to === '+4791234567'));
  const entry = (await srv.api('GET', `/api/v1/waiting-list?patient_id=${kari}`, null, 200))[0];
  assert.equal(entry.status, 'booked');
  assert.equal(entry.appointment_id, made.id);
  // the new appointment opens from there
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').locator('#appt-status').getByText(nb.status.invited).waitFor();
});

test('a slot taken meanwhile: the offer says so and books nothing', async () => {
  const gone = await srv.api('POST', '/api/v1/appointments', { patient_id: per, clinician_ids: [clin], type_id: type,
    start: `${day}T13:00:00` }, 201);
  const dlg = await cancelInDialog('Per Hansen');
  const offers = dlg.locator('#wl-offers');
  const book = offers.getByRole('button', { name: W.bookHere('Ola Nordmann') });
  await book.waitFor();
  // someone else takes the time first
  await srv.api('POST', '/api/v1/appointments', { patient_id: kari, clinician_ids: [clin], start: `${day}T13:00:00`,
    duration_minutes: 30 }, 201);
  await press(book);
  await offers.getByText(W.takenMeanwhile).waitFor();
  assert.match(await offers.locator('#wl-offer-problem').textContent(), /Dr\. Ingrid Solheim har allerede en time/);
  await offers.getByText(W.takenHint).waitFor();
  assert.equal(await offers.locator('.offer-list').count(), 0, 'nobody else is offered the taken slot');
  await shot('offer-taken');
  await noViolations('slot taken meanwhile');
  const olaNow = await srv.api('GET', `/api/v1/appointments?patient_id=${ola}`, null, 200);
  assert.equal(olaNow.length, 0);
  assert.equal((await srv.api('GET', `/api/v1/waiting-list?patient_id=${ola}&status=waiting`, null, 200)).length, 1);
  assert.equal((await srv.api('GET', `/api/v1/appointments/${gone.id}`, null, 200)).status, 'cancelled');
});

test('no mobile and no e-mail: the offer booked says nothing went out and gives the link and the letter', async () => {
  const nina = (await srv.api('POST', '/api/v1/patients', { name: 'Nina Utenkontakt', language: 'nb' }, 201)).id;
  await srv.api('POST', '/api/v1/waiting-list', { patient_id: nina, type_id: type }, 201);
  const pal = (await srv.api('POST', '/api/v1/patients', { name: 'Pål Avlyst', phone: '+4790011224' }, 201)).id;
  await srv.api('POST', '/api/v1/appointments', { patient_id: pal, clinician_ids: [clin], type_id: type,
    start: `${day}T14:00:00` }, 201);
  const dlg = await cancelInDialog('Pål Avlyst');
  await press(dlg.locator('#wl-offers').getByRole('button', { name: W.bookHere('Nina Utenkontakt') }));
  // as a single booking: the appointment with what to do, never "sent"
  const view = page.getByRole('dialog').locator('#appt-view');
  const manual = view.locator('#manual');
  await manual.getByRole('heading', { name: nb.inv.manualH }).waitFor();
  assert.equal(await focused(), 'manual-h', 'focus on what happened');
  const made = (await srv.api('GET', `/api/v1/appointments?patient_id=${nina}`, null, 200))[0];
  const said = W.bookedManual('Nina Utenkontakt', 'WHEN').split('WHEN');
  const notice = await view.locator('.notice').textContent();
  assert.ok(notice.startsWith(said[0]) && notice.endsWith(said[1]), notice);
  assert.doesNotMatch(await view.textContent(), /innkallingen er sendt/);
  assert.match(await manual.locator('#manual-link').inputValue(), /\/i\/[A-Za-z0-9_-]{20,}$/);
  await press(manual.getByRole('button', { name: nb.inv.letter }));
  await manual.locator('#letter').waitFor();
  assert.match(await manual.locator('#letter').textContent(), /Nina Utenkontakt/);
  assert.equal((await srv.api('GET', `/api/v1/appointments/${made.id}/messages`, null, 200)).length, 0, 'nothing went out');
  await shot('offer-manual');
  await noViolations('offer booked for a patient with no mobile and no e-mail');
});
