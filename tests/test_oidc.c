/*
 * test_oidc.c - the pieces of ID-token validation (oidc.h) that cannot be
 * talked round: the configured algorithm only (not "none", not HS256 keyed
 * with the public key, not a key of another type), the signature, and iss,
 * aud, azp, exp, iat and nonce; the logout token's rules; PKCE's S256
 * challenge (RFC 7636's example) and the loopback rule for http issuers.
 * Against a provider on a loopback socket: key refreshes (their budgets,
 * the hourly fetch), logout tokens used once, logins under way per address.
 * Tokens are made here with libcjose, with keys made here.
 */
#include <arpa/inet.h>
#include <check.h>
#include <cjose/cjose.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "config.h"
#include "oidc.h"

#define ISS "https://login.example.no/tenant"
#define CLIENT "timebok"
#define NOW 1800000000

static cjose_jwk_t *rsa, *rsa2, *ec;
static json_t *jwks; /* rsa and ec, public parts, with kids */

static json_t *public_jwk(cjose_jwk_t *k, const char *kid)
{
	cjose_err e;
	char *text;
	json_t *j;

	ck_assert(cjose_jwk_set_kid(k, kid, strlen(kid), &e));
	text = cjose_jwk_to_json(k, false, &e);
	j = json_loads(text, 0, NULL);
	free(text);
	ck_assert_ptr_nonnull(j);
	return j;
}

static void setup(void)
{
	cjose_err e;
	static const uint8_t e65537[] = {1, 0, 1};

	rsa = cjose_jwk_create_RSA_random(2048, e65537, sizeof(e65537), &e);
	rsa2 = cjose_jwk_create_RSA_random(2048, e65537, sizeof(e65537), &e);
	ec = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &e);
	ck_assert(rsa && rsa2 && ec);
	jwks = json_pack("{s:[o, o]}", "keys", public_jwk(rsa, "r1"), public_jwk(ec, "e1"));
	cjose_jwk_set_kid(rsa2, "r2", 2, &e);
}

static void teardown(void)
{
	cjose_jwk_release(rsa);
	cjose_jwk_release(rsa2);
	cjose_jwk_release(ec);
	json_decref(jwks);
}

/* A compact JWS of claims (stolen) signed with key under alg, kid named. */
static char *sign(cjose_jwk_t *key, const char *alg, const char *kid, json_t *claims)
{
	cjose_err e;
	cjose_header_t *h = cjose_header_new(&e);
	char *payload = json_dumps(claims, JSON_COMPACT), *out;
	cjose_jws_t *jws;
	const char *ser;

	cjose_header_set(h, CJOSE_HDR_ALG, alg, &e);
	if (kid)
		cjose_header_set(h, CJOSE_HDR_KID, kid, &e);
	jws = cjose_jws_sign(key, h, (const uint8_t *)payload, strlen(payload), &e);
	ck_assert_msg(jws != NULL, "sign %s: %s", alg, e.message);
	ck_assert(cjose_jws_export(jws, &ser, &e));
	out = strdup(ser);
	cjose_jws_release(jws);
	cjose_header_release(h);
	free(payload);
	json_decref(claims);
	return out;
}

static json_t *good_claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "iss", ISS, "sub", "oid-1", "aud",
			 CLIENT, "iat", (json_int_t)NOW - 5, "exp", (json_int_t)NOW + 300, "nonce",
			 "n-123", "name", "Kari Sekretær");
}

/* oidc_verify then oidc_check_claims, as oidc_validate does */
static enum app_err check(const char *jwt, const char *alg, const char *nonce, const char **why)
{
	json_t *claims = NULL;
	bool unknown;
	enum app_err err = oidc_verify(jwt, alg, jwks, &unknown, &claims, why);

	if (!err)
		err = oidc_check_claims(claims, ISS, CLIENT, nonce, NOW, why);
	json_decref(claims);
	return err;
}

START_TEST(a_good_token_passes_rs256_and_es256)
{
	const char *why;
	char *t = sign(rsa, "RS256", "r1", good_claims());

	ck_assert_int_eq(check(t, "RS256", "n-123", &why), APP_OK);
	free(t);
	t = sign(ec, "ES256", "e1", good_claims());
	ck_assert_int_eq(check(t, "ES256", "n-123", &why), APP_OK);
	free(t);
	t = sign(rsa, "PS256", "r1", good_claims());
	ck_assert_int_eq(check(t, "PS256", "n-123", &why), APP_OK);
	free(t);
	/* no kid: every key of the type is tried */
	t = sign(rsa, "RS256", NULL, good_claims());
	ck_assert_int_eq(check(t, "RS256", "n-123", &why), APP_OK);
	free(t);
}
END_TEST

