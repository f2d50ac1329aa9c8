/*
 * store_waiting.c - SQL for offering freed slots to the waiting list.
 */
#include "store_waiting.h"

#include <inttypes.h>

#include "buf.h"
#include "store.h"

enum app_err store_waiting_offers(struct store *s, int64_t type_id, const int64_t *ids, int n,
				  int nunits, const int64_t *unit_ids, const char *day, int limit,
				  waiting_fn fn, void *ctx)
{
	struct waiting_offer w;
	sqlite3_stmt *st = NULL;
	enum app_err err;
	struct buf b, in, units;
	int rc;

	buf_init(&b, 4096);
	buf_init(&in, 1024);
	buf_init(&units, 1024);
	for (int i = 0; i < n; i++) /* integers: no injection */
		buf_printf(&in, "%s%" PRId64, i ? "," : "", ids[i]);
	if (nunits)
		buf_puts(&units, " AND (SELECT unit_id FROM consultation_types t "
				 "WHERE t.id = w.type_id) IN (");
	for (int i = 0; i < nunits; i++)
		buf_printf(&units, "%s%" PRId64, i ? "," : "", unit_ids[i]);
	if (nunits)
		buf_putc(&units, ')');
	buf_printf(&b,
		   "SELECT w.id, w.patient_id, p.name, w.type_id, w.clinician_id, w.priority, "
		   "w.earliest, w.note, w.created_at FROM waiting_list w "
		   "JOIN patients p ON p.id = w.patient_id WHERE w.status = 'waiting' AND p.active "
		   "AND (w.earliest IS NULL OR w.earliest <= ?2) AND "
		   "((?1 <> 0 AND w.type_id = ?1 AND (w.clinician_id IS NULL OR "
		   "w.clinician_id IN (%s))) OR (?1 = 0 AND w.clinician_id IN (%s)))%s "
		   "ORDER BY CASE w.priority WHEN 'urgent' THEN 0 ELSE 1 END, w.created_at, w.id "
		   "LIMIT ?3",
		   in.failed ? "0" : in.data, in.failed ? "0" : in.data,
		   units.data ? units.data : "");
	if (b.failed || units.failed) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = store_stmt(s, b.data, &st)))
		goto out;
	sqlite3_bind_int64(st, 1, type_id);
	sqlite3_bind_text(st, 2, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		w.id = sqlite3_column_int64(st, 0);
		w.patient_id = sqlite3_column_int64(st, 1);
		store_copy_text(w.patient_name, sizeof(w.patient_name), st, 2);
		w.type_id = sqlite3_column_int64(st, 3);
		w.clinician_id = sqlite3_column_int64(st, 4);
		store_copy_text(w.priority, sizeof(w.priority), st, 5);
		store_copy_text(w.earliest, sizeof(w.earliest), st, 6);
		store_copy_text(w.note, sizeof(w.note), st, 7);
		w.since = sqlite3_column_int64(st, 8);
		if (!fn(ctx, &w))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "waiting offers");
out:
	store_done(st);
	buf_release(&b);
	buf_release(&in);
	buf_release(&units);
	return err;
}

enum app_err store_waiting_book(struct store *s, int64_t id, int64_t patient_id,
				int64_t appointment_id, int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s,
			      "UPDATE waiting_list SET status = 'booked', appointment_id = ?3, "
			      "updated_at = ?4 WHERE id = ?1 AND patient_id = ?2 AND "
			      "status = 'waiting'",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, patient_id);
	sqlite3_bind_int64(st, 3, appointment_id);
	sqlite3_bind_int64(st, 4, now);
	if ((err = store_step_done(s, st, "waiting book")))
		return err;
	return sqlite3_changes(store_db(s)) ? APP_OK : APP_ETRANSITION;
}
