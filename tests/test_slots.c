/*
 * test_slots.c - interval arithmetic for hours and free slots, DST days.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "slotcache.h"
#include "slots.h"
#include "timeutil.h"

static int64_t at(const char *s)
{
	const char *why;
	int64_t t;
	ck_assert_int_eq(timeutil_parse_instant(s, &t, &why), APP_OK);
	return t;
}

START_TEST(normalise_intersect_subtract)
{
	struct interval v[] = {{30, 40}, {0, 10}, {10, 20}, {35, 50}, {60, 60}};
	struct interval a[] = {{0, 100}}, b[] = {{10, 20}, {50, 60}, {90, 120}}, out[8];
	int n = slots_normalise(v, 5);

	ck_assert_int_eq(n, 2); /* touching merges, empty goes */
	ck_assert(v[0].start == 0 && v[0].end == 20 && v[1].start == 30 && v[1].end == 50);
	n = slots_subtract(a, 1, b, 3, out, 8);
	ck_assert_int_eq(n, 3);
	ck_assert(out[0].start == 0 && out[0].end == 10);
	ck_assert(out[1].start == 20 && out[1].end == 50);
	ck_assert(out[2].start == 60 && out[2].end == 90);
	n = slots_intersect(v, 2, b, 3, out, 8);
	ck_assert_int_eq(n, 1);
	ck_assert(out[0].start == 10 && out[0].end == 20);
	ck_assert(slots_within(v, 2, 30, 50));
	ck_assert(!slots_within(v, 2, 15, 35));
}
END_TEST

/* Each writer stops at its capacity and says so, with the interleaved
 * pieces that make results largest: a AND b has na + nb - 1 pieces, a
 * minus b na + nb. */
START_TEST(writers_stop_at_capacity)
{
	struct interval a[100], b[100], out[300], guard[4];
	int n;

	for (int i = 0; i < 100; i++) {
		a[i] = (struct interval){i * 10, i * 10 + 7};
		b[i] = (struct interval){i * 10 + 5, i * 10 + 12};
	}
	for (int i = 0; i < 4; i++)
		guard[i] = (struct interval){-1, -1};
	ck_assert_int_eq(slots_intersect(a, 100, b, 100, out, 300), 199);
	ck_assert_int_eq(slots_intersect(a, 100, b, 100, out, 198), SLOTS_FULL);
	ck_assert_int_eq(slots_intersect(a, 100, b, 100, out, 0), SLOTS_FULL);
	for (int i = 0; i < 100; i++)
		b[i] = (struct interval){i * 10 + 3, i * 10 + 4}; /* a hole in each piece */
	ck_assert_int_eq(slots_subtract(a, 100, b, 100, out, 300), 200);
	ck_assert_int_eq(slots_subtract(a, 100, b, 100, out, 199), SLOTS_FULL);
	/* a capacity of 4 writes 4 and no more: the guard beyond stays */
	n = slots_subtract(a, 100, b, 100, guard, 2);
	ck_assert_int_eq(n, SLOTS_FULL);
	ck_assert(guard[2].start == -1 && guard[3].start == -1);
	{
		struct hours h[3] = {{1, 480, 600, 0, 0}, {1, 660, 720, 0, 0}, {1, 780, 900, 0, 0}};
		struct civil d = {2026, 11, 23, 0, 0, 0}; /* a Monday */
		ck_assert_int_eq(slots_day_hours(h, 3, &d, out, 2), SLOTS_FULL);
		ck_assert_int_eq(slots_day_hours(h, 3, &d, out, 3), 3);
	}
}
END_TEST

