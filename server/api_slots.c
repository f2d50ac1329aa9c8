/*
 * api_slots.c - free slots: when the named clinicians are free together,
 * for a duration or a consultation type, and with a free room when one is
 * needed.
 *
 * Day by day in the clinic's zone (so DST days are right): each
 * clinician's open time (template valid that day, plus extra hours, minus
 * absences) is intersected; their appointments, widened by their own
 * buffers and by the new type's, are subtracted; starts fall on the local
 * quarter hour, from now on.  When a room is needed (in person, a type
 * that needs one, or room_kind given), a start is offered with the first
 * room of that kind, open and free for the whole slot.
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
#include "slotcache.h"
#include "slots.h"
#include "store.h"
#include "store_hours.h"
#include "timeutil.h"

#define SLOTS_MAX_DAYS 62
#define SLOTS_MAX_CLINICIANS HOURS_KNOWN_MAX /* 32 */
#define SLOTS_MAX_RESULTS 5000
#define SLOTS_MAX_ROOMS 64
#define BUSY_MAX 4000 /* a clinician's appointments in one search: 62 days of 64 */
#define ROOM_BUSY_MAX 500

#define ROOM_FREE_MAX (SLOTS_DAY_MAX + ROOM_BUSY_MAX)

struct room_day {
	int64_t id;
	bool loaded; /* free[] is for the current day */
	int nfree;
	struct interval free[ROOM_FREE_MAX];
};

struct search {
	struct app *app;
	struct store *db;
	struct buf *b;
	int64_t ids[SLOTS_MAX_CLINICIANS];
	int nids;
	/* ids as the JSON array each slot repeats, written once (one printf
	 * an id a slot was a fifth of a cached search's CPU) */
	char ids_json[2 + SLOTS_MAX_CLINICIANS * 21];
	size_t ids_len;
	int64_t len, pad_before, pad_after; /* the new appointment's length and buffers */
	const char *room_kind;		    /* NULL: no room needed */
	int64_t unit_id;		    /* rooms of this unit only (0: any) */
	const struct actor *who;	    /* and of the units who sees */
	struct availability *clin;	    /* [nids] */
	struct interval *busy;		    /* everyone's, widened, normalised each */
	int nbusy;
	/* clinician i's busy times: busy[busy_at[i] .. busy_at[i + 1]) */
	int busy_at[SLOTS_MAX_CLINICIANS + 1];
	struct availability *room_av; /* [nrooms] */
	struct room_day *rooms;
	int nrooms;
	struct civil day;
	int n, limit;
	enum app_err err;
	/* One day's arithmetic.  Intersecting k clinicians' open times gives
	 * at most the sum of their pieces (k * SLOTS_DAY_MAX), and subtracting
	 * the busy times adds at most one piece per busy interval; free_ and
	 * work are allocated for that (cap), and every function is told it. */
	struct interval open[SLOTS_DAY_MAX];
	struct interval *work, *free_;
	int cap;
};

static bool room_id_row(void *vctx, const struct res_row *row)
{
	struct search *s = vctx;

	if (s->nrooms == SLOTS_MAX_ROOMS)
		return false;
	s->rooms[s->nrooms++].id = row->id;
	return true;
}

/* The candidate rooms and their availability over [from, to). */
static enum app_err load_rooms(struct search *s, int64_t from, int64_t to)
{
	const struct res_desc *d = &resources_rooms;
	struct res_list q = {.limit = SLOTS_MAX_ROOMS};
	enum app_err err;

	if (s->who->role == ROLE_SECRETARY) { /* a unit-limited one: its units' rooms */
		q.nunits = s->who->nunits;
		q.unit_ids = s->who->unit_ids;
	}

