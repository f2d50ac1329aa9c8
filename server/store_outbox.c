/*
 * store_outbox.c - SQL for links and the outbox; see store_outbox.h and
 * schema/0004_invitations.sql.
 */
#include "store_outbox.h"

#include <stdio.h>
#include <string.h>

#include "store.h"

#define MSG_COLS                                                                                   \
	"id, appointment_id, participant_id, channel, recipient, kind, language, subject, body, "  \
	"ics, about_start, status, attempts, next_at, last_error, created_at, sent_at, handled_at, " \
	"handled_by, link_id, survey_link_id"

/* The participant row of appointment's patient, in SQL. */
#define PATIENT_OF(appointment)                                                                    \
	"(SELECT id FROM participants WHERE appointment_id = " appointment " AND kind = 'patient')"

static const char SQL_PATIENT[] =
	"SELECT id FROM participants WHERE appointment_id = ?1 AND kind = 'patient'";
static const char SQL_RESPOND[] =
	"UPDATE participants SET response = ?2, responded_at = ?3 WHERE id = ?1";
static const char SQL_REVOKE[] =
	"UPDATE links SET revoked_at = ?2, token_box = NULL WHERE participant_id = ?1 AND "
	"revoked_at IS NULL";
static const char SQL_REVOKE_PATIENT[] =
	"UPDATE links SET revoked_at = ?2, token_box = NULL WHERE appointment_id = ?1 AND "
	"revoked_at IS NULL AND participant_id IN (SELECT id FROM participants WHERE "
	"appointment_id = ?1 AND kind = 'patient')";
static const char SQL_LINK_ADD[] =
	"INSERT INTO links (appointment_id, participant_id, token_hash, token_box, created_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_LINK_FIND[] =
	"SELECT id, appointment_id, participant_id, created_at, revoked_at FROM links "
	"WHERE token_hash = ?1";
static const char SQL_LINK_COUNT[] = "SELECT count(*) FROM links WHERE participant_id = ?1";
static const char SQL_LINK_LIVE[] =
	"SELECT id FROM links WHERE participant_id = ?1 AND revoked_at IS NULL "
	"ORDER BY id DESC LIMIT 1";
/* The message's own link, only while it is live and its participant is
 * still one (a removed guest's row stays, marked). */
static const char SQL_BOUND_BOX[] =
	"SELECT l.token_box FROM links l JOIN participants p ON p.id = l.participant_id "
	"WHERE l.id = ?1 AND l.participant_id = ?2 AND l.revoked_at IS NULL "
	"AND p.removed_at IS NULL";
/* The participant's address on a channel now: the patient's record for the
 * patient, the guest's own fields for a guest; no row for a removed one. */
static const char SQL_ADDRESS[] =
	"SELECT CASE WHEN ?2 = 'sms' THEN coalesce(pt.phone, p.phone) "
	"ELSE coalesce(pt.email, p.email) END FROM participants p "
	"LEFT JOIN patients pt ON pt.id = p.patient_id AND p.kind = 'patient' "
	"WHERE p.id = ?1 AND p.removed_at IS NULL";
/* A message dropped (?2 why, ?3 now): failed, and handled by timebok, so
 * that it waits in nobody's work queue. */
#define DROP "UPDATE outbox SET status = 'failed', last_error = ?2, next_at = ?3, " \
	     "handled_at = ?3, handled_by = 'timebok' WHERE "
/* The kinds that tell the patient their own answer. */
#define RECEIPTS "kind IN ('confirmed', 'opted_out', 'cancelled')"
static const char SQL_DROP[] = DROP "id = ?1";
static const char SQL_DROP_PARTICIPANT[] = DROP "participant_id = ?1 AND status = 'queued'";
/* a receipt not yet tried tells an answer that is no longer the last */
static const char SQL_DROP_RECEIPTS[] =
	DROP "participant_id = ?1 AND status = 'queued' AND attempts = 0 AND " RECEIPTS;
/* when the receipt sent (or on its way) last went out, or is due */
static const char SQL_LAST_RECEIPT[] =
	"SELECT coalesce(max(CASE WHEN status = 'sent' THEN sent_at ELSE next_at END), 0) "
	"FROM outbox WHERE participant_id = ?1 AND " RECEIPTS " AND handled_at IS NULL";
static const char SQL_READDRESS[] =
	"SELECT a.id FROM participants p JOIN appointments a ON a.id = p.appointment_id "
	"WHERE p.patient_id = ?1 AND p.kind = 'patient' AND p.end_at > ?2 AND p.live "
	"AND EXISTS (SELECT 1 FROM links l WHERE l.participant_id = p.id AND "
	"l.revoked_at IS NULL) ORDER BY p.start_at LIMIT ?3";
