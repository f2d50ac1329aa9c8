/*
 * auth.c - see auth.h for the design.
 */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "token.h"

#define HASH_RUNNING 1 /* hashes computed at once */
#define HASH_INFLIGHT 2 /* running + waiting */
#define TOUCH_EVERY 60 /* seconds between last_seen updates */

struct auth {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running, inflight;
	unsigned long long ops;
	size_t mem;
	char dummy[crypto_pwhash_STRBYTES];
	int idle_s, absolute_s;
	bool secure;
};

static enum app_err slot_take(struct auth *a)
{
	pthread_mutex_lock(&a->mu);
	if (a->inflight >= HASH_INFLIGHT) {
		pthread_mutex_unlock(&a->mu);
		return APP_EBUSY;
	}
	a->inflight++;
	while (a->running >= HASH_RUNNING)
		pthread_cond_wait(&a->cv, &a->mu);
	a->running++;
	pthread_mutex_unlock(&a->mu);
	return APP_OK;
}

static void slot_give(struct auth *a)
{
	pthread_mutex_lock(&a->mu);
	a->running--;
	a->inflight--;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

enum app_err auth_new(const struct config *cfg, struct auth **out)
{
	struct auth *a = calloc(1, sizeof(*a));
	unsigned char pw[16];

	if (!a)
		return APP_ENOMEM;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (!strcmp(cfg->password_cost, "min")) {
		a->ops = crypto_pwhash_OPSLIMIT_MIN;
		a->mem = crypto_pwhash_MEMLIMIT_MIN;
	} else if (!strcmp(cfg->password_cost, "moderate")) {
		a->ops = crypto_pwhash_OPSLIMIT_MODERATE;
		a->mem = crypto_pwhash_MEMLIMIT_MODERATE;
	} else {
		a->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		a->mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	}
	a->idle_s = cfg->session_idle_min * 60;
	a->absolute_s = cfg->session_max_hours * 3600;
	a->secure = cfg->secure_cookies;
	/* unknown users are checked against this, so they cost the same */
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str_alg(a->dummy, (const char *)pw, sizeof(pw), a->ops, a->mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		free(a);
		return APP_ENOMEM;
	}
	*out = a;
	return APP_OK;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}

const char *auth_password_rule(const char *pw)
{
	size_t n = strlen(pw), chars = 0;

	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)pw[i] & 0xc0) != 0x80; /* count UTF-8 characters */
	if (chars < 12)
		return "must be at least 12 characters";
	if (n > 1024)
		return "must be at most 1024 bytes";
	return NULL;
}

enum app_err auth_hash(struct auth *a, const char *pw, char out[USER_HASH_MAX])
{
	enum app_err err;
	int rc;

	if ((err = slot_take(a)))
		return err;
	rc = crypto_pwhash_str_alg(out, pw, strlen(pw), a->ops, a->mem,
				   crypto_pwhash_ALG_ARGON2ID13);
	slot_give(a);
	return rc == 0 ? APP_OK : APP_ENOMEM;
}

static enum app_err verify(struct auth *a, const char *hash, const char *pw, bool *ok)
{
	enum app_err err;

	if ((err = slot_take(a)))
		return err;
	*ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	slot_give(a);
	return APP_OK;
}

