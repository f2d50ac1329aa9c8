/*
 * api_appointments.c - booking, changing, cancelling and listing
 * appointments, and a clinician's day list.
 *
 * Video is the default mode and gets a fresh meeting URL; in person needs a
 * clinic room.  A PATCH is applied inside the store's write transaction
 * (apply_patch below), against the row as it is then, so If-Match, the
 * status rules and the overlap check all see one state.  A secretary
 * re-booking an opted-out appointment (changing its mode) puts it back to
 * booked, ready for a new invitation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "audit.h"
#include "authz.h"
#include "http_server.h"
#include "listcache.h"
#include "body.h"
#include "outbox.h"
#include "params.h"
#include "resources.h"
#include "store.h"
#include "store_survey.h"
#include "survey.h"
#include "store_appointments.h"
#include "store_participants.h"
#include "store_waiting.h"
#include "timeutil.h"

#define LIST_DEFAULT 500
#define LIST_MAX 5000

/* a's fields, without the closing brace. */
static void write_appt_open(struct buf *b, const struct appointment *a, bool with_patient_name)
{
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kint(b, "{", "id", a->id, false);
	timeutil_format(a->start, t);
	buf_json_kstr(b, ",", "start", t);
	timeutil_format(a->end, t);
	buf_json_kstr(b, ",", "end", t);
	buf_json_kstr(b, ",", "mode", appointment_mode_name(a->mode));
	buf_json_kstr(b, ",", "status", appointment_status_name(a->status));
	buf_json_kint(b, ",", "patient_id", a->patient_id, false);
	if (with_patient_name)
		buf_json_kstr(b, ",", "patient_name", a->patient_name);
	buf_puts(b, ",\"clinician_ids\":[");
	for (int i = 0; i < a->nclinicians; i++) {
		if (i)
			buf_putc(b, ',');
		buf_int(b, a->clinician_ids[i]);
	}
	buf_putc(b, ']');
	buf_json_kint(b, ",", "room_id", a->room_id, true);
	buf_json_kint(b, ",", "type_id", a->type_id, true);
	buf_json_kint(b, ",", "series_id", a->series_id, true);
	buf_json_kstr(b, ",", "video_url", a->video_url[0] ? a->video_url : NULL);
	buf_json_kstr(b, ",", "video_host_url", a->video_host_url[0] ? a->video_host_url : NULL);
	buf_json_kstr(b, ",", "held_mode",
		      a->status == APPT_COMPLETED ? appointment_mode_name(a->held_mode) : NULL);
	buf_json_kstr(b, ",", "status_reason", a->status_reason[0] ? a->status_reason : NULL);
	buf_json_kstr(b, ",", "opt_out_reason", a->opt_out_reason[0] ? a->opt_out_reason : NULL);
	buf_json_kstr(b, ",", "reference", a->reference[0] ? a->reference : NULL);
	buf_json_kint(b, ",", "version", a->version, false);
	timeutil_format(a->created_at, t);
	buf_json_kstr(b, ",", "created_at", t);
	timeutil_format(a->updated_at, t);
	buf_json_kstr(b, ",", "updated_at", t);
}

static void write_appt(struct buf *b, const struct appointment *a, bool with_patient_name)
{
	write_appt_open(b, a, with_patient_name);
	buf_putc(b, '}');
}

static enum app_err answer(struct reply *rep, const struct appointment *a, int status)
{
	write_appt(&rep->body, a, false);
	snprintf(rep->etag, sizeof(rep->etag), "\"%" PRId64 "\"", a->version);
	rep->status = status;
	return APP_OK;
}

static enum app_err not_found(struct reply *rep, int64_t id)
{
	return reply_fail(rep, APP_ENOTFOUND, NULL, "there is no appointment %" PRId64, id);
}

static enum app_err forbidden(struct reply *rep)
{
	return reply_fail(rep, APP_EFORBIDDEN, NULL, "not one of your appointments");
}

enum app_err api_appointment_visible(struct store *db, const struct req *req, struct reply *rep,
				     struct appointment *a)
{
	enum app_err err = store_appointments_get(db, req->ids[0], a);

	if (err && err != APP_ENOTFOUND)
		return err;
	if (authz_scoped(&req->who)) {
		enum app_err az = authz_appointment(db, &req->who, err ? NULL : a);
		if (az == APP_EFORBIDDEN)
			return forbidden(rep);
		if (az)
			return az;
	}
	return err ? not_found(rep, req->ids[0]) : APP_OK;
}

#define SERIES_MAX 52

/* The fields a request may set, as read from its body. */
struct fields {
	bool has_start, has_end, has_duration, has_mode, has_status, has_room, has_clinicians,
		has_patient, has_reason, has_type, has_held, has_reference;
	int64_t start, end, duration;
	int mode, status, held_mode;
	int64_t room_id, patient_id, type_id;
	int nclinicians;
	int64_t clinician_ids[APPT_MAX_CLINICIANS];
	char reason[APPT_REASON_MAX + 1];
	char reference[APPT_REFERENCE_MAX * 4 + 1];
	bool override_hours;
	int64_t every_days, count; /* a series by rule */
	int nstarts;               /* a series by its starts (adjusted by hand) */
	int64_t starts[SERIES_MAX];
	bool dry_run; /* a series checked, not booked */
	int64_t waiting_id; /* booked from the waiting list */
};

enum read_as { READ_PATCH, READ_CREATE, READ_SERIES };

static enum app_err read_clinicians(struct reply *rep, json_t *o, struct fields *f)
{
	json_t *arr = json_object_get(o, "clinician_ids"), *v;
	size_t i;

	f->has_clinicians = arr != NULL;
	if (!arr)
		return APP_OK;
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return reply_fail(rep, APP_EINVAL, "clinician_ids",
				  "'clinician_ids' must be a non-empty array of ids");
	if (json_array_size(arr) > APPT_MAX_CLINICIANS)
		return reply_fail(rep, APP_EINVAL, "clinician_ids",
				  "at most %d clinicians per appointment", APPT_MAX_CLINICIANS);
	json_array_foreach(arr, i, v) {
		int64_t id;
		if (!json_is_integer(v) || (id = json_integer_value(v)) <= 0)
			return reply_fail(rep, APP_EINVAL, "clinician_ids",
					  "'clinician_ids' must hold positive integer ids");
		for (int j = 0; j < f->nclinicians; j++)
			if (f->clinician_ids[j] == id)
				return reply_fail(rep, APP_EINVAL, "clinician_ids",
						  "clinician %" PRId64 " is listed twice", id);
		f->clinician_ids[f->nclinicians++] = id;
	}
	return APP_OK;
}

/* {"every_weeks": N} or {"every_days": N}, and "count", of a series. */
static enum app_err read_repeat(struct reply *rep, json_t *o, struct fields *f)
{
	static const char *const keys[] = {"every_weeks", "every_days", "count", NULL};
	json_t *r = json_object_get(o, "repeat"), *v;
	int64_t weeks = 0, days = 0;
	const char *key;
	enum app_err err;
	bool hw, hd, hc;

	if (!json_is_object(r))
		return reply_fail(rep, APP_EINVAL, "repeat",
				  "'repeat' is {\"every_weeks\" or \"every_days\", \"count\"}");
	json_object_foreach(r, key, v) {
		bool known = false;
		for (const char *const *k = keys; *k; k++)
			known |= !strcmp(*k, key);
		if (!known)
			return reply_fail(rep, APP_EINVAL, "repeat", "unknown field 'repeat.%.40s'",
					  key);
	}
	if ((err = body_int(rep, r, "every_weeks", 1, 52, &weeks, &hw)) ||
	    (err = body_int(rep, r, "every_days", 1, 365, &days, &hd)) ||
	    (err = body_int(rep, r, "count", 2, SERIES_MAX, &f->count, &hc)))
		return err;
	if (hw == hd)
		return reply_fail(rep, APP_EINVAL, "repeat",
				  "give one of 'repeat.every_weeks' and 'repeat.every_days'");
	if (!hc)
		return reply_fail(rep, APP_EINVAL, "repeat", "'repeat.count' is required");
	f->every_days = hw ? weeks * 7 : days;
	return APP_OK;
}

/* "starts": each occurrence's start, in order, instead of "repeat" and
 * "start" (a series adjusted by hand); f->start becomes the first. */
static enum app_err read_starts(struct reply *rep, json_t *o, struct fields *f)
{
	json_t *arr = json_object_get(o, "starts"), *v;
	const char *why;
	size_t i;

	if (body_has(o, "repeat") || body_has(o, "start"))
		return reply_fail(rep, APP_EINVAL, "starts",
				  "give either 'start' and 'repeat', or 'starts'");
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > SERIES_MAX)
		return reply_fail(rep, APP_EINVAL, "starts",
				  "'starts' must be an array of 1 to %d instants", SERIES_MAX);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) ||
		    timeutil_parse_instant(json_string_value(v), &f->starts[i], &why))
			return reply_fail(rep, APP_EINVAL, "starts",
					  "'starts[%zu]' is not an RFC 3339 instant", i);
		if (i && f->starts[i] <= f->starts[i - 1])
			return reply_fail(rep, APP_EINVAL, "starts",
					  "'starts' must be in order, each once");
	}
	f->nstarts = (int)json_array_size(arr);
	f->has_start = true;
	f->start = f->starts[0];
	return APP_OK;
}

