/*
 * store_appointments.c - SQL for appointments, participants and history.
 *
 * Overlap queries are bounded by the longest possible appointment
 * (APPT_MAX_SECONDS): "start < :end AND start > :start - max AND end > :start"
 * is an index range scan on (who, start) whose cost does not grow with the
 * history.  Cancelled appointments hold no time.
 *
 * Participant rows carry copies of the appointment's times.  An edit first
 * takes its rows out of the overlap triggers (live = 0), changes the people,
 * then updates the appointment, whose trigger writes the final times and
 * liveness back onto every row: the database checks the end state, never a
 * half-edited one.
 */
#include "store_appointments.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "buf.h"
#include "store.h"
#include "store_stats.h"
#include "store_users.h"
#include "timeutil.h"

#define MAXS "43200"

#define APPT_COLS                                                                                  \
	"a.id, a.start_at, a.end_at, a.mode, a.status, a.patient_id, a.room_id, a.video_url, "     \
	"a.status_reason, a.version, a.created_at, a.updated_at, a.type_id, a.buffer_before, "     \
	"a.buffer_after, a.series_id, (SELECT group_concat(clinician_id) FROM participants "       \
	"WHERE appointment_id = a.id AND clinician_id IS NOT NULL), a.held_mode, a.video_host_url, " \
	"a.opt_out_reason, a.reference"

static const char SQL_GET[] = "SELECT " APPT_COLS " FROM appointments a WHERE a.id = ?1";

static const char SQL_CONFLICT_CLINICIAN[] =
	"SELECT appointment_id FROM participants WHERE clinician_id = ?1 AND start_at < ?3 "
	"AND start_at > ?2 - " MAXS " AND end_at > ?2 AND live AND appointment_id <> ?4 "
	"ORDER BY start_at LIMIT 8";
static const char SQL_CONFLICT_PATIENT[] =
	"SELECT appointment_id FROM participants WHERE patient_id = ?1 AND start_at < ?3 "
	"AND start_at > ?2 - " MAXS " AND end_at > ?2 AND live AND appointment_id <> ?4 "
	"ORDER BY start_at LIMIT 8";
static const char SQL_CONFLICT_ROOM[] =
	"SELECT id FROM appointments WHERE room_id = ?1 AND start_at < ?3 "
	"AND start_at > ?2 - " MAXS " AND end_at > ?2 AND status <> 'cancelled' AND id <> ?4 "
	"ORDER BY start_at LIMIT 8";

static const char SQL_INSERT[] =
	"INSERT INTO appointments (start_at, end_at, mode, status, patient_id, room_id, "
	"video_url, status_reason, type_id, buffer_before, buffer_after, held_mode, "
	"video_host_url, version, created_at, updated_at, series_id, reference) VALUES (?1, ?2, ?3, "
	"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 1, ?14, ?14, ?15, ?16)";
static const char SQL_SERIES_FIRST[] = "UPDATE appointments SET series_id = id WHERE id = ?1";
static const char SQL_INSERT_PARTICIPANT[] =
	"INSERT INTO participants (appointment_id, kind, patient_id, clinician_id, start_at, "
	"end_at, live) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_UPDATE[] =
	"UPDATE appointments SET start_at = ?2, end_at = ?3, mode = ?4, status = ?5, "
	"patient_id = ?6, room_id = ?7, video_url = ?8, status_reason = ?9, type_id = ?10, "
	"buffer_before = ?11, buffer_after = ?12, held_mode = ?13, video_host_url = ?14, "
	"version = version + 1, updated_at = ?15, reference = ?16 WHERE id = ?1";
static const char SQL_PARTICIPANTS_OFF[] =
	"UPDATE participants SET live = 0 WHERE appointment_id = ?1";
static const char SQL_DELETE_CLINICIAN[] =
	"DELETE FROM participants WHERE appointment_id = ?1 AND clinician_id = ?2";
static const char SQL_SET_PATIENT[] =
	"UPDATE participants SET patient_id = ?2, response = 'needs-action', responded_at = NULL "
	"WHERE appointment_id = ?1 AND kind = 'patient'";
static const char SQL_HISTORY_INSERT[] =
	"INSERT INTO appointment_history (appointment_id, at, actor, action, changes) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_HISTORY[] =
	"SELECT id, at, actor, action, changes FROM appointment_history "
	"WHERE appointment_id = ?1 ORDER BY id";
static const char SQL_DAY[] =
	"SELECT " APPT_COLS ", pt.name, pt.birth_date, r.name, r.location, pt.phone "
	"FROM participants p "
	"JOIN appointments a ON a.id = p.appointment_id "
	"JOIN patients pt ON pt.id = a.patient_id LEFT JOIN rooms r ON r.id = a.room_id "
	"WHERE p.clinician_id = ?1 AND p.start_at >= ?2 AND p.start_at < ?3 "
	"ORDER BY p.start_at, p.end_at"; /* the index's order: no sorting */

