/*
 * store_stats.c - SQL of the outcome statistics (see store_stats.h).
 *
 * The facts of an appointment are a pure function of what the database
 * holds about it, so a refresh is always right and a backfill is the same
 * code: the mode it was first booked with is the history's first snapshot;
 * an opt-out is any history row that set "opted_out" (re-booking in person
 * afterwards does not undo that the patient asked); a cancellation is the
 * patient's when the patient's link made it; the invitation is the
 * patient's first link and the answer the patient's first answer through
 * it.  The day and the age band are computed here, in the clinic's zone,
 * because SQLite has no time zones.  An appointment with several
 * clinicians counts once, for the first (lowest id) and that clinician's
 * unit.
 */
#include "store_stats.h"

#include <assert.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appointment.h"
#include "buf.h"
#include "store.h"
#include "timeutil.h"

const char *const stats_band_names[STATS_NBANDS] = {"0-17",  "18-39", "40-66",
						    "67-79", "80+",   "unknown"};
const char *const stats_reason_names[STATS_NREASONS] = {
	"equipment", "prefer_in_person", "examination", "language_hearing", "other"};

#define REASON_NONE 5 /* opted out without a category (before 0014) */

int stats_reason_parse(const char *s)
{
	for (int i = 0; s && i < STATS_NREASONS; i++)
		if (!strcmp(s, stats_reason_names[i]))
			return i;
	return -1;
}

int64_t stats_local_day(int64_t t)
{
	struct civil c;

	timeutil_to_local(t, &c);
	return timeutil_days_from_civil(c.year, c.month, c.day);
}

enum stats_band stats_band_of(const char *birth, int64_t day)
{
	int by, bm, bd, y, m, d, age;

	if (!birth || sscanf(birth, "%4d-%2d-%2d", &by, &bm, &bd) != 3)
		return STATS_BAND_UNKNOWN;
	timeutil_civil_from_days(day, &y, &m, &d);
	age = y - by - (m < bm || (m == bm && d < bd));
	if (age < 0)
		return STATS_BAND_UNKNOWN;
	return age < 18 ? STATS_BAND_0_17 : age < 40 ? STATS_BAND_18_39 : age < 67 ? STATS_BAND_40_66
	       : age < 80 ? STATS_BAND_67_79 : STATS_BAND_80;
}

static const char SQL_FACTS_OF[] =
	"SELECT a.start_at, a.end_at, a.mode, a.status, a.held_mode, IFNULL(a.type_id, 0), "
	"a.opt_out_reason, a.late_cancel, pt.birth_date, "
	"(SELECT MIN(clinician_id) FROM participants WHERE appointment_id = a.id "
	" AND clinician_id IS NOT NULL), "
	"(SELECT json_extract(changes, '$.mode') FROM appointment_history "
	" WHERE appointment_id = a.id ORDER BY id LIMIT 1), "
	"EXISTS (SELECT 1 FROM appointment_history WHERE appointment_id = a.id "
	" AND (json_extract(changes, '$.status.new') = 'opted_out' "
	"  OR (action = 'create' AND json_extract(changes, '$.status') = 'opted_out'))), "
	"(SELECT actor FROM appointment_history WHERE appointment_id = a.id "
	" AND json_extract(changes, '$.status.new') = 'cancelled' ORDER BY id DESC LIMIT 1), "
	"(SELECT MIN(l.created_at) FROM links l JOIN participants p ON p.id = l.participant_id "
	" WHERE l.appointment_id = a.id AND p.kind = 'patient'), "
	"(SELECT MIN(at) FROM appointment_history WHERE appointment_id = a.id "
	" AND actor = 'patient' AND action IN ('confirmed', 'opted_out', 'cancelled')) "
	"FROM appointments a JOIN patients pt ON pt.id = a.patient_id WHERE a.id = ?1";
static const char SQL_UNIT_OF[] = "SELECT IFNULL(unit_id, 0) FROM clinicians WHERE id = ?1";
static const char SQL_FACTS_DELETE[] = "DELETE FROM appointment_facts WHERE appointment_id = ?1";
static const char SQL_FACTS_INSERT[] =
	"INSERT INTO appointment_facts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	"?13, ?14, ?15, ?16, ?17)";

struct facts {
	int64_t unit_id, day, clinician_id, type_id, band, booked_mode;
	int64_t held_mode, opt_reason, no_show_mode, cancelled_by, answer_hours; /* -1: null */
	int64_t phone_fallback, opted_out, late, invited, room_seconds;
};

static int mode_of(sqlite3_stmt *st, int col, int dflt)
{
	int m = appointment_mode_parse((const char *)sqlite3_column_text(st, col));
	return m < 0 ? dflt : m;
}

