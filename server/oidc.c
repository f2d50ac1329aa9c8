/*
 * oidc.c - the OpenID Connect relying party; see oidc.h for the design.
 *
 * One struct oidc per process, shared by the HTTP threads under one mutex:
 * the provider's metadata and keys (fetched outside the lock, swapped in
 * under it) and the table of logins under way.  Nothing here touches the
 * database or HTTP replies: api_oidc.c does.
 */
#include "oidc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "lazy_cjose.h"
#include "lazy_curl.h"
#include "log.h"
#include "throttle.h"

#define HTTP_MAX (256 * 1024) /* a provider's answer, at most */

struct oidc {
	const struct config *cfg;
	const char *alg;	 /* static: the one accepted */
	char *secret;		 /* client secret (NULL: private-key JWT) */
	cjose_jwk_t *client_key; /* private-key JWT (NULL: secret) */
	char client_x5t[64];	 /* its certificate's thumbprint, for Entra ID ("" none) */
	pthread_mutex_t mu;
	/* the provider's metadata, once fetched */
	bool discovered;
	int64_t discovery_failed; /* when it last failed: no new try for a while */
	char authorization_endpoint[512];
	char token_endpoint[512];
	char jwks_uri[512];
	char end_session_endpoint[512]; /* "" when the provider has none */
	json_t *jwks;			/* {"keys": [...]} or NULL */
	int64_t jwks_at;		/* when the keys were last fetched (or tried) */
	/* refreshes for logins [0] and for back-channel posts [1], which anyone
	 * may send: a flood of made-up kids must not use up the logins' budget */
	int64_t refresh_window[2]; /* the minute the refreshes are counted in */
	int refreshes[2];
	struct throttle *refusals; /* anonymous refusals logged, per address */
	int exchanges;		   /* token exchanges under way */
	int64_t token_failed;	   /* when the token endpoint last could not be reached */
	struct oidc_pending pending[OIDC_PENDING_MAX];
	struct seen_jti {
		unsigned char hash[16];
		int64_t until;
	} jti[OIDC_JTI_MAX];
	struct hint {
		char session_hash[65];
		char *id_token;
		int64_t at;
	} hints[OIDC_HINTS_MAX];
};

const char *oidc_alg_name(const char *configured)
{
	static const char *const algs[] = {"RS256", "ES256", "PS256"};

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (configured && !strcmp(configured, algs[i]))
			return algs[i];
	return NULL;
}

