/*
 * store_survey.c - SQL for questionnaires, survey links, follow-up sends
 * and answers (store_survey.h, schema 0016).
 */
#include "store_survey.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"

static char *dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	int n = sqlite3_column_bytes(st, col);
	char *s;

	if (!t)
		return NULL;
	if ((s = malloc((size_t)n + 1))) {
		memcpy(s, t, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

void store_survey_qn_release(struct qn *q)
{
	if (!q)
		return;
	free(q->resource);
	free(q->feedback);
	q->resource = q->feedback = NULL;
}

#define QN_COLS                                                                                    \
	"q.id, IFNULL(q.unit_id, 0), v.version, q.status = 'retired', q.builtin, q.created_at, "   \
	"q.updated_at, v.resource, v.feedback FROM questionnaires q JOIN questionnaire_versions v " \
	"ON v.questionnaire_id = q.id "

static bool qn_row(sqlite3_stmt *st, struct qn *q)
{
	memset(q, 0, sizeof(*q));
	q->id = sqlite3_column_int64(st, 0);
	q->unit_id = sqlite3_column_int64(st, 1);
	q->version = sqlite3_column_int(st, 2);
	q->retired = sqlite3_column_int(st, 3);
	q->builtin = sqlite3_column_int(st, 4);
	q->created_at = sqlite3_column_int64(st, 5);
	q->updated_at = sqlite3_column_int64(st, 6);
	q->resource = dup_col(st, 7);
	q->feedback = dup_col(st, 8);
	return q->resource && (q->feedback || sqlite3_column_type(st, 8) == SQLITE_NULL);
}

enum app_err store_survey_qn_get(struct store *s, int64_t id, int version, struct qn *out)
{
	static const char sql[] = "SELECT " QN_COLS
				  "WHERE q.id = ?1 AND v.version = IIF(?2 > 0, ?2, q.version)";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, version);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		err = qn_row(st, out) ? APP_OK : APP_ENOMEM;
	else
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "questionnaire");
	store_done(st);
	if (err)
		store_survey_qn_release(out);
	return err;
}

enum app_err store_survey_qn_list(struct store *s, int64_t unit, const char *status, qn_fn fn,
				  void *ctx)
{
	static const char sql[] = "SELECT " QN_COLS
				  "WHERE v.version = q.version AND (?1 = 0 OR q.unit_id = ?1 OR "
				  "q.unit_id IS NULL) AND (?2 IS NULL OR q.status = ?2) ORDER BY q.id";
	sqlite3_stmt *st;
	enum app_err err;
	struct qn q;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, unit);
	store_bind_text(st, 2, status);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool more;
		if (!qn_row(st, &q)) {
			store_survey_qn_release(&q);
			err = APP_ENOMEM;
			break;
		}
		more = fn(ctx, &q);
		store_survey_qn_release(&q);
		if (!more)
			break;
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "questionnaires");
	store_done(st);
	return err;
}

static enum app_err add_version(struct store *s, int64_t id, int version, const char *resource,
				const char *feedback, int64_t now)
{
	static const char sql[] = "INSERT INTO questionnaire_versions (questionnaire_id, version, "
				  "resource, feedback, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, version);
	sqlite3_bind_text(st, 3, resource, -1, SQLITE_TRANSIENT);
	store_bind_text(st, 4, feedback);
	sqlite3_bind_int64(st, 5, now);
	return store_step_done(s, st, "questionnaire version");
}

enum app_err store_survey_qn_add(struct store *s, int64_t unit_id, const char *title,
				 const char *resource, const char *feedback, int64_t now,
				 int64_t *id)
{
	static const char sql[] = "INSERT INTO questionnaires (unit_id, version, title, created_at, "
				  "updated_at) VALUES (NULLIF(?1, 0), 1, ?2, ?3, ?3)";
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, unit_id);
	sqlite3_bind_text(st, 2, title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, now);
	if ((err = store_step_done(s, st, "questionnaire add")))
		return err;
	*id = sqlite3_last_insert_rowid(store_db(s));
	return add_version(s, *id, 1, resource, feedback, now);
}