static void parse_ids(const char *s, struct appointment *a)
{
	a->nclinicians = 0;
	while (s && *s && a->nclinicians < APPT_MAX_CLINICIANS) {
		char *end;
		a->clinician_ids[a->nclinicians++] = strtoll(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
	}
	/* group_concat has no defined order: keep ids sorted for stable output */
	for (int i = 1; i < a->nclinicians; i++)
		for (int j = i; j > 0 && a->clinician_ids[j - 1] > a->clinician_ids[j]; j--) {
			int64_t t = a->clinician_ids[j];
			a->clinician_ids[j] = a->clinician_ids[j - 1];
			a->clinician_ids[j - 1] = t;
		}
}

static void read_appt(sqlite3_stmt *st, struct appointment *a)
{
	int m, s;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(st, 0);
	a->start = sqlite3_column_int64(st, 1);
	a->end = sqlite3_column_int64(st, 2);
	m = appointment_mode_parse((const char *)sqlite3_column_text(st, 3));
	s = appointment_status_parse((const char *)sqlite3_column_text(st, 4));
	a->mode = m < 0 ? APPT_VIDEO : (enum appt_mode)m;
	a->status = s < 0 ? APPT_BOOKED : (enum appt_status)s;
	a->patient_id = sqlite3_column_int64(st, 5);
	a->room_id = sqlite3_column_int64(st, 6);
	store_copy_text(a->video_url, sizeof(a->video_url), st, 7);
	store_copy_text(a->status_reason, sizeof(a->status_reason), st, 8);
	a->version = sqlite3_column_int64(st, 9);
	a->created_at = sqlite3_column_int64(st, 10);
	a->updated_at = sqlite3_column_int64(st, 11);
	a->type_id = sqlite3_column_int64(st, 12);
	a->buffer_before = sqlite3_column_int64(st, 13);
	a->buffer_after = sqlite3_column_int64(st, 14);
	a->series_id = sqlite3_column_int64(st, 15);
	parse_ids((const char *)sqlite3_column_text(st, 16), a);
	m = appointment_mode_parse((const char *)sqlite3_column_text(st, 17));
	a->held_mode = m < 0 ? a->mode : (enum appt_mode)m;
	store_copy_text(a->video_host_url, sizeof(a->video_host_url), st, 18);
	store_copy_text(a->opt_out_reason, sizeof(a->opt_out_reason), st, 19);
	store_copy_text(a->reference, sizeof(a->reference), st, 20);
}

/* APPT_COLS followed by the patient's name (the lists). */
#define APPT_NAME_COL 21
static void read_appt_named(sqlite3_stmt *st, struct appointment *a)
{
	read_appt(st, a);
	store_copy_text(a->patient_name, sizeof(a->patient_name), st, APPT_NAME_COL);
}

/* read_appt_named, then the patient's birth date, the room and the
 * patient's phone (SQL_DAY). */
static void read_appt_day(sqlite3_stmt *st, struct appointment *a)
{
	read_appt_named(st, a);
	store_copy_text(a->patient_birth_date, sizeof(a->patient_birth_date), st,
			APPT_NAME_COL + 1);
	store_copy_text(a->room_name, sizeof(a->room_name), st, APPT_NAME_COL + 2);
	store_copy_text(a->room_location, sizeof(a->room_location), st, APPT_NAME_COL + 3);
	store_copy_text(a->patient_phone, sizeof(a->patient_phone), st, APPT_NAME_COL + 4);
}

static void bind_opt_id(sqlite3_stmt *st, int idx, int64_t id)
{
	if (id)
		sqlite3_bind_int64(st, idx, id);
	else
		sqlite3_bind_null(st, idx);
}

enum app_err store_appointments_get(struct store *s, int64_t id, struct appointment *out)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, SQL_GET, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_appt(st, out);
	else if (rc == SQLITE_DONE)
		err = APP_ENOTFOUND;
	else
		err = store_fail(s, rc, "appointment get");
	store_done(st);
	return err;
}

static enum app_err find_conflicts(struct store *s, const char *sql, const char *kind, int64_t who,
				   const struct appointment *a, struct conflicts *cf)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, who);
	sqlite3_bind_int64(st, 2, a->start);
	sqlite3_bind_int64(st, 3, a->end);
	sqlite3_bind_int64(st, 4, a->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cf->n == CONFLICTS_MAX)
			continue;
		cf->c[cf->n].kind = kind;
		cf->c[cf->n].id = who;
		cf->c[cf->n].appointment_id = sqlite3_column_int64(st, 0);
		cf->n++;
	}
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "conflict check");
	store_done(st);
	return err;
}

/* Fill cf with every overlap a would have; APP_ECONFLICT when any. */
static enum app_err check_conflicts(struct store *s, const struct appointment *a,
				    struct conflicts *cf)
{
	enum app_err err = APP_OK;

	cf->n = 0;
	for (int i = 0; i < a->nclinicians && !err; i++)
		err = find_conflicts(s, SQL_CONFLICT_CLINICIAN, "clinician", a->clinician_ids[i], a,
				     cf);
	if (!err && a->room_id)
		err = find_conflicts(s, SQL_CONFLICT_ROOM, "room", a->room_id, a, cf);
	if (!err)
		err = find_conflicts(s, SQL_CONFLICT_PATIENT, "patient", a->patient_id, a, cf);
	if (err)
		return err;
	return cf->n ? APP_ECONFLICT : APP_OK;
}

static enum app_err insert_participant(struct store *s, const struct appointment *a,
				       const char *kind, int64_t patient_id, int64_t clinician_id,
				       bool live)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_INSERT_PARTICIPANT, &st)))
		return err;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	bind_opt_id(st, 3, patient_id);
	bind_opt_id(st, 4, clinician_id);
	sqlite3_bind_int64(st, 5, a->start);
	sqlite3_bind_int64(st, 6, a->end);
	sqlite3_bind_int(st, 7, live);
	return store_step_done(s, st, "participant insert");
}