	q.filter.v[store_resource_field(d, "kind")] = (struct res_val){.set = true};
	snprintf(q.filter.v[store_resource_field(d, "kind")].s, RES_TEXT_MAX, "%s", s->room_kind);
	q.filter.v[store_resource_field(d, "active")] = (struct res_val){.set = true, .i = 1};
	if (s->unit_id)
		q.filter.v[store_resource_field(d, "unit_id")] =
		    (struct res_val){.set = true, .i = s->unit_id};
	if ((err = store_resource_list(s->db, d, &q, room_id_row, s)))
		return err;
	for (int r = 0; r < s->nrooms; r++)
		if ((err = store_hours_availability(s->db, OWNER_ROOM, s->rooms[r].id, from, to,
						    &s->room_av[r])))
			return err;
	return APP_OK;
}

/* Room r's free time on the current day (computed once per day). */
static enum app_err room_free(struct search *s, int r)
{
	struct interval open[SLOTS_DAY_MAX], busy[ROOM_BUSY_MAX];
	struct room_day *rd = &s->rooms[r];
	int64_t from, to;
	enum app_err err;
	int n, nb;

	if (rd->loaded)
		return APP_OK;
	timeutil_day_bounds(&s->day, &from, &to);
	if (s->room_av[r].restricted) {
		n = slots_day_open(&s->room_av[r], &s->day, open, SLOTS_DAY_MAX);
	} else { /* no opening hours: open all day, but not when closed */
		struct interval all = {from, to};
		struct interval absent[EXCEPTIONS_MAX];
		int na = s->room_av[r].nabsent;

		memcpy(absent, s->room_av[r].absent, sizeof(absent[0]) * (size_t)na);
		na = slots_normalise(absent, na);
		n = slots_subtract(&all, 1, absent, na, open, SLOTS_DAY_MAX);
	}
	if (n < 0)
		return APP_ETOOLARGE;
	if ((err = store_hours_busy(s->db, OWNER_ROOM, rd->id, from, to, busy, ROOM_BUSY_MAX, &nb)))
		return err;
	nb = slots_normalise(busy, nb);
	if ((rd->nfree = slots_subtract(open, n, busy, nb, rd->free, ROOM_FREE_MAX)) < 0)
		return APP_ETOOLARGE;
	rd->loaded = true;
	return APP_OK;
}

static bool slot_row(void *vctx, int64_t start, int64_t end)
{
	struct search *s = vctx;
	char a[TIMEUTIL_INSTANT_LEN], e[TIMEUTIL_INSTANT_LEN];
	int64_t room = 0;

	if (s->room_kind) {
		for (int r = 0; r < s->nrooms && !room; r++) {
			if ((s->err = room_free(s, r)))
				return false;
			if (slots_within(s->rooms[r].free, s->rooms[r].nfree, start, end))
				room = s->rooms[r].id;
		}
		if (!room)
			return true; /* no room then: not a slot */
	}
	timeutil_format(start, a);
	timeutil_format(end, e);
	buf_printf(s->b, "%s{\"start\":\"%s\",\"end\":\"%s\",\"clinician_ids\":", s->n ? "," : "",
		   a, e);
	buf_append(s->b, s->ids_json, s->ids_len);
	if (room)
		buf_printf(s->b, ",\"room_id\":%" PRId64, room);
	buf_putc(s->b, '}');
	return ++s->n < s->limit && !s->b->failed;
}

/* Offer the starts of the current day. */
static enum app_err one_day(struct search *s)
{
	struct interval *open = s->open, *work = s->work, *free_ = s->free_;
	int64_t from, to;
	int n;

