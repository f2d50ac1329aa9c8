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
 * change.  Measured on the 2-core dev machine (wrk -c16, day list of 5
 * rows, about 12k audit rows/s): this removed the fsync per batch and the
 * wake-up per row, but the day list stayed at ~2.5k req/s; the writer's own
 * inserts are still about a third of the CPU profile.  Fewer, smaller rows
 * (one row per request plus a (row, patient) table) is the next step.
 */
#ifndef TIMEBOK_AUDIT_H
#define TIMEBOK_AUDIT_H

#include <stdint.h>

#include "actor.h"
#include "err.h"
#include "store_users.h"

struct audit;

#define AUDIT_GATHER_MS 20

/* Start the writer thread with its own connection to db_path.  *out is new;
 * audit_free() stops it. */
enum app_err audit_new(const char *db_path, int busy_timeout_ms, struct audit **out) WARN_UNUSED;
/* Write what is queued, stop the thread, free.  NULL-safe. */
void audit_free(struct audit *a);

/* Fill r for who doing action on patient_id / appointment_id (0: none). */
void audit_fill(struct audit_row *r, const struct actor *who, const char *action,
		int64_t patient_id, int64_t appointment_id, int64_t now);
/* Queue a read. */
void audit_read(struct audit *a, const struct actor *who, const char *action, int64_t patient_id,
		int64_t appointment_id, int64_t now);
/* Wait until everything queued so far is written. */
void audit_flush(struct audit *a);

#endif