enum app_err store_survey_qn_update(struct store *s, int64_t id, int64_t unit_id,
				    const char *title, const char *resource, const char *feedback,
				    int64_t now, int *version)
{
	static const char sql[] = "UPDATE questionnaires SET version = version + 1, unit_id = "
				  "NULLIF(?2, 0), title = ?3, updated_at = ?4 WHERE id = ?1 "
				  "RETURNING version";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, unit_id);
	sqlite3_bind_text(st, 3, title, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "questionnaire update");
	store_done(st);
	if (err)
		return err;
	return add_version(s, id, *version, resource, feedback, now);
}

enum app_err store_survey_qn_retire(struct store *s, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE questionnaires SET status = 'retired', updated_at = ?2 WHERE id = ?1";
	enum app_err err = store_run(s, sql, 2, id, now);

	if (err)
		return err;
	return sqlite3_changes(store_db(s)) ? APP_OK : APP_ENOTFOUND;
}

/* ---- links ---- */

enum app_err store_survey_link_add(struct store *s, const struct survey_link *l,
				   const char *hash, const uint8_t box[TOKEN_BOX_LEN], int64_t *id)
{
	static const char sql[] =
		"INSERT INTO survey_links (kind, appointment_id, patient_id, questionnaire_id, "
		"questionnaire_version, send_id, token_hash, token_box, created_at, expires_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, NULLIF(?6, 0), ?7, ?8, ?9, ?10)";
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_text(st, 1, l->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, l->appointment_id);
	sqlite3_bind_int64(st, 3, l->patient_id);
	sqlite3_bind_int64(st, 4, l->questionnaire_id);
	sqlite3_bind_int(st, 5, l->questionnaire_version);
	sqlite3_bind_int64(st, 6, l->send_id);
	sqlite3_bind_text(st, 7, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 8, box, TOKEN_BOX_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, l->created_at);
	sqlite3_bind_int64(st, 10, l->expires_at);
	if ((err = store_step_done(s, st, "survey link")))
		return err;
	*id = sqlite3_last_insert_rowid(store_db(s));
	return APP_OK;
}

enum app_err store_survey_link_find(struct store *s, const char *hash, struct survey_link *out)
{
	static const char sql[] =
		"SELECT id, kind, appointment_id, patient_id, questionnaire_id, "
		"questionnaire_version, IFNULL(send_id, 0), created_at, expires_at, "
		"IFNULL(used_at, 0) FROM survey_links WHERE token_hash = ?1";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		store_copy_text(out->kind, sizeof(out->kind), st, 1);
		out->appointment_id = sqlite3_column_int64(st, 2);
		out->patient_id = sqlite3_column_int64(st, 3);
		out->questionnaire_id = sqlite3_column_int64(st, 4);
		out->questionnaire_version = sqlite3_column_int(st, 5);
		out->send_id = sqlite3_column_int64(st, 6);
		out->created_at = sqlite3_column_int64(st, 7);
		out->expires_at = sqlite3_column_int64(st, 8);
		out->used_at = sqlite3_column_int64(st, 9);
	} else {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "survey link");
	}
	store_done(st);
	return err;
}

enum app_err store_survey_link_box(struct store *s, int64_t id, int64_t now,
				   uint8_t box[TOKEN_BOX_LEN])
{
	static const char sql[] = "SELECT token_box FROM survey_links WHERE id = ?1 AND "
				  "used_at IS NULL AND expires_at > ?2 AND token_box IS NOT NULL";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == TOKEN_BOX_LEN)
		memcpy(box, sqlite3_column_blob(st, 0), TOKEN_BOX_LEN);
	else
		err = rc == SQLITE_ROW || rc == SQLITE_DONE ? APP_ENOTFOUND
							    : store_fail(s, rc, "survey box");
	store_done(st);
	return err;
}

enum app_err store_survey_sent(struct store *s, int64_t appt, bool *sent)
{
	int64_t n = 0;
	enum app_err err = store_scalar(
		s, "SELECT COUNT(*) FROM survey_links WHERE appointment_id = ?1 AND kind = 'survey'",
		1, appt, 0, &n);

	*sent = n > 0;
	return err;
}

/* ---- answers ---- */

void store_survey_response_release(struct qresponse *r)
{
	if (!r)
		return;
	free(r->resource);
	free(r->comment);
	r->resource = r->comment = NULL;
}