bool oidc_loopback(const char *url)
{
	const char *h;
	char host[64];
	size_t n;
	struct in_addr a4;

	if (!strncmp(url, "http://", 7))
		h = url + 7;
	else if (!strncmp(url, "https://", 8))
		h = url + 8;
	else
		return false;
	if (*h == '[')
		return !strncmp(h, "[::1]", 5) && (h[5] == ':' || h[5] == '/' || !h[5]);
	n = strcspn(h, ":/?#");
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	if (!strcmp(host, "localhost"))
		return true;
	return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

/* https, or http to a loopback host (tests) */
static bool url_allowed(const char *url)
{
	return !strncmp(url, "https://", 8) || (!strncmp(url, "http://", 7) && oidc_loopback(url));
}

static char *read_secret(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n;

	if (!f)
		return NULL;
	n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	char *s = n ? strdup(line) : NULL;
	sodium_memzero(line, sizeof(line));
	return s;
}

/* The private JWK in path; its "x5t" (a certificate's SHA-1 thumbprint,
 * which Entra ID wants in the assertion's header) into x5t. */
static cjose_jwk_t *read_key(const char *path, char x5t[64])
{
	FILE *f = fopen(path, "r");
	char text[16384];
	cjose_err cerr;
	size_t n;
	cjose_jwk_t *k;
	json_t *j;
	const char *t;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	k = cjose_jwk_import(text, n, &cerr);
	if (k && (j = json_loadb(text, n, 0, NULL))) {
		if ((t = json_string_value(json_object_get(j, "x5t"))) && strlen(t) < 64)
			snprintf(x5t, 64, "%s", t);
		json_decref(j);
	}
	sodium_memzero(text, sizeof(text));
	return k;
}

enum app_err oidc_new(const struct config *cfg, struct oidc **out)
{
	struct oidc *o;
	const char *env;

	*out = NULL;
	if (!cfg->oidc_issuer[0])
		return APP_OK;
	if (!url_allowed(cfg->oidc_issuer)) {
		log_error("oidc: --oidc-issuer must be https (http only for a loopback address)");
		return APP_EINVAL;
	}
	if (!cfg->oidc_client_id[0]) {
		log_error("oidc: --oidc-issuer needs --oidc-client-id");
		return APP_EINVAL;
	}
	if (!(o = calloc(1, sizeof(*o))))
		return APP_ENOMEM;
	o->cfg = cfg;
	pthread_mutex_init(&o->mu, NULL);
	if (throttle_new(1, OIDC_REFUSAL_LOG_S, &o->refusals)) {
		pthread_mutex_destroy(&o->mu);
		free(o);
		return APP_ENOMEM;
	}
	if (!(o->alg = oidc_alg_name(cfg->oidc_alg))) {
		log_error("oidc: --oidc-alg is RS256, ES256 or PS256");
		goto fail;
	}
	if (cfg->oidc_client_key_file[0]) {
		if (!(o->client_key = read_key(cfg->oidc_client_key_file, o->client_x5t))) {
			log_error("oidc: cannot read a JWK from '%s'", cfg->oidc_client_key_file);
			goto fail;
		}
	} else if (cfg->oidc_client_secret_file[0]) {
		if (!(o->secret = read_secret(cfg->oidc_client_secret_file))) {
			log_error("oidc: cannot read the client secret from '%s'",
				  cfg->oidc_client_secret_file);
			goto fail;
		}
	} else if ((env = getenv("TIMEBOK_OIDC_CLIENT_SECRET")) && *env) {
		if (!(o->secret = strdup(env)))
			goto fail;
	} else {
		log_error("oidc: a client secret (--oidc-client-secret-file or "
			  "TIMEBOK_OIDC_CLIENT_SECRET) or --oidc-client-key-file is needed");
		goto fail;
	}
	*out = o;
	return APP_OK;
fail:
	oidc_free(o);
	return APP_EINVAL;
}

void oidc_free(struct oidc *o)
{
	if (!o)
		return;
	if (o->secret) {
		sodium_memzero(o->secret, strlen(o->secret));
		free(o->secret);
	}
	cjose_jwk_release(o->client_key);
	json_decref(o->jwks);
	throttle_free(o->refusals);
	for (int i = 0; i < OIDC_HINTS_MAX; i++)
		free(o->hints[i].id_token);
	pthread_mutex_destroy(&o->mu);
	sodium_memzero(o->pending, sizeof(o->pending));
	free(o);
}

/* --- HTTP to the provider -------------------------------------------- */

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;

	return buf_append(b, p, size * n) ? size * n : 0;
}

/* GET url (or POST form with headers h) and parse the JSON answer into
 * *out (new).  APP_EBUSY when the provider cannot be reached or answers
 * with an error status (*status says which, 0 for none). */
static enum app_err http_json(const char *url, const char *form, struct curl_slist *h, long *status,
			      json_t **out)
{
	struct buf b;
	CURL *c = NULL;
	CURLcode rc;
	enum app_err err = APP_EBUSY;

	*out = NULL;
	*status = 0;
	if (!url_allowed(url)) {
		log_warn("oidc: refusing a provider URL that is not https");
		return APP_EBUSY;
	}
	buf_init(&b, HTTP_MAX);
	if (!(c = curl_easy_init()))
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)OIDC_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)OIDC_HTTP_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (h)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		log_warn("oidc: the provider could not be reached: %s", curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	buf_putc(&b, '\0');
	size_t len = 0;
	char *text = buf_steal(&b, &len);
	if (!text)
		goto out;
	*out = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	free(text);
	err = *out && json_is_object(*out) && *status == 200 ? APP_OK : APP_EBUSY;
	if (err && *out) {
		json_decref(*out);
		*out = NULL;
	}
out:
	curl_easy_cleanup(c);
	buf_release(&b);
	return err;
}

static bool copy_url(json_t *meta, const char *key, char *dst, size_t cap)
{
	const char *v = json_string_value(json_object_get(meta, key));

	if (!v || strlen(v) >= cap || !url_allowed(v))
		return false;
	snprintf(dst, cap, "%s", v);
	return true;
}

/* The provider's metadata, fetched once.  After a failure no new fetch is
 * made for OIDC_RETRY_S: a provider that is down must not hold a worker
 * thread per request (anyone may post to the back-channel logout). */
static enum app_err discover(struct oidc *o, int64_t now)
{
	char url[600];
	json_t *meta = NULL;
	long status;
	enum app_err err;
	bool ok;