void auth_csrf(const char *token, char out[AUTH_CSRF_LEN + 1])
{
	static const unsigned char tag[] = "timebok csrf v1";
	unsigned char h[32];

	/* keyed by the session id: only its holder can compute it */
	crypto_generichash(h, sizeof(h), tag, sizeof(tag) - 1, (const unsigned char *)token,
			   strlen(token));
	sodium_bin2base64(out, AUTH_CSRF_LEN + 1, h, sizeof(h),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool same_origin(const char *origin, const char *host, const char *public_url)
{
	const char *o = strstr(origin, "://");

	if (public_url && !strcmp(origin, public_url))
		return true;
	return o && host && !strcmp(o + 3, host);
}

bool auth_csrf_ok(const char *token, const char *header, const char *origin, const char *host,
		  const char *public_url)
{
	char want[AUTH_CSRF_LEN + 1];

	if (!header || strlen(header) != AUTH_CSRF_LEN)
		return false;
	auth_csrf(token, want);
	if (sodium_memcmp(want, header, AUTH_CSRF_LEN) != 0)
		return false;
	return !origin || same_origin(origin, host, public_url);
}

void auth_cookie(const struct auth *a, const char *token, char *out, size_t cap)
{
	if (token)
		snprintf(out, cap, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", AUTH_COOKIE, token,
			 a->secure ? "; Secure" : "");
	else
		snprintf(out, cap, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
			 AUTH_COOKIE, a->secure ? "; Secure" : "");
}

void auth_actor(const struct user *u, const char *ip, struct actor *who)
{
	memset(who, 0, sizeof(*who));
	who->user_id = u->id;
	snprintf(who->username, sizeof(who->username), "%s", u->username);
	who->role = u->role;
	who->clinician_id = u->clinician_id;
	who->nunits = u->role == ROLE_SECRETARY || u->role == ROLE_MANAGER ? u->nunits : 0;
	memcpy(who->unit_ids, u->unit_ids, sizeof(who->unit_ids));
	snprintf(who->ip, sizeof(who->ip), "%s", ip ? ip : "-");
}

/* Seconds until key may try again, or 0. */
static enum app_err throttled(struct store *db, const char *key, int limit, int64_t now,
			      int *retry)
{
	int64_t n, oldest;
	enum app_err err;

	if ((err = store_users_failures(db, key, now - AUTH_FAIL_WINDOW, &n, &oldest)))
		return err;
	*retry = n >= limit ? (int)(oldest + AUTH_FAIL_WINDOW - now) + 1 : 0;
	return APP_OK;
}

static enum app_err record_failure(struct store *db, const char *k1, const char *k2, int64_t now)
{
	enum app_err err;

	if ((err = store_begin(db)))
		return err;
	if ((err = store_users_failure_add(db, k1, now, now - AUTH_FAIL_WINDOW)) ||
	    (err = store_users_failure_add(db, k2, now, now - AUTH_FAIL_WINDOW))) {
		store_rollback(db);
		return err;
	}
	return store_commit(db);
}

enum app_err auth_login(struct app *app, struct store *db, const char *username, const char *pw,
			const char *ip, int64_t now, struct actor *who,
			char token[AUTH_TOKEN_LEN + 1], int *retry_after)
{
	struct auth *a = app->auth;
	char kuser[96], kaddr[64], hash[65];
	struct user u;
	enum app_err err, found;
	int r1, r2;
	bool ok = false;

	snprintf(kuser, sizeof(kuser), "u:%s", username);
	for (char *p = kuser; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	snprintf(kaddr, sizeof(kaddr), "a:%s", ip);
	if ((err = throttled(db, kuser, AUTH_FAIL_ACCOUNT, now, &r1)) ||
	    (err = throttled(db, kaddr, AUTH_FAIL_ADDRESS, now, &r2)))
		return err;
	if (r1 || r2) {
		*retry_after = r1 > r2 ? r1 : r2;
		return APP_ERATE;
	}
	found = store_users_by_name(db, username, &u);
	if (found && found != APP_ENOTFOUND)
		return found;
	if ((err = verify(a, found ? a->dummy : u.password_hash, pw, &ok)))
		return err;
	if (found || !u.active || !ok) {
		if ((err = record_failure(db, kuser, kaddr, now)))
			return err;
		return APP_EUNAUTH;
	}
	if ((err = store_users_failure_clear(db, kuser)))
		return err;
	if (crypto_pwhash_str_needs_rehash(u.password_hash, a->ops, a->mem) != 0) {
		char fresh[USER_HASH_MAX];
		if (auth_hash(a, pw, fresh) == APP_OK) {
			snprintf(u.password_hash, sizeof(u.password_hash), "%s", fresh);
			if (store_users_update(db, &u, now) != APP_OK)
				log_warn("auth: could not store a rehashed password");
		}
	}
	token_new(token);
	token_hash(token, hash);
	if ((err = store_users_session_add(db, hash, u.id, now)))
		return err;
	auth_actor(&u, ip, who);
	return APP_OK;
}

bool auth_cookie_token(const char *header, char token[AUTH_TOKEN_LEN + 1])
{
	const char *p = header;
	size_t nl = strlen(AUTH_COOKIE);

	while (p && *p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!strncmp(p, AUTH_COOKIE, nl) && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t n = strspn(v, TOKEN_CHARS);
			if (n != AUTH_TOKEN_LEN || (v[n] && v[n] != ';' && v[n] != ' '))
				return false;
			memcpy(token, v, n);
			token[n] = '\0';
			return true;
		}
		p = strchr(p, ';');
	}
	return false;
}

enum app_err auth_session(struct app *app, struct store *db, const char *cookie_header,
			  int64_t now, struct actor *who, char token[AUTH_TOKEN_LEN + 1])
{
	struct auth *a = app->auth;
	int64_t user_id, created, seen;
	char hash[65], ip[48];
	struct user u;
	enum app_err err;

	if (!cookie_header || !auth_cookie_token(cookie_header, token))
		return APP_EUNAUTH;
	token_hash(token, hash);
	err = store_users_session_get(db, hash, &user_id, &created, &seen);
	if (err)
		return err == APP_ENOTFOUND ? APP_EUNAUTH : err;
	if (now - seen > a->idle_s || now - created > a->absolute_s) {
		if ((err = store_users_session_delete(db, hash)))
			return err;
		return APP_EUNAUTH;
	}
	if ((err = store_users_get(db, user_id, &u)))
		return err == APP_ENOTFOUND ? APP_EUNAUTH : err;
	if (!u.active)
		return APP_EUNAUTH;
	if (now - seen >= TOUCH_EVERY && (err = store_users_session_touch(db, hash, now)))
		return err;
	snprintf(ip, sizeof(ip), "%s", who->ip);
	auth_actor(&u, ip, who);
	return APP_OK;
}

enum app_err auth_logout(struct store *db, const char *token)
{
	char hash[65];

	token_hash(token, hash);
	return store_users_session_delete(db, hash);
}