/* Read appointment id's facts; APP_ENOTFOUND when there is no such one. */
static enum app_err read_facts(struct store *s, int64_t id, struct facts *f)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc, mode, status;
	const char *reason, *actor;
	int64_t invited_at, answered_at;

	if ((err = store_stmt(s, SQL_FACTS_OF, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "facts read");
		store_done(st);
		return err;
	}
	memset(f, 0, sizeof(*f));
	mode = mode_of(st, 2, APPT_VIDEO);
	status = appointment_status_parse((const char *)sqlite3_column_text(st, 3));
	f->day = stats_local_day(sqlite3_column_int64(st, 0));
	f->type_id = sqlite3_column_int64(st, 5);
	f->band = stats_band_of((const char *)sqlite3_column_text(st, 8), f->day);
	f->clinician_id = sqlite3_column_int64(st, 9);
	f->booked_mode = mode_of(st, 10, mode);
	f->held_mode = status == APPT_COMPLETED ? mode_of(st, 4, mode) : -1;
	f->phone_fallback = f->held_mode == APPT_PHONE && mode == APPT_VIDEO;
	f->opted_out = sqlite3_column_int(st, 11) != 0;
	reason = (const char *)sqlite3_column_text(st, 6);
	f->opt_reason = !f->opted_out ? -1 : stats_reason_parse(reason) >= 0
					      ? stats_reason_parse(reason) : REASON_NONE;
	f->no_show_mode = status == APPT_NO_SHOW ? mode : -1;
	actor = (const char *)sqlite3_column_text(st, 12);
	f->cancelled_by = status != APPT_CANCELLED ? -1 : actor && !strcmp(actor, "patient") ? 1 : 2;
	f->late = f->cancelled_by == 1 && sqlite3_column_int(st, 7);
	f->invited = sqlite3_column_type(st, 13) != SQLITE_NULL;
	invited_at = sqlite3_column_int64(st, 13);
	answered_at = sqlite3_column_int64(st, 14);
	f->answer_hours = f->invited && sqlite3_column_type(st, 14) != SQLITE_NULL &&
					  answered_at >= invited_at
				  ? (answered_at - invited_at) / 3600
				  : -1;
	f->room_seconds = f->held_mode == APPT_VIDEO
				  ? sqlite3_column_int64(st, 1) - sqlite3_column_int64(st, 0)
				  : 0;
	store_done(st);
	return f->clinician_id ? store_scalar(s, SQL_UNIT_OF, 1, f->clinician_id, 0, &f->unit_id)
			       : APP_OK;
}

static void bind_opt(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, v);
}

enum app_err store_stats_refresh(struct store *s, int64_t id)
{
	struct facts f;
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = read_facts(s, id, &f)))
		return err;
	if ((err = store_run(s, SQL_FACTS_DELETE, 1, id, 0)) ||
	    (err = store_stmt(s, SQL_FACTS_INSERT, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, f.unit_id);
	sqlite3_bind_int64(st, 3, f.day);
	sqlite3_bind_int64(st, 4, f.clinician_id);
	sqlite3_bind_int64(st, 5, f.type_id);
	sqlite3_bind_int64(st, 6, f.band);
	sqlite3_bind_int64(st, 7, f.booked_mode);
	bind_opt(st, 8, f.held_mode);
	sqlite3_bind_int64(st, 9, f.phone_fallback);
	sqlite3_bind_int64(st, 10, f.opted_out);
	bind_opt(st, 11, f.opt_reason);
	bind_opt(st, 12, f.no_show_mode);
	bind_opt(st, 13, f.cancelled_by);
	sqlite3_bind_int64(st, 14, f.late);
	sqlite3_bind_int64(st, 15, f.invited);
	bind_opt(st, 16, f.answer_hours);
	sqlite3_bind_int64(st, 17, f.room_seconds);
	return store_step_done(s, st, "facts insert");
}

enum app_err store_stats_answer(struct store *s, int64_t id, const char *reason, bool late)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, "UPDATE appointments SET opt_out_reason = IFNULL(?2, "
				 "opt_out_reason), late_cancel = ?3 WHERE id = ?1",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, reason);
	sqlite3_bind_int(st, 3, late);
	return store_step_done(s, st, "answer facts");
}

enum app_err store_stats_backfill(struct store *s, int64_t *made)
{
	static const char missing[] =
		"SELECT id FROM appointments a WHERE NOT EXISTS "
		"(SELECT 1 FROM appointment_facts f WHERE f.appointment_id = a.id) AND id > ?1 "
		"ORDER BY id LIMIT 1";
	int64_t gap, id = 0;
	enum app_err err;