static const char SQL_ADD[] =
	"INSERT INTO outbox (appointment_id, participant_id, channel, recipient, kind, language, "
	"subject, body, ics, about_start, next_at, created_at, link_id, survey_link_id) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, max(?11, ?13), ?11, ?12, ?14)";
static const char SQL_WITHDRAW[] =
	"DELETE FROM outbox WHERE appointment_id = ?1 AND kind = 'reminder' AND "
	"status = 'queued' AND attempts = 0";
static const char SQL_LIST[] =
	"SELECT " MSG_COLS " FROM outbox WHERE appointment_id = ?1 ORDER BY id";
static const char SQL_CLAIM[] =
	"UPDATE outbox SET attempts = attempts + 1, next_at = ?2 WHERE id = (SELECT id FROM "
	"outbox WHERE status = 'queued' AND next_at <= ?1 ORDER BY next_at, id LIMIT 1) "
	"RETURNING " MSG_COLS;
/* A finished message keeps the time of its last attempt in next_at. */
static const char SQL_FINISH[] =
	"UPDATE outbox SET status = ?2, last_error = coalesce(?3, last_error), "
	"next_at = CASE WHEN ?2 = 'queued' THEN ?4 ELSE ?5 END, "
	"sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END WHERE id = ?1";
static const char SQL_HANDLED[] =
	"UPDATE outbox SET handled_at = ?3, handled_by = ?4 WHERE id = ?2 AND appointment_id = ?1 "
	"AND status = 'failed' AND handled_at IS NULL";
static const char SQL_STATUS[] =
	"SELECT status, handled_at FROM outbox WHERE id = ?2 AND appointment_id = ?1";
static const char SQL_NEXT_DUE[] = "SELECT min(next_at) FROM outbox WHERE status = 'queued'";
static const char SQL_REMINDERS[] =
	"SELECT a.id FROM appointments a WHERE a.start_at > ?1 AND a.start_at <= ?1 + ?2 "
	"AND a.status IN ('invited', 'confirmed') "
	"AND EXISTS (SELECT 1 FROM links l WHERE l.appointment_id = a.id AND "
	"l.revoked_at IS NULL AND l.participant_id = " PATIENT_OF("a.id") ") "
	"AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.appointment_id = a.id AND "
	"o.participant_id = " PATIENT_OF("a.id") " AND "
	"((o.kind = 'reminder' AND o.about_start = a.start_at) OR "
	"(o.kind IN ('invitation', 'changed') AND o.created_at > a.start_at - ?2))) "
	"ORDER BY a.start_at LIMIT ?3";

enum app_err store_outbox_patient(struct store *s, int64_t appt, int64_t *participant_id)
{
	enum app_err err = store_scalar(s, SQL_PATIENT, 1, appt, 0, participant_id);

	return err ? err : *participant_id ? APP_OK : APP_ENOTFOUND;
}

enum app_err store_outbox_respond(struct store *s, int64_t participant_id, const char *response,
				  int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_RESPOND, &st)))
		return err;
	sqlite3_bind_int64(st, 1, participant_id);
	sqlite3_bind_text(st, 2, response, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return store_step_done(s, st, "participant response");
}

enum app_err store_outbox_link_add(struct store *s, int64_t appt, int64_t participant_id,
				   const char *hash, const uint8_t box[TOKEN_BOX_LEN], int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_run(s, SQL_REVOKE, 2, participant_id, now)))
		return err;
	if ((err = store_stmt(s, SQL_LINK_ADD, &st)))
		return err;
	sqlite3_bind_int64(st, 1, appt);
	sqlite3_bind_int64(st, 2, participant_id);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, box, TOKEN_BOX_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	return store_step_done(s, st, "link insert");
}

enum app_err store_outbox_links_revoke(struct store *s, int64_t appt, int64_t now)
{
	return store_run(s, SQL_REVOKE_PATIENT, 2, appt, now);
}

enum app_err store_outbox_participant_revoke(struct store *s, int64_t participant_id,
					     int64_t now)
{
	return store_run(s, SQL_REVOKE, 2, participant_id, now);
}

enum app_err store_outbox_link_find(struct store *s, const char *hash, struct link *out)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, SQL_LINK_FIND, &st)))
		return err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->appointment_id = sqlite3_column_int64(st, 1);
		out->participant_id = sqlite3_column_int64(st, 2);
		out->created_at = sqlite3_column_int64(st, 3);
		out->revoked_at = sqlite3_column_int64(st, 4);
	} else {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "link find");
	}
	store_done(st);
	return err;
}

