// app.js - the staff app's shell: log in and out, who is logged in, the
// language, the menu and the views behind the address (#/calendar/...,
// #/queue, #/admin/...), and the work queue's count in the menu (polled
// every minute, so nothing waiting is missed while the calendar is open).
// An admin of a clinic not yet set up lands on the set-up checklist.
// Only the calendar and the day list (the views people open the app to)
// are loaded with the app; every other view's module, the login's single
// sign-on and the renewal of a session are fetched when first needed, so a
// cold load fetches 7 of the app's 28 modules (index.html preloads what is
// imported here; tests/browser/perf_marks.test.mjs).
import {
  api, ApiError, setCsrf, whenLoggedOut, setZone, t, language, setLanguage, LANGS, h, clear,
  loadDirectory, explain, whenSessionExpired, toast,
} from './lib.js';
import { showCalendar } from './calendar.js';
import { showDay } from './day.js';

export const session = { me: null };
const main = document.getElementById('main');
let pollTimer = null;

function chrome() {
  document.title = 'timebok';
  document.querySelector('.skip').textContent = t('app.skip');
  document.getElementById('nav').setAttribute('aria-label', t('app.menu'));
  document.getElementById('nav-calendar').textContent = t('app.calendar');
  document.getElementById('nav-day').textContent = t('app.day');
  const q = document.getElementById('nav-queue');
  q.firstChild.textContent = `${t('app.queue')} `;
  document.getElementById('nav-waiting').textContent = t('waiting.menu');
  const admin = document.getElementById('nav-admin');
  admin.textContent = t('admin.nav');
  admin.hidden = session.me?.role !== 'admin';
  document.getElementById('nav-stats').textContent = t('stats.menu');
  document.getElementById('nav-patients').textContent = t('patients.menu');
  document.getElementById('nav-absence').textContent = t('absence.menu');
  document.getElementById('lang-label').textContent = t('app.language');
  document.getElementById('logout').textContent = t('app.logout');
  const me = session.me;
  const role = me?.role === 'manager' ? t('stats.role') : t(`role.${me?.role}`);
  document.getElementById('user').textContent = me ? `${me.username} (${role})` : '';
  document.getElementById('clinic').textContent = me?.clinic_name ? `· ${me.clinic_name}` : '';
  document.getElementById('nav').hidden = !me || me.role === 'clinician';
  // a manager sees the statistics only
  for (const id of ['nav-calendar', 'nav-day', 'nav-queue', 'nav-waiting', 'nav-patients', 'nav-absence']) document.getElementById(id).hidden = me?.role === 'manager';
  document.getElementById('logout').hidden = !me;
  const sel = document.getElementById('lang');
  clear(sel, Object.entries(LANGS).map(([k, v]) => h('option', { value: k, selected: k === language() }, v)));
}

function showLogin(message) {
  session.me = null;
  clearInterval(pollTimer);
  chrome();
  const err = h('p.error', { id: 'login-error', role: 'alert' }, message || '');
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const pw = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form.login', {
    async onsubmit(e) {
      e.preventDefault();
      err.textContent = '';
      try {
        const me = await api('POST', '/session', { username: user.value, password: pw.value });
        pw.value = '';
        await started(me);
      } catch (x) {
        err.textContent = x instanceof ApiError && x.status === 401 ? t('login.wrong')
          : x instanceof ApiError && x.status === 429 ? t('login.slow') : explain(x);
        pw.focus();
      }
    },
  },
  h('h1', {}, t('login.title')),
  h('p', {}, t('login.intro')),
  h('label', { for: 'username' }, t('login.username')), user,
  h('label', { for: 'password' }, t('login.password')), pw,
  err,
  h('button.primary', { type: 'submit' }, t('login.submit')));
  clear(main, form);
  user.focus();
  import('./sso.js').then(m => m.addSso(form, err)); // the hospital's login, when configured
}

// While started() waits (the directory, the set-up checklist), an address
// the user goes to is not shown yet: started() shows the address it ends
// at, once, with the directory loaded (shown at once as well, a view was
// drawn twice, the second time over what the user had begun in the first).
let starting = false;

