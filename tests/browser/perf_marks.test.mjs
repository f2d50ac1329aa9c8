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
  // the mark may come from the view the login opened (a secretary's
  // calendar), whose board the address set above then replaces: wait for
  // that one's draw too
  await page.waitForFunction(() => document.querySelector('#board .grid') &&
    document.getElementById('board').dataset.rendered !== undefined);
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

// index.html loads, at once, every module the app's entry modules import
// (modulepreload, or a script of its own), so a cold load fetches them
// together instead of one import level after another; the modules of the
// other views are imported when first shown (import()) and so not
// preloaded, or a cold load would compile them before drawing.  A new
// static import left out of the list would load late again; each module
// imported later must exist.
test('index.html preloads exactly the modules the app imports before drawing', async () => {
  const { readFile } = await import('node:fs/promises');
  const { existsSync } = await import('node:fs');
  const dir = new URL('../../static/', import.meta.url);
  const html = await readFile(new URL('index.html', dir), 'utf8');
  const entries = [...html.matchAll(/<script type="module"(?: async fetchpriority="high")? src="(\/[a-z_/]+\.js)"><\/script>/g)].map(m => m[1]);
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="(\/[a-z_/]+\.js)">/g)].map(m => m[1]);
  assert.deepEqual(entries, ['/js/early.js', '/js/app.js']);
  const resolve = (from, rel) => new URL(rel, `http://x${from}`).pathname;
  const imported = new Set(), later = new Set();
  const walk = async file => {
    const src = await readFile(new URL(file.slice(1), dir), 'utf8');
    for (const m of src.matchAll(/import\('(\.\.?\/[a-z_]+\.js)'\)/g)) later.add(resolve(file, m[1]));
    for (const m of src.matchAll(/from '(\.\.?\/[a-z_]+\.js)'/g)) {
      const dep = resolve(file, m[1]);
      if (!imported.has(dep)) { imported.add(dep); await walk(dep); }
    }
  };
  for (const e of entries) await walk(e);
  assert.deepEqual([...preloaded].sort(), [...imported].filter(f => !entries.includes(f)).sort());
  for (const f of later) assert.ok(existsSync(new URL(f.slice(1), dir)), `${f} (imported later) exists`);
  for (const f of ['/js/admin.js', '/js/stats.js', '/js/book.js', '/js/appt.js'])
    assert.ok(later.has(f) && !imported.has(f), `${f} is loaded when first used`);
});