/* A mode field of o (absent: *has false). */
static enum app_err read_mode(struct reply *rep, json_t *o, const char *key, bool *has, int *mode)
{
	const char *s;
	enum app_err err;

	if (!(*has = body_has(o, key)))
		return APP_OK;
	if ((err = body_str(rep, o, key, true, 16, &s)))
		return err;
	if ((*mode = appointment_mode_parse(s)) < 0)
		return reply_fail(rep, APP_EINVAL, key,
				  "'%s' must be one of: video, in_person, phone", key);
	return APP_OK;
}

/* The clinic's reference for guests (null or blank: none), trimmed, at
 * most APPT_REFERENCE_MAX characters, into out (cap bytes). */
static enum app_err read_reference(struct reply *rep, json_t *o, char *out, size_t cap)
{
	const char *s;
	enum app_err err;
	size_t n, chars = 0;

	if ((err = body_text(rep, o, "reference", cap - 1, false, &s)))
		return err;
	s = s ? s : "";
	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)s[i] & 0xc0) != 0x80; /* UTF-8 (body_text checked) */
	if (chars > APPT_REFERENCE_MAX)
		return reply_fail(rep, APP_EINVAL, "reference",
				  "'reference' is longer than %d characters", APPT_REFERENCE_MAX);
	snprintf(out, cap, "%.*s", (int)n, s);
	return APP_OK;
}

static enum app_err read_fields(const struct req *req, struct reply *rep, enum read_as as,
				struct fields *f)
{
	static const char *const create_fields[] = {
		"patient_id", "clinician_ids", "start",		 "end",	       "duration_minutes",
		"mode",	      "room_id",       "type_id",	 "override_hours", "waiting_id",
		"reference",  NULL};
	static const char *const series_fields[] = {
		"patient_id", "clinician_ids", "start", "end", "duration_minutes", "mode",
		"room_id", "type_id", "override_hours", "repeat", "starts", "dry_run", "reference", NULL};
	static const char *const patch_fields[] = {
		"patient_id", "clinician_ids", "start", "end", "duration_minutes", "mode",
		"room_id", "type_id", "override_hours", "status", "reason", "held_mode",
		"reference", NULL};
	const char *s;
	enum app_err err;
	json_t *o = NULL;

	memset(f, 0, sizeof(*f));
	f->mode = f->status = f->held_mode = -1;
	bool create = as != READ_PATCH;

	if ((err = body_object(req, rep,
			       as == READ_SERIES   ? series_fields
			       : as == READ_CREATE ? create_fields
						   : patch_fields,
			       false, &o)))
		return err;
	if ((err = body_instant(rep, o, "start", false, &f->has_start, &f->start)) ||
	    (err = body_instant(rep, o, "end", false, &f->has_end, &f->end)) ||
	    (err = body_int(rep, o, "duration_minutes", 1, APPT_MAX_SECONDS / 60, &f->duration,
			    &f->has_duration)) ||
	    (err = read_clinicians(rep, o, f)) ||
	    (err = body_bool(rep, o, "override_hours", false, &f->override_hours)))
		goto out;
	if (as == READ_SERIES &&
	    ((err = body_bool(rep, o, "dry_run", false, &f->dry_run)) ||
	     (err = body_has(o, "starts") ? read_starts(rep, o, f) : read_repeat(rep, o, f))))
		goto out;
	if (f->has_end && f->has_duration) {
		err = reply_fail(rep, APP_EINVAL, "duration_minutes",
				 "give either 'end' or 'duration_minutes', not both");
		goto out;
	}
	f->has_patient = body_has(o, "patient_id");
	if (f->has_patient && (err = body_id(rep, o, "patient_id", true, &f->patient_id)))
		goto out;
	f->has_room = body_has(o, "room_id");
	if (f->has_room && (err = body_id(rep, o, "room_id", false, &f->room_id)))
		goto out;
	f->has_type = body_has(o, "type_id");
	if (f->has_type && (err = body_id(rep, o, "type_id", false, &f->type_id)))
		goto out;
	if ((err = body_id(rep, o, "waiting_id", false, &f->waiting_id)))
		goto out;
	if ((err = read_mode(rep, o, "mode", &f->has_mode, &f->mode)) ||
	    (err = read_mode(rep, o, "held_mode", &f->has_held, &f->held_mode)))
		goto out;
	if ((f->has_status = body_has(o, "status"))) {
		if ((err = body_str(rep, o, "status", true, 16, &s)))
			goto out;
		if ((f->status = appointment_status_parse(s)) < 0) {
			err = reply_fail(rep, APP_EINVAL, "status",
					 "'status' must be one of: booked, invited, confirmed, "
					 "opted_out, cancelled, completed, no_show");
			goto out;
		}
	}
	if ((f->has_reference = body_has(o, "reference")) &&
	    (err = read_reference(rep, o, f->reference, sizeof(f->reference))))
		goto out;
	if ((f->has_reason = body_has(o, "reason"))) {
		if ((err = body_text(rep, o, "reason", APPT_REASON_MAX, true, &s)))
			goto out;
		snprintf(f->reason, sizeof(f->reason), "%s", s ? s : "");
	}
	if (create) {
		if (!f->has_patient)
			err = reply_fail(rep, APP_EINVAL, "patient_id", "'patient_id' is required");
		else if (!f->has_clinicians)
			err = reply_fail(rep, APP_EINVAL, "clinician_ids",
					 "'clinician_ids' is required");
		else if (!f->has_start)
			err = reply_fail(rep, APP_EINVAL, "start", "'start' is required");
		else if (!f->has_end && !f->has_duration && !f->type_id && !f->waiting_id)
			err = reply_fail(rep, APP_EINVAL, "end",
					 "give 'end' or 'duration_minutes' (or a 'type_id')");
	} else if (json_object_size(o) == 0) {
		err = reply_fail(rep, APP_EINVAL, NULL, "give at least one field to change");
	}
out:
	json_decref(o);
	return err;
}

/* The waiting-list entry f books from: one of who's units' (403 for a
 * missing entry as for a foreign one), waiting, for f's patient; its type
 * is the appointment's unless f names one. */
static enum app_err check_waiting(struct store *db, const struct actor *who, struct reply *rep,
				  struct fields *f)
{
	const struct res_desc *d = &resources_waiting;
	struct res_row w;
	int64_t unit = 0;
	enum app_err err;

	if (!f->waiting_id)
		return APP_OK;
	err = store_resource_get(db, d, f->waiting_id, &w);
	if (err && err != APP_ENOTFOUND)
		return err;
	if (authz_scoped(who) && (err || (err = store_resource_unit(db, d, &w, &unit)) ||
				  !unit || !actor_sees_unit(who, unit)))
		return err && err != APP_ENOTFOUND
			       ? err
			       : reply_fail(rep, APP_EFORBIDDEN, "waiting_id",
					    "that waiting-list entry is not in your units");
	if (err)
		return reply_fail(rep, APP_EINVAL, "waiting_id",
				  "there is no waiting-list entry %" PRId64, f->waiting_id);
	if (w.v[store_resource_field(d, "patient_id")].i != f->patient_id)
		return reply_fail(rep, APP_EINVAL, "waiting_id",
				  "waiting-list entry %" PRId64 " is another patient's",
				  f->waiting_id);
	if (strcmp(w.v[store_resource_field(d, "status")].s, "waiting"))
		return reply_fail(rep, APP_ETRANSITION, "waiting_id",
				  "waiting-list entry %" PRId64 " is %s, not waiting", f->waiting_id,
				  w.v[store_resource_field(d, "status")].s);
	if (!f->has_type) {
		f->has_type = true;
		f->type_id = w.v[store_resource_field(d, "type_id")].i;
	}
	return APP_OK;
}

/* Check that who may book the clinicians, the room and the type named in f
 * (those of its units; 403 for a missing one as for a foreign one), and
 * that the people and the room named exist and are active. */