	pthread_mutex_lock(&o->mu);
	ok = o->discovered;
	bool wait = o->discovery_failed && now - o->discovery_failed < OIDC_RETRY_S &&
		    now >= o->discovery_failed;
	if (!ok && !wait)
		o->discovery_failed = now; /* one fetch at a time; cleared on success */
	pthread_mutex_unlock(&o->mu);
	if (ok)
		return APP_OK;
	if (wait)
		return APP_EBUSY;
	snprintf(url, sizeof(url), "%s%s.well-known/openid-configuration", o->cfg->oidc_issuer,
		 o->cfg->oidc_issuer[strlen(o->cfg->oidc_issuer) - 1] == '/' ? "" : "/");
	if ((err = http_json(url, NULL, NULL, &status, &meta)))
		return err;
	pthread_mutex_lock(&o->mu);
	/* the issuer must be the configured one, character for character */
	if (!json_is_string(json_object_get(meta, "issuer")) ||
	    strcmp(json_string_value(json_object_get(meta, "issuer")), o->cfg->oidc_issuer)) {
		log_error("oidc: the provider's metadata names another issuer than --oidc-issuer");
		err = APP_EBUSY;
	} else if (!copy_url(meta, "authorization_endpoint", o->authorization_endpoint,
			     sizeof(o->authorization_endpoint)) ||
		   !copy_url(meta, "token_endpoint", o->token_endpoint,
			     sizeof(o->token_endpoint)) ||
		   !copy_url(meta, "jwks_uri", o->jwks_uri, sizeof(o->jwks_uri))) {
		log_error("oidc: the provider's metadata lacks an https endpoint or jwks_uri");
		err = APP_EBUSY;
	} else {
		/* optional (RP-Initiated Logout); without it logins ask for
		 * prompt=login (oidc_begin) */
		if (!copy_url(meta, "end_session_endpoint", o->end_session_endpoint,
			      sizeof(o->end_session_endpoint)))
			o->end_session_endpoint[0] = '\0';
		o->discovered = true;
		o->discovery_failed = 0;
	}
	pthread_mutex_unlock(&o->mu);
	json_decref(meta);
	return err;
}

/* Fetch the provider's keys: when there are none, when they are older than
 * OIDC_JWKS_MAX_AGE_S (one fetch an age; a removed key stops being
 * trusted), or (force: no key verified a token) if budget's refreshes
 * allow; false when no fetch was made or it failed. */
static bool jwks_fetch(struct oidc *o, int64_t now, bool force, int budget)
{
	json_t *keys = NULL;
	long status;
	bool allowed;

	pthread_mutex_lock(&o->mu);
	if (now / 60 != o->refresh_window[budget]) {
		o->refresh_window[budget] = now / 60;
		o->refreshes[budget] = 0;
	}
	if (o->jwks && (now - o->jwks_at >= OIDC_JWKS_MAX_AGE_S || now < o->jwks_at)) {
		allowed = true; /* due: not counted */
	} else {
		allowed = (force || !o->jwks) && o->refreshes[budget] < OIDC_JWKS_REFRESHES;
		if (allowed)
			o->refreshes[budget]++;
	}
	if (allowed)
		o->jwks_at = now;
	pthread_mutex_unlock(&o->mu);
	if (!allowed)
		return false;
	if (http_json(o->jwks_uri, NULL, NULL, &status, &keys))
		return false;
	if (!json_is_array(json_object_get(keys, "keys"))) {
		json_decref(keys);
		return false;
	}
	pthread_mutex_lock(&o->mu);
	json_decref(o->jwks);
	o->jwks = keys; /* steals */
	pthread_mutex_unlock(&o->mu);
	return true;
}

static json_t *jwks_get(struct oidc *o)
{
	json_t *k;

	pthread_mutex_lock(&o->mu);
	k = json_incref(o->jwks);
	pthread_mutex_unlock(&o->mu);
	return k;
}

/* --- logins under way --------------------------------------------------- */

