/*
 * slots.h - interval arithmetic for working hours and free slots.
 *
 * Pure functions over sorted lists of half-open UTC intervals [start, end):
 * intersect (everyone free together), subtract (minus appointments) and
 * cut into bookable starts on a grid.  No database, no clock: the unit tests
 * drive them directly, DST days included.
 *
 * A clinician's or a room's availability on a local day is its weekly
 * template (the entries valid that day), plus its extra hours, minus its
 * absences.  One with no template and no extra hours is not restricted: it
 * may be booked at any time it is not absent, and has no free slots to
 * offer.
 */
#ifndef TIMEBOK_SLOTS_H
#define TIMEBOK_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "timeutil.h"

struct interval {
	int64_t start, end;
};

/* A weekly template entry: ISO weekday, local minutes [start_min, end_min),
 * valid on the local days from valid_from to valid_to, both included, as
 * days since 1970-01-01 (0: open-ended). */
struct hours {
	int weekday;
	int start_min, end_min;
	int64_t valid_from, valid_to;
};

#define HOURS_MAX 70       /* template entries: ten a day */
#define EXCEPTIONS_MAX 200 /* extra hours or absences touching one search */

/* What one clinician or room has, for the range in question. */
struct availability {
	bool restricted; /* a template or extra hours exist: booked only inside them */
	int nh, nextra, nabsent;
	struct hours h[HOURS_MAX];
	struct interval extra[EXCEPTIONS_MAX];  /* UTC, any order */
	struct interval absent[EXCEPTIONS_MAX]; /* UTC, any order */
};

#define SLOTS_DAY_MAX (HOURS_MAX + 2 * EXCEPTIONS_MAX) /* room for one day's intervals */

#define SLOTS_GRID 900 /* slot starts fall on local quarter hours */

/* Every function below that writes intervals into out is told out's
 * capacity (cap, in intervals) and returns -1, having written no more than
 * cap, when the result would not fit; callers turn that into a clean
 * refusal.  na + nb (or nh) is always enough. */
#define SLOTS_FULL (-1)

/* Sort and merge overlapping or touching intervals in place; new count. */
int slots_normalise(struct interval *v, int n);
/* a AND b (both normalised) into out; count, or SLOTS_FULL. */
int slots_intersect(const struct interval *a, int na, const struct interval *b, int nb,
		    struct interval *out, int cap) WARN_UNUSED;
/* a minus b (both normalised) into out; count, or SLOTS_FULL. */
int slots_subtract(const struct interval *a, int na, const struct interval *b, int nb,
		   struct interval *out, int cap) WARN_UNUSED;
/* The UTC intervals of template h on local date d (the day's weekday and
 * validity only), into out; count, or SLOTS_FULL.  Local times in a DST
 * gap move forward. */
int slots_day_hours(const struct hours *h, int nh, const struct civil *d, struct interval *out,
		    int cap) WARN_UNUSED;
/* When a is open on local date d: template and extra hours, minus absences,
 * normalised, into out; count, or SLOTS_FULL (cap SLOTS_DAY_MAX is always
 * enough).  0 for an unrestricted a (it has no slots to offer). */
int slots_day_open(const struct availability *a, const struct civil *d, struct interval *out,
		   int cap) WARN_UNUSED;
/* Whether [start, end) may be booked with a: not during an absence, and
 * for a restricted a inside its open time on the local day of start.
 * *absent tells which rule refused it. */
bool slots_bookable(const struct availability *a, int64_t start, int64_t end, bool *absent);
/* Whether [start, end) lies inside one interval of v. */
bool slots_within(const struct interval *v, int n, int64_t start, int64_t end);

/* Call fn for each start in v (normalised) on the local grid from which a
 * slot of len seconds fits, not before not_before; stop when fn says false. */
typedef bool (*slot_fn)(void *ctx, int64_t start, int64_t end);
void slots_each(const struct interval *v, int n, int64_t len, int64_t not_before, slot_fn fn,
		void *ctx);

#endif