static enum app_err check_refs(struct store *db, const struct actor *who, struct reply *rep,
			       const struct fields *f)
{
	struct res_row room;
	enum app_err err;
	bool exists, active;

	if (authz_clinicians(db, who, f->clinician_ids, f->nclinicians))
		return reply_fail(rep, APP_EFORBIDDEN, "clinician_ids",
				  "you may book only the clinicians of your units");
	if (f->type_id && (err = authz_unit_row(db, who, "consultation_types", f->type_id)))
		return err == APP_EFORBIDDEN
			       ? reply_fail(rep, err, "type_id",
					    "you may book only the consultation types of your units")
			       : err;
	if (f->room_id && (err = authz_unit_row(db, who, "rooms", f->room_id)))
		return err == APP_EFORBIDDEN
			       ? reply_fail(rep, err, "room_id",
					    "you may book only the rooms of your units")
			       : err;
	if (f->has_patient) {
		if ((err = store_resource_ref(db, "patients", f->patient_id, &exists, &active)))
			return err;
		if (!exists || !active)
			return reply_fail(rep, APP_EINVAL, "patient_id",
					  "there is no active patient %" PRId64, f->patient_id);
	}
	for (int i = 0; i < f->nclinicians; i++) {
		if ((err = store_resource_ref(db, "clinicians", f->clinician_ids[i], &exists,
					      &active)))
			return err;
		if (!exists || !active)
			return reply_fail(rep, APP_EINVAL, "clinician_ids",
					  "there is no active clinician %" PRId64,
					  f->clinician_ids[i]);
	}
	if (f->type_id) {
		if ((err = store_resource_ref(db, "consultation_types", f->type_id, &exists,
					      &active)))
			return err;
		if (!exists || !active)
			return reply_fail(rep, APP_EINVAL, "type_id",
					  "there is no active consultation type %" PRId64, f->type_id);
	}
	if (f->room_id) {
		if ((err = store_resource_get(db, &resources_rooms, f->room_id, &room)))
			return err == APP_ENOTFOUND
				       ? reply_fail(rep, APP_EINVAL, "room_id",
						    "there is no room %" PRId64, f->room_id)
				       : err;
		if (!room.v[store_resource_field(&resources_rooms, "active")].i)
			return reply_fail(rep, APP_EINVAL, "room_id", "room %" PRId64 " is inactive",
					  f->room_id);
	}
	return APP_OK;
}

struct edit {
	struct app *app;
	struct store *db;
	struct reply *rep;
	const struct fields *f;
	const struct req *req;
};

/* The rules of next's consultation type, where what they bind changed
 * (a type that changes later does not make old bookings invalid); a new
 * type brings its buffers. */
static enum app_err check_type(struct edit *e, const struct appointment *cur,
			       struct appointment *next)
{
	bool new_type = !cur || cur->type_id != next->type_id;
	struct appt_type t;
	enum app_err err;

	if (!next->type_id) {
		next->buffer_before = next->buffer_after = 0;
		return APP_OK;
	}
	if (!new_type && cur->mode == next->mode && cur->room_id == next->room_id)
		return APP_OK; /* nothing the type rules changed: no need to load it */
	if ((err = resources_type_load(e->db, next->type_id, &t)))
		return err;
	if (new_type) {
		next->buffer_before = t.buffer_before;
		next->buffer_after = t.buffer_after;
	}
	if (next->mode == APPT_VIDEO && !t.video_allowed && (new_type || cur->mode != APPT_VIDEO))
		return reply_fail(e->rep, APP_EINVAL, "mode",
				  "'%s' is not held by video; book it in person or by phone",
				  t.name);
	if (t.needs_room && !next->room_id && (new_type || cur->room_id))
		return reply_fail(e->rep, APP_EINVAL, "room_id", "'%s' needs a room", t.name);
	return APP_OK;
}

/* Rules every resulting appointment must meet, new or changed. */
static enum app_err check_result(struct edit *e, const struct appointment *cur,
				 struct appointment *next)
{
	struct res_row room;
	enum app_err err;

	if ((err = check_type(e, cur, next)))
		return err;
	if ((!cur || cur->mode != next->mode || cur->nclinicians != next->nclinicians) &&
	    (err = api_participant_limit(e->app, e->db, e->rep, next, 0)))
		return err;
	if (next->end <= next->start)
		return reply_fail(e->rep, APP_EINVAL, e->f->has_end ? "end" : "duration_minutes",
				  "the appointment must end after it starts");
	if (next->end - next->start > APPT_MAX_SECONDS)
		return reply_fail(e->rep, APP_EINVAL, "end",
				  "an appointment lasts at most %d hours", APPT_MAX_SECONDS / 3600);
	if (next->mode == APPT_IN_PERSON) {
		if (!next->room_id)
			return reply_fail(e->rep, APP_EINVAL, "room_id",
					  "an appointment in person needs a room");
		if ((err = store_resource_get(e->db, &resources_rooms, next->room_id, &room)))
			return err;
		if (strcmp(room.v[store_resource_field(&resources_rooms, "kind")].s, "clinic"))
			return reply_fail(e->rep, APP_EINVAL, "room_id",
					  "an appointment in person needs a clinic room, not a "
					  "video room");
	}
	/* a new patient gets a new meeting room: the first patient's link and
	 * calendar entry name the old one, and must not let them in */
	if (next->mode == APPT_VIDEO && (!cur || cur->mode != APPT_VIDEO || !next->video_url[0] ||
					 cur->patient_id != next->patient_id)) {
		if (!appointment_video_url(e->app->cfg->video_url_template,
					   e->app->cfg->video_host_url_template, next))
			return reply_fail(e->rep, APP_ESTORE, NULL, "the video URL does not fit");
	} else if (next->mode != APPT_VIDEO) {
		next->video_url[0] = next->video_host_url[0] = '\0';
	}
	return APP_OK;
}

/* The status an appointment had before it was last marked no-show, from
 * its history ({"status":{"old":"invited","new":"no_show"}}). */
struct before_no_show {
	int was; /* -1: none found */
};

static bool note_before_no_show(void *vctx, const struct appt_history *h)
{
	struct before_no_show *b = vctx;
	json_t *c = json_loads(h->changes ? h->changes : "", 0, NULL);
	json_t *st = json_object_get(c, "status");
	const char *to = json_string_value(json_object_get(st, "new"));

	if (to && !strcmp(to, "no_show"))
		b->was = appointment_status_parse(json_string_value(json_object_get(st, "old")));
	json_decref(c);
	return true; /* oldest first: the last one found wins */
}

/* A no-show undone: cur back to status to, which must be what it was
 * before and the same day (appointment_no_show_undo_ok); nothing else may
 * change with it.  The edit's history row records the undo. */
static enum app_err reopen(struct edit *e, const struct appointment *cur,
			   struct appointment *next, enum appt_status to)
{
	struct before_no_show b = {-1};
	const struct fields *f = e->f;
	enum app_err err;

	if (f->has_start || f->has_end || f->has_duration || f->has_mode || f->has_room ||
	    f->has_patient || f->has_clinicians || f->has_type || f->has_held || f->has_reference)
		return reply_fail(e->rep, APP_EINVAL, "status",
				  "undo a no-show by itself, then make other changes");
	if ((err = store_appointments_history(e->db, cur->id, note_before_no_show, &b)))
		return err;
	if (b.was < 0 || (enum appt_status)b.was != to)
		return reply_fail(e->rep, APP_ETRANSITION, "status",
				  "a no-show can be undone only to the status it had before (%s)",
				  b.was < 0 ? "unknown" : appointment_status_name((enum appt_status)b.was));
	if (!appointment_no_show_undo_ok(cur, (enum appt_status)b.was, to, e->req->now))
		return reply_fail(e->rep, APP_ETRANSITION, "status",
				  "a no-show can be undone only on the day of the appointment");
	next->status = to;
	if (f->has_reason)
		snprintf(next->status_reason, sizeof(next->status_reason), "%s", f->reason);
	return APP_OK;
}

/* The field of f that would rewrite what happened: a completed or no-show
 * appointment keeps its time, patient, clinicians, room and mode (how it
 * was held is held_mode); NULL when f touches none. */
static const char *locked_field(const struct fields *f)
{
	return f->has_start	    ? "start"
	       : f->has_end	    ? "end"
	       : f->has_duration    ? "duration_minutes"
	       : f->has_patient	    ? "patient_id"
	       : f->has_clinicians ? "clinician_ids"
	       : f->has_room	    ? "room_id"
	       : f->has_mode	    ? "mode"
				    : NULL;
}

static enum app_err apply_patch(void *vctx, const struct appointment *cur,
				struct appointment *next)
{
	struct edit *e = vctx;
	const struct fields *f = e->f;
	int64_t duration = cur->end - cur->start;
	enum app_err err;

