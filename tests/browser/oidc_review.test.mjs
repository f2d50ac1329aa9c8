// oidc_review.test.mjs - what the outside review of single sign-on found
// (issue 25, /work/briefs/attack25-report.md), each over HTTP against the
// hostile provider (tests/oidc/hostile.mjs), without a browser:
//   1  logout: with an end_session_endpoint DELETE /session answers the
//      provider's logout URL (id_token_hint, client_id, the staff root);
//      without one every login asks the provider for prompt=login
//   2  a logout token with "sid": "" or "sub": "" ends nothing
//   3  (test_oidc.c: logins under way are bounded per address)
//   4  500 bad callbacks write no audit row; they are counted, logged once
//   5  a slow token endpoint holds at most two exchanges; staff requests
//      stay fast; after a timeout the breaker answers "unavailable" at once
//   6  names cut at characters, bidi controls dropped, blank names fall back
//   7  a logout token needs a jti and is used once
//   8  (test_oidc.c: key refreshes)
//   9  a claim named like a URL, dots and all, is looked up whole
//  10  --oidc-only: a non-admin's right password is answered as a wrong one
//  and: the pre-login cookie is cleared by the callback, a token with
//  "crit" is refused, a mapping's unit_ids are answered once each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { spawnSync } from 'node:child_process';
import { startServer } from './harness.mjs';
import { startHostile } from '../oidc/hostile.mjs';
import { flow } from '../oidc/flow.mjs';

const SECRET = 'a client secret';
let idp, srv, secretDir, unit, f;

const audit = (s) => s.api('GET', '/api/v1/audit?limit=200', null, 200);
const oidcArgs = (issuer) => ['--oidc-issuer', issuer, '--oidc-client-id', 'timebok',
  '--oidc-client-secret-file', join(secretDir, 'secret')];
const postLogout = (base, token) => fetch(`${base}/auth/oidc/backchannel-logout`, {
  method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: `logout_token=${encodeURIComponent(token)}` });
const logOut = (base, session) => fetch(`${base}/api/v1/session`, {
  method: 'DELETE', headers: { Cookie: `timebok_session=${session}`, 'X-CSRF-Token': csrfOf(session) } });
const csrfs = new Map();
const csrfOf = (session) => csrfs.get(session);

// GET path on a connection of its own (MHD keeps a connection on one
// thread: a kept-alive one may belong to a thread that is waiting for the
// provider, for at most the 5 s timeout): status, location, milliseconds.
function timed(base, path, cookie) {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, { agent: false, headers: { Cookie: cookie } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location, ms: Date.now() - t }));
    }).on('error', reject);
  });
}
const timedMe = (base, session) => timed(base, '/api/v1/me', `timebok_session=${session}`);

async function loggedIn(base, mode = 'good', claims = {}, via = f) {
  const r = await via.login(base, mode, claims);
  assert.equal(r.location, '/', JSON.stringify(claims));
  const m = await via.me(base, r.session);
  csrfs.set(r.session, m.body.csrf_token);
  return { ...r, me: m.body };
}

before(async () => {
  idp = await startHostile({ clientId: 'timebok', secret: SECRET, endSession: true });
  f = flow(idp);
  secretDir = mkdtempSync(join(tmpdir(), 'timebok-oidc-review-'));
  writeFileSync(join(secretDir, 'secret'), `${SECRET}\n`, { mode: 0o600 });
  srv = await startServer(oidcArgs(idp.issuer));
  unit = await srv.api('POST', '/api/v1/units', { name: 'Hjertepoliklinikken' }, 201);
  await srv.api('PUT', '/api/v1/sso/mappings', [
    { claim: 'https://timebok.example/roles', value: 'leder', role: 'manager', unit_ids: [unit.id] },
    { claim: 'roles', value: 'timebok-sekretaer', role: 'secretary', unit_ids: [unit.id, unit.id, unit.id] },
  ], 200);
});

after(async () => {
  await srv?.stop();
  await idp?.close();
  rmSync(secretDir, { recursive: true, force: true });
});

