/*
 * oidc.h - the OpenID Connect relying party: discovery, keys, logins under
 * way, the code exchange and ID-token validation (issue 25).
 *
 * The flow is the authorization code flow with PKCE (S256) always.  A login
 * starts with oidc_begin(): state, nonce and the PKCE verifier are random,
 * kept here (server-side, in memory, at most OIDC_PENDING_MAX, each for
 * OIDC_PENDING_S) and bound to a pre-login cookie whose value only the
 * browser has (we keep its hash).  oidc_take() hands one back once: a
 * replayed state, or one from another browser, finds nothing.
 *
 * Tokens are checked by oidc_verify() (signature) and oidc_check_claims()
 * (iss, aud, azp, exp, iat, nonce).  The algorithm is the configured one
 * (--oidc-alg: RS256, ES256 or PS256), never the token's: a token whose
 * header names another ("none", HS256 keyed with the public key, ...) is
 * refused before any key is tried, and a key must be of the algorithm's
 * type (RSA for RS256 and PS256, EC P-256 for ES256).  libcjose verifies.
 *
 * The provider's metadata (.well-known/openid-configuration under
 * --oidc-issuer; its "issuer" must equal the option exactly) and its keys
 * (jwks_uri) are fetched with libcurl on first need, cached, and fetched
 * again when OIDC_JWKS_MAX_AGE_S old.  A token no cached key verifies makes
 * one refresh, at most OIDC_JWKS_REFRESHES a minute for logins and as many
 * for back-channel posts apart, so a provider's key rotation needs no
 * restart and a flood of made-up kids can neither make timebok a fetch
 * cannon nor starve the logins.
 * Calls to the provider have timeouts and need https, except to a loopback
 * issuer (tests).
 *
 * The client authenticates at the token endpoint with a secret
 * (--oidc-client-secret-file, or TIMEBOK_OIDC_CLIENT_SECRET in the
 * environment; never the command line) as client_secret_basic, or with a
 * private-key JWT (--oidc-client-key-file, a JWK with its private part) as
 * private_key_jwt, which HelseID asks for.  HelseID's PAR and DPoP would be
 * two more steps here (a pushed request before oidc_begin's redirect, a
 * proof header on the token request), with no change to the callers.
 */
#ifndef TIMEBOK_OIDC_H
#define TIMEBOK_OIDC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "token.h"

struct config;
struct oidc;

#define OIDC_PENDING_MAX 1024
#define OIDC_PENDING_PER_ADDR 32 /* one address's logins under way, at most */
#define OIDC_PENDING_S 600	 /* a login must come back within ten minutes */
#define OIDC_LEEWAY_S 60	 /* clock difference allowed for exp and iat */
#define OIDC_IAT_MAX_AGE_S 600	 /* a token issued longer ago than this is stale */
#define OIDC_JWKS_REFRESHES 3	 /* key fetches in a minute, at most, per budget */
#define OIDC_JWKS_MAX_AGE_S 3600 /* keys older than this are fetched again */
#define OIDC_HTTP_TIMEOUT_S 5
#define OIDC_CONNECT_TIMEOUT_S 3
#define OIDC_RETRY_S 30	       /* after the provider could not be reached */
#define OIDC_EXCHANGES_MAX 2   /* token exchanges under way at once */
#define OIDC_JTI_MAX 4096      /* logout tokens remembered against replay */
#define OIDC_HINTS_MAX 2048    /* sessions whose id_token is kept for logout */
#define OIDC_HINT_MAX_LEN 8192 /* a longer id_token is not kept (logout: client_id) */
#define OIDC_REFUSAL_LOG_S 600 /* one log line per address for anonymous refusals */
#define OIDC_COOKIE "timebok_oidc"
#define OIDC_BACKCHANNEL_EVENT "http://schemas.openid.net/event/backchannel-logout"

/* What a login under way needs at its callback. */
struct oidc_pending {
	char state[TOKEN_LEN + 1];
	char nonce[TOKEN_LEN + 1];
	char verifier[TOKEN_LEN + 1];
	char prelogin_hash[65]; /* of the pre-login cookie's value */
	char addr[48];		/* the client's address */
	int64_t created;
};

/* The relying party for cfg (borrowed; it outlives the object).  *out is
 * NULL when OIDC is not configured (no --oidc-issuer).  APP_EINVAL (logged)
 * when it is configured badly: no client id, an http issuer that is not
 * loopback, an unknown algorithm, no secret and no key, or an unreadable
 * secret or key file. */
enum app_err oidc_new(const struct config *cfg, struct oidc **out) WARN_UNUSED;
void oidc_free(struct oidc *o);

