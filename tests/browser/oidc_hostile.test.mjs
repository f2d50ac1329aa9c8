// oidc_hostile.test.mjs - single sign-on against a hostile provider
// (tests/oidc/hostile.mjs), over HTTP without a browser: a good token logs
// a mapped person in (role, units, "auth": "oidc"); a token with the wrong
// algorithm (HS256 keyed with the public key, none, ES256), an unknown key,
// another issuer, audience or azp, an expired one, a wrong nonce, a
// replayed state and a state from another browser are each refused with
// nothing logged in; an unmapped person is refused; a mapping change takes
// effect at the next login; the provider's back-channel logout ends the
// session; --oidc-only keeps passwords for admins; the client may
// authenticate with a private-key JWT (private_key_jwt) instead of a secret;
// metadata that names another issuer is not used.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './harness.mjs';
import { startHostile } from '../oidc/hostile.mjs';
import { flow } from '../oidc/flow.mjs';

const SECRET = 'a client secret with spaces & symbols=+';
let idp, srv, secretDir, unitA, unitB;

let begin, callback, login, me;

async function sessionsInDb() {
  const rows = await srv.api('GET', '/api/v1/audit?limit=200', null, 200);
  return rows;
}

before(async () => {
  idp = await startHostile({ clientId: 'timebok', secret: SECRET });
  ({ begin, callback, login, me } = flow(idp));
  secretDir = mkdtempSync(join(tmpdir(), 'timebok-oidc-'));
  writeFileSync(join(secretDir, 'secret'), `${SECRET}\n`, { mode: 0o600 });
  srv = await startServer(['--oidc-issuer', idp.issuer, '--oidc-client-id', 'timebok',
    '--oidc-client-secret-file', join(secretDir, 'secret')]);
  unitA = await srv.api('POST', '/api/v1/units', { name: 'Hjertepoliklinikken' }, 201);
  unitB = await srv.api('POST', '/api/v1/units', { name: 'Øyepoliklinikken' }, 201);
  await srv.api('PUT', '/api/v1/sso/mappings', [
    { claim: 'roles', value: 'timebok-sekretaer', role: 'secretary', unit_ids: [unitA.id] },
    { value: 'timebok-leder', role: 'manager', unit_ids: [unitA.id, unitB.id] },
  ], 200);
});

after(async () => {
  await srv?.stop();
  await idp?.close();
  rmSync(secretDir, { recursive: true, force: true });
});

test('the login page is told single sign-on is there', async () => {
  const r = await fetch(`${srv.base}/api/v1/session/options`);
  assert.deepEqual(await r.json(), { oidc: true, oidc_only: false });
});

test('a good token logs a mapped secretary in, with her units, as an oidc session', async () => {
  const r = await login(srv.base, 'good');
  assert.equal(r.location, '/');
  assert.ok(r.session, 'a session cookie');
  const m = await me(srv.base, r.session);
  assert.equal(m.status, 200);
  assert.equal(m.body.role, 'secretary');
  assert.deepEqual(m.body.unit_ids, [unitA.id]);
  assert.equal(m.body.auth, 'oidc');
  assert.equal(m.body.username, 'Hanne Hostil');
  // what timebok sent the token endpoint: the secret, the verifier, the redirect URI
  const sent = idp.seen.at(-1);
  assert.ok(sent.basic);
  assert.equal(sent.form.redirect_uri, `${srv.base}/auth/oidc/callback`);
  assert.match(sent.form.code_verifier, /^[A-Za-z0-9_-]{43}$/);
  // the login's audit row carries issuer, subject, acr and amr
  const rows = await sessionsInDb();
  const row = rows.find(x => x.action === 'login sso');
  assert.ok(row, 'a login row');
  assert.deepEqual(row.detail, { issuer: idp.issuer, subject: 'hostile-sub-1', acr: 'urn:loa:high',
    amr: ['pwd', 'otp'], sid: 'sid-1' });
  // a password login says so
  const pw = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'correct horse battery staple' }) });
  assert.equal((await pw.json()).auth, 'password');
});

for (const mode of ['hs256-public-key', 'none', 'es256', 'unknown-key', 'wrong-iss', 'wrong-aud', 'wrong-azp',
  'expired', 'wrong-nonce']) {
  test(`a token that is ${mode} is refused and logs nobody in`, async () => {
    const before = (await sessionsInDb()).filter(x => x.action === 'login sso').length;
    const rowsBefore = (await sessionsInDb()).length;
    const r = await login(srv.base, mode);
    assert.equal(r.location, '/?sso_error=refused');
    assert.equal(r.session, undefined);
    const rows = await sessionsInDb();
    assert.equal(rows.filter(x => x.action === 'login sso').length, before);
    // nobody is known yet: counted in the metrics, not in the audit log
    assert.equal(rows.length, rowsBefore);
  });
}