	*made = 0;
	if ((err = store_scalar(s, "SELECT (SELECT COUNT(*) FROM appointments) - "
				   "(SELECT COUNT(*) FROM appointment_facts)",
				0, 0, 0, &gap)))
		return err;
	if (gap <= 0)
		return APP_OK;
	if ((err = store_begin(s)))
		return err;
	while (!(err = store_scalar(s, missing, 1, id, 0, &id)) && id > 0) {
		if ((err = store_stats_refresh(s, id)))
			break;
		(*made)++;
	}
	if (err) {
		store_rollback(s);
		return err;
	}
	return store_commit(s);
}

/* ---- queries ---- */

static const char *const dim_cols[] = {"day", "unit_id", "clinician_id", "type_id", "band"};

/* The sums' columns, in enum stats_count's order.  Rows are read as they
 * lie in the primary key and added up by the caller: GROUP BY a band or a
 * clinician would sort a year's rows first (four times the time). */
#define SUM_COLS                                                                                   \
	"booked_video, booked_in_person, booked_phone, held_video, held_in_person, held_phone, "  \
	"phone_fallback, opted_out, opt_equipment, opt_prefer, opt_examination, opt_language, "    \
	"opt_other, opt_none, no_show_video, no_show_in_person, no_show_phone, "                   \
	"cancelled_patient, cancelled_clinic, late, invited, answered, room_seconds"

/* " AND col IN (f's units)" when f is limited to units. */
static void units_in(struct buf *b, const char *col, const struct stats_filter *f)
{
	if (f->nunits <= 0)
		return;
	buf_printf(b, " AND %s IN (", col);
	for (int i = 0; i < f->nunits; i++)
		buf_printf(b, "%s%lld", i ? "," : "", (long long)f->units[i]);
	buf_putc(b, ')');
}

/* WHERE of f over the sums' key columns, naming only what f filters by so
 * that the primary key (unit, day, ...) is a range scan; binds ?1..?5
 * (see bind_filter). */
static void where(struct buf *b, const struct stats_filter *f, const char *timecol)
{
	buf_printf(b, " WHERE %s BETWEEN ?1 AND ?2", timecol);
	if (f->unit_id)
		buf_puts(b, " AND unit_id = ?3");
	if (f->clinician_id)
		buf_puts(b, " AND clinician_id = ?4");
	if (f->type_id)
		buf_puts(b, " AND type_id = ?5");
	units_in(b, "unit_id", f);
}

static void bind_filter(sqlite3_stmt *st, const struct stats_filter *f)
{
	sqlite3_bind_int64(st, 1, f->from_day);
	sqlite3_bind_int64(st, 2, f->to_day);
	sqlite3_bind_int64(st, 3, f->unit_id);
	sqlite3_bind_int64(st, 4, f->clinician_id);
	sqlite3_bind_int64(st, 5, f->type_id);
}

/* Run the built query b (not cached: its unit list varies) row by row. */
static enum app_err query(struct store *s, struct buf *b, const struct stats_filter *f,
			  bool (*row)(void *ctx, sqlite3_stmt *st), void *ctx)
{
	sqlite3_stmt *st = NULL;
	enum app_err err = APP_OK;
	int rc;

	if (b->failed)
		return APP_ENOMEM;
	rc = sqlite3_prepare_v2(store_db(s), b->data, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "statistics prepare");
	bind_filter(st, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!row(ctx, st))
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "statistics query");
	sqlite3_finalize(st);
	return err;
}

/* The caller's callback, for the row readers below. */
struct relay {
	union {
		stats_sums_fn sums;
		stats_answers_fn answers;
		stats_waiting_fn waiting;
	} fn;
	void *ctx;
	bool month_keys;
};

static bool sums_row(void *vctx, sqlite3_stmt *st)
{
	struct relay *c = vctx;
	struct stats_sums r;

	r.key = sqlite3_column_int64(st, 0);
	if (c->month_keys) /* year * 12 + month - 1: its first day */
		r.key = timeutil_days_from_civil((int)(r.key / 12), (int)(r.key % 12) + 1, 1);
	r.unit_id = sqlite3_column_int64(st, 1);
	for (int i = 0; i < SC_N; i++)
		r.n[i] = sqlite3_column_int64(st, 2 + i);
	return c->fn.sums(c->ctx, &r);
}