START_TEST(the_algorithm_is_the_configured_one)
{
	const char *why;
	char *t = sign(rsa, "RS256", "r1", good_claims());

	/* a good RS256 token where ES256 is configured */
	ck_assert_int_eq(check(t, "ES256", "n-123", &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "the token is signed with another algorithm than the configured one");
	free(t);
	t = sign(rsa, "PS256", "r1", good_claims());
	ck_assert_int_eq(check(t, "RS256", "n-123", &why), APP_EUNAUTH);
	free(t);
}
END_TEST

START_TEST(hs256_keyed_with_the_public_key_is_refused)
{
	cjose_err e;
	const char *why;
	/* the classic confusion: the RSA public key's text as an HMAC secret */
	json_t *pub = json_array_get(json_object_get(jwks, "keys"), 0);
	char *pubtext = json_dumps(pub, JSON_COMPACT);
	cjose_jwk_t *oct = cjose_jwk_create_oct_spec((const uint8_t *)pubtext, strlen(pubtext), &e);
	char *t = sign(oct, "HS256", "r1", good_claims());

	ck_assert_int_eq(check(t, "RS256", "n-123", &why), APP_EUNAUTH);
	free(t);
	cjose_jwk_release(oct);
	free(pubtext);
}
END_TEST

static char *b64url(const char *text)
{
	cjose_err e;
	char *out;
	size_t n;

	ck_assert(cjose_base64url_encode((const uint8_t *)text, strlen(text), &out, &n, &e));
	return out;
}

START_TEST(alg_none_is_refused)
{
	const char *why;
	json_t *c = good_claims();
	char *payload = json_dumps(c, JSON_COMPACT);
	char *h = b64url("{\"alg\":\"none\",\"kid\":\"r1\"}"), *b = b64url(payload), t[4096];

	snprintf(t, sizeof(t), "%s.%s.", h, b);
	ck_assert_int_eq(check(t, "RS256", "n-123", &why), APP_EUNAUTH);
	/* and "none" configured is no algorithm at all */
	ck_assert_ptr_null(oidc_alg_name("none"));
	ck_assert_ptr_null(oidc_alg_name("HS256"));
	ck_assert_str_eq(oidc_alg_name("ES256"), "ES256");
	free(h);
	free(b);
	free(payload);
	json_decref(c);
}
END_TEST

START_TEST(signature_and_keys)
{
	const char *why;
	char *t = sign(rsa2, "RS256", "r1", good_claims()), *tampered;
	json_t *claims = NULL;
	bool unknown;

	/* signed by another key under a known kid */
	ck_assert_int_eq(check(t, "RS256", "n-123", &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "the token's signature does not verify");
	free(t);
	/* an unknown kid asks for a refresh of the keys */
	t = sign(rsa2, "RS256", "r2", good_claims());
	ck_assert_int_eq(oidc_verify(t, "RS256", jwks, &unknown, &claims, &why), APP_EUNAUTH);
	ck_assert(unknown);
	free(t);
	/* a payload changed after signing */
	t = sign(rsa, "RS256", "r1", good_claims());
	tampered = strdup(t);
	char *dot = strchr(tampered, '.') + 1;
	dot[3] = dot[3] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(check(tampered, "RS256", "n-123", &why), APP_EUNAUTH);
	free(tampered);
	free(t);
	/* an EC key named by the kid of an RS256 token does not fit */
	t = sign(rsa, "RS256", "e1", good_claims());
	ck_assert_int_eq(oidc_verify(t, "RS256", jwks, &unknown, &claims, &why), APP_EUNAUTH);
	free(t);
	ck_assert_int_eq(check("not.a.jwt", "RS256", "n-123", &why), APP_EUNAUTH);
	ck_assert_int_eq(check("", "RS256", "n-123", &why), APP_EUNAUTH);
	/* key types */
	{
		char *pub = json_dumps(json_array_get(json_object_get(jwks, "keys"), 0), 0);
		char *pub_ec = json_dumps(json_array_get(json_object_get(jwks, "keys"), 1), 0);
		ck_assert(oidc_key_fits("RS256", pub));
		ck_assert(oidc_key_fits("PS256", pub));
		ck_assert(!oidc_key_fits("ES256", pub));
		ck_assert(oidc_key_fits("ES256", pub_ec));
		ck_assert(!oidc_key_fits("RS256", pub_ec));
		free(pub);
		free(pub_ec);
	}
}
END_TEST

/* good claims with one changed (value stolen; NULL removes it) */
static const char *claims_why(const char *key, json_t *value, const char *nonce)
{
	json_t *c = good_claims();
	const char *why = NULL;

	if (value)
		json_object_set_new(c, key, value);
	else
		json_object_del(c, key);
	if (oidc_check_claims(c, ISS, CLIENT, nonce, NOW, &why) == APP_OK)
		why = NULL;
	json_decref(c);
	return why;
}

START_TEST(claims_are_checked)
{
	ck_assert_ptr_null(claims_why("name", json_string("x"), "n-123"));
	ck_assert_str_eq(claims_why("iss", json_string(ISS "/"), "n-123"),
			 "the token is from another issuer");
	ck_assert_str_eq(claims_why("iss", NULL, "n-123"), "the token is from another issuer");
	ck_assert_str_eq(claims_why("aud", json_string("other"), "n-123"),
			 "the token is not for this client (aud)");
	ck_assert_ptr_null(claims_why("aud", json_pack("[s]", CLIENT), "n-123"));
	ck_assert_str_eq(claims_why("aud", json_pack("[s, s]", "other", CLIENT), "n-123"),
			 "the token names several audiences and no azp");
	ck_assert_str_eq(claims_why("azp", json_string("other"), "n-123"),
			 "the token was issued to another party (azp)");
	ck_assert_ptr_null(claims_why("azp", json_string(CLIENT), "n-123"));
	/* exp with the leeway, and not at all */
	ck_assert_ptr_null(claims_why("exp", json_integer(NOW - OIDC_LEEWAY_S + 1), "n-123"));
	ck_assert_str_eq(claims_why("exp", json_integer(NOW - OIDC_LEEWAY_S - 1), "n-123"),
			 "the token has expired");
	ck_assert_str_eq(claims_why("exp", NULL, "n-123"), "the token has expired");
	ck_assert_str_eq(claims_why("exp", json_string("2030"), "n-123"), "the token has expired");
	/* iat from the future (past the leeway) or long ago */
	ck_assert_ptr_null(claims_why("iat", json_integer(NOW + OIDC_LEEWAY_S), "n-123"));
	ck_assert_str_eq(claims_why("iat", json_integer(NOW + OIDC_LEEWAY_S + 1), "n-123"),
			 "the token's iat is missing or out of range");
	ck_assert_str_eq(claims_why("iat", json_integer(NOW - 3600), "n-123"),
			 "the token's iat is missing or out of range");
	ck_assert_str_eq(claims_why("iat", NULL, "n-123"),
			 "the token's iat is missing or out of range");
	/* nonce */
	ck_assert_str_eq(claims_why("nonce", json_string("n-124"), "n-123"),
			 "the token's nonce is not this login's");
	ck_assert_str_eq(claims_why("nonce", NULL, "n-123"),
			 "the token's nonce is not this login's");
	ck_assert_str_eq(claims_why("sub", NULL, "n-123"), "the token has no subject");
}
END_TEST

START_TEST(logout_tokens)
{
	json_t *c =
	    json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:{}}}", "iss", ISS, "aud", CLIENT, "iat",
		      (json_int_t)NOW, "jti", "j1", "sid", "s-1", "events", OIDC_BACKCHANNEL_EVENT);
	const char *why;

	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_OK);
	json_object_set_new(c, "nonce", json_string("n"));
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "a logout token must not carry a nonce");
	json_object_del(c, "nonce");
	json_object_del(c, "events");
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	json_object_set_new(c, "events", json_pack("{s:{}}", OIDC_BACKCHANNEL_EVENT));
	json_object_del(c, "sid");
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "the logout token names neither sid nor sub");
	json_object_set_new(c, "sub", json_string("oid-1"));
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_OK);
	ck_assert_int_eq(oidc_check_claims(c, ISS, "another", NULL, NOW, &why), APP_EUNAUTH);
	json_decref(c);
}
END_TEST

