// flow.mjs - a single sign-on login driven over HTTP without a browser,
// against the hostile provider (hostile.mjs): GET /auth/oidc/login, the
// provider's code, GET /auth/oidc/callback with the pre-login cookie.
// Shared by tests/browser/oidc_hostile.test.mjs and oidc_review.test.mjs.
import assert from 'node:assert/strict';

export function flow(idp) {
  async function begin(base, headers = {}) {
    const r = await fetch(`${base}/auth/oidc/login`, { redirect: 'manual', headers });
    assert.equal(r.status, 302);
    const location = r.headers.get('location');
    const setCookie = r.headers.get('set-cookie');
    assert.match(setCookie, /^timebok_oidc=[A-Za-z0-9_-]{43}; Path=\/auth\/oidc; Max-Age=600; HttpOnly; SameSite=Lax/);
    const u = new URL(location);
    assert.equal(u.origin + u.pathname, `${idp.issuer}/authorize`);
    assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(u.searchParams.get('response_type'), 'code');
    assert.equal(u.searchParams.get('redirect_uri'), `${base}/auth/oidc/callback`);
    for (const k of ['state', 'nonce', 'code_challenge']) assert.match(u.searchParams.get(k), /^[A-Za-z0-9_-]{43}$/);
    return { location, cookie: setCookie.split(';')[0], state: u.searchParams.get('state') };
  }

  async function callback(base, { code, state, cookie }) {
    const r = await fetch(`${base}/auth/oidc/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
      { redirect: 'manual', headers: cookie ? { Cookie: cookie } : {} });
    assert.equal(r.status, 302);
    const setCookie = r.headers.get('set-cookie') || '';
    return { location: r.headers.get('location'), session: /^timebok_session=([^;]+)/.exec(setCookie)?.[1], setCookie };
  }

  // A whole login answered as mode says: where the browser goes, and the session.
  async function login(base, mode, claims) {
    const b = await begin(base);
    return { ...(await callback(base, { code: idp.code(mode, b.location, claims), state: b.state, cookie: b.cookie })), begun: b };
  }

  async function me(base, session) {
    const r = await fetch(`${base}/api/v1/me`, { headers: { Cookie: `timebok_session=${session}` } });
    return { status: r.status, body: r.status === 200 ? await r.json() : null };
  }

  return { begin, callback, login, me };
}