START_TEST(day_hours_across_dst)
{
	struct hours h[] = {{7, 1, 240, 0, 0}, {7, 600, 660, 0, 0}, {1, 480, 930, 0, 0}};
	struct interval out[4];
	struct civil d = {2026, 3, 29, 0, 0, 0}; /* a Sunday; 02:00-03:00 skipped */
	int n = slots_day_hours(h, 3, &d, out, (int)(sizeof(out) / sizeof(out[0])));

	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out[0].start, at("2026-03-29T00:01:00+01:00"));
	ck_assert_int_eq(out[0].end, at("2026-03-29T04:00:00+02:00"));
	ck_assert_int_eq(out[0].end - out[0].start, (239 - 60) * 60); /* an hour shorter */
	ck_assert_int_eq(out[1].start, at("2026-03-29T10:00:00+02:00"));
	d = (struct civil){2026, 10, 25, 0, 0, 0}; /* 25 hours */
	n = slots_day_hours(h, 3, &d, out, (int)(sizeof(out) / sizeof(out[0])));
	ck_assert_int_eq(out[0].end - out[0].start, (239 + 60) * 60);
	d = (struct civil){2026, 11, 23, 0, 0, 0}; /* a Monday */
	n = slots_day_hours(h, 3, &d, out, (int)(sizeof(out) / sizeof(out[0])));
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].start, at("2026-11-23T08:00:00+01:00"));
	ck_assert_int_eq(out[0].end, at("2026-11-23T15:30:00+01:00"));
}
END_TEST

static int count;
static int64_t firsts[64];
static bool collect(void *ctx, int64_t s, int64_t e)
{
	(void)ctx;
	(void)e;
	firsts[count++] = s;
	return count < 64;
}

START_TEST(starts_on_the_local_grid)
{
	struct interval v[] = {{at("2026-11-23T08:10:00+01:00"), at("2026-11-23T09:30:00+01:00")}};

	count = 0;
	slots_each(v, 1, 30 * 60, 0, collect, NULL);
	ck_assert_int_eq(count, 4); /* 08:15, 08:30, 08:45 and 09:00 (ends 09:30) */
	ck_assert_int_eq(firsts[0], at("2026-11-23T08:15:00+01:00"));
	count = 0;
	slots_each(v, 1, 30 * 60, at("2026-11-23T08:40:00+01:00"), collect, NULL);
	ck_assert_int_eq(firsts[0], at("2026-11-23T08:45:00+01:00"));
	ck_assert_int_eq(count, 2);
}
END_TEST

static int64_t day_of(int y, int m, int d)
{
	return timeutil_days_from_civil(y, m, d);
}

START_TEST(validity_extra_and_absence)
{
	static struct availability a;
	struct interval out[SLOTS_DAY_MAX];
	struct civil mon = {2026, 11, 23, 0, 0, 0}, next = {2026, 11, 30, 0, 0, 0};
	bool absent;
	int n;

	/* this term 08-12 on Mondays, from the 30th 12-16 instead */
	a = (struct availability){.restricted = true, .nh = 2};
	a.h[0] = (struct hours){1, 480, 720, 0, day_of(2026, 11, 29)};
	a.h[1] = (struct hours){1, 720, 960, day_of(2026, 11, 30), 0};
	n = slots_day_open(&a, &mon, out, SLOTS_DAY_MAX);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].start, at("2026-11-23T08:00:00+01:00"));
	ck_assert_int_eq(out[0].end, at("2026-11-23T12:00:00+01:00"));
	n = slots_day_open(&a, &next, out, SLOTS_DAY_MAX);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].start, at("2026-11-30T12:00:00+01:00"));
	/* extra hours touching the template merge with it; an absence cuts */
	a.extra[a.nextra++] = (struct interval){at("2026-11-23T12:00:00+01:00"),
						at("2026-11-23T14:00:00+01:00")};
	a.extra[a.nextra++] = (struct interval){at("2026-11-24T09:00:00+01:00"),
						at("2026-11-24T10:00:00+01:00")};
	a.absent[a.nabsent++] = (struct interval){at("2026-11-23T09:00:00+01:00"),
						  at("2026-11-23T10:30:00+01:00")};
	n = slots_day_open(&a, &mon, out, SLOTS_DAY_MAX);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out[0].end, at("2026-11-23T09:00:00+01:00"));
	ck_assert_int_eq(out[1].start, at("2026-11-23T10:30:00+01:00"));
	ck_assert_int_eq(out[1].end, at("2026-11-23T14:00:00+01:00"));
	ck_assert(slots_bookable(&a, at("2026-11-23T12:30:00+01:00"), at("2026-11-23T13:00:00+01:00"),
				 &absent));
	ck_assert(!slots_bookable(&a, at("2026-11-23T09:30:00+01:00"),
				  at("2026-11-23T10:00:00+01:00"), &absent));
	ck_assert(absent);
	ck_assert(!slots_bookable(&a, at("2026-11-23T13:30:00+01:00"),
				  at("2026-11-23T14:30:00+01:00"), &absent));
	ck_assert(!absent);
	/* a Tuesday with only extra hours */
	ck_assert(slots_bookable(&a, at("2026-11-24T09:00:00+01:00"), at("2026-11-24T10:00:00+01:00"),
				 &absent));
	/* unrestricted: anything but an absence, and no slots to offer */
	a.restricted = false;
	ck_assert_int_eq(slots_day_open(&a, &mon, out, SLOTS_DAY_MAX), 0);
	ck_assert(slots_bookable(&a, at("2026-11-23T20:00:00+01:00"), at("2026-11-23T21:00:00+01:00"),
				 &absent));
	ck_assert(!slots_bookable(&a, at("2026-11-23T10:00:00+01:00"),
				  at("2026-11-23T11:00:00+01:00"), &absent));
}
END_TEST

