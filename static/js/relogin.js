// relogin.js - the session ran out in the middle of something: log in
// again in place.  A second modal dialog opens over whatever is on the
// page (the booking form stays filled beneath it); the same user types
// their password, and lib.js api() repeats the request that was refused,
// so a save goes through as if nothing had happened.  Cancel leaves the
// page as it was (the refused request fails with the usual error).  One
// dialog however many requests were refused meanwhile.
import { api, ApiError, setCsrf, t, h } from './lib.js';

let open = null; // the promise of the dialog on screen

// Ask username to log in again; the new session (the answer of POST
// /session) once they have, or null when they cancel.
export function askToLogIn(username) {
  if (open) return open;
  open = new Promise(resolve => {
    const opener = document.activeElement;
    const err = h('p.error', { id: 'relogin-error', role: 'alert' });
    const user = h('input', { id: 'relogin-username', name: 'username', autocomplete: 'username', readonly: true, value: username });
    const pw = h('input', { id: 'relogin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    let me = null;
    const dlg = h('dialog.relogin', { id: 'relogin', 'aria-labelledby': 'relogin-title', 'aria-describedby': 'relogin-intro' });
    const form = h('form.login', {
      async onsubmit(e) {
        e.preventDefault();
        err.textContent = '';
        try {
          me = await api('POST', '/session', { username, password: pw.value });
          pw.value = '';
          setCsrf(me.csrf_token);
          dlg.close();
        } catch (x) {
          err.textContent = x instanceof ApiError && x.status === 401 ? t('login.wrong')
            : x instanceof ApiError && x.status === 429 ? t('login.slow') : t('err.network');
          pw.focus();
        }
      },
    },
    h('h2', { id: 'relogin-title' }, t('relogin.title')),
    h('p', { id: 'relogin-intro' }, t('relogin.intro')),
    h('label', { for: 'relogin-username' }, t('login.username')), user,
    h('label', { for: 'relogin-password' }, t('login.password')), pw,
    err,
    h('div.actions', {}, h('button.primary', { type: 'submit' }, t('relogin.submit')),
      h('button', { type: 'button', onclick: () => dlg.close() }, t('app.cancel'))));
    dlg.append(form);
    dlg.addEventListener('close', () => {
      dlg.remove();
      open = null;
      if (opener && opener.isConnected) opener.focus();
      resolve(me);
    });
    document.body.append(dlg);
    dlg.showModal();
    pw.focus();
  });
  return open;
}
