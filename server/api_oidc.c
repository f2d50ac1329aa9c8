/*
 * api_oidc.c - single sign-on's routes (issue 25): the login's start and
 * callback, the provider's back-channel logout, the admins' role mappings,
 * and the login page's options.  The protocol is oidc.c's; the tables are
 * store_sso.c's.
 *
 * A callback that fails for any reason logs nobody in and sends the browser
 * to "/?sso_error=WHY", which the login page explains (static/js/app.js):
 *   unmapped     the person is known to the provider but no mapping covers
 *                them (audit row "sso refused: unmapped")
 *   disabled     an admin has disabled their timebok account (audited)
 *   refused      the answer did not pass: a state that is unknown, used or
 *                from another browser, or a token that does not validate
 *                (audited with the reason, never the token)
 *   provider     the provider said no (the person cancelled, ...)
 *   unavailable  the provider cannot be reached
 *
 * Mappings: the first mapping, in the admin's order, whose claim holds its
 * value decides the role, the units and the clinician; a claim may be a
 * string or an array of strings, and a dotted name looks inside objects
 * (Keycloak's "realm_access.roles").  They are read at each login, so a
 * change takes effect at the person's next login.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "body.h"
#include "lazy_curl.h"
#include "log.h"
#include "metrics.h"
#include "oidc.h"
#include "params.h"
#include "router.h"
#include "store.h"
#include "store_sso.h"
#include "validate.h"

static bool secure(const struct config *cfg)
{
	return cfg->secure_cookies || !strncmp(cfg->public_url, "https://", 8) ||
	       !strncmp(cfg->staff_url, "https://", 8);
}

static void redirect_uri(const struct config *cfg, char *out, size_t cap)
{
	snprintf(out, cap, "%s/auth/oidc/callback", cfg->staff_url);
}

static enum app_err not_configured(struct reply *rep)
{
	return reply_fail(rep, APP_ENOTFOUND, NULL, "single sign-on is not configured");
}

static enum app_err go(struct reply *rep, const char *where)
{
	snprintf(rep->location, sizeof(rep->location), "%s", where);
	rep->status = 302;
	rep->content_type = "text/plain; charset=utf-8";
	buf_puts(&rep->body, "redirecting\n");
	return APP_OK;
}

API_HANDLER(api_oidc_login)
{
	char prelogin[TOKEN_LEN + 1], ruri[300];
	char *url = NULL;
	enum app_err err;

	(void)db;
	if (!app->oidc)
		return not_configured(rep);
	redirect_uri(app->cfg, ruri, sizeof(ruri));
	if ((err = oidc_begin(app->oidc, ruri, req->who.ip, req->now, &url, prelogin)))
		return err == APP_EBUSY ? go(rep, "/?sso_error=unavailable") : err;
	if (strlen(url) >= sizeof(rep->location)) {
		free(url);
		return reply_fail(rep, APP_ESTORE, NULL, "the provider's login URL is too long");
	}
	/* Lax: the provider's redirect back is a cross-site navigation */
	snprintf(rep->set_cookie, sizeof(rep->set_cookie),
		 "%s=%s; Path=/auth/oidc; Max-Age=%d; HttpOnly; SameSite=Lax%s", OIDC_COOKIE,
		 prelogin, OIDC_PENDING_S, secure(app->cfg) ? "; Secure" : "");
	go(rep, url);
	free(url);
	sodium_memzero(prelogin, sizeof(prelogin));
	return APP_OK;
}

/* The pre-login cookie's value in a Cookie header, or false. */
static bool prelogin_cookie(const char *header, char out[TOKEN_LEN + 1])
{
	size_t nl = strlen(OIDC_COOKIE);

	for (const char *p = header; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!strncmp(p, OIDC_COOKIE, nl) && p[nl] == '=') {
			const char *v = p + nl + 1;
			size_t n = strspn(v, TOKEN_CHARS);
			if (n != TOKEN_LEN)
				return false;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		p = strchr(p, ';');
	}
	return false;
}

/* The claim named path: a top-level claim of that very name first (names
 * shaped like URLs, "https://timebok.example/roles", hold dots), else a
 * dotted path into objects. */
static const json_t *claim_at(const json_t *claims, const char *path)
{
	char part[SSO_CLAIM_MAX + 1];
	const json_t *v = json_object_get(claims, path);

	if (v)
		return v;
	v = claims;
	while (v && *path) {
		size_t n = strcspn(path, ".");
		if (n > SSO_CLAIM_MAX)
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		v = json_object_get(v, part);
		path += n + (path[n] == '.');
	}
	return v;
}