START_TEST(open_on_dst_days)
{
	static struct availability a;
	struct interval out[SLOTS_DAY_MAX];
	struct civil spring = {2027, 3, 28, 0, 0, 0}, autumn = {2027, 10, 31, 0, 0, 0};

	/* Sundays 00:00-24:00: 23 hours in spring, 25 in autumn */
	a = (struct availability){.restricted = true, .nh = 1};
	a.h[0] = (struct hours){7, 0, 1440, 0, 0};
	ck_assert_int_eq(slots_day_open(&a, &spring, out, SLOTS_DAY_MAX), 1);
	ck_assert_int_eq(out[0].end - out[0].start, 23 * 3600);
	ck_assert_int_eq(slots_day_open(&a, &autumn, out, SLOTS_DAY_MAX), 1);
	ck_assert_int_eq(out[0].end - out[0].start, 25 * 3600);
}
END_TEST

/* Every slot of a day in local time: on the quarter-hour grid, inside
 * 08:00-15:30 on that same date. */
static struct civil slot_day;
static int slot_count;
static bool on_grid(void *ctx, int64_t s, int64_t e)
{
	struct civil a, b;

	(void)ctx;
	timeutil_to_local(s, &a);
	timeutil_to_local(e, &b);
	ck_assert(a.year == slot_day.year && a.month == slot_day.month && a.day == slot_day.day);
	ck_assert_int_eq(a.min % 15, 0);
	ck_assert_int_eq(a.sec, 0);
	ck_assert_int_ge(a.hour * 60 + a.min, 8 * 60);
	ck_assert_int_le(b.hour * 60 + b.min, 15 * 60 + 30);
	ck_assert_int_eq(e - s, 30 * 60);
	slot_count++;
	return true;
}

