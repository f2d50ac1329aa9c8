/*
 * slots.h - interval arithmetic for working hours and free slots.
 *
 * Pure functions over sorted lists of half-open UTC intervals [start, end):
 * intersect (everyone free together), subtract (minus appointments) and
 * cut into bookable starts on a grid.  No database, no clock: the unit tests
 * drive them directly, DST days included.
 */
#ifndef TIMEBOK_SLOTS_H
#define TIMEBOK_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#include "timeutil.h"

struct interval {
	int64_t start, end;
};

/* A weekly template entry: ISO weekday, local minutes [start_min, end_min). */
struct hours {
	int weekday;
	int start_min, end_min;
};

#define SLOTS_GRID 900 /* slot starts fall on local quarter hours */

/* Sort and merge overlapping or touching intervals in place; new count. */
int slots_normalise(struct interval *v, int n);
/* a AND b (both normalised) into out (room for na + nb); count. */
int slots_intersect(const struct interval *a, int na, const struct interval *b, int nb,
		    struct interval *out);
/* a minus b (both normalised) into out (room for na + nb); count. */
int slots_subtract(const struct interval *a, int na, const struct interval *b, int nb,
		   struct interval *out);
/* The UTC intervals of template h on local date d (the day's weekday only),
 * into out (room for nh); count.  Local times in a DST gap move forward. */
int slots_day_hours(const struct hours *h, int nh, const struct civil *d, struct interval *out);
/* Whether [start, end) lies inside one interval of v. */
bool slots_within(const struct interval *v, int n, int64_t start, int64_t end);

/* Call fn for each start in v (normalised) on the local grid from which a
 * slot of len seconds fits, not before not_before; stop when fn says false. */
typedef bool (*slot_fn)(void *ctx, int64_t start, int64_t end);
void slots_each(const struct interval *v, int n, int64_t len, int64_t not_before, slot_fn fn,
		void *ctx);

#endif
