// stats.test.mjs - the statistics view (issue 21) in headless Chromium, on
// the demo clinic's year of history: a manager lands on it and sees
// nothing else; the headline against the target, the monthly chart and
// its table alternative (the same numbers as the API), the breakdowns,
// the opt-out reasons and no-shows; the CSV download; English and
// nynorsk; a secretary finds it in the menu.  axe-core on each, and
// screenshots stats-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startServer, launch, axe, shots, loadTexts, staffPage } from './harness.mjs';

const TEXTS = await loadTexts();
const pageErrors = [];
const DEMO_PASSWORD = 'timebok-demo-2026';
let srv, browser, page;

before(async () => {
  srv = await startServer(['--demo']);
  browser = await launch();
  page = await staffPage(browser, pageErrors);
});

after(async () => {
  assert.deepEqual(pageErrors, [], 'no script errors on the page');
  await browser?.close();
  await srv?.stop();
});

async function shot(name) { await page.screenshot({ path: join(shots, `stats-${name}.png`), fullPage: true }); }
async function noViolations(what) { assert.deepEqual(await axe(page), [], `axe: ${what}`); }

async function login(user) {
  await page.goto(srv.base);
  await page.getByLabel(TEXTS.nb.login.username).fill(user);
  await page.getByLabel(TEXTS.nb.login.password).fill(DEMO_PASSWORD);
  await page.keyboard.press('Enter');
}

test('texts: the statistics have the same keys in bokmål, nynorsk and English', () => {
  const keys = o => Object.keys(o).sort();
  assert.deepEqual(keys(TEXTS.nn.stats), keys(TEXTS.nb.stats));
  assert.deepEqual(keys(TEXTS.en.stats), keys(TEXTS.nb.stats));
});

test('a manager lands on the statistics and sees nothing else', async () => {
  const nb = TEXTS.nb.stats;
  await login('leder');
  await page.locator('#stats-chart').waitFor();
  assert.equal(await page.locator('h1').textContent(), nb.title);
  assert.equal(await page.locator('#user').textContent(), `leder (${nb.role})`);
  assert.equal(await page.locator('#nav-stats').isVisible(), true);
  for (const id of ['#nav-calendar', '#nav-day', '#nav-queue'])
    assert.equal(await page.locator(id).isVisible(), false, id);
  // the headline: the period's share by video against the target, with the trend
  assert.match(await page.locator('#stats-share').textContent(), /^\d+(,\d)?\s%$/);
  assert.match(await page.locator('#stats-target').textContent(), /^Mål: \d+(,\d)? %/);
  assert.match(await page.locator('#stats-trend').textContent(), /^[▲▼■] (Opp|Ned|Uendret) .* (fra forrige periode|de siste tre månedene mot de tre før)$/);
  // the breakdowns, opt-out reasons and no-shows are there, small cells as "<5"
  for (const id of ['#stats-by-clinician', '#stats-by-type', '#stats-by-age', '#stats-reasons', '#stats-no-shows'])
    await page.locator(id).waitFor();
  assert.equal(await page.locator('#stats-reasons tbody tr').count(), 6);
  // the demo's oldest patients meet by video far less: their band is marked
  const marked = page.locator('#stats-by-age tr.far-below');
  assert.equal(await marked.count(), 1);
  assert.match(await marked.textContent(), new RegExp(`^80\\+ ⚠ ${TEXTS.nb.stats.farBelow}`));
  await page.locator('#stats-small').waitFor();
  await shot('manager-nb');
  await noViolations('statistics, bokmål');
});

test('the chart\'s table alternative holds the API\'s numbers', async () => {
  const hash = new URL(page.url()).hash;
  // the pickers show Norwegian dates (dd.mm.åååå), whatever the browser's locale
  const iso = v => { const [d, m, y] = v.split('.'); return `${y}-${m}-${d}`; };
  const from = iso(await page.locator('#s-from').inputValue());
  const to = iso(await page.locator('#s-to').inputValue());
  assert.match(from, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(hash, '#/stats');
  // the chart is an image with a summary for screen readers
  const label = await page.locator('#stats-chart').getAttribute('aria-label');
  assert.match(label, /^Videoandel per måned, \d+ måneder\. Siste: /);
  await page.getByText(TEXTS.nb.stats.asTable).click();
  const rows = page.locator('#stats-trend-table tbody tr');
  const api = await page.evaluate(async q => (await fetch(`/api/v1/statistics?${q}`)).json(),
    `from=${from}&to=${to}&group_by=month`);
  assert.equal(await rows.count(), api.rows.length);
  const last = api.rows[api.rows.length - 1];
  const cells = await rows.nth(api.rows.length - 1).locator('th, td').allTextContents();
  const pct = v => (v === null ? '–' : new Intl.NumberFormat('nb-NO', { style: 'percent', maximumFractionDigits: 1 }).format(v));
  assert.equal(cells[1], pct(last.video_share));
  assert.equal(cells[2], pct(last.digital_share));
  await page.locator('#stats-trend-table').scrollIntoViewIfNeeded();
  await shot('table-nb');
  await noViolations('statistics with the table open');
});

test('the CSV download', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#s-csv').click()]);
  assert.match(download.suggestedFilename(), /^timebok-statistikk-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /^key,name,booked_video,booked_in_person,booked_phone,held_video,/);
  assert.match(text, /\r\ntotal,/);
  assert.doesNotMatch(text, /Nordmann|patient_id/);
});

test('a unit picked, in English and nynorsk', async () => {
  await page.locator('#s-unit').selectOption({ label: 'Psykisk helsevern, DPS' });
  await page.getByRole('button', { name: TEXTS.nb.stats.show }).click();
  await page.waitForURL(/unit=2/);
  await page.locator('#stats-target').getByText('Mål: 30 %').waitFor();
  await page.locator('#lang').selectOption('en');
  await page.getByRole('heading', { name: TEXTS.en.stats.title }).waitFor();
  await page.locator('#stats-chart').waitFor();
  assert.match(await page.locator('#stats-target').textContent(), /^Target: 30 %/);
  assert.match(await page.locator('#stats-chart').getAttribute('aria-label'), /^Video share by month/);
  await shot('unit-en');
  await noViolations('statistics, English');
  await page.locator('#lang').selectOption('nn');
  await page.getByRole('heading', { name: TEXTS.nn.stats.title }).waitFor();
  await page.locator('#stats-chart').waitFor();
  assert.equal(await page.locator('#stats-reasons caption').textContent(), TEXTS.nn.stats.reasons);
  await shot('unit-nn');
  await noViolations('statistics, nynorsk');
  await page.locator('#lang').selectOption('nb');
});

test('a secretary finds the statistics in the menu', async () => {
  await page.getByRole('button', { name: TEXTS.nb.app.logout }).click();
  await login('sekretaer');
  await page.locator('.grid').waitFor();
  await page.getByRole('link', { name: TEXTS.nb.stats.menu }).click();
  await page.locator('#stats-chart').waitFor();
  assert.equal(await page.locator('#stats-small').count(), 0); // exact numbers for staff
  await shot('secretary-nb');
  await noViolations('statistics as a secretary');
});
