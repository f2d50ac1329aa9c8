/*
 * api_resource.c - list, create, read, update and deactivate for the
 * directory resources, driven by the route's struct res_desc.
 *
 * Objects are answered as {"id", each field, "created_at", "updated_at"}.
 * DELETE deactivates (active=false) and answers 204: appointments keep
 * pointing at the record, and history stays readable.
 *
 * Unit scope comes from the route's declaration (routes.c): on a
 * SCOPE_UNIT_ROW route a unit-limited secretary lists, reads, changes and
 * removes only rows of its units (the descriptor's unit column, or the unit
 * of the row it references), 403 for a missing row as for a foreign one;
 * on any route, a reference to a clinician, room or type of another unit
 * is refused as it is read.  SCOPE_GLOBAL rows (patients) are no unit's.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "store_outbox.h"
#include "outbox.h"
#include "log.h"
#include "app.h"
#include "audit.h"
#include "authz.h"
#include "body.h"
#include "params.h"
#include "store.h"
#include "store_users.h"
#include "timeutil.h"
#include "validate.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000

static const struct res_desc *desc_of(const struct req *req)
{
	return req->route->arg;
}

/* Whether the route's rows are kept per unit for this caller: the route
 * declares SCOPE_UNIT_ROW (routes.c; a test checks its descriptor has a
 * unit) and the caller is unit-limited. */
static bool unit_scoped(const struct req *req)
{
	return req->route->scope == SCOPE_UNIT_ROW && authz_scoped(&req->who);
}

/* Refuse, for a unit-scoped caller, a row (as it would be stored) of a
 * unit it does not see, with the words a missing row gets. */
static enum app_err own_unit(struct store *db, const struct req *req, struct reply *rep,
			     const struct res_desc *d, const struct res_row *row, const char *field)
{
	int64_t unit;
	enum app_err err;

	if (!unit_scoped(req))
		return APP_OK;
	if ((err = store_resource_unit(db, d, row, &unit)))
		return err;
	if (!unit || !actor_sees_unit(&req->who, unit))
		return reply_fail(rep, APP_EFORBIDDEN, field, "not in your units");
	return APP_OK;
}

/* The JSON text of RES_JSON value v of f (what NULL answers when null). */
static const char *json_text(const struct res_field *f, const struct res_val *v)
{
	if (!v->null)
		return v->json;
	return f->def ? f->def : "null";
}

static void write_row(struct buf *b, const struct res_desc *d, const struct res_row *row)
{
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kint(b, "{", "id", row->id, false);
	for (int i = 0; i < d->nfields; i++) {
		const struct res_field *f = &d->fields[i];
		const struct res_val *v = &row->v[i];

		if (f->type == RES_BOOL)
			buf_json_kbool(b, ",", f->name, v->i != 0);
		else if (f->type == RES_REF)
			buf_json_kint(b, ",", f->name, v->null ? 0 : v->i, true);
		else if (f->type == RES_INT && !v->null)
			buf_json_kint(b, ",", f->name, v->i, false);
		else if (f->type == RES_JSON) /* stored by us, compact */
			buf_printf(b, ",\"%s\":%s", f->name, json_text(f, v));
		else
			buf_json_kstr(b, ",", f->name, v->null ? NULL : v->s);
	}
	timeutil_format(row->created_at, t);
	buf_json_kstr(b, ",", "created_at", t);
	timeutil_format(row->updated_at, t);
	buf_json_kstr(b, ",", "updated_at", t);
	buf_putc(b, '}');
}