	if (cur->status == APPT_CANCELLED) {
		bool only_cancel = f->has_status && f->status == APPT_CANCELLED && !f->has_start &&
				   !f->has_end && !f->has_duration && !f->has_mode && !f->has_room &&
				   !f->has_patient && !f->has_clinicians && !f->has_reason &&
				   !f->has_type && !f->has_reference;
		if (only_cancel)
			return APP_OK; /* cancelling twice is no change */
		return reply_fail(e->rep, APP_ETRANSITION, "status",
				  "a cancelled appointment cannot be changed; book a new one");
	}
	bool undo = cur->status == APPT_NO_SHOW && f->has_status && f->status <= APPT_CONFIRMED;
	if ((cur->status == APPT_COMPLETED || cur->status == APPT_NO_SHOW) && !undo &&
	    locked_field(f)) /* an undo with more is refused by reopen() */
		return reply_fail(e->rep, APP_ETRANSITION, locked_field(f),
				  "a %s appointment is a record of what happened: its time, "
				  "patient, clinicians, room and mode stay; %s",
				  appointment_status_name(cur->status),
				  cur->status == APPT_NO_SHOW
					  ? "undo the no-show on its day first, or book a new one"
					  : "book a new one");
	if (f->has_start) {
		next->start = f->start;
		next->end = f->start + duration; /* a move keeps the length */
	}
	if (f->has_end)
		next->end = f->end;
	if (f->has_duration)
		next->end = next->start + f->duration * 60;
	if (f->has_mode)
		next->mode = (enum appt_mode)f->mode;
	if (f->has_room)
		next->room_id = f->room_id;
	if (f->has_type)
		next->type_id = f->type_id;
	if (f->has_patient)
		next->patient_id = f->patient_id;
	if (f->has_clinicians) {
		next->nclinicians = f->nclinicians;
		memcpy(next->clinician_ids, f->clinician_ids, sizeof(f->clinician_ids));
	}
	if (f->has_status) {
		if (cur->status == APPT_NO_SHOW && f->status <= APPT_CONFIRMED)
			return reopen(e, cur, next, (enum appt_status)f->status);
		if (!appointment_transition_ok(cur->status, (enum appt_status)f->status))
			return reply_fail(e->rep, APP_ETRANSITION, "status",
					  "an appointment that is %s cannot become %s",
					  appointment_status_name(cur->status),
					  appointment_status_name((enum appt_status)f->status));
		next->status = (enum appt_status)f->status;
		if ((next->status == APPT_COMPLETED || next->status == APPT_NO_SHOW) &&
		    next->status != cur->status && e->req->now < next->start)
			return reply_fail(e->rep, APP_ETRANSITION, "status",
					  "an appointment that has not begun cannot be %s yet",
					  appointment_status_name(next->status));
	} else if (cur->status == APPT_OPTED_OUT && next->mode != cur->mode) {
		next->status = APPT_BOOKED; /* re-booked as the patient asked */
	} else if (next->patient_id != cur->patient_id &&
		   (cur->status == APPT_INVITED || cur->status == APPT_CONFIRMED ||
		    cur->status == APPT_OPTED_OUT)) {
		next->status = APPT_BOOKED; /* another patient: not invited yet */
	} else if (cur->status == APPT_CONFIRMED &&
		   (next->start != cur->start || next->end != cur->end ||
		    next->mode != cur->mode || next->room_id != cur->room_id)) {
		next->status = APPT_INVITED; /* the patient answers the new time again */
	}
	if (next->status == APPT_COMPLETED && cur->status != APPT_COMPLETED)
		next->held_mode = next->mode; /* held as booked, unless noted otherwise */
	if (f->has_held) {
		if (next->status != APPT_COMPLETED)
			return reply_fail(e->rep, APP_EINVAL, "held_mode",
					  "'held_mode' says how a completed consultation was held; "
					  "give it with status completed");
		next->held_mode = (enum appt_mode)f->held_mode;
	}
	if (f->has_reason)
		snprintf(next->status_reason, sizeof(next->status_reason), "%s", f->reason);
	if (f->has_reference)
		snprintf(next->reference, sizeof(next->reference), "%s", f->reference);
	if ((err = check_result(e, cur, next)))
		return err;
	/* working hours bind a new time or new people, unless overridden */
	if (appointment_live(next) && (f->has_start || f->has_end || f->has_duration ||
				       f->has_clinicians)) {
		next->override_hours = f->override_hours;
		if (!f->override_hours)
			return api_hours_check(e->db, e->rep, next);
	}
	return APP_OK;
}

/* What the change tells the patient, in its transaction (outbox.h); a
 * completion also sends the survey and plans the follow-ups (survey.h). */
static enum app_err tell_patient(void *vctx, struct store *db, const struct appointment *cur,
				 const struct appointment *next)
{
	const struct req *req = ((struct edit *)vctx)->req;
	enum app_err err;

	if (next->status == APPT_COMPLETED && cur->status != APPT_COMPLETED &&
	    (err = survey_on_completed(((struct edit *)vctx)->app, db, next, req->now)))
		return err;
	/* no longer completed (a no-show corrected later): its PROMs stop */
	if (cur->status == APPT_COMPLETED && next->status != APPT_COMPLETED &&
	    (err = store_survey_followups_stop(db, false, next->id, req->now)))
		return err;
	return outbox_on_change(((struct edit *)vctx)->app, db, cur, next, false, req->now);
}

/* Before a 409 goes out to a scoped caller: each conflict with an
 * appointment it may not see keeps only its kind (no ids: reply.c leaves
 * them out), and the refusal is audited as action with that appointment
 * and its patient, since the answer still says that they are busy then. */
static void hide_foreign(struct edit *e, const char *action, struct conflicts *cf)
{
	const struct actor *who = &e->req->who;

	if (!authz_scoped(who))
		return;
	for (int i = 0; i < cf->n; i++) {
		struct appointment o = {0};
		enum app_err err = store_appointments_get(e->db, cf->c[i].appointment_id, &o);

		if (!err && authz_appointment(e->db, who, &o) == APP_OK)
			continue;
		audit_read(e->app->audit, who, action, o.patient_id, cf->c[i].appointment_id,
			   e->req->now);
		cf->c[i].id = cf->c[i].appointment_id = 0;
	}
}

static enum app_err fail_write(struct edit *e, enum app_err err, int64_t id, struct conflicts *cf)
{
	struct reply *rep = e->rep;

	if (rep->status)
		return err; /* the edit callback answered already */
	switch (err) {
	case APP_ECONFLICT:
		hide_foreign(e, "appointment.refused_foreign", cf);
		return reply_conflicts(rep, cf);
	case APP_ENOTFOUND: return not_found(rep, id);
	case APP_ESTALE:
		return reply_fail(rep, err, NULL,
				  "appointment %" PRId64 " has changed since it was read; reload it",
				  id);
	default: return err;
	}
}

/* The waiting-list entry the new appointment a was booked from is booked. */
static enum app_err book_waiting(void *vctx, struct store *db, const struct appointment *a)
{
	struct edit *e = vctx;

	return store_waiting_book(db, e->f->waiting_id, a->patient_id, a->id, e->req->now);
}

/* A new appointment from f, the type filling what f leaves out, checked
 * by the rules every appointment meets. */
static enum app_err build_new(struct edit *e, const struct fields *f, struct appointment *a)
{
	struct appt_type t = {.default_mode = APPT_VIDEO};
	enum app_err err;

	memset(a, 0, sizeof(*a));
	if (f->type_id && (err = resources_type_load(e->db, f->type_id, &t)))
		return err;
	a->type_id = f->type_id;
	a->start = f->start;
	a->end = f->start + (f->has_end ? f->end - f->start
					: (f->has_duration ? f->duration : t.duration_minutes) * 60);
	a->mode = f->has_mode ? (enum appt_mode)f->mode : t.default_mode;
	a->status = APPT_BOOKED;
	a->patient_id = f->patient_id;
	a->room_id = f->room_id;
	a->nclinicians = f->nclinicians;
	memcpy(a->clinician_ids, f->clinician_ids, sizeof(f->clinician_ids));
	a->override_hours = f->override_hours;
	snprintf(a->reference, sizeof(a->reference), "%s", f->reference);
	return check_result(e, NULL, a);
}

static enum app_err create(struct app *app, struct store *db, const struct req *req,
			   struct reply *rep)
{
	struct edit e = {app, db, rep, NULL, req};
	struct conflicts cf;
	struct appointment a;
	struct fields f;
	enum app_err err;

	if ((err = read_fields(req, rep, READ_CREATE, &f)))
		return err;
	e.f = &f;
	if ((err = check_waiting(db, &req->who, rep, &f)) || (err = check_refs(db, &req->who, rep, &f)) ||
	    (err = build_new(&e, &f, &a)))
		return err;
	if (!f.override_hours && (err = api_hours_check(db, rep, &a)))
		return err;
	if ((err = store_appointments_create_then(db, &a, f.waiting_id ? book_waiting : NULL, &e,
						  &req->who, req->now, &cf))) {
		if (err == APP_ETRANSITION && !rep->status)
			return reply_fail(rep, err, "waiting_id",
					  "waiting-list entry %" PRId64 " was booked meanwhile",
					  f.waiting_id);
		return fail_write(&e, err, 0, &cf);
	}
	snprintf(rep->location, sizeof(rep->location), "/api/v1/appointments/%" PRId64, a.id);
	return answer(rep, &a, 201);
}

/* A booking says it is coming as it starts, so that a group commit
 * already forming waits for it (store_group_coming). */
API_HANDLER(api_appointments_create)
{
	enum app_err err;

	store_group_coming(db);
	err = create(app, db, req, rep);
	store_group_gone(db);
	return err;
}

/* Occurrence i of the series that starts as first: the same local time,
 * i * every_days local days on (so a DST change keeps the clock time). */
static void occurrence(const struct appointment *first, int64_t every_days, int i,
		       struct appointment *out)
{
	struct civil c;
	int64_t day;

	timeutil_to_local(first->start, &c);
	day = timeutil_days_from_civil(c.year, c.month, c.day) + every_days * i;
	timeutil_civil_from_days(day, &c.year, &c.month, &c.day);
	*out = *first;
	(void)timeutil_from_local(&c, &out->start); /* a gap moves forward */
	out->end = out->start + (first->end - first->start);
}

/* The dry run's answer: each occurrence of v with whether it can be
 * booked and, when not, what is in the way: the conflicts cf[i] (each
 * "busy") and the hours refusal hr[i] (when refused[i]). */
