/*
 * store_hours.c - SQL for working and opening hours, exceptions and busy
 * intervals.  The owner's column name comes from enum hours_owner, never
 * from input; the statements are cached per text as everywhere.
 */
#include "store_hours.h"

#include <stdio.h>
#include <string.h>

#include "appointment.h"
#include "store.h"

#define BUF "14400"  /* seconds: the widest buffer a type may have (240 minutes) */
#define MAXS "43200" /* seconds: the longest appointment */

static const char *col(enum hours_owner o) { return o == OWNER_ROOM ? "room_id" : "clinician_id"; }

static void bind_day(sqlite3_stmt *st, int idx, int64_t day)
{
	if (day)
		sqlite3_bind_int64(st, idx, day);
	else
		sqlite3_bind_null(st, idx);
}

enum app_err store_hours_set(struct store *s, enum hours_owner o, int64_t id, const struct hours *h,
			     int n)
{
	char sql[256];
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_begin(s)))
		return err;
	snprintf(sql, sizeof(sql), "DELETE FROM hours WHERE %s = ?1", col(o));
	if ((err = store_run(s, sql, 1, id, 0)))
		goto out;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO hours (%s, weekday, start_min, end_min, valid_from, valid_to) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		 col(o));
	for (int i = 0; i < n; i++) {
		if ((err = store_stmt(s, sql, &st)))
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, h[i].weekday);
		sqlite3_bind_int(st, 3, h[i].start_min);
		sqlite3_bind_int(st, 4, h[i].end_min);
		bind_day(st, 5, h[i].valid_from);
		bind_day(st, 6, h[i].valid_to);
		if ((err = store_step_done(s, st, "hours insert")))
			goto out;
	}
	return store_commit(s);
out:
	store_rollback(s);
	return err;
}

enum app_err store_hours_get(struct store *s, enum hours_owner o, int64_t id, struct hours *out,
			     int max, int *n)
{
	char sql[256];
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*n = 0;
	snprintf(sql, sizeof(sql),
		 "SELECT weekday, start_min, end_min, valid_from, valid_to FROM hours "
		 "WHERE %s = ?1 ORDER BY weekday, start_min, valid_from",
		 col(o));
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		out[(*n)++] = (struct hours){sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
					     sqlite3_column_int(st, 2), sqlite3_column_int64(st, 3),
					     sqlite3_column_int64(st, 4)};
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "hours get");
	store_done(st);
	return err;
}

static void read_exception(sqlite3_stmt *st, struct hours_exception *x)
{
	x->id = sqlite3_column_int64(st, 0);
	x->extra = !strcmp((const char *)sqlite3_column_text(st, 1), "extra");
	x->start = sqlite3_column_int64(st, 2);
	x->end = sqlite3_column_int64(st, 3);
	store_copy_text(x->reason, sizeof(x->reason), st, 4);
	x->created_at = sqlite3_column_int64(st, 5);
	store_copy_text(x->created_by, sizeof(x->created_by), st, 6);
}

enum app_err store_hours_exception_list(struct store *s, enum hours_owner o, int64_t id,
					int64_t from, int64_t to, hours_exception_fn fn, void *ctx)
{
	struct hours_exception x;
	char sql[300];
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT id, kind, start_at, end_at, reason, created_at, created_by "
		 "FROM hours_exceptions WHERE %s = ?1 AND end_at > ?2 AND start_at < ?3 "
		 "ORDER BY start_at, id",
		 col(o));
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_exception(st, &x);
		if (!fn(ctx, &x))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "exception list");
	store_done(st);
	return err;
}

static bool collect(void *ctx, const struct hours_exception *x)
{
	struct availability *a = ctx;
	struct interval iv = {x->start, x->end};

	if (x->extra ? a->nextra == EXCEPTIONS_MAX : a->nabsent == EXCEPTIONS_MAX) {
		a->nextra = -1; /* too many: reported below */
		return false;
	}
	if (x->extra)
		a->extra[a->nextra++] = iv;
	else
		a->absent[a->nabsent++] = iv;
	return true;
}