static bool is_value(const struct res_field *f, const char *s)
{
	for (const char *const *v = f->values; *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

static void list_values(const struct res_field *f, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (const char *const *v = f->values; *v && n < cap; v++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", *v);
}

/* Read field f of a request (JSON value jv) into v, checking it. */
static enum app_err read_field(struct store *db, const struct req *req, struct reply *rep,
			       const struct res_field *f, json_t *jv, struct res_val *v)
{
	enum app_err err;
	const char *why;
	char allowed[200];
	bool exists, active;

	v->set = true;
	v->null = json_is_null(jv);
	if (v->null) {
		if (f->required || f->type == RES_BOOL || f->type == RES_JSON)
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' must not be null", f->name);
		return APP_OK;
	}
	switch (f->type) {
	case RES_JSON:
		/* checked with the whole row (check_whole); kept as compact
		 * text, NULL when it is what NULL answers */
		if (!(v->json = json_dumps(jv, JSON_COMPACT | JSON_ENCODE_ANY)))
			return APP_ENOMEM;
		if (strlen(v->json) > f->max)
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' is longer than %zu bytes",
					  f->name, f->max);
		if (f->def && !strcmp(v->json, f->def)) {
			free(v->json);
			v->json = NULL;
			v->null = true;
		}
		return APP_OK;
	case RES_BOOL:
		if (!json_is_boolean(jv))
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' must be true or false",
					  f->name);
		v->i = json_is_true(jv);
		return APP_OK;
	case RES_INT:
		if (!json_is_integer(jv) || json_integer_value(jv) < f->min ||
		    json_integer_value(jv) > (json_int_t)f->max)
			return reply_fail(rep, APP_EINVAL, f->name,
					  "'%s' must be a whole number from %" PRId64 " to %zu",
					  f->name, f->min, f->max);
		v->i = json_integer_value(jv);
		return APP_OK;
	case RES_REF:
		if (!json_is_integer(jv) || json_integer_value(jv) <= 0)
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' must be a positive id",
					  f->name);
		v->i = json_integer_value(jv);
		/* a row of another unit is refused as a missing one is */
		if (authz_unit_table(f->ref) &&
		    (err = authz_unit_row(db, &req->who, f->ref, v->i)))
			return err == APP_EFORBIDDEN ? reply_fail(rep, err, f->name,
								  "'%s' is not in your units",
								  f->name)
						     : err;
		if ((err = store_resource_ref(db, f->ref, v->i, &exists, &active)))
			return err;
		if (!exists)
			return reply_fail(rep, APP_EINVAL, f->name, "there is no %s %" PRId64,
					  f->name, v->i);
		return APP_OK;
	case RES_ENUM:
		if (!json_is_string(jv) || !is_value(f, json_string_value(jv))) {
			list_values(f, allowed, sizeof(allowed));
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' must be one of: %s", f->name,
					  allowed);
		}
		snprintf(v->s, sizeof(v->s), "%s", json_string_value(jv));
		return APP_OK;
	case RES_TEXT:
		if (!json_is_string(jv))
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' must be a string", f->name);
		if (json_string_length(jv) > f->max || json_string_length(jv) >= sizeof(v->s))
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' is longer than %zu bytes",
					  f->name, f->max);
		memcpy(v->s, json_string_value(jv), json_string_length(jv) + 1);
		if (strlen(v->s) != json_string_length(jv))
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' must not contain NUL",
					  f->name);
		if (f->check && (why = f->check(v->s, sizeof(v->s))))
			return reply_fail(rep, APP_EINVAL, f->name, "'%s' %s", f->name, why);
		if (!f->check && validate_name(v->s, sizeof(v->s)) && v->s[0])
			return reply_fail(rep, APP_EINVAL, f->name,
					  "'%s' must not contain control characters", f->name);
		return APP_OK;
	}
	return APP_OK;
}

/* Parse a create (all required fields) or update body into row. */
static enum app_err read_body(struct store *db, const struct req *req, struct reply *rep,
			      const struct res_desc *d, bool create, struct res_row *row)
{
	const char *allowed[RES_MAX_FIELDS + 1];
	enum app_err err;
	json_t *o = NULL;
	int n = 0;

	memset(row, 0, sizeof(*row));
	for (int i = 0; i < d->nfields; i++)
		if (!d->fields[i].readonly)
			allowed[n++] = d->fields[i].name;
	allowed[n] = NULL;
	if ((err = body_object(req, rep, allowed, false, &o)))
		return err;
	for (int i = 0; i < d->nfields; i++) {
		const struct res_field *f = &d->fields[i];
		json_t *jv = json_object_get(o, f->name);

		if (!jv) {
			if (create && f->required) {
				err = reply_fail(rep, APP_EINVAL, f->name, "'%s' is required", f->name);
				goto out;
			}
			continue;
		}
		if ((err = read_field(db, req, rep, f, jv, &row->v[i])))
			goto out;
	}
	if (!create && json_object_size(o) == 0)
		err = reply_fail(rep, APP_EINVAL, NULL, "give at least one field to change");
	if (d->derive)
		d->derive(d, row);
out:
	if (err)
		store_resource_row_release(d, row);
	json_decref(o);
	return err;
}

