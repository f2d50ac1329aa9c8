/*
 * api_hours.c - working hours, the outside-hours rule, and free slots.
 *
 * PUT replaces a clinician's weekly template: [{"weekday", "start", "end"}]
 * with ISO weekdays and clinic-local "HH:MM" times (several a day).  A
 * clinician with hours cannot be booked outside them (409 outside_hours)
 * unless the request says override_hours; one with no hours is not
 * restricted and has no free slots to offer.
 *
 * /slots intersects the named clinicians' hours day by day (local days, so
 * DST days are right), subtracts their appointments and offers starts on
 * the local quarter hour where the duration fits, from now on.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "authz.h"
#include "body.h"
#include "params.h"
#include "slots.h"
#include "store.h"
#include "store_hours.h"
#include "timeutil.h"

#define SLOTS_MAX_DAYS 62
#define SLOTS_MAX_CLINICIANS 16
#define SLOTS_MAX_RESULTS 5000
#define BUSY_MAX 2000

static void write_hours(struct buf *b, const struct hours *h, int n)
{
	buf_putc(b, '[');
	for (int i = 0; i < n; i++)
		buf_printf(b, "%s{\"weekday\":%d,\"start\":\"%02d:%02d\",\"end\":\"%02d:%02d\"}",
			   i ? "," : "", h[i].weekday, h[i].start_min / 60, h[i].start_min % 60,
			   h[i].end_min / 60, h[i].end_min % 60);
	buf_putc(b, ']');
}

enum app_err api_clinician_visible(struct store *db, const struct req *req, struct reply *rep)
{
	enum app_err err;
	bool exists, active;

	if ((err = authz_clinician(db, &req->who, req->ids[0])))
		return err == APP_EFORBIDDEN ? reply_fail(rep, err, NULL, "not one of your clinicians")
					     : err;
	if ((err = store_resource_ref(db, "clinicians", req->ids[0], &exists, &active)))
		return err;
	if (!exists)
		return reply_fail(rep, APP_ENOTFOUND, NULL, "there is no clinician %" PRId64,
				  req->ids[0]);
	return APP_OK;
}

API_HANDLER(api_hours_get)
{
	struct hours h[HOURS_MAX];
	enum app_err err;
	int n;

	(void)app;
	if ((err = api_clinician_visible(db, req, rep)) ||
	    (err = store_hours_get(db, req->ids[0], h, HOURS_MAX, &n)))
		return err;
	write_hours(&rep->body, h, n);
	rep->status = 200;
	return APP_OK;
}

static int by_day(const void *a, const void *b)
{
	const struct hours *x = a, *y = b;
	return x->weekday != y->weekday ? x->weekday - y->weekday : x->start_min - y->start_min;
}

static enum app_err read_item(struct reply *rep, json_t *item, size_t i, struct hours *h)
{
	static const char *const fields[] = {"weekday", "start", "end", NULL};
	const char *key, *s, *e;
	json_t *v, *wd = json_object_get(item, "weekday");

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
	return APP_OK;
}

API_HANDLER(api_hours_put)
{
	struct hours h[HOURS_MAX];
	enum app_err err;
	json_t *arr = NULL, *item;
	size_t i;
	int n = 0;

	(void)app;
	if ((err = api_clinician_visible(db, req, rep)) || (err = body_json(req, rep, &arr)))
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
	for (int k = 1; k < n; k++)
		if (h[k].weekday == h[k - 1].weekday && h[k].start_min < h[k - 1].end_min) {
			err = reply_fail(rep, APP_EINVAL, "start",
					 "two intervals overlap on weekday %d", h[k].weekday);
			goto out;
		}
	if ((err = store_hours_set(db, req->ids[0], h, n)))
		goto out;
	write_hours(&rep->body, h, n);
	rep->status = 200;
out:
	json_decref(arr);
	return err;
}

enum app_err api_hours_check(struct store *db, struct reply *rep, const struct appointment *a)
{
	struct hours h[HOURS_MAX];
	struct interval day[HOURS_MAX];
	struct civil d;
	enum app_err err;
	int n, nd;

	timeutil_to_local(a->start, &d);
	for (int i = 0; i < a->nclinicians; i++) {
		if ((err = store_hours_get(db, a->clinician_ids[i], h, HOURS_MAX, &n)))
			return err;
		if (n == 0)
			continue; /* no hours set: not restricted */
		nd = slots_day_hours(h, n, &d, day);
		if (!slots_within(day, nd, a->start, a->end))
			return reply_fail(rep, APP_EOUTSIDE_HOURS, "start",
					  "clinician %" PRId64 " does not work then; set "
					  "'override_hours' to book anyway",
					  a->clinician_ids[i]);
	}
	return APP_OK;
}

struct slot_ctx {
	struct buf *b;
	const int64_t *ids;
	int nids, n;
};

static bool slot_row(void *vctx, int64_t start, int64_t end)
{
	struct slot_ctx *c = vctx;
	char s[TIMEUTIL_INSTANT_LEN], e[TIMEUTIL_INSTANT_LEN];

	timeutil_format(start, s);
	timeutil_format(end, e);
	buf_printf(c->b, "%s{\"start\":\"%s\",\"end\":\"%s\",\"clinician_ids\":[", c->n ? "," : "",
		   s, e);
	for (int i = 0; i < c->nids; i++)
		buf_printf(c->b, "%s%" PRId64, i ? "," : "", c->ids[i]);
	buf_puts(c->b, "]}");
	return ++c->n < SLOTS_MAX_RESULTS && !c->b->failed;
}

