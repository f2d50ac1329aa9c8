/*
 * audit.h - the audit log: who read or changed which patient's data.
 *
 * A change is audited in the same transaction as the change itself
 * (audit_fill + store_users_audit_add), so it can never be lost or appear
 * without the change.  A read is queued (audit_read) and written by one
 * background thread in batches, one transaction per batch: a day list does
 * not pay an fsync per GET.  The queue is bounded; when it is full a reader
 * waits, so audit rows are never dropped.  A crash may lose the reads of the
 * last moments before it (the batch in flight); never a change.
 */
#ifndef TIMEBOK_AUDIT_H
#define TIMEBOK_AUDIT_H

#include <stdint.h>

#include "actor.h"
#include "err.h"
#include "store_users.h"

struct audit;
struct store_pool;

/* Start the writer thread on pool.  *out is new; audit_free() stops it. */
enum app_err audit_new(struct store_pool *pool, struct audit **out) WARN_UNUSED;
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