enum app_err store_appointments_note(struct store *s, const struct appointment *a, int64_t now,
				     const struct actor *who, const char *action, const char *changes)
{
	struct audit_row row;
	char what[48];
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_HISTORY_INSERT, &st)))
		return err;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_text(st, 3, who && who->username[0] ? who->username : "system", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, changes, -1, SQLITE_TRANSIENT);
	if ((err = store_step_done(s, st, "history insert")))
		return err;
	snprintf(what, sizeof(what), "appointment.%s", action);
	audit_fill(&row, who, what, a->patient_id, a->id, now);
	return store_users_audit_add(s, &row);
}

/* The value of one history field as JSON. */
enum hfield {
	H_START,
	H_END,
	H_MODE,
	H_STATUS,
	H_PATIENT,
	H_ROOM,
	H_CLINICIANS,
	H_REASON,
	H_TYPE,
	H_HELD,
	H_REFERENCE,
	H_N
};
static const char *const hnames[H_N] = {"start",         "end",          "mode",
					"status",        "patient_id",   "room_id",
					"clinician_ids", "status_reason", "type_id",
					"held_mode",     "reference"};

static void hvalue(struct buf *b, const struct appointment *a, enum hfield f)
{
	char t[TIMEUTIL_INSTANT_LEN];

	switch (f) {
	case H_START:
	case H_END:
		timeutil_format(f == H_START ? a->start : a->end, t);
		buf_json_str(b, t);
		break;
	case H_MODE: buf_json_str(b, appointment_mode_name(a->mode)); break;
	case H_STATUS: buf_json_str(b, appointment_status_name(a->status)); break;
	case H_PATIENT: buf_printf(b, "%" PRId64, a->patient_id); break;
	case H_ROOM:
	case H_TYPE:
		if (f == H_ROOM ? a->room_id : a->type_id)
			buf_printf(b, "%" PRId64, f == H_ROOM ? a->room_id : a->type_id);
		else
			buf_puts(b, "null");
		break;
	case H_CLINICIANS:
		buf_putc(b, '[');
		for (int i = 0; i < a->nclinicians; i++)
			buf_printf(b, "%s%" PRId64, i ? "," : "", a->clinician_ids[i]);
		buf_putc(b, ']');
		break;
	case H_REASON: buf_json_str(b, a->status_reason[0] ? a->status_reason : NULL); break;
	case H_REFERENCE: buf_json_str(b, a->reference[0] ? a->reference : NULL); break;
	case H_HELD:
		buf_json_str(b, a->status == APPT_COMPLETED ? appointment_mode_name(a->held_mode)
							    : NULL);
		break;
	case H_N: break;
	}
}

static bool same_clinicians(const struct appointment *a, const struct appointment *b)
{
	if (a->nclinicians != b->nclinicians)
		return false;
	for (int i = 0; i < a->nclinicians; i++)
		if (!appointment_has_clinician(b, a->clinician_ids[i]))
			return false;
	return true;
}

static bool field_changed(const struct appointment *a, const struct appointment *b, enum hfield f)
{
	switch (f) {
	case H_START: return a->start != b->start;
	case H_END: return a->end != b->end;
	case H_MODE: return a->mode != b->mode;
	case H_STATUS: return a->status != b->status;
	case H_PATIENT: return a->patient_id != b->patient_id;
	case H_ROOM: return a->room_id != b->room_id;
	case H_CLINICIANS: return !same_clinicians(a, b);
	case H_REASON: return strcmp(a->status_reason, b->status_reason) != 0;
	case H_REFERENCE: return strcmp(a->reference, b->reference) != 0;
	case H_TYPE: return a->type_id != b->type_id;
	case H_HELD:
		return (a->status == APPT_COMPLETED) != (b->status == APPT_COMPLETED) ||
		       (a->status == APPT_COMPLETED && a->held_mode != b->held_mode);
	case H_N: break;
	}
	return false;
}

/* {"field":{"old":..,"new":..},...} for what differs; a snapshot if !old. */
static void history_changes(struct buf *b, const struct appointment *old,
			    const struct appointment *new)
{
	bool first = true;

	buf_putc(b, '{');
	for (int f = 0; f < H_N; f++) {
		if (old && !field_changed(old, new, (enum hfield)f))
			continue;
		buf_printf(b, "%s\"%s\":", first ? "" : ",", hnames[f]);
		first = false;
		if (old) {
			buf_puts(b, "{\"old\":");
			hvalue(b, old, (enum hfield)f);
			buf_puts(b, ",\"new\":");
			hvalue(b, new, (enum hfield)f);
			buf_putc(b, '}');
		} else {
			hvalue(b, new, (enum hfield)f);
		}
	}
	if (old && strcmp(old->video_url, new->video_url))
		buf_printf(b, "%s\"video_url\":\"changed\"", first ? "" : ",");
	if (new->override_hours)
		buf_printf(b, "%s\"override_hours\":true", first ? "" : ",");
	buf_putc(b, '}');
}