/* Check the RES_JSON field i of whole (the row as it would be stored):
 * when the request sets it, or changes the field it depends on. */
static enum app_err check_json(struct store *db, struct reply *rep, const struct res_desc *d,
			       const struct res_row *row, const struct res_row *whole, int i)
{
	const struct res_field *f = &d->fields[i];
	int dep = f->depends ? store_resource_field(d, f->depends) : -1;
	char why[256], field[64];
	json_t *jv;
	const char *no;

	if (!f->check_json || !(row->v[i].set || (dep >= 0 && row->v[dep].set)))
		return APP_OK;
	jv = json_loads(json_text(f, &whole->v[i]), JSON_DECODE_ANY, NULL);
	if (!jv)
		return APP_ENOMEM; /* it was written by json_dumps or is the def */
	no = f->check_json(db, d, whole, jv, why, sizeof(why), field, sizeof(field));
	json_decref(jv);
	return no ? reply_fail(rep, APP_EINVAL, field, "%s", no) : APP_OK;
}

/* Apply d's rules across fields to row as it would be stored: base (the
 * current row, or NULL on create: the defaults) overlaid with what row
 * sets; then the checks of its JSON fields against the store. */
static enum app_err check_whole(struct store *db, struct reply *rep, const struct res_desc *d,
				const struct res_row *base, const struct res_row *row)
{
	struct res_row whole; /* borrows the texts of row and base */
	const char *why, *field = NULL;
	enum app_err err;

	for (int i = 0; i < d->nfields; i++) {
		if (row->v[i].set)
			whole.v[i] = row->v[i];
		else if (base)
			whole.v[i] = base->v[i];
		else
			store_resource_default(&d->fields[i], &whole.v[i]);
	}
	if (d->check_row && (why = d->check_row(d, &whole, &field)))
		return reply_fail(rep, APP_EINVAL, field, "%s", why);
	for (int i = 0; i < d->nfields; i++)
		if (d->fields[i].type == RES_JSON && (err = check_json(db, rep, d, row, &whole, i)))
			return err;
	return APP_OK;
}

static enum app_err fail_store(struct reply *rep, const struct res_desc *d, enum app_err err)
{
	if (err == APP_EDUPLICATE)
		return reply_fail(rep, err, d->unique, "another %s has that %s already", d->noun,
				  d->unique ? d->unique : "value");
	return err;
}

/* Load row id of d if the actor may see it: a unit-limited secretary gets
 * 403 for rows of other units and for missing rows alike. */
enum app_err api_resource_visible(struct store *db, const struct req *req, struct reply *rep,
				 const struct res_desc *d, int64_t id, struct res_row *row)
{
	enum app_err err = store_resource_get(db, d, id, row);

	if (err && err != APP_ENOTFOUND)
		return err;
	if (unit_scoped(req) && err)
		return reply_fail(rep, APP_EFORBIDDEN, NULL, "not in your units");
	if (!err && (err = own_unit(db, req, rep, d, row, NULL))) {
		store_resource_row_release(d, row);
		return err;
	}
	if (err)
		return reply_fail(rep, err, NULL, "there is no %s %" PRId64, d->noun, id);
	return APP_OK;
}

static enum app_err answer_row(struct store *db, const struct req *req, struct reply *rep,
			       const struct res_desc *d, int64_t id, int status)
{
	struct res_row row;
	enum app_err err;

	if ((err = api_resource_visible(db, req, rep, d, id, &row)))
		return err;
	write_row(&rep->body, d, &row);
	store_resource_row_release(d, &row);
	rep->status = status;
	return APP_OK;
}

/* The patient an audited row is about. */
static int64_t patient_of(const struct res_desc *d, const struct res_row *row)
{
	int f = d->patient_field ? store_resource_field(d, d->patient_field) : -1;

	return f >= 0 ? row->v[f].i : row->id;
}

/* Insert row (id 0) or update record id (now cur), with the audit row
 * "<audit_as>.<verb>" of an audited resource in the same transaction. */
