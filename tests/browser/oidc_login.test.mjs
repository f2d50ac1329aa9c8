// oidc_login.test.mjs - single sign-on through a real, certified OpenID
// provider (the npm package oidc-provider, run here, offline), driven
// through Chromium, once with RS256 keys and once with ES256: the admin sets
// the rules up on the set-up screen (keyboard only); a mapped secretary
// clicks "Logg inn med sykehusets innlogging", signs in at the provider and
// lands in the app with her role and units; an unmapped person is refused
// with the login page's explanation and nothing logged in; logging out ends
// the session on the server and at the provider (RP-Initiated Logout: the
// browser goes to the provider's logout and back), so the next person at
// the same browser is asked to log in, with no provider change in between;
// the provider rotates its key and the next login still works.  axe-core
// checks the login page and the rules.
// With --oidc-only the password form is folded away for admins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { startServer, launch, axe, shots, staffPage, loadTexts } from './harness.mjs';

const SECRET = `secret-${randomUUID()}`;
const PASSWORD = 'correct horse battery staple';
// the provider's people: login name -> roles claim
const PEOPLE = {
  'kari.sekretaer': { name: 'Kari Sekretær', roles: ['timebok-sekretaer', 'ansatt'] },
  'ola.ukjent': { name: 'Ola Ukjent', roles: ['ansatt'] },
};

function newKey(alg) {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair.privateKey.export({ format: 'jwk' }), kid: `k-${randomUUID()}`, alg, use: 'sig' };
}