static void bind_appt(sqlite3_stmt *st, const struct appointment *a, int first)
{
	sqlite3_bind_int64(st, first, a->start);
	sqlite3_bind_int64(st, first + 1, a->end);
	sqlite3_bind_text(st, first + 2, appointment_mode_name(a->mode), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, first + 3, appointment_status_name(a->status), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, first + 4, a->patient_id);
	bind_opt_id(st, first + 5, a->room_id);
	store_bind_text(st, first + 6, a->video_url);
	store_bind_text(st, first + 7, a->status_reason);
	bind_opt_id(st, first + 8, a->type_id);
	sqlite3_bind_int64(st, first + 9, a->buffer_before);
	sqlite3_bind_int64(st, first + 10, a->buffer_after);
	if (a->status == APPT_COMPLETED)
		sqlite3_bind_text(st, first + 11, appointment_mode_name(a->held_mode), -1,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, first + 11);
	store_bind_text(st, first + 12, a->video_host_url);
}

/* Insert a and its participants, with the history, in the caller's
 * transaction; the overlap check is the caller's. */
static enum app_err insert_one(struct store *s, struct appointment *a, const struct actor *who,
			       int64_t now, struct buf *b)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_INSERT, &st)))
		return err;
	bind_appt(st, a, 1);
	sqlite3_bind_int64(st, 14, now);
	bind_opt_id(st, 15, a->series_id);
	store_bind_text(st, 16, a->reference);
	if ((err = store_step_done(s, st, "appointment insert")))
		return err;
	a->id = sqlite3_last_insert_rowid(store_db(s));
	a->version = 1;
	a->created_at = a->updated_at = now;
	if ((err = insert_participant(s, a, "patient", a->patient_id, 0, appointment_live(a))))
		return err;
	for (int i = 0; i < a->nclinicians; i++)
		if ((err = insert_participant(s, a, "clinician", 0, a->clinician_ids[i],
					      appointment_live(a))))
			return err;
	buf_reset(b);
	history_changes(b, NULL, a);
	if (b->failed)
		return APP_ENOMEM;
	return store_appointments_note(s, a, now, who, "create", b->data);
}

enum app_err store_appointments_create(struct store *s, struct appointment *a,
				       const struct actor *who, int64_t now, struct conflicts *cf)
{
	return store_appointments_create_then(s, a, NULL, NULL, who, now, cf);
}

struct create_job {
	struct appointment *a;
	appt_created_fn after;
	void *ctx;
	const struct actor *who;
	int64_t now;
	struct conflicts *cf;
};

/* One booking, on whichever connection s runs its group (store_group). */
static enum app_err create_one(struct store *s, void *vjob)
{
	struct create_job *j = vjob;
	enum app_err err;
	struct buf b;

	buf_init(&b, 8192);
	j->cf->n = 0;
	j->a->id = 0;
	if (!(err = check_conflicts(s, j->a, j->cf)) &&
	    !(err = insert_one(s, j->a, j->who, j->now, &b)) &&
	    !(j->after && (err = j->after(j->ctx, s, j->a))))
		err = store_stats_refresh(s, j->a->id);
	buf_release(&b);
	return err;
}

enum app_err store_appointments_create_then(struct store *s, struct appointment *a,
					    appt_created_fn after, void *ctx,
					    const struct actor *who, int64_t now,
					    struct conflicts *cf)
{
	struct create_job j = {a, after, ctx, who, now, cf};

	cf->n = 0;
	a->id = 0;
	return store_group(s, create_one, &j);
}

enum app_err store_appointments_create_series(struct store *s, struct appointment *v, int n,
					      bool write, const struct actor *who, int64_t now,
					      struct conflicts *cf)
{
	enum app_err err;
	bool taken = false;
	struct buf b;

	buf_init(&b, 8192);
	if ((err = store_begin(s)))
		goto out;
	for (int i = 0; i < n; i++) {
		v[i].id = 0;
		err = check_conflicts(s, &v[i], &cf[i]);
		if (err && err != APP_ECONFLICT)
			goto out;
		taken |= err == APP_ECONFLICT;
	}
	if (taken || !write) {
		err = taken ? APP_ECONFLICT : APP_OK;
		store_rollback(s);
		buf_release(&b);
		return err;
	}
	for (int i = 0; i < n; i++) {
		v[i].series_id = i ? v[0].id : 0;
		if ((err = insert_one(s, &v[i], who, now, &b)) ||
		    (err = store_stats_refresh(s, v[i].id)))
			goto out;
		if (i == 0 && (err = store_run(s, SQL_SERIES_FIRST, 1, v[0].id, 0)))
			goto out;
	}
	v[0].series_id = v[0].id;
	err = store_commit(s);
out:
	if (err)
		store_rollback(s);
	buf_release(&b);
	return err;
}

/* Bring the participant rows of next into line with cur's (see the top). */
static enum app_err write_people(struct store *s, const struct appointment *cur,
				 const struct appointment *next)
{
	enum app_err err;

	if ((err = store_run(s, SQL_PARTICIPANTS_OFF, 1, cur->id, 0)))
		return err;
	for (int i = 0; i < cur->nclinicians; i++)
		if (!appointment_has_clinician(next, cur->clinician_ids[i]) &&
		    (err = store_run(s, SQL_DELETE_CLINICIAN, 2, cur->id, cur->clinician_ids[i])))
			return err;
	if (cur->patient_id != next->patient_id &&
	    (err = store_run(s, SQL_SET_PATIENT, 2, cur->id, next->patient_id)))
		return err;
	for (int i = 0; i < next->nclinicians; i++)
		if (!appointment_has_clinician(cur, next->clinician_ids[i]) &&
		    (err = insert_participant(s, next, "clinician", 0, next->clinician_ids[i], false)))
			return err;
	return APP_OK;
}