START_TEST(clinic_hours_every_day_of_two_years)
{
	/* weekdays 08:00-15:30, and a Sunday night window 01:30-03:30 that the
	 * clocks cross twice a year */
	struct hours h[6] = {{7, 90, 210, 0, 0}};
	struct interval out[4];
	int weekdays = 0, dst_sundays = 0;

	for (int wd = 1; wd <= 5; wd++)
		h[wd] = (struct hours){wd, 480, 930, 0, 0};
	for (int64_t day = timeutil_days_from_civil(2026, 1, 1);
	     day < timeutil_days_from_civil(2028, 1, 1); day++) {
		struct civil d = {0}, a, b;
		int wd, n;

		timeutil_civil_from_days(day, &d.year, &d.month, &d.day);
		wd = timeutil_weekday(d.year, d.month, d.day);
		n = slots_day_hours(h, 6, &d, out, (int)(sizeof(out) / sizeof(out[0])));
		if (wd == 6) {
			ck_assert_int_eq(n, 0);
			continue;
		}
		ck_assert_int_eq(n, 1);
		timeutil_to_local(out[0].start, &a);
		timeutil_to_local(out[0].end, &b);
		ck_assert(a.year == d.year && a.month == d.month && a.day == d.day);
		ck_assert(b.year == d.year && b.month == d.month && b.day == d.day);
		if (wd <= 5) { /* exactly 08:00 to 15:30 local, every weekday */
			ck_assert(a.hour == 8 && a.min == 0 && b.hour == 15 && b.min == 30);
			ck_assert_int_eq(out[0].end - out[0].start, 450 * 60);
			slot_day = d;
			slot_count = 0;
			slots_each(out, 1, 30 * 60, 0, on_grid, NULL);
			ck_assert_int_eq(slot_count, 29); /* 08:00, 08:15 ... 15:00 */
			weekdays++;
			continue;
		}
		/* Sundays: 01:30 to 03:30 local; 1 hour long when the clocks skip
		 * 02:00-03:00, 3 when they repeat it, else 2 */
		ck_assert(a.hour == 1 && a.min == 30 && b.hour == 3 && b.min == 30);
		if (out[0].end - out[0].start != 2 * 3600) {
			ck_assert(out[0].end - out[0].start == 3600 ||
				  out[0].end - out[0].start == 3 * 3600);
			ck_assert(d.month == 3 || d.month == 10);
			dst_sundays++;
		}
	}
	ck_assert_int_eq(weekdays, 522);
	ck_assert_int_eq(dst_sundays, 4);
}
END_TEST

/* slots_normalise against a timeline: random intervals in sorted runs (as
 * the search's busy times come, one run a clinician), in reverse, and
 * shuffled, with empty and touching ones; the union must be exact. */