test('1: logging out of an SSO session sends the browser to the provider\'s logout; a password session is 204', async () => {
  const b = await f.begin(srv.base);
  assert.equal(new URL(b.location).searchParams.get('prompt'), null, 'the provider can end its session: no prompt');
  const r = await loggedIn(srv.base, 'good', { sub: 'logout-1' });
  const res = await logOut(srv.base, r.session);
  assert.equal(res.status, 200);
  const answer = await res.json();
  const { logout_url: url } = answer;
  // the answer as static/openapi.json documents it (tests/openapi/validate.mjs)
  const rec = mkdtempSync(join(tmpdir(), 'timebok-oidc-record-'));
  try {
    writeFileSync(join(rec, 'logout.jsonl'), `${JSON.stringify({ method: 'DELETE', path: '/api/v1/session', status: 200,
      content_type: res.headers.get('content-type'), body: answer })}\n`);
    const check = spawnSync(process.execPath, [new URL('../openapi/validate.mjs', import.meta.url).pathname, rec]);
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  } finally { rmSync(rec, { recursive: true, force: true }); }
  const u = new URL(url);
  assert.equal(u.origin + u.pathname, `${idp.issuer}/logout`);
  assert.equal(u.searchParams.get('client_id'), 'timebok');
  assert.equal(u.searchParams.get('post_logout_redirect_uri'), `${srv.base}/`);
  const hint = u.searchParams.get('id_token_hint');
  assert.equal(JSON.parse(Buffer.from(hint.split('.')[1], 'base64url')).sub, 'logout-1', 'the session\'s own ID token');
  assert.equal((await f.me(srv.base, r.session)).status, 401);
  // a password session has no provider to leave
  const pw = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'correct horse battery staple' }) });
  const session = /timebok_session=([^;]+)/.exec(pw.headers.get('set-cookie'))[1];
  csrfs.set(session, (await pw.json()).csrf_token);
  assert.equal((await logOut(srv.base, session)).status, 204);
});

test('1: without an end_session_endpoint every login asks the provider to ask for the password again', async () => {
  const plain = await startHostile({ clientId: 'timebok', secret: SECRET });
  const s = await startServer(oidcArgs(plain.issuer));
  try {
    await s.api('PUT', '/api/v1/sso/mappings', [{ value: 'timebok-sekretaer', role: 'secretary' }], 200);
    const via = flow(plain);
    const b = await via.begin(s.base);
    assert.equal(new URL(b.location).searchParams.get('prompt'), 'login');
    const r = await loggedIn(s.base, 'good', {}, via);
    assert.equal((await logOut(s.base, r.session)).status, 204, 'nowhere to send the browser');
  } finally {
    await s.stop();
    await plain.close();
  }
});

test('2 and 7: a logout token with an empty sid or sub, without a jti, or used twice ends nothing', async () => {
  const a = await loggedIn(srv.base, 'good', { sub: 'bc-a', sid: 'sid-a' });
  const b = await loggedIn(srv.base, 'good', { sub: 'bc-b', sid: 'sid-b' });
  for (const token of [idp.logoutToken({ sid: '' }), idp.logoutToken({ sub: '' }),
    idp.logoutToken({ sid: '', sub: '' }), idp.logoutToken({ sid: 'sid-a', extra: { jti: null } }),
    idp.logoutToken({ sid: 'sid-a', extra: { jti: '' } })]) {
    const res = await postLogout(srv.base, token);
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, 'invalid');
  }
  assert.equal((await f.me(srv.base, a.session)).status, 200, 'nothing ended');
  assert.equal((await f.me(srv.base, b.session)).status, 200, 'nothing ended');
  const once = idp.logoutToken({ sid: 'sid-a' });
  const first = await postLogout(srv.base, once);
  assert.equal(first.status, 200);
  assert.equal((await first.json()).sessions_ended, 1);
  assert.equal((await f.me(srv.base, a.session)).status, 401);
  // the same token again, after she has logged in anew: refused, ends nothing
  const again = await loggedIn(srv.base, 'good', { sub: 'bc-a', sid: 'sid-a' });
  const replay = await postLogout(srv.base, once);
  assert.equal(replay.status, 400);
  assert.match((await replay.json()).error.message, /used before/);
  assert.equal((await f.me(srv.base, again.session)).status, 200);
  assert.equal((await f.me(srv.base, b.session)).status, 200);
});

