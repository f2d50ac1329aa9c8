/*
 * store_users.c - SQL for users, sessions, login failures and the audit log.
 */
#include "store_users.h"

#include <stdio.h>
#include <string.h>

#include "store.h"

static const char SQL_USER_COLS[] =
	"SELECT id, username, role, clinician_id, password_hash, active, created_at, updated_at, "
	"last_login_at FROM users ";

static enum app_err load_units(struct store *s, struct user *u)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	u->nunits = 0;
	if ((err = store_stmt(s, "SELECT unit_id FROM user_units WHERE user_id = ?1 ORDER BY unit_id",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, u->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && u->nunits < ACTOR_MAX_UNITS)
		u->unit_ids[u->nunits++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "user units");
	store_done(st);
	return err;
}

static void read_user(sqlite3_stmt *st, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	store_copy_text(u->username, sizeof(u->username), st, 1);
	u->role = actor_role_parse((const char *)sqlite3_column_text(st, 2));
	u->clinician_id = sqlite3_column_int64(st, 3);
	store_copy_text(u->password_hash, sizeof(u->password_hash), st, 4);
	u->active = sqlite3_column_int(st, 5) != 0;
	u->created_at = sqlite3_column_int64(st, 6);
	u->updated_at = sqlite3_column_int64(st, 7);
	u->last_login_at = sqlite3_column_int64(st, 8); /* NULL reads as 0: never */
}

static enum app_err one_user(struct store *s, const char *where, int64_t id, const char *name,
			     struct user *out)
{
	char sql[256];
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	snprintf(sql, sizeof(sql), "%s%s", SQL_USER_COLS, where);
	if ((err = store_stmt(s, sql, &st)))
		return err;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_user(st, out);
	else if (rc == SQLITE_DONE)
		err = APP_ENOTFOUND;
	else
		err = store_fail(s, rc, "user get");
	store_done(st);
	return err ? err : load_units(s, out);
}

enum app_err store_users_by_name(struct store *s, const char *name, struct user *out)
{
	return one_user(s, "WHERE username = ?1", 0, name, out);
}

enum app_err store_users_get(struct store *s, int64_t id, struct user *out)
{
	return one_user(s, "WHERE id = ?1", id, NULL, out);
}

enum app_err store_users_units_set(struct store *s, const struct user *u)
{
	sqlite3_stmt *st;
	enum app_err err;

	store_accounts_touch(s); /* what the account's sessions may see */
	if ((err = store_stmt(s, "DELETE FROM user_units WHERE user_id = ?1", &st)))
		return err;
	sqlite3_bind_int64(st, 1, u->id);
	if ((err = store_step_done(s, st, "user units")))
		return err;
	for (int i = 0; i < u->nunits; i++) {
		if ((err = store_stmt(s, "INSERT OR IGNORE INTO user_units (user_id, unit_id) "
					 "VALUES (?1, ?2)",
				      &st)))
			return err;
		sqlite3_bind_int64(st, 1, u->id);
		sqlite3_bind_int64(st, 2, u->unit_ids[i]);
		if ((err = store_step_done(s, st, "user units")))
			return err;
	}
	return APP_OK;
}

static void bind_user(sqlite3_stmt *st, const struct user *u)
{
	sqlite3_bind_text(st, 2, actor_role_name(u->role), -1, SQLITE_STATIC);
	if (u->clinician_id)
		sqlite3_bind_int64(st, 3, u->clinician_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, u->password_hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, u->active);
}

enum app_err store_users_insert(struct store *s, struct user *u, int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_begin(s)))
		return err;
	if ((err = store_stmt(s, "INSERT INTO users (username, role, clinician_id, password_hash, "
				 "active, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
			      &st)))
		goto out;
	sqlite3_bind_text(st, 1, u->username, -1, SQLITE_TRANSIENT);
	bind_user(st, u);
	sqlite3_bind_int64(st, 6, now);
	if ((err = store_step_done(s, st, "user insert")))
		goto out;
	u->id = sqlite3_last_insert_rowid(store_db(s));
	u->created_at = u->updated_at = now;
	if ((err = store_users_units_set(s, u)))
		goto out;
	return store_commit(s);
out:
	store_rollback(s);
	return err;
}