enum app_err store_hours_availability(struct store *s, enum hours_owner o, int64_t id, int64_t from,
				      int64_t to, struct availability *out)
{
	char sql[200];
	enum app_err err;
	int64_t extra;

	out->nextra = out->nabsent = 0;
	if ((err = store_hours_get(s, o, id, out->h, HOURS_MAX, &out->nh)) ||
	    (err = store_hours_exception_list(s, o, id, from, to, collect, out)))
		return err;
	if (out->nextra < 0)
		return APP_ETOOLARGE;
	out->restricted = out->nh > 0;
	if (!out->restricted) {
		snprintf(sql, sizeof(sql),
			 "SELECT EXISTS (SELECT 1 FROM hours_exceptions WHERE %s = ?1 AND "
			 "kind = 'extra')",
			 col(o));
		if ((err = store_scalar(s, sql, 1, id, 0, &extra)))
			return err;
		out->restricted = extra != 0;
	}
	return APP_OK;
}

enum app_err store_hours_exception_add(struct store *s, enum hours_owner o, int64_t id,
				       struct hours_exception *x)
{
	char sql[300];
	sqlite3_stmt *st;
	enum app_err err;

	snprintf(sql, sizeof(sql),
		 "INSERT INTO hours_exceptions (%s, kind, start_at, end_at, reason, created_at, "
		 "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		 col(o));
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, x->extra ? "extra" : "absence", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, x->start);
	sqlite3_bind_int64(st, 4, x->end);
	store_bind_text(st, 5, x->reason);
	sqlite3_bind_int64(st, 6, x->created_at);
	sqlite3_bind_text(st, 7, x->created_by, -1, SQLITE_TRANSIENT);
	if ((err = store_step_done(s, st, "exception insert")))
		return err;
	x->id = sqlite3_last_insert_rowid(store_db(s));
	return APP_OK;
}

enum app_err store_hours_exception_delete(struct store *s, enum hours_owner o, int64_t id,
					  int64_t xid)
{
	char sql[200];
	enum app_err err;

	snprintf(sql, sizeof(sql), "DELETE FROM hours_exceptions WHERE id = ?1 AND %s = ?2",
		 col(o));
	if ((err = store_run(s, sql, 2, xid, id)))
		return err;
	return sqlite3_changes(store_db(s)) ? APP_OK : APP_ENOTFOUND;
}

/* Bounded by the longest appointment and the widest buffers, as the overlap
 * checks are, so each is an index range scan.  A clinician's: from
 * participants_busy alone, the buffers copied onto the participant rows
 * (0021_busy_reads.sql; a join with appointments read a page a row). */
static const char SQL_BUSY_CLINICIAN[] =
    "SELECT start_at - buffer_before, end_at + buffer_after FROM participants "
    "WHERE clinician_id = ?1 AND start_at < ?3 + " BUF " AND start_at > ?2 - " MAXS " - " BUF
    " AND end_at > ?2 - " BUF " AND live ORDER BY start_at";
static const char SQL_BUSY_ROOM[] =
    "SELECT start_at, end_at FROM appointments WHERE room_id = ?1 AND start_at < ?3 "
    "AND start_at > ?2 - " MAXS " AND end_at > ?2 AND status <> 'cancelled' ORDER BY start_at";

enum app_err store_hours_busy(struct store *s, enum hours_owner o, int64_t id, int64_t from,
			      int64_t to, struct interval *out, int max, int *n)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*n = 0;
	if ((err = store_stmt(s, o == OWNER_ROOM ? SQL_BUSY_ROOM : SQL_BUSY_CLINICIAN, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct interval iv = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)};

		if (iv.end <= from || iv.start >= to)
			continue; /* the query's bounds are looser than the buffers */
		if (*n == max) {
			err = APP_ETOOLARGE;
			break;
		}
		out[(*n)++] = iv;
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "busy");
	store_done(st);
	return err;
}

/* HOURS_KNOWN_MAX parameters, one statement whatever n is */
static const char SQL_KNOWN[] = "SELECT id FROM clinicians WHERE id IN ("
    "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
    "?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,"
    "?25,?26,?27,?28,?29,?30,?31,?32)";

enum app_err store_hours_clinicians_known(struct store *s, const int64_t *ids, int n, bool *known)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if (n < 0 || n > HOURS_KNOWN_MAX)
		return APP_EINVAL;
	if ((err = store_stmt(s, SQL_KNOWN, &st)))
		return err;
	for (int i = 0; i < HOURS_KNOWN_MAX; i++) /* the ones not asked: NULL, matching none */
		if (i < n)
			sqlite3_bind_int64(st, i + 1, ids[i]);
		else
			sqlite3_bind_null(st, i + 1);
	for (int i = 0; i < n; i++)
		known[i] = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		for (int i = 0; i < n; i++)
			if (ids[i] == id)
				known[i] = true;
	}
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "clinicians known");
	store_done(st);
	return err;
}
