// harness.mjs - what the browser tests share: the real timebok binary on a
// loopback port it picks (127.0.0.1:0, read back from --port-file) with a
// fresh database, a logged-in staff API client, and Debian's chromium
// through playwright-core (never a downloaded browser).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, mkdirSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
const bin = process.env.TIMEBOK_BIN || join(root, 'build', 'timebok');
export const shots = join(here, 'screenshots');
const PASSWORD = 'correct horse battery staple';

const sleep = ms => new Promise(r => setTimeout(r, ms));

export async function startServer(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'timebok-browser-'));
  const db = join(dir, 't.db');
  const portFile = join(dir, 'port');
  // --demo fills only an empty database (it refuses one with accounts) and
  // brings its own admin, with the demo's password
  const demo = extra.includes('--demo');
  if (!demo) {
    const add = spawnSync(bin, ['user', 'add', '--db', db, '--username', 'admin', '--role', 'admin',
      '--password-cost', 'min'], { input: `${PASSWORD}\n` });
    if (add.status !== 0) throw new Error(`user add failed: ${add.stderr}`);
  }
  const proc = spawn(bin, ['--db', db, '--listen', '127.0.0.1:0', '--port-file', portFile,
    '--static-dir', join(root, 'static'), '--password-cost', 'min', ...extra],
  { stdio: ['ignore', 'ignore', openSync(join(dir, 'server.log'), 'a')] });
  for (let i = 0; i < 1000 && !existsSync(portFile); i++) await sleep(10);
  if (!existsSync(portFile))
    throw new Error(`timebok did not start: ${readFileSync(join(dir, 'server.log'), 'utf8').slice(-600)}`);
  const port = Number(readFileSync(portFile, 'utf8'));
  const base = `http://127.0.0.1:${port}`;
  const api = await staffClient(base, 'admin', demo ? 'timebok-demo-2026' : PASSWORD);
  return {
    base, api, dir,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise(r => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// A staff session: fetch with the cookie and the CSRF token; throws unless
// the status is the expected one.
export async function staffClient(base, username, password) {
  const r = await fetch(`${base}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login: ${r.status}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await r.json();
  return async (method, path, body, want) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (want && res.status !== want) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

export async function launch() {
  mkdirSync(shots, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
}

// axe-core's WCAG 2.1 A and AA rules on the page; the list of violations.
export async function axe(page) {
  await page.addScriptTag({ path: join(here, 'node_modules', 'axe-core', 'axe.min.js') });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`);
}

// An instant hours from now, on a quarter hour, in UTC.
export function fromNow(hours) {
  const t = Math.floor((Date.now() + hours * 3600e3) / 900e3) * 900e3;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// The staff app's texts, { nb, nn, en }, one module a language
// (static/js/texts_nb.js ...; static/ has no package.json, so node would
// read them as CommonJS: imported from data: URLs instead).
export const TEXT_LANGS = ['nb', 'nn', 'en'];
export async function loadTexts() {
  const texts = {};
  for (const lang of TEXT_LANGS) {
    const src = readFileSync(join(root, 'static', 'js', `texts_${lang}.js`), 'utf8');
    texts[lang] = (await import(`data:text/javascript,${encodeURIComponent(src)}`)).default;
  }
  return texts;
}

// The clinic's date and minute of day now (Europe/Oslo), and minutes as HH:MM.
export function osloNow() {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date()).map(x => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) };
}
export const hhmm = m => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

// The Monday-to-Friday day at least ahead days from now, as YYYY-MM-DD.
export function workday(ahead) {
  const d = new Date(Date.now() + ahead * 86400e3);
  while ([0, 6].includes(d.getUTCDay())) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

// A page in a new 1280x800 Norwegian context; its script errors go to errors.
export async function staffPage(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true, locale: 'nb-NO' });
  const page = await context.newPage();
  page.on('pageerror', e => errors.push(e.message));
  return page;
}