static int earlier(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

START_TEST(normalise_many_runs)
{
	enum { SPAN = 3000, MAXN = 5000 };
	static struct interval v[MAXN];
	static bool covered[SPAN];
	unsigned seed = 23;

	for (int round = 0; round < 200; round++) {
		int n = 1 + (int)(rand_r(&seed) % (round < 100 ? 200 : MAXN));
		int runs = 1 + (int)(rand_r(&seed) % 300), shape = round % 3, m, k = 0;

		memset(covered, 0, sizeof(covered));
		for (int i = 0; i < n; i++) {
			int64_t s = rand_r(&seed) % (SPAN - 40), len = rand_r(&seed) % 40;

			v[i] = (struct interval){s, s + len}; /* len 0: empty */
			for (int64_t t = s; t < s + len; t++)
				covered[t] = true;
		}
		for (int r = 0; r < runs; r++) { /* sort each run by start */
			int lo = n * r / runs, hi = n * (r + 1) / runs;

			qsort(v + lo, (size_t)(hi - lo), sizeof(v[0]), earlier);
		}
		if (shape == 1)
			for (int i = 0; i < n / 2; i++) {
				struct interval t = v[i];
				v[i] = v[n - 1 - i];
				v[n - 1 - i] = t;
			}
		if (shape == 2)
			for (int i = n - 1; i > 0; i--) {
				int j = (int)(rand_r(&seed) % (unsigned)(i + 1));
				struct interval t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
		m = slots_normalise(v, n);
		for (int t = 0; t < SPAN; t++) {
			bool in = k < m && v[k].start <= t && t < v[k].end;

			ck_assert_msg(in == covered[t], "round %d: %d is %s", round, t,
				      covered[t] ? "busy" : "free");
			if (k < m && t + 1 == v[k].end)
				k++;
		}
		ck_assert_int_eq(k, m);
		for (int i = 1; i < m; i++) /* sorted, apart, nothing empty */
			ck_assert(v[i - 1].end < v[i].start && v[i].start < v[i].end);
	}
}
END_TEST

/* The search keeps a clinician's busy times merged (api_slots.c
 * load_clinicians) and widens them by the new type's buffers afterwards:
 * merging, widening and merging again must give what widening each
 * appointment and merging gives, for any non-empty appointments and
 * buffers (0 included), or a cached search would answer differently. */
START_TEST(merging_before_widening_changes_nothing)
{
	enum { MAXN = 300 };
	struct interval raw[MAXN] = {0}, a[MAXN], b[MAXN];
	unsigned seed = 21;

	for (int round = 0; round < 2000; round++) {
		int n = (int)(rand_r(&seed) % MAXN), na, nb;
		int64_t before = round % 4 ? rand_r(&seed) % 1800 : 0;
		int64_t after = round % 3 ? rand_r(&seed) % 1800 : 0;
		int64_t t = 0;

		for (int i = 0; i < n; i++) { /* in start order, as SQL gives them */
			t += rand_r(&seed) % 1200;
			raw[i] = (struct interval){t, t + 1 + rand_r(&seed) % 2400};
		}
		memcpy(a, raw, sizeof(raw[0]) * (size_t)n);
		for (int i = 0; i < n; i++) {
			a[i].start -= after;
			a[i].end += before;
		}
		na = slots_normalise(a, n);
		memcpy(b, raw, sizeof(raw[0]) * (size_t)n);
		nb = slots_normalise(b, n);
		for (int i = 0; i < nb; i++) {
			b[i].start -= after;
			b[i].end += before;
		}
		nb = slots_normalise(b, nb);
		ck_assert_int_eq(na, nb);
		ck_assert(!memcmp(a, b, sizeof(a[0]) * (size_t)na));
	}
}
END_TEST

/* --- the search's cache (slotcache.h) ------------------------------------ */

/* An availability and nb busy intervals that tell who made them (seed). */
static void made_by(int64_t seed, int64_t from, struct availability *a, struct interval *busy,
		    int nb)
{
	*a = (struct availability){.restricted = seed % 2, .nh = 2, .nextra = 1, .nabsent = 3};
	a->h[0] = (struct hours){1, 480, 720, seed, 0};
	a->h[1] = (struct hours){3, 600, 900, 0, seed + 7};
	a->extra[0] = (struct interval){from - 86400 * 300, from + seed}; /* long ago: kept whole */
	for (int i = 0; i < 3; i++)
		a->absent[i] = (struct interval){from + seed + i, from + seed + 100 + i};
	for (int i = 0; i < nb; i++)
		busy[i] = (struct interval){from - 3600 + seed + 600 * i, from + seed + 600 * i + 300};
}

static void same_as_made(int64_t seed, int64_t from, const struct availability *a,
			 const struct interval *busy, int nb)
{
	static _Thread_local struct availability want; /* the racers call it too */
	struct interval wb[64];

	made_by(seed, from, &want, wb, nb);
	ck_assert_int_eq(a->restricted, want.restricted);
	ck_assert_int_eq(a->nh, 2);
	ck_assert_int_eq(a->nextra, 1);
	ck_assert_int_eq(a->nabsent, 3);
	ck_assert(!memcmp(a->h, want.h, sizeof(want.h[0]) * 2));
	ck_assert(!memcmp(a->extra, want.extra, sizeof(want.extra[0])));
	ck_assert(!memcmp(a->absent, want.absent, sizeof(want.absent[0]) * 3));
	ck_assert(!memcmp(busy, wb, sizeof(wb[0]) * (size_t)nb));
}

START_TEST(slotcache_hits_only_the_same_range_and_generation)
{
	static struct availability a, got;
	struct slotcache *c = slotcache_new();
	struct interval busy[64], out[64];
	int64_t from = at("2027-01-04T00:00:00+01:00"), to = from + 7 * 86400;
	int n = -1;

	ck_assert_ptr_nonnull(c);
	made_by(11, from, &a, busy, 40);
	ck_assert(!slotcache_get(c, 1, from, to, 5, &got, out, 64, &n));
	slotcache_put(c, 1, from, to, 5, &a, busy, 40);
	ck_assert(slotcache_get(c, 1, from, to, 5, &got, out, 64, &n));
	ck_assert_int_eq(n, 40);
	same_as_made(11, from, &got, out, 40);
	/* another clinician, another range, too little room: misses */
	ck_assert(!slotcache_get(c, 2, from, to, 5, &got, out, 64, &n));
	ck_assert(!slotcache_get(c, 1, from + 86400, to, 5, &got, out, 64, &n));
	ck_assert(!slotcache_get(c, 1, from, to + 86400, 5, &got, out, 64, &n));
	ck_assert(!slotcache_get(c, 1, from, to, 5, &got, out, 39, &n));
	/* the data changed: never again, even when asked with the old generation */
	ck_assert(!slotcache_get(c, 1, from, to, 6, &got, out, 64, &n));
	ck_assert(!slotcache_get(c, 1, from, to, 5, &got, out, 64, &n));
	/* a read made before a newer entry does not replace it */
	made_by(12, from, &a, busy, 10);
	slotcache_put(c, 1, from, to, 7, &a, busy, 10);
	made_by(13, from, &a, busy, 20);
	slotcache_put(c, 1, from, to, 6, &a, busy, 20);
	ck_assert(slotcache_get(c, 1, from, to, 7, &got, out, 64, &n));
	ck_assert_int_eq(n, 10);
	same_as_made(12, from, &got, out, 10);
	/* no busy times at all is an answer too */
	slotcache_put(c, 3, from, to, 7, &a, busy, 0);
	ck_assert(slotcache_get(c, 3, from, to, 7, &got, out, 64, &n));
	ck_assert_int_eq(n, 0);
	/* what does not fit 32 bits from the range's start is not kept */
	busy[0] = (struct interval){from, from + ((int64_t)1 << 32)};
	slotcache_put(c, 4, from, to, 7, &a, busy, 1);
	ck_assert(!slotcache_get(c, 4, from, to, 7, &got, out, 64, &n));
	/* nor a refused read (too many exceptions) */
	a.nextra = -1;
	slotcache_put(c, 5, from, to, 7, &a, busy, 0);
	ck_assert(!slotcache_get(c, 5, from, to, 7, &got, out, 64, &n));
	ck_assert(!slotcache_get(NULL, 1, from, to, 7, &got, out, 64, &n));
	slotcache_put(NULL, 1, from, to, 7, &a, busy, 0);
	slotcache_free(c);
	slotcache_free(NULL);
}
END_TEST

/* SLOTCACHE_BYTES bounds what is held; entries of an older generation make
 * room for current ones. */
START_TEST(slotcache_holds_at_most_its_bytes)
{
	enum { NB = 4000, IDS = 300 };
	static struct availability a, got;
	static struct interval busy[NB], out[NB];
	struct slotcache *c = slotcache_new();
	int64_t from = at("2027-01-04T00:00:00+01:00"), to = from + 62 * 86400;
	int held = 0, n;

	made_by(1, from, &a, busy, 0);
	for (int i = 0; i < NB; i++)
		busy[i] = (struct interval){from + 900 * i, from + 900 * i + 600};
	/* 32 KB each: about 64 fit */
	for (int id = 1; id <= IDS; id++)
		slotcache_put(c, id, from, to, 1, &a, busy, NB);
	for (int id = 1; id <= IDS; id++)
		held += slotcache_get(c, id, from, to, 1, &got, out, NB, &n);
	ck_assert_int_gt(held, 0);
	ck_assert_int_le(held * NB * 8, SLOTCACHE_BYTES);
	/* a new generation: the old entries go as the new ones need room */
	held = 0;
	for (int id = IDS + 1; id <= 2 * IDS; id++)
		slotcache_put(c, id, from, to, 2, &a, busy, NB);
	for (int id = IDS + 1; id <= 2 * IDS; id++)
		held += slotcache_get(c, id, from, to, 2, &got, out, NB, &n);
	ck_assert_int_gt(held, SLOTCACHE_BYTES / (NB * 8) / 2);
	ck_assert_int_le(held * NB * 8, SLOTCACHE_BYTES);
	slotcache_free(c);
}
END_TEST

/* The week walk of the benchmark (tests/bench/slots.lua): 20 clinicians
 * times 40 weeks, each range read once, then every one of them hit on
 * every later visit (a direct-mapped table of 4,096 slots lost about 150
 * of the 800 to collisions, missing them on every visit).  And a set's
 * least recently used entry makes room for a new one. */
START_TEST(slotcache_keeps_a_walk_of_800_ranges)
{
	static struct availability a, got;
	struct interval busy[64], out[64];
	int64_t first = at("2027-01-04T00:00:00+01:00");
	int n, held = 0;

	struct slotcache *c = slotcache_new();
	ck_assert_ptr_nonnull(c);
	for (int visit = 0; visit < 3; visit++)
		for (int week = 0; week < 40; week++)
			for (int64_t id = 1; id <= 20; id++) {
				int64_t from = first + week * 7 * 86400, to = from + 5 * 86400;

				if (slotcache_get(c, id, from, to, 9, &got, out, 64, &n)) {
					ck_assert_int_eq(visit > 0, 1);
					same_as_made(id, from, &got, out, 40);
					held++;
					continue;
				}
				ck_assert_int_eq(visit, 0); /* read once only */
				made_by(id, from, &a, busy, 40);
				slotcache_put(c, id, from, to, 9, &a, busy, 40);
			}
	ck_assert_int_eq(held, 2 * 800);
	/* many more keys than places: the most recent ones are kept */
	for (int64_t id = 1000; id < 1000 + 4 * SLOTCACHE_SETS * SLOTCACHE_WAYS; id++) {
		made_by(id, first, &a, busy, 1);
		slotcache_put(c, id, first, first + 86400, 9, &a, busy, 1);
		ck_assert(slotcache_get(c, id, first, first + 86400, 9, &got, out, 64, &n));
		same_as_made(id, first, &got, out, 1);
	}
	slotcache_free(c);
}
END_TEST

/* Threads put and get the same keys while the generation moves on (for
 * TSan): a hit is always exactly what was put for that key and generation. */
struct racer {
	struct slotcache *c;
	int64_t from;
	int hits;
};

static void *race(void *arg)
{
	static _Thread_local struct availability a, got;
	struct racer *r = arg;
	struct interval busy[64], out[64];
	int n;

	for (int64_t gen = 1; gen <= 60; gen++)
		for (int64_t id = 1; id <= 20; id++) {
			if (slotcache_get(r->c, id, r->from, r->from + 86400, (uint64_t)gen, &got, out,
					  64, &n)) {
				ck_assert_int_eq(n, (int)(id + gen % 7));
				same_as_made(id * 1000 + gen, r->from, &got, out, n);
				r->hits++;
				continue;
			}
			made_by(id * 1000 + gen, r->from, &a, busy, (int)(id + gen % 7));
			slotcache_put(r->c, id, r->from, r->from + 86400, (uint64_t)gen, &a, busy,
				      (int)(id + gen % 7));
		}
	return NULL;
}

START_TEST(slotcache_under_threads)
{
	struct racer r[4];
	pthread_t t[4];
	struct slotcache *c = slotcache_new();
	int hits = 0;

	for (int i = 0; i < 4; i++) {
		r[i] = (struct racer){c, at("2027-01-04T00:00:00+01:00"), 0};
		ck_assert_int_eq(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		hits += r[i].hits;
	}
	ck_assert_int_gt(hits, 0);
	slotcache_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("slots");
	TCase *tc = tcase_create("slots");

	tcase_set_timeout(tc, 60); /* the property and thread tests, under ASan or TSan */
	tcase_add_test(tc, normalise_intersect_subtract);
	tcase_add_test(tc, normalise_many_runs);
	tcase_add_test(tc, writers_stop_at_capacity);
	tcase_add_test(tc, day_hours_across_dst);
	tcase_add_test(tc, starts_on_the_local_grid);
	tcase_add_test(tc, validity_extra_and_absence);
	tcase_add_test(tc, open_on_dst_days);
	tcase_add_test(tc, clinic_hours_every_day_of_two_years);
	tcase_add_test(tc, slotcache_hits_only_the_same_range_and_generation);
	tcase_add_test(tc, merging_before_widening_changes_nothing);
	tcase_add_test(tc, slotcache_holds_at_most_its_bytes);
	tcase_add_test(tc, slotcache_keeps_a_walk_of_800_ranges);
	tcase_add_test(tc, slotcache_under_threads);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