void oidc_challenge(const char *verifier, char out[44])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
	sodium_bin2base64(out, 44, h, sizeof(h), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool put_param(struct buf *b, const char *sep, const char *key, const char *v)
{
	CURL *c = curl_easy_init();
	char *e = c ? curl_easy_escape(c, v, 0) : NULL;
	bool ok = e && buf_printf(b, "%s%s=%s", sep, key, e);

	curl_free(e);
	curl_easy_cleanup(c);
	return ok;
}

enum app_err oidc_begin(struct oidc *o, const char *redirect_uri, const char *addr, int64_t now,
			char **url, char prelogin[TOKEN_LEN + 1])
{
	struct oidc_pending p = {0};
	char challenge[44];
	struct buf b;
	enum app_err err;
	int slot = -1, mine = 0, oldest_mine = -1, oldest = 0;
	bool prompt;
	size_t len;

	*url = NULL;
	if ((err = discover(o, now)))
		return err;
	token_new(p.state);
	token_new(p.nonce);
	token_new(p.verifier);
	token_new(prelogin);
	token_hash(prelogin, p.prelogin_hash);
	p.created = now;
	snprintf(p.addr, sizeof(p.addr), "%s", addr);
	oidc_challenge(p.verifier, challenge);

	buf_init(&b, 8192);
	pthread_mutex_lock(&o->mu);
	/* this address's oldest when it has its fill, else a free or expired
	 * place, else the oldest of all makes way */
	for (int i = 0; i < OIDC_PENDING_MAX; i++) {
		struct oidc_pending *q = &o->pending[i];
		if (!q->state[0] || now - q->created > OIDC_PENDING_S || now < q->created) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (!strcmp(q->addr, p.addr)) {
			mine++;
			if (oldest_mine < 0 || q->created < o->pending[oldest_mine].created)
				oldest_mine = i;
		}
		if (q->created < o->pending[oldest].created || !o->pending[oldest].state[0])
			oldest = i;
	}
	if (mine >= OIDC_PENDING_PER_ADDR)
		slot = oldest_mine;
	else if (slot < 0)
		slot = oldest;
	o->pending[slot] = p;
	buf_puts(&b, o->authorization_endpoint);
	prompt = !o->end_session_endpoint[0];
	pthread_mutex_unlock(&o->mu);
	if (!put_param(&b, strchr(b.data ? b.data : "", '?') ? "&" : "?", "response_type",
		       "code") ||
	    !put_param(&b, "&", "client_id", o->cfg->oidc_client_id) ||
	    !put_param(&b, "&", "redirect_uri", redirect_uri) ||
	    !put_param(&b, "&", "scope", "openid profile") ||
	    !put_param(&b, "&", "state", p.state) || !put_param(&b, "&", "nonce", p.nonce) ||
	    !put_param(&b, "&", "code_challenge", challenge) ||
	    !put_param(&b, "&", "code_challenge_method", "S256") ||
	    (prompt && !put_param(&b, "&", "prompt", "login"))) {
		buf_release(&b);
		return APP_ENOMEM;
	}
	*url = buf_steal(&b, &len);
	buf_release(&b);
	sodium_memzero(&p, sizeof(p));
	return *url ? APP_OK : APP_ENOMEM;
}

enum app_err oidc_take(struct oidc *o, const char *state, const char *prelogin, int64_t now,
		       struct oidc_pending *out)
{
	char hash[65];
	enum app_err err = APP_ENOTFOUND;

	if (!state || strlen(state) != TOKEN_LEN || !prelogin)
		return APP_ENOTFOUND;
	token_hash(prelogin, hash);
	pthread_mutex_lock(&o->mu);
	for (int i = 0; i < OIDC_PENDING_MAX; i++) {
		struct oidc_pending *p = &o->pending[i];
		if (!p->state[0] || sodium_memcmp(p->state, state, TOKEN_LEN) != 0)
			continue;
		/* single use: forgotten whether or not the rest fits */
		if (sodium_memcmp(p->prelogin_hash, hash, 64) == 0 &&
		    now - p->created <= OIDC_PENDING_S && now >= p->created) {
			*out = *p;
			err = APP_OK;
		}
		sodium_memzero(p, sizeof(*p));
		break;
	}
	pthread_mutex_unlock(&o->mu);
	return err;
}

/* --- the code exchange ---------------------------------------------------- */

/* A client assertion for private_key_jwt: signed by the client's key,
 * for the token endpoint, valid a minute.  *out is new (malloc). */
static enum app_err client_assertion(struct oidc *o, int64_t now, char **out)
{
	cjose_header_t *hdr = NULL;
	cjose_jws_t *jws = NULL;
	cjose_err cerr;
	json_t *claims = NULL;
	char *payload = NULL, jti[TOKEN_LEN + 1];
	const char *ser, *alg, *kid;
	enum app_err err = APP_ENOMEM;

	*out = NULL;
	alg = cjose_jwk_get_kty(o->client_key, &cerr) == CJOSE_JWK_KTY_EC ? CJOSE_HDR_ALG_ES256
									  : CJOSE_HDR_ALG_RS256;
	token_new(jti);
	claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", o->cfg->oidc_client_id, "sub",
			   o->cfg->oidc_client_id, "aud", o->token_endpoint, "jti", jti, "iat",
			   (json_int_t)now, "exp", (json_int_t)(now + 60));
	if (!claims || !(payload = json_dumps(claims, JSON_COMPACT)) ||
	    !(hdr = cjose_header_new(&cerr)) || !cjose_header_set(hdr, CJOSE_HDR_ALG, alg, &cerr))
		goto out;
	if ((kid = cjose_jwk_get_kid(o->client_key, &cerr)) &&
	    !cjose_header_set(hdr, CJOSE_HDR_KID, kid, &cerr))
		goto out;
	if (o->client_x5t[0] && !cjose_header_set(hdr, "x5t", o->client_x5t, &cerr))
		goto out;
	if (!(jws = cjose_jws_sign(o->client_key, hdr, (const uint8_t *)payload, strlen(payload),
				   &cerr)) ||
	    !cjose_jws_export(jws, &ser, &cerr) || !(*out = strdup(ser)))
		goto out;
	err = APP_OK;
out:
	cjose_jws_release(jws);
	cjose_header_release(hdr);
	free(payload);
	json_decref(claims);
	return err;
}