enum app_err store_survey_response_add(struct store *s, struct qresponse *r)
{
	static const char use[] = "UPDATE survey_links SET used_at = ?2, token_box = NULL "
				  "WHERE id = ?1 AND used_at IS NULL";
	static const char sql[] =
		"INSERT INTO questionnaire_responses (patient_id, appointment_id, questionnaire_id, "
		"questionnaire_version, link_id, kind, mode, resource, score, wants_control, "
		"comment, authored) VALUES (?1, NULLIF(?2, 0), ?3, ?4, NULLIF(?5, 0), ?6, ?7, ?8, "
		"?9, ?10, ?11, ?12)";
	sqlite3_stmt *st;
	enum app_err err;

	if (r->link_id) {
		if ((err = store_run(s, use, 2, r->link_id, r->authored)))
			return err;
		if (!sqlite3_changes(store_db(s)))
			return APP_ECONFLICT;
	}
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, r->patient_id);
	sqlite3_bind_int64(st, 2, r->appointment_id);
	sqlite3_bind_int64(st, 3, r->questionnaire_id);
	sqlite3_bind_int(st, 4, r->questionnaire_version);
	sqlite3_bind_int64(st, 5, r->link_id);
	sqlite3_bind_text(st, 6, r->kind, -1, SQLITE_TRANSIENT);
	store_bind_text(st, 7, r->mode);
	sqlite3_bind_text(st, 8, r->resource, -1, SQLITE_TRANSIENT);
	if (r->has_score)
		sqlite3_bind_double(st, 9, r->score);
	if (r->wants_control >= 0)
		sqlite3_bind_int(st, 10, r->wants_control);
	store_bind_text(st, 11, r->comment);
	sqlite3_bind_int64(st, 12, r->authored);
	if ((err = store_step_done(s, st, "questionnaire response")))
		return err;
	r->id = sqlite3_last_insert_rowid(store_db(s));
	return APP_OK;
}

#define R_COLS                                                                                     \
	"r.id, r.patient_id, IFNULL(r.appointment_id, 0), r.questionnaire_id, "                   \
	"r.questionnaire_version, IFNULL(r.link_id, 0), r.kind, r.mode, r.score, "                \
	"IFNULL(r.wants_control, -1), r.authored, q.title, "

static void response_row(sqlite3_stmt *st, struct qresponse *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->patient_id = sqlite3_column_int64(st, 1);
	r->appointment_id = sqlite3_column_int64(st, 2);
	r->questionnaire_id = sqlite3_column_int64(st, 3);
	r->questionnaire_version = sqlite3_column_int(st, 4);
	r->link_id = sqlite3_column_int64(st, 5);
	store_copy_text(r->kind, sizeof(r->kind), st, 6);
	store_copy_text(r->mode, sizeof(r->mode), st, 7);
	r->has_score = sqlite3_column_type(st, 8) != SQLITE_NULL;
	r->score = sqlite3_column_double(st, 8);
	r->wants_control = sqlite3_column_int(st, 9);
	r->authored = sqlite3_column_int64(st, 10);
	store_copy_text(r->title, sizeof(r->title), st, 11);
}

enum app_err store_survey_responses(struct store *s, int64_t patient, int64_t appt,
				    qresponse_fn fn, void *ctx)
{
	static const char sql[] =
		"SELECT " R_COLS "r.resource FROM questionnaire_responses r "
		"JOIN questionnaires q ON q.id = r.questionnaire_id WHERE r.patient_id = ?1 "
		"AND (?2 = 0 OR r.appointment_id = ?2) ORDER BY r.authored DESC, r.id DESC";
	sqlite3_stmt *st;
	struct qresponse r;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, patient);
	sqlite3_bind_int64(st, 2, appt);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool more;
		response_row(st, &r);
		if (!(r.resource = dup_col(st, 12))) {
			err = APP_ENOMEM;
			break;
		}
		more = fn(ctx, &r);
		store_survey_response_release(&r);
		if (!more)
			break;
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "questionnaire responses");
	store_done(st);
	return err;
}

enum app_err store_survey_proms(struct store *s, int64_t patient, qresponse_fn fn, void *ctx)
{
	static const char sql[] =
		"SELECT " R_COLS "NULL FROM questionnaire_responses r JOIN questionnaires q "
		"ON q.id = r.questionnaire_id WHERE r.patient_id = ?1 AND r.kind = 'prom' "
		"ORDER BY r.authored DESC, r.id DESC";
	sqlite3_stmt *st;
	struct qresponse r;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, patient);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		response_row(st, &r);
		if (!fn(ctx, &r))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "latest response");
	store_done(st);
	return err;
}