static enum app_err reply_series_check(struct reply *rep, const struct appointment *v, int n,
				       const struct conflicts *cf, const bool *refused,
				       const struct hours_refusal *hr)
{
	struct buf *b = &rep->body;
	char t[TIMEUTIL_INSTANT_LEN], msg[200];
	bool all = true;

	for (int i = 0; i < n; i++)
		all &= !cf[i].n && !refused[i];
	buf_printf(b, "{\"bookable\":%s,\"occurrences\":[", all ? "true" : "false");
	for (int i = 0; i < n; i++) {
		bool ok = !cf[i].n && !refused[i];
		int k = 0;

		buf_json_kint(b, i ? ",{" : "{", "index", i, false);
		timeutil_format(v[i].start, t);
		buf_json_kstr(b, ",", "start", t);
		if (cf[i].n)
			reply_conflict_message(&cf[i], t, msg, sizeof(msg));
		timeutil_format(v[i].end, t);
		buf_json_kstr(b, ",", "end", t);
		buf_printf(b, ",\"bookable\":%s", ok ? "true" : "false");
		buf_json_kstr(b, ",", "message", ok ? NULL : cf[i].n ? msg : hr[i].why);
		buf_puts(b, ",\"problems\":[");
		for (int j = 0; j < cf[i].n; j++) {
			buf_json_kstr(b, k++ ? ",{" : "{", "code", "conflict");
			buf_json_kstr(b, ",", "kind", cf[i].c[j].kind);
			buf_json_kstr(b, ",", "reason", "busy");
			if (cf[i].c[j].appointment_id) { /* else hidden (hide_foreign) */
				buf_json_kint(b, ",", "id", cf[i].c[j].id, false);
				buf_json_kint(b, ",", "appointment_id", cf[i].c[j].appointment_id,
					      false);
			}
			buf_putc(b, '}');
		}
		if (refused[i]) {
			buf_json_kstr(b, k++ ? ",{" : "{", "code", "outside_hours");
			buf_json_kstr(b, ",", "kind", hr[i].kind);
			buf_json_kstr(b, ",", "reason", hr[i].absent ? "absent" : "outside_hours");
			buf_json_kint(b, ",", "id", hr[i].id, false);
			buf_putc(b, '}');
		}
		buf_puts(b, "]}");
	}
	buf_puts(b, "]}");
	rep->status = 200;
	return APP_OK;
}

/* A series by rule ("start" and "repeat") or by its starts ("starts");
 * "dry_run" checks each occurrence and writes nothing (200), else all are
 * booked (201) or none (409, each refusal reported). */
API_HANDLER(api_appointments_series)
{
	struct edit e = {app, db, rep, NULL, req};
	struct occurrence_failure *fail = NULL;
	struct appointment first, *v = NULL;
	struct hours_refusal *hr = NULL;
	struct conflicts *cf = NULL;
	bool *refused = NULL;
	struct fields f;
	enum app_err err;
	int n, nfail = 0;

	if ((err = read_fields(req, rep, READ_SERIES, &f)))
		return err;
	e.f = &f;
	if ((err = check_refs(db, &req->who, rep, &f)) || (err = build_new(&e, &f, &first)))
		return err;
	n = f.nstarts ? f.nstarts : (int)f.count;
	v = calloc((size_t)n, sizeof(*v));
	cf = calloc((size_t)n, sizeof(*cf));
	fail = calloc((size_t)n, sizeof(*fail));
	hr = calloc((size_t)n, sizeof(*hr));
	refused = calloc((size_t)n, sizeof(*refused));
	if (!v || !cf || !fail || !hr || !refused) {
		err = APP_ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		if (!f.nstarts) {
			occurrence(&first, f.every_days, i, &v[i]);
		} else {
			v[i] = first;
			v[i].start = f.starts[i];
			v[i].end = f.starts[i] + (first.end - first.start);
			if (i && v[i].start < v[i - 1].end) {
				err = reply_fail(rep, APP_EINVAL, "starts",
						 "'starts[%d]' begins before 'starts[%d]' ends", i,
						 i - 1);
				goto out;
			}
		}
		if (f.override_hours)
			continue;
		err = api_hours_refusal(db, &v[i], &hr[i]);
		if (err == APP_EOUTSIDE_HOURS) {
			refused[i] = true;
			fail[nfail].index = i;
			fail[nfail].start = v[i].start;
			snprintf(fail[nfail].message, sizeof(fail[nfail].message), "%s", hr[i].why);
			fail[nfail++].code = err;
		} else if (err) {
			goto out;
		}
	}
	/* all or nothing: with any refusal, or a dry run, only look for the
	 * overlaps */
	err = store_appointments_create_series(db, v, n, nfail == 0 && !f.dry_run, &req->who,
					       req->now, cf);
	if (err && err != APP_ECONFLICT)
		goto out;
	if (f.dry_run) {
		for (int i = 0; i < n; i++)
			hide_foreign(&e, "appointment_series.refused_foreign", &cf[i]);
		err = reply_series_check(rep, v, n, cf, refused, hr);
		goto out;
	}
	if (err || nfail) {
		struct occurrence_failure *all = calloc((size_t)n, sizeof(*all));
		int m = 0;

		if (!all) {
			err = APP_ENOMEM;
			goto out;
		}
		for (int i = 0; i < n; i++)
			hide_foreign(&e, "appointment_series.refused_foreign", &cf[i]);
		for (int i = 0, k = 0; i < n; i++) { /* in order, each once */
			char t[TIMEUTIL_INSTANT_LEN];

			if (k < nfail && fail[k].index == i)
				all[m++] = fail[k++];
			else if (!cf[i].n)
				continue;
			else {
				timeutil_format(v[i].start, t);
				all[m] = (struct occurrence_failure){.index = i, .start = v[i].start,
								      .code = APP_ECONFLICT};
				reply_conflict_message(&cf[i], t, all[m++].message,
						       sizeof(all[0].message));
			}
			all[m - 1].cf = &cf[i];
		}
		err = reply_series(rep, all, m);
		free(all);
		goto out;
	}
	buf_json_kint(&rep->body, "{", "series_id", v[0].id, false);
	buf_puts(&rep->body, ",\"appointments\":[");
	for (int i = 0; i < n; i++) {
		if (i)
			buf_putc(&rep->body, ',');
		write_appt(&rep->body, &v[i], false);
	}
	buf_puts(&rep->body, "]}");
	snprintf(rep->location, sizeof(rep->location), "/api/v1/appointments?series_id=%" PRId64,
		 v[0].id);
	rep->status = 201;
	err = APP_OK;
out:
	free(v);
	free(cf);
	free(fail);
	free(hr);
	free(refused);
	return err;
}

API_HANDLER(api_appointments_get)
{
	struct appointment a;
	int64_t answer;
	enum app_err err;

	if ((err = api_appointment_visible(db, req, rep, &a)))
		return err;
	audit_read(app->audit, &req->who, "appointment.read", a.patient_id, a.id, req->now);
	/* the patient's latest questionnaire answer, for the clinician (issue 22) */
	write_appt_open(&rep->body, &a, false);
	if ((err = api_survey_summary(db, &req->who, &rep->body, a.patient_id, &answer)))
		return err;
	if (answer >= 0)
		audit_read(app->audit, &req->who, "questionnaire_responses.read", a.patient_id,
			   answer, req->now);
	buf_putc(&rep->body, '}');
	snprintf(rep->etag, sizeof(rep->etag), "\"%" PRId64 "\"", a.version);
	/* the tag is the appointment's version (API.md: If-Match takes it); an
	 * answer to a questionnaire comes without a new version, so a body that
	 * shows one is never "not modified" */
	rep->etag_partial = answer >= 0;
	rep->status = 200;
	return APP_OK;
}

/* A clinician may only mark their own appointment completed (noting how
 * it was held) or no-show, and undo a no-show (reopen() says when). */
static bool clinician_may(const struct fields *f, const struct appointment *cur)
{
	return (f->has_status || f->has_held) && !f->has_start && !f->has_end &&
	       !f->has_duration && !f->has_mode && !f->has_room && !f->has_patient &&
	       !f->has_clinicians && !f->has_type && !f->has_reason && !f->has_reference &&
	       (!f->has_status || f->status == APPT_COMPLETED || f->status == APPT_NO_SHOW ||
		(cur->status == APPT_NO_SHOW && f->status <= APPT_CONFIRMED)); /* an undo */
}

API_HANDLER(api_appointments_update)
{
	struct edit e = {app, db, rep, NULL, req};
	struct appointment out;
	struct conflicts cf;
	struct fields f;
	enum app_err err;
	int64_t if_match;

	struct appointment cur;

	/* who may see it first: a refusal does not depend on the body */
	if ((err = api_appointment_visible(db, req, rep, &cur)) ||
	    (err = params_if_match(req, rep, &if_match)) ||
	    (err = read_fields(req, rep, READ_PATCH, &f)))
		return err;
	e.f = &f;
	if (req->who.role == ROLE_CLINICIAN && !clinician_may(&f, &cur))
		return reply_fail(rep, APP_EFORBIDDEN, NULL,
				  "clinicians may only mark their appointments completed or no-show, "
				  "or undo a no-show (status and held_mode, nothing else)");
	if ((err = check_refs(db, &req->who, rep, &f)))
		return err;
	err = store_appointments_edit_then(db, req->ids[0], if_match, apply_patch, tell_patient, &e,
					   &req->who, req->now, &cf, &out);
	if (err)
		return fail_write(&e, err, req->ids[0], &cf);
	outbox_kick(app->outbox);
	return answer(rep, &out, 200);
}