enum app_err oidc_exchange(struct oidc *o, const char *code, const char *redirect_uri,
			   const struct oidc_pending *p, int64_t now, char **id_token)
{
	struct curl_slist *h = NULL;
	struct buf form;
	char *assertion = NULL, *body = NULL, *basic = NULL;
	json_t *answer = NULL;
	enum app_err err;
	long status = 0;
	size_t len;
	bool counted = false;

	*id_token = NULL;
	buf_init(&form, 16384);
	if ((err = discover(o, now)))
		goto out;
	pthread_mutex_lock(&o->mu);
	bool open =
	    o->token_failed && now - o->token_failed < OIDC_RETRY_S && now >= o->token_failed;
	bool full = o->exchanges >= OIDC_EXCHANGES_MAX;
	if (!open && !full)
		o->exchanges++;
	pthread_mutex_unlock(&o->mu);
	if (open || full) {
		log_warn("oidc: %s", open ? "the token endpoint was unreachable a moment ago"
					  : "too many token exchanges at once");
		err = APP_EBUSY;
		goto out;
	}
	counted = true;
	err = APP_ENOMEM;
	if (!put_param(&form, "", "grant_type", "authorization_code") ||
	    !put_param(&form, "&", "code", code) ||
	    !put_param(&form, "&", "redirect_uri", redirect_uri) ||
	    !put_param(&form, "&", "code_verifier", p->verifier))
		goto out;
	if (o->client_key) {
		if ((err = client_assertion(o, now, &assertion)))
			goto out;
		err = APP_ENOMEM;
		if (!put_param(&form, "&", "client_id", o->cfg->oidc_client_id) ||
		    !put_param(&form, "&", "client_assertion_type",
			       "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") ||
		    !put_param(&form, "&", "client_assertion", assertion))
			goto out;
	} else {
		/* client_secret_basic: both parts form-encoded (RFC 6749 2.3.1) */
		struct buf cred;
		char *id_e, *sec_e, *b64;
		size_t n, blen;
		CURL *c = curl_easy_init();

		buf_init(&cred, 4096);
		id_e = c ? curl_easy_escape(c, o->cfg->oidc_client_id, 0) : NULL;
		sec_e = c ? curl_easy_escape(c, o->secret, 0) : NULL;
		if (id_e && sec_e)
			buf_printf(&cred, "%s:%s", id_e, sec_e);
		curl_free(id_e);
		curl_free(sec_e);
		curl_easy_cleanup(c);
		char *plain = buf_steal(&cred, &n);
		buf_release(&cred);
		if (!plain)
			goto out;
		blen = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
		b64 = malloc(blen);
		basic = b64 ? malloc(blen + 32) : NULL;
		if (basic) {
			sodium_bin2base64(b64, blen, (const unsigned char *)plain, n,
					  sodium_base64_VARIANT_ORIGINAL);
			snprintf(basic, blen + 32, "Authorization: Basic %s", b64);
			sodium_memzero(b64, blen);
		}
		sodium_memzero(plain, n);
		free(plain);
		free(b64);
		if (!basic || !(h = curl_slist_append(h, basic)))
			goto out;
	}
	if (!(h = curl_slist_append(h, "Accept: application/json")) ||
	    !(body = buf_steal(&form, &len)))
		goto out;
	err = http_json(o->token_endpoint, body, h, &status, &answer);
	if (err && !status) {
		/* not reached, or too slow: the breaker opens */
		pthread_mutex_lock(&o->mu);
		o->token_failed = now;
		pthread_mutex_unlock(&o->mu);
	}
	if (err) {
		if (status >= 400 && status < 500) {
			log_warn("oidc: the token endpoint refused the code (HTTP %ld)", status);
			err = APP_EUNAUTH;
		}
		goto out;
	}
	const char *t = json_string_value(json_object_get(answer, "id_token"));
	if (!t) {
		log_warn("oidc: the token endpoint gave no id_token");
		err = APP_EUNAUTH;
		goto out;
	}
	err = (*id_token = strdup(t)) ? APP_OK : APP_ENOMEM;
out:
	if (counted) {
		pthread_mutex_lock(&o->mu);
		o->exchanges--;
		pthread_mutex_unlock(&o->mu);
	}
	if (basic) {
		sodium_memzero(basic, strlen(basic));
		free(basic);
	}
	curl_slist_free_all(h);
	free(assertion);
	free(body);
	buf_release(&form);
	json_decref(answer);
	return err;
}

