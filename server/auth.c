/*
 * auth.c - see auth.h for the design.
 *
 * The session cache: what auth_session read for a session (the account's
 * role, clinician and units as an actor, the session's times), under the
 * BLAKE2b hash of its id, stamped with the accounts generation read before
 * that read (store_accounts_generation).  An entry is used only while that
 * generation is unchanged; any committed change to an account, its units
 * or a session's end (logout, disabling, a new role, units, clinician or
 * password, a single sign-on back-channel logout), by this process or the
 * CLI, bumps it, so the next request reads the database again.  The
 * timeouts are judged from the entry's times each request; a session that
 * looks ended is read again (another process may have seen it later) and
 * deleted only from what the database says.  "Last seen" is written once a
 * minute, as before, and the session is read again with it (an entry
 * serves a minute at most).  Set-associative
 * (SESSION_SETS x SESSION_WAYS), the least recently used way replaced, one
 * lock a set.  Measured (tests/bench poll.lua): the session's statement was
 * a fifth of a 304 poll's CPU.
 */
#include "auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "audit.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "token.h"

#define HASH_RUNNING 1 /* hashes computed at once */
#define TOUCH_EVERY 60 /* seconds between last_seen updates */
#define ADDR_MAX 48

#define PLACES (AUTH_HASH_QUEUE + AUTH_HASH_RESERVED)
#define SESSION_SETS 256 /* power of two */
#define SESSION_WAYS 4

struct cached_session {
	char hash[TOKEN_HASH_LEN + 1]; /* "": empty */
	uint64_t accounts;	       /* the accounts generation it was read at */
	uint64_t used;		       /* the set's tick at the last use */
	int64_t created, seen;
	struct actor who; /* without the address */
};

struct session_set {
	pthread_mutex_t mu;
	uint64_t tick;
	struct cached_session way[SESSION_WAYS];
};

struct known {
	char ip[ADDR_MAX];
	int64_t at; /* the last successful login from there */
};

struct auth {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running, inflight;
	char busy[PLACES][ADDR_MAX]; /* the address of each queued login ("": none) */
	struct known known[AUTH_KNOWN_MAX]; /* addresses that logged in lately */
	unsigned long long ops;
	size_t mem;
	char dummy[crypto_pwhash_STRBYTES];
	int idle_s, absolute_s;
	bool secure;
	struct session_set *sessions; /* SESSION_SETS */
	atomic_ulong session_hits, session_misses;
};

/* Whether ip logged in successfully since now - AUTH_KNOWN_S (a->mu held). */
static bool known_at(const struct auth *a, const char *ip, int64_t now)
{
	for (int i = 0; i < AUTH_KNOWN_MAX; i++)
		if (a->known[i].at > now - AUTH_KNOWN_S && !strcmp(a->known[i].ip, ip))
			return true;
	return false;
}

/* Remember that ip logged in at now: its entry, or the oldest one. */
static void known_add(struct auth *a, const char *ip, int64_t now)
{
	int slot = 0;

	pthread_mutex_lock(&a->mu);
	for (int i = 0; i < AUTH_KNOWN_MAX; i++) {
		if (!strcmp(a->known[i].ip, ip)) {
			slot = i;
			break;
		}
		if (a->known[i].at < a->known[slot].at)
			slot = i;
	}
	snprintf(a->known[slot].ip, ADDR_MAX, "%s", ip);
	a->known[slot].at = now;
	pthread_mutex_unlock(&a->mu);
}

/* A place in the hashing queue for a login from ip at now (NULL: not a
 * login, e.g. an admin setting a password): APP_ERATE when ip already has
 * one, APP_EBUSY when the queue is full (AUTH_HASH_QUEUE places; the
 * AUTH_HASH_RESERVED more only for an address that logged in lately, or
 * NULL).  *place is the place taken (-1 for NULL ip), for slot_give. */
static enum app_err slot_take(struct auth *a, const char *ip, int64_t now, int *place)
{
	int free_place = -1, room;