static enum app_err apply_cancel(void *vctx, const struct appointment *cur,
				 struct appointment *next)
{
	(void)vctx;
	if (cur->status == APPT_CANCELLED)
		return APP_OK; /* cancelling twice is no change */
	if (!appointment_transition_ok(cur->status, APPT_CANCELLED))
		return APP_ETRANSITION;
	next->status = APPT_CANCELLED;
	return APP_OK;
}

API_HANDLER(api_appointments_cancel)
{
	struct edit e = {app, db, rep, NULL, req};
	struct appointment out;
	struct conflicts cf;
	enum app_err err;
	int64_t if_match;

	if ((err = api_appointment_visible(db, req, rep, &out)) ||
	    (err = params_if_match(req, rep, &if_match)))
		return err;
	err = store_appointments_edit_then(db, req->ids[0], if_match, apply_cancel, tell_patient, &e,
					   &req->who, req->now, &cf, &out);
	if (err == APP_ETRANSITION)
		return reply_fail(rep, err, "status", "a completed appointment cannot be cancelled");
	if (err)
		return fail_write(&e, err, req->ids[0], &cf);
	outbox_kick(app->outbox);
	return answer(rep, &out, 200);
}

struct list_ctx {
	struct buf *b;
	int n;
	bool names;
	struct audit_batch audit;
	struct listcache_rows rows;
	struct participant *parts; /* the day list: everyone else of every row */
	int nparts, capparts;
	struct store *db; /* the day list: the rows' questionnaire answers */
	int64_t *prom;	  /* ... of these patients only (the others have none) */
	int nprom, capprom;
	const struct actor *who; /* ... that the asker may see */
	bool past_day;	  /* the day list: a day before today (no numbers to call) */
	bool unchanged;	  /* the poll's tag is the current answer's: 304 */
	enum app_err err;
};

static bool list_row(void *vctx, const struct appointment *a)
{
	struct list_ctx *c = vctx;

	if (c->n++)
		buf_putc(c->b, ',');
	write_appt(c->b, a, c->names);
	listcache_rows_add(&c->rows, a->patient_id, a->id);
	return !c->b->failed;
}

/* Reads the rows of a list into ctx (list_row for each). */
typedef enum app_err (*list_fn)(struct store *db, const void *arg, struct list_ctx *ctx);

/* Tag rep's whole body (rep->etag); whether the poll's If-None-Match
 * lists that tag (then the answer is a 304 and shows nothing). */
static bool poll_holds(const struct req *req, struct reply *rep)
{
	listcache_etag(rep->body.data, rep->body.len, rep->etag);
	return req->if_none_match && http_etag_listed(req->if_none_match, rep->etag);
}

/* The audit log a read of req goes to: none for a HEAD, whose body is not
 * sent (nothing shown, nothing to audit). */
static struct audit *audit_of_shown(const struct app *app, const struct req *req)
{
	return strcmp(req->method, "HEAD") ? app->audit : NULL;
}

/* Audit the reads noted in rows, as b's actor and action. */
static void audit_rows(struct audit_batch *b, const struct listcache_rows *rows)
{
	for (int i = 0; i < rows->n; i++)
		audit_batch_add(b, rows->ids[i][0], rows->ids[i][1]);
}

/* The JSON array of a list and its tag: from the cache under key
 * (listcache.h), or made by run (which collects its rows' reads in
 * ctx->rows) and kept.  Either way each row is audited as action, once the
 * answer is whole.  A poll whose If-None-Match lists the current entry's
 * tag is ctx->unchanged (304): nothing is copied, made or audited; nor is
 * anything audited when the answer made again is the one the poll holds
 * (the clinic's data changed elsewhere), though it is made and kept.  The
 * reads of the rows shown are the audit: an answer whose rows could not
 * all be noted (out of memory) is not given. */
static enum app_err cached_list(struct app *app, struct store *db, const struct req *req,
				struct reply *rep, const char *action, const char *key, list_fn run,
				const void *arg, struct list_ctx *ctx)
{
	uint64_t generation = store_generation(db); /* before the reads */
	enum app_err err = APP_OK;
	const char *kept;
	size_t len;
	void *lent;

	if (req->if_none_match && listcache_tag(app->lists, key, generation, rep->etag, &ctx->n) &&
	    http_etag_listed(req->if_none_match, rep->etag)) {
		ctx->unchanged = true;
		return APP_OK;
	}
	rep->etag[0] = '\0';
	ctx->n = 0;
	audit_batch_init(&ctx->audit, audit_of_shown(app, req), &req->who, action, req->now);
	if (listcache_get(app->lists, key, generation, &kept, &len, &lent, &ctx->audit, &ctx->n,
			  rep->etag)) {
		reply_lend(rep, kept, len, listcache_give_back, lent);
		goto out;
	}
	buf_putc(&rep->body, '[');
	if ((err = run(db, arg, ctx)))
		goto out;
	buf_putc(&rep->body, ']');
	if (rep->body.failed || ctx->rows.failed) { /* no answer whose reads are not all known */
		err = APP_ENOMEM;
		goto out;
	}
	ctx->unchanged = poll_holds(req, rep);
	listcache_put(app->lists, key, generation, rep->body.data, rep->body.len, rep->etag,
		      &ctx->rows);
	/* made again (something changed since it was kept) and still what
	 * the poll holds: a 304, which shows nothing, so audits nothing */
	if (!ctx->unchanged)
		audit_rows(&ctx->audit, &ctx->rows);
out:
	audit_batch_release(&ctx->audit);
	listcache_rows_release(&ctx->rows);
	return err;
}

static enum app_err run_list(struct store *db, const void *arg, struct list_ctx *ctx)
{
	return store_appointments_list(db, arg, list_row, ctx);
}

struct day_args {
	int64_t clinician_id, from, to;
	const struct req *req; /* run_day's 404 */
	struct reply *rep;
};

/* Whole years from birth ("YYYY-MM-DD") to the local day of t; -1 if unknown. */
static int age_at(const char *birth, int64_t t)
{
	struct civil b, d;
	int years;

	if (!birth[0] || timeutil_parse_date(birth, &b))
		return -1;
	timeutil_to_local(t, &d);
	years = d.year - b.year - (d.month < b.month || (d.month == b.month && d.day < b.day));
	return years < 0 ? -1 : years;
}

/* Keep p, a clinician or guest of one of the day's appointments. */
static bool keep_participant(void *vctx, const struct participant *p)
{
	struct list_ctx *c = vctx;

	if (c->nparts == c->capparts) {
		int cap = c->capparts ? c->capparts * 2 : 64;
		struct participant *more = realloc(c->parts, (size_t)cap * sizeof(*more));
		if (!more) {
			c->err = APP_ENOMEM;
			return false;
		}
		c->parts = more;
		c->capparts = cap;
	}
	c->parts[c->nparts++] = *p;
	return true;
}

/* Note patient, who has PROM answers. */
static bool keep_prom(void *vctx, int64_t patient)
{
	struct list_ctx *c = vctx;

	if (c->nprom == c->capprom) {
		int cap = c->capprom ? c->capprom * 2 : 16;
		int64_t *more = realloc(c->prom, (size_t)cap * sizeof(*more));
		if (!more) {
			c->err = APP_ENOMEM;
			return false;
		}
		c->prom = more;
		c->capprom = cap;
	}
	c->prom[c->nprom++] = patient;
	return true;
}

static bool has_prom(const struct list_ctx *c, int64_t patient)
{
	for (int i = 0; i < c->nprom; i++)
		if (c->prom[i] == patient)
			return true;
	return false;
}

/* One clinician or guest of the day list's appointment (no contact details). */
static void write_participant(struct buf *b, const struct participant *p, bool first)
{
	bool guest = !strcmp(p->kind, "external");

	buf_json_kint(b, first ? "{" : ",{", "id", p->id, false);
	buf_json_kstr(b, ",", "kind", p->kind);
	buf_json_kint(b, ",", "clinician_id", p->clinician_id, true);
	buf_json_kstr(b, ",", "name", p->name);
	buf_json_kstr(b, ",", "role", guest ? p->role : NULL);
	buf_json_kstr(b, ",", "organisation", guest && p->organisation[0] ? p->organisation : NULL);
	buf_json_kstr(b, ",", "interpreter_language",
		      guest && p->interpreter_language[0] ? p->interpreter_language : NULL);
	buf_json_kstr(b, ",", "response", p->response);
	buf_putc(b, '}');
}

/* A row of the clinician's day: the appointment, the patient's age that
 * day, the room, everyone else taking part, and for a consultation by
 * phone still to be held the number to call (no other contact details:
 * the clinician needs none). */
