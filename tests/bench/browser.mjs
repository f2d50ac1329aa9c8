// browser.mjs - the staff app's speed in Chromium (bench.py, the report's
// "browser" section): from a cold load (a new browser context: empty cache,
// no connections kept) to the first drawn unit day (the secretary's
// calendar, one unit of 20 clinicians) and the first drawn day list (the
// clinician's), read from the app's own Performance API marks
// (timebok:unit-day-drawn in calendar.js, timebok:day-list-drawn in day.js)
// as their startTime, which counts from the navigation's start.  Debian's
// chromium through playwright-core (tests/browser/harness.mjs launch();
// never a downloaded browser).
//   node tests/bench/browser.mjs BASE DATE UNIT SEK_COOKIE LEGE_COOKIE [LOADS]
// prints one JSON line: each view's load times in ms, LOADS cold loads each
// (default 3), and where the last load's time went (ms from the
// navigation's start: the page, the files and the API answers done, and
// how many of each; /me and the view's data done).  A cookie is
// "name=value" of a logged-in session.  The mark is awaited in the page
// itself (a PerformanceObserver), not with waitForFunction, whose
// injected script ran on the page's main thread for 20-40 ms in the middle
// of the load being measured (in a trace).
import { launch } from '../browser/harness.mjs';

const [base, date, unit, sek, lege, loads = '3'] = process.argv.slice(2);
if (!lege) {
  console.error('usage: node tests/bench/browser.mjs BASE DATE UNIT SEK_COOKIE LEGE_COOKIE [LOADS]');
  process.exit(2);
}

const VIEWS = [
  { name: 'unit_day', cookie: sek, hash: `#/calendar/day/${date}?unit=${unit}`, mark: 'timebok:unit-day-drawn', drawn: '#board button.appt', data: '/api/v1/appointments/board?' },
  { name: 'day_list', cookie: lege, hash: `#/day/${date}`, mark: 'timebok:day-list-drawn', drawn: '#daylist li', data: '/day?' },
];

// One cold load of view: the mark's time from the navigation's start, and
// what was drawn (so a fast but empty page does not pass).
async function coldLoad(browser, view) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'nb-NO' });
  const [name, value] = [view.cookie.slice(0, view.cookie.indexOf('=')), view.cookie.slice(view.cookie.indexOf('=') + 1)];
  await context.addCookies([{ name, value, url: base }]);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  try {
    await page.goto(`${base}/${view.hash}`);
    await page.evaluate(m => new Promise((resolve, reject) => {
      if (performance.getEntriesByName(m).length) { resolve(); return; }
      new PerformanceObserver((list, o) => { if (list.getEntriesByName(m).length) { o.disconnect(); resolve(); } })
        .observe({ type: 'mark' });
      setTimeout(() => reject(new Error(`no ${m} in 30 s`)), 30000);
    }), view.mark);
    // where the time went: the page, its files, the API answers it waited for
    const { ms, parts } = await page.evaluate(([m, data]) => {
      const nav = performance.getEntriesByType('navigation')[0];
      const at = performance.getEntriesByName(m)[0].startTime;
      const res = performance.getEntriesByType('resource').filter(r => r.startTime < at);
      const api = res.filter(r => r.name.includes('/api/v1/'));
      const code = res.filter(r => !r.name.includes('/api/v1/'));
      const end = list => Math.round(Math.max(0, ...list.map(r => r.responseEnd)));
      return {
        ms: at,
        parts: { html: Math.round(nav.responseEnd), files: code.length, files_done: end(code),
          dom_ready: Math.round(nav.domContentLoadedEventEnd), api: api.length, api_done: end(api),
          me: end(api.filter(r => r.name.endsWith('/api/v1/me'))), data: end(api.filter(r => r.name.includes(data))) },
      };
    }, [view.mark, view.data]);
    const rows = await page.locator(view.drawn).count();
    if (errors.length) throw new Error(`${view.name}: ${errors.join('; ')}`);
    return { ms, rows, parts };
  } finally {
    await context.close();
  }
}

const browser = await launch();
const out = {};
try {
  for (const view of VIEWS) {
    out[view.name] = { ms: [], rows: 0 };
    for (let i = 0; i < Number(loads); i++) {
      const r = await coldLoad(browser, view);
      out[view.name].ms.push(Math.round(r.ms * 10) / 10);
      out[view.name].rows = r.rows;
      out[view.name].parts = r.parts; // the last load's
    }
  }
} finally {
  await browser.close();
}
console.log(`BROWSER_JSON ${JSON.stringify(out)}`);