test('4: 500 anonymous bad callbacks write no audit row; they are counted and logged once', async () => {
  const rows = (await audit(srv)).length;
  for (let i = 0; i < 50; i++) {
    await Promise.all(Array.from({ length: 10 }, (_, k) =>
      fetch(`${srv.base}/auth/oidc/callback?code=x${i}&state=y${k}`, { redirect: 'manual' })
        .then(r => { assert.equal(r.headers.get('location'), '/?sso_error=refused'); })));
  }
  assert.equal((await audit(srv)).length, rows, 'no audit rows');
  const metrics = await (await fetch(`${srv.base}/metrics`)).text();
  const line = metrics.split('\n').find(l => l.startsWith('timebok_http_anonymous_denials_total') && l.includes('/auth/oidc/callback'));
  assert.ok(line && Number(line.split(' ').at(-1)) >= 500, line);
  const log = readFileSync(join(srv.dir, 'server.log'), 'utf8');
  assert.equal(log.split('\n').filter(l => l.includes('a sign-in was refused')).length, 1);
  // a refusal that names a real person is still audited
  const r = await f.login(srv.base, 'good', { sub: 'nobody-maps-me', roles: ['x'] });
  assert.equal(r.location, '/?sso_error=unmapped');
  assert.equal((await audit(srv))[0].action, 'sso refused: unmapped');
});

