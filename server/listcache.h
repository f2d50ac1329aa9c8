/*
 * listcache.h - the rendered answers of the busiest lists (a clinician's
 * day, the secretary's day view), kept until the data changes.
 *
 * An entry is the JSON body, the number of rows and the (patient,
 * appointment) pair of each row, under a key that names everything the
 * answer depends on: the route, the query and the asker's scope (role,
 * clinician, units).  It is stamped with the data generation read before
 * the reads that made it (store_generation), and served only while the
 * generation is unchanged, so an answer is never older than the last
 * commit.  A hit still runs the handler's checks (session, role, row
 * rules) and still audits each row it shows (the pairs are replayed into
 * the request's audit batch), by the read audit's rule: a read that repeats
 * one the same actor logged in the last AUDIT_REPEAT_S is not logged again.
 * So an entry remembers, for the last actor whose hit replayed its rows,
 * when those rows were logged (the oldest and newest time, as the audit's
 * repeat table had them); a hit by that actor while every row is such a
 * repeat (audit_batch_repeats) adds none, and looks none up in the repeat
 * table (at 1M, 200 day lists of 50 rows: 6 % of a hit's CPU were those
 * look-ups, under the audit's one lock).  Anyone else, or the same actor
 * once the oldest is AUDIT_REPEAT_S old, replays the rows again.
 *
 * Each entry keeps its entity tag, made once when it is put: the strong
 * tag every GET answer of the API carries (listcache_etag: a hash of the
 * body's bytes, so the same answer has the same tag whether it was served
 * from here, made afresh, or made by a route that keeps nothing here, and
 * a changed byte changes it).
 *
 * Polls (listcache_tag): a GET with If-None-Match whose current entry's
 * tag is listed is answered 304 from the key and the generation alone,
 * before anything is copied, made or hashed.  The session, the route's
 * roles and the handler's checks (unit scope, api_clinician_visible) run
 * before, as on every request, and the key names the asker's scope, so a
 * 304 never tells anyone about a list they may not see.
 *
 * The audit on a 304: nothing.  A 304 carries no body; the asker is shown
 * nothing they did not already hold, and the bytes they hold came with a
 * 200, which audited each row it showed to whoever asked for it (a tag
 * alone, passed from another caller, shows no patient data either).  The
 * audit says who was shown which record, and a 304 shows none.  Auditing
 * each poll again would also have cost one row a patient a poll for the
 * unchanged list, thirty times an hour per open page.
 *
 * Measured with tests/bench: a day list of 50 rows costs ~70 us of SQLite
 * alone (three B-tree searches a row); a hit is not even a copy: the kept
 * body is lent to the answer (reply_lend), which gives it back once sent
 * (the copy of 36 KB from a cold 7 MB was 14 % of a hit's CPU at 1M).  The table is
 * set-associative (LISTCACHE_SLOTS entries, LISTCACHE_WAYS a key may use
 * under one lock, the least recently used replaced first) and holds at most
 * LISTCACHE_BYTES of answers (each body with its rows and its key); an
 * answer larger than LISTCACHE_ENTRY_MAX is not kept.  When the bytes are
 * full of current answers a new one is not kept (rather than pushing out
 * the oldest: a clinician walking more days than fit, in turn, would
 * otherwise never find one).
 */
#ifndef TIMEBOK_LISTCACHE_H
#define TIMEBOK_LISTCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "buf.h"

#define LISTCACHE_SLOTS 2048 /* entries of 136 bytes: 284 KB in all */
#define LISTCACHE_WAYS 8     /* entries a key may use (listcache.c) */
#define LISTCACHE_BYTES (8u << 20)
#define LISTCACHE_ENTRY_MAX (1u << 20)
#define LISTCACHE_KEY_MAX 512
#define LISTCACHE_ETAG_MAX 32 /* a quoted tag and its NUL; struct reply's etag */

struct listcache;

/* Rows of an answer being made: their (patient_id, appointment_id). */
struct listcache_rows {
	int64_t (*ids)[2];
	int n, cap;
	bool failed; /* out of memory: the answer is not kept */
};

struct listcache *listcache_new(void);
void listcache_free(struct listcache *c);

/* The strong entity tag of an answer's body (len bytes): "\"" 24 hex "\"",
 * a BLAKE2b hash of the bytes; "" when it cannot be made. */
void listcache_etag(const char *body, size_t len, char etag[LISTCACHE_ETAG_MAX]);

/* On a hit: lend the body (*body, *len bytes; not copied: give it back
 * with listcache_give_back(*lent) once sent), add each row to audit
 * (unless each is a repeat the audit would not log again: see above; the
 * rows added are queued at once), set *nrows and etag (the entry's tag);
 * true.  A NULL cache never hits. */
bool listcache_get(struct listcache *c, const char *key, uint64_t generation, const char **body,
		   size_t *len, void **lent, struct audit_batch *audit, int *nrows,
		   char etag[LISTCACHE_ETAG_MAX]);
/* Give back what listcache_get lent (NULL: nothing); the body may be freed
 * now, if its entry has been pushed out or the cache freed meanwhile. */
void listcache_give_back(void *lent);
/* When key holds an answer made at generation: its tag into etag and its
 * number of rows into *nrows, and true.  Nothing is copied or audited. */
bool listcache_tag(struct listcache *c, const char *key, uint64_t generation,
		   char etag[LISTCACHE_ETAG_MAX], int *nrows);
/* Keep body (len bytes), its tag (listcache_etag of the body) and rows
 * under key, made at generation. */
void listcache_put(struct listcache *c, const char *key, uint64_t generation, const char *body,
		   size_t len, const char *etag, const struct listcache_rows *rows);

void listcache_rows_add(struct listcache_rows *r, int64_t patient_id, int64_t appointment_id);
void listcache_rows_release(struct listcache_rows *r);

#endif