static bool changed_any(const struct appointment *a, const struct appointment *b)
{
	for (int f = 0; f < H_N; f++)
		if (field_changed(a, b, (enum hfield)f))
			return true;
	return strcmp(a->video_url, b->video_url) != 0;
}

enum app_err store_appointments_edit(struct store *s, int64_t id, int64_t if_match,
				     appt_edit_fn fn, void *ctx, const struct actor *who,
				     int64_t now, struct conflicts *cf, struct appointment *out)
{
	return store_appointments_edit_then(s, id, if_match, fn, NULL, ctx, who, now, cf, out);
}

enum app_err store_appointments_edit_then(struct store *s, int64_t id, int64_t if_match,
					  appt_edit_fn fn, appt_after_fn after, void *ctx,
					  const struct actor *who, int64_t now, struct conflicts *cf,
					  struct appointment *out)
{
	struct appointment cur, next;
	sqlite3_stmt *st;
	enum app_err err;
	struct buf b;
	bool moved;

	buf_init(&b, 8192);
	cf->n = 0;
	if ((err = store_begin(s)))
		goto out;
	if ((err = store_appointments_get(s, id, &cur)))
		goto out;
	if (if_match && if_match != cur.version) {
		err = APP_ESTALE;
		goto out;
	}
	next = cur;
	if ((err = fn(ctx, &cur, &next)))
		goto out;
	next.id = cur.id;
	if (!changed_any(&cur, &next)) {
		*out = cur;
		if (after) {
			/* an invitation sent again: the facts follow the links */
			if ((err = after(ctx, s, &cur, &cur)) ||
			    (err = store_stats_refresh(s, cur.id)) || (err = store_commit(s)))
				goto out;
		} else {
			store_rollback(s);
		}
		buf_release(&b);
		return APP_OK;
	}
	moved = cur.start != next.start || cur.end != next.end ||
		cur.patient_id != next.patient_id || cur.room_id != next.room_id ||
		!same_clinicians(&cur, &next) || !appointment_live(&cur);
	if (appointment_live(&next) && moved && (err = check_conflicts(s, &next, cf)))
		goto out;
	if ((err = write_people(s, &cur, &next)))
		goto out;
	if ((err = store_stmt(s, SQL_UPDATE, &st)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	bind_appt(st, &next, 2);
	sqlite3_bind_int64(st, 15, now);
	store_bind_text(st, 16, next.reference);
	if ((err = store_step_done(s, st, "appointment update")))
		goto out;
	history_changes(&b, &cur, &next);
	if (b.failed) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = store_appointments_note(s, &next, now, who,
			       next.status != cur.status ? appointment_status_name(next.status)
							 : "update",
			       b.data)))
		goto out;
	next.version = cur.version + 1;
	next.updated_at = now;
	if (after && (err = after(ctx, s, &cur, &next)))
		goto out;
	/* the statistics' facts in the same transaction (store_stats.h) */
	if ((err = store_stats_refresh(s, id)) || (err = store_commit(s)))
		goto out;
	*out = next;
out:
	if (err)
		store_rollback(s);
	buf_release(&b);
	return err;
}

/* Only appointments with a clinician of unit (bound as param; 0: any) and,
 * when n, of one of units; bound narrows the participants read. */
static void units_filter(struct buf *b, int64_t unit, const char *param, int n,
			 const int64_t *units, const char *bound)
{
	if (unit)
		buf_printf(b, " AND a.id IN (SELECT appointment_id FROM participants WHERE "
			      "clinician_id IN (SELECT id FROM clinicians WHERE unit_id = %s)%s)",
			   param, bound);
	if (n) {
		buf_puts(b, " AND a.id IN (SELECT appointment_id FROM participants WHERE "
			    "clinician_id IN (SELECT id FROM clinicians WHERE unit_id IN (");
		for (int i = 0; i < n; i++) /* ids are integers: no injection */
			buf_printf(b, "%s%" PRId64, i ? "," : "", units[i]);
		buf_printf(b, "))%s)", bound);
	}
}