static bool claim_holds(const json_t *claims, const char *claim, const char *value)
{
	const json_t *v = claim_at(claims, claim), *x;
	size_t i;

	if (json_is_string(v))
		return !strcmp(json_string_value(v), value);
	json_array_foreach(v, i, x)
	{
		if (json_is_string(x) && !strcmp(json_string_value(x), value))
			return true;
	}
	return false;
}

/* Whether the UTF-8 at p is a bidirectional control (U+202A-202E,
 * U+2066-2069) or U+200E/U+200F, which could make a name read otherwise
 * in the audit log ("\u202eNIMDA"). */
static bool bidi_control(const unsigned char *p)
{
	return p[0] == 0xe2 && ((p[1] == 0x80 && ((p[2] >= 0xaa && p[2] <= 0xae) || p[2] == 0x8e ||
						  p[2] == 0x8f)) ||
				(p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

/* s with control (C0, DEL, C1) and bidi characters dropped, into out (cap bytes), cut at
 * a character boundary; false when nothing but blanks is left. */
static bool clean_name(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	bool visible = false;

	for (const unsigned char *p = (const unsigned char *)s; p && *p;) {
		size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : 4;
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] < 0xa0) || bidi_control(p)) {
			p += *p < 0x80 ? 1 : len;
			continue;
		}
		if (strnlen((const char *)p, len) < len || n + len + 1 > cap)
			break; /* a character cut short, or no room for it */
		visible = visible || *p != ' ';
		memcpy(out + n, p, len);
		n += len;
		p += len;
	}
	out[n] = '\0';
	return visible;
}

/* The name to show: name, else preferred_username, else the subject (the
 * first that is not blank once control and bidi characters are dropped),
 * cut at a character boundary. */