static enum app_err audited_write(struct store *db, const struct req *req,
				  const struct res_desc *d, struct res_row *row, int64_t id,
				  const struct res_row *cur, const char *verb)
{
	struct audit_row a;
	char action[48];
	enum app_err err;

	if ((err = store_begin(db)))
		return err;
	err = id ? store_resource_update(db, d, id, row, req->now)
		 : store_resource_insert(db, d, row, req->now);
	if (!err && d->audited) {
		snprintf(action, sizeof(action), "%s.%s", d->audit_as, verb);
		audit_fill(&a, &req->who, action, patient_of(d, cur ? cur : row), 0, req->now);
		err = store_users_audit_add(db, &a);
	}
	if (err) {
		store_rollback(db);
		return err;
	}
	return store_commit(db);
}

struct list_ctx {
	struct buf *b;
	const struct res_desc *d;
	int n;
	struct audit_batch audit;
};

static bool list_row(void *vctx, const struct res_row *row)
{
	struct list_ctx *c = vctx;

	if (c->n++)
		buf_putc(c->b, ',');
	write_row(c->b, c->d, row);
	if (c->d->audited)
		audit_batch_add(&c->audit, patient_of(c->d, row), 0);
	return !c->b->failed;
}

API_HANDLER(api_resource_list)
{
	const struct res_desc *d = desc_of(req);
	const char *allowed[RES_MAX_FIELDS + 4] = {"limit", "offset", "q"};
	struct list_ctx ctx = {&rep->body, d, 0, {0}};
	char action[48];
	struct res_list q = {.nunits = unit_scoped(req) ? req->who.nunits : 0,
			     .unit_ids = req->who.unit_ids};
	enum app_err err;
	int n = 3;

	for (int i = 0; i < d->nfields; i++)
		if (d->fields[i].filter)
			allowed[n++] = d->fields[i].name;
	allowed[n] = NULL;
	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_page(req, rep, LIST_DEFAULT, LIST_MAX, &q.limit, &q.offset)))
		return err;
	q.q = params_get(req, "q");
	if (q.q && strlen(q.q) > 100)
		return reply_fail(rep, APP_EINVAL, "q", "'q' is longer than 100 bytes");
	for (int i = 0; i < d->nfields; i++) {
		const struct res_field *f = &d->fields[i];
		const char *v = params_get(req, f->name);
		struct res_val *fv = &q.filter.v[i];
		bool present;

		if (!f->filter || !v)
			continue;
		fv->set = true;
		if (f->type == RES_BOOL) {
			bool b;
			if ((err = params_bool(req, rep, f->name, &b, &present)))
				return err;
			fv->i = b;
		} else if (f->type == RES_REF) {
			if ((err = params_id(req, rep, f->name, &fv->i)))
				return err;
		} else {
			if (f->type == RES_ENUM && !is_value(f, v))
				return reply_fail(rep, APP_EINVAL, f->name, "'%s' is not a known value",
						  f->name);
			snprintf(fv->s, sizeof(fv->s), "%s", v);
			if (f->check && f->check(fv->s, sizeof(fv->s)))
				return reply_fail(rep, APP_EINVAL, f->name, "'%s' is not valid",
						  f->name);
		}
	}
	buf_putc(&rep->body, '[');
	if (d->audited) { /* else the batch stays empty, with no log to queue to */
		snprintf(action, sizeof(action), "%s.list", d->audit_as);
		audit_batch_init(&ctx.audit, app->audit, &req->who, action, req->now);
	}
	err = store_resource_list(db, d, &q, list_row, &ctx);
	audit_batch_release(&ctx.audit);
	if (err)
		return err;
	buf_putc(&rep->body, ']');
	if (ctx.n == q.limit && (err = params_link_next(req, rep, q.limit, q.offset)))
		return err;
	rep->status = 200;
	return APP_OK;
}

API_HANDLER(api_resource_get)
{
	const struct res_desc *d = desc_of(req);
	char action[48];
	struct res_row row;
	enum app_err err;

	if ((err = api_resource_visible(db, req, rep, d, req->ids[0], &row)))
		return err;
	write_row(&rep->body, d, &row);
	rep->status = 200;
	if (d->audited) {
		snprintf(action, sizeof(action), "%s.read", d->audit_as);
		audit_read(app->audit, &req->who, action, patient_of(d, &row), 0, req->now);
	}
	store_resource_row_release(d, &row);
	return APP_OK;
}

