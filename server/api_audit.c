/*
 * api_audit.c - the audit log for admins: who read or changed a patient's
 * data, newest first, as JSON or CSV (?format=csv) - the answer to a
 * patient who asks who has looked at their records.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "audit.h"
#include "params.h"
#include "store_users.h"
#include "timeutil.h"

struct ctx {
	struct buf *b;
	bool csv;
	int n;
};

static bool row(void *vctx, const struct audit_row *r)
{
	struct ctx *c = vctx;
	char t[TIMEUTIL_INSTANT_LEN];

	timeutil_format(r->at, t);
	if (c->csv) {
		buf_printf(c->b, "%s,", t);
		buf_csv_str(c->b, r->username);
		buf_printf(c->b, ",%s,%s,", r->role, r->action);
		if (r->patient_id)
			buf_printf(c->b, "%" PRId64, r->patient_id);
		buf_putc(c->b, ',');
		if (r->appointment_id)
			buf_printf(c->b, "%" PRId64, r->appointment_id);
		buf_printf(c->b, ",%s\r\n", r->client_ip);
	} else {
		buf_json_kstr(c->b, c->n ? ",{" : "{", "at", t);
		buf_json_kstr(c->b, ",", "username", r->username);
		buf_json_kstr(c->b, ",", "role", r->role);
		buf_json_kstr(c->b, ",", "action", r->action);
		buf_json_kint(c->b, ",", "patient_id", r->patient_id, true);
		buf_json_kint(c->b, ",", "appointment_id", r->appointment_id, true);
		buf_json_kstr(c->b, ",", "client_ip", r->client_ip);
		if (r->detail) /* JSON the server wrote itself (api_oidc.c) */
			buf_printf(c->b, ",\"detail\":%s", r->detail);
		buf_putc(c->b, '}');
	}
	c->n++;
	return !c->b->failed;
}

API_HANDLER(api_audit_list)
{
	static const char *const allowed[] = {"patient_id", "limit", "offset", "format", NULL};
	struct ctx c = {&rep->body, false, 0};
	const char *format = params_get(req, "format");
	int64_t patient;
	enum app_err err;
	int limit, offset;

	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_id(req, rep, "patient_id", &patient)) ||
	    (err = params_page(req, rep, 500, 10000, &limit, &offset)))
		return err;
	if (format && strcmp(format, "json") && strcmp(format, "csv"))
		return reply_fail(rep, APP_EINVAL, "format", "'format' is json or csv");
	c.csv = format && !strcmp(format, "csv");
	audit_flush(app->audit); /* reads queued a moment ago are part of the answer */
	if (c.csv)
		buf_puts(&rep->body, "at,username,role,action,patient_id,appointment_id,client_ip\r\n");
	else
		buf_putc(&rep->body, '[');
	if ((err = store_users_audit_list(db, patient, limit, offset, row, &c)))
		return err;
	if (!c.csv)
		buf_putc(&rep->body, ']');
	if (c.csv)
		rep->content_type = "text/csv; charset=utf-8";
	rep->status = 200;
	return APP_OK;
}