static bool day_row(void *vctx, const struct appointment *a)
{
	struct list_ctx *c = vctx;
	int age = age_at(a->patient_birth_date, a->start);
	int64_t answer;

	if (c->n++)
		buf_putc(c->b, ',');
	write_appt_open(c->b, a, true);
	if (age < 0)
		buf_json_kstr(c->b, ",", "patient_age", NULL);
	else
		buf_json_kint(c->b, ",", "patient_age", age, false);
	buf_json_kstr(c->b, ",", "patient_phone",
		      a->mode == APPT_PHONE && a->patient_phone[0] && !c->past_day &&
				      (a->status == APPT_BOOKED || a->status == APPT_INVITED ||
				       a->status == APPT_CONFIRMED)
			      ? a->patient_phone
			      : NULL);
	if (a->room_id) {
		buf_json_kint(c->b, ",\"room\":{", "id", a->room_id, false);
		buf_json_kstr(c->b, ",", "name", a->room_name);
		buf_json_kstr(c->b, ",", "location", a->room_location[0] ? a->room_location : NULL);
		buf_putc(c->b, '}');
	} else {
		buf_puts(c->b, ",\"room\":null");
	}
	/* a patient with no PROM answer at all: what api_survey_summary writes
	 * for them, without a query a row */
	if (!has_prom(c, a->patient_id)) {
		buf_puts(c->b, ",\"questionnaire\":null");
		answer = -1;
	} else if ((c->err = api_survey_summary(c->db, c->who, c->b, a->patient_id, &answer))) {
		return false;
	}
	if (answer >= 0) { /* the answer shown is a read of it, replayed on a hit too */
		listcache_rows_add(&c->rows, a->patient_id, answer);
	}
	buf_puts(c->b, ",\"participants\":[");
	for (int i = 0, n = 0; i < c->nparts; i++)
		if (c->parts[i].appointment_id == a->id)
			write_participant(c->b, &c->parts[i], !n++);
	buf_puts(c->b, "]}");
	listcache_rows_add(&c->rows, a->patient_id, a->id);
	return !c->b->failed;
}

/* That the clinician exists (404 answered), then three reads (not one
 * snapshot: a change between them is seen at the next read, as the cache's
 * generation was read before all): everyone else of the day's
 * appointments, the patients among them with PROM answers, then the rows.
 * One query for all the guests instead of one per row: at 1M appointments
 * the day list went from 0.14 to 0.05 x hello with a query per row;
 * likewise one for whose answers to look up (most have none).  A kept
 * answer is served only while the generation read before all of this is
 * the current one, so its clinician still exists: a hit asks SQLite
 * nothing about it (one read transaction less a request). */
static enum app_err run_day(struct store *db, const void *arg, struct list_ctx *ctx)
{
	const struct day_args *d = arg;
	enum app_err err;

	ctx->db = db;
	if ((err = api_clinician_exists(db, d->req, d->rep)))
		return err;
	if (!(err = store_participants_day(db, d->clinician_id, d->from, d->to, keep_participant,
					   ctx)) &&
	    !(err = ctx->err) &&
	    !(err = store_survey_prom_patients_day(db, d->clinician_id, d->from, d->to, keep_prom,
						   ctx)) &&
	    !(err = ctx->err))
		err = store_appointments_day(db, d->clinician_id, d->from, d->to, day_row, ctx);
	if (!err)
		err = ctx->err;
	free(ctx->parts);
	ctx->parts = NULL;
	ctx->nparts = ctx->capparts = 0;
	free(ctx->prom);
	ctx->prom = NULL;
	ctx->nprom = ctx->capprom = 0;
	return err;
}

/* Everything the answer of f depends on. */
static void filter_key(const struct appt_filter *f, struct buf *key)
{
	buf_printf(key, "list|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64
			"|%" PRId64 "|%" PRId64 "|%u|%d|%d|%d|",
		   f->from, f->to, f->clinician_id, f->room_id, f->patient_id, f->series_id,
		   f->unit_id, (int64_t)f->nunits, f->status_mask, f->mode, f->limit, f->offset);
	for (int i = 0; i < f->nunits; i++)
		buf_printf(key, "%" PRId64 ",", f->unit_ids[i]);
}

static enum app_err parse_statuses(const struct req *req, struct reply *rep, unsigned *mask)
{
	const char *v = params_get(req, "status");
	char one[32];

	*mask = 0;
	while (v && *v) {
		size_t n = strcspn(v, ",");
		int s;

		snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), v);
		if ((s = appointment_status_parse(one)) < 0)
			return reply_fail(rep, APP_EINVAL, "status", "'%.31s' is not a status", one);
		*mask |= 1u << s;
		v += n + (v[n] == ',');
	}
	return APP_OK;
}

API_HANDLER(api_appointments_list)
{
	static const char *const allowed[] = {"from",	    "to",	  "clinician_id",
					      "room_id",    "patient_id", "series_id",
					      "status",	    "mode",	  "limit",
					      "offset",	    "unit_id",	  NULL};
	struct list_ctx ctx = {.b = &rep->body, .names = true};
	struct buf key;
	struct appt_filter f = {.mode = -1};
	const char *mode;
	enum app_err err;

	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_time(req, rep, "from", false, &f.from)) ||
	    (err = params_time(req, rep, "to", true, &f.to)) ||
	    (err = params_id(req, rep, "clinician_id", &f.clinician_id)) ||
	    (err = params_id(req, rep, "room_id", &f.room_id)) ||
	    (err = params_id(req, rep, "unit_id", &f.unit_id)) ||
	    (err = params_id(req, rep, "patient_id", &f.patient_id)) ||
	    (err = params_id(req, rep, "series_id", &f.series_id)) ||
	    (err = parse_statuses(req, rep, &f.status_mask)) ||
	    (err = params_page(req, rep, LIST_DEFAULT, LIST_MAX, &f.limit, &f.offset)))
		return err;
	if ((mode = params_get(req, "mode")) && (f.mode = appointment_mode_parse(mode)) < 0)
		return reply_fail(rep, APP_EINVAL, "mode", "'mode' must be video, in_person or phone");
	if (f.from && f.to && f.to <= f.from)
		return reply_fail(rep, APP_EINVAL, "to", "'to' must come after 'from'");
	if (req->who.role == ROLE_CLINICIAN && !f.clinician_id)
		f.clinician_id = req->who.clinician_id; /* their own, unless they ask */
	if (f.clinician_id && authz_clinician(db, &req->who, f.clinician_id))
		return reply_fail(rep, APP_EFORBIDDEN, "clinician_id",
				  "you may not see that clinician's appointments");
	f.nunits = req->who.role == ROLE_SECRETARY ? req->who.nunits : 0;
	f.unit_ids = req->who.unit_ids;
	buf_init(&key, LISTCACHE_KEY_MAX);
	filter_key(&f, &key);
	err = cached_list(app, db, req, rep, "appointment.list", key.failed ? "" : key.data,
			  run_list, &f, &ctx);
	buf_release(&key);
	if (err)
		return err;
	if (ctx.n == f.limit && (err = params_link_next(req, rep, f.limit, f.offset)))
		return err;
	rep->status = ctx.unchanged ? 304 : 200;
	return APP_OK;
}

/* The day of the query's "date" (YYYY-MM-DD), or today where none is given. */
static enum app_err date_asked(struct app *app, const struct req *req, struct reply *rep,
			       struct civil *day)
{
	const char *date = params_get(req, "date");

	if (!date) {
		timeutil_to_local(app_now(app), day);
		return APP_OK;
	}
	if (timeutil_parse_date(date, day))
		return reply_fail(rep, APP_EINVAL, "date", "'date' must be a real date (YYYY-MM-DD)");
	return APP_OK;
}

API_HANDLER(api_appointments_day)
{
	static const char *const allowed[] = {"date", NULL};
	struct list_ctx ctx = {.b = &rep->body, .names = true};
	struct day_args args = {req->ids[0], 0, 0, req, rep};
	struct civil day;
	struct buf key;
	int64_t today, tomorrow;
	enum app_err err, missing;

	/* api_clinician_visible's two halves: whether it exists, in run_day */
	if ((err = params_only(req, rep, allowed)) || (err = api_clinician_allowed(db, req, rep)))
		return err;
	if ((err = date_asked(app, req, rep, &day))) /* a missing clinician's 404 first */
		return (missing = api_clinician_exists(db, req, rep)) ? missing : err;
	timeutil_day_bounds(&day, &args.from, &args.to);
	/* the patient's number only while there is still a call to make */
	timeutil_to_local(app_now(app), &day);
	timeutil_day_bounds(&day, &today, &tomorrow);
	ctx.past_day = args.to <= today;
	/* the rows' questionnaire answers depend on the asker's scope */
	ctx.who = &req->who;
	buf_init(&key, LISTCACHE_KEY_MAX);
	buf_printf(&key, "day|%" PRId64 "|%" PRId64 "|%d|", args.clinician_id, args.from,
		   ctx.past_day);
	if (authz_scoped(&req->who)) {
		buf_printf(&key, "%d|%" PRId64, (int)req->who.role, req->who.clinician_id);
		for (int i = 0; i < req->who.nunits; i++)
			buf_printf(&key, ",%" PRId64, req->who.unit_ids[i]);
	}
	err = cached_list(app, db, req, rep, "day.read", key.failed ? "" : key.data, run_day,
			  &args, &ctx);
	buf_release(&key);
	if (err)
		return err;
	rep->status = ctx.unchanged ? 304 : 200;
	return APP_OK;
}

