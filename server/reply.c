/*
 * reply.c - the one place error bodies are written.
 */
#include "req.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "store_appointments.h"
#include "timeutil.h"

void reply_init(struct reply *rep)
{
	*rep = (struct reply){0};
	buf_init(&rep->body, REPLY_BODY_MAX);
}

void reply_unlend(struct reply *rep)
{
	if (rep->give_back)
		rep->give_back(rep->lent_arg);
	rep->lent = NULL;
	rep->lent_len = 0;
	rep->give_back = NULL;
	rep->lent_arg = NULL;
}

void reply_lend(struct reply *rep, const char *body, size_t len, void (*give_back)(void *arg),
		void *arg)
{
	reply_unlend(rep);
	buf_reset(&rep->body);
	rep->lent = body;
	rep->lent_len = len;
	rep->give_back = give_back;
	rep->lent_arg = arg;
}

void reply_release(struct reply *rep)
{
	if (!rep)
		return;
	reply_unlend(rep);
	buf_release(&rep->body);
}

static void error_body(struct reply *rep, enum app_err err, const char *field, const char *msg)
{
	reply_unlend(rep);
	buf_reset(&rep->body);
	rep->status = err_status(err);
	rep->content_type = NULL;
	buf_puts(&rep->body, "{\"error\":{");
	buf_json_kstr(&rep->body, NULL, "code", err_code(err));
	buf_json_kstr(&rep->body, ",", "message", msg);
	buf_json_kstr(&rep->body, ",", "field", field);
	buf_putc(&rep->body, '}');
}

enum app_err reply_fail(struct reply *rep, enum app_err err, const char *field, const char *fmt,
			...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	error_body(rep, err, field, msg);
	buf_putc(&rep->body, '}');
	return err;
}

void reply_default_error(struct reply *rep, enum app_err err)
{
	error_body(rep, err, NULL, err_message(err));
	buf_putc(&rep->body, '}');
}

void reply_conflict_message(const struct conflicts *cf, const char *when, char *out, size_t cap)
{
	size_t n;

	if (!cf->n) {
		snprintf(out, cap, "the time is taken");
		return;
	}
	n = (size_t)snprintf(out, cap, "the %s is busy %s%s", cf->c[0].kind, when ? "at " : "then",
			     when ? when : "");
	if (cf->c[0].appointment_id && n < cap)
		snprintf(out + n, cap - n, " (appointment %" PRId64 ")", cf->c[0].appointment_id);
}

/* Conflict i of cf as an object without its closing brace: the kind, and
 * the ids unless they were hidden. */
static void conflict_open(struct buf *b, const struct conflicts *cf, int i, bool first)
{
	buf_puts(b, first ? "{" : ",{");
	buf_json_kstr(b, NULL, "kind", cf->c[i].kind);
	if (!cf->c[i].appointment_id)
		return;
	buf_json_kint(b, ",", "id", cf->c[i].id, false);
	buf_json_kint(b, ",", "appointment_id", cf->c[i].appointment_id, false);
}

enum app_err reply_conflicts(struct reply *rep, const struct conflicts *cf)
{
	char msg[200];

	reply_conflict_message(cf, NULL, msg, sizeof(msg));
	error_body(rep, APP_ECONFLICT, NULL, msg);
	buf_puts(&rep->body, ",\"conflicts\":[");
	for (int i = 0; i < cf->n; i++) {
		conflict_open(&rep->body, cf, i, i == 0);
		buf_putc(&rep->body, '}');
	}
	buf_puts(&rep->body, "]}");
	return APP_ECONFLICT;
}

enum app_err reply_series(struct reply *rep, const struct occurrence_failure *f, int n)
{
	enum app_err code = APP_EOUTSIDE_HOURS;
	char msg[400], t[TIMEUTIL_INSTANT_LEN];
	int k = 0;

	for (int i = 0; i < n; i++)
		if (f[i].code == APP_ECONFLICT || (f[i].cf && f[i].cf->n))
			code = APP_ECONFLICT;
	snprintf(msg, sizeof(msg), "%d of the series cannot be booked, so none was; the first: %s",
		 n, n ? f[0].message : "");
	error_body(rep, code, NULL, msg);
	buf_puts(&rep->body, ",\"conflicts\":[");
	for (int i = 0; i < n; i++) {
		timeutil_format(f[i].start, t);
		for (int j = 0; f[i].cf && j < f[i].cf->n; j++) {
			conflict_open(&rep->body, f[i].cf, j, k++ == 0);
			buf_json_kint(&rep->body, ",", "occurrence", f[i].index, false);
			buf_json_kstr(&rep->body, ",", "start", t);
			buf_putc(&rep->body, '}');
		}
	}
	buf_puts(&rep->body, "],\"occurrences\":[");
	for (int i = 0; i < n; i++) {
		timeutil_format(f[i].start, t);
		buf_json_kint(&rep->body, i ? ",{" : "{", "index", f[i].index, false);
		buf_json_kstr(&rep->body, ",", "start", t);
		buf_json_kstr(&rep->body, ",", "code", err_code(f[i].code));
		buf_json_kstr(&rep->body, ",", "message", f[i].message);
		buf_putc(&rep->body, '}');
	}
	buf_puts(&rep->body, "]}");
	return code;
}