test('a replayed state is refused, and so is a state from another browser', async () => {
  const first = await login(srv.base, 'good');
  assert.ok(first.session);
  const b = first.begun;
  // the same answer again: the state was spent
  const again = await callback(srv.base, { code: idp.code('good', b.location), state: b.state, cookie: b.cookie });
  assert.deepEqual([again.location, again.session], ['/?sso_error=refused', undefined]);
  // browser A's state with browser B's pre-login cookie, and with none
  const a = await begin(srv.base);
  const other = await begin(srv.base);
  const cross = await callback(srv.base, { code: idp.code('good', a.location), state: a.state, cookie: other.cookie });
  assert.deepEqual([cross.location, cross.session], ['/?sso_error=refused', undefined]);
  const none = await callback(srv.base, { code: idp.code('good', a.location), state: a.state });
  assert.deepEqual([none.location, none.session], ['/?sso_error=refused', undefined]);
  // the provider's own refusal
  const c = await begin(srv.base);
  const r = await fetch(`${srv.base}/auth/oidc/callback?error=access_denied&state=${c.state}`,
    { redirect: 'manual', headers: { Cookie: c.cookie } });
  assert.equal(r.headers.get('location'), '/?sso_error=provider');
});

test('an unmapped person is refused with an audit row; a mapping change counts at the next login', async () => {
  const r = await login(srv.base, 'good', { sub: 'hostile-sub-2', roles: ['somebody-else'] });
  assert.deepEqual({ location: r.location, session: r.session }, { location: '/?sso_error=unmapped', session: undefined });
  const rows = await sessionsInDb();
  assert.equal(rows[0].action, 'sso refused: unmapped');
  assert.equal(rows[0].detail.subject, 'hostile-sub-2');
  // first match by order: a person with both roles is what the first says
  const both = await login(srv.base, 'good', { sub: 'hostile-sub-3', roles: ['timebok-leder', 'timebok-sekretaer'] });
  assert.equal((await me(srv.base, both.session)).body.role, 'secretary');
  await srv.api('PUT', '/api/v1/sso/mappings', [
    { value: 'timebok-leder', role: 'manager', unit_ids: [unitB.id] },
    { value: 'timebok-sekretaer', role: 'secretary', unit_ids: [unitA.id] },
  ], 200);
  const next = await login(srv.base, 'good', { sub: 'hostile-sub-3', roles: ['timebok-leder', 'timebok-sekretaer'] });
  const m = (await me(srv.base, next.session)).body;
  assert.equal(m.role, 'manager');
  assert.deepEqual(m.unit_ids, [unitB.id]);
  assert.equal(m.user_id, (await me(srv.base, both.session)).body.user_id, 'the same account');
});

test('mappings are checked, and only admins may keep them', async () => {
  const bad = async (body, field) => {
    const res = await fetch(`${srv.base}/api/v1/sso/mappings`, { method: 'PUT' });
    assert.equal(res.status, 401);
    try { await srv.api('PUT', '/api/v1/sso/mappings', body, 400); } catch (e) { assert.fail(`${JSON.stringify(body)}: ${e.message}`); }
    void field;
  };
  await bad({ value: 'x', role: 'secretary' });
  await bad([{ value: '', role: 'secretary' }]);
  await bad([{ value: 'x', role: 'king' }]);
  await bad([{ value: 'x', role: 'clinician' }]);
  await bad([{ value: 'x', role: 'secretary', clinician_id: 1 }]);
  await bad([{ value: 'x', role: 'secretary', unit_ids: [99999] }]);
  await bad([{ value: 'x', role: 'secretary', claim: 'a b' }]);
  await bad([{ value: 'x', role: 'secretary', extra: 1 }]);
  const list = await srv.api('GET', '/api/v1/sso/mappings', null, 200);
  assert.equal(list.length, 2, 'a refused PUT changed nothing');
  assert.deepEqual(list[0], { claim: 'roles', value: 'timebok-leder', role: 'manager', unit_ids: [unitB.id], clinician_id: null });
});