enum app_err store_outbox_link_count(struct store *s, int64_t participant_id, int64_t *n)
{
	return store_scalar(s, SQL_LINK_COUNT, 1, participant_id, 0, n);
}

enum app_err store_outbox_link_live(struct store *s, int64_t participant_id, int64_t *link_id)
{
	return store_scalar(s, SQL_LINK_LIVE, 1, participant_id, 0, link_id);
}

enum app_err store_outbox_bound_box(struct store *s, const struct outbox_msg *m,
				    uint8_t box[TOKEN_BOX_LEN])
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if (!m->link_id || !m->participant_id)
		return APP_ENOTFOUND;
	if ((err = store_stmt(s, SQL_BOUND_BOX, &st)))
		return err;
	sqlite3_bind_int64(st, 1, m->link_id);
	sqlite3_bind_int64(st, 2, m->participant_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == TOKEN_BOX_LEN)
		memcpy(box, sqlite3_column_blob(st, 0), TOKEN_BOX_LEN);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		err = APP_ENOTFOUND;
	else
		err = store_fail(s, rc, "bound link");
	store_done(st);
	return err;
}

enum app_err store_outbox_address(struct store *s, int64_t participant_id, const char *channel,
				  char *out, size_t cap, bool *takes_part)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	out[0] = '\0';
	*takes_part = false;
	if ((err = store_stmt(s, SQL_ADDRESS, &st)))
		return err;
	sqlite3_bind_int64(st, 1, participant_id);
	sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*takes_part = true;
		store_copy_text(out, cap, st, 0);
	} else if (rc != SQLITE_DONE) {
		err = store_fail(s, rc, "participant address");
	}
	store_done(st);
	return err;
}

/* Mark the rows of sql (?1 = key) dropped: failed, handled by timebok. */
static enum app_err drop(struct store *s, const char *sql, int64_t key, const char *why,
			 int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, key);
	sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return store_step_done(s, st, "outbox drop");
}

enum app_err store_outbox_drop(struct store *s, int64_t id, const char *why, int64_t now)
{
	return drop(s, SQL_DROP, id, why, now);
}

enum app_err store_outbox_drop_participant(struct store *s, int64_t participant_id,
					   const char *why, int64_t now)
{
	return drop(s, SQL_DROP_PARTICIPANT, participant_id, why, now);
}

enum app_err store_outbox_receipt_replace(struct store *s, int64_t participant_id, int64_t now,
					  int64_t *last)
{
	enum app_err err;

	if ((err = drop(s, SQL_DROP_RECEIPTS, participant_id,
			"not sent: a later answer replaced it", now)))
		return err;
	return store_scalar(s, SQL_LAST_RECEIPT, 1, participant_id, 0, last);
}

enum app_err store_outbox_add(struct store *s, struct outbox_msg *m, int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_ADD, &st)))
		return err;
	sqlite3_bind_int64(st, 1, m->appointment_id);
	if (m->participant_id)
		sqlite3_bind_int64(st, 2, m->participant_id);
	sqlite3_bind_text(st, 3, m->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->language, -1, SQLITE_STATIC);
	store_bind_text(st, 7, m->subject);
	sqlite3_bind_text(st, 8, m->body, -1, SQLITE_STATIC);
	store_bind_text(st, 9, m->ics);
	sqlite3_bind_int64(st, 10, m->about_start);
	sqlite3_bind_int64(st, 11, now);
	if (m->link_id)
		sqlite3_bind_int64(st, 12, m->link_id);
	sqlite3_bind_int64(st, 13, m->next_at); /* later than now: due then */
	if (m->survey_link_id)
		sqlite3_bind_int64(st, 14, m->survey_link_id);
	if ((err = store_step_done(s, st, "outbox insert")))
		return err;
	m->id = sqlite3_last_insert_rowid(store_db(s));
	snprintf(m->status, sizeof(m->status), "queued");
	m->attempts = 0;
	m->next_at = m->next_at > now ? m->next_at : now;
	m->created_at = now;
	return APP_OK;
}

enum app_err store_outbox_withdraw(struct store *s, int64_t appt)
{
	return store_run(s, SQL_WITHDRAW, 1, appt, 0);
}

