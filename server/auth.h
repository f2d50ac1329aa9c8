/*
 * auth.h - staff authentication: passwords, sessions, CSRF, throttling.
 *
 * Passwords: argon2id via crypto_pwhash_str, verified with
 * crypto_pwhash_str_verify and rehashed on login when the cost changed; at
 * least 12 characters.  Hashing is bounded: one runs at a time and a few
 * more may wait (AUTH_HASH_QUEUE in all), at most one of them per client
 * address: a second login from an address whose first is still being
 * checked gets APP_ERATE (429, Retry-After: 1) at once, without a hash.  A
 * flood from one address therefore holds one place in the queue and costs
 * others one hash's wait; only when the queue is full of different
 * addresses does a login get APP_EBUSY (503).  AUTH_HASH_RESERVED more
 * places are kept for addresses that logged in successfully within
 * AUTH_KNOWN_S (the staff's own workstations): a storm from many new
 * addresses, none of which ever got in, cannot keep them out.
 *
 * Sessions: 256 random bits, base64url, in an HttpOnly SameSite=Strict
 * cookie (Secure with --secure-cookies or an https --public-url); the
 * database keeps only a BLAKE2b hash.  Idle and absolute timeouts come from
 * the configuration.  What a session's request needs of the database is
 * cached in memory until any account changes (auth.c, "The session cache").
 *
 * CSRF: the token is a keyed hash of the session id (nothing more to store),
 * required in X-CSRF-Token on every state-changing request with a session,
 * together with a same-origin Origin when the browser sends one.
 *
 * Throttling slows guessing down without locking anyone out: failed logins
 * are counted per (account, client address) and per client address over 15
 * minutes.  The first AUTH_FREE_ACCOUNT failures of an account from an
 * address (AUTH_FREE_ADDRESS of an address in all) cost nothing more; each
 * further attempt from there must wait 2^(n - free) seconds after the
 * newest failure (at most the window), answered 429 with Retry-After.  No
 * account is ever locked: a correct password from an address that has not
 * failed goes through whatever others try.  A success forgets that
 * address's failures on that account.  An unknown user costs the same hash
 * as a wrong password.
 */
#ifndef TIMEBOK_AUTH_H
#define TIMEBOK_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "err.h"
#include "store_users.h"
#include "token.h"

struct app;
struct store;
struct auth;
struct config;

#define AUTH_TOKEN_LEN TOKEN_LEN
#define AUTH_CSRF_LEN 43
#define AUTH_COOKIE "timebok_session"
#define AUTH_FAIL_WINDOW 900
#define AUTH_FREE_ACCOUNT 3  /* failures of one account from one address before slowing */
#define AUTH_FREE_ADDRESS 10 /* failures from one address before slowing */
#define AUTH_HASH_QUEUE 3    /* logins hashing or waiting to, one per address */
#define AUTH_HASH_RESERVED 2 /* more places for addresses that logged in lately */
#define AUTH_KNOWN_S (12 * 3600) /* "lately" */
#define AUTH_KNOWN_MAX 1024  /* addresses remembered (the oldest makes way) */

enum app_err auth_new(const struct config *cfg, struct auth **out) WARN_UNUSED;
void auth_free(struct auth *a);

/* NULL when pw is acceptable as a new password, else why not. */
const char *auth_password_rule(const char *pw);
/* argon2id hash of pw at the configured cost.  APP_EBUSY when too many
 * hashes are under way (not counted against any address). */
enum app_err auth_hash(struct auth *a, const char *pw, char out[USER_HASH_MAX]) WARN_UNUSED;

/* Log username in from client address ip.  On success *who is filled and
 * token gets the new session id (for the cookie).  APP_EUNAUTH for a wrong
 * name or password (the same for both), APP_ERATE with *retry_after seconds
 * (the growing delay, or a login from ip already under way), APP_EBUSY. */
enum app_err auth_login(struct app *app, struct store *db, const char *username, const char *pw,
			const char *ip, int64_t now, struct actor *who,
			char token[AUTH_TOKEN_LEN + 1], int *retry_after) WARN_UNUSED;

/* The session named by a Cookie header: fills *who and token.  APP_EUNAUTH
 * when there is none, it expired or the account is disabled. */
enum app_err auth_session(struct app *app, struct store *db, const char *cookie_header,
			  int64_t now, struct actor *who, char token[AUTH_TOKEN_LEN + 1]) WARN_UNUSED;
/* Sessions answered from the session cache (auth.c) and read from the
 * database, so far. */
void auth_session_counts(struct auth *a, unsigned long *hits, unsigned long *misses);
/* End the session token. */
enum app_err auth_logout(struct store *db, const char *token) WARN_UNUSED;

/* The CSRF token of session token. */
void auth_csrf(const char *token, char out[AUTH_CSRF_LEN + 1]);
/* Whether a state-changing request may go ahead: header must be the CSRF
 * token of token, and origin (when not NULL) must be host's or public_url's. */
bool auth_csrf_ok(const char *token, const char *header, const char *origin, const char *host,
		  const char *public_url);

/* The Set-Cookie value carrying token (NULL: one that clears it). */
void auth_cookie(const struct auth *a, const char *token, char *out, size_t cap);
/* The session token in a Cookie header (NULL: none) into token, or false
 * when there is none or it is not AUTH_TOKEN_LEN token characters. */
bool auth_cookie_token(const char *header, char token[AUTH_TOKEN_LEN + 1]);

/* The actor of user u from client ip. */
void auth_actor(const struct user *u, const char *ip, struct actor *who);

#endif