enum app_err store_appointments_list(struct store *s, const struct appt_filter *f, appt_row_fn fn,
				     void *ctx)
{
	sqlite3_stmt *st = NULL;
	struct appointment a;
	enum app_err err;
	char bound[96] = "";
	struct buf b;
	int rc, n = 0;

	buf_init(&b, 4096);
	buf_puts(&b, "SELECT " APPT_COLS ", (SELECT name FROM patients WHERE id = a.patient_id) "
		     "FROM appointments a WHERE 1");
	if (f->to)
		buf_puts(&b, " AND a.start_at < ?1");
	if (f->from)
		buf_puts(&b, " AND a.end_at > ?2 AND a.start_at > ?2 - " MAXS);
	/* The people filters are bounded by the same period inside, so that
	 * they read a day of the participants index, not a whole history. */
	if (f->to)
		snprintf(bound, sizeof(bound), " AND start_at < ?1");
	if (f->from)
		snprintf(bound + strlen(bound), sizeof(bound) - strlen(bound),
			 " AND end_at > ?2 AND start_at > ?2 - " MAXS);
	if (f->clinician_id)
		buf_printf(&b, " AND a.id IN (SELECT appointment_id FROM participants WHERE "
			       "clinician_id = ?3%s)", bound);
	if (f->room_id)
		buf_puts(&b, " AND a.room_id = ?4");
	units_filter(&b, f->unit_id, "?10", f->nunits, f->unit_ids, bound);
	if (f->patient_id)
		buf_puts(&b, " AND a.patient_id = ?5");
	if (f->series_id)
		buf_puts(&b, " AND a.series_id = ?9");
	if (f->mode >= 0)
		buf_puts(&b, " AND a.mode = ?6");
	if (f->status_mask) {
		buf_puts(&b, " AND a.status IN (");
		for (int i = 0; i < APPT_STATUS_COUNT; i++)
			if (f->status_mask & (1u << i))
				buf_printf(&b, "%s'%s'", n++ ? "," : "",
					   appointment_status_name((enum appt_status)i));
		buf_putc(&b, ')');
	}
	buf_puts(&b, " ORDER BY a.start_at, a.id LIMIT ?7 OFFSET ?8");
	if (b.failed) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = store_stmt(s, b.data, &st)))
		goto out;
	sqlite3_bind_int64(st, 1, f->to);
	sqlite3_bind_int64(st, 2, f->from);
	sqlite3_bind_int64(st, 3, f->clinician_id);
	sqlite3_bind_int64(st, 4, f->room_id);
	sqlite3_bind_int64(st, 5, f->patient_id);
	if (f->mode >= 0)
		sqlite3_bind_text(st, 6, appointment_mode_name((enum appt_mode)f->mode), -1,
				  SQLITE_STATIC);
	sqlite3_bind_int(st, 7, f->limit);
	sqlite3_bind_int(st, 8, f->offset);
	sqlite3_bind_int64(st, 9, f->series_id);
	sqlite3_bind_int64(st, 10, f->unit_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_appt_named(st, &a);
		if (!fn(ctx, &a))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "appointment list");
out:
	store_done(st);
	buf_release(&b);
	return err;
}

/* A board row as read, before its patient's name (board_names()). */
struct board_row {
	int64_t id, start, end, patient_id, room_id;
	int clin, nclin; /* its clinicians: ids[clin .. clin + nclin) */
	unsigned char mode, status;
};

struct board_read {
	struct board_row *rows;
	int n, cap;
	int64_t *ids; /* the rows' clinicians, then (board_names) the patients */
	int nids, capids;
	int *names; /* offsets in text of the patients' names, as ids after npats */
	int pats, npats; /* the patients: ids[pats .. pats + npats), ascending */
	struct buf text;
};

static bool board_grow(void **p, int *cap, int want, size_t size)
{
	int cap2 = *cap ? *cap : 256;
	void *more;

	if (want <= *cap)
		return true;
	while (cap2 < want)
		cap2 *= 2;
	if (!(more = realloc(*p, (size_t)cap2 * size)))
		return false;
	*p = more;
	*cap = cap2;
	return true;
}

static int cmp_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* The rows' patients' names, a look-up each in ascending id, so that
 * patients' pages are read once each in order (in the rows' order, by
 * time, a day's 1,000 patients missed a 256 KB page cache 4,000 times). */
static enum app_err board_names(struct store *s, struct board_read *r)
{
	sqlite3_stmt *st;
	enum app_err err;
	char name[sizeof(((struct appointment *)0)->patient_name)];
	int k = 0;

	if (!r->n) /* no rows: nothing allocated, nothing to sort */
		return APP_OK;
	if (!board_grow((void **)&r->ids, &r->capids, r->nids + r->n, sizeof(*r->ids)))
		return APP_ENOMEM;
	r->pats = r->nids;
	for (int i = 0; i < r->n; i++)
		r->ids[r->pats + i] = r->rows[i].patient_id;
	qsort(r->ids + r->pats, (size_t)r->n, sizeof(*r->ids), cmp_id);
	for (int i = 0; i < r->n; i++)
		if (!k || r->ids[r->pats + i] != r->ids[r->pats + k - 1])
			r->ids[r->pats + k++] = r->ids[r->pats + i];
	r->npats = k;
	if (!k)
		return APP_OK;
	if (!(r->names = malloc((size_t)k * sizeof(*r->names))))
		return APP_ENOMEM;
	if ((err = store_stmt(s, "SELECT name FROM patients WHERE id = ?1", &st)))
		return err;
	for (int i = 0; i < k && !err; i++) {
		int rc;

		sqlite3_bind_int64(st, 1, r->ids[r->pats + i]);
		rc = sqlite3_step(st);
		name[0] = '\0';
		if (rc == SQLITE_ROW)
			store_copy_text(name, sizeof(name), st, 0);
		else if (rc != SQLITE_DONE)
			err = store_fail(s, rc, "calendar board names");
		sqlite3_reset(st);
		r->names[i] = (int)r->text.len;
		buf_append(&r->text, name, strlen(name) + 1);
	}
	store_done(st);
	return err ? err : r->text.failed ? APP_ENOMEM : APP_OK;
}

/* Driven by the participants index (clinician, start) of the unit's
 * clinicians when there is a unit; otherwise by appointments_start.  Both
 * bounded like the list's from/to, so the rows are the list's.  The
 * clinicians come joined, a row each in id order (what the list's
 * group_concat gives, sorted), not from a subquery a row: an appointment
 * is its run of rows, so the limit counts runs, not rows.  The patients'
 * names come after, in id order (board_names). */