static void display_name(const json_t *claims, char *out, size_t cap)
{
	static const char *const keys[] = {"name", "preferred_username", "sub"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (clean_name(json_string_value(json_object_get(claims, keys[i])), out, cap))
			return;
	snprintf(out, cap, "sso user");
}

/* The login's audit detail: issuer, subject, acr and amr (new, malloc). */
static char *login_detail(const char *issuer, const json_t *claims, const char *why)
{
	json_t *d = json_pack("{s:s}", "issuer", issuer);
	const char *keys[] = {"sub", "acr", "amr", "sid"};
	const char *names[] = {"subject", "acr", "amr", "sid"};
	char *text;

	if (!d)
		return NULL;
	for (size_t i = 0; claims && i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(claims, keys[i]);
		if (json_is_string(v) || json_is_array(v))
			json_object_set(d, names[i], v);
	}
	if (why)
		json_object_set_new(d, "reason", json_string(why));
	text = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	return text;
}

/* A refused sign-in, or the provider's logout, in the audit log (nobody
 * logged in: the row is anonymous, its detail says whom it was about). */
static void audit_sso(struct store *db, const struct req *req, const char *issuer,
		      const json_t *claims, const char *why, const char *action)
{
	struct audit_row r;
	struct actor anon = {0};
	char *detail = login_detail(issuer, claims, why);

	snprintf(anon.username, sizeof(anon.username), "anonymous");
	snprintf(anon.ip, sizeof(anon.ip), "%s", req->who.ip);
	audit_fill(&r, &anon, action, 0, 0, req->now);
	if (store_users_audit_detail(db, &r, detail) != APP_OK)
		log_warn("oidc: could not audit a refused sign-in");
	free(detail);
}

/* A callback refused before anyone is known (a bad state, code or token):
 * counted in the metrics and logged once per address a while, never
 * written to the append-only audit log, which an anonymous flood would
 * fill (as http_server.c does with anonymous 401s). */
static void refused_anonymously(struct app *app, const struct req *req, const char *why)
{
	metrics_anonymous_denial(app->metrics, router_index(req->route));
	if (oidc_refusal_logged(app->oidc, req->who.ip, req->now))
		log_warn(
		    "oidc: a sign-in was refused (%s); more from this address are only counted",
		    why);
}

/* Forget the pre-login cookie (it is single use either way). */
static void clear_prelogin(const struct config *cfg, char *out, size_t cap)
{
	snprintf(out, cap, "%s=; Path=/auth/oidc; Max-Age=0; HttpOnly; SameSite=Lax%s", OIDC_COOKIE,
		 secure(cfg) ? "; Secure" : "");
}

API_HANDLER(api_oidc_callback)
{
	const struct config *cfg = app->cfg;
	const char *code = params_get(req, "code"), *state = params_get(req, "state");
	char prelogin[TOKEN_LEN + 1], ruri[300], display[64], token[AUTH_TOKEN_LEN + 1], hash[65];
	struct oidc_pending p = {0};
	struct sso_mapping *maps = NULL;
	const struct sso_mapping *m = NULL;
	struct audit_row r;
	struct user u;
	json_t *claims = NULL;
	char *id_token = NULL, *detail = NULL;
	const char *why = NULL, *sid;
	enum app_err err;
	int nmaps = 0;

	if (!app->oidc)
		return not_configured(rep);
	clear_prelogin(cfg, rep->set_cookie, sizeof(rep->set_cookie));
	if (params_get(req, "error")) {
		/* the provider's own refusal; the state is spent all the same */
		if (state && prelogin_cookie(req->cookie, prelogin))
			err = oidc_take(app->oidc, state, prelogin, req->now, &p);
		err = go(rep, "/?sso_error=provider");
		goto out;
	}
	if (!code || !state || !*code || strlen(code) > 2048 ||
	    !prelogin_cookie(req->cookie, prelogin) ||
	    oidc_take(app->oidc, state, prelogin, req->now, &p)) {
		refused_anonymously(app, req,
				    "the state is unknown, used, expired or from another browser");
		err = go(rep, "/?sso_error=refused");
		goto out;
	}
	redirect_uri(cfg, ruri, sizeof(ruri));
	err = oidc_exchange(app->oidc, code, ruri, &p, req->now, &id_token);
	if (err == APP_EUNAUTH) {
		refused_anonymously(app, req, "the token endpoint refused the code");
		err = go(rep, "/?sso_error=refused");
		goto out;
	}
	if (err) {
		err = err == APP_EBUSY ? go(rep, "/?sso_error=unavailable") : err;
		goto out;
	}
	err = oidc_validate(app->oidc, id_token, p.nonce, req->now, &claims, &why);
	if (err == APP_EUNAUTH) {
		refused_anonymously(app, req, why);
		err = go(rep, "/?sso_error=refused");
		goto out;
	}
	if (err) {
		err = err == APP_EBUSY ? go(rep, "/?sso_error=unavailable") : err;
		goto out;
	}
	if ((err = store_sso_mappings(db, &maps, &nmaps)))
		goto out;
	for (int i = 0; i < nmaps && !m; i++)
		if (claim_holds(claims, maps[i].claim, maps[i].value))
			m = &maps[i];
	if (!m) {
		audit_sso(db, req, cfg->oidc_issuer, claims, "no mapping covers the person",
			  "sso refused: unmapped");
		err = go(rep, "/?sso_error=unmapped");
		goto out;
	}
	display_name(claims, display, sizeof(display));
	detail = login_detail(cfg->oidc_issuer, claims, NULL);
	sid = json_string_value(json_object_get(claims, "sid"));
	token_new(token);
	token_hash(token, hash);
	audit_fill(&r, &req->who, "login sso", 0, 0, req->now);
	err = store_sso_login(db, cfg->oidc_issuer,
			      json_string_value(json_object_get(claims, "sub")), display, m, hash,
			      sid && strlen(sid) <= 255 ? sid : NULL, &r, detail, req->now, &u);
	if (err == APP_EFORBIDDEN) {
		audit_sso(db, req, cfg->oidc_issuer, claims, "the account is disabled",
			  "sso refused: disabled");
		err = go(rep, "/?sso_error=disabled");
		goto out;
	}
	if (err)
		goto out;
	oidc_hint_keep(app->oidc, hash, id_token, req->now); /* for the logout */
	clear_prelogin(cfg, rep->set_cookie2, sizeof(rep->set_cookie2));
	auth_cookie(app->auth, token, rep->set_cookie, sizeof(rep->set_cookie));
	err = go(rep, "/");
out:
	sodium_memzero(token, sizeof(token));
	sodium_memzero(&p, sizeof(p));
	free(maps);
	free(detail);
	free(id_token);
	json_decref(claims);
	return err;
}

/* The logout_token of an application/x-www-form-urlencoded body (new). */
static char *form_value(const char *body, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = body; p && *p;) {
		size_t n = strcspn(p, "&");
		if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			CURL *c = curl_easy_init();
			int outlen = 0;
			char *v = c ? curl_easy_unescape(c, p + kl + 1, (int)(n - kl - 1), &outlen)
				    : NULL;
			char *copy = v ? strndup(v, (size_t)outlen) : NULL;
			curl_free(v);
			curl_easy_cleanup(c);
			return copy;
		}
		p += n + (p[n] == '&');
	}
	return NULL;
}

