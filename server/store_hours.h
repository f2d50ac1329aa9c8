/*
 * store_hours.h - working hours and opening hours, their exceptions, and
 * busy times.
 *
 * An owner is a clinician (working hours) or a room (opening hours); both
 * have a weekly template with validity and exceptions (absence or extra
 * hours).  See slots.h for what they mean together.
 */
#ifndef TIMEBOK_STORE_HOURS_H
#define TIMEBOK_STORE_HOURS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "slots.h"

struct store;

enum hours_owner { OWNER_CLINICIAN, OWNER_ROOM };

#define EXCEPTION_REASON_MAX 200

struct hours_exception {
	int64_t id;
	int64_t start, end; /* UTC */
	bool extra;	    /* extra hours; else an absence */
	char reason[EXCEPTION_REASON_MAX + 1];
	char created_by[64];
	int64_t created_at;
};

/* Replace the owner's template with h[0..n) in one transaction. */
enum app_err store_hours_set(struct store *s, enum hours_owner o, int64_t id, const struct hours *h,
			     int n) WARN_UNUSED;
/* The template, ordered by weekday, start and validity; *n = 0 when none. */
enum app_err store_hours_get(struct store *s, enum hours_owner o, int64_t id, struct hours *out,
			     int max, int *n) WARN_UNUSED;
/* Everything that decides when the owner is open in [from, to): the
 * template, the exceptions touching the range, whether it is restricted.
 * APP_ETOOLARGE when more than EXCEPTIONS_MAX exceptions touch it. */
enum app_err store_hours_availability(struct store *s, enum hours_owner o, int64_t id, int64_t from,
				      int64_t to, struct availability *out) WARN_UNUSED;

/* Add x (its id and created_at are set here). */
enum app_err store_hours_exception_add(struct store *s, enum hours_owner o, int64_t id,
				       struct hours_exception *x) WARN_UNUSED;
/* Delete exception xid of the owner.  APP_ENOTFOUND. */
enum app_err store_hours_exception_delete(struct store *s, enum hours_owner o, int64_t id,
					  int64_t xid) WARN_UNUSED;
typedef bool (*hours_exception_fn)(void *ctx, const struct hours_exception *x);
/* The owner's exceptions touching [from, to), ordered by start. */
enum app_err store_hours_exception_list(struct store *s, enum hours_owner o, int64_t id,
					int64_t from, int64_t to, hours_exception_fn fn,
					void *ctx) WARN_UNUSED;

/* The live appointments of the owner touching [from, to), as intervals
 * (at most max; more is APP_ETOOLARGE).  A clinician's are widened by each
 * appointment's own buffers, so nothing is booked into them. */
enum app_err store_hours_busy(struct store *s, enum hours_owner o, int64_t id, int64_t from,
			      int64_t to, struct interval *out, int max, int *n) WARN_UNUSED;

#define HOURS_KNOWN_MAX 32 /* ids a store_hours_clinicians_known asks about */

/* Whether each of ids[0..n) is a clinician (known[i]; active or not), in
 * one statement; n at most HOURS_KNOWN_MAX (more: APP_EINVAL). */
enum app_err store_hours_clinicians_known(struct store *s, const int64_t *ids, int n,
					  bool *known) WARN_UNUSED;

#endif
