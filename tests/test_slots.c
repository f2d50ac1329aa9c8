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
	n = slots_subtract(a, 1, b, 3, out);
	ck_assert_int_eq(n, 3);
	ck_assert(out[0].start == 0 && out[0].end == 10);
	ck_assert(out[1].start == 20 && out[1].end == 50);
	ck_assert(out[2].start == 60 && out[2].end == 90);
	n = slots_intersect(v, 2, b, 3, out);
	ck_assert_int_eq(n, 1);
	ck_assert(out[0].start == 10 && out[0].end == 20);
	ck_assert(slots_within(v, 2, 30, 50));
	ck_assert(!slots_within(v, 2, 15, 35));
}
END_TEST

START_TEST(day_hours_across_dst)
{
	struct hours h[] = {{7, 1, 240, 0, 0}, {7, 600, 660, 0, 0}, {1, 480, 930, 0, 0}};
	struct interval out[4];
	struct civil d = {2026, 3, 29, 0, 0, 0}; /* a Sunday; 02:00-03:00 skipped */
	int n = slots_day_hours(h, 3, &d, out);

	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(out[0].start, at("2026-03-29T00:01:00+01:00"));
	ck_assert_int_eq(out[0].end, at("2026-03-29T04:00:00+02:00"));
	ck_assert_int_eq(out[0].end - out[0].start, (239 - 60) * 60); /* an hour shorter */
	ck_assert_int_eq(out[1].start, at("2026-03-29T10:00:00+02:00"));
	d = (struct civil){2026, 10, 25, 0, 0, 0}; /* 25 hours */
	n = slots_day_hours(h, 3, &d, out);
	ck_assert_int_eq(out[0].end - out[0].start, (239 + 60) * 60);
	d = (struct civil){2026, 11, 23, 0, 0, 0}; /* a Monday */
	n = slots_day_hours(h, 3, &d, out);
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
	n = slots_day_open(&a, &mon, out);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].start, at("2026-11-23T08:00:00+01:00"));
	ck_assert_int_eq(out[0].end, at("2026-11-23T12:00:00+01:00"));
	n = slots_day_open(&a, &next, out);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(out[0].start, at("2026-11-30T12:00:00+01:00"));
	/* extra hours touching the template merge with it; an absence cuts */
	a.extra[a.nextra++] = (struct interval){at("2026-11-23T12:00:00+01:00"),
						at("2026-11-23T14:00:00+01:00")};
	a.extra[a.nextra++] = (struct interval){at("2026-11-24T09:00:00+01:00"),
						at("2026-11-24T10:00:00+01:00")};
	a.absent[a.nabsent++] = (struct interval){at("2026-11-23T09:00:00+01:00"),
						  at("2026-11-23T10:30:00+01:00")};
	n = slots_day_open(&a, &mon, out);
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
	ck_assert_int_eq(slots_day_open(&a, &mon, out), 0);
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
	ck_assert_int_eq(slots_day_open(&a, &spring, out), 1);
	ck_assert_int_eq(out[0].end - out[0].start, 23 * 3600);
	ck_assert_int_eq(slots_day_open(&a, &autumn, out), 1);
	ck_assert_int_eq(out[0].end - out[0].start, 25 * 3600);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("slots");
	TCase *tc = tcase_create("slots");

	tcase_add_test(tc, normalise_intersect_subtract);
	tcase_add_test(tc, day_hours_across_dst);
	tcase_add_test(tc, starts_on_the_local_grid);
	tcase_add_test(tc, validity_extra_and_absence);
	tcase_add_test(tc, open_on_dst_days);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
