// early.js - the staff app's first reads, asked for while its modules are
// still on their way.  index.html preloads GET /api/v1/me and loads this
// module first and on its own (async, no imports), so it runs as soon as it
// arrives: it takes /me and, from the answer, asks at once for what the
// address will show (the directory, the work queue's count, the unit day's
// board, a day list), reading each body as it comes.  api() (lib.js) takes
// each answer, once, when the view asks for that very path.  So a cold
// load waits for the slower of the modules and /me-then-the-data, not for
// the modules, then /me, then the directory, then the data.  The requests
// are the ones the views would send (same path, same options), and nothing
// is read here that the view does not then show (tests/browser/
// early.test.mjs).  Also here: the first Intl date format, made while the
// page waits (ICU's start costs a new page 20-35 ms).
const started = new Map(); // API path -> Promise<{ response, text: Promise<string> }>
let dropped = false;
let settle;
const ready = new Promise(done => { settle = done; }); // the first reads are asked (or /me failed)

function ask(path) {
  const answer = fetch(`/api/v1${path}`, { method: 'GET', headers: {}, credentials: 'same-origin', cache: 'no-store' })
    .then(response => {
      const text = response.text(); // now, while the page waits for its modules
      text.catch(() => {}); // a failure is the taker's, as a fetch of its own
      return { response, text };
    });
  answer.catch(() => {});
  started.set(path, answer);
  return answer;
}

// The answer asked for early to GET path ({ response, text }: its body is
// being read already), or undefined (then the caller fetches).  Each is
// given once.  It waits for /me and for the reads asked after it, so a view
// never asks again for what is on its way.
export async function takeEarly(path) {
  await ready;
  const answer = started.get(path);
  started.delete(path);
  return answer;
}

// Forget the rest (a login, a logout: another person's view comes next).
export function dropEarly() { started.clear(); dropped = true; }

// The paths asked for and not taken (the test's check that nothing is read
// that the view does not show).
export function untaken() { return [...started.keys()]; }

// Chromium has no nynorsk (nn-NO) data: without the fall-backs Intl would
// answer in the browser's own language ("Fri, Dec 4").  As invite.js does.
export const LOCALE = { nb: ['nb-NO', 'no'], nn: ['nn-NO', 'nb-NO', 'no'], en: ['en-GB'] };

// "?a=1&b=2" as lib.js query() makes it (no empty values).
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.append(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The clinic's date today in zone, as lib.js nowLocal().date.
function today(zone) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone || 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(new Date()).map(x => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

// What app.js's route() will show for me at the address, and so read: the
// same choices, for the views whose first read depends only on the address.
// Anything else (a week, another view, a home page that depends on more
// than the role) reads nothing here.
function firstReads(me) {
  const [path, qs] = location.hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const params = Object.fromEntries(new URLSearchParams(qs || ''));
  const day = d => (/^\d{4}-\d{2}-\d{2}$/.test(d || '') ? d : today(me.time_zone));
  if (me.role === 'clinician') {
    // a clinician sees only their own day, whatever the address but stats
    if (parts[0] === 'stats' || !me.clinician_id) return [];
    return [`/clinicians/${me.clinician_id}/day${query({ date: day(parts[1]) })}`];
  }
  if (me.role !== 'admin' && me.role !== 'secretary') return [];
  const directory = ['/clinicians?active=true&limit=1000', '/rooms?active=true&limit=1000',
    '/units?active=true&limit=1000', '/consultation-types?active=true&limit=1000'];
  // an admin's home may be the set-up checklist: no page's reads but the directory
  if (!parts.length && me.role === 'admin') return directory;
  // the view's data first (a day the server has not cached is the slowest read)
  const home = parts.length ? parts : ['calendar'];
  const data = [];
  if (home[0] === 'calendar' && (home[1] || 'day') === 'day') {
    data.push(`/appointments/board${query({ date: day(home[2]),
      unit_id: params.by === 'room' ? '' : params.unit || '' })}`);
  } else if (home[0] === 'day' && params.clinician) {
    data.push(`/clinicians/${params.clinician}/day${query({ date: day(home[1]) })}`);
  }
  return [...data, ...directory, '/work-queue/count']; // and the menu's count, on every view
}

// The first date format costs 20-35 ms (ICU's start in a new page, which
// V8 then keeps): made while the page waits for its files and the data,
// rather than when the view draws its title.
function warmIntl() {
  const lang = localStorage.getItem('timebok.lang');
  new Intl.DateTimeFormat(LOCALE[lang in LOCALE ? lang : 'nb'], { weekday: 'long', day: 'numeric', month: 'long' }).format(0);
}

// The texts of a language other than bokmål, which lib.js imports before
// the first draw (bokmål's are among index.html's preloads): asked for
// now, with the other modules, not once lib.js runs.
const stored = localStorage.getItem('timebok.lang');
if (stored === 'nn' || stored === 'en') {
  document.head.append(Object.assign(document.createElement('link'), { rel: 'modulepreload', href: `/js/texts_${stored}.js` }));
}

ask('/me') // index.html preloads it, so this is the answer already on its way
  .then(({ response, text }) => (response.ok ? text.then(JSON.parse) : null))
  .then(me => { if (me && !dropped) for (const path of firstReads(me)) ask(path); })
  .catch(() => {})
  .then(() => { settle(); setTimeout(warmIntl, 0); });