enum app_err store_users_update(struct store *s, const struct user *u, int64_t now)
{
	struct user cur;
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_begin(s)))
		return err;
	if ((err = store_users_get(s, u->id, &cur)))
		goto out;
	if ((err = store_stmt(s, "UPDATE users SET role = ?2, clinician_id = ?3, password_hash = ?4, "
				 "active = ?5, updated_at = ?6 WHERE id = ?1",
			      &st)))
		goto out;
	sqlite3_bind_int64(st, 1, u->id);
	bind_user(st, u);
	sqlite3_bind_int64(st, 6, now);
	if ((err = store_step_done(s, st, "user update")) || (err = store_users_units_set(s, u)))
		goto out;
	if (!u->active || u->role != cur.role || strcmp(u->password_hash, cur.password_hash)) {
		/* a disabled account, a new role or a new password ends its sessions */
		store_accounts_touch(s);
		if ((err = store_stmt(s, "DELETE FROM sessions WHERE user_id = ?1", &st)))
			goto out;
		sqlite3_bind_int64(st, 1, u->id);
		if ((err = store_step_done(s, st, "sessions end")))
			goto out;
	}
	return store_commit(s);
out:
	store_rollback(s);
	return err;
}

enum app_err store_users_rehash(struct store *s, int64_t id, const char *old_hash,
				const char *new_hash)
{
	sqlite3_stmt *st;
	enum app_err err;

	/* only over the hash the login checked: a password set meanwhile stays */
	if ((err = store_stmt(s, "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND "
				 "password_hash = ?2",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, old_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, new_hash, -1, SQLITE_STATIC);
	return store_step_done(s, st, "password rehash");
}

enum app_err store_users_list(struct store *s, user_fn fn, void *ctx)
{
	char sql[256];
	struct user u;
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	snprintf(sql, sizeof(sql), "%sORDER BY username", SQL_USER_COLS);
	if ((err = store_stmt(s, sql, &st)))
		return err;
	/* collect units per row with a second statement on the same connection */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_user(st, &u);
		if ((err = load_units(s, &u)))
			break;
		if (!fn(ctx, &u))
			break;
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "user list");
	store_done(st);
	return err;
}

enum app_err store_users_session_add(struct store *s, const char *hash, int64_t user_id,
				     int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_begin(s)))
		return err;
	if ((err = store_stmt(s, "INSERT INTO sessions (id_hash, user_id, created_at, last_seen) "
				 "VALUES (?1, ?2, ?3, ?3)",
			      &st)))
		goto out;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, user_id);
	sqlite3_bind_int64(st, 3, now);
	if ((err = store_step_done(s, st, "session add")))
		goto out;
	/* the account list's "last login" (sessions end, this stays) */
	if ((err = store_stmt(s, "UPDATE users SET last_login_at = ?2 WHERE id = ?1", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, user_id);
	sqlite3_bind_int64(st, 2, now);
	if ((err = store_step_done(s, st, "last login")))
		goto out;
	return store_commit(s);
out:
	store_rollback(s);
	return err;
}

enum app_err store_users_session_get(struct store *s, const char *hash, struct user *u,
				     int64_t *created_at, int64_t *last_seen)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	/* the user's columns in SQL_USER_COLS's order, then the session's
	 * times and one row per unit (NULL: none), as load_units reads them */
	if ((err = store_stmt(s, "SELECT u.id, u.username, u.role, u.clinician_id, "
				 "u.password_hash, u.active, u.created_at, u.updated_at, "
				 "u.last_login_at, s.created_at, s.last_seen, uu.unit_id "
				 "FROM sessions s JOIN users u ON u.id = s.user_id "
				 "LEFT JOIN user_units uu ON uu.user_id = u.id "
				 "WHERE s.id_hash = ?1 ORDER BY uu.unit_id",
			      &st)))
		return err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	err = APP_ENOTFOUND;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (err) {
			read_user(st, u);
			*created_at = sqlite3_column_int64(st, 9);
			*last_seen = sqlite3_column_int64(st, 10);
			err = APP_OK;
		}
		if (sqlite3_column_type(st, 11) != SQLITE_NULL && u->nunits < ACTOR_MAX_UNITS)
			u->unit_ids[u->nunits++] = sqlite3_column_int64(st, 11);
	}
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "session get");
	store_done(st);
	return err;
}

/* Run sql with ?1 = text and, when it has a second parameter, ?2 = n. */
static enum app_err exec_text(struct store *s, const char *sql, const char *text, int64_t n,
			      const char *what)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, n);
	return store_step_done(s, st, what);
}

enum app_err store_users_session_touch(struct store *s, const char *hash, int64_t now)
{
	return exec_text(s, "UPDATE sessions SET last_seen = ?2 WHERE id_hash = ?1", hash, now,
			 "session touch");
}