API_HANDLER(api_oidc_backchannel)
{
	const char *why = NULL, *sid, *sub;
	char *jwt = NULL;
	json_t *claims = NULL;
	enum app_err err;
	int ended = 0;

	if (!app->oidc)
		return not_configured(rep);
	if (!req->body || !req->content_type ||
	    strncmp(req->content_type, "application/x-www-form-urlencoded", 33))
		return reply_fail(rep, APP_EMEDIA, NULL,
				  "send logout_token as application/x-www-form-urlencoded");
	if (!(jwt = form_value(req->body, "logout_token")))
		return reply_fail(rep, APP_EINVAL, "logout_token", "'logout_token' is missing");
	err = oidc_validate(app->oidc, jwt, NULL, req->now, &claims, &why);
	if (err == APP_EUNAUTH) {
		err = reply_fail(rep, APP_EINVAL, "logout_token",
				 "the logout token is not valid: %s", why);
		goto out;
	}
	if (err)
		goto out;
	sid = json_string_value(json_object_get(claims, "sid"));
	sub = json_string_value(json_object_get(claims, "sub"));
	if ((err = store_sso_logout(db, app->cfg->oidc_issuer, sid, sub, &ended))) {
		if (err == APP_EINVAL)
			err = reply_fail(rep, err, "logout_token",
					 "the logout token names no sid or sub");
		goto out;
	}
	audit_sso(db, req, app->cfg->oidc_issuer, claims, NULL, "sso logout: provider");
	buf_printf(&rep->body, "{\"sessions_ended\":%d}", ended);
	rep->status = 200;
out:
	free(jwt);
	json_decref(claims);
	return err;
}

API_HANDLER(api_session_options)
{
	(void)db;
	(void)req;
	buf_json_kbool(&rep->body, "{", "oidc", app->oidc != NULL);
	buf_json_kbool(&rep->body, ",", "oidc_only", app->cfg->oidc_only);
	buf_putc(&rep->body, '}');
	rep->status = 200;
	return APP_OK;
}