/* --- validation ------------------------------------------------------------ */

static cjose_jwk_t *import_key(const json_t *k)
{
	cjose_err cerr;
	char *text = json_dumps(k, JSON_COMPACT);
	cjose_jwk_t *jwk = text ? cjose_jwk_import(text, strlen(text), &cerr) : NULL;

	free(text);
	return jwk;
}

static bool jwk_fits(const char *alg, const cjose_jwk_t *jwk)
{
	cjose_err cerr;
	cjose_jwk_kty_t kty = cjose_jwk_get_kty(jwk, &cerr);

	if (!strcmp(alg, "ES256"))
		return kty == CJOSE_JWK_KTY_EC &&
		       cjose_jwk_EC_get_curve(jwk, &cerr) == CJOSE_JWK_EC_P_256;
	return kty == CJOSE_JWK_KTY_RSA && cjose_jwk_get_keysize(jwk, &cerr) >= 2048;
}

bool oidc_key_fits(const char *alg, const char *jwk_json)
{
	cjose_err cerr;
	cjose_jwk_t *k = cjose_jwk_import(jwk_json, strlen(jwk_json), &cerr);
	bool ok = k && jwk_fits(alg, k);

	cjose_jwk_release(k);
	return ok;
}

enum app_err oidc_verify(const char *jwt, const char *alg, const json_t *keys, bool *retry,
			 json_t **payload, const char **why)
{
	cjose_jws_t *jws = NULL;
	cjose_header_t *hdr;
	cjose_err cerr;
	const char *halg, *kid;
	uint8_t *plain = NULL;
	size_t plain_len = 0, i;
	json_t *k;
	bool verified = false, candidate = false;
	enum app_err err = APP_EUNAUTH;

	*payload = NULL;
	*retry = false;
	*why = "the token is not a signed JWT";
	if (!jwt || strlen(jwt) > 16384 || !(jws = cjose_jws_import(jwt, strlen(jwt), &cerr)))
		goto out;
	hdr = cjose_jws_get_protected(jws); /* borrowed from jws */
	halg = hdr ? cjose_header_get(hdr, CJOSE_HDR_ALG, &cerr) : NULL;
	/* the configured algorithm or nothing: never the token's choice */
	if (!halg || strcmp(halg, alg)) {
		*why = "the token is signed with another algorithm than the configured one";
		goto out;
	}
	char *crit = cjose_header_get_raw(hdr, "crit", &cerr); /* any type: new */
	if (crit) {
		free(crit);
		*why = "the token names critical extensions (crit)";
		goto out;
	}
	kid = cjose_header_get(hdr, CJOSE_HDR_KID, &cerr);
	json_array_foreach(json_object_get(keys, "keys"), i, k)
	{
		const char *kkid = json_string_value(json_object_get(k, "kid"));
		const char *use = json_string_value(json_object_get(k, "use"));
		const char *kalg = json_string_value(json_object_get(k, "alg"));
		cjose_jwk_t *jwk;

		if ((kid && (!kkid || strcmp(kid, kkid))) || (use && strcmp(use, "sig")) ||
		    (kalg && strcmp(kalg, alg)))
			continue;
		if (!(jwk = import_key(k)))
			continue;
		if (jwk_fits(alg, jwk)) {
			candidate = true;
			verified = cjose_jws_verify(jws, jwk, &cerr);
		}
		cjose_jwk_release(jwk);
		if (verified)
			break;
	}
	if (!verified) {
		*retry = true; /* fresh keys may verify it */
		*why = candidate ? "the token's signature does not verify"
				 : "no key of the provider fits the token";
		goto out;
	}
	if (!cjose_jws_get_plaintext(jws, &plain, &plain_len, &cerr)) /* plain: jws's */
		goto out;
	*payload = json_loadb((const char *)plain, plain_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(*payload)) {
		json_decref(*payload);
		*payload = NULL;
		*why = "the token's claims are not a JSON object";
		goto out;
	}
	err = APP_OK;
	*why = NULL;
out:
	cjose_jws_release(jws);
	return err;
}