/* An empty sid or sub would have ended every session of the issuer (review
 * 25, finding 2); a logout token needs a jti (finding 7). */
START_TEST(logout_tokens_name_someone)
{
	json_t *c =
	    json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:{}}}", "iss", ISS, "aud", CLIENT, "iat",
		      (json_int_t)NOW, "jti", "j1", "sid", "", "events", OIDC_BACKCHANNEL_EVENT);
	const char *why;

	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "the logout token's sid is empty or not a string");
	json_object_set_new(c, "sid", json_integer(7));
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	json_object_del(c, "sid");
	json_object_set_new(c, "sub", json_string(""));
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "the logout token's sub is empty or not a string");
	json_object_set_new(c, "sub", json_string("oid-1"));
	json_object_set_new(c, "sid", json_string(""));
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	json_object_set_new(c, "sid", json_string("s-1"));
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_OK);
	json_object_del(c, "jti");
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "the logout token has no jti");
	json_object_set_new(c, "jti", json_string(""));
	ck_assert_int_eq(oidc_check_claims(c, ISS, CLIENT, NULL, NOW, &why), APP_EUNAUTH);
	json_decref(c);
}
END_TEST

/* A token with "crit" is refused (we understand no extension); a token
 * that no key verifies asks for fresh keys whether it names an unknown
 * kid, no kid, or a known kid whose key changed (review 25, finding 8). */
