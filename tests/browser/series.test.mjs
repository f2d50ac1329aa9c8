// series.test.mjs - a follow-up series from the booking form, keyboard
// only: "every week, 3 times" with the second occurrence colliding with
// another appointment of the clinician.  Nothing is written until every
// occurrence is shown with its date, time and state; the colliding one
// says why, is moved to a free time of its week offered from the slots,
// one is skipped and taken back, then all three are booked as one series
// and each invited (checked through the API: three appointments with one
// series_id, none at the taken time, each with an invitation queued).
// axe-core on the form and the review; screenshots looked at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTexts, workday } from './harness.mjs';
import { secretaryFixture, textKeys, SECRETARY } from './secretary.mjs';
import { login } from './setup_steps.mjs';

const TEXTS = await loadTexts();
const nb = TEXTS.nb;
const S = nb.series;
let srv, page, unit, clin, kari, ola, day, taken;

const addDays = (d, n) => new Date(Date.parse(`${d}T12:00:00Z`) + n * 86400e3).toISOString().slice(0, 10);
// the first working day after d (day + 1 was a Saturday when day was a Friday)
const nextWorkday = d => {
  let n = addDays(d, 1);
  while ([0, 6].includes(new Date(`${n}T12:00:00Z`).getUTCDay())) n = addDays(n, 1);
  return n;
};

const T = secretaryFixture('series', async ctx => {
  ({ srv, page } = ctx);
  unit = (await srv.api('POST', '/api/v1/units', { name: 'Medisinsk poliklinikk' }, 201)).id;
  clin = (await srv.api('POST', '/api/v1/clinicians', { name: 'Dr. Ingrid Solheim', profession: 'lege', unit_id: unit }, 201)).id;
  await srv.api('PUT', `/api/v1/clinicians/${clin}/hours`, [1, 2, 3, 4, 5].map(weekday => ({ weekday, start: '08:00', end: '15:30' })), 200);
  kari = (await srv.api('POST', '/api/v1/patients', { name: 'Kari Nordmann', phone: '+4791234567', language: 'nb' }, 201)).id;
  ola = (await srv.api('POST', '/api/v1/patients', { name: 'Ola Nordmann', phone: '+4798765432' }, 201)).id;
  day = workday(3);
  // the clinician is taken a week later at 09:00
  taken = await srv.api('POST', '/api/v1/appointments', { patient_id: ola, clinician_ids: [clin],
    start: `${addDays(day, 7)}T09:00:00`, duration_minutes: 30 }, 201);
});
const { shot, noViolations, press } = T;

test('texts: the series keys in nb, nn and en', () => {
  assert.deepEqual(textKeys(TEXTS.en.series), textKeys(S));
  assert.deepEqual(textKeys(TEXTS.nn.series), textKeys(S));
});