static bool has_aud(const json_t *aud, const char *client_id)
{
	size_t i;
	json_t *v;

	if (json_is_string(aud))
		return !strcmp(json_string_value(aud), client_id);
	json_array_foreach(aud, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), client_id))
			return true;
	}
	return false;
}

enum app_err oidc_check_claims(const json_t *claims, const char *issuer, const char *client_id,
			       const char *nonce, int64_t now, const char **why)
{
	const json_t *aud = json_object_get(claims, "aud");
	const json_t *exp = json_object_get(claims, "exp"), *iat = json_object_get(claims, "iat");
	const char *iss = json_string_value(json_object_get(claims, "iss"));
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	const char *azp = json_string_value(json_object_get(claims, "azp"));
	const char *tnonce = json_string_value(json_object_get(claims, "nonce"));

	*why = NULL;
	if (!iss || strcmp(iss, issuer))
		*why = "the token is from another issuer";
	else if (!has_aud(aud, client_id))
		*why = "the token is not for this client (aud)";
	else if (json_object_get(claims, "azp") && (!azp || strcmp(azp, client_id)))
		*why = "the token was issued to another party (azp)";
	else if (json_is_array(aud) && json_array_size(aud) > 1 && !azp)
		*why = "the token names several audiences and no azp";
	else if (!json_is_integer(iat) || json_integer_value(iat) > now + OIDC_LEEWAY_S ||
		 json_integer_value(iat) < now - OIDC_IAT_MAX_AGE_S - OIDC_LEEWAY_S)
		*why = "the token's iat is missing or out of range";
	else if (nonce && (!json_is_integer(exp) || json_integer_value(exp) + OIDC_LEEWAY_S < now))
		*why = "the token has expired";
	else if (!nonce && exp &&
		 (!json_is_integer(exp) || json_integer_value(exp) + OIDC_LEEWAY_S < now))
		*why = "the token has expired";
	else if (nonce && (!sub || !*sub || strlen(sub) > 255))
		*why = "the token has no subject";
	else if (nonce && (!tnonce || strlen(tnonce) != strlen(nonce) ||
			   sodium_memcmp(tnonce, nonce, strlen(nonce)) != 0))
		*why = "the token's nonce is not this login's";
	else if (!nonce && json_object_get(claims, "nonce"))
		*why = "a logout token must not carry a nonce";
	else if (!nonce && !json_is_object(json_object_get(json_object_get(claims, "events"),
							   OIDC_BACKCHANNEL_EVENT)))
		*why = "the logout token lacks the back-channel logout event";
	else if (!nonce && !sub && !json_is_string(json_object_get(claims, "sid")))
		*why = "the logout token names neither sid nor sub";
	else if (!nonce && ((sub && (!*sub || strlen(sub) > 255)) ||
			    (json_object_get(claims, "sub") && !sub)))
		*why = "the logout token's sub is empty or not a string";
	else if (!nonce && json_object_get(claims, "sid") &&
		 (!json_is_string(json_object_get(claims, "sid")) ||
		  !*json_string_value(json_object_get(claims, "sid")) ||
		  strlen(json_string_value(json_object_get(claims, "sid"))) > 255))
		*why = "the logout token's sid is empty or not a string";
	else if (!nonce && (!json_is_string(json_object_get(claims, "jti")) ||
			    !*json_string_value(json_object_get(claims, "jti"))))
		*why = "the logout token has no jti";
	return *why ? APP_EUNAUTH : APP_OK;
}

/* Whether a logout token's jti was seen before; remembered if not, until
 * its exp (or iat + OIDC_IAT_MAX_AGE_S) and the leeway have passed, after
 * which oidc_check_claims refuses it anyway.  When the table is full the
 * entry nearest its end makes way. */
static bool jti_replayed(struct oidc *o, const json_t *claims, int64_t now)
{
	const char *jti = json_string_value(json_object_get(claims, "jti"));
	const json_t *exp = json_object_get(claims, "exp");
	int64_t until = json_integer_value(json_object_get(claims, "iat")) + OIDC_IAT_MAX_AGE_S;
	unsigned char h[16];
	int slot = 0;
	bool seen = false;

	if (json_is_integer(exp) && json_integer_value(exp) > until)
		until = json_integer_value(exp);
	until += OIDC_LEEWAY_S;
	crypto_generichash(h, sizeof(h), (const unsigned char *)jti, strlen(jti), NULL, 0);
	pthread_mutex_lock(&o->mu);
	for (int i = 0; i < OIDC_JTI_MAX; i++) {
		struct seen_jti *e = &o->jti[i];
		if (e->until >= now && !sodium_memcmp(e->hash, h, sizeof(h))) {
			seen = true;
			break;
		}
		if (e->until < o->jti[slot].until)
			slot = i;
	}
	if (!seen) {
		memcpy(o->jti[slot].hash, h, sizeof(h));
		o->jti[slot].until = until;
	}
	pthread_mutex_unlock(&o->mu);
	return seen;
}