enum app_err store_appointments_board(struct store *s, int64_t from, int64_t to, int64_t unit,
				      int nunits, const int64_t *units, int limit, appt_row_fn fn,
				      void *ctx)
{
	static const char bound[] = " AND start_at < ?2 AND end_at > ?1 AND start_at > ?1 - " MAXS;
	struct board_read r = {0};
	sqlite3_stmt *st = NULL;
	struct appointment a;
	enum app_err err;
	struct buf b;
	int rc, m;

	if (limit <= 0)
		return APP_OK;
	buf_init(&b, 1024);
	buf_init(&r.text, (size_t)64 << 20);
	buf_puts(&b, "SELECT a.id, a.start_at, a.end_at, a.mode, a.status, a.patient_id, a.room_id, "
		     "p.clinician_id FROM appointments a LEFT JOIN participants p ON "
		     "p.appointment_id = a.id AND p.clinician_id IS NOT NULL WHERE a.start_at < ?2 "
		     "AND a.end_at > ?1 AND a.start_at > ?1 - " MAXS);
	units_filter(&b, unit, "?3", nunits, units, bound);
	buf_puts(&b, " ORDER BY a.start_at, a.id, p.clinician_id");
	if (b.failed) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = store_stmt(s, b.data, &st)))
		goto out;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, unit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		struct board_row *w = r.n ? &r.rows[r.n - 1] : NULL;

		if (!w || id != w->id) {
			if (r.n == limit)
				break;
			if (!board_grow((void **)&r.rows, &r.cap, r.n + 1, sizeof(*r.rows))) {
				err = APP_ENOMEM;
				break;
			}
			w = &r.rows[r.n++];
			w->id = id;
			w->start = sqlite3_column_int64(st, 1);
			w->end = sqlite3_column_int64(st, 2);
			m = appointment_mode_parse((const char *)sqlite3_column_text(st, 3));
			w->mode = (unsigned char)(m < 0 ? APPT_VIDEO : m);
			m = appointment_status_parse((const char *)sqlite3_column_text(st, 4));
			w->status = (unsigned char)(m < 0 ? APPT_BOOKED : m);
			w->patient_id = sqlite3_column_int64(st, 5);
			w->room_id = sqlite3_column_int64(st, 6);
			w->clin = r.nids;
			w->nclin = 0;
		}
		if (sqlite3_column_type(st, 7) == SQLITE_NULL || w->nclin == APPT_MAX_CLINICIANS)
			continue;
		if (!board_grow((void **)&r.ids, &r.capids, r.nids + 1, sizeof(*r.ids))) {
			err = APP_ENOMEM;
			break;
		}
		r.ids[r.nids++] = sqlite3_column_int64(st, 7);
		w->nclin++;
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "calendar board");
	store_done(st);
	if (err || (err = board_names(s, &r)))
		goto out;
	for (int i = 0; i < r.n; i++) {
		const struct board_row *w = &r.rows[i];
		const int64_t *p = bsearch(&w->patient_id, r.ids + r.pats, (size_t)r.npats,
					   sizeof(*r.ids), cmp_id);
		const char *name;

		a.id = w->id;
		a.start = w->start;
		a.end = w->end;
		a.mode = (enum appt_mode)w->mode;
		a.status = (enum appt_status)w->status;
		a.patient_id = w->patient_id;
		a.room_id = w->room_id;
		a.nclinicians = w->nclin;
		memcpy(a.clinician_ids, r.ids + w->clin, (size_t)w->nclin * sizeof(*r.ids));
		name = p ? r.text.data + r.names[p - (r.ids + r.pats)] : "";
		memcpy(a.patient_name, name, strlen(name) + 1); /* cut to fit in board_names */
		if (!fn(ctx, &a))
			break;
	}
out:
	free(r.rows);
	free(r.ids);
	free(r.names);
	buf_release(&r.text);
	buf_release(&b);
	return err;
}

enum app_err store_appointments_day(struct store *s, int64_t clinician_id, int64_t from, int64_t to,
				    appt_row_fn fn, void *ctx)
{
	struct appointment a;
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, SQL_DAY, &st)))
		return err;
	sqlite3_bind_int64(st, 1, clinician_id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_appt_day(st, &a);
		if (!fn(ctx, &a))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "day list");
	store_done(st);
	return err;
}

/* The four causes, each from its partial index (0010, 0016), as (kind,
 * rank, appointment, at, detail, message, channel, response); failed
 * messages rank first.  An invitation is unanswered once the patient has
 * had reasonable time since their newest link was issued: QUEUE_GRACE_S,
 * or half the time that was left until the start when that is less (see
 * the header).  A PROM answer that asked for a control stays while the
 * patient waits for it, however long after its appointment. */
