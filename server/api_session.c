/*
 * api_session.c - logging in and out, and who am I.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "appointment.h"
#include "auth.h"
#include "body.h"
#include "oidc.h"
#include "store_sso.h"
#include <sodium.h>

/* Who is logged in, and what the web app needs to show the clinic's
 * times (its zone), name and participant limits. */
static void write_me(struct buf *b, const struct config *cfg, const struct actor *who,
		     const char *token, bool oidc)
{
	char csrf[AUTH_CSRF_LEN + 1];

	auth_csrf(token, csrf);
	buf_json_kstr(b, "{", "username", who->username);
	buf_json_kstr(b, ",", "role", actor_role_name(who->role));
	buf_json_kint(b, ",", "user_id", who->user_id, false);
	buf_json_kint(b, ",", "clinician_id", who->clinician_id, true);
	buf_puts(b, ",\"unit_ids\":[");
	for (int i = 0; i < who->nunits; i++)
		buf_printf(b, "%s%lld", i ? "," : "", (long long)who->unit_ids[i]);
	buf_putc(b, ']');
	buf_json_kstr(b, ",", "csrf_token", csrf);
	buf_json_kstr(b, ",", "time_zone", cfg->tz);
	buf_json_kstr(b, ",", "clinic_name", cfg->clinic_name);
	buf_json_kstr(b, ",", "auth", oidc ? "oidc" : "password");
	/* the limits api_participant_limit holds to, for the page to show
	 * before they are hit */
	buf_json_kint(b, ",", "video_max_participants", cfg->video_max_participants, false);
	buf_json_kint(b, ",", "max_guests", APPT_MAX_GUESTS, false);
	buf_putc(b, '}');
	sodium_memzero(csrf, sizeof(csrf));
}

API_HANDLER(api_session_login)
{
	static const char *const fields[] = {"username", "password", NULL};
	char token[AUTH_TOKEN_LEN + 1];
	const char *user, *pw;
	struct actor who;
	enum app_err err;
	json_t *o = NULL;
	int retry = 0;

	if ((err = body_object(req, rep, fields, false, &o)))
		return err;
	if ((err = body_str(rep, o, "username", true, 60, &user)) ||
	    (err = body_str(rep, o, "password", true, 1024, &pw)))
		goto out;
	err = auth_login(app, db, user, pw, req->who.ip, req->now, &who, token, &retry);
	switch (err) {
	case APP_OK:
		break;
	case APP_EUNAUTH:
		err = reply_fail(rep, err, NULL, "wrong username or password");
		goto out;
	case APP_ERATE:
		rep->retry_after = retry;
		err = reply_fail(rep, err, NULL, "too many failed or concurrent logins from this address; "
				 "try again in %d seconds",
				 retry);
		goto out;
	case APP_EBUSY:
		rep->retry_after = 1;
		err = reply_fail(rep, err, NULL, "too many logins at once; try again");
		goto out;
	default:
		goto out;
	}
	auth_cookie(app->auth, token, rep->set_cookie, sizeof(rep->set_cookie));
	write_me(&rep->body, app->cfg, &who, token, false);
	rep->status = 200;
out:
	sodium_memzero(token, sizeof(token));
	json_decref(o);
	return err;
}

/* A session made by the provider's login also ends at the provider
 * (OpenID Connect RP-Initiated Logout): the answer's "logout_url" is where
 * the page sends the browser, so the next person at a shared PC is asked to
 * log in.  Without one (a password session, or a provider with no
 * end_session_endpoint) the answer is 204. */
API_HANDLER(api_session_logout)
{
	char hash[65], back[300];
	char *url = NULL;
	enum app_err err;
	bool oidc = false;

	token_hash(req->session, hash);
	if (app->oidc && (err = store_sso_session_oidc(db, hash, &oidc)))
		return err;
	if ((err = auth_logout(db, req->session)))
		return err;
	auth_cookie(app->auth, NULL, rep->set_cookie, sizeof(rep->set_cookie));
	if (oidc) {
		snprintf(back, sizeof(back), "%s/", app->cfg->staff_url);
		if ((err = oidc_logout_url(app->oidc, hash, back, req->now, &url)))
			return err;
	}
	if (url) {
		buf_json_kstr(&rep->body, "{", "logout_url", url);
		buf_putc(&rep->body, '}');
		rep->status = 200;
		free(url);
	} else {
		rep->status = 204;
	}
	return APP_OK;
}

API_HANDLER(api_session_me)
{
	char hash[65];
	enum app_err err;
	bool oidc = false;

	token_hash(req->session, hash);
	if ((err = store_sso_session_oidc(db, hash, &oidc)))
		return err;
	write_me(&rep->body, app->cfg, &req->who, req->session, oidc);
	rep->status = 200;
	return APP_OK;
}
