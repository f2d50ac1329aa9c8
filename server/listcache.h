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
 * the request's audit batch).
 *
 * Measured with tests/bench: a day list of 50 rows costs ~70 us of SQLite
 * alone (three B-tree searches a row); the hit is a copy.  The table is
 * direct-mapped (LISTCACHE_SLOTS entries, a lock each) and holds at most
 * LISTCACHE_BYTES of bodies; an answer larger than LISTCACHE_ENTRY_MAX is
 * not kept.
 */
#ifndef TIMEBOK_LISTCACHE_H
#define TIMEBOK_LISTCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "buf.h"

#define LISTCACHE_SLOTS 512
#define LISTCACHE_BYTES (8u << 20)
#define LISTCACHE_ENTRY_MAX (1u << 20)
#define LISTCACHE_KEY_MAX 512

struct listcache;

/* Rows of an answer being made: their (patient_id, appointment_id). */
struct listcache_rows {
	int64_t (*ids)[2];
	int n, cap;
	bool failed; /* out of memory: the answer is not kept */
};

struct listcache *listcache_new(void);
void listcache_free(struct listcache *c);

/* On a hit: append the body to out, add each row to audit, set *nrows;
 * true.  A NULL cache never hits. */
bool listcache_get(struct listcache *c, const char *key, uint64_t generation, struct buf *out,
		   struct audit_batch *audit, int *nrows);
/* Keep body (len bytes) and rows under key, made at generation. */
void listcache_put(struct listcache *c, const char *key, uint64_t generation, const char *body,
		   size_t len, const struct listcache_rows *rows);

void listcache_rows_add(struct listcache_rows *r, int64_t patient_id, int64_t appointment_id);
void listcache_rows_release(struct listcache_rows *r);

#endif