test('5: a slow token endpoint holds two exchanges at most; staff requests stay fast; the breaker opens', async () => {
  const slow = await startHostile({ clientId: 'timebok', secret: SECRET });
  const s = await startServer([...oidcArgs(slow.issuer), '--threads', '8']);
  try {
    const via = flow(slow);
    const pw = await fetch(`${s.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'correct horse battery staple' }) });
    const admin = /timebok_session=([^;]+)/.exec(pw.headers.get('set-cookie'))[1];
    const begun = [];
    for (let i = 0; i < 6; i++) begun.push(await via.begin(s.base));
    slow.delay(8000); // longer than timebok's 5 s
    // one after another, a little apart, so each is taken by a thread that
    // is free (MHD keeps a connection on the thread that accepted it)
    const callbacks = [];
    for (const b of begun) {
      const t = Date.now();
      callbacks.push(timed(s.base, `/auth/oidc/callback?code=${slow.code('good', b.location)}&state=${b.state}`, b.cookie)
        .then(r => ({ ...r, ms: Date.now() - t })));
      await new Promise(r => setTimeout(r, 150));
    }
    await new Promise(r => setTimeout(r, 300));
    // staff requests on new connections are taken by the threads that are
    // not waiting for the provider: fast
    const fast = await Promise.all(Array.from({ length: 8 }, () => timedMe(s.base, admin)));
    assert.ok(fast.every(x => x.status === 200), JSON.stringify(fast));
    assert.ok(Math.max(...fast.map(x => x.ms)) < 1500, `staff requests took ${JSON.stringify(fast)}`);
    const done = await Promise.all(callbacks);
    for (const r of done) assert.equal(r.location, '/?sso_error=unavailable');
    // two exchanges at once, no more: the rest are answered at once; the
    // two give up after 5 s
    assert.equal(slow.tokenCalls, 2);
    assert.deepEqual(done.map(r => r.ms < 1500), [false, false, true, true, true, true], `${done.map(r => r.ms)}`);
    assert.ok(done.every(r => r.ms < 6500), `timeouts are short: ${done.map(r => r.ms)}`);
    // the breaker: the token endpoint is not asked again for a while
    slow.delay(0);
    const calls = slow.tokenCalls;
    const b = await via.begin(s.base);
    const t1 = Date.now();
    const r = await via.callback(s.base, { code: slow.code('good', b.location), state: b.state, cookie: b.cookie });
    assert.equal(r.location, '/?sso_error=unavailable');
    assert.ok(Date.now() - t1 < 1000);
    assert.equal(slow.tokenCalls, calls, 'the token endpoint was not called');
  } finally {
    await s.stop();
    await slow.close();
  }
});

test('6: names are cut at characters, bidi controls dropped, blank names fall back', async () => {
  const long = `a${'Ø'.repeat(40)}`;
  const one = await loggedIn(srv.base, 'good', { sub: 'name-1', name: long });
  const name = one.me.username;
  assert.ok(Buffer.byteLength(name) <= 60, name);
  assert.ok(long.startsWith(name) && name.length === 30, `whole characters: ${name}`);
  const again = await loggedIn(srv.base, 'good', { sub: 'name-1b', name: long });
  assert.match(again.me.username, /^aØ+ \(2\)$/);
  assert.ok(Buffer.byteLength(again.me.username) <= 63);
  const bidi = await loggedIn(srv.base, 'good', { sub: 'name-2', name: '\u202eNIMDA\u2066x\u2069' });
  assert.equal(bidi.me.username, 'NIMDAx');
  const blank = await loggedIn(srv.base, 'good', { sub: 'name-3', name: ' \u202e  ', preferred_username: 'kari.n' });
  assert.equal(blank.me.username, 'kari.n');
  const bare = await loggedIn(srv.base, 'good', { sub: 'name-4', name: '   ', preferred_username: '' });
  assert.equal(bare.me.username, 'name-4');
  // the audit log's JSON stays valid UTF-8
  const text = await (await fetch(`${srv.base}/api/v1/audit?limit=50`, { headers: { Cookie: `timebok_session=${one.session}` } })).arrayBuffer();
  new TextDecoder('utf-8', { fatal: true }).decode(text);
});

test('9: a claim named like a URL is looked up whole', async () => {
  const r = await loggedIn(srv.base, 'good', { sub: 'url-claim', roles: [], 'https://timebok.example/roles': ['leder'] });
  assert.equal(r.me.role, 'manager');
});

test('10: --oidc-only answers a non-admin\'s right password exactly like a wrong one, changing nothing, audited', async () => {
  const only = await startServer([...oidcArgs(idp.issuer), '--oidc-only']);
  try {
    const user = await only.api('POST', '/api/v1/users', { username: 'sekr', role: 'secretary', password: 'correct horse battery staple' }, 201);
    const tryLogin = async (password) => {
      const res = await fetch(`${only.base}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'sekr', password }) });
      return { status: res.status, cookie: res.headers.get('set-cookie'), body: await res.json() };
    };
    const right = await tryLogin('correct horse battery staple');
    const wrong = await tryLogin('not the password at all');
    assert.deepEqual(right, wrong);
    assert.equal(right.status, 401);
    const after = (await only.api('GET', '/api/v1/users', null, 200)).find(u => u.id === user.id);
    assert.equal(after.last_login_at ?? null, null, 'no login recorded');
    const rows = await audit(only);
    const row = rows.find(x => x.action === 'login refused: single sign-on only');
    assert.ok(row, 'the refusal is audited');
    assert.equal(row.username, 'sekr');
  } finally { await only.stop(); }
});

test('the callback clears the pre-login cookie; "crit" is refused; unit_ids are answered once each', async () => {
  const ok = await f.login(srv.base, 'good', { sub: 'cookie-1' });
  assert.match(ok.setCookie, /^timebok_session=/);
  assert.match(ok.setCookie, /timebok_oidc=; Path=\/auth\/oidc; Max-Age=0/);
  const crit = await f.login(srv.base, 'crit', { sub: 'crit-1' });
  assert.equal(crit.location, '/?sso_error=refused');
  assert.match(crit.setCookie, /^timebok_oidc=; Path=\/auth\/oidc; Max-Age=0/);
  const maps = await srv.api('GET', '/api/v1/sso/mappings', null, 200);
  assert.deepEqual(maps[1].unit_ids, [unit.id]);
  const put = await srv.api('PUT', '/api/v1/sso/mappings', maps.map(m => ({ ...m, unit_ids: [...m.unit_ids, ...m.unit_ids] })), 200);
  assert.deepEqual(put.map(m => m.unit_ids), [[unit.id], [unit.id]]);
});
