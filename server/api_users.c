/*
 * api_users.c - staff accounts for admins: list, create, read, change
 * (role, clinician, units, active, password).  Password hashes never leave
 * the server; each account says when it last logged in (null: never).  A
 * change of role, password or a deactivation ends the account's sessions
 * (store_users_update).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "auth.h"
#include "body.h"
#include "store_users.h"
#include "timeutil.h"

static void write_user(struct buf *b, const struct user *u)
{
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kint(b, "{", "id", u->id, false);
	buf_json_kstr(b, ",", "username", u->username);
	buf_json_kstr(b, ",", "role", actor_role_name(u->role));
	buf_json_kint(b, ",", "clinician_id", u->clinician_id, true);
	buf_puts(b, ",\"unit_ids\":[");
	for (int i = 0; i < u->nunits; i++)
		buf_printf(b, "%s%" PRId64, i ? "," : "", u->unit_ids[i]);
	buf_putc(b, ']');
	buf_json_kbool(b, ",", "active", u->active);
	timeutil_format(u->created_at, t);
	buf_json_kstr(b, ",", "created_at", t);
	if (u->last_login_at)
		timeutil_format(u->last_login_at, t);
	buf_json_kstr(b, ",", "last_login_at", u->last_login_at ? t : NULL);
	buf_putc(b, '}');
}

static enum app_err not_found(struct reply *rep, int64_t id)
{
	return reply_fail(rep, APP_ENOTFOUND, NULL, "there is no user %" PRId64, id);
}

static bool user_row(void *ctx, const struct user *u)
{
	struct buf *b = ctx;

	if (b->len > 1)
		buf_putc(b, ',');
	write_user(b, u);
	return !b->failed;
}

API_HANDLER(api_users_list)
{
	enum app_err err;

	(void)app;
	(void)req;
	buf_putc(&rep->body, '[');
	if ((err = store_users_list(db, user_row, &rep->body)))
		return err;
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}

API_HANDLER(api_users_get)
{
	struct user u;
	enum app_err err;

	(void)app;
	if ((err = store_users_get(db, req->ids[0], &u)))
		return err == APP_ENOTFOUND ? not_found(rep, req->ids[0]) : err;
	write_user(&rep->body, &u);
	rep->status = 200;
	return APP_OK;
}

/* Apply the body's fields to u; check the result is a consistent account. */
static enum app_err apply(struct app *app, struct store *db, struct reply *rep, json_t *o,
			  struct user *u)
{
	const char *role, *pw, *why;
	json_t *units = json_object_get(o, "unit_ids"), *v;
	enum app_err err;
	bool exists, active;
	size_t i;