async function started(me) {
  session.me = me;
  setCsrf(me.csrf_token);
  setZone(me.time_zone);
  starting = true;
  try {
    chrome();
    if (me.role !== 'clinician' && me.role !== 'manager') {
      try {
        await loadDirectory();
      } catch (x) {
        if (!session.me) return; // logged out meanwhile: nothing more to start
        throw x;
      }
      if (!session.me) return;
      clearInterval(pollTimer); // route() below counts the queue at once
      pollTimer = setInterval(refreshCount, 60000);
    }
    if (!location.hash || location.hash === '#/') {
      let home = { clinician: '#/day', manager: '#/stats' }[me.role] || '#/calendar';
      if (me.role === 'admin' && await import('./admin.js').then(m => m.setupMissing()).catch(() => false)) home = '#/admin';
      if (!session.me) return; // logged out meanwhile
      // unless the user went somewhere while the checklist was asked for
      if (!location.hash || location.hash === '#/') {
        location.hash = home; // its hashchange shows it
        return;
      }
    }
  } finally {
    starting = false;
  }
  route();
}

export async function refreshCount() {
  if (!session.me || session.me.role === 'clinician' || session.me.role === 'manager') return;
  try {
    const { count: n } = await api('GET', '/work-queue/count');
    const badge = document.getElementById('queue-count');
    badge.textContent = n ? String(n) : '';
    badge.setAttribute('aria-label', t('queue.count', n));
  } catch { /* the next poll tries again */ }
}

// #/calendar/day/2026-11-24?unit=1&by=room, #/calendar/week/..., #/queue,
// #/day/2026-11-24?clinician=3 (a clinician sees only their own day),
// #/stats?from=&to=&unit=&clinician=&type= (a manager sees only this)
let routed = 0; // the last address shown: a view whose module comes after a later one is not drawn
function route() {
  if (!session.me || starting) return;
  const [path, qs] = location.hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean);
  const params = Object.fromEntries(new URLSearchParams(qs || ''));
  for (const a of document.querySelectorAll('#nav a'))
    a.toggleAttribute('aria-current', a.getAttribute('href') === `#/${parts[0]}`);
  refreshCount();
  const staff = session.me.role === 'admin' || session.me.role === 'secretary';
  const me = session.me, seq = ++routed;
  const failed = x => clear(main, h('p.error', { role: 'alert' }, explain(x)));
  const later = (load, show) => load().then(m => { if (seq === routed && session.me === me) return show(m); }, failed);
  if (parts[0] === 'stats' && session.me.role !== 'clinician') later(() => import('./stats.js'), m => m.showStats(main, params));
  else if (session.me.role === 'manager') location.hash = '#/stats';
  else if (parts[0] === 'queue' && staff) later(() => import('./queue.js'), m => m.showQueue(main, params));
  else if (parts[0] === 'waiting' && staff) later(() => import('./waiting.js'), m => m.showWaiting(main, params));
  else if (parts[0] === 'patients' && staff) later(() => import('./patient.js'), m => m.showPatients(main, parts[1], params));
  else if (parts[0] === 'absence' && staff) later(() => import('./absence.js'), m => m.showAbsence(main, params).catch(failed));
  else if (parts[0] === 'calendar' && staff) showCalendar(main, parts[1] || 'day', parts[2], params, session.me);
  else if (parts[0] === 'admin' && session.me.role === 'admin') later(() => import('./admin.js'), m => m.showAdmin(main, parts[1], params, session.me));
  else showDay(main, parts[1], params, session.me);
}

async function boot() {
  setLanguage(language());
  whenLoggedOut(() => { if (session.me) showLogin(t('login.expired')); });
  // a session that runs out mid-form is renewed in place (relogin.js)
  whenSessionExpired(() => {
    if (!session.me) return undefined;
    const { username } = session.me;
    return import('./relogin.js').then(m => m.askToLogIn(username)).then(me => {
      if (me) session.me = { ...session.me, csrf_token: me.csrf_token };
      return me;
    });
  });
  // the language's texts may have to arrive first (lib.js); if they do
  // not, the page stays as it was and says so
  document.getElementById('lang').addEventListener('change', e => {
    setLanguage(e.target.value).then(() => {
      if (session.me) { chrome(); route(); } else showLogin();
    }, () => { e.target.value = language(); toast(t('err.network'), 'bad'); });
  });
  document.getElementById('logout').addEventListener('click', async () => {
    let out = null;
    // logged out from here on: what is still on its way (the directory of
    // a start not yet done) and comes back 401 is not a session that ran
    // out, to be renewed in a dialog over the login page
    session.me = null;
    try { out = await api('DELETE', '/session'); } catch { /* gone already */ }
    // the provider's logout, then back here (sso.js)
    if ((await import('./sso.js').catch(() => null))?.leaveProvider(out)) return;
    location.hash = '';
    showLogin(t('login.out'));
  });
  window.addEventListener('hashchange', route);
  window.addEventListener('timebok:changed', refreshCount);
  try {
    await started(await api('GET', '/me'));
  } catch (x) {
    showLogin(x instanceof ApiError && x.status === 401 ? '' : explain(x));
  }
}

boot();
