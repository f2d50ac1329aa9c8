// perf_marks.test.mjs - the staff app's Performance API marks, which the
// benchmark reads (tests/bench/browser.mjs): timebok:unit-day-drawn once the
// secretary's calendar has drawn its first unit day, timebok:day-list-drawn
// once the clinician's day list has drawn its first list; each set once per
// page load (a refresh or another view adds none), neither before its view
// has drawn.  The demo clinic in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, staffPage, osloNow } from './harness.mjs';
import { login } from './setup_steps.mjs';

const PASSWORD = 'timebok-demo-2026';
const pageErrors = [];
let srv, browser;

before(async () => {
  srv = await startServer(['--demo']);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  assert.deepEqual(pageErrors, []);
});

const count = (page, name) => page.evaluate(n => performance.getEntriesByName(n).length, name);

test('the unit day marks its first draw, once', async () => {
  const page = await staffPage(browser, pageErrors);
  // what the page had drawn when each mark was set
  await page.addInitScript(() => {
    window.markSeen = {};
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) {
        window.markSeen[e.name] = { grid: !!document.querySelector('#board .grid'),
          list: document.querySelectorAll('#daylist > li').length };
      }
    }).observe({ type: 'mark' });
  });
  await page.goto(srv.base);
  assert.equal(await count(page, 'timebok:unit-day-drawn'), 0, 'no mark on the login page');
  await login(page, srv.base, 'sekretaer', PASSWORD);
  await page.evaluate(d => { location.hash = `#/calendar/day/${d}`; }, osloNow().date);
  await page.waitForFunction(() => performance.getEntriesByName('timebok:unit-day-drawn').length === 1);
  const drawn = await page.evaluate(() => ({
    grid: !!document.querySelector('#board .grid'), rendered: document.getElementById('board').dataset.rendered,
    at: performance.getEntriesByName('timebok:unit-day-drawn')[0].startTime,
  }));
  assert.ok(drawn.grid && drawn.rendered !== undefined);
  await page.waitForFunction(() => window.markSeen['timebok:unit-day-drawn']);
  assert.ok((await page.evaluate(() => window.markSeen['timebok:unit-day-drawn'])).grid,
    'the grid was drawn when the mark was set');
  assert.ok(drawn.at > 0);
  // a refresh draws again, the week view draws another view: no second mark
  await page.evaluate(() => { document.getElementById('board').dataset.rendered = 'x'; window.dispatchEvent(new Event('timebok:changed')); });
  await page.waitForFunction(() => document.getElementById('board').dataset.rendered !== 'x');
  await page.evaluate(d => { location.hash = `#/calendar/week/${d}`; }, osloNow().date);
  await page.locator('#board .grid').waitFor();
  assert.equal(await count(page, 'timebok:unit-day-drawn'), 1);
  assert.equal(await count(page, 'timebok:day-list-drawn'), 0, 'the calendar sets only its own mark');
  await page.context().close();
});

test("the clinician's day list marks its first draw, once", async () => {
  const page = await staffPage(browser, pageErrors);
  await login(page, srv.base, 'lege1', PASSWORD);
  await page.waitForFunction(() => performance.getEntriesByName('timebok:day-list-drawn').length === 1);
  assert.ok(await page.evaluate(() => document.querySelectorAll('#daylist > li').length > 0),
    'the list is drawn when the mark is set');
  // the next refresh (as the 30 s poll does, and after any change) adds none
  await page.evaluate(() => window.dispatchEvent(new Event('timebok:changed')));
  await page.locator('#day-status').filter({ hasText: /\d/ }).waitFor();
  await page.waitForTimeout(300);
  assert.equal(await count(page, 'timebok:day-list-drawn'), 1);
  assert.equal(await count(page, 'timebok:unit-day-drawn'), 0);
  await page.context().close();
});

// index.html preloads every module of the staff app, so a cold load fetches
// them at once instead of one import level after another; a new module left
// out of the list would load late again.
test('index.html preloads every module the app imports', async () => {
  const { readFile, readdir } = await import('node:fs/promises');
  const dir = new URL('../../static/', import.meta.url);
  const html = await readFile(new URL('index.html', dir), 'utf8');
  const listed = [...html.matchAll(/<link rel="modulepreload" href="(\/[a-z_/]+\.js)">/g)]
    .map(m => m[1]).sort();
  const imported = new Set();
  for (const f of await readdir(new URL('js/', dir))) {
    const src = await readFile(new URL(`js/${f}`, dir), 'utf8');
    for (const m of src.matchAll(/from '(\.\.?)\/([a-z_]+\.js)'/g))
      imported.add(m[1] === '.' ? `/js/${m[2]}` : `/${m[2]}`);
  }
  assert.deepEqual(listed, [...imported].sort());
});
