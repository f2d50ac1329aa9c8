/*
 * audit.h - the audit log: who read or changed which patient's data.
 *
 * A change is audited in the same transaction as the change itself
 * (audit_fill + store_users_audit_add), so it can never be lost or appear
 * without the change.  A read is queued (audit_read) and written by one
 * background thread in batches: it gathers rows for up to AUDIT_GATHER_MS,
 * then writes them in one transaction on its own connection with
 * synchronous=NORMAL (WAL stays consistent; no fsync per batch).  A day list
 * therefore pays neither an fsync nor a wake-up per row.  The queue is
 * bounded; when it is full a reader waits, so rows are never dropped.  A
 * crash or power loss may lose the read entries of its last moments; never a
 * change.
 *
 * A read that repeats one already logged in the last AUDIT_REPEAT_S seconds
 * (the same user, role, address, action, patient and appointment) is not
 * logged again: the log says who first read what, in each ten minutes.  A
 * day list that the page reloads every minute would otherwise write its 50
 * rows each time; measured with the benchmark (tests/bench), the writer's
 * inserts and the queue's lock were the largest items of the day list's
 * profile.  The memory of what was logged is a fixed table (32,768 entries
 * in sets of 4, by a hash); when a set is full its oldest entry is
 * forgotten, so a repeat may be logged twice, never a first read missed.
 * A list queues its rows through an audit_batch: one lock for up to
 * AUDIT_BATCH rows.
 */
#ifndef TIMEBOK_AUDIT_H
#define TIMEBOK_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "err.h"
#include "store_users.h"

struct audit;

#define AUDIT_GATHER_MS 20
#define AUDIT_REPEAT_S 600
#define AUDIT_BATCH 64

/* The reads of one request by one actor and action, queued together. */
struct audit_batch {
	struct audit *a;
	struct audit_row row; /* who, what and when, filled once */
	uint64_t who_hash;
	/* every read queued so far was logged (now, or as the repeat of one)
	 * at a time in [since, until]; since > until while none was */
	int64_t since, until;
	int n;
	int64_t ids[AUDIT_BATCH][2]; /* patient_id, appointment_id */
};

/* Start the writer thread with its own connection to db_path.  *out is new;
 * audit_free() stops it. */
enum app_err audit_new(const char *db_path, int busy_timeout_ms, struct audit **out) WARN_UNUSED;
/* Write what is queued, stop the thread, free.  NULL-safe. */
void audit_free(struct audit *a);

/* Fill r for who doing action on patient_id / appointment_id (0: none). */
void audit_fill(struct audit_row *r, const struct actor *who, const char *action,
		int64_t patient_id, int64_t appointment_id, int64_t now);
/* Queue a read (unless it repeats one of the last AUDIT_REPEAT_S). */
void audit_read(struct audit *a, const struct actor *who, const char *action, int64_t patient_id,
		int64_t appointment_id, int64_t now);
/* Reads of many records: init, add each, then release (which queues what
 * is left; a full batch is queued as it fills; the batch may be added to
 * and released again after). */
void audit_batch_init(struct audit_batch *b, struct audit *a, const struct actor *who,
		      const char *action, int64_t now);
void audit_batch_add(struct audit_batch *b, int64_t patient_id, int64_t appointment_id);
void audit_batch_release(struct audit_batch *b);
/* Whether b's reads would all be repeats (none logged again) if they are
 * reads that the same actor and action (who_hash) had logged at times in
 * [since, until]: b's time is at most AUDIT_REPEAT_S after since and not
 * before until.  A kept list (listcache.h) then adds none of its rows. */
bool audit_batch_repeats(const struct audit_batch *b, uint64_t who_hash, int64_t since,
			 int64_t until);
/* Wait until everything queued so far is written. */
void audit_flush(struct audit *a);

#endif