static void write_mappings(struct buf *b, const struct sso_mapping *m, int n)
{
	buf_putc(b, '[');
	for (int i = 0; i < n; i++) {
		buf_json_kstr(b, i ? ",{" : "{", "claim", m[i].claim);
		buf_json_kstr(b, ",", "value", m[i].value);
		buf_json_kstr(b, ",", "role", actor_role_name(m[i].role));
		buf_puts(b, ",\"unit_ids\":[");
		for (int k = 0; k < m[i].nunits; k++)
			buf_printf(b, "%s%lld", k ? "," : "", (long long)m[i].unit_ids[k]);
		buf_putc(b, ']');
		buf_json_kint(b, ",", "clinician_id", m[i].clinician_id, true);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

API_HANDLER(api_sso_mappings_get)
{
	struct sso_mapping *m = NULL;
	enum app_err err;
	int n = 0;

	(void)app;
	(void)req;
	if ((err = store_sso_mappings(db, &m, &n)))
		return err;
	write_mappings(&rep->body, m, n);
	rep->status = 200;
	free(m);
	return APP_OK;
}

static bool claim_name_ok(const char *s)
{
	return *s && strlen(s) <= SSO_CLAIM_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:/") ==
		   strlen(s) &&
	       s[0] != '.' && s[strlen(s) - 1] != '.' && !strstr(s, "..");
}

/* One mapping of a PUT, checked; answered on failure. */
static enum app_err read_mapping(struct app *app, struct store *db, struct reply *rep, json_t *o,
				 int i, struct sso_mapping *m)
{
	static const char *const keys[] = {"claim", "value", "role", "unit_ids", "clinician_id"};
	const char *claim = NULL, *value, *role;
	json_t *units, *v;
	enum app_err err;
	int64_t found;
	size_t k;
	char field[48];

	memset(m, 0, sizeof(*m));
	if (!json_is_object(o))
		return reply_fail(rep, APP_EINVAL, NULL, "mapping %d is not an object", i + 1);
	const char *key;
	json_object_foreach(o, key, v)
	{
		bool known = false;
		for (size_t j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
			known = known || !strcmp(key, keys[j]);
		if (!known)
			return reply_fail(rep, APP_EINVAL, NULL,
					  "mapping %d: unknown field '%.40s'", i + 1, key);
	}
	if ((err = body_str(rep, o, "claim", false, SSO_CLAIM_MAX, &claim)) ||
	    (err = body_str(rep, o, "value", true, SSO_VALUE_MAX, &value)) ||
	    (err = body_str(rep, o, "role", true, 16, &role)))
		return err;
	if (!claim)
		claim = app->cfg->oidc_roles_claim;
	if (!claim_name_ok(claim))
		return reply_fail(rep, APP_EINVAL, "claim",
				  "mapping %d: 'claim' is a claim name (letters, digits, _-:/, "
				  "dots between names)",
				  i + 1);
	if (!*value)
		return reply_fail(rep, APP_EINVAL, "value", "mapping %d: 'value' is empty", i + 1);
	snprintf(m->claim, sizeof(m->claim), "%s", claim);
	snprintf(m->value, sizeof(m->value), "%s", value);
	if ((m->role = actor_role_parse(role)) == ROLE_NONE)
		return reply_fail(rep, APP_EINVAL, "role",
				  "mapping %d: 'role' is admin, secretary, clinician or manager",
				  i + 1);
	units = json_object_get(o, "unit_ids");
	if (units && !json_is_null(units) && !json_is_array(units))
		return reply_fail(rep, APP_EINVAL, "unit_ids", "mapping %d: 'unit_ids' is a list",
				  i + 1);
	if (json_array_size(units) > ACTOR_MAX_UNITS)
		return reply_fail(rep, APP_EINVAL, "unit_ids", "mapping %d: at most %d units",
				  i + 1, ACTOR_MAX_UNITS);
	json_array_foreach(units, k, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return reply_fail(rep, APP_EINVAL, "unit_ids",
					  "mapping %d: 'unit_ids' holds unit ids", i + 1);
		if ((err = store_scalar(db, "SELECT count(*) FROM units WHERE id = ?1", 1,
					json_integer_value(v), 0, &found)))
			return err;
		if (!found)
			return reply_fail(rep, APP_EINVAL, "unit_ids", "mapping %d: no unit %lld",
					  i + 1, (long long)json_integer_value(v));
		bool twice = false;
		for (int u = 0; u < m->nunits; u++)
			twice = twice || m->unit_ids[u] == json_integer_value(v);
		if (!twice) /* said once, stored once, answered once */
			m->unit_ids[m->nunits++] = json_integer_value(v);
	}
	snprintf(field, sizeof(field), "clinician_id");
	if ((err = body_id(rep, o, field, m->role == ROLE_CLINICIAN, &m->clinician_id)))
		return err;
	if (m->role != ROLE_CLINICIAN && m->clinician_id)
		return reply_fail(rep, APP_EINVAL, "clinician_id",
				  "mapping %d: only a clinician mapping names a clinician", i + 1);
	if (m->clinician_id) {
		if ((err = store_scalar(db, "SELECT count(*) FROM clinicians WHERE id = ?1", 1,
					m->clinician_id, 0, &found)))
			return err;
		if (!found)
			return reply_fail(rep, APP_EINVAL, "clinician_id",
					  "mapping %d: no clinician %lld", i + 1,
					  (long long)m->clinician_id);
	}
	return APP_OK;
}

API_HANDLER(api_sso_mappings_put)
{
	struct sso_mapping *m = NULL;
	json_t *list = NULL, *o;
	enum app_err err;
	size_t i;

	if ((err = body_json(req, rep, &list)))
		return err;
	if (!json_is_array(list)) {
		err = reply_fail(rep, APP_EINVAL, NULL, "send a list of mappings");
		goto out;
	}
	if (json_array_size(list) > SSO_MAPPINGS_MAX) {
		err = reply_fail(rep, APP_EINVAL, NULL, "at most %d mappings", SSO_MAPPINGS_MAX);
		goto out;
	}
	if (!(m = calloc(json_array_size(list) + 1, sizeof(*m)))) {
		err = APP_ENOMEM;
		goto out;
	}
	json_array_foreach(list, i, o)
	{
		if ((err = read_mapping(app, db, rep, o, (int)i, &m[i])))
			goto out;
	}
	if ((err = store_sso_mappings_set(db, m, (int)json_array_size(list))))
		goto out;
	write_mappings(&rep->body, m, (int)json_array_size(list));
	rep->status = 200;
out:
	free(m);
	json_decref(list);
	return err;
}
