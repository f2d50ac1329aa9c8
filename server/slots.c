/*
 * slots.c - interval arithmetic for working hours and free slots.
 */
#include "slots.h"

#include <stdlib.h>
#include <string.h>

static int by_start(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Merge the sorted runs a[0..na) and b[0..nb) into out. */
static void merge_runs(const struct interval *a, int na, const struct interval *b, int nb,
		       struct interval *out)
{
	int i = 0, j = 0, k = 0;

	while (i < na && j < nb)
		out[k++] = b[j].start < a[i].start ? b[j++] : a[i++];
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
}

/* Sort v[0..n) by start, merging the runs it already has (tmp holds n):
 * the search's busy times are one sorted run per clinician, and sorting
 * 5,000 of them with qsort was half of a cached search's CPU.  Each pass
 * merges neighbouring runs, so k runs take log2(k) passes; false when
 * there are more than RUNS_MAX runs (then qsort does it). */
#define RUNS_MAX 256
static bool sort_runs(struct interval *v, int n, struct interval *tmp)
{
	int start[RUNS_MAX + 1], nruns = 0;
	struct interval *from = v, *to = tmp, *t;

	for (int i = 0; i < n; i++)
		if (!i || v[i].start < v[i - 1].start) {
			if (nruns == RUNS_MAX)
				return false;
			start[nruns++] = i;
		}
	start[nruns] = n;
	while (nruns > 1) {
		int kept = 0;

		for (int r = 0; r < nruns; r += 2) {
			int lo = start[r], mid = start[r + 1];
			int hi = r + 1 < nruns ? start[r + 2] : mid; /* the odd one out: copied */

			merge_runs(from + lo, mid - lo, from + mid, hi - mid, to + lo);
			start[kept++] = lo;
		}
		start[kept] = n;
		nruns = kept;
		t = from;
		from = to;
		to = t;
	}
	if (from != v)
		memcpy(v, from, sizeof(*v) * (size_t)n);
	return true;
}

int slots_normalise(struct interval *v, int n)
{
	struct interval *tmp;
	bool sorted = true;
	int m = 0;

	for (int i = 1; i < n && sorted; i++)
		sorted = v[i - 1].start <= v[i].start;
	if (!sorted) {
		tmp = n > 32 ? malloc(sizeof(*tmp) * (size_t)n) : NULL;
		if (!tmp || !sort_runs(v, n, tmp))
			qsort(v, (size_t)n, sizeof(*v), by_start);
		free(tmp);
	}
	for (int i = 0; i < n; i++) {
		if (v[i].end <= v[i].start)
			continue;
		if (m && v[i].start <= v[m - 1].end) {
			if (v[i].end > v[m - 1].end)
				v[m - 1].end = v[i].end;
		} else {
			v[m++] = v[i];
		}
	}
	return m;
}

int slots_intersect(const struct interval *a, int na, const struct interval *b, int nb,
		    struct interval *out, int cap)
{
	int i = 0, j = 0, n = 0;

	while (i < na && j < nb) {
		int64_t s = a[i].start > b[j].start ? a[i].start : b[j].start;
		int64_t e = a[i].end < b[j].end ? a[i].end : b[j].end;
		if (s < e) {
			if (n == cap)
				return SLOTS_FULL;
			out[n++] = (struct interval){s, e};
		}
		if (a[i].end < b[j].end)
			i++;
		else
			j++;
	}
	return n;
}

int slots_subtract(const struct interval *a, int na, const struct interval *b, int nb,
		   struct interval *out, int cap)
{
	int n = 0, j = 0;

	for (int i = 0; i < na; i++) {
		int64_t s = a[i].start;

		while (j < nb && b[j].end <= s)
			j++;
		for (int k = j; k < nb && b[k].start < a[i].end; k++) {
			if (b[k].start > s) {
				if (n == cap)
					return SLOTS_FULL;
				out[n++] = (struct interval){s, b[k].start};
			}
			if (b[k].end > s)
				s = b[k].end;
		}
		if (s < a[i].end) {
			if (n == cap)
				return SLOTS_FULL;
			out[n++] = (struct interval){s, a[i].end};
		}
	}
	return n;
}

static int64_t local_minute(const struct civil *d, int minute)
{
	struct civil c = *d;
	int64_t t;

	if (minute >= 1440) { /* 24:00 is the next day's midnight */
		int64_t day = timeutil_days_from_civil(d->year, d->month, d->day) + 1;
		timeutil_civil_from_days(day, &c.year, &c.month, &c.day);
		minute -= 1440;
	}
	c.hour = minute / 60;
	c.min = minute % 60;
	c.sec = 0;
	(void)timeutil_from_local(&c, &t); /* a gap moves forward, an overlap takes the first */
	return t;
}

int slots_day_hours(const struct hours *h, int nh, const struct civil *d, struct interval *out,
		    int cap)
{
	int wd = timeutil_weekday(d->year, d->month, d->day), n = 0;
	int64_t day = timeutil_days_from_civil(d->year, d->month, d->day);

	for (int i = 0; i < nh; i++)
		if (h[i].weekday == wd && (!h[i].valid_from || h[i].valid_from <= day) &&
		    (!h[i].valid_to || day <= h[i].valid_to)) {
			if (n == cap)
				return SLOTS_FULL;
			out[n++] = (struct interval){local_minute(d, h[i].start_min),
						     local_minute(d, h[i].end_min)};
		}
	return slots_normalise(out, n);
}

/* v[0..n) clipped to [from, to), appended to out (capacity cap) at *m;
 * false when it does not fit. */
static bool clip_into(const struct interval *v, int n, int64_t from, int64_t to,
		      struct interval *out, int cap, int *m)
{
	for (int i = 0; i < n; i++) {
		int64_t s = v[i].start > from ? v[i].start : from;
		int64_t e = v[i].end < to ? v[i].end : to;
		if (s < e) {
			if (*m == cap)
				return false;
			out[(*m)++] = (struct interval){s, e};
		}
	}
	return true;
}

int slots_day_open(const struct availability *a, const struct civil *d, struct interval *out,
		   int cap)
{
	struct interval absent[EXCEPTIONS_MAX], work[SLOTS_DAY_MAX];
	int64_t from, to;
	int n, na = 0;

	if (!a->restricted)
		return 0;
	timeutil_day_bounds(d, &from, &to);
	if ((n = slots_day_hours(a->h, a->nh, d, work, SLOTS_DAY_MAX)) < 0 ||
	    !clip_into(a->extra, a->nextra, from, to, work, SLOTS_DAY_MAX, &n) ||
	    !clip_into(a->absent, a->nabsent, from, to, absent, EXCEPTIONS_MAX, &na))
		return SLOTS_FULL;
	n = slots_normalise(work, n);
	na = slots_normalise(absent, na);
	return slots_subtract(work, n, absent, na, out, cap);
}

bool slots_bookable(const struct availability *a, int64_t start, int64_t end, bool *absent)
{
	struct interval open[SLOTS_DAY_MAX];
	struct civil d;
	int n;

	*absent = false;
	for (int i = 0; i < a->nabsent; i++)
		if (a->absent[i].start < end && start < a->absent[i].end) {
			*absent = true;
			return false;
		}
	if (!a->restricted)
		return true;
	timeutil_to_local(start, &d);
	n = slots_day_open(a, &d, open, SLOTS_DAY_MAX);
	return n > 0 && slots_within(open, n, start, end);
}

bool slots_within(const struct interval *v, int n, int64_t start, int64_t end)
{
	for (int i = 0; i < n; i++)
		if (v[i].start <= start && end <= v[i].end)
			return true;
	return false;
}

void slots_each(const struct interval *v, int n, int64_t len, int64_t not_before, slot_fn fn,
		void *ctx)
{
	for (int i = 0; i < n; i++) {
		int64_t s = v[i].start > not_before ? v[i].start : not_before;
		int64_t local = s + timeutil_offset(s), r = local % SLOTS_GRID;

		if (r) /* up to the next local quarter hour */
			s += SLOTS_GRID - r;
		for (; s + len <= v[i].end; s += SLOTS_GRID)
			if (!fn(ctx, s, s + len))
				return;
	}
}
