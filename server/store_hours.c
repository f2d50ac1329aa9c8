/*
 * store_hours.c - SQL for working hours and busy intervals.
 */
#include "store_hours.h"

#include "appointment.h"
#include "store.h"

enum app_err store_hours_set(struct store *s, int64_t clinician_id, const struct hours *h, int n)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_begin(s)))
		return err;
	if ((err = store_run(s, "DELETE FROM clinician_hours WHERE clinician_id = ?1", 1,
			     clinician_id, 0)))
		goto out;
	for (int i = 0; i < n; i++) {
		if ((err = store_stmt(s, "INSERT INTO clinician_hours (clinician_id, weekday, "
					 "start_min, end_min) VALUES (?1, ?2, ?3, ?4)",
				      &st)))
			goto out;
		sqlite3_bind_int64(st, 1, clinician_id);
		sqlite3_bind_int(st, 2, h[i].weekday);
		sqlite3_bind_int(st, 3, h[i].start_min);
		sqlite3_bind_int(st, 4, h[i].end_min);
		rc = sqlite3_step(st);
		store_done(st);
		if (rc != SQLITE_DONE) {
			err = store_fail(s, rc, "hours insert");
			goto out;
		}
	}
	return store_commit(s);
out:
	store_rollback(s);
	return err;
}

enum app_err store_hours_get(struct store *s, int64_t clinician_id, struct hours *out, int max,
			     int *n)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*n = 0;
	if ((err = store_stmt(s, "SELECT weekday, start_min, end_min FROM clinician_hours "
				 "WHERE clinician_id = ?1 ORDER BY weekday, start_min",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, clinician_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		out[(*n)++] = (struct hours){sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
					     sqlite3_column_int(st, 2)};
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "hours get");
	store_done(st);
	return err;
}

enum app_err store_hours_busy(struct store *s, int64_t clinician_id, int64_t from, int64_t to,
			      struct interval *out, int max, int *n)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*n = 0;
	/* bounded by the longest appointment, as the overlap checks */
	if ((err = store_stmt(s, "SELECT start_at, end_at FROM participants WHERE clinician_id = ?1 "
				 "AND start_at < ?3 AND start_at > ?2 - 43200 AND end_at > ?2 "
				 "AND live ORDER BY start_at",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, clinician_id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == max) {
			err = APP_ETOOLARGE;
			break;
		}
		out[(*n)++] = (struct interval){sqlite3_column_int64(st, 0),
						sqlite3_column_int64(st, 1)};
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "busy");
	store_done(st);
	return err;
}
