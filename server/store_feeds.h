/*
 * store_feeds.h - each clinician's personal calendar feed (schema/0011).
 *
 * A feed is opened by a token of its own; only token_hash() of it is kept.
 * One feed per clinician: setting a new one replaces (revokes) the old.
 */
#ifndef TIMEBOK_STORE_FEEDS_H
#define TIMEBOK_STORE_FEEDS_H

#include <stdint.h>

#include "err.h"
#include "token.h"

struct store;

struct feed {
	int64_t clinician_id;
	char language[4]; /* of the events' texts: nb nn en */
	int64_t created_at;
	char created_by[64]; /* the username */
};

/* Make f the clinician's feed, opened by the token whose hash is given;
 * the clinician's old feed stops working. */
enum app_err store_feeds_set(struct store *s, const struct feed *f,
			     const char hash[TOKEN_HASH_LEN + 1]) WARN_UNUSED;
/* The clinician's feed.  APP_ENOTFOUND when there is none. */
enum app_err store_feeds_get(struct store *s, int64_t clinician_id, struct feed *out) WARN_UNUSED;
/* The feed a token's hash opens: its clinician active and, when accounts
 * are linked to the clinician, one of them enabled.  APP_ENOTFOUND (also
 * for a closed feed). */
enum app_err store_feeds_find(struct store *s, const char hash[TOKEN_HASH_LEN + 1],
			      struct feed *out) WARN_UNUSED;
/* Revoke the clinician's feed.  APP_ENOTFOUND when there is none. */
enum app_err store_feeds_delete(struct store *s, int64_t clinician_id) WARN_UNUSED;

#endif
