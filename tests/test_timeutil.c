/*
 * test_timeutil.c - RFC 3339 parsing, formatting, local days across DST.
 */
#define _DEFAULT_SOURCE /* tm_gmtoff */
#include <check.h>
#include <time.h>
#include <string.h>

#include "check_main.h"
#include "timeutil.h"

static int64_t parse_ok(const char *s)
{
	const char *why;
	int64_t t = 0;
	ck_assert_msg(timeutil_parse_instant(s, &t, &why) == APP_OK, "%s: %s", s, why);
	return t;
}

static void parse_bad(const char *s)
{
	const char *why;
	int64_t t;
	ck_assert_msg(timeutil_parse_instant(s, &t, &why) == APP_EINVAL, "%s parsed", s);
}

START_TEST(instants_with_offsets)
{
	ck_assert_int_eq(parse_ok("2026-11-23T09:00:00+01:00"), 1795420800);
	ck_assert_int_eq(parse_ok("2026-11-23T08:00:00Z"), 1795420800);
	ck_assert_int_eq(parse_ok("2026-11-23T08:00:00.250z"), 1795420800);
	ck_assert_int_eq(parse_ok("2026-11-23T03:00:00-05:00"), 1795420800);
	ck_assert_int_eq(parse_ok("2026-11-23T09:00+01:00"), 1795420800);
	/* an unencoded '+' from a query string arrives as a space */
	ck_assert_int_eq(parse_ok("2026-11-23T09:00:00 01:00"), 1795420800);
	ck_assert_int_eq(parse_ok("2024-02-29T12:00:00Z"), 1709208000);
}
END_TEST

START_TEST(instants_refused)
{
	parse_bad("2026-02-30T09:00:00+01:00");
	parse_bad("2026-13-01T09:00:00+01:00");
	parse_bad("2025-02-29T09:00:00+01:00");
	parse_bad("2026-11-23T24:00:00+01:00");
	parse_bad("2026-11-23T09:60:00+01:00");
	parse_bad("2026-11-23T09:00:61+01:00");
	parse_bad("2026-11-23 09:00:00+01:00x");
	parse_bad("2026-11-23T09:00:00+25:00");
	parse_bad("2026-11-23T09:00:00+0100");
	parse_bad("tomorrow");
	parse_bad("");
	parse_bad("2026-11-23T09:00:00.+01:00");
	/* outside 1900-9998: 9999-12-31 late UTC is year 10000 in Oslo */
	parse_bad("9999-12-31T23:59:30Z");
	parse_bad("9999-01-01T00:00:00Z");
	parse_bad("1899-12-31T23:59:59Z");
	ck_assert_int_eq(parse_ok("9998-12-31T23:59:59Z"), 253370764799LL);
	ck_assert_int_eq(parse_ok("1900-01-01T00:00:00Z"), -2208988800LL);
}
END_TEST

START_TEST(local_times_and_dst)
{
	const char *why;
	int64_t t;

	/* without an offset: clinic-local time */
	ck_assert_int_eq(parse_ok("2026-11-23T09:00:00"), 1795420800);
	ck_assert_int_eq(parse_ok("2026-07-01T09:00:00"), parse_ok("2026-07-01T07:00:00Z"));
	/* 02:30 on 2026-03-29 does not exist in Oslo */
	ck_assert_int_eq(timeutil_parse_instant("2026-03-29T02:30:00", &t, &why), APP_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "does not exist"));
	/* 02:30 on 2026-10-25 happens twice */
	ck_assert_int_eq(timeutil_parse_instant("2026-10-25T02:30:00", &t, &why), APP_EINVAL);
	ck_assert_ptr_nonnull(strstr(why, "twice"));
	/* with an offset both are fine */
	ck_assert_int_eq(parse_ok("2026-10-25T02:30:00+02:00") + 3600,
			 parse_ok("2026-10-25T02:30:00+01:00"));
}
END_TEST

START_TEST(formatting)
{
	char out[TIMEUTIL_INSTANT_LEN], d[11];

	timeutil_format(1795420800, out);
	ck_assert_str_eq(out, "2026-11-23T09:00:00+01:00");
	timeutil_format(parse_ok("2026-07-01T07:00:00Z"), out);
	ck_assert_str_eq(out, "2026-07-01T09:00:00+02:00");
	timeutil_format(parse_ok("2026-10-25T00:30:00Z"), out);
	ck_assert_str_eq(out, "2026-10-25T02:30:00+02:00");
	timeutil_format(parse_ok("2026-10-25T01:30:00Z"), out);
	ck_assert_str_eq(out, "2026-10-25T02:30:00+01:00");
	timeutil_format_date(parse_ok("2026-11-22T23:30:00Z"), d);
	ck_assert_str_eq(d, "2026-11-23");
}
END_TEST

/* The per-thread offset cache gives what libc gives, minute by minute
 * across both 2026 transitions, and forgets a zone when it changes. */