static void read_msg(sqlite3_stmt *st, struct outbox_msg *m)
{
	m->id = sqlite3_column_int64(st, 0);
	m->appointment_id = sqlite3_column_int64(st, 1);
	m->participant_id = sqlite3_column_int64(st, 2);
	store_copy_text(m->channel, sizeof(m->channel), st, 3);
	store_copy_text(m->recipient, sizeof(m->recipient), st, 4);
	store_copy_text(m->kind, sizeof(m->kind), st, 5);
	store_copy_text(m->language, sizeof(m->language), st, 6);
	store_copy_text(m->subject, sizeof(m->subject), st, 7);
	store_copy_text(m->body, sizeof(m->body), st, 8);
	store_copy_text(m->ics, sizeof(m->ics), st, 9);
	m->about_start = sqlite3_column_int64(st, 10);
	store_copy_text(m->status, sizeof(m->status), st, 11);
	m->attempts = sqlite3_column_int(st, 12);
	m->next_at = sqlite3_column_int64(st, 13);
	store_copy_text(m->last_error, sizeof(m->last_error), st, 14);
	m->created_at = sqlite3_column_int64(st, 15);
	m->sent_at = sqlite3_column_int64(st, 16);
	m->handled_at = sqlite3_column_int64(st, 17);
	store_copy_text(m->handled_by, sizeof(m->handled_by), st, 18);
	m->link_id = sqlite3_column_int64(st, 19);
	m->survey_link_id = sqlite3_column_int64(st, 20);
}

enum app_err store_outbox_list(struct store *s, int64_t appt, outbox_fn fn, void *ctx)
{
	struct outbox_msg row;
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, SQL_LIST, &st)))
		return err;
	sqlite3_bind_int64(st, 1, appt);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_msg(st, &row);
		if (!fn(ctx, &row))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "outbox list");
	store_done(st);
	return err;
}

enum app_err store_outbox_claim(struct store *s, int64_t now, int lease, struct outbox_msg *out)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	out->id = 0;
	if ((err = store_stmt(s, SQL_CLAIM, &st)))
		return err;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, now + lease);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_msg(st, out);
		rc = sqlite3_step(st); /* finish the statement: the update commits */
	}
	if (rc == SQLITE_DONE)
		err = out->id ? APP_OK : APP_ENOTFOUND;
	else
		err = store_fail(s, rc, "outbox claim");
	store_done(st);
	return err;
}

enum app_err store_outbox_finish(struct store *s, int64_t id, const char *status, const char *err_text,
				 int64_t retry_at, int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_FINISH, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	store_bind_text(st, 3, err_text);
	sqlite3_bind_int64(st, 4, retry_at);
	sqlite3_bind_int64(st, 5, now);
	return store_step_done(s, st, "outbox finish");
}

enum app_err store_outbox_handled(struct store *s, int64_t appt, int64_t id, const char *by,
				  int64_t now, bool *changed)
{
	char status[8] = "";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, SQL_HANDLED, &st)))
		return err;
	sqlite3_bind_int64(st, 1, appt);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	if ((err = store_step_done(s, st, "outbox handled")))
		return err;
	if ((*changed = sqlite3_changes(store_db(s)) > 0))
		return APP_OK;
	/* nothing changed: say why */
	if ((err = store_stmt(s, SQL_STATUS, &st)))
		return err;
	sqlite3_bind_int64(st, 1, appt);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_copy_text(status, sizeof(status), st, 0);
		err = strcmp(status, "failed") ? APP_ETRANSITION : APP_OK; /* handled before */
	} else {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "outbox status");
	}
	store_done(st);
	return err;
}

enum app_err store_outbox_next_due(struct store *s, int64_t *at)
{
	return store_scalar(s, SQL_NEXT_DUE, 0, 0, 0, at);
}

/* The ids that sql (?1 = a, ?2 = b, ?3 = max) selects, at most max. */
static enum app_err ids_of(struct store *s, const char *sql, int64_t a, int64_t b, int64_t *ids,
			   int max, int *n, const char *what)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*n = 0;
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int(st, 3, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		ids[(*n)++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, what);
	store_done(st);
	return err;
}

enum app_err store_outbox_readdress_due(struct store *s, int64_t patient_id, int64_t now,
					int64_t *ids, int max, int *n)
{
	return ids_of(s, SQL_READDRESS, patient_id, now, ids, max, n, "readdress due");
}

enum app_err store_outbox_reminders_due(struct store *s, int64_t now, int64_t window, int64_t *ids,
					int max, int *n)
{
	return ids_of(s, SQL_REMINDERS, now, window, ids, max, n, "reminders due");
}
