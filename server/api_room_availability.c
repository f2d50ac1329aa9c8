/*
 * api_room_availability.c - which rooms are free at a time, and what is in
 * the way of the busy ones: for re-booking a consultation in person (or a
 * video one in a clinician's quiet video room) from a list instead of by
 * trying room after room into 409s.
 *
 * GET /api/v1/rooms/availability?start=&end=[&unit_id=][&kind=][&appointment_id=]
 * answers the active rooms the caller sees (a unit-limited secretary: their
 * units' rooms, as GET /rooms), the unit's rooms first, then those of no
 * unit, then the rest, each by name; each with free and in_the_way: its
 * appointments overlapping the time (the one being re-booked, appointment_id,
 * left out), and whether it is closed or not open then.  An appointment in
 * the way that the caller may not see (another unit's) is said only as
 * "another unit's" (no id, no time): as a 409 conflict names it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "appointment.h"
#include "authz.h"
#include "params.h"
#include "store.h"
#include "store_appointments.h"
#include "store_resource.h"
#include "timeutil.h"

#define ROOMS_MAX 500     /* rooms in one answer: a hospital's outpatient rooms */
#define IN_THE_WAY_MAX 20 /* appointments named per room: more says nothing new */

struct room_list {
	struct res_row *rows;
	int n;
	enum app_err err;
};

static bool keep_room(void *vctx, const struct res_row *row)
{
	struct room_list *l = vctx;

	if (l->n == ROOMS_MAX)
		return false;
	l->rows[l->n++] = *row;
	return true;
}

/* One room's appointments in the way, written into the answer. */
struct in_the_way {
	struct store *db;
	const struct actor *who;
	struct buf *b;
	int64_t skip; /* the appointment being re-booked */
	int n;
	bool foreign; /* another unit's appointment said already */
};

static bool write_in_the_way(void *vctx, const struct appointment *a)
{
	struct in_the_way *w = vctx;
	char at[TIMEUTIL_INSTANT_LEN];

	if (a->id == w->skip || !appointment_live(a))
		return true;
	if (authz_appointment(w->db, w->who, a) != APP_OK) {
		if (!w->foreign)
			buf_puts(w->b, w->n++ ? ",{\"kind\":\"other_unit\"}" : "{\"kind\":\"other_unit\"}");
		w->foreign = true;
		return true;
	}
	buf_json_kstr(w->b, w->n++ ? ",{" : "{", "kind", "appointment");
	buf_json_kint(w->b, ",", "appointment_id", a->id, false);
	timeutil_format(a->start, at);
	buf_json_kstr(w->b, ",", "start", at);
	timeutil_format(a->end, at);
	buf_json_kstr(w->b, ",", "end", at);
	buf_json_kstr(w->b, ",", "mode", appointment_mode_name(a->mode));
	buf_putc(w->b, '}');
	return w->n < IN_THE_WAY_MAX && !w->b->failed;
}

/* Where room r goes in the order: the unit's first, then shared, then others. */
static int rank(const struct res_row *r, int unit_col, int64_t unit)
{
	const struct res_val *u = &r->v[unit_col];

	if (unit && !u->null && u->i == unit)
		return 0;
	return u->null ? 1 : 2;
}