	for (int r = 0; r < s->nrooms; r++)
		s->rooms[r].loaded = false;
	n = slots_day_open(&s->clin[0], &s->day, free_, s->cap);
	for (int i = 1; i < s->nids && n > 0; i++) {
		int no = slots_day_open(&s->clin[i], &s->day, open, SLOTS_DAY_MAX);
		if (no < 0)
			return APP_ETOOLARGE;
		if ((n = slots_intersect(free_, n, open, no, work, s->cap)) > 0)
			memcpy(free_, work, sizeof(work[0]) * (size_t)n);
	}
	/* minus each one's busy times of the day (free_ lies within it), one
	 * clinician at a time: merging everyone's into one list first was a
	 * sort of 5,000 intervals a search */
	timeutil_day_bounds(&s->day, &from, &to);
	for (int i = 0; i < s->nids && n > 0; i++) {
		const struct interval *b = s->busy + s->busy_at[i];
		int nb = s->busy_at[i + 1] - s->busy_at[i], lo = 0, hi = nb;

		while (lo < hi) { /* the first to end after the day begins (ends are sorted) */
			int mid = lo + (hi - lo) / 2;
			if (b[mid].end <= from)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (hi = lo; hi < nb && b[hi].start < to; hi++)
			;
		if ((n = slots_subtract(free_, n, b + lo, hi - lo, work, s->cap)) > 0)
			memcpy(free_, work, sizeof(work[0]) * (size_t)n);
	}
	if (n < 0)
		return APP_ETOOLARGE;
	if (!n)
		return APP_OK;
	slots_each(free_, n, s->len, app_now(s->app), slot_row, s);
	return s->err;
}

/* Each clinician's hours and appointments over [from, to) (from the cache
 * while the data is unchanged since generation, else read and kept); the
 * appointments widened so that the new one's buffers stay clear of them
 * too, normalised, one list a clinician (busy_at). */
static enum app_err load_clinicians(struct search *s, int64_t from, int64_t to, uint64_t generation)
{
	enum app_err err;
	int nb;

	s->nbusy = 0;
	for (int i = 0; i < s->nids; i++) {
		struct interval *busy = s->busy + s->nbusy;

		s->busy_at[i] = s->nbusy;

		if (!slotcache_get(s->app->slots, s->ids[i], from, to, generation, &s->clin[i],
				   busy, BUSY_MAX, &nb)) {
			if ((err = store_hours_availability(s->db, OWNER_CLINICIAN, s->ids[i], from,
							    to, &s->clin[i])) ||
			    (err = store_hours_busy(s->db, OWNER_CLINICIAN, s->ids[i], from, to,
						    busy, BUSY_MAX, &nb)))
				return err;
			/* merged before they are kept: back-to-back appointments
			 * are one interval (widening by the same buffers and
			 * merging again below gives what widening each would) */
			nb = slots_normalise(busy, nb);
			slotcache_put(s->app->slots, s->ids[i], from, to, generation, &s->clin[i],
				      busy, nb);
		}
		for (int k = 0; k < nb; k++) {
			busy[k].start -= s->pad_after;
			busy[k].end += s->pad_before;
		}
		s->nbusy += slots_normalise(busy, nb); /* in order already: one pass */
	}
	s->busy_at[s->nids] = s->nbusy;
	return APP_OK;
}

static enum app_err read_clinicians(const struct req *req, struct reply *rep, struct search *s)
{
	bool known[SLOTS_MAX_CLINICIANS];
	enum app_err err;