START_TEST(offsets_match_libc_and_follow_the_zone)
{
	const int64_t transitions[] = {parse_ok("2026-03-29T01:00:00Z"),
				       parse_ok("2026-10-25T01:00:00Z")};
	char out[TIMEUTIL_INSTANT_LEN];

	for (int i = 0; i < 2; i++)
		for (int64_t t = transitions[i] - 7200; t <= transitions[i] + 7200; t += 60) {
			time_t tt = (time_t)t;
			struct tm tm;

			ck_assert_ptr_nonnull(localtime_r(&tt, &tm));
			ck_assert_int_eq(timeutil_offset(t), (int)tm.tm_gmtoff);
			ck_assert_int_eq(timeutil_offset(t), (int)tm.tm_gmtoff); /* cached */
		}
	timeutil_format(1795420800, out);
	ck_assert_str_eq(out, "2026-11-23T09:00:00+01:00");
	ck_assert_int_eq(timeutil_set_zone("America/New_York"), APP_OK);
	timeutil_format(1795420800, out);
	ck_assert_str_eq(out, "2026-11-23T03:00:00-05:00");
	ck_assert_int_eq(timeutil_set_zone("Europe/Oslo"), APP_OK);
	timeutil_format(1795420800, out);
	ck_assert_str_eq(out, "2026-11-23T09:00:00+01:00");
	timeutil_format(0, out);
	ck_assert_str_eq(out, "1970-01-01T01:00:00+01:00");
}
END_TEST

START_TEST(day_bounds_dst)
{
	struct civil d;
	int64_t a, b;

	ck_assert_int_eq(timeutil_parse_date("2026-03-29", &d), APP_OK);
	timeutil_day_bounds(&d, &a, &b);
	ck_assert_int_eq(b - a, 23 * 3600);
	ck_assert_int_eq(a, parse_ok("2026-03-29T00:00:00+01:00"));
	ck_assert_int_eq(timeutil_parse_date("2026-10-25", &d), APP_OK);
	timeutil_day_bounds(&d, &a, &b);
	ck_assert_int_eq(b - a, 25 * 3600);
	ck_assert_int_eq(b, parse_ok("2026-10-26T00:00:00+01:00"));
	ck_assert_int_eq(timeutil_parse_date("2026-11-23", &d), APP_OK);
	timeutil_day_bounds(&d, &a, &b);
	ck_assert_int_eq(b - a, 24 * 3600);
	ck_assert_int_eq(timeutil_parse_date("2026-02-30", &d), APP_EINVAL);
	ck_assert_int_eq(timeutil_parse_date("2026-2-3", &d), APP_EINVAL);
}
END_TEST

START_TEST(every_day_of_two_years)
{
	/* Every local day of 2026-2027 starts at local midnight and lasts 23,
	 * 24 or 25 hours; only the two DST Sundays a year differ from 24. */
	int odd = 0;

	for (int64_t day = timeutil_days_from_civil(2026, 1, 1);
	     day < timeutil_days_from_civil(2028, 1, 1); day++) {
		struct civil d = {0}, back;
		int64_t a, b;

		timeutil_civil_from_days(day, &d.year, &d.month, &d.day);
		timeutil_day_bounds(&d, &a, &b);
		timeutil_to_local(a, &back);
		ck_assert(back.year == d.year && back.month == d.month && back.day == d.day &&
			  back.hour == 0 && back.min == 0);
		ck_assert(b - a == 86400 || b - a == 82800 || b - a == 90000);
		if (b - a != 86400) {
			odd++;
			ck_assert_int_eq(timeutil_weekday(d.year, d.month, d.day), 7);
		}
	}
	ck_assert_int_eq(odd, 4);
}
END_TEST

START_TEST(hhmm_and_weekday)
{
	int m;

	ck_assert_int_eq(timeutil_parse_hhmm("08:00", &m), APP_OK);
	ck_assert_int_eq(m, 480);
	ck_assert_int_eq(timeutil_parse_hhmm("24:00", &m), APP_OK);
	ck_assert_int_eq(timeutil_parse_hhmm("24:01", &m), APP_EINVAL);
	ck_assert_int_eq(timeutil_parse_hhmm("8:00", &m), APP_EINVAL);
	ck_assert_int_eq(timeutil_weekday(2026, 11, 23), 1);
	ck_assert_int_eq(timeutil_weekday(2026, 11, 22), 7);
	ck_assert_int_eq(timeutil_days_in_month(2028, 2), 29);
	ck_assert_int_eq(timeutil_days_in_month(2100, 2), 28);
}
END_TEST

START_TEST(zone_names)
{
	ck_assert_int_eq(timeutil_set_zone("../../etc/passwd"), APP_EINVAL);
	ck_assert_int_eq(timeutil_set_zone("No/Such_Zone"), APP_EINVAL);
	ck_assert_int_eq(timeutil_set_zone("Europe/Oslo"), APP_OK);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("timeutil");
	TCase *tc = tcase_create("timeutil");

	tcase_add_test(tc, instants_with_offsets);
	tcase_add_test(tc, instants_refused);
	tcase_add_test(tc, local_times_and_dst);
	tcase_add_test(tc, formatting);
	tcase_add_test(tc, day_bounds_dst);
	tcase_add_test(tc, every_day_of_two_years);
	tcase_add_test(tc, hhmm_and_weekday);
	tcase_add_test(tc, zone_names);
	tcase_add_test(tc, offsets_match_libc_and_follow_the_zone);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