/* Start a login from address addr: *url (new, malloc) is the provider's
 * authorization URL for redirect_uri, and prelogin the value of the
 * pre-login cookie to set.  An address has at most OIDC_PENDING_PER_ADDR
 * logins under way (its oldest makes way), so a flood from one address
 * cannot push out another's.  When the provider offers no
 * end_session_endpoint the URL asks for prompt=login: a logout here cannot
 * end the provider's session, so the next person at a shared PC must not
 * inherit it.  APP_EBUSY when the provider's metadata cannot be had. */
enum app_err oidc_begin(struct oidc *o, const char *redirect_uri, const char *addr, int64_t now,
			char **url, char prelogin[TOKEN_LEN + 1]) WARN_UNUSED;
/* Take the login under way with state, if prelogin (the cookie's value)
 * is the one it was started with and it has not expired; it is forgotten
 * either way.  APP_ENOTFOUND otherwise. */
enum app_err oidc_take(struct oidc *o, const char *state, const char *prelogin, int64_t now,
		       struct oidc_pending *out) WARN_UNUSED;

/* Exchange code at the token endpoint; *id_token is new (malloc).
 * APP_EUNAUTH when the provider refuses, APP_EBUSY when it cannot be
 * reached, when OIDC_EXCHANGES_MAX exchanges are already under way (a slow
 * provider must not hold every HTTP thread), or for OIDC_RETRY_S after the
 * token endpoint could not be reached (a circuit breaker). */
enum app_err oidc_exchange(struct oidc *o, const char *code, const char *redirect_uri,
			   const struct oidc_pending *p, int64_t now, char **id_token) WARN_UNUSED;

/* Verify jwt's signature with the provider's keys (refreshing them once
 * when no key verifies it: an unknown kid, no kid, a kid whose key changed;
 * logins and back-channel posts have separate refresh budgets; keys older
 * than OIDC_JWKS_MAX_AGE_S are fetched again) and check its claims: an ID
 * token with nonce, or a logout token (nonce NULL: it must have none, must
 * carry the back-channel logout event and a jti not seen before).  *claims
 * is new.  APP_EUNAUTH with *why (static) for a token that does not pass. */
enum app_err oidc_validate(struct oidc *o, const char *jwt, const char *nonce, int64_t now,
			   json_t **claims, const char **why) WARN_UNUSED;

/* Whether a refusal without a session from addr should be logged: the
 * first in OIDC_REFUSAL_LOG_S seconds is, the rest are only counted (an
 * anonymous flood must not fill the log or the append-only audit log). */
bool oidc_refusal_logged(struct oidc *o, const char *addr, int64_t now);

/* Keep the ID token of the session whose hash is session_hash, for the
 * id_token_hint of its logout (in memory, at most OIDC_HINTS_MAX). */
void oidc_hint_keep(struct oidc *o, const char *session_hash, const char *id_token, int64_t now);
/* Where the browser goes to end the provider's session when the session
 * session_hash logs out (RP-Initiated Logout 1.0): *url (new, malloc) is
 * end_session_endpoint with id_token_hint (when kept), client_id and
 * post_logout_redirect_uri, or NULL when the provider has none.  The hint
 * is forgotten. */
enum app_err oidc_logout_url(struct oidc *o, const char *session_hash,
			     const char *post_logout_redirect_uri, int64_t now,
			     char **url) WARN_UNUSED;

/* The pieces of oidc_validate, for tests. */

/* The alg named by --oidc-alg, or NULL when it is not one we accept. */
const char *oidc_alg_name(const char *configured);
/* Whether jwk_json (one JWK) is a key of alg's type. */
bool oidc_key_fits(const char *alg, const char *jwk_json);
/* Verify compact JWS jwt against keys (a JWKS object {"keys": [...]},
 * borrowed) with alg, never the header's; a header with "crit" is
 * refused (we understand no extension).  *retry is set when no key
 * verified it, so fresh keys might (an unknown kid, no kid, a kid whose
 * key changed).  *payload is new. */
enum app_err oidc_verify(const char *jwt, const char *alg, const json_t *keys, bool *retry,
			 json_t **payload, const char **why) WARN_UNUSED;
/* Check the claims of an ID token (nonce given) or a logout token (NULL:
 * it needs a jti, and a sid or sub, none of them empty) from issuer for
 * client_id at now. */
enum app_err oidc_check_claims(const json_t *claims, const char *issuer, const char *client_id,
			       const char *nonce, int64_t now, const char **why) WARN_UNUSED;
/* base64url(SHA-256(verifier)), the S256 code challenge. */
void oidc_challenge(const char *verifier, char out[44]);
/* Whether url is http(s) to a loopback host (127.0.0.0/8, ::1, localhost). */
bool oidc_loopback(const char *url);

#endif
