// sso.js - the login page's part of single sign-on (issue 25): when the
// server says OpenID Connect is configured (GET /session/options), the
// button "Logg inn med sykehusets innlogging" (a link to /auth/oidc/login)
// comes first; with --oidc-only the password fields are folded away for
// admins.  A failed sign-in comes back as /?sso_error=WHY: the reason is
// said in the login form's alert and the address is cleaned.  Logging out
// of a session made by the provider's login goes on to the provider's own
// logout (the answer's logout_url) and comes back to the login page, so the
// next person at a shared PC is asked to log in.
import { api, t, h } from './lib.js';

const REASONS = ['unmapped', 'disabled', 'refused', 'provider', 'unavailable'];

// Add the single sign-on choice to the login form (its error box err).
export async function addSso(form, err) {
  const why = new URLSearchParams(location.search).get('sso_error');
  if (why) {
    err.textContent = t(`sso.error.${REASONS.includes(why) ? why : 'refused'}`);
    history.replaceState(null, '', `/${location.hash}`);
  }
  let options;
  try { options = await api('GET', '/session/options'); } catch { return; }
  if (!options.oidc || !form.isConnected) return;
  const link = h('a.button.primary.sso', { href: '/auth/oidc/login', id: 'sso-login' }, t('sso.button'));
  const heading = form.querySelector('h1');
  const passwordParts = [...form.children].filter(el => el !== heading && el !== err && !el.matches('p:first-of-type'));
  if (options.oidc_only) {
    // the password is for admins alone: folded, one keyboard step away
    const fold = h('details.sso-admin', {}, h('summary', {}, t('sso.adminOnly')));
    for (const el of passwordParts) fold.append(el);
    form.append(fold);
    heading.nextElementSibling.after(link, err); // after the intro
    link.focus();
  } else {
    heading.nextElementSibling.after(link, h('p.sso-or', {}, t('sso.or')));
  }
}

// After DELETE /session: when its answer names the provider's logout, go
// there (true); the provider sends the browser back to the login page.
export function leaveProvider(answer) {
  const url = answer?.logout_url;
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return false;
  location.assign(url);
  return true;
}