/* ---- the calendar's board ---- */

struct board_args {
	int64_t from, to, unit;
	int nunits;
	const int64_t *units;
};

/* A block of the calendar: only what it draws (calendar.js block()). */
static bool board_row(void *vctx, const struct appointment *a)
{
	struct list_ctx *c = vctx;
	char t[TIMEUTIL_INSTANT_LEN];

	if (c->n++)
		buf_putc(c->b, ',');
	buf_json_kint(c->b, "{", "id", a->id, false);
	timeutil_format(a->start, t);
	buf_json_kstr(c->b, ",", "start", t);
	timeutil_format(a->end, t);
	buf_json_kstr(c->b, ",", "end", t);
	buf_json_kstr(c->b, ",", "mode", appointment_mode_name(a->mode));
	buf_json_kstr(c->b, ",", "status", appointment_status_name(a->status));
	buf_json_kstr(c->b, ",", "patient_name", a->patient_name);
	buf_puts(c->b, ",\"clinician_ids\":[");
	for (int i = 0; i < a->nclinicians; i++) {
		if (i)
			buf_putc(c->b, ',');
		buf_int(c->b, a->clinician_ids[i]);
	}
	buf_putc(c->b, ']');
	buf_json_kint(c->b, ",", "room_id", a->room_id, true);
	buf_putc(c->b, '}');
	listcache_rows_add(&c->rows, a->patient_id, a->id);
	return !c->b->failed;
}

static enum app_err run_board(struct store *db, const void *arg, struct list_ctx *ctx)
{
	const struct board_args *d = arg;

	return store_appointments_board(db, d->from, d->to, d->unit, d->nunits, d->units, LIST_MAX,
					board_row, ctx);
}

/* GET /appointments/board?date=&unit_id=: a day of appointments as the
 * calendar draws them, a short object each (a fifth of the list's bytes),
 * the same rows as the list's from=to=date (and unit_id), at most
 * LIST_MAX.  Through the list cache like the list; every row audited. */
API_HANDLER(api_appointments_board)
{
	static const char *const allowed[] = {"date", "unit_id", NULL};
	struct list_ctx ctx = {.b = &rep->body};
	struct board_args args = {0};
	struct res_row row;
	struct civil day;
	struct buf key;
	enum app_err err;

	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_id(req, rep, "unit_id", &args.unit)))
		return err;
	if ((err = date_asked(app, req, rep, &day)))
		return err;
	/* a unit-limited secretary: one of theirs (403 for any other, as for
	 * their other records); anyone else: one that exists */
	if (args.unit && authz_scoped(&req->who) && !actor_sees_unit(&req->who, args.unit))
		return reply_fail(rep, APP_EFORBIDDEN, "unit_id", "not in your units");
	if (args.unit && !authz_scoped(&req->who)) {
		if ((err = store_resource_get(db, &resources_units, args.unit, &row)) == APP_ENOTFOUND)
			return reply_fail(rep, err, "unit_id", "there is no unit %" PRId64, args.unit);
		if (err)
			return err;
		store_resource_row_release(&resources_units, &row);
	}
	timeutil_day_bounds(&day, &args.from, &args.to);
	args.nunits = authz_scoped(&req->who) ? req->who.nunits : 0;
	args.units = req->who.unit_ids;
	buf_init(&key, LISTCACHE_KEY_MAX);
	buf_printf(&key, "board|%" PRId64 "|%" PRId64 "|%" PRId64 "|", args.from, args.to, args.unit);
	for (int i = 0; i < args.nunits; i++)
		buf_printf(&key, "%" PRId64 ",", args.units[i]);
	err = cached_list(app, db, req, rep, "appointment.board", key.failed ? "" : key.data,
			  run_board, &args, &ctx);
	buf_release(&key);
	if (err)
		return err;
	rep->status = ctx.unchanged ? 304 : 200;
	return APP_OK;
}

struct queue_ctx {
	struct buf *b;
	int n;
	struct listcache_rows rows; /* the reads of the items, audited if they are shown */
};

static bool queue_row(void *vctx, const struct queue_item *q)
{
	struct queue_ctx *c = vctx;
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kstr(c->b, c->n++ ? ",{" : "{", "kind", q->kind);
	if (q->at)
		timeutil_format(q->at, t);
	buf_json_kstr(c->b, ",", "at", q->at ? t : NULL);
	buf_json_kstr(c->b, ",", "detail", q->detail[0] ? q->detail : NULL);
	buf_json_kint(c->b, ",", "message_id", q->message_id, true);
	buf_json_kstr(c->b, ",", "channel", q->channel[0] ? q->channel : NULL);
	buf_json_kint(c->b, ",", "response_id", q->response_id, true);
	buf_puts(c->b, ",\"appointment\":");
	write_appt(c->b, &q->a, true);
	buf_putc(c->b, '}');
	listcache_rows_add(&c->rows, q->a.patient_id, q->a.id);
	return !c->b->failed;
}

#define QUEUE_BACK_S (7 * 86400) /* opted out or failed: until a week after */

/* The work queue asked for by req (unit_id): the caller's units. */
static struct queue_filter queue_asked(const struct app *app, const struct req *req)
{
	return (struct queue_filter){.now = req->now,
				     .window = (int64_t)app->cfg->unanswered_hours * 3600,
				     .back = QUEUE_BACK_S,
				     .nunits = req->who.role == ROLE_SECRETARY ? req->who.nunits : 0,
				     .unit_ids = req->who.unit_ids};
}

/* The queue's items, each a read of its appointment, audited unless the
 * answer is a 304 (the page's poll that found nothing new). */
API_HANDLER(api_appointments_queue)
{
	static const char *const allowed[] = {"unit_id", "limit", "offset", NULL};
	struct queue_ctx c = {&rep->body, 0, {0}};
	struct queue_filter f = queue_asked(app, req);
	struct audit_batch audit;
	enum app_err err;

	/* all of it unless asked for less: the page shows what it is given */
	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_id(req, rep, "unit_id", &f.unit_id)) ||
	    (err = params_page(req, rep, LIST_MAX, LIST_MAX, &f.limit, &f.offset)))
		return err;
	buf_putc(&rep->body, '[');
	err = store_appointments_queue(db, &f, queue_row, &c);
	buf_putc(&rep->body, ']');
	if (!err && (rep->body.failed || c.rows.failed)) /* not given: its reads are not all known */
		err = APP_ENOMEM;
	if (!err && c.n == f.limit)
		err = params_link_next(req, rep, f.limit, f.offset);
	if (!err && poll_holds(req, rep)) {
		rep->status = 304;
	} else if (!err) {
		audit_batch_init(&audit, audit_of_shown(app, req), &req->who, "work_queue.read",
				 req->now);
		audit_rows(&audit, &c.rows);
		audit_batch_release(&audit);
		rep->status = 200;
	}
	listcache_rows_release(&c.rows);
	return err;
}

/* GET /work-queue/count: how many items the queue has, for the menu's
 * count (app.js polls it every minute): no patient's data, so no read to
 * audit, and no limit. */
API_HANDLER(api_appointments_queue_count)
{
	static const char *const allowed[] = {"unit_id", NULL};
	struct queue_filter f = queue_asked(app, req);
	int64_t n = 0;
	enum app_err err;

	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_id(req, rep, "unit_id", &f.unit_id)) ||
	    (err = store_appointments_queue_count(db, &f, &n)))
		return err;
	buf_json_kint(&rep->body, "{", "count", n, false);
	buf_putc(&rep->body, '}');
	rep->status = 200;
	return APP_OK;
}

struct history_ctx {
	struct buf *b;
	int n;
};

static bool history_row(void *vctx, const struct appt_history *h)
{
	struct history_ctx *c = vctx;
	char t[TIMEUTIL_INSTANT_LEN];

	timeutil_format(h->at, t);
	buf_json_kint(c->b, c->n++ ? ",{" : "{", "id", h->id, false);
	buf_json_kstr(c->b, ",", "at", t);
	buf_json_kstr(c->b, ",", "actor", h->actor);
	buf_json_kstr(c->b, ",", "action", h->action);
	buf_puts(c->b, ",\"changes\":");
	buf_puts(c->b, h->changes ? h->changes : "{}"); /* stored as JSON text by the store */
	buf_putc(c->b, '}');
	return !c->b->failed;
}

API_HANDLER(api_appointments_history)
{
	struct history_ctx ctx = {&rep->body, 0};
	struct appointment a;
	enum app_err err;

	if ((err = api_appointment_visible(db, req, rep, &a)))
		return err;
	audit_read(app->audit, &req->who, "appointment.history", a.patient_id, a.id, req->now);
	buf_putc(&rep->body, '[');
	if ((err = store_appointments_history(db, req->ids[0], history_row, &ctx)))
		return err;
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}