enum app_err store_users_session_delete(struct store *s, const char *hash)
{
	store_accounts_touch(s);
	return exec_text(s, "DELETE FROM sessions WHERE id_hash = ?1", hash, 0,
			 "session delete");
}

enum app_err store_users_failures(struct store *s, const char *key, int64_t since,
				  int64_t *count, int64_t *newest)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, "SELECT count(*), max(at) FROM login_failures "
				 "WHERE key = ?1 AND at > ?2",
			      &st)))
		return err;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, since);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		*newest = sqlite3_column_int64(st, 1);
	} else {
		err = store_fail(s, rc, "failures");
	}
	store_done(st);
	return err;
}

enum app_err store_users_failure_add(struct store *s, const char *key, int64_t now,
				     int64_t forget_before)
{
	enum app_err err;

	if ((err = store_run(s, "DELETE FROM login_failures WHERE at < ?1", 1, forget_before, 0)))
		return err;
	return exec_text(s, "INSERT INTO login_failures (key, at) VALUES (?1, ?2)", key, now,
			 "failure add");
}

enum app_err store_users_failure_clear(struct store *s, const char *key)
{
	return exec_text(s, "DELETE FROM login_failures WHERE key = ?1", key, 0,
			 "failures clear");
}

enum app_err store_users_audit_add(struct store *s, const struct audit_row *r)
{
	return store_users_audit_detail(s, r, NULL);
}

/* Bind r (and detail) to the audit insert st; the texts are r's own and
 * stay put until the step. */
static void audit_bind(sqlite3_stmt *st, const struct audit_row *r, const char *detail)
{
	sqlite3_bind_int64(st, 1, r->at);
	if (r->user_id)
		sqlite3_bind_int64(st, 2, r->user_id);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, r->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->action, -1, SQLITE_STATIC);
	if (r->patient_id)
		sqlite3_bind_int64(st, 6, r->patient_id);
	else
		sqlite3_bind_null(st, 6);
	if (r->appointment_id)
		sqlite3_bind_int64(st, 7, r->appointment_id);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_text(st, 8, r->client_ip, -1, SQLITE_STATIC);
	if (detail)
		sqlite3_bind_text(st, 9, detail, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
}

#define AUDIT_INSERT                                                                              \
	"INSERT INTO audit_log (at, user_id, username, role, action, patient_id, appointment_id, " \
	"client_ip, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"

/* The read audit writer's batch (audit.c), in the caller's transaction:
 * one statement looked up once and stepped a row each. */
enum app_err store_users_audit_add_rows(struct store *s, const struct audit_row *rows, int n)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc = SQLITE_DONE;

	if ((err = store_stmt(s, AUDIT_INSERT, &st)))
		return err;
	for (int i = 0; i < n && rc == SQLITE_DONE; i++) {
		audit_bind(st, &rows[i], NULL);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	store_done(st);
	return rc == SQLITE_DONE ? APP_OK : store_fail(s, rc, "audit add");
}

enum app_err store_users_audit_detail(struct store *s, const struct audit_row *r,
				      const char *detail)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, AUDIT_INSERT, &st)))
		return err;
	audit_bind(st, r, detail);
	return store_step_done(s, st, "audit add");
}

enum app_err store_users_audit_list(struct store *s, int64_t patient_id, int limit, int offset,
				    audit_fn fn, void *ctx)
{
	sqlite3_stmt *st;
	struct audit_row r;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, "SELECT id, at, user_id, username, role, action, patient_id, "
				 "appointment_id, client_ip, detail FROM audit_log "
				 "WHERE (?1 = 0 OR patient_id = ?1) ORDER BY id DESC LIMIT ?2 OFFSET ?3",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, patient_id);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int(st, 3, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(st, 0);
		r.at = sqlite3_column_int64(st, 1);
		r.user_id = sqlite3_column_int64(st, 2);
		store_copy_text(r.username, sizeof(r.username), st, 3);
		store_copy_text(r.role, sizeof(r.role), st, 4);
		store_copy_text(r.action, sizeof(r.action), st, 5);
		r.patient_id = sqlite3_column_int64(st, 6);
		r.appointment_id = sqlite3_column_int64(st, 7);
		store_copy_text(r.client_ip, sizeof(r.client_ip), st, 8);
		r.detail = (const char *)sqlite3_column_text(st, 9); /* valid until the next step */
		if (!fn(ctx, &r))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = store_fail(s, rc, "audit list");
	store_done(st);
	return err;
}