API_HANDLER(api_resource_create)
{
	const struct res_desc *d = desc_of(req);
	struct res_row row;
	enum app_err err;

	(void)app;
	if ((err = read_body(db, req, rep, d, true, &row)))
		return err;
	/* the unit first: a plan is not checked against a unit not yours */
	if ((err = own_unit(db, req, rep, d, &row, d->unit_ref ? d->unit_ref : "unit_id")) ||
	    (err = check_whole(db, rep, d, NULL, &row)) ||
	    (err = audited_write(db, req, d, &row, 0, NULL, "create"))) {
		store_resource_row_release(d, &row);
		return fail_store(rep, d, err);
	}
	store_resource_row_release(d, &row);
	snprintf(rep->location, sizeof(rep->location), "/api/v1/%s/%" PRId64, res_path(d),
		 row.id);
	return answer_row(db, req, rep, d, row.id, 201);
}

/* Whether update row changes cur's phone or e-mail. */
static bool address_changed(const struct res_desc *d, const struct res_row *cur,
			    const struct res_row *row)
{
	static const char *const fields[] = {"phone", "email"};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int f = store_resource_field(d, fields[i]);
		if (row->v[f].set && (row->v[f].null ? cur->v[f].s[0] != '\0'
						       : strcmp(row->v[f].s, cur->v[f].s) != 0))
			return true;
	}
	return false;
}

/* A patient's corrected phone or e-mail: the links that went to the old
 * address may be a stranger's, so each upcoming appointment with a live
 * link gets a new one (and a new room when by video), sent to the new
 * address (outbox_readdressed).  The correction is committed already; a
 * failure here is logged and leaves that link, which a new invitation
 * revokes. */
static void readdress_patient(struct app *app, struct store *db, const struct req *req,
			      int64_t patient)
{
	int64_t ids[OUTBOX_READDRESS_MAX], participant;
	int n = 0;

	if (store_outbox_readdress_due(db, patient, req->now, ids, OUTBOX_READDRESS_MAX, &n)) {
		log_warn("patient %lld: could not find the links to renew", (long long)patient);
		return;
	}
	for (int i = 0; i < n; i++)
		if (store_outbox_patient(db, ids[i], &participant) ||
		    outbox_readdressed(app, db, ids[i], participant, &req->who, req->now))
			log_warn("appointment %lld: could not renew the patient's link after a "
				 "corrected address",
				 (long long)ids[i]);
	if (n)
		outbox_kick(app->outbox);
}

API_HANDLER(api_resource_update)
{
	const struct res_desc *d = desc_of(req);
	struct res_row row, cur;
	enum app_err err;
	int uf = d->unit_col ? store_resource_field(d, d->unit_col) : -1;

	(void)app;
	if ((err = api_resource_visible(db, req, rep, d, req->ids[0], &cur)))
		return err;
	if ((err = read_body(db, req, rep, d, false, &row)))
		goto out;
	/* a move to another unit (a unit_ref field is checked as it is read) */
	if ((uf >= 0 && row.v[uf].set && (err = own_unit(db, req, rep, d, &row, d->unit_col))) ||
	    (err = check_whole(db, rep, d, &cur, &row)) ||
	    (err = audited_write(db, req, d, &row, req->ids[0], &cur, "update"))) {
		err = fail_store(rep, d, err);
		goto out;
	}
	if (d == &resources_patients && address_changed(d, &cur, &row))
		readdress_patient(app, db, req, req->ids[0]);
	err = answer_row(db, req, rep, d, req->ids[0], 200);
out:
	store_resource_row_release(d, &row);
	store_resource_row_release(d, &cur);
	return err;
}

API_HANDLER(api_resource_delete)
{
	const struct res_desc *d = desc_of(req);
	int f = store_resource_field(d, d->removed_status ? "status" : "active");
	struct res_row row = {0}, cur;
	enum app_err err;

	(void)app;
	if ((err = api_resource_visible(db, req, rep, d, req->ids[0], &cur)))
		return err;
	store_resource_row_release(d, &cur); /* only its id and patient are used */
	row.v[f].set = true;
	if (d->removed_status)
		snprintf(row.v[f].s, sizeof(row.v[f].s), "%s", d->removed_status);
	else
		row.v[f].i = 0;
	if ((err = audited_write(db, req, d, &row, req->ids[0], &cur,
				 d->removed_status ? "remove" : "deactivate")))
		return err;
	rep->status = 204;
	return APP_OK;
}
