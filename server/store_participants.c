/*
 * store_participants.c - SQL for the participants of an appointment.
 */
#include "store_participants.h"

#include <string.h>

#include "store.h"
#include "store_outbox.h"

#define COLS                                                                                       \
	"p.id, p.appointment_id, p.kind, p.patient_id, p.clinician_id, "                           \
	"coalesce(p.name, pt.name, c.name), p.role, p.organisation, p.interpreter_language, "      \
	"p.phone, p.email, p.language, p.response, p.responded_at, p.removed_at, "                 \
	"(SELECT count(*) FROM links l WHERE l.participant_id = p.id) "                            \
	"FROM participants p LEFT JOIN patients pt ON pt.id = p.patient_id "                       \
	"LEFT JOIN clinicians c ON c.id = p.clinician_id "

static const char SQL_LIST[] =
    "SELECT " COLS "WHERE p.appointment_id = ?1 AND (?2 OR p.removed_at IS NULL) "
    "ORDER BY CASE p.kind WHEN 'patient' THEN 0 WHEN 'clinician' THEN 1 ELSE 2 END, p.id";
static const char SQL_GET[] = "SELECT " COLS "WHERE p.appointment_id = ?1 AND p.id = ?2";
/* COLS with only what the day list shows (the rest NULL): a clinician or
 * guest has no patient row to name them, and their links, contact details
 * and answer time are not shown.  A third less work at 1M than COLS, where
 * each join is one more B-tree search a row and the sort carries every
 * column. */
static const char SQL_DAY[] =
    "SELECT p.id, p.appointment_id, p.kind, NULL, p.clinician_id, coalesce(p.name, c.name), "
    "p.role, p.organisation, p.interpreter_language, NULL, NULL, NULL, p.response, NULL, NULL, "
    "NULL FROM participants d JOIN participants p ON p.appointment_id = d.appointment_id "
    "LEFT JOIN clinicians c ON c.id = p.clinician_id "
    "WHERE d.clinician_id = ?1 AND d.start_at >= ?2 AND d.start_at < ?3 "
    "AND p.kind <> 'patient' AND p.removed_at IS NULL "
    "ORDER BY p.appointment_id, CASE p.kind WHEN 'clinician' THEN 1 ELSE 2 END, p.id";
static const char SQL_ADD[] =
    "INSERT INTO participants (appointment_id, kind, start_at, end_at, live, name, role, "
    "organisation, interpreter_language, phone, email, language) "
    "SELECT id, 'external', start_at, end_at, status <> 'cancelled', ?2, ?3, ?4, ?5, ?6, ?7, ?8 "
    "FROM appointments WHERE id = ?1";
static const char SQL_UPDATE[] = "UPDATE participants SET name = ?2, role = ?3, organisation = ?4, "
				 "interpreter_language = ?5, phone = ?6, email = ?7, language = ?8 "
				 "WHERE id = ?1 AND kind = 'external'";
static const char SQL_REMOVE[] =
    "UPDATE participants SET removed_at = ?3 WHERE appointment_id = ?1 AND id = ?2 AND "
    "kind = 'external' AND removed_at IS NULL";
static const char SQL_GUESTS[] =
    "SELECT count(*) FROM participants WHERE appointment_id = ?1 AND kind = 'external' AND "
    "removed_at IS NULL";

static void read_row(sqlite3_stmt *st, struct participant *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	p->appointment_id = sqlite3_column_int64(st, 1);
	store_copy_text(p->kind, sizeof(p->kind), st, 2);
	p->patient_id = sqlite3_column_int64(st, 3);
	p->clinician_id = sqlite3_column_int64(st, 4);
	store_copy_text(p->name, sizeof(p->name), st, 5);
	store_copy_text(p->role, sizeof(p->role), st, 6);
	store_copy_text(p->organisation, sizeof(p->organisation), st, 7);
	store_copy_text(p->interpreter_language, sizeof(p->interpreter_language), st, 8);
	store_copy_text(p->phone, sizeof(p->phone), st, 9);
	store_copy_text(p->email, sizeof(p->email), st, 10);
	store_copy_text(p->language, sizeof(p->language), st, 11);
	store_copy_text(p->response, sizeof(p->response), st, 12);
	p->responded_at = sqlite3_column_int64(st, 13);
	p->removed_at = sqlite3_column_int64(st, 14);
	p->links = sqlite3_column_int64(st, 15);
}

/* fn for each row of st (bound), then done with it. */
static enum app_err each(struct store *s, sqlite3_stmt *st, participant_fn fn, void *ctx,
			 const char *what)
{
	struct participant p;
	enum app_err err = APP_OK;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_row(st, &p);
		if (!fn(ctx, &p))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, what);
	store_done(st);
	return err;
}

enum app_err store_participants_list(struct store *s, int64_t appt, bool with_removed,
				     participant_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_LIST, &st)))
		return err;
	sqlite3_bind_int64(st, 1, appt);
	sqlite3_bind_int(st, 2, with_removed);
	return each(s, st, fn, ctx, "participant list");
}

enum app_err store_participants_day(struct store *s, int64_t clinician_id, int64_t from,
				    int64_t to, participant_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_DAY, &st)))
		return err;
	sqlite3_bind_int64(st, 1, clinician_id);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	return each(s, st, fn, ctx, "participants of a day");
}

enum app_err store_participants_get(struct store *s, int64_t appt, int64_t id,
				    struct participant *out)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, SQL_GET, &st)))
		return err;
	sqlite3_bind_int64(st, 1, appt);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, out);
	else if (rc == SQLITE_DONE)
		err = APP_ENOTFOUND;
	else
		err = store_fail(s, rc, "participant get");
	store_done(st);
	return err;
}

static void bind_details(sqlite3_stmt *st, const struct participant *p)
{
	store_bind_text(st, 2, p->name);
	store_bind_text(st, 3, p->role);
	store_bind_text(st, 4, p->organisation);
	store_bind_text(st, 5, p->interpreter_language);
	store_bind_text(st, 6, p->phone);
	store_bind_text(st, 7, p->email);
	store_bind_text(st, 8, p->language[0] ? p->language : "nb");
}

enum app_err store_participants_add(struct store *s, struct participant *p)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_ADD, &st)))
		return err;
	sqlite3_bind_int64(st, 1, p->appointment_id);
	bind_details(st, p);
	if ((err = store_step_done(s, st, "participant add")))
		return err;
	if (!sqlite3_changes(store_db(s)))
		return APP_ENOTFOUND;
	p->id = sqlite3_last_insert_rowid(store_db(s));
	return APP_OK;
}

enum app_err store_participants_update(struct store *s, const struct participant *p)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_UPDATE, &st)))
		return err;
	sqlite3_bind_int64(st, 1, p->id);
	bind_details(st, p);
	return store_step_done(s, st, "participant update");
}

enum app_err store_participants_remove(struct store *s, int64_t appt, int64_t id, int64_t now)
{
	enum app_err err;
	sqlite3_stmt *st;

	if ((err = store_stmt(s, SQL_REMOVE, &st)))
		return err;
	sqlite3_bind_int64(st, 1, appt);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now);
	if ((err = store_step_done(s, st, "participant remove")))
		return err;
	if (!sqlite3_changes(store_db(s)))
		return APP_ENOTFOUND;
	if ((err = store_outbox_drop_participant(s, id, "not sent: the guest was removed", now)))
		return err;
	return store_outbox_participant_revoke(s, id, now);
}

enum app_err store_participants_guests(struct store *s, int64_t appt, int64_t *n)
{
	return store_scalar(s, SQL_GUESTS, 1, appt, 0, n);
}