enum app_err store_survey_prom_patients_day(struct store *s, int64_t clinician, int64_t from,
					    int64_t to, bool (*fn)(void *ctx, int64_t patient),
					    void *ctx)
{
	static const char sql[] =
		"SELECT DISTINCT r.patient_id FROM questionnaire_responses r WHERE r.kind = 'prom' "
		"AND r.patient_id IN (SELECT a.patient_id FROM participants p JOIN appointments a "
		"ON a.id = p.appointment_id WHERE p.clinician_id = ?1 AND p.start_at >= ?2 AND "
		"p.start_at < ?3)";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, clinician);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (!fn(ctx, sqlite3_column_int64(st, 0)))
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "patients with answers");
	store_done(st);
	return err;
}

enum app_err store_survey_declined(struct store *s, int64_t patient, bool *declined)
{
	int64_t v = 0;
	enum app_err err = store_scalar(s, "SELECT surveys_declined FROM patients WHERE id = ?1",
					1, patient, 0, &v);

	*declined = v != 0;
	return err;
}

enum app_err store_survey_decline(struct store *s, int64_t patient, int64_t now)
{
	return store_run(s,
			 "UPDATE patients SET surveys_declined = 1, updated_at = ?2 "
			 "WHERE id = ?1 AND surveys_declined = 0",
			 2, patient, now);
}

enum app_err store_survey_followups_stop(struct store *s, bool patient, int64_t id, int64_t now)
{
	static const char *const sql[2][2] = {
		{"DELETE FROM follow_up_sends WHERE appointment_id = ?1 AND sent_at IS NULL",
		 "UPDATE follow_up_sends SET reminded_at = ?2 WHERE appointment_id = ?1 "
		 "AND sent_at IS NOT NULL AND answered_at IS NULL AND reminded_at IS NULL"},
		{"DELETE FROM follow_up_sends WHERE patient_id = ?1 AND sent_at IS NULL",
		 "UPDATE follow_up_sends SET reminded_at = ?2 WHERE patient_id = ?1 "
		 "AND sent_at IS NOT NULL AND answered_at IS NULL AND reminded_at IS NULL"},
	};
	enum app_err err;

	if ((err = store_run(s, sql[patient][0], 1, id, 0)))
		return err;
	return store_run(s, sql[patient][1], 2, id, now);
}

/* ---- plans ---- */

enum app_err store_survey_plan_get(struct store *s, const char *table, int64_t id, char **out)
{
	static const char type_sql[] = "SELECT follow_up FROM consultation_types WHERE id = ?1";
	static const char appt_sql[] = "SELECT follow_up FROM appointments WHERE id = ?1";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*out = NULL;
	if ((err = store_stmt(s, !strcmp(table, "appointments") ? appt_sql : type_sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL && !(*out = dup_col(st, 0)))
			err = APP_ENOMEM;
	} else {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "plan");
	}
	store_done(st);
	return err;
}

enum app_err store_survey_plan_set(struct store *s, const char *table, int64_t id,
				   const char *plan)
{
	static const char type_sql[] = "UPDATE consultation_types SET follow_up = ?2 WHERE id = ?1";
	static const char appt_sql[] = "UPDATE appointments SET follow_up = ?2 WHERE id = ?1";
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, !strcmp(table, "appointments") ? appt_sql : type_sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, plan);
	return store_step_done(s, st, "plan set");
}

enum app_err store_survey_followup_add(struct store *s, const struct follow_up *f)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO follow_up_sends (appointment_id, patient_id, "
		"questionnaire_id, after_days, threshold, urgent_threshold, reminder_days, due_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULLIF(?7, 0), ?8)";
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, f->appointment_id);
	sqlite3_bind_int64(st, 2, f->patient_id);
	sqlite3_bind_int64(st, 3, f->questionnaire_id);
	sqlite3_bind_int(st, 4, f->after_days);
	if (f->has_threshold)
		sqlite3_bind_double(st, 5, f->threshold);
	if (f->has_urgent)
		sqlite3_bind_double(st, 6, f->urgent_threshold);
	sqlite3_bind_int(st, 7, f->reminder_days);
	sqlite3_bind_int64(st, 8, f->due_at);
	return store_step_done(s, st, "follow-up add");
}

