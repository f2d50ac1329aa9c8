// texts_load.test.mjs - the staff app loads the texts of the language it
// shows, not of all three (static/js/texts_nb.js, texts_nn.js,
// texts_en.js; lib.js): bokmål alone in a bokmål page; another language
// imported when chosen, and at the next load asked for at once (early.js)
// and in place before the first draw; a language whose texts do not
// arrive leaves the page as it was and says so.  The demo clinic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launch, staffPage, shots, loadTexts, osloNow, TEXT_LANGS } from './harness.mjs';
import { login } from './setup_steps.mjs';

const TEXTS = await loadTexts();
const js = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'static', 'js');
const PASSWORD = 'timebok-demo-2026';
const pageErrors = [];
let srv, browser, page;
const asked = []; // the texts modules the page asked for, in order

before(async () => {
  srv = await startServer(['--demo']);
  browser = await launch();
  page = await staffPage(browser, pageErrors);
  page.on('request', r => { const m = r.url().match(/\/js\/(texts[^/?]*\.js)/); if (m) asked.push(m[1]); });
});
after(async () => {
  await page?.context().close();
  await browser?.close();
  await srv?.stop();
  assert.deepEqual(pageErrors, []);
});

// What the page asks for from now on, and the day's board drawn in it.
const fresh = () => { asked.length = 0; };
const boardDrawn = () => page.waitForFunction(() => document.querySelector('#board .grid'));

test('texts: one module a language, and only lib.js imports them', () => {
  const files = readdirSync(js).filter(f => /^texts/.test(f)).sort();
  assert.deepEqual(files, TEXT_LANGS.map(l => `texts_${l}.js`).sort());
  for (const f of readdirSync(js).filter(f => f.endsWith('.js') && f !== 'lib.js')) {
    assert.doesNotMatch(readFileSync(join(js, f), 'utf8'), /from '\.\/texts|import\(`?'?\.\/texts/, `${f} imports texts itself`);
  }
  const lib = readFileSync(join(js, 'lib.js'), 'utf8');
  assert.match(lib, /^import nb from '\.\/texts_nb\.js';$/m, 'bokmål comes with lib.js');
  assert.doesNotMatch(lib, /from '\.\/texts_(nn|en)\.js'/, 'no other language is a static import');
});

test('a bokmål page loads the bokmål texts alone', async () => {
  fresh();
  await login(page, srv.base, 'sekretaer', PASSWORD);
  await page.evaluate(d => { location.hash = `#/calendar/day/${d}`; }, osloNow().date);
  await boardDrawn();
  await page.waitForLoadState('networkidle');
  assert.deepEqual(asked, ['texts_nb.js']);
  assert.equal(await page.locator('#nav-calendar').textContent(), TEXTS.nb.app.calendar);
});

test('choosing English imports its texts then, and draws in English', async () => {
  fresh();
  await page.locator('#lang').selectOption('en');
  await page.locator('#nav-calendar').filter({ hasText: TEXTS.en.app.calendar }).waitFor();
  assert.deepEqual(asked, ['texts_en.js']);
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#lang-label').textContent(), TEXTS.en.app.language);
  // and back to bokmål: here already, nothing asked
  fresh();
  await page.locator('#lang').selectOption('nb');
  await page.locator('#nav-calendar').filter({ hasText: TEXTS.nb.app.calendar }).waitFor();
  assert.deepEqual(asked, []);
});

test('a page loaded in nynorsk asks for its texts at once and draws in nynorsk from the first draw', async () => {
  await page.locator('#lang').selectOption('nn');
  await page.locator('#nav-calendar').filter({ hasText: TEXTS.nn.app.calendar }).waitFor();
  fresh();
  // what the first drawn board said, and whether early.js asked for the texts
  await page.addInitScript(() => {
    new PerformanceObserver(list => {
      if (list.getEntriesByName('timebok:unit-day-drawn').length) {
        window.firstDraw = { lang: document.documentElement.lang, nav: document.getElementById('nav-calendar').textContent,
          h1: document.querySelector('#main h1')?.textContent };
      }
    }).observe({ type: 'mark' });
  });
  await page.reload();
  await boardDrawn();
  await page.waitForFunction(() => window.firstDraw);
  const first = await page.evaluate(() => window.firstDraw);
  assert.equal(first.lang, 'nn');
  assert.equal(first.nav, TEXTS.nn.app.calendar);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(asked.slice().sort(), ['texts_nb.js', 'texts_nn.js'], 'bokmål (the fall-back) and nynorsk, not English');
  assert.equal(await page.locator('link[rel=modulepreload][href="/js/texts_nn.js"]').count(), 1, 'early.js asked for it');
  await page.screenshot({ path: join(shots, 'texts-load-nn.png') });
});

test('a language whose texts do not arrive: the page stays as it was and says so', async () => {
  // nynorsk now; English is not in this page yet (reloaded), and cannot come
  await page.route('**/js/texts_en.js', r => r.abort());
  await page.locator('#lang').selectOption('en');
  await page.locator('#toast').filter({ hasText: TEXTS.nn.err.network }).waitFor();
  assert.equal(await page.locator('#lang').inputValue(), 'nn');
  assert.equal(await page.locator('html').getAttribute('lang'), 'nn');
  assert.equal(await page.locator('#nav-calendar').textContent(), TEXTS.nn.app.calendar);
  assert.equal(await page.evaluate(() => localStorage.getItem('timebok.lang')), 'nn');
  // once it can, the choice works
  await page.unroute('**/js/texts_en.js');
  await page.locator('#lang').selectOption('en');
  await page.locator('#nav-calendar').filter({ hasText: TEXTS.en.app.calendar }).waitFor();
  await page.locator('#lang').selectOption('nb');
  await page.locator('#nav-calendar').filter({ hasText: TEXTS.nb.app.calendar }).waitFor();
});
