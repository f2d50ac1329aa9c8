/*
 * store_users.h - staff accounts, their units, sessions, failed logins, and
 * the audit log.
 */
#ifndef TIMEBOK_STORE_USERS_H
#define TIMEBOK_STORE_USERS_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "err.h"

struct store;

#define USER_HASH_MAX 160

struct user {
	int64_t id;
	char username[64];
	enum role role;
	int64_t clinician_id;
	char password_hash[USER_HASH_MAX];
	bool active;
	int nunits;
	int64_t unit_ids[ACTOR_MAX_UNITS];
	int64_t created_at, updated_at;
	int64_t last_login_at; /* 0: never logged in */
};

/* Insert u (id set on return).  APP_EDUPLICATE when the name is taken. */
enum app_err store_users_insert(struct store *s, struct user *u, int64_t now) WARN_UNUSED;
/* By name (case-insensitive) or id.  APP_ENOTFOUND. */
enum app_err store_users_by_name(struct store *s, const char *name, struct user *out) WARN_UNUSED;
enum app_err store_users_get(struct store *s, int64_t id, struct user *out) WARN_UNUSED;
/* Write role, clinician_id, active, password_hash and units of u.
 * Deactivating or changing the role ends the user's sessions. */
enum app_err store_users_update(struct store *s, const struct user *u, int64_t now) WARN_UNUSED;
/* The same password stored with a new hash (stronger parameters): only
 * while the stored hash is still old_hash; sessions are kept. */
enum app_err store_users_rehash(struct store *s, int64_t id, const char *old_hash,
				const char *new_hash) WARN_UNUSED;
/* Set u's units to u->unit_ids (in the caller's transaction). */
enum app_err store_users_units_set(struct store *s, const struct user *u) WARN_UNUSED;
typedef bool (*user_fn)(void *ctx, const struct user *u);
enum app_err store_users_list(struct store *s, user_fn fn, void *ctx) WARN_UNUSED;

/* Sessions, by the hash of their id.  Adding one also sets the user's
 * last_login_at to now, in one transaction. */
enum app_err store_users_session_add(struct store *s, const char *hash, int64_t user_id,
				     int64_t now) WARN_UNUSED;
/* The session's user (with its units) and times, in one statement (it
 * runs on every request with a session).  APP_ENOTFOUND. */
enum app_err store_users_session_get(struct store *s, const char *hash, struct user *u,
				     int64_t *created_at, int64_t *last_seen) WARN_UNUSED;
enum app_err store_users_session_touch(struct store *s, const char *hash, int64_t now) WARN_UNUSED;
enum app_err store_users_session_delete(struct store *s, const char *hash) WARN_UNUSED;

/* Failed logins of key since since (how many, and when the newest was);
 * record one; forget them. */
enum app_err store_users_failures(struct store *s, const char *key, int64_t since,
				  int64_t *count, int64_t *newest) WARN_UNUSED;
enum app_err store_users_failure_add(struct store *s, const char *key, int64_t now,
				     int64_t forget_before) WARN_UNUSED;
enum app_err store_users_failure_clear(struct store *s, const char *key) WARN_UNUSED;

struct audit_row {
	int64_t id, at;
	int64_t user_id;
	char username[64];
	char role[16];
	char action[96];
	int64_t patient_id, appointment_id; /* 0: none */
	char client_ip[48];
	const char *detail; /* a listing's JSON text (a login's issuer, subject, acr, amr)
			    * or NULL; borrowed for the callback only */
};

/* Append one audit row (in the caller's transaction, if any). */
enum app_err store_users_audit_add(struct store *s, const struct audit_row *r) WARN_UNUSED;
/* n rows at once (the read audit writer's batch, in its transaction). */
enum app_err store_users_audit_add_rows(struct store *s, const struct audit_row *rows,
					int n) WARN_UNUSED;
/* The same with detail (JSON text, or NULL): a login's issuer, subject,
 * acr and amr (store_sso.c). */
enum app_err store_users_audit_detail(struct store *s, const struct audit_row *r,
				      const char *detail) WARN_UNUSED;
/* Rows about patient_id (0: all), newest first. */
typedef bool (*audit_fn)(void *ctx, const struct audit_row *r);
enum app_err store_users_audit_list(struct store *s, int64_t patient_id, int limit, int offset,
				    audit_fn fn, void *ctx) WARN_UNUSED;

#endif