enum app_err oidc_validate(struct oidc *o, const char *jwt, const char *nonce, int64_t now,
			   json_t **claims, const char **why)
{
	json_t *keys = NULL;
	bool retry = false;
	int budget = nonce ? 0 : 1;
	enum app_err err;

	*claims = NULL;
	*why = "the provider's keys cannot be had";
	if ((err = discover(o, now)))
		return err;
	jwks_fetch(o, now, false, budget); /* none yet, or due */
	if (!(keys = jwks_get(o)))
		return APP_EBUSY;
	err = oidc_verify(jwt, o->alg, keys, &retry, claims, why);
	json_decref(keys);
	if (err && retry && jwks_fetch(o, now, true, budget)) {
		/* the provider may have rotated its keys: one fresh look */
		keys = jwks_get(o);
		err = oidc_verify(jwt, o->alg, keys, &retry, claims, why);
		json_decref(keys);
	}
	if (err)
		return err;
	err = oidc_check_claims(*claims, o->cfg->oidc_issuer, o->cfg->oidc_client_id, nonce, now,
				why);
	if (!err && !nonce && jti_replayed(o, *claims, now)) {
		*why = "the logout token was used before (jti)";
		err = APP_EUNAUTH;
	}
	if (err) {
		json_decref(*claims);
		*claims = NULL;
	}
	return err;
}

bool oidc_refusal_logged(struct oidc *o, const char *addr, int64_t now)
{
	bool first = throttle_wait(o->refusals, addr, now) == 0;

	throttle_miss(o->refusals, addr, now);
	return first;
}

void oidc_hint_keep(struct oidc *o, const char *session_hash, const char *id_token, int64_t now)
{
	char *copy = strlen(id_token) <= OIDC_HINT_MAX_LEN ? strdup(id_token) : NULL;
	int slot = 0;

	if (!copy)
		return; /* the logout goes without a hint, with client_id */
	pthread_mutex_lock(&o->mu);
	for (int i = 0; i < OIDC_HINTS_MAX; i++) {
		if (!o->hints[i].id_token) {
			slot = i;
			break;
		}
		if (o->hints[i].at < o->hints[slot].at)
			slot = i;
	}
	free(o->hints[slot].id_token);
	o->hints[slot].id_token = copy;
	o->hints[slot].at = now;
	snprintf(o->hints[slot].session_hash, sizeof(o->hints[slot].session_hash), "%s",
		 session_hash);
	pthread_mutex_unlock(&o->mu);
}

enum app_err oidc_logout_url(struct oidc *o, const char *session_hash,
			     const char *post_logout_redirect_uri, int64_t now, char **url)
{
	char *hint = NULL;
	struct buf b;
	size_t len;
	bool ok;

	*url = NULL;
	if (discover(o, now))
		return APP_OK; /* nowhere to send the browser */
	buf_init(&b, 24576);
	pthread_mutex_lock(&o->mu);
	for (int i = 0; i < OIDC_HINTS_MAX; i++) {
		if (o->hints[i].id_token && !strcmp(o->hints[i].session_hash, session_hash)) {
			hint = o->hints[i].id_token; /* taken */
			memset(&o->hints[i], 0, sizeof(o->hints[i]));
			break;
		}
	}
	if (o->end_session_endpoint[0])
		buf_puts(&b, o->end_session_endpoint);
	pthread_mutex_unlock(&o->mu);
	if (!b.len) {
		free(hint);
		buf_release(&b);
		return APP_OK;
	}
	ok = (!hint || put_param(&b, strchr(b.data, '?') ? "&" : "?", "id_token_hint", hint)) &&
	     put_param(&b, strchr(b.data, '?') ? "&" : "?", "client_id", o->cfg->oidc_client_id) &&
	     put_param(&b, "&", "post_logout_redirect_uri", post_logout_redirect_uri);
	free(hint);
	if (ok)
		*url = buf_steal(&b, &len);
	buf_release(&b);
	return *url ? APP_OK : APP_ENOMEM;
}