START_TEST(crit_and_fresh_keys)
{
	cjose_err e;
	cjose_header_t *h = cjose_header_new(&e);
	json_t *claims = good_claims();
	char *payload = json_dumps(claims, JSON_COMPACT);
	const char *why, *ser;
	bool retry;
	cjose_jws_t *jws;
	char *t;

	json_decref(claims);
	claims = NULL;
	cjose_header_set(h, CJOSE_HDR_ALG, "RS256", &e);
	cjose_header_set(h, CJOSE_HDR_KID, "r1", &e);
	cjose_header_set_raw(h, "crit", "[\"exp\"]", &e);
	jws = cjose_jws_sign(rsa, h, (const uint8_t *)payload, strlen(payload), &e);
	ck_assert(jws && cjose_jws_export(jws, &ser, &e));
	ck_assert_int_eq(oidc_verify(ser, "RS256", jwks, &retry, &claims, &why), APP_EUNAUTH);
	ck_assert_str_eq(why, "the token names critical extensions (crit)");
	ck_assert(!retry);
	cjose_jws_release(jws);
	cjose_header_release(h);
	free(payload);

	t = sign(rsa2, "RS256", NULL, good_claims()); /* no kid, no key of ours */
	ck_assert_int_eq(oidc_verify(t, "RS256", jwks, &retry, &claims, &why), APP_EUNAUTH);
	ck_assert(retry);
	free(t);
	t = sign(rsa2, "RS256", "r1", good_claims()); /* a known kid, another key */
	ck_assert_int_eq(oidc_verify(t, "RS256", jwks, &retry, &claims, &why), APP_EUNAUTH);
	ck_assert(retry);
	free(t);
	t = sign(rsa, "RS256", NULL, good_claims()); /* no kid, a key of ours */
	ck_assert_int_eq(oidc_verify(t, "RS256", jwks, &retry, &claims, &why), APP_OK);
	ck_assert(!retry);
	json_decref(claims);
	free(t);
}
END_TEST

START_TEST(pkce_and_loopback)
{
	char out[44];

	/* RFC 7636, appendix B */
	oidc_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", out);
	ck_assert_str_eq(out, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	ck_assert(oidc_loopback("http://127.0.0.1:4000/"));
	ck_assert(oidc_loopback("http://127.9.9.9"));
	ck_assert(oidc_loopback("http://localhost:80/x"));
	ck_assert(oidc_loopback("http://[::1]:8080/"));
	ck_assert(!oidc_loopback("http://127.0.0.1.evil.example/"));
	ck_assert(!oidc_loopback("http://localhost.evil.example/"));
	ck_assert(!oidc_loopback("http://10.0.0.1/"));
	ck_assert(!oidc_loopback("ftp://127.0.0.1/"));
}
END_TEST

/* --- a provider on a loopback socket: metadata and keys only ------------ */

static int idp_fd, idp_port;
static pthread_t idp_thread;
static pthread_mutex_t idp_mu = PTHREAD_MUTEX_INITIALIZER;
static char *idp_keys; /* the JWKS it serves (text) */
static atomic_int idp_key_fetches;

static void *idp_serve(void *unused)
{
	char req[4096], body[32768], head[256], meta[1024];
	int c;

	(void)unused;
	while ((c = accept(idp_fd, NULL, NULL)) >= 0) {
		ssize_t n = recv(c, req, sizeof(req) - 1, 0);
		req[n > 0 ? n : 0] = '\0';
		if (!strncmp(req, "GET /.well-known/openid-configuration", 37)) {
			snprintf(meta, sizeof(meta),
				 "{\"issuer\":\"http://127.0.0.1:%d\",\"authorization_endpoint\":"
				 "\"http://127.0.0.1:%d/authorize\",\"token_endpoint\":"
				 "\"http://127.0.0.1:%d/token\",\"jwks_uri\":\"http://127.0.0.1:%d/"
				 "jwks\"}",
				 idp_port, idp_port, idp_port, idp_port);
			snprintf(body, sizeof(body), "%s", meta);
		} else {
			idp_key_fetches++;
			pthread_mutex_lock(&idp_mu);
			snprintf(body, sizeof(body), "%s", idp_keys);
			pthread_mutex_unlock(&idp_mu);
		}
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
			 "%zu\r\nConnection: close\r\n\r\n",
			 strlen(body));
		if (send(c, head, strlen(head), 0) < 0 || send(c, body, strlen(body), 0) < 0)
			perror("idp send");
		close(c);
	}
	return NULL;
}