	for (int i = 0; i < req->nquery; i++) {
		if (strcmp(req->query[i].key, "clinician_id"))
			continue;
		if (s->nids == SLOTS_MAX_CLINICIANS)
			return reply_fail(rep, APP_EINVAL, "clinician_id", "at most %d clinicians",
					  SLOTS_MAX_CLINICIANS);
		if (!params_parse_id(req->query[i].value, &s->ids[s->nids]))
			return reply_fail(rep, APP_EINVAL, "clinician_id",
					  "'clinician_id' must be a positive id");
		for (int k = 0; k < s->nids; k++)
			if (s->ids[k] == s->ids[s->nids])
				return reply_fail(rep, APP_EINVAL, "clinician_id",
						  "clinician %" PRId64 " is named twice",
						  s->ids[k]);
		s->nids++;
	}
	if (!s->nids)
		return reply_fail(rep, APP_EINVAL, "clinician_id",
				  "name at least one clinician_id");
	/* which exist, in one statement (one each was a sixth of a cached
	 * search's time); refused in the order named, as one by one */
	if ((err = store_hours_clinicians_known(s->db, s->ids, s->nids, known)))
		return err;
	for (int i = 0; i < s->nids; i++) {
		if ((err = authz_clinician(s->db, &req->who, s->ids[i])))
			return err == APP_EFORBIDDEN ? reply_fail(rep, err, "clinician_id",
								  "not one of your clinicians")
						     : err;
		if (!known[i])
			return reply_fail(rep, APP_EINVAL, "clinician_id",
					  "there is no clinician %" PRId64, s->ids[i]);
	}
	s->ids_json[s->ids_len++] = '[';
	for (int i = 0; i < s->nids; i++)
		s->ids_len += (size_t)snprintf(s->ids_json + s->ids_len,
					       sizeof(s->ids_json) - s->ids_len, "%s%" PRId64,
					       i ? "," : "", s->ids[i]);
	s->ids_json[s->ids_len++] = ']';
	return APP_OK;
}

/* Length, buffers, mode and the room rule, from the type or the request. */
static enum app_err read_kind(const struct req *req, struct reply *rep, struct search *s)
{
	struct appt_type t = {.default_mode = APPT_VIDEO};
	const char *mode_s = params_get(req, "mode"), *kind = params_get(req, "room_kind");
	int64_t duration, type_id;
	enum app_err err;
	int mode;

