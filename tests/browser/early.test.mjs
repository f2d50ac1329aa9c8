// early.test.mjs - the staff app's first reads (static/js/early.js): index.html
// preloads /me and early.js asks, from its answer, for what the address will
// show, before the modules are loaded.  On a load of each view every answer
// asked for early is taken by the view, in place of the request it would
// have sent (so nothing more is read, and audited, than before), /me is
// asked for once (the preload is the answer early.js takes), and the page
// is drawn as before.  The
// views other than the calendar and the day list are modules loaded when
// first shown: one that arrives after the user has gone on is not drawn.
// The demo clinic in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, staffPage, osloNow } from './harness.mjs';
import { login } from './setup_steps.mjs';

const PASSWORD = 'timebok-demo-2026';
const pageErrors = [];
let srv, browser;
const contexts = {};

before(async () => {
  srv = await startServer(['--demo']);
  browser = await launch();
  for (const user of ['sekretaer', 'lege1', 'admin']) {
    const page = await staffPage(browser, pageErrors);
    await login(page, srv.base, user, PASSWORD);
    contexts[user] = page.context();
    await page.close();
  }
});
after(async () => {
  for (const c of Object.values(contexts)) await c.close();
  await browser?.close();
  await srv?.stop();
  assert.deepEqual(pageErrors, []);
});

// A load of hash in a new page of context (the session's cookie, nothing
// of the app in memory) until drawn(page); the API requests it sent and
// the answers early.js asked for that no view took.
async function load(context, hash, drawn) {
  const page = await context.newPage();
  page.on('pageerror', e => pageErrors.push(e.message));
  const asked = [];
  page.on('request', r => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/v1/')) asked.push(`${r.method()} ${u.pathname.slice(7)}${u.search}`);
  });
  await page.goto(`${srv.base}/${hash}`);
  await drawn(page);
  await page.waitForTimeout(200); // anything asked for late would show now
  const untaken = await page.evaluate(async () => (await import('/js/early.js')).untaken());
  return { page, asked, untaken };
}

const once = asked => asked.filter((r, i) => asked.indexOf(r) !== i);
const boardDrawn = page => page.waitForFunction(() => performance.getEntriesByName('timebok:unit-day-drawn').length === 1);
const listDrawn = page => page.waitForFunction(() => performance.getEntriesByName('timebok:day-list-drawn').length === 1);

test("the secretary's unit day: the board and the directory asked for early and taken, each once", async () => {
  const today = osloNow().date;
  const { page, asked, untaken } = await load(contexts.sekretaer, `#/calendar/day/${today}?unit=1`, boardDrawn);
  assert.deepEqual(untaken, []);
  assert.deepEqual(once(asked), [], `asked twice: ${asked.join(', ')}`);
  for (const r of ['GET /me', `GET /appointments/board?date=${today}&unit_id=1`, 'GET /work-queue/count',
    'GET /clinicians?active=true&limit=1000', 'GET /units?active=true&limit=1000'])
    assert.ok(asked.includes(r), `${r} in ${asked.join(', ')}`);
  assert.ok(await page.locator('#board .grid').isVisible());
  // the booking form and an appointment still open from the board
  await page.locator('#new-booking').click();
  await page.locator('dialog[open]').waitFor();
  await page.keyboard.press('Escape');
  await page.close();
});

// (the admin's home reads the directory again for its checklist, and the
// work queue reads its list beside the menu's count: as before, so only
// /me is counted there)
test('the home page of a secretary, and of an admin, read early what they show', async () => {
  for (const user of ['sekretaer', 'admin']) {
    const { page, asked, untaken } = await load(contexts[user], '', p => p.locator('#main h1').first().waitFor());
    await page.waitForTimeout(300);
    assert.deepEqual(untaken, [], user);
    assert.equal(asked.filter(r => r === 'GET /me').length, 1, user);
    await page.close();
  }
});

test('a view without early data of its own takes the directory and the count', async () => {
  const { page, asked, untaken } = await load(contexts.sekretaer, '#/queue',
    p => p.locator('#queue').waitFor());
  assert.deepEqual(untaken, []);
  assert.equal(asked.filter(r => r === 'GET /me').length, 1);
  await page.close();
});

test("the clinician's day list: their day asked for early and taken, once", async () => {
  const today = osloNow().date;
  for (const hash of [`#/day/${today}`, '']) {
    const { page, asked, untaken } = await load(contexts.lege1, hash, listDrawn);
    assert.deepEqual(untaken, [], hash);
    assert.deepEqual(once(asked), [], `asked twice: ${asked.join(', ')}`);
    assert.ok(asked.some(r => r.startsWith('GET /clinicians/') && r.endsWith(`/day?date=${today}`)), asked.join(', '));
    assert.ok(!asked.some(r => r.startsWith('GET /clinicians?')), 'a clinician reads no directory');
    await page.close();
  }
});

test('logged out: only /me is asked for, then the login', async () => {
  const page = await staffPage(browser, pageErrors);
  const asked = [];
  page.on('request', r => { if (r.url().includes('/api/v1/')) asked.push(new URL(r.url()).pathname); });
  await page.goto(srv.base);
  await page.locator('#username').waitFor();
  await page.waitForTimeout(200);
  assert.deepEqual(asked.filter(p => p !== '/api/v1/session/options'), ['/api/v1/me']); // the login asks for its options
  // and logging in there reads afresh (nothing early is left for another person)
  await login(page, srv.base, 'lege1', PASSWORD);
  await page.locator('#daylist li').first().waitFor();
  await page.context().close();
});

test('a view whose module comes after the user went on is not drawn', async () => {
  const page = await contexts.sekretaer.newPage();
  page.on('pageerror', e => pageErrors.push(e.message));
  await page.route('**/js/stats.js', async route => { await new Promise(r => setTimeout(r, 800)); await route.continue(); });
  await page.goto(`${srv.base}/#/calendar`);
  await boardDrawn(page);
  await page.evaluate(() => { location.hash = '#/stats'; });
  await page.waitForTimeout(50);
  await page.evaluate(() => { location.hash = '#/calendar'; });
  await page.waitForTimeout(1500); // stats.js has come meanwhile
  assert.ok(await page.locator('#board .grid').isVisible(), 'the calendar stays');
  assert.equal(await page.locator('#stats').count(), 0, 'no statistics drawn over it');
  // and going there again draws it
  await page.evaluate(() => { location.hash = '#/stats'; });
  await page.locator('#stats').waitFor();
  await page.close();
});