// An oidc-provider at a loopback port; rotate() swaps in a new signing key
// (a provider with the same issuer and a new key set, as after a rotation).
async function startProvider(alg, redirectUri, port) {
  let handler = null;
  const server = createServer((req, res) => handler(req, res));
  await new Promise(r => server.listen(port, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const make = () => {
    const provider = new Provider(issuer, {
      clients: [{
        client_id: 'timebok', client_secret: SECRET, redirect_uris: [redirectUri],
        post_logout_redirect_uris: [new URL('/', redirectUri).href],
        grant_types: ['authorization_code'], response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: alg,
      }],
      jwks: { keys: [newKey(alg)] },
      claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'roles'] },
      conformIdTokenClaims: false, // the claims in the ID token, where timebok reads them
      features: {
        devInteractions: { enabled: true },
        // its logout question, without the default page's web fonts (offline)
        rpInitiatedLogout: {
          enabled: true,
          async logoutSource(ctx, form) {
            ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Sign out</title></head><body><main>${form}
              <button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button></main></body></html>`;
          },
        },
      },
      cookies: { keys: [randomUUID()] },
      async findAccount(ctx, id) {
        const p = PEOPLE[id];
        return p && { accountId: id, claims: async () => ({ sub: id, name: p.name, preferred_username: id, roles: p.roles }) };
      },
      // no consent page: timebok is the hospital's own app
      async loadExistingGrant(ctx) {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope('openid profile');
        await grant.save();
        return grant;
      },
    });
    provider.on('server_error', (ctx, e) => console.error('provider:', e));
    handler = provider.callback();
  };
  make();
  return { issuer, rotate: make, close: () => new Promise(r => { server.closeAllConnections(); server.close(r); }) };
}

let browser, texts, secretDir;

before(async () => {
  browser = await launch();
  texts = await loadTexts();
  secretDir = mkdtempSync(join(tmpdir(), 'timebok-oidc-'));
  writeFileSync(join(secretDir, 'secret'), SECRET, { mode: 0o600 });
});
after(async () => {
  await browser?.close();
  rmSync(secretDir, { recursive: true, force: true });
});

// Sign in at the provider's own login page as login (any password).
async function providerLogin(page, login) {
  await page.locator('#sso-login').click();
  await page.waitForURL(/\/interaction\//);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
}

for (const alg of ['RS256', 'ES256']) {
  test(`single sign-on with ${alg} keys: rules, a mapped secretary, an unmapped person, key rotation, logout`, async () => {
    // timebok must know its issuer at start, the provider its redirect URI:
    // the provider's port first, timebok next, the provider's config last
    let idp = null;
    const port = await freePort();
    const srv = await startServer(['--oidc-issuer', `http://127.0.0.1:${port}`, '--oidc-client-id', 'timebok',
      '--oidc-client-secret-file', join(secretDir, 'secret'), '--oidc-alg', alg]);
    const errors = [];
    try {
      idp = await startProvider(alg, `${srv.base}/auth/oidc/callback`, port);
      const unit = await srv.api('POST', '/api/v1/units', { name: 'Hjertepoliklinikken' }, 201);
      await srv.api('POST', '/api/v1/units', { name: 'Øyepoliklinikken' }, 201);

      // the admin writes the rule on the set-up screen, by keyboard alone
      const admin = await staffPage(browser, errors);
      await admin.goto(srv.base);
      await admin.locator('#username').fill('admin');
      await admin.locator('#password').fill(PASSWORD);
      await admin.keyboard.press('Enter');
      await admin.locator('#logout').waitFor();
      await admin.goto(`${srv.base}/#/admin/sso`);
      await admin.locator('#sso-add').waitFor();
      await admin.locator('#sso-add').focus();
      await admin.keyboard.press('Enter');
      assert.equal(await admin.evaluate(() => document.activeElement.id), 'sso-value-1', 'focus on the new rule');
      await admin.keyboard.type('timebok-sekretaer');
      await admin.locator('#sso-units-1').selectOption(String(unit.id));
      await admin.locator('#sso-save').focus();
      await admin.keyboard.press('Enter');
      await admin.locator('.toast, [role="status"]').first().waitFor().catch(() => {});
      for (let i = 0; i < 50 && !(await srv.api('GET', '/api/v1/sso/mappings', null, 200)).length; i++)
        await new Promise(r => setTimeout(r, 100));
      assert.deepEqual(await srv.api('GET', '/api/v1/sso/mappings', null, 200),
        [{ claim: 'roles', value: 'timebok-sekretaer', role: 'secretary', unit_ids: [unit.id], clinician_id: null }]);
      assert.deepEqual(await axe(admin), []);
      await admin.screenshot({ path: join(shots, `oidc-rules-${alg}.png`), fullPage: true });
      await admin.context().close();

      // the login page offers the hospital's login
      const page = await staffPage(browser, errors);
      await page.goto(srv.base);
      await page.locator('#sso-login').waitFor();
      assert.equal(await page.locator('#sso-login').textContent(), texts.nb.sso.button);
      assert.equal(texts.nb.sso.button, 'Logg inn med sykehusets innlogging');
      assert.deepEqual(await axe(page), []);
      await page.screenshot({ path: join(shots, `oidc-login-${alg}.png`) });

      // a mapped secretary lands in the app with her role and units
      await providerLogin(page, 'kari.sekretaer');
      await page.locator('#logout').waitFor({ state: 'visible' });
      const me = await (await page.request.get(`${srv.base}/api/v1/me`)).json();
      assert.equal(me.role, 'secretary');
      assert.deepEqual(me.unit_ids, [unit.id]);
      assert.equal(me.auth, 'oidc');
      assert.equal(me.username, 'Kari Sekretær');
      assert.match(await page.locator('#user').textContent(), /Kari Sekretær \(helsesekretær\)/);
      await page.screenshot({ path: join(shots, `oidc-in-${alg}.png`) });

      // logging out ends the session on the server and at the provider:
      // the browser is sent to the provider's logout, and back
      await page.locator('#logout').click();
      await page.waitForURL(u => new URL(u).origin === idp.issuer);
      assert.equal((await page.request.get(`${srv.base}/api/v1/me`)).status(), 401);
      await page.locator('button[name="logout"]').click();
      await page.waitForURL(u => new URL(u).origin === srv.base);
      await page.locator('#sso-login').waitFor();

      // the next person at this browser is asked to log in (the provider
      // is the same one, its key unchanged): not let in as Kari
      await page.locator('#sso-login').click();
      await page.waitForURL(/\/interaction\//);
      await page.locator('input[name="login"]').waitFor();
      assert.equal((await page.request.get(`${srv.base}/api/v1/me`)).status(), 401);
      await page.screenshot({ path: join(shots, `oidc-asked-again-${alg}.png`) });
      await page.locator('input[name="login"]').fill('kari.sekretaer');
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button[type="submit"]').click();
      await page.locator('#logout').waitFor({ state: 'visible' });
      assert.equal((await (await page.request.get(`${srv.base}/api/v1/me`)).json()).auth, 'oidc');
      await page.context().close();

      // the provider rotates its key; the next login still works
      idp.rotate();

      // an unmapped person is refused, with the page's explanation, and is not in
      const other = await staffPage(browser, errors);
      await other.goto(srv.base);
      await other.locator('#sso-login').waitFor();
      await providerLogin(other, 'ola.ukjent');
      await other.waitForURL(u => new URL(u).pathname === '/' && !new URL(u).search);
      await other.locator('#login-error').filter({ hasText: texts.nb.sso.error.unmapped }).waitFor();
      assert.equal((await other.request.get(`${srv.base}/api/v1/me`)).status(), 401);
      const audit = await srv.api('GET', '/api/v1/audit?limit=20', null, 200);
      assert.ok(audit.some(r => r.action === 'sso refused: unmapped' && r.detail.subject === 'ola.ukjent'));
      const login = audit.find(r => r.action === 'login sso');
      assert.equal(login.detail.issuer, idp.issuer);
      assert.equal(login.detail.subject, 'kari.sekretaer');
      assert.deepEqual(await axe(other), []);
      await other.screenshot({ path: join(shots, `oidc-unmapped-${alg}.png`) });
      await other.context().close();
      assert.deepEqual(errors, []);
    } finally {
      await srv.stop();
      await idp?.close();
    }
  });
}

// A free loopback port (timebok must know its issuer before the provider
// can know timebok's redirect URI).
async function freePort() {
  const s = createServer();
  await new Promise(r => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise(r => s.close(r));
  return port;
}

test('--oidc-only: the hospital\'s login first, the password folded away for admins, by keyboard', async () => {
  const port = await freePort(); // nobody answers there: the page needs no provider to be drawn
  const srv = await startServer(['--oidc-issuer', `http://127.0.0.1:${port}`, '--oidc-client-id', 'timebok',
    '--oidc-client-secret-file', join(secretDir, 'secret'), '--oidc-only']);
  const errors = [];
  try {
    const page = await staffPage(browser, errors);
    await page.goto(srv.base);
    await page.locator('#sso-login').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'sso-login', 'focus on the hospital\'s login');
    assert.equal(await page.locator('#username').isVisible(), false);
    assert.deepEqual(await axe(page), []);
    await page.screenshot({ path: join(shots, 'oidc-only.png') });
    // an admin opens the fold and logs in with the keyboard alone
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'SUMMARY');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.type('admin');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('#logout').waitFor({ state: 'visible' });
    // a provider that does not answer: back on the login page, told so
    await page.locator('#logout').click();
    await page.locator('#sso-login').click();
    await page.locator('#login-error').filter({ hasText: texts.nb.sso.error.unavailable }).waitFor();
    assert.deepEqual(errors, []);
    await page.context().close();
  } finally {
    await srv.stop();
  }
});
