// secretary.mjs - what the secretary's browser tests of series.test.mjs
// and waiting.test.mjs share: a fresh server with a secretary account and
// a 1280x800 page (setUp fills the rest of the clinic through the API),
// no script errors on the page at the end, screenshots named by the test
// file, axe-core, keys pressed on a focused control (keyboard only), and
// the keys of a texts section.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launch, axe, shots, staffPage } from './harness.mjs';

export const SECRETARY = ['sekretaer', 'sekretaer-passord-2026'];

// The fixture of a test file: ctx.srv, ctx.browser and ctx.page are set
// before setUp(ctx) runs; shots are saved as `${prefix}-NAME.png`.
export function secretaryFixture(prefix, setUp) {
  const ctx = { pageErrors: [] };
  before(async () => {
    ctx.srv = await startServer();
    ctx.browser = await launch();
    await ctx.srv.api('POST', '/api/v1/users', { username: SECRETARY[0], role: 'secretary', password: SECRETARY[1] }, 201);
    ctx.page = await staffPage(ctx.browser, ctx.pageErrors);
    await setUp(ctx);
  });
  after(async () => {
    assert.deepEqual(ctx.pageErrors, [], 'no script errors on the page');
    await ctx.browser?.close();
    await ctx.srv?.stop();
  });
  ctx.shot = name => ctx.page.screenshot({ path: join(shots, `${prefix}-${name}.png`), fullPage: true });
  ctx.noViolations = async what => assert.deepEqual(await axe(ctx.page), [], `axe: ${what}`);
  // key on locator, focused first: no mouse
  ctx.press = async (locator, key = 'Enter') => { await locator.focus(); await ctx.page.keyboard.press(key); };
  return ctx;
}

// Every key of a texts object, dotted, sorted.
export const textKeys = (o, p = '') => Object.entries(o).flatMap(([k, v]) =>
  (v && typeof v === 'object' ? textKeys(v, `${p}${k}.`) : [`${p}${k}`])).sort();