API_HANDLER(api_room_availability_get)
{
	static const char *const allowed[] = {"start", "end", "unit_id", "kind", "appointment_id",
					      NULL};
	const struct res_desc *d = req->route->arg; /* the rooms (routes.c) */
	struct res_list q = {.unit_ids = req->who.unit_ids, .limit = ROOMS_MAX};
	struct room_list l = {0};
	struct appointment skip = {0};
	const int name = store_resource_field(d, "name");
	const int unit_col = store_resource_field(d, "unit_id");
	const int kind_col = store_resource_field(d, "kind");
	const int loc_col = store_resource_field(d, "location");
	const int active_col = store_resource_field(d, "active");
	const char *kind = params_get(req, "kind");
	int64_t start = 0, end = 0, unit = 0, appt = 0;
	struct buf *b = &rep->body;
	enum app_err err;
	(void)app;

	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_time(req, rep, "start", false, &start)) ||
	    (err = params_time(req, rep, "end", false, &end)) ||
	    (err = params_id(req, rep, "unit_id", &unit)) ||
	    (err = params_id(req, rep, "appointment_id", &appt)))
		return err;
	if (!start)
		return reply_fail(rep, APP_EINVAL, "start", "'start' is required");
	if (!end)
		return reply_fail(rep, APP_EINVAL, "end", "'end' is required");
	if (end <= start || end - start > APPT_MAX_SECONDS)
		return reply_fail(rep, APP_EINVAL, "end",
				  "'end' must be after 'start', at most %d hours on",
				  APPT_MAX_SECONDS / 3600);
	if (kind && strcmp(kind, "clinic") && strcmp(kind, "video"))
		return reply_fail(rep, APP_EINVAL, "kind", "'kind' is clinic or video");
	if (appt) { /* the appointment being re-booked: the caller's to see */
		err = store_appointments_get(db, appt, &skip);
		if (err == APP_ENOTFOUND && !authz_scoped(&req->who))
			return reply_fail(rep, err, "appointment_id", "no appointment %" PRId64,
					  appt);
		if (err == APP_ENOTFOUND || (!err && authz_appointment(db, &req->who, &skip)))
			return reply_fail(rep, APP_EFORBIDDEN, "appointment_id",
					  "you may not see appointment %" PRId64, appt);
		if (err)
			return err;
	}

	q.nunits = authz_scoped(&req->who) ? req->who.nunits : 0;
	q.filter.v[active_col].set = true;
	q.filter.v[active_col].i = 1;
	if (kind) {
		q.filter.v[kind_col].set = true;
		snprintf(q.filter.v[kind_col].s, sizeof(q.filter.v[kind_col].s), "%s", kind);
	}
	if (!(l.rows = calloc(ROOMS_MAX, sizeof(*l.rows))))
		return APP_ENOMEM;
	if ((err = store_resource_list(db, d, &q, keep_room, &l)))
		goto out;
	/* listed by name: one pass per rank keeps that order within each */
	buf_putc(b, '[');
	for (int pass = 0, first = 1; pass < 3; pass++) {
		for (int i = 0; i < l.n; i++) {
			const struct res_row *r = &l.rows[i];
			struct in_the_way w = {db, &req->who, b, appt, 0, false};
			struct appt_filter f = {.from = start, .to = end, .room_id = r->id,
						.mode = -1, .limit = IN_THE_WAY_MAX + 1};
			struct appointment probe = {.start = start, .end = end, .room_id = r->id};
			struct hours_refusal why;

			if (rank(r, unit_col, unit) != pass)
				continue;
			buf_json_kint(b, first ? "{" : ",{", "id", r->id, false);
			first = 0;
			buf_json_kstr(b, ",", "name", r->v[name].s);
			buf_json_kstr(b, ",", "location", r->v[loc_col].null ? NULL : r->v[loc_col].s);
			buf_json_kstr(b, ",", "kind", r->v[kind_col].s);
			buf_json_kint(b, ",", "unit_id", r->v[unit_col].null ? 0 : r->v[unit_col].i, true);
			buf_puts(b, ",\"in_the_way\":[");
			f.status_mask = ~(1u << APPT_CANCELLED) & ((1u << APPT_STATUS_COUNT) - 1);
			if ((err = store_appointments_list(db, &f, write_in_the_way, &w)))
				goto out;
			/* opening hours and closures, as a booking checks them */
			err = api_hours_refusal(db, &probe, &why);
			if (err == APP_EOUTSIDE_HOURS) {
				buf_puts(b, w.n++ ? "," : "");
				buf_json_kstr(b, "{", "kind", why.absent ? "closed" : "not_open");
				buf_putc(b, '}');
			} else if (err) {
				goto out;
			}
			err = APP_OK;
			buf_putc(b, ']');
			buf_json_kbool(b, ",", "free", w.n == 0);
			buf_putc(b, '}');
		}
	}
	buf_putc(b, ']');
	if (b->failed)
		err = APP_ENOMEM;
	else
		rep->status = 200;
out:
	free(l.rows);
	return err;
}
