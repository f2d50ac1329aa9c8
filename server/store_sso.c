/*
 * store_sso.c - SQL of single sign-on; see store_sso.h and
 * schema/0017_sso.sql.
 *
 * An account made for a person who signs in through the provider has the
 * password hash "!", which no password verifies against (crypto_pwhash_str
 * strings start with "$argon2"), so it cannot be used with a password until
 * an admin gives it one.
 */
#include "store_sso.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define NO_PASSWORD "!"

enum app_err store_sso_mappings(struct store *s, struct sso_mapping **out, int *n)
{
	struct sso_mapping *m = calloc(SSO_MAPPINGS_MAX, sizeof(*m));
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*out = NULL;
	*n = 0;
	if (!m)
		return APP_ENOMEM;
	if ((err = store_stmt(s,
			      "SELECT m.position, claim, value, role, clinician_id, u.unit_id "
			      "FROM sso_mappings m LEFT JOIN sso_mapping_units u "
			      "ON u.position = m.position ORDER BY m.position, u.unit_id",
			      &st)))
		goto fail;
	int64_t last = -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t pos = sqlite3_column_int64(st, 0);
		struct sso_mapping *x;
		if (pos != last) {
			if (*n == SSO_MAPPINGS_MAX)
				break;
			x = &m[(*n)++];
			store_copy_text(x->claim, sizeof(x->claim), st, 1);
			store_copy_text(x->value, sizeof(x->value), st, 2);
			x->role = actor_role_parse((const char *)sqlite3_column_text(st, 3));
			x->clinician_id = sqlite3_column_int64(st, 4);
			last = pos;
		}
		x = &m[*n - 1];
		if (sqlite3_column_type(st, 5) != SQLITE_NULL && x->nunits < ACTOR_MAX_UNITS)
			x->unit_ids[x->nunits++] = sqlite3_column_int64(st, 5);
	}
	err = rc == SQLITE_ROW || rc == SQLITE_DONE ? APP_OK : store_fail(s, rc, "sso mappings");
	store_done(st);
	if (err)
		goto fail;
	*out = m;
	return APP_OK;
fail:
	free(m);
	*n = 0;
	return err;
}

enum app_err store_sso_mappings_set(struct store *s, const struct sso_mapping *m, int n)
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_begin(s)))
		return err;
	if ((err = store_run(s, "DELETE FROM sso_mappings", 0, 0, 0)))
		goto out;
	for (int i = 0; i < n; i++) {
		if ((err = store_stmt(s,
				      "INSERT INTO sso_mappings (position, claim, value, role, "
				      "clinician_id) VALUES (?1, ?2, ?3, ?4, ?5)",
				      &st)))
			goto out;
		sqlite3_bind_int(st, 1, i + 1);
		sqlite3_bind_text(st, 2, m[i].claim, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, m[i].value, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, actor_role_name(m[i].role), -1, SQLITE_STATIC);
		if (m[i].clinician_id)
			sqlite3_bind_int64(st, 5, m[i].clinician_id);
		if ((err = store_step_done(s, st, "sso mapping")))
			goto out;
		for (int k = 0; k < m[i].nunits; k++)
			if ((err = store_run(s,
					     "INSERT OR IGNORE INTO sso_mapping_units "
					     "(position, unit_id) VALUES (?1, ?2)",
					     2, i + 1, m[i].unit_ids[k])))
				goto out;
	}
	return store_commit(s);
out:
	store_rollback(s);
	return err;
}

/* How many bytes of the UTF-8 text s fit in max without cutting a
 * character. */
static int utf8_prefix(const char *s, int max)
{
	int n = (int)strnlen(s, (size_t)max + 1);

	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--; /* s[n] continues the character that starts before it */
	return n;
}

/* A new account for display, named display (or "display (2)", ...) when
 * the name is taken, cut at a character boundary; u->id set. */
static enum app_err account_new(struct store *s, const char *display, struct user *u, int64_t now)
{
	sqlite3_stmt *st;
	enum app_err err = APP_EDUPLICATE;

	for (int k = 1; k <= 50 && err == APP_EDUPLICATE; k++) {
		if (k == 1)
			snprintf(u->username, sizeof(u->username), "%.*s", utf8_prefix(display, 60),
				 display);
		else
			snprintf(u->username, sizeof(u->username), "%.*s (%d)",
				 utf8_prefix(display, 52), display, k);
		if ((err = store_stmt(s,
				      "INSERT INTO users (username, role, clinician_id, "
				      "password_hash, active, created_at, updated_at) "
				      "VALUES (?1, ?2, ?3, '" NO_PASSWORD "', 1, ?4, ?4)",
				      &st)))
			return err;
		sqlite3_bind_text(st, 1, u->username, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, actor_role_name(u->role), -1, SQLITE_STATIC);
		if (u->clinician_id)
			sqlite3_bind_int64(st, 3, u->clinician_id);
		sqlite3_bind_int64(st, 4, now);
		err = store_step_done(s, st, "sso account");
	}
	if (err)
		return err;
	u->id = sqlite3_last_insert_rowid(store_db(s));
	u->active = true;
	u->created_at = u->updated_at = now;
	return APP_OK;
}

enum app_err store_sso_login(struct store *s, const char *issuer, const char *subject,
			     const char *display, const struct sso_mapping *m, const char *hash,
			     const char *sid, struct audit_row *r, const char *detail, int64_t now,
			     struct user *u)
{
	sqlite3_stmt *st;
	int64_t identity = 0, user_id = 0;
	enum app_err err;
	int rc;