	if ((err = params_id(req, rep, "type_id", &type_id)) ||
	    (err =
		 params_int(req, rep, "duration_minutes", 1, APPT_MAX_SECONDS / 60, 0, &duration)))
		return err;
	/* a scoped caller's refusal is the same for a missing type */
	if (type_id && (err = authz_unit_row(s->db, &req->who, "consultation_types", type_id)))
		return err == APP_EFORBIDDEN
			       ? reply_fail(rep, err, "type_id", "not one of your units' types")
			       : err;
	if (type_id) {
		err = resources_type_load(s->db, type_id, &t);
		if (err == APP_ENOTFOUND || (!err && !t.active))
			return reply_fail(rep, APP_EINVAL, "type_id",
					  "there is no active consultation type %" PRId64, type_id);
		if (err)
			return err;
	}
	if (!duration && !type_id)
		return reply_fail(rep, APP_EINVAL, "duration_minutes",
				  "give 'duration_minutes' or 'type_id'");
	s->len = (duration ? duration : t.duration_minutes) * 60;
	s->pad_before = t.buffer_before;
	s->pad_after = t.buffer_after;
	s->unit_id = t.unit_id;
	mode = mode_s ? appointment_mode_parse(mode_s) : (int)t.default_mode;
	if (mode < 0)
		return reply_fail(rep, APP_EINVAL, "mode",
				  "'mode' must be video, in_person or phone");
	if (type_id && mode == APPT_VIDEO && !t.video_allowed)
		return reply_fail(rep, APP_EINVAL, "mode", "'%s' is not held by video", t.name);
	if (kind && strcmp(kind, "clinic") && strcmp(kind, "video"))
		return reply_fail(rep, APP_EINVAL, "room_kind", "'room_kind' is clinic or video");
	if (kind && mode == APPT_IN_PERSON && strcmp(kind, "clinic"))
		return reply_fail(rep, APP_EINVAL, "room_kind", "in person needs a clinic room");
	if (kind || mode == APPT_IN_PERSON || t.needs_room)
		s->room_kind = kind ? kind : mode == APPT_VIDEO ? "video" : "clinic";
	return APP_OK;
}

API_HANDLER(api_slots)
{
	static const char *const allowed[] = {
	    "clinician_id", "from",  "to", "duration_minutes", "type_id", "room_kind",
	    "mode",	    "limit", NULL};
	struct search *s = calloc(1, sizeof(*s));
	struct civil from, to;
	int64_t first, last, lo, hi, hi_day, limit;
	enum app_err err;

	if (!s)
		return APP_ENOMEM;
	s->app = app;
	s->db = db;
	s->who = &req->who;
	s->b = &rep->body;
	if ((err = params_only(req, rep, allowed)) || (err = read_clinicians(req, rep, s)) ||
	    (err = read_kind(req, rep, s)) ||
	    (err = params_int(req, rep, "limit", 1, SLOTS_MAX_RESULTS, SLOTS_MAX_RESULTS, &limit)))
		goto out;
	s->limit = (int)limit;
	if (!params_get(req, "from") || timeutil_parse_date(params_get(req, "from"), &from)) {
		err = reply_fail(rep, APP_EINVAL, "from", "'from' is a date (YYYY-MM-DD)");
		goto out;
	}
	if (!params_get(req, "to") || timeutil_parse_date(params_get(req, "to"), &to)) {
		err = reply_fail(rep, APP_EINVAL, "to", "'to' is a date (YYYY-MM-DD)");
		goto out;
	}
	first = timeutil_days_from_civil(from.year, from.month, from.day);
	last = timeutil_days_from_civil(to.year, to.month, to.day);
	if (last < first || last - first >= SLOTS_MAX_DAYS) {
		err = reply_fail(rep, APP_EINVAL, "to",
				 "'to' must be on or after 'from', at most %d days on",
				 SLOTS_MAX_DAYS);
		goto out;
	}
	timeutil_day_bounds(&from, &lo, &hi_day);
	timeutil_day_bounds(&to, &hi_day, &hi);
	/* not zeroed: each is written before it is read (zeroing BUSY_MAX each
	 * was a tenth of a cached search's time) */
	s->clin = malloc((size_t)s->nids * sizeof(*s->clin));
	s->busy = malloc((size_t)s->nids * BUSY_MAX * sizeof(*s->busy)); /* BUSY_MAX each */
	if (!s->clin || !s->busy) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = load_clinicians(s, lo, hi, store_generation(db)))) /* before the reads */
		goto out;
	/* room for a day's arithmetic (struct search), the busy times known */
	s->cap = s->nids * SLOTS_DAY_MAX + s->nbusy;
	s->work = malloc((size_t)s->cap * sizeof(*s->work));
	s->free_ = malloc((size_t)s->cap * sizeof(*s->free_));
	if (!s->work || !s->free_) {
		err = APP_ENOMEM;
		goto out;
	}
	if (s->room_kind) {
		s->rooms = malloc(SLOTS_MAX_ROOMS * sizeof(*s->rooms)); /* as clin */
		s->room_av = malloc(SLOTS_MAX_ROOMS * sizeof(*s->room_av));
		if (!s->rooms || !s->room_av) {
			err = APP_ENOMEM;
			goto out;
		}
		if ((err = load_rooms(s, lo, hi)))
			goto out;
	}
	buf_putc(&rep->body, '[');
	for (int64_t day = first; day <= last && s->n < s->limit; day++) {
		s->day = (struct civil){0};
		timeutil_civil_from_days(day, &s->day.year, &s->day.month, &s->day.day);
		if ((err = one_day(s)))
			goto out;
	}
	buf_putc(&rep->body, ']');
	rep->status = 200;
out:
	if (err == APP_ETOOLARGE && !rep->status)
		err = reply_fail(rep, APP_EINVAL, "to",
				 "too much in that range to search at once (at most %d appointments, "
				 "%d absences and %d extra hours a clinician or room); ask for "
				 "fewer days or fewer clinicians",
				 BUSY_MAX, EXCEPTIONS_MAX, EXCEPTIONS_MAX);
	free(s->clin);
	free(s->busy);
	free(s->work);
	free(s->free_);
	free(s->rooms);
	free(s->room_av);
	free(s);
	return err;
}