enum app_err store_survey_followup_get(struct store *s, int64_t id, struct follow_up *out)
{
	static const char sql[] =
		"SELECT id, appointment_id, patient_id, questionnaire_id, after_days, threshold, "
		"urgent_threshold, IFNULL(reminder_days, 0), due_at, IFNULL(sent_at, 0), "
		"IFNULL(reminded_at, 0), IFNULL(answered_at, 0) FROM follow_up_sends WHERE id = ?1";
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->appointment_id = sqlite3_column_int64(st, 1);
		out->patient_id = sqlite3_column_int64(st, 2);
		out->questionnaire_id = sqlite3_column_int64(st, 3);
		out->after_days = sqlite3_column_int(st, 4);
		out->has_threshold = sqlite3_column_type(st, 5) != SQLITE_NULL;
		out->threshold = sqlite3_column_double(st, 5);
		out->has_urgent = sqlite3_column_type(st, 6) != SQLITE_NULL;
		out->urgent_threshold = sqlite3_column_double(st, 6);
		out->reminder_days = sqlite3_column_int(st, 7);
		out->due_at = sqlite3_column_int64(st, 8);
		out->sent_at = sqlite3_column_int64(st, 9);
		out->reminded_at = sqlite3_column_int64(st, 10);
		out->answered_at = sqlite3_column_int64(st, 11);
	} else {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "follow-up");
	}
	store_done(st);
	return err;
}

static enum app_err ids(struct store *s, const char *sql, int64_t now, int64_t *out, int *n,
			int max)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*n = 0;
	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int(st, 2, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		out[(*n)++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "follow-ups due");
	store_done(st);
	return err;
}

enum app_err store_survey_followups_due(struct store *s, int64_t now, int64_t *send, int *nsend,
					int64_t *remind, int *nremind, int max)
{
	static const char due[] = "SELECT id FROM follow_up_sends WHERE sent_at IS NULL AND "
				  "due_at <= ?1 ORDER BY due_at, id LIMIT ?2";
	static const char rem[] =
		"SELECT id FROM follow_up_sends WHERE sent_at IS NOT NULL AND answered_at IS NULL "
		"AND reminded_at IS NULL AND reminder_days IS NOT NULL AND "
		"sent_at + reminder_days * 86400 <= ?1 ORDER BY sent_at, id LIMIT ?2";
	enum app_err err = ids(s, due, now, send, nsend, max);

	return err ? err : ids(s, rem, now, remind, nremind, max);
}

enum app_err store_survey_followup_mark(struct store *s, int64_t id, const char *column,
					int64_t at)
{
	static const char sent[] = "UPDATE follow_up_sends SET sent_at = ?2 WHERE id = ?1";
	static const char reminded[] = "UPDATE follow_up_sends SET reminded_at = ?2 WHERE id = ?1";

	return store_run(s, !strcmp(column, "sent_at") ? sent : reminded, 2, id, at);
}

enum app_err store_survey_followup_answered(struct store *s, int64_t id, int64_t at, bool control)
{
	static const char sql[] =
		"UPDATE follow_up_sends SET answered_at = ?2, led_to_control = ?3 WHERE id = ?1";
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int(st, 3, control);
	return store_step_done(s, st, "follow-up answered");
}

enum app_err store_survey_followup_link(struct store *s, int64_t id, int64_t *link)
{
	return store_scalar(s,
			    "SELECT id FROM survey_links WHERE send_id = ?1 AND used_at IS NULL "
			    "ORDER BY id DESC LIMIT 1",
			    1, id, 0, link);
}