/* Serve keys (a JWKS object, borrowed). */
static void idp_set_keys(const json_t *keys)
{
	pthread_mutex_lock(&idp_mu);
	free(idp_keys);
	idp_keys = json_dumps(keys, JSON_COMPACT);
	pthread_mutex_unlock(&idp_mu);
}

static struct config idp_cfg;
static struct oidc *rp;

static void idp_setup(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);

	setup();
	ck_assert_int_ge(idp_fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(idp_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(idp_fd, 16), 0);
	ck_assert_int_eq(getsockname(idp_fd, (struct sockaddr *)&a, &len), 0);
	idp_port = ntohs(a.sin_port);
	idp_set_keys(jwks);
	idp_key_fetches = 0;
	ck_assert_int_eq(pthread_create(&idp_thread, NULL, idp_serve, NULL), 0);
	config_defaults(&idp_cfg);
	snprintf(idp_cfg.oidc_issuer, sizeof(idp_cfg.oidc_issuer), "http://127.0.0.1:%d", idp_port);
	snprintf(idp_cfg.oidc_client_id, sizeof(idp_cfg.oidc_client_id), CLIENT);
	setenv("TIMEBOK_OIDC_CLIENT_SECRET", "s", 1);
	ck_assert_int_eq(oidc_new(&idp_cfg, &rp), APP_OK);
	ck_assert_ptr_nonnull(rp);
}

static void idp_teardown(void)
{
	oidc_free(rp);
	shutdown(idp_fd, SHUT_RDWR);
	close(idp_fd);
	pthread_join(idp_thread, NULL);
	free(idp_keys);
	idp_keys = NULL;
	teardown();
}

/* An ID token (nonce "n-123") or a logout token (jti), from the test
 * provider, issued at, signed by key under kid. */
static char *idp_token(cjose_jwk_t *key, const char *kid, int64_t at, const char *jti)
{
	json_t *c = jti ? json_pack("{s:s, s:s, s:I, s:s, s:s, s:{s:{}}}", "iss",
				    idp_cfg.oidc_issuer, "aud", CLIENT, "iat", (json_int_t)at,
				    "jti", jti, "sid", "s-1", "events", OIDC_BACKCHANNEL_EVENT)
			: json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "iss", idp_cfg.oidc_issuer,
				    "sub", "oid-1", "aud", CLIENT, "iat", (json_int_t)at, "exp",
				    (json_int_t)at + 300, "nonce", "n-123");
	return sign(key, "RS256", kid, c);
}

static enum app_err idp_validate(const char *jwt, const char *nonce, int64_t now)
{
	json_t *claims = NULL;
	const char *why;
	enum app_err err = oidc_validate(rp, jwt, nonce, now, &claims, &why);

	json_decref(claims);
	return err;
}

/* Review 25, finding 8: forged back-channel posts cannot use up the
 * logins' refreshes; a key the provider removed stops being trusted within
 * the hour; a logout token's jti is remembered (finding 7). */