	*place = -1;
	pthread_mutex_lock(&a->mu);
	for (int i = 0; ip && i < PLACES; i++) {
		if (!strcmp(a->busy[i], ip)) {
			pthread_mutex_unlock(&a->mu);
			return APP_ERATE;
		}
		if (!a->busy[i][0] && free_place < 0)
			free_place = i;
	}
	room = !ip || known_at(a, ip, now) ? PLACES : AUTH_HASH_QUEUE;
	if (a->inflight >= room || (ip && free_place < 0)) {
		pthread_mutex_unlock(&a->mu);
		return APP_EBUSY;
	}
	if (ip) {
		snprintf(a->busy[free_place], ADDR_MAX, "%s", ip);
		*place = free_place;
	}
	a->inflight++;
	while (a->running >= HASH_RUNNING)
		pthread_cond_wait(&a->cv, &a->mu);
	a->running++;
	pthread_mutex_unlock(&a->mu);
	return APP_OK;
}

static void slot_give(struct auth *a, int place)
{
	pthread_mutex_lock(&a->mu);
	a->running--;
	a->inflight--;
	if (place >= 0)
		a->busy[place][0] = '\0';
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

enum app_err auth_new(const struct config *cfg, struct auth **out)
{
	struct auth *a = calloc(1, sizeof(*a));
	unsigned char pw[16];

	if (!a)
		return APP_ENOMEM;
	if (!(a->sessions = calloc(SESSION_SETS, sizeof(*a->sessions)))) {
		free(a);
		return APP_ENOMEM;
	}
	for (int i = 0; i < SESSION_SETS; i++)
		pthread_mutex_init(&a->sessions[i].mu, NULL);
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
	/* a site reached over https gets a Secure cookie, flag or not */
	a->secure = cfg->secure_cookies || !strncmp(cfg->public_url, "https://", 8) ||
		    !strncmp(cfg->staff_url, "https://", 8);
	/* unknown users are checked against this, so they cost the same */
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str_alg(a->dummy, (const char *)pw, sizeof(pw), a->ops, a->mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		auth_free(a);
		return APP_ENOMEM;
	}
	*out = a;
	return APP_OK;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	for (int i = 0; a->sessions && i < SESSION_SETS; i++)
		pthread_mutex_destroy(&a->sessions[i].mu);
	free(a->sessions);
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
	int rc, place;

	if ((err = slot_take(a, NULL, 0, &place)))
		return err;
	rc = crypto_pwhash_str_alg(out, pw, strlen(pw), a->ops, a->mem,
				   crypto_pwhash_ALG_ARGON2ID13);
	slot_give(a, place);
	return rc == 0 ? APP_OK : APP_ENOMEM;
}

static enum app_err verify(struct auth *a, const char *ip, int64_t now, const char *hash,
			   const char *pw, bool *ok)
{
	enum app_err err;
	int place;

	if ((err = slot_take(a, ip, now, &place)))
		return err;
	*ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	slot_give(a, place);
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

/* Seconds until key may try again, or 0: past `free` failures in the
 * window, 2^(failures - free) seconds after the newest (at most the
 * window).  Failures are kept in whole seconds and the newest may have
 * come at the end of its second, so the wait runs to the second after:
 * never less than the delay, whatever the rounding. */
static enum app_err throttled(struct store *db, const char *key, int free, int64_t now, int *retry)
{
	int64_t n, newest, delay;
	enum app_err err;

	*retry = 0;
	if ((err = store_users_failures(db, key, now - AUTH_FAIL_WINDOW, &n, &newest)))
		return err;
	if (n < free)
		return APP_OK;
	delay = n - free >= 10 ? AUTH_FAIL_WINDOW : (int64_t)1 << (n - free);
	delay = delay < AUTH_FAIL_WINDOW ? delay : AUTH_FAIL_WINDOW;
	if (newest + delay >= now)
		*retry = (int)(newest + delay + 1 - now);
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
	char kuser[160], kaddr[64], hash[65];
	struct user u = {0}; /* read only when found, but the optimiser may load it early */
	enum app_err err, found;
	struct timespec t0, t1;
	int r1, r2;
	bool ok = false;

	/* the account's failures from this address: "u:<name>|<address>" */
	snprintf(kuser, sizeof(kuser), "u:%s|%s", username, ip);
	for (char *p = kuser; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	snprintf(kaddr, sizeof(kaddr), "a:%s", ip);
	if ((err = throttled(db, kuser, AUTH_FREE_ACCOUNT, now, &r1)) ||
	    (err = throttled(db, kaddr, AUTH_FREE_ADDRESS, now, &r2)))
		return err;
	if (r1 || r2) {
		*retry_after = r1 > r2 ? r1 : r2;
		return APP_ERATE;
	}
	found = store_users_by_name(db, username, &u);
	if (found && found != APP_ENOTFOUND)
		return found;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = verify(a, ip, now, found ? a->dummy : u.password_hash, pw, &ok);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err == APP_ERATE)
		*retry_after = 1; /* this address's previous login is still being checked */
	if (err)
		return err;
	/* --oidc-only: staff sign in through the provider.  A right password
	 * of a non-admin is answered like a wrong one (no oracle for it) and
	 * counted like one, changing nothing else; the refusal names the
	 * account in the audit log. */
	bool sso_only = !found && u.active && ok && app->cfg->oidc_only && u.role != ROLE_ADMIN;
	if (found || !u.active || !ok || sso_only) {
		/* the delay runs from the refusal, not from the request: the
		 * hash took its time (seconds under a slow machine), rounded up */
		int64_t spent = (int64_t)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec > t0.tv_nsec);
		if ((err = record_failure(db, kuser, kaddr, now + (spent > 0 ? spent : 0))))
			return err;
		if (sso_only) {
			struct actor refused;
			auth_actor(&u, ip, &refused);
			audit_read(app->audit, &refused, "login refused: single sign-on only", 0, 0,
				   now);
		}
		return APP_EUNAUTH;
	}
	if ((err = store_users_failure_clear(db, kuser)))
		return err;
	known_add(a, ip, now); /* a place is kept for it in a storm */
	if (crypto_pwhash_str_needs_rehash(u.password_hash, a->ops, a->mem) != 0) {
		char fresh[USER_HASH_MAX];
		/* the same password, so the account's other sessions go on */
		if (auth_hash(a, pw, fresh) == APP_OK &&
		    store_users_rehash(db, u.id, u.password_hash, fresh) != APP_OK)
			log_warn("auth: could not store a rehashed password");
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

/* The set of the session whose hash (hex, uniformly random) is hash. */
static struct session_set *session_set_of(struct auth *a, const char *hash)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) /* 16 bits of it */
		v = v << 4 | (unsigned)(hash[i] <= '9' ? hash[i] - '0' : hash[i] - 'a' + 10);
	return &a->sessions[v & (SESSION_SETS - 1)];
}

/* The cached session hash read at accounts generation gen: its actor (the
 * address left as it is in *who) and times; false when there is none. */
static bool session_cached(struct auth *a, const char *hash, uint64_t gen, struct actor *who,
			   int64_t *created, int64_t *seen)
{
	struct session_set *set = session_set_of(a, hash);
	char ip[sizeof(who->ip)];
	bool found = false;

	pthread_mutex_lock(&set->mu);
	for (int i = 0; i < SESSION_WAYS; i++) {
		struct cached_session *e = &set->way[i];
		if (e->accounts != gen || strcmp(e->hash, hash))
			continue;
		e->used = ++set->tick;
		memcpy(ip, who->ip, sizeof(ip));
		*who = e->who;
		memcpy(who->ip, ip, sizeof(ip));
		*created = e->created;
		*seen = e->seen;
		found = true;
		break;
	}
	pthread_mutex_unlock(&set->mu);
	return found;
}

/* Keep session hash, read at accounts generation gen: in its own way, or
 * the least recently used one of its set. */
static void session_keep(struct auth *a, const char *hash, uint64_t gen, const struct actor *who,
			 int64_t created, int64_t seen)
{
	struct session_set *set = session_set_of(a, hash);
	struct cached_session *e = &set->way[0];

	pthread_mutex_lock(&set->mu);
	for (int i = 0; i < SESSION_WAYS; i++) {
		if (!strcmp(set->way[i].hash, hash)) {
			e = &set->way[i];
			break;
		}
		if (set->way[i].used < e->used)
			e = &set->way[i];
	}
	/* a read made at an older generation never replaces a newer one */
	if (strcmp(e->hash, hash) || e->accounts <= gen) {
		memcpy(e->hash, hash, sizeof(e->hash));
		e->accounts = gen;
		e->used = ++set->tick;
		e->created = created;
		e->seen = seen;
		e->who = *who;
		memset(e->who.ip, 0, sizeof(e->who.ip));
	}
	pthread_mutex_unlock(&set->mu);
}

/* Drop session hash from the cache: the database refused it, and no
 * generation that comes back (a file copied over, auth_session) may
 * revive it. */
static void session_forget(struct auth *a, const char *hash)
{
	struct session_set *set = session_set_of(a, hash);

	pthread_mutex_lock(&set->mu);
	for (int i = 0; i < SESSION_WAYS; i++)
		if (!strcmp(set->way[i].hash, hash))
			memset(&set->way[i], 0, sizeof(set->way[i]));
	pthread_mutex_unlock(&set->mu);
}

void auth_session_counts(struct auth *a, unsigned long *hits, unsigned long *misses)
{
	*hits = atomic_load(&a->session_hits);
	*misses = atomic_load(&a->session_misses);
}

enum app_err auth_session(struct app *app, struct store *db, const char *cookie_header,
			  int64_t now, struct actor *who, char token[AUTH_TOKEN_LEN + 1])
{
	struct auth *a = app->auth;
	int64_t created, seen;
	char hash[TOKEN_HASH_LEN + 1], ip[48];
	struct user u;
	enum app_err err;
	uint64_t gen = 0;
	bool shared;

	if (!cookie_header || !auth_cookie_token(cookie_header, token))
		return APP_EUNAUTH;
	token_hash(token, hash);
	/* the generation before the read: a change committed after it is seen
	 * by the read or makes the entry stale */
	shared = store_accounts_generation(db, &gen);
	/* an entry serves for at most TOUCH_EVERY: when "last seen" is due
	 * anyway, the whole session is read again with it, so even a change
	 * whose bump never came (a CLI killed between its commit and the bump)
	 * is seen within a minute */
	if (shared && session_cached(a, hash, gen, who, &created, &seen) &&
	    now - seen < TOUCH_EVERY && now - seen <= a->idle_s && now - created <= a->absolute_s) {
		atomic_fetch_add(&a->session_hits, 1);
		return APP_OK;
	}
	atomic_fetch_add(&a->session_misses, 1);
	/* not cached, due for "last seen", or it looks ended: the database decides */
	err = store_users_session_get(db, hash, &u, &created, &seen);
	if (err) {
		if (err == APP_ENOTFOUND)
			session_forget(a, hash);
		return err == APP_ENOTFOUND ? APP_EUNAUTH : err;
	}
	if (now - seen > a->idle_s || now - created > a->absolute_s) {
		session_forget(a, hash);
		if ((err = store_users_session_delete(db, hash)))
			return err;
		return APP_EUNAUTH;
	}
	if (!u.active) {
		session_forget(a, hash);
		return APP_EUNAUTH;
	}
	if (now - seen >= TOUCH_EVERY) {
		if ((err = store_users_session_touch(db, hash, now)))
			return err;
		seen = now;
	}
	snprintf(ip, sizeof(ip), "%s", who->ip);
	auth_actor(&u, ip, who);
	if (shared)
		session_keep(a, hash, gen, who, created, seen);
	return APP_OK;
}

enum app_err auth_logout(struct store *db, const char *token)
{
	char hash[65];

	token_hash(token, hash);
	return store_users_session_delete(db, hash);
}
