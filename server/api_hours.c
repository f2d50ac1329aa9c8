/*
 * api_hours.c - working and opening hours, absences and extra hours, and
 * the outside-hours rule.
 *
 * PUT replaces a clinician's (or a room's) weekly template:
 * [{"weekday", "start", "end", "valid_from"?, "valid_to"?}] with ISO
 * weekdays, clinic-local "HH:MM" times (several a day) and optional dates
 * that bound when an entry applies.  Exceptions are absences and extra
 * hours as instants.  A clinician or room with hours cannot be booked
 * outside them, and nobody during an absence (409 outside_hours), unless the
 * request says override_hours; one with no hours is not restricted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "authz.h"
#include "body.h"
#include "params.h"
#include "slots.h"
#include "store.h"
#include "store_appointments.h"
#include "store_hours.h"
#include "timeutil.h"

#define EXCEPTIONS_LIST_MAX 1000

static void write_date(struct buf *b, const char *key, int64_t day)
{
	int y, m, d;

	if (!day)
		return; /* open-ended: left out, so a plain template reads as it was put */
	timeutil_civil_from_days(day, &y, &m, &d);
	buf_printf(b, ",\"%s\":\"%04d-%02d-%02d\"", key, y, m, d);
}

static void write_hours(struct buf *b, const struct hours *h, int n)
{
	buf_putc(b, '[');
	for (int i = 0; i < n; i++) {
		buf_printf(b, "%s{\"weekday\":%d,\"start\":\"%02d:%02d\",\"end\":\"%02d:%02d\"",
			   i ? "," : "", h[i].weekday, h[i].start_min / 60, h[i].start_min % 60,
			   h[i].end_min / 60, h[i].end_min % 60);
		write_date(b, "valid_from", h[i].valid_from);
		write_date(b, "valid_to", h[i].valid_to);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
}

enum app_err api_clinician_allowed(struct store *db, const struct req *req, struct reply *rep)
{
	enum app_err err = authz_clinician(db, &req->who, req->ids[0]);

	return err == APP_EFORBIDDEN ? reply_fail(rep, err, NULL, "not one of your clinicians") : err;
}

enum app_err api_clinician_exists(struct store *db, const struct req *req, struct reply *rep)
{
	enum app_err err;
	bool exists, active;

	if ((err = store_resource_ref(db, "clinicians", req->ids[0], &exists, &active)))
		return err;
	if (!exists)
		return reply_fail(rep, APP_ENOTFOUND, NULL,
				  "there is no clinician %" PRId64, req->ids[0]);
	return APP_OK;
}

enum app_err api_clinician_visible(struct store *db, const struct req *req, struct reply *rep)
{
	enum app_err err;

	if ((err = api_clinician_allowed(db, req, rep)))
		return err;
	return api_clinician_exists(db, req, rep);
}

/* The route's owner: its arg is the clinicians' or the rooms' descriptor;
 * the owner is {id}, checked visible to who. */
static enum app_err owner_visible(struct store *db, const struct req *req, struct reply *rep,
				  enum hours_owner *o)
{
	struct res_row row;

	*o = req->route->arg == &resources_rooms ? OWNER_ROOM : OWNER_CLINICIAN;
	if (*o == OWNER_CLINICIAN)
		return api_clinician_visible(db, req, rep);
	return api_resource_visible(db, req, rep, &resources_rooms, req->ids[0], &row);
}

API_HANDLER(api_hours_get)
{
	struct hours h[HOURS_MAX];
	enum hours_owner o;
	enum app_err err;
	int n;

	(void)app;
	if ((err = owner_visible(db, req, rep, &o)) ||
	    (err = store_hours_get(db, o, req->ids[0], h, HOURS_MAX, &n)))
		return err;
	write_hours(&rep->body, h, n);
	rep->status = 200;
	return APP_OK;
}

static int by_day(const void *a, const void *b)
{
	const struct hours *x = a, *y = b;

	if (x->weekday != y->weekday)
		return x->weekday - y->weekday;
	if (x->start_min != y->start_min)
		return x->start_min - y->start_min;
	return x->valid_from < y->valid_from ? -1 : x->valid_from > y->valid_from;
}

/* An optional date field into days since 1970 (0 when absent or null). */
static enum app_err read_day(struct reply *rep, json_t *item, const char *key, size_t i,
			     int64_t *out)
{
	json_t *v = json_object_get(item, key);
	struct civil d;

	*out = 0;
	if (!v || json_is_null(v))
		return APP_OK;
	if (!json_is_string(v) || timeutil_parse_date(json_string_value(v), &d))
		return reply_fail(rep, APP_EINVAL, key, "item %zu: '%s' is a date (YYYY-MM-DD)", i,
				  key);
	*out = timeutil_days_from_civil(d.year, d.month, d.day);
	return APP_OK;
}

static enum app_err read_item(struct reply *rep, json_t *item, size_t i, struct hours *h)
{
	static const char *const fields[] = {"weekday", "start", "end", "valid_from", "valid_to",
					     NULL};
	const char *key, *s, *e;
	json_t *v, *wd = json_object_get(item, "weekday");
	enum app_err err;

	if (!json_is_object(item))
		return reply_fail(rep, APP_EINVAL, NULL, "item %zu must be an object", i);
	json_object_foreach(item, key, v) {
		bool ok = false;
		for (const char *const *f = fields; *f && !ok; f++)
			ok = !strcmp(*f, key);
		if (!ok)
			return reply_fail(rep, APP_EINVAL, key, "unknown field '%.40s' in item %zu",
					  key, i);
	}
	if (!json_is_integer(wd) || json_integer_value(wd) < 1 || json_integer_value(wd) > 7)
		return reply_fail(rep, APP_EINVAL, "weekday",
				  "item %zu: 'weekday' is 1 (Monday) to 7 (Sunday)", i);
	h->weekday = (int)json_integer_value(wd);
	s = json_string_value(json_object_get(item, "start"));
	e = json_string_value(json_object_get(item, "end"));
	if (!s || timeutil_parse_hhmm(s, &h->start_min) || h->start_min >= 1440)
		return reply_fail(rep, APP_EINVAL, "start", "item %zu: 'start' is HH:MM", i);
	if (!e || timeutil_parse_hhmm(e, &h->end_min))
		return reply_fail(rep, APP_EINVAL, "end", "item %zu: 'end' is HH:MM (24:00 allowed)",
				  i);
	if (h->end_min <= h->start_min)
		return reply_fail(rep, APP_EINVAL, "end", "item %zu: 'end' must come after 'start'",
				  i);
	if ((err = read_day(rep, item, "valid_from", i, &h->valid_from)) ||
	    (err = read_day(rep, item, "valid_to", i, &h->valid_to)))
		return err;
	if (h->valid_from && h->valid_to && h->valid_to < h->valid_from)
		return reply_fail(rep, APP_EINVAL, "valid_to",
				  "item %zu: 'valid_to' must not come before 'valid_from'", i);
	return APP_OK;
}

/* Whether the validity periods of a and b share a day. */
static bool same_days(const struct hours *a, const struct hours *b)
{
	return (!a->valid_to || !b->valid_from || b->valid_from <= a->valid_to) &&
	       (!b->valid_to || !a->valid_from || a->valid_from <= b->valid_to);
}

API_HANDLER(api_hours_put)
{
	struct hours h[HOURS_MAX];
	enum hours_owner o;
	enum app_err err;
	json_t *arr = NULL, *item;
	size_t i;
	int n = 0;

	(void)app;
	if ((err = owner_visible(db, req, rep, &o)) || (err = body_json(req, rep, &arr)))
		return err;
	if (!json_is_array(arr) || json_array_size(arr) > HOURS_MAX) {
		err = reply_fail(rep, APP_EINVAL, NULL,
				 "the body is an array of at most %d {weekday, start, end}", HOURS_MAX);
		goto out;
	}
	json_array_foreach(arr, i, item) {
		if ((err = read_item(rep, item, i, &h[n])))
			goto out;
		n++;
	}
	qsort(h, (size_t)n, sizeof(h[0]), by_day);
	for (int a = 0; a < n; a++)
		for (int b = a + 1; b < n && h[b].weekday == h[a].weekday; b++)
			if (h[b].start_min < h[a].end_min && same_days(&h[a], &h[b])) {
				err = reply_fail(rep, APP_EINVAL, "start",
						 "two intervals overlap on weekday %d", h[a].weekday);
				goto out;
			}
	if ((err = store_hours_set(db, o, req->ids[0], h, n)))
		goto out;
	write_hours(&rep->body, h, n);
	rep->status = 200;
out:
	json_decref(arr);
	return err;
}

/* x as a JSON object left open: the caller may add fields, then closes it. */
static void write_exception_open(struct buf *b, const struct hours_exception *x)
{
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kint(b, "{", "id", x->id, false);
	buf_json_kstr(b, ",", "kind", x->extra ? "extra" : "absence");
	timeutil_format(x->start, t);
	buf_json_kstr(b, ",", "start", t);
	timeutil_format(x->end, t);
	buf_json_kstr(b, ",", "end", t);
	buf_json_kstr(b, ",", "reason", x->reason[0] ? x->reason : NULL);
	buf_json_kstr(b, ",", "created_by", x->created_by);
	timeutil_format(x->created_at, t);
	buf_json_kstr(b, ",", "created_at", t);
}

struct exc_ctx {
	struct buf *b;
	int n;
};

static bool exception_row(void *vctx, const struct hours_exception *x)
{
	struct exc_ctx *c = vctx;

	if (c->n++)
		buf_putc(c->b, ',');
	write_exception_open(c->b, x);
	buf_putc(c->b, '}');
	return c->n < EXCEPTIONS_LIST_MAX && !c->b->failed;
}

API_HANDLER(api_exceptions_list)
{
	static const char *const allowed[] = {"from", "to", NULL};
	struct exc_ctx ctx = {&rep->body, 0};
	enum hours_owner o;
	enum app_err err;
	int64_t from, to;

	(void)app;
	if ((err = params_only(req, rep, allowed)) || (err = owner_visible(db, req, rep, &o)) ||
	    (err = params_time(req, rep, "from", false, &from)) ||
	    (err = params_time(req, rep, "to", true, &to)))
		return err;
	if (!params_get(req, "from"))
		from = req->now; /* what is still to come, unless asked */
	if (!to)
		to = INT64_MAX;
	buf_putc(&rep->body, '[');
	if ((err = store_hours_exception_list(db, o, req->ids[0], from, to, exception_row, &ctx)))
		return err;
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}

struct affected_ctx {
	struct buf *b;
	int n;
};

static bool affected_row(void *vctx, const struct appointment *a)
{
	struct affected_ctx *c = vctx;

	buf_printf(c->b, "%s%" PRId64, c->n++ ? "," : "", a->id);
	return !c->b->failed;
}

API_HANDLER(api_exceptions_create)
{
	static const char *const allowed[] = {"kind", "start", "end", "reason", NULL};
	struct hours_exception x = {0};
	struct affected_ctx actx = {&rep->body, 0};
	struct appt_filter f = {.mode = -1, .limit = 500};
	const char *kind, *reason;
	enum hours_owner o;
	enum app_err err;
	json_t *body = NULL;
	bool has;

	(void)app;
	if ((err = owner_visible(db, req, rep, &o)) ||
	    (err = body_object(req, rep, allowed, false, &body)))
		return err;
	if ((err = body_str(rep, body, "kind", true, 16, &kind)) ||
	    (err = body_instant(rep, body, "start", true, &has, &x.start)) ||
	    (err = body_instant(rep, body, "end", true, &has, &x.end)) ||
	    (err = body_text(rep, body, "reason", EXCEPTION_REASON_MAX, false, &reason)))
		goto out;
	if (strcmp(kind, "absence") && strcmp(kind, "extra")) {
		err = reply_fail(rep, APP_EINVAL, "kind", "'kind' is absence or extra");
		goto out;
	}
	x.extra = !strcmp(kind, "extra");
	if (x.end <= x.start) {
		err = reply_fail(rep, APP_EINVAL, "end", "'end' must come after 'start'");
		goto out;
	}
	snprintf(x.reason, sizeof(x.reason), "%s", reason ? reason : "");
	snprintf(x.created_by, sizeof(x.created_by), "%s", req->who.username);
	x.created_at = req->now;
	if ((err = store_hours_exception_add(db, o, req->ids[0], &x)))
		goto out;
	snprintf(rep->location, sizeof(rep->location), "%s/%" PRId64, req->path, x.id);
	write_exception_open(&rep->body, &x);
	/* what an absence now overlaps: the secretary moves those */
	buf_puts(&rep->body, ",\"affected_appointment_ids\":[");
	if (!x.extra) {
		f.from = x.start;
		f.to = x.end;
		f.status_mask = ~(1u << APPT_CANCELLED) & ((1u << APPT_STATUS_COUNT) - 1);
		if (o == OWNER_ROOM)
			f.room_id = req->ids[0];
		else
			f.clinician_id = req->ids[0];
		if ((err = store_appointments_list(db, &f, affected_row, &actx)))
			goto out;
	}
	buf_puts(&rep->body, "]}");
	rep->status = 201;
out:
	json_decref(body);
	return err;
}

API_HANDLER(api_exceptions_delete)
{
	enum hours_owner o;
	enum app_err err;

	(void)app;
	if ((err = owner_visible(db, req, rep, &o)))
		return err;
	err = store_hours_exception_delete(db, o, req->ids[0], req->ids[1]);
	if (err == APP_ENOTFOUND)
		return reply_fail(rep, err, NULL, "there is no exception %" PRId64 " here",
				  req->ids[1]);
	if (err)
		return err;
	rep->status = 204;
	return APP_OK;
}

/* One owner's rule for [start, end): APP_EOUTSIDE_HOURS with *out filled
 * when it refuses. */
static enum app_err check_owner(struct store *db, enum hours_owner o, int64_t id, int64_t start,
				int64_t end, struct hours_refusal *out)
{
	static _Thread_local struct availability av;
	int64_t from, to;
	struct civil d;
	enum app_err err;
	bool absent;

	timeutil_to_local(start, &d);
	timeutil_day_bounds(&d, &from, &to);
	if ((err = store_hours_availability(db, o, id, from < start ? from : start,
					    to > end ? to : end, &av)))
		return err;
	if (slots_bookable(&av, start, end, &absent))
		return APP_OK;
	out->field = o == OWNER_ROOM ? "room_id" : "start";
	out->kind = o == OWNER_ROOM ? "room" : "clinician";
	out->id = id;
	out->absent = absent;
	if (o == OWNER_ROOM)
		snprintf(out->why, sizeof(out->why), "room %" PRId64 " is %s then", id,
			 absent ? "closed" : "not open");
	else
		snprintf(out->why, sizeof(out->why), "clinician %" PRId64 " %s then", id,
			 absent ? "is absent" : "does not work");
	return APP_EOUTSIDE_HOURS;
}

enum app_err api_hours_refusal(struct store *db, const struct appointment *a,
			       struct hours_refusal *out)
{
	enum app_err err;

	for (int i = 0; i < a->nclinicians; i++)
		if ((err = check_owner(db, OWNER_CLINICIAN, a->clinician_ids[i], a->start, a->end,
				       out)))
			return err;
	if (a->room_id)
		return check_owner(db, OWNER_ROOM, a->room_id, a->start, a->end, out);
	return APP_OK;
}

enum app_err api_hours_check(struct store *db, struct reply *rep, const struct appointment *a)
{
	struct hours_refusal r;
	enum app_err err = api_hours_refusal(db, a, &r);

	if (err == APP_EOUTSIDE_HOURS)
		return reply_fail(rep, err, r.field, "%s; set 'override_hours' to book anyway",
				  r.why);
	return err;
}