test('the provider\'s back-channel logout ends the session', async () => {
  const r = await login(srv.base, 'good');
  assert.equal((await me(srv.base, r.session)).status, 200);
  const post = (token) => fetch(`${srv.base}/auth/oidc/backchannel-logout`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `logout_token=${encodeURIComponent(token)}` });
  for (const mode of ['with-nonce', 'none']) {
    const res = await post(idp.logoutToken({ sid: 'sid-1', mode }));
    assert.equal(res.status, 400, mode);
    assert.equal((await res.json()).error.code, 'invalid');
  }
  assert.equal((await me(srv.base, r.session)).status, 200, 'a bad logout token ends nothing');
  const res = await post(idp.logoutToken({ sid: 'sid-1' }));
  assert.equal(res.status, 200);
  assert.ok((await res.json()).sessions_ended >= 1);
  assert.equal((await me(srv.base, r.session)).status, 401);
  const row = (await sessionsInDb())[0];
  assert.equal(row.action, 'sso logout: provider');
  assert.equal(row.detail.sid, 'sid-1');
});

test('--oidc-only leaves password login to admins; without --oidc-issuer the routes are not there', async () => {
  const only = await startServer(['--oidc-issuer', idp.issuer, '--oidc-client-id', 'timebok',
    '--oidc-client-secret-file', join(secretDir, 'secret'), '--oidc-only']);
  try {
    await only.api('POST', '/api/v1/users', { username: 'sekr', role: 'secretary', password: 'correct horse battery staple' }, 201);
    const res = await fetch(`${only.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'sekr', password: 'correct horse battery staple' }) });
    // answered exactly like a wrong password (no oracle for a right one)
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('set-cookie'), null);
    assert.deepEqual(await (await fetch(`${only.base}/api/v1/session/options`)).json(), { oidc: true, oidc_only: true });
  } finally { await only.stop(); }
  const plain = await startServer();
  try {
    assert.deepEqual(await (await fetch(`${plain.base}/api/v1/session/options`)).json(), { oidc: false, oidc_only: false });
    for (const path of ['/auth/oidc/login', '/auth/oidc/callback?code=a&state=b']) {
      const res = await fetch(`${plain.base}${path}`, { redirect: 'manual' });
      assert.equal(res.status, 404);
    }
  } finally { await plain.stop(); }
});

test('the client may authenticate with a private-key JWT instead of a secret', async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  // x5t: Entra ID names the certificate in the assertion's header
  const pub = { ...pair.publicKey.export({ format: 'jwk' }), x5t: 'dGh1bWJwcmludC1vZi10aGUtY2VydA' };
  const keyed = await startHostile({ clientId: 'timebok', clientKey: pub });
  writeFileSync(join(secretDir, 'key.jwk'), JSON.stringify({ ...pair.privateKey.export({ format: 'jwk' }), kid: 'client-1', x5t: pub.x5t }), { mode: 0o600 });
  const s = await startServer(['--oidc-issuer', keyed.issuer, '--oidc-client-id', 'timebok',
    '--oidc-client-key-file', join(secretDir, 'key.jwk')]);
  try {
    await s.api('PUT', '/api/v1/sso/mappings', [{ value: 'timebok-sekretaer', role: 'secretary' }], 200);
    const r = await fetch(`${s.base}/auth/oidc/login`, { redirect: 'manual' });
    const location = r.headers.get('location');
    const cookie = r.headers.get('set-cookie').split(';')[0];
    const state = new URL(location).searchParams.get('state');
    const back = await fetch(`${s.base}/auth/oidc/callback?code=${keyed.code('good', location)}&state=${state}`,
      { redirect: 'manual', headers: { Cookie: cookie } });
    assert.equal(back.headers.get('location'), '/');
    assert.match(back.headers.get('set-cookie'), /^timebok_session=/);
    assert.equal(keyed.seen.at(-1).assertion, true);
    assert.equal(keyed.seen.at(-1).basic, false);
  } finally {
    await s.stop();
    await keyed.close();
  }
});

test('metadata that names another issuer is not used: nobody is sent to that provider', async () => {
  const liar = await startHostile({ clientId: 'timebok', secret: SECRET, discoveryIssuer: 'https://login.example.no' });
  const s = await startServer(['--oidc-issuer', liar.issuer, '--oidc-client-id', 'timebok',
    '--oidc-client-secret-file', join(secretDir, 'secret')]);
  try {
    const r = await fetch(`${s.base}/auth/oidc/login`, { redirect: 'manual' });
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/?sso_error=unavailable');
    assert.equal(r.headers.get('set-cookie'), null);
  } finally {
    await s.stop();
    await liar.close();
  }
});