enum app_err store_survey_waiting_add(struct store *s, int64_t patient, int64_t type, bool urgent,
				      const char *note, int64_t now)
{
	static const char raise[] =
		"UPDATE waiting_list SET priority = 'urgent', updated_at = ?2 WHERE patient_id = ?1 "
		"AND type_id = ?3 AND status = 'waiting' AND priority <> 'urgent' AND ?4";
	static const char sql[] =
		"INSERT INTO waiting_list (patient_id, type_id, priority, note, created_at, "
		"updated_at) SELECT ?1, ?3, IIF(?4, 'urgent', 'normal'), ?5, ?2, ?2 WHERE NOT "
		"EXISTS (SELECT 1 FROM waiting_list WHERE patient_id = ?1 AND type_id = ?3 AND "
		"status = 'waiting')";
	enum app_err err;
	sqlite3_stmt *st;

	for (int k = 0; k < 2; k++) {
		if ((err = store_stmt(s, k ? sql : raise, &st)))
			return err;
		sqlite3_bind_int64(st, 1, patient);
		sqlite3_bind_int64(st, 2, now);
		sqlite3_bind_int64(st, 3, type);
		sqlite3_bind_int(st, 4, urgent);
		if (k)
			sqlite3_bind_text(st, 5, note, -1, SQLITE_TRANSIENT);
		if ((err = store_step_done(s, st, "waiting from PROM")))
			return err;
	}
	return APP_OK;
}

enum app_err store_survey_builtin(struct store *s, int64_t *id)
{
	return store_scalar(s,
			    "SELECT id FROM questionnaires WHERE builtin = 1 AND status = 'active'",
			    0, 0, 0, id);
}

/* ---- statistics ---- */

enum app_err store_survey_facts(struct store *s, int64_t from, int64_t to, survey_fact_fn fn,
				void *ctx)
{
	static const char sql[] =
		"SELECT l.created_at, IFNULL(f.unit_id, 0), IFNULL(f.clinician_id, 0), "
		"IFNULL(a.held_mode, a.mode), l.used_at IS NOT NULL, r.score, r.comment, "
		"IFNULL(r.authored, 0) FROM survey_links l JOIN appointments a ON "
		"a.id = l.appointment_id LEFT JOIN appointment_facts f ON "
		"f.appointment_id = l.appointment_id LEFT JOIN questionnaire_responses r ON "
		"r.link_id = l.id WHERE l.kind = 'survey' AND l.created_at >= ?1 AND "
		"l.created_at < ?2 ORDER BY l.created_at, l.id";
	struct survey_fact x;
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&x, 0, sizeof(x));
		x.created_at = sqlite3_column_int64(st, 0);
		x.unit_id = sqlite3_column_int64(st, 1);
		x.clinician_id = sqlite3_column_int64(st, 2);
		store_copy_text(x.mode, sizeof(x.mode), st, 3);
		x.answered = sqlite3_column_int(st, 4);
		x.has_score = sqlite3_column_type(st, 5) != SQLITE_NULL;
		x.score = sqlite3_column_double(st, 5);
		x.comment = (const char *)sqlite3_column_text(st, 6); /* until the next step */
		x.authored = sqlite3_column_int64(st, 7);
		if (!fn(ctx, &x))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "survey facts");
	store_done(st);
	return err;
}

enum app_err store_survey_prom_facts(struct store *s, int64_t from, int64_t to, prom_fact_fn fn,
				     void *ctx)
{
	static const char sql[] =
		"SELECT IFNULL(a.type_id, 0), IFNULL(t.name, ''), s.questionnaire_id, q.title, "
		"IFNULL(f.unit_id, 0), s.answered_at IS NOT NULL, IFNULL(s.led_to_control, 0) "
		"FROM follow_up_sends s JOIN appointments a ON a.id = s.appointment_id "
		"LEFT JOIN consultation_types t ON t.id = a.type_id JOIN questionnaires q ON "
		"q.id = s.questionnaire_id LEFT JOIN appointment_facts f ON "
		"f.appointment_id = s.appointment_id WHERE s.sent_at >= ?1 AND s.sent_at < ?2 "
		"ORDER BY s.id";
	struct prom_fact x;
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&x, 0, sizeof(x));
		x.type_id = sqlite3_column_int64(st, 0);
		store_copy_text(x.type_name, sizeof(x.type_name), st, 1);
		x.questionnaire_id = sqlite3_column_int64(st, 2);
		store_copy_text(x.title, sizeof(x.title), st, 3);
		x.unit_id = sqlite3_column_int64(st, 4);
		x.answered = sqlite3_column_int(st, 5);
		x.control = sqlite3_column_int(st, 6);
		if (!fn(ctx, &x))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "PROM facts");
	store_done(st);
	return err;
}