START_TEST(keys_are_refreshed_and_logout_tokens_used_once)
{
	json_t *both =
	    json_pack("{s:[o, o]}", "keys", public_jwk(rsa, "r1"), public_jwk(rsa2, "r2"));
	json_t *only2 = json_pack("{s:[o]}", "keys", public_jwk(rsa2, "r2"));
	char *t;

	t = idp_token(rsa, "r1", NOW, NULL);
	ck_assert_int_eq(idp_validate(t, "n-123", NOW), APP_OK);
	free(t);
	ck_assert_int_eq(idp_key_fetches, 1);
	/* back-channel posts with made-up kids use up their own budget */
	for (int i = 0; i < OIDC_JWKS_REFRESHES + 2; i++) {
		char jti[16];
		snprintf(jti, sizeof(jti), "forged-%d", i);
		t = idp_token(rsa2, "made-up", NOW, jti);
		ck_assert_int_eq(idp_validate(t, NULL, NOW), APP_EUNAUTH);
		free(t);
	}
	ck_assert_int_eq(idp_key_fetches, 1 + OIDC_JWKS_REFRESHES);
	/* the provider rotates to r2: a login still gets its fresh look */
	idp_set_keys(both);
	t = idp_token(rsa2, "r2", NOW, NULL);
	ck_assert_int_eq(idp_validate(t, "n-123", NOW), APP_OK);
	free(t);
	ck_assert_int_eq(idp_key_fetches, 2 + OIDC_JWKS_REFRESHES);
	/* r1 is removed: trusted until the keys are an hour old, not after */
	idp_set_keys(only2);
	t = idp_token(rsa, "r1", NOW + 60, NULL);
	ck_assert_int_eq(idp_validate(t, "n-123", NOW + 60), APP_OK);
	free(t);
	t = idp_token(rsa, "r1", NOW + OIDC_JWKS_MAX_AGE_S + 1, NULL);
	ck_assert_int_eq(idp_validate(t, "n-123", NOW + OIDC_JWKS_MAX_AGE_S + 1), APP_EUNAUTH);
	free(t);
	/* a logout token ends something once; its replay is refused */
	t = idp_token(rsa2, "r2", NOW + OIDC_JWKS_MAX_AGE_S + 2, "once");
	ck_assert_int_eq(idp_validate(t, NULL, NOW + OIDC_JWKS_MAX_AGE_S + 2), APP_OK);
	ck_assert_int_eq(idp_validate(t, NULL, NOW + OIDC_JWKS_MAX_AGE_S + 3), APP_EUNAUTH);
	free(t);
	json_decref(both);
	json_decref(only2);
}
END_TEST

/* Review 25, finding 3: a flood of logins begun from one address pushes
 * out only that address's own; another address's login still comes back. */
START_TEST(a_flood_from_one_address_keeps_others_logins)
{
	char prelogin[TOKEN_LEN + 1], real[TOKEN_LEN + 1], state[TOKEN_LEN + 1];
	struct oidc_pending p;
	char *url = NULL;
	const char *s;

	ck_assert_int_eq(oidc_begin(rp, "http://x/cb", "192.0.2.7", NOW, &url, real), APP_OK);
	ck_assert_ptr_nonnull(s = strstr(url, "state="));
	snprintf(state, sizeof(state), "%.*s", TOKEN_LEN, s + 6);
	/* the provider has no end_session_endpoint: the next login asks again */
	ck_assert_ptr_nonnull(strstr(url, "&prompt=login"));
	free(url);
	for (int i = 0; i < OIDC_PENDING_MAX + 10; i++) {
		ck_assert_int_eq(
		    oidc_begin(rp, "http://x/cb", "198.51.100.9", NOW + 1, &url, prelogin), APP_OK);
		free(url);
	}
	ck_assert_int_eq(oidc_take(rp, state, real, NOW + 2, &p), APP_OK);
	ck_assert_str_eq(p.addr, "192.0.2.7");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("oidc");
	TCase *tc = tcase_create("validation");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_good_token_passes_rs256_and_es256);
	tcase_add_test(tc, the_algorithm_is_the_configured_one);
	tcase_add_test(tc, hs256_keyed_with_the_public_key_is_refused);
	tcase_add_test(tc, alg_none_is_refused);
	tcase_add_test(tc, signature_and_keys);
	tcase_add_test(tc, claims_are_checked);
	tcase_add_test(tc, logout_tokens);
	tcase_add_test(tc, logout_tokens_name_someone);
	tcase_add_test(tc, crit_and_fresh_keys);
	tcase_add_test(tc, pkce_and_loopback);
	suite_add_tcase(s, tc);
	tc = tcase_create("provider");
	tcase_add_checked_fixture(tc, idp_setup, idp_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, keys_are_refreshed_and_logout_tokens_used_once);
	tcase_add_test(tc, a_flood_from_one_address_keeps_others_logins);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