enum app_err store_stats_sums(struct store *s, const struct stats_filter *f, stats_sums_fn fn,
			      void *ctx)
{
	static const char *const tables[] = {"stats_daily", "stats_weekly", "stats_monthly"};
	static const char *const timecols[] = {"day", "week", "month"};
	struct relay c = {.fn.sums = fn, .ctx = ctx};
	enum app_err err;
	struct buf b;

	assert(f->grain != GRAIN_WEEK || f->dim != DIM_BAND); /* weeks keep no band */
	c.month_keys = f->dim == DIM_DAY && f->grain == GRAIN_MONTH;
	buf_init(&b, 4096);
	buf_printf(&b, "SELECT %s, unit_id, " SUM_COLS " FROM %s",
		   f->dim == DIM_DAY ? timecols[f->grain] : dim_cols[f->dim], tables[f->grain]);
	where(&b, f, timecols[f->grain]);
	err = query(s, &b, f, sums_row, &c);
	buf_release(&b);
	return err;
}

static bool answers_row(void *vctx, sqlite3_stmt *st)
{
	struct relay *c = vctx;

	return c->fn.answers(c->ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		     sqlite3_column_int64(st, 2));
}

enum app_err store_stats_answers(struct store *s, const struct stats_filter *f,
				 stats_answers_fn fn, void *ctx)
{
	struct relay c = {.fn.answers = fn, .ctx = ctx};
	enum app_err err;
	struct buf b;

	buf_init(&b, 4096);
	buf_printf(&b, "SELECT %s, hours, n FROM stats_answers", dim_cols[f->dim]);
	where(&b, f, "day");
	buf_puts(&b, " AND n > 0");
	err = query(s, &b, f, answers_row, &c);
	buf_release(&b);
	return err;
}

static bool waiting_row(void *vctx, sqlite3_stmt *st)
{
	struct relay *c = vctx;
	struct stats_waiting w = {0};

	w.since = sqlite3_column_int64(st, 0);
	w.left = sqlite3_column_int64(st, 1);
	w.unit_id = sqlite3_column_int64(st, 2);
	w.clinician_id = sqlite3_column_int64(st, 3);
	w.type_id = sqlite3_column_int64(st, 4);
	store_copy_text(w.birth_date, sizeof(w.birth_date), st, 5);
	return c->fn.waiting(c->ctx, &w);
}

enum app_err store_stats_waiting(struct store *s, const struct stats_filter *f, int64_t start,
				 int64_t before, stats_waiting_fn fn, void *ctx)
{
	struct relay c = {.fn.waiting = fn, .ctx = ctx};
	struct stats_filter g = *f;
	enum app_err err;
	struct buf b;

	/* the waiting list is a few thousand entries: read, not summed; an
	 * entry no longer waiting left when it was last changed */
	buf_init(&b, 4096);
	buf_printf(&b, "SELECT w.created_at, CASE WHEN w.status = 'waiting' THEN 0 ELSE "
		       "w.updated_at END, t.unit_id, IFNULL(w.clinician_id, 0), w.type_id, "
		       "p.birth_date FROM waiting_list w JOIN consultation_types t ON t.id = w.type_id "
		       "JOIN patients p ON p.id = w.patient_id WHERE w.created_at <= %lld "
		       "AND (w.status = 'waiting' OR w.updated_at >= ?1) AND (?3 = 0 OR t.unit_id = ?3) "
		       "AND (?4 = 0 OR w.clinician_id = ?4) AND (?5 = 0 OR w.type_id = ?5) AND ?2 = ?2",
		   (long long)before);
	units_in(&b, "t.unit_id", f);
	g.from_day = start; /* ?1 is an instant here: entries that left after the start */
	err = query(s, &b, &g, waiting_row, &c);
	buf_release(&b);
	return err;
}

enum app_err store_stats_units(struct store *s, stats_unit_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum app_err err = APP_OK;
	int rc;

	if ((err = store_stmt(s, "SELECT id, name, IFNULL(video_target_percent, -1), "
				 "IFNULL(travel_km, -1), IFNULL(travel_minutes, -1) FROM units "
				 "ORDER BY id",
			      &st)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct stats_unit u;
		u.id = sqlite3_column_int64(st, 0);
		store_copy_text(u.name, sizeof(u.name), st, 1);
		u.target_percent = sqlite3_column_int64(st, 2);
		u.travel_km = sqlite3_column_int64(st, 3);
		u.travel_minutes = sqlite3_column_int64(st, 4);
		if (!fn(ctx, &u))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "units read");
	store_done(st);
	return err;
}

enum app_err store_stats_name(struct store *s, enum stats_dim dim, int64_t id, char *name,
			      size_t cap, int64_t *unit_id)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, dim == DIM_CLINICIAN
				     ? "SELECT name, IFNULL(unit_id, 0) FROM clinicians WHERE id = ?1"
				     : "SELECT name, unit_id FROM consultation_types WHERE id = ?1",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_copy_text(name, cap, st, 0);
		*unit_id = sqlite3_column_int64(st, 1);
		err = APP_OK;
	} else {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "name read");
	}
	store_done(st);
	return err;
}
