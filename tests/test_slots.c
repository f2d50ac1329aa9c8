/*
 * test_slots.c - interval arithmetic for hours and free slots, DST days.
 */
#include <check.h>

#include "check_main.h"
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

static Suite *suite(void)
{
	Suite *s = suite_create("slots");
	TCase *tc = tcase_create("slots");

	tcase_add_test(tc, normalise_intersect_subtract);
	tcase_add_test(tc, writers_stop_at_capacity);
	tcase_add_test(tc, day_hours_across_dst);
	tcase_add_test(tc, starts_on_the_local_grid);
	tcase_add_test(tc, validity_extra_and_absence);
	tcase_add_test(tc, open_on_dst_days);
	tcase_add_test(tc, clinic_hours_every_day_of_two_years);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