test('a series: each occurrence checked, the colliding one moved, all booked and invited', async () => {
  await login(page, srv.base, ...SECRETARY);
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.locator('.col-head').first().waitFor();
  await press(page.getByRole('button', { name: nb.cal.book }));
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  await page.keyboard.type('Kari');
  await page.getByRole('option', { name: /Kari Nordmann/ }).waitFor();
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-chosen').getByText('Kari Nordmann').waitFor();
  await press(dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }), 'Space');
  await dlg.getByLabel(nb.book.date).fill(day);
  await dlg.getByLabel(nb.book.time).fill('09:00');
  assert.equal(await dlg.getByRole('checkbox', { name: nb.book.inviteNow }).isChecked(), true);

  // the repeat: ticked with the keyboard, its fields follow; a bad number is said at the field
  await press(dlg.getByRole('checkbox', { name: S.repeat }), 'Space');
  const every = dlg.getByLabel(S.every);
  await every.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-series-every');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0');
  await press(dlg.getByRole('button', { name: S.check }));
  await dlg.getByText(S.badEvery).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-series-every');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  assert.equal(await dlg.getByText(S.badEvery).count(), 0, 'a correction clears the complaint');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('3');
  await shot('form');
  await noViolations('booking form with a series');
  await press(dlg.getByRole('button', { name: S.check }));

  // every occurrence before anything is written: the second is taken, and says why
  const review = dlg.locator('#series-review');
  await review.getByRole('heading', { name: S.title(3) }).waitFor();
  assert.equal(await review.locator('li.series-occ').count(), 3);
  assert.equal(await review.locator('li.series-occ.bad').count(), 1);
  const second = review.locator('#series-occ-1');
  assert.match(await second.textContent(), /09:00–09:30/);
  await second.getByText(S.why.clinician_busy('Dr. Ingrid Solheim')).waitFor();
  assert.equal(await review.locator('#series-summary').textContent(), S.someBad(1));
  assert.equal(await review.locator('#series-book').isDisabled(), true);
  assert.equal((await srv.api('GET', `/api/v1/appointments?patient_id=${kari}`, null, 200)).length, 0);
  await shot('review');
  await noViolations('series review');
  // back to the form, as typed, and checked again
  await press(review.getByRole('button', { name: S.back }));
  await review.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'bk-series');
  assert.equal(await dlg.getByLabel(S.count).inputValue(), '3');
  await press(dlg.getByRole('button', { name: S.check }));
  await review.getByRole('heading', { name: S.title(3) }).waitFor();

  // another time that week, nearest first, from the keyboard
  await press(second.getByRole('button', { name: S.move }));
  await second.getByText(S.nearest).waitFor();
  const offered = await second.locator('.slot-list button').allTextContents();
  assert.ok(offered.length > 0);
  assert.equal(await page.evaluate(() => document.activeElement.closest('.slot-list') !== null), true, 'focus on the first time offered');
  await shot('times');
  await noViolations('times offered');
  await page.keyboard.press('Enter');
  await review.getByText(S.allOk(3)).waitFor();
  assert.match(await review.locator('.notice').textContent(), /Time 2 er flyttet til/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'series-occ-1-move', 'focus stays at the occurrence');
  const moved = await second.locator('.series-when').textContent();
  assert.doesNotMatch(moved, /09:00–09:30/);

  // a skip, then taken back
  await press(review.locator('#series-occ-2-skip'));
  await review.getByText(S.skippedOne(3)).waitFor();
  assert.equal(await review.locator('#series-book').textContent(), S.book(2));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'series-occ-2-skip');
  await page.keyboard.press('Enter');
  await review.getByText(S.takenBack(3)).waitFor();
  assert.equal(await review.locator('#series-book').textContent(), S.book(3));
  await shot('ready');

  await press(review.locator('#series-book'));
  await dlg.waitFor({ state: 'hidden' });
  await page.getByText(S.doneInvited(3, 'Kari Nordmann')).waitFor();

  // the server: one series of three, the taken time avoided, each invited
  const booked = await srv.api('GET', `/api/v1/appointments?patient_id=${kari}`, null, 200);
  assert.equal(booked.length, 3);
  assert.equal(new Set(booked.map(a => a.series_id)).size, 1);
  assert.ok(booked[0].series_id);
  assert.deepEqual(booked.map(a => a.start.slice(0, 10)), [day, addDays(day, 7), addDays(day, 14)]);
  assert.notEqual(booked[1].start.slice(11, 16), '09:00');
  assert.equal(booked[0].start.slice(11, 16), '09:00');
  for (const a of booked) {
    assert.equal(a.status, 'invited');
    const msgs = await srv.api('GET', `/api/v1/appointments/${a.id}/messages`, null, 200);
    assert.ok(msgs.some(m => m.kind === 'invitation' && m.channel === 'sms'), `an invitation for ${a.start}`);
  }
  const still = await srv.api('GET', `/api/v1/appointments/${taken.id}`, null, 200);
  assert.equal(still.status, 'booked');
});

test('a series for a patient with no mobile and no e-mail: nothing went out, said with the dates, the first open with its link and letter', async () => {
  const nina = (await srv.api('POST', '/api/v1/patients', { name: 'Nina Utenkontakt', language: 'nb' }, 201)).id;
  await page.goto(`${srv.base}/#/calendar/day/${day}?unit=${unit}`);
  await page.reload();
  await page.locator('.col-head').first().waitFor();
  await press(page.getByRole('button', { name: nb.cal.book }));
  const dlg = page.getByRole('dialog', { name: nb.book.title });
  await dlg.waitFor();
  await page.keyboard.type('Nina');
  await page.getByRole('option', { name: /Nina Utenkontakt/ }).waitFor();
  await page.keyboard.press('Enter');
  await dlg.locator('#bk-chosen').getByText('Nina Utenkontakt').waitFor();
  await press(dlg.getByRole('checkbox', { name: /Dr\. Ingrid Solheim/ }), 'Space');
  await dlg.getByLabel(nb.book.date).fill(nextWorkday(day));
  await dlg.getByLabel(nb.book.time).fill('11:00');
  await press(dlg.getByRole('checkbox', { name: S.repeat }), 'Space');
  await dlg.getByLabel(S.every).fill('1');
  await dlg.getByLabel(S.count).fill('2');
  await press(dlg.getByRole('button', { name: S.check }));
  const review = dlg.locator('#series-review');
  await review.getByText(S.allOk(2)).waitFor();
  await press(review.locator('#series-book'));

  // never "sent": the appointment opens with the link and the letter
  const view = page.getByRole('dialog').locator('#appt-view');
  const manual = view.locator('#manual');
  await manual.getByRole('heading', { name: nb.inv.manualH }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'manual-h');
  const booked = await srv.api('GET', `/api/v1/appointments?patient_id=${nina}`, null, 200);
  assert.equal(booked.length, 2);
  const notice = await view.locator('.notice').textContent();
  const said = S.doneManual(2, 'Nina Utenkontakt', 'WHEN').split('WHEN');
  assert.ok(notice.startsWith(said[0]) && notice.endsWith(said[1]), notice);
  assert.equal(notice.match(/11:00/g)?.length, 2, `both dates named: ${notice}`);
  assert.doesNotMatch(await page.locator('body').textContent(), /innkallingene er sendt/);
  for (const a of booked)
    assert.equal((await srv.api('GET', `/api/v1/appointments/${a.id}/messages`, null, 200)).length, 0, 'nothing went out');
  await press(manual.getByRole('button', { name: nb.inv.letter }));
  await manual.locator('#letter').waitFor();
  await shot('manual');
  await noViolations('series booked for a patient with no mobile and no e-mail');
});