	memset(u, 0, sizeof(*u));
	if ((err = store_begin(s)))
		return err;
	if ((err = store_stmt(s,
			      "SELECT id, user_id FROM sso_identities "
			      "WHERE issuer = ?1 AND subject = ?2",
			      &st)))
		goto out;
	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		identity = sqlite3_column_int64(st, 0);
		user_id = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE) {
		err = store_fail(s, rc, "sso identity");
	}
	store_done(st);
	if (err)
		goto out;
	if (identity) {
		if ((err = store_users_get(s, user_id, u)))
			goto out;
		if (!u->active) {
			err = APP_EFORBIDDEN;
			goto out;
		}
		/* the mapping of this login: a change takes effect now */
		if ((err = store_stmt(s,
				      "UPDATE users SET role = ?2, clinician_id = ?3, "
				      "updated_at = ?4 WHERE id = ?1 AND (role IS NOT ?2 OR "
				      "clinician_id IS NOT ?3)",
				      &st)))
			goto out;
		sqlite3_bind_int64(st, 1, user_id);
		sqlite3_bind_text(st, 2, actor_role_name(m->role), -1, SQLITE_STATIC);
		if (m->clinician_id)
			sqlite3_bind_int64(st, 3, m->clinician_id);
		sqlite3_bind_int64(st, 4, now);
		if ((err = store_step_done(s, st, "sso account")))
			goto out;
		if ((err = store_stmt(s,
				      "UPDATE sso_identities SET display_name = ?2, "
				      "last_login_at = ?3 WHERE id = ?1",
				      &st)))
			goto out;
		sqlite3_bind_int64(st, 1, identity);
		sqlite3_bind_text(st, 2, display, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, now);
		if ((err = store_step_done(s, st, "sso identity")))
			goto out;
	} else {
		u->role = m->role;
		u->clinician_id = m->clinician_id;
		if ((err = account_new(s, display, u, now)))
			goto out;
		if ((err = store_stmt(s,
				      "INSERT INTO sso_identities (issuer, subject, user_id, "
				      "display_name, created_at, last_login_at) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
				      &st)))
			goto out;
		sqlite3_bind_text(st, 1, issuer, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 3, u->id);
		sqlite3_bind_text(st, 4, display, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 5, now);
		if ((err = store_step_done(s, st, "sso identity")))
			goto out;
		identity = sqlite3_last_insert_rowid(store_db(s));
	}
	u->role = m->role;
	u->clinician_id = m->clinician_id;
	u->nunits = m->nunits;
	memcpy(u->unit_ids, m->unit_ids, sizeof(u->unit_ids));
	if ((err = store_users_units_set(s, u)))
		goto out;
	if ((err = store_stmt(
		 s,
		 "INSERT INTO sessions (id_hash, user_id, created_at, last_seen, "
		 "auth, sso_identity_id, oidc_sid) VALUES (?1, ?2, ?3, ?3, 'oidc', ?4, ?5)",
		 &st)))
		goto out;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, u->id);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, identity);
	store_bind_text(st, 5, sid);
	if ((err = store_step_done(s, st, "sso session")))
		goto out;
	if ((err =
		 store_run(s, "UPDATE users SET last_login_at = ?2 WHERE id = ?1", 2, u->id, now)))
		goto out;
	u->last_login_at = now;
	r->user_id = u->id;
	snprintf(r->username, sizeof(r->username), "%s", u->username);
	snprintf(r->role, sizeof(r->role), "%s", actor_role_name(u->role));
	if ((err = store_users_audit_detail(s, r, detail)))
		goto out;
	return store_commit(s);
out:
	store_rollback(s);
	return err;
}

enum app_err store_sso_session_oidc(struct store *s, const char *hash, bool *oidc)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	*oidc = false;
	if ((err = store_stmt(s, "SELECT auth = 'oidc' FROM sessions WHERE id_hash = ?1", &st)))
		return err;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*oidc = sqlite3_column_int(st, 0) != 0;
	else if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "session auth");
	store_done(st);
	return err;
}

enum app_err store_sso_logout(struct store *s, const char *issuer, const char *sid,
			      const char *subject, int *ended)
{
	sqlite3_stmt *st;
	enum app_err err;

	*ended = 0;
	/* "" is no name: never bound as NULL, which would mean "any" */
	if ((!sid && !subject) || (sid && !*sid) || (subject && !*subject))
		return APP_EINVAL;
	store_accounts_touch(s); /* the sessions it ends */
	if ((err = store_stmt(s,
			      "DELETE FROM sessions WHERE sso_identity_id IN "
			      "(SELECT id FROM sso_identities WHERE issuer = ?1 "
			      "AND (?3 IS NULL OR subject = ?3)) AND (?2 IS NULL OR oidc_sid = ?2)",
			      &st)))
		return err;
	sqlite3_bind_text(st, 1, issuer, -1, SQLITE_TRANSIENT);
	if (sid)
		sqlite3_bind_text(st, 2, sid, -1, SQLITE_TRANSIENT);
	if (subject)
		sqlite3_bind_text(st, 3, subject, -1, SQLITE_TRANSIENT);
	if ((err = store_step_done(s, st, "sso logout")))
		return err;
	*ended = sqlite3_changes(store_db(s));
	return APP_OK;
}
