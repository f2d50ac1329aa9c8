// hostile.mjs - a small, hostile OpenID provider for tests: it serves
// discovery, its keys and a token endpoint, and answers each code with the
// ID token the test asked for: a good one, or one signed with the wrong
// algorithm (HS256 keyed with its own public key, "none", ES256 where RS256
// is expected), by an unknown key, for another issuer or audience, expired,
// or with another nonce.  It checks what timebok sends: the client's
// secret (client_secret_basic), the PKCE verifier against the challenge,
// and the redirect URI.  Only node's own modules: nothing to install.
import { createServer } from 'node:http';
import { createHash, createHmac, createPublicKey, generateKeyPairSync, sign as rawSign, verify as rawVerify, randomUUID } from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const enc = (obj) => b64url(JSON.stringify(obj));

// clientKey: the client's public JWK, for private_key_jwt (else a secret).
// discoveryIssuer: what the metadata claims to be (default: the truth).
// endSession: offer an end_session_endpoint (RP-Initiated Logout).
export async function startHostile({ clientId, secret, clientKey, discoveryIssuer, endSession }) {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' };
  const codes = new Map(); // code -> {mode, nonce, challenge, claims}
  const seen = [];         // what the token endpoint was sent, for asserts
  let base = '';
  let delayMs = 0; // the token endpoint's answer waits this long
  let tokenCalls = 0; // token requests received, answered or not

  function token(mode, nonce, extra = {}) {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: base, sub: 'hostile-sub-1', aud: clientId, iat: now, exp: now + 300, nonce,
      name: 'Hanne Hostil', roles: ['timebok-sekretaer'], sid: 'sid-1', acr: 'urn:loa:high', amr: ['pwd', 'otp'],
      ...extra,
    };
    if (mode === 'wrong-iss') claims.iss = `${base}/other`;
    if (mode === 'wrong-aud') claims.aud = 'someone-else';
    if (mode === 'expired') { claims.iat = now - 900; claims.exp = now - 600; }
    if (mode === 'wrong-nonce') claims.nonce = `${nonce}x`;
    if (mode === 'wrong-azp') { claims.aud = [clientId, 'other']; claims.azp = 'other'; }
    let header = { alg: 'RS256', kid: 'k1', typ: 'JWT' };
    if (mode === 'none') header = { alg: 'none', kid: 'k1' };
    if (mode === 'hs256-public-key') header = { alg: 'HS256', kid: 'k1' };
    if (mode === 'es256') header = { alg: 'ES256', kid: 'k1' };
    if (mode === 'crit') header = { alg: 'RS256', kid: 'k1', crit: ['exp'] };
    if (mode === 'unknown-key') header = { alg: 'RS256', kid: 'k1' };
    const input = `${enc(header)}.${enc(claims)}`;
    let sig = '';
    if (mode === 'none') sig = '';
    else if (mode === 'hs256-public-key') {
      // the confusion attack: the public key (as served and as PEM) as an HMAC secret
      sig = b64url(createHmac('sha256', rsa.publicKey.export({ type: 'spki', format: 'pem' })).update(input).digest());
    } else if (mode === 'es256') {
      sig = b64url(rawSign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }));
    } else {
      sig = b64url(rawSign('sha256', Buffer.from(input), mode === 'unknown-key' ? other.privateKey : rsa.privateKey));
    }
    return `${input}.${sig}`;
  }

  // A logout token for sid/sub (signed with the right key unless mode says).
  // extra claims are added as given (null: the claim is left out).
  function logoutToken({ sid, sub, mode = 'good', extra = {} }) {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: base, aud: clientId, iat: now, jti: randomUUID(),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} } };
    if (sid !== undefined) claims.sid = sid;
    if (sub !== undefined) claims.sub = sub;
    for (const [k, v] of Object.entries(extra)) { if (v === null) delete claims[k]; else claims[k] = v; }
    if (mode === 'with-nonce') claims.nonce = 'n';
    const header = mode === 'none' ? { alg: 'none' } : { alg: 'RS256', kid: 'k1' };
    const input = `${enc(header)}.${enc(claims)}`;
    return `${input}.${mode === 'none' ? '' : b64url(rawSign('sha256', Buffer.from(input), rsa.privateKey))}`;
  }

  // private_key_jwt (RFC 7523): signed by the client's key, for this
  // token endpoint, from and about the client, unexpired
  function assertionOk(form) {
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return false;
    const [h, p, sig] = (form.get('client_assertion') || '').split('.');
    if (!sig) return false;
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const key = createPublicKey({ key: clientKey, format: 'jwk' });
    if (clientKey.x5t && header.x5t !== clientKey.x5t) return false;
    return header.alg === 'RS256' && rawVerify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url')) &&
      claims.iss === clientId && claims.sub === clientId && claims.aud === `${base}/token` &&
      claims.exp > Date.now() / 1000 && typeof claims.jti === 'string' && form.get('client_id') === clientId;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, base);
    const json = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: discoveryIssuer || base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        ...(endSession ? { end_session_endpoint: `${base}/logout` } : {}),
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/token' && req.method === 'POST') {
      tokenCalls++;
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', async () => {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (res.destroyed) return undefined;
        const form = new URLSearchParams(body);
        const auth = req.headers.authorization || '';
        const [id, sec] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':').map(decodeURIComponent);
        const entry = codes.get(form.get('code'));
        const assertion = clientKey && assertionOk(form);
        seen.push({ form: Object.fromEntries(form), basic: id === clientId && sec === secret, assertion });
        if (clientKey ? !assertion : (id !== clientId || sec !== secret)) return json(401, { error: 'invalid_client' });
        if (!entry || form.get('grant_type') !== 'authorization_code') return json(400, { error: 'invalid_grant' });
        const challenge = createHash('sha256').update(form.get('code_verifier') || '').digest('base64url');
        if (challenge !== entry.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE' });
        // a code is good for one exchange, as a real provider's
        codes.delete(form.get('code'));
        return json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 300,
          id_token: token(entry.mode, entry.nonce, entry.claims) });
      });
      return undefined;
    }
    res.writeHead(404);
    res.end();
    return undefined;
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    get issuer() { return base; },
    seen,
    // The code the test hands timebok's callback, answered as mode says.
    code(mode, authorizeUrl, claims = {}) {
      const u = new URL(authorizeUrl);
      const code = randomUUID();
      codes.set(code, { mode, nonce: u.searchParams.get('nonce'), challenge: u.searchParams.get('code_challenge'), claims });
      return code;
    },
    logoutToken,
    // Make the token endpoint slow (ms), as a provider under load.
    delay(ms) { delayMs = ms; },
    get tokenCalls() { return tokenCalls; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  };
}