#define QUEUE_CAUSES                                                                               \
	"SELECT 'message_failed' AS kind, 0 AS rank, o.appointment_id AS appointment_id, "        \
	"o.next_at AS at, o.last_error AS detail, o.id AS message_id, o.channel AS channel, "      \
	"NULL AS response_id "                                                                     \
	"FROM outbox o WHERE o.status = 'failed' AND o.handled_at IS NULL AND NOT EXISTS "         \
	"(SELECT 1 FROM outbox n WHERE n.appointment_id = o.appointment_id AND n.id > o.id AND "   \
	"n.channel = o.channel AND n.participant_id IS o.participant_id) "                          \
	"UNION ALL "                                                                               \
	"SELECT 'opted_out', 1, id, updated_at, status_reason, NULL, NULL, NULL FROM appointments " \
	"WHERE status = 'opted_out' AND start_at > ?1 - ?3 - " MAXS " AND end_at > ?1 - ?3 "       \
	"UNION ALL "                                                                               \
	"SELECT 'unanswered', 2, u.id, u.at, NULL, NULL, NULL, NULL FROM (SELECT id, start_at, "   \
	"(SELECT max(l.created_at) FROM links l JOIN participants p ON p.id = l.participant_id "   \
	"WHERE l.appointment_id = appointments.id AND p.kind = 'patient') AS at "                 \
	"FROM appointments WHERE status = 'invited' AND start_at > ?1 AND start_at <= ?1 + ?2) u " \
	"WHERE u.at IS NULL OR ?1 >= u.at + min(" QUEUE_TEXT(QUEUE_GRACE_S) ", (u.start_at - u.at) / 2) " \
	"UNION ALL "                                                                               \
	"SELECT 'prom_control', 3, f.appointment_id, f.answered_at, 'PROM: wants a control', "     \
	"NULL, NULL, (SELECT r.id FROM questionnaire_responses r JOIN survey_links l ON "          \
	"l.id = r.link_id WHERE l.send_id = f.id) FROM follow_up_sends f WHERE "                   \
	"f.led_to_control = 1 AND ((SELECT p.type_id FROM appointments p WHERE "                  \
	"p.id = f.appointment_id) IS NULL OR EXISTS (SELECT 1 FROM waiting_list w JOIN "           \
	"appointments p ON p.id = f.appointment_id WHERE w.patient_id = f.patient_id AND "         \
	"w.type_id = p.type_id AND w.status = 'waiting'))"

/* The work queue's statement for f in *st: its items (columns as
 * store_appointments_queue reads them, at most f->limit after f->offset), or (count) how
 * many there are, the same items with no limit. */
static enum app_err queue_stmt(struct store *s, const struct queue_filter *f, bool count,
			       sqlite3_stmt **st)
{
	enum app_err err;
	struct buf b;

	*st = NULL;
	buf_init(&b, 4096); /* the causes and a unit filter of 16 units */
	buf_puts(&b, count ? "SELECT count(*)"
			   : "SELECT " APPT_COLS ", pt.name, q.kind, q.at, q.detail, q.message_id, "
			     "q.channel, q.response_id");
	buf_puts(&b, " FROM (" QUEUE_CAUSES ") q JOIN appointments a ON a.id = q.appointment_id "
		     "JOIN patients pt ON pt.id = a.patient_id WHERE (a.end_at > ?1 - ?3 OR q.rank = 3)");
	units_filter(&b, f->unit_id, "?4", f->nunits, f->unit_ids, "");
	if (!count)
		buf_puts(&b, " ORDER BY q.rank > 0, a.start_at, a.id, q.rank, q.message_id "
			     "LIMIT ?5 OFFSET ?6");
	if (b.failed)
		err = APP_ENOMEM;
	else if (!(err = store_stmt(s, b.data, st))) {
		sqlite3_bind_int64(*st, 1, f->now);
		sqlite3_bind_int64(*st, 2, f->window);
		sqlite3_bind_int64(*st, 3, f->back);
		sqlite3_bind_int64(*st, 4, f->unit_id);
		if (!count) {
			sqlite3_bind_int(*st, 5, f->limit);
			sqlite3_bind_int(*st, 6, f->offset);
		}
	}
	buf_release(&b);
	return err;
}

enum app_err store_appointments_queue_count(struct store *s, const struct queue_filter *f,
					    int64_t *n)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = queue_stmt(s, f, true, &st)))
		return err;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		err = store_fail(s, rc, "work queue count");
	store_done(st);
	return err;
}

enum app_err store_appointments_queue(struct store *s, const struct queue_filter *f, queue_fn fn,
				      void *ctx)
{
	sqlite3_stmt *st;
	struct queue_item q;
	enum app_err err;
	int rc;

	if ((err = queue_stmt(s, f, false, &st)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_appt_named(st, &q.a);
		store_copy_text(q.kind, sizeof(q.kind), st, APPT_NAME_COL + 1);
		q.at = sqlite3_column_int64(st, APPT_NAME_COL + 2);
		store_copy_text(q.detail, sizeof(q.detail), st, APPT_NAME_COL + 3);
		q.message_id = sqlite3_column_int64(st, APPT_NAME_COL + 4);
		store_copy_text(q.channel, sizeof(q.channel), st, APPT_NAME_COL + 5);
		q.response_id = sqlite3_column_int64(st, APPT_NAME_COL + 6);
		if (!fn(ctx, &q))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "work queue");
	store_done(st);
	return err;
}

enum app_err store_appointments_history(struct store *s, int64_t id, appt_history_fn fn, void *ctx)
{
	struct appt_history h;
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, SQL_HISTORY, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h.id = sqlite3_column_int64(st, 0);
		h.at = sqlite3_column_int64(st, 1);
		store_copy_text(h.actor, sizeof(h.actor), st, 2);
		store_copy_text(h.action, sizeof(h.action), st, 3);
		h.changes = (const char *)sqlite3_column_text(st, 4);
		if (!fn(ctx, &h))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "history");
	store_done(st);
	return err;
}
