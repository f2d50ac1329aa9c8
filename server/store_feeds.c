/*
 * store_feeds.c - SQL for the clinicians' calendar feeds (store_feeds.h).
 */
#include "store_feeds.h"

#include <string.h>

#include "store.h"

static const char SQL_SET[] =
	"INSERT OR REPLACE INTO calendar_feeds (clinician_id, token_hash, language, created_at, "
	"created_by) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_BY_CLINICIAN[] =
	"SELECT clinician_id, language, created_at, created_by FROM calendar_feeds "
	"WHERE clinician_id = ?1";
/* A feed opens only while its clinician is active and, when accounts are
 * linked to the clinician, one of them is enabled: disabling the
 * clinician's account (or deactivating the clinician) closes the feed, as
 * an unknown token is closed; enabling it again opens the same address.  A
 * clinician with no account at all (whose feed a secretary made) keeps it. */
static const char SQL_BY_HASH[] =
	"SELECT f.clinician_id, f.language, f.created_at, f.created_by FROM calendar_feeds f "
	"JOIN clinicians c ON c.id = f.clinician_id WHERE f.token_hash = ?1 AND c.active "
	"AND (EXISTS (SELECT 1 FROM users u WHERE u.clinician_id = f.clinician_id AND u.active) "
	"OR NOT EXISTS (SELECT 1 FROM users u WHERE u.clinician_id = f.clinician_id))";
static const char SQL_DELETE[] = "DELETE FROM calendar_feeds WHERE clinician_id = ?1";

enum app_err store_feeds_set(struct store *s, const struct feed *f,
			     const char hash[TOKEN_HASH_LEN + 1])
{
	sqlite3_stmt *st;
	enum app_err err;

	if ((err = store_stmt(s, SQL_SET, &st)))
		return err;
	sqlite3_bind_int64(st, 1, f->clinician_id);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, f->language, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, f->created_at);
	sqlite3_bind_text(st, 5, f->created_by, -1, SQLITE_TRANSIENT);
	return store_step_done(s, st, "feed set");
}

/* One feed by sql with its one parameter (an id, or text if key). */
static enum app_err one(struct store *s, const char *sql, int64_t id, const char *key,
			struct feed *out)
{
	sqlite3_stmt *st;
	enum app_err err;
	int rc;

	if ((err = store_stmt(s, sql, &st)))
		return err;
	if (key)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 1, id);
	memset(out, 0, sizeof(*out));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->clinician_id = sqlite3_column_int64(st, 0);
		store_copy_text(out->language, sizeof(out->language), st, 1);
		out->created_at = sqlite3_column_int64(st, 2);
		store_copy_text(out->created_by, sizeof(out->created_by), st, 3);
	} else {
		err = rc == SQLITE_DONE ? APP_ENOTFOUND : store_fail(s, rc, "feed");
	}
	store_done(st);
	return err;
}

enum app_err store_feeds_get(struct store *s, int64_t clinician_id, struct feed *out)
{
	return one(s, SQL_BY_CLINICIAN, clinician_id, NULL, out);
}

enum app_err store_feeds_find(struct store *s, const char hash[TOKEN_HASH_LEN + 1],
			      struct feed *out)
{
	return one(s, SQL_BY_HASH, 0, hash, out);
}

enum app_err store_feeds_delete(struct store *s, int64_t clinician_id)
{
	enum app_err err = store_run(s, SQL_DELETE, 1, clinician_id, 0);

	if (err)
		return err;
	return sqlite3_changes(store_db(s)) ? APP_OK : APP_ENOTFOUND;
}