	if (body_has(o, "role")) {
		if ((err = body_str(rep, o, "role", true, 16, &role)))
			return err;
		if ((u->role = actor_role_parse(role)) == ROLE_NONE)
			return reply_fail(rep, APP_EINVAL, "role",
					  "'role' must be admin, secretary, clinician or manager");
	}
	if (body_has(o, "clinician_id") && (err = body_id(rep, o, "clinician_id", false,
							  &u->clinician_id)))
		return err;
	if (u->role != ROLE_CLINICIAN && body_has(o, "clinician_id") &&
	    !json_is_null(json_object_get(o, "clinician_id")))
		return reply_fail(rep, APP_EINVAL, "clinician_id",
				  "only a clinician account is linked to a clinician");
	if (u->role != ROLE_CLINICIAN)
		u->clinician_id = 0;
	if (u->role == ROLE_CLINICIAN) {
		if (!u->clinician_id)
			return reply_fail(rep, APP_EINVAL, "clinician_id",
					  "a clinician account needs 'clinician_id'");
		if ((err = store_resource_ref(db, "clinicians", u->clinician_id, &exists, &active)))
			return err;
		if (!exists)
			return reply_fail(rep, APP_EINVAL, "clinician_id", "there is no clinician %" PRId64,
					  u->clinician_id);
	}
	if (json_is_null(units)) {
		u->nunits = 0; /* null: all units, said outright */
	} else if (units) {
		if (!json_is_array(units) || json_array_size(units) > ACTOR_MAX_UNITS)
			return reply_fail(rep, APP_EINVAL, "unit_ids",
					  "'unit_ids' must be an array of at most %d unit ids",
					  ACTOR_MAX_UNITS);
		/* an empty list would silently mean every unit */
		if (json_array_size(units) == 0)
			return reply_fail(rep, APP_EINVAL, "unit_ids",
					  "'unit_ids' must name at least one unit; leave it out, or "
					  "give null, for all units");
		u->nunits = 0;
		json_array_foreach(units, i, v) {
			if (!json_is_integer(v) || json_integer_value(v) <= 0)
				return reply_fail(rep, APP_EINVAL, "unit_ids", "'unit_ids' holds ids");
			if ((err = store_resource_ref(db, "units", json_integer_value(v), &exists,
						      &active)))
				return err;
			if (!exists)
				return reply_fail(rep, APP_EINVAL, "unit_ids", "there is no unit %lld",
						  (long long)json_integer_value(v));
			u->unit_ids[u->nunits++] = json_integer_value(v);
		}
	}
	if ((err = body_bool(rep, o, "active", u->active, &u->active)))
		return err;
	if (body_has(o, "password")) {
		if ((err = body_str(rep, o, "password", true, 1024, &pw)))
			return err;
		if ((why = auth_password_rule(pw)))
			return reply_fail(rep, APP_EINVAL, "password", "'password' %s", why);
		if ((err = auth_hash(app->auth, pw, u->password_hash)))
			return err == APP_EBUSY ? reply_fail(rep, err, NULL, "busy; try again") : err;
	}
	return APP_OK;
}

API_HANDLER(api_users_create)
{
	static const char *const fields[] = {"username", "role",     "password", "clinician_id",
					     "unit_ids", "active", NULL};
	struct user u = {.active = true};
	const char *name;
	enum app_err err;
	json_t *o = NULL;

	if ((err = body_object(req, rep, fields, false, &o)))
		return err;
	if ((err = body_str(rep, o, "username", true, 60, &name)))
		goto out;
	if (strlen(name) < 2 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
					     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") != strlen(name)) {
		err = reply_fail(rep, APP_EINVAL, "username",
				 "'username' is 2-60 letters, digits and . _ @ -");
		goto out;
	}
	snprintf(u.username, sizeof(u.username), "%s", name);
	if (!body_has(o, "role") || !body_has(o, "password")) {
		err = reply_fail(rep, APP_EINVAL, body_has(o, "role") ? "password" : "role",
				 "'%s' is required", body_has(o, "role") ? "password" : "role");
		goto out;
	}
	if ((err = apply(app, db, rep, o, &u)))
		goto out;
	if ((err = store_users_insert(db, &u, req->now))) {
		if (err == APP_EDUPLICATE)
			err = reply_fail(rep, err, "username", "that username is taken");
		goto out;
	}
	snprintf(rep->location, sizeof(rep->location), "/api/v1/users/%" PRId64, u.id);
	write_user(&rep->body, &u);
	rep->status = 201;
out:
	json_decref(o);
	return err;
}

API_HANDLER(api_users_update)
{
	static const char *const fields[] = {"role", "password", "clinician_id", "unit_ids", "active",
					     NULL};
	struct user u;
	enum app_err err;
	json_t *o = NULL;

	if ((err = store_users_get(db, req->ids[0], &u)))
		return err == APP_ENOTFOUND ? not_found(rep, req->ids[0]) : err;
	if ((err = body_object(req, rep, fields, false, &o)))
		return err;
	if ((err = apply(app, db, rep, o, &u)))
		goto out;
	if (u.id == req->who.user_id && (!u.active || u.role != ROLE_ADMIN)) {
		err = !u.active ? reply_fail(rep, APP_EINVAL, "active", "you cannot disable yourself")
				: reply_fail(rep, APP_EINVAL, "role", "you cannot demote yourself");
		goto out;
	}
	if ((err = store_users_update(db, &u, req->now)))
		goto out;
	write_user(&rep->body, &u);
	rep->status = 200;
out:
	json_decref(o);
	return err;
}