/* Free intervals of all ids together on local day d, into free_ (room for
 * HOURS_MAX + BUSY_MAX); count. */
static enum app_err free_on_day(struct store *db, const int64_t *ids, int nids,
				const struct hours (*h)[HOURS_MAX], const int *nh,
				const struct civil *d, struct interval *free_, int *nfree)
{
	static _Thread_local struct interval work[HOURS_MAX + BUSY_MAX], busy[BUSY_MAX];
	struct interval day[HOURS_MAX];
	int64_t from, to;
	enum app_err err;
	int n = 0, nb;

	timeutil_day_bounds(d, &from, &to);
	for (int i = 0; i < nids; i++) {
		int nd = slots_day_hours(h[i], nh[i], d, day);
		if (i == 0) {
			memcpy(free_, day, sizeof(day[0]) * (size_t)nd);
			n = nd;
		} else {
			n = slots_intersect(free_, n, day, nd, work);
			memcpy(free_, work, sizeof(work[0]) * (size_t)n);
		}
		if (n == 0)
			break;
	}
	for (int i = 0; i < nids && n; i++) {
		if ((err = store_hours_busy(db, ids[i], from, to, busy, BUSY_MAX, &nb)))
			return err;
		nb = slots_normalise(busy, nb);
		n = slots_subtract(free_, n, busy, nb, work);
		memcpy(free_, work, sizeof(work[0]) * (size_t)n);
	}
	*nfree = n;
	return APP_OK;
}

API_HANDLER(api_hours_slots)
{
	static const char *const allowed[] = {"clinician_id", "from", "to", "duration_minutes",
					      "type_id", NULL};
	static _Thread_local struct hours h[SLOTS_MAX_CLINICIANS][HOURS_MAX];
	static _Thread_local struct interval free_[HOURS_MAX + BUSY_MAX];
	int nh[SLOTS_MAX_CLINICIANS], nfree;
	int64_t ids[SLOTS_MAX_CLINICIANS], duration, first, last;
	struct slot_ctx ctx = {&rep->body, ids, 0, 0};
	struct civil from, to;
	enum app_err err;
	bool exists, active;

	if ((err = params_only(req, rep, allowed)))
		return err;
	for (int i = 0; i < req->nquery; i++) {
		if (strcmp(req->query[i].key, "clinician_id"))
			continue;
		if (ctx.nids == SLOTS_MAX_CLINICIANS)
			return reply_fail(rep, APP_EINVAL, "clinician_id", "at most %d clinicians",
					  SLOTS_MAX_CLINICIANS);
		if (!params_parse_id(req->query[i].value, &ids[ctx.nids]))
			return reply_fail(rep, APP_EINVAL, "clinician_id",
					  "'clinician_id' must be a positive id");
		for (int k = 0; k < ctx.nids; k++)
			if (ids[k] == ids[ctx.nids])
				return reply_fail(rep, APP_EINVAL, "clinician_id",
						  "clinician %" PRId64 " is named twice", ids[k]);
		ctx.nids++;
	}
	if (!ctx.nids)
		return reply_fail(rep, APP_EINVAL, "clinician_id", "name at least one clinician_id");
	if (params_get(req, "type_id"))
		return reply_fail(rep, APP_EINVAL, "type_id",
				  "there are no consultation types yet; give duration_minutes");
	if ((err = params_int(req, rep, "duration_minutes", 1, 720, 0, &duration)))
		return err;
	if (!duration)
		return reply_fail(rep, APP_EINVAL, "duration_minutes",
				  "give 'duration_minutes' (or 'type_id')");
	if (!params_get(req, "from") || timeutil_parse_date(params_get(req, "from"), &from))
		return reply_fail(rep, APP_EINVAL, "from", "'from' is a date (YYYY-MM-DD)");
	if (!params_get(req, "to") || timeutil_parse_date(params_get(req, "to"), &to))
		return reply_fail(rep, APP_EINVAL, "to", "'to' is a date (YYYY-MM-DD)");
	first = timeutil_days_from_civil(from.year, from.month, from.day);
	last = timeutil_days_from_civil(to.year, to.month, to.day);
	if (last < first || last - first >= SLOTS_MAX_DAYS)
		return reply_fail(rep, APP_EINVAL, "to",
				  "'to' must be on or after 'from', at most %d days on",
				  SLOTS_MAX_DAYS);
	for (int i = 0; i < ctx.nids; i++) {
		if ((err = authz_clinician(db, &req->who, ids[i])))
			return err == APP_EFORBIDDEN ? reply_fail(rep, err, "clinician_id",
								  "not one of your clinicians")
						     : err;
		if ((err = store_resource_ref(db, "clinicians", ids[i], &exists, &active)))
			return err;
		if (!exists)
			return reply_fail(rep, APP_EINVAL, "clinician_id",
					  "there is no clinician %" PRId64, ids[i]);
		if ((err = store_hours_get(db, ids[i], h[i], HOURS_MAX, &nh[i])))
			return err;
	}
	buf_putc(&rep->body, '[');
	for (int64_t day = first; day <= last && ctx.n < SLOTS_MAX_RESULTS; day++) {
		struct civil d = {0};

		timeutil_civil_from_days(day, &d.year, &d.month, &d.day);
		if ((err = free_on_day(db, ids, ctx.nids, (const struct hours(*)[HOURS_MAX])h, nh, &d,
				       free_, &nfree)))
			return err;
		slots_each(free_, nfree, duration * 60, app_now(app), slot_row, &ctx);
	}
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}
