/*
 * store_hours.h - clinicians' weekly working hours, and busy times.
 */
#ifndef TIMEBOK_STORE_HOURS_H
#define TIMEBOK_STORE_HOURS_H

#include <stdint.h>

#include "err.h"
#include "slots.h"

struct store;

#define HOURS_MAX 70 /* ten intervals a day */

/* Replace clinician_id's template with h[0..n) in one transaction. */
enum app_err store_hours_set(struct store *s, int64_t clinician_id, const struct hours *h,
			     int n) WARN_UNUSED;
/* The template, ordered by weekday and start; *n = 0 when none is set. */
enum app_err store_hours_get(struct store *s, int64_t clinician_id, struct hours *out, int max,
			     int *n) WARN_UNUSED;
/* The live appointments of clinician_id overlapping [from, to), as
 * intervals (at most max; more is APP_ETOOLARGE). */
enum app_err store_hours_busy(struct store *s, int64_t clinician_id, int64_t from, int64_t to,
			      struct interval *out, int max, int *n) WARN_UNUSED;

#endif
