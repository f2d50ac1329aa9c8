/*
 * test_throttle.c - the per-address miss counter behind token throttling:
 * the limit, the window, and a full table.
 */
#include <check.h>
#include <stdio.h>

#include "check_main.h"
#include "throttle.h"

START_TEST(limit_and_window)
{
	struct throttle *t;

	ck_assert_int_eq(throttle_new(3, 600, &t), APP_OK);
	ck_assert_int_eq(throttle_wait(t, "10.0.0.1", 1000), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(throttle_wait(t, "10.0.0.1", 1000 + i), 0);
		throttle_miss(t, "10.0.0.1", 1000 + i);
	}
	/* the window began at the first miss */
	ck_assert_int_eq(throttle_wait(t, "10.0.0.1", 1002), 598);
	ck_assert_int_eq(throttle_wait(t, "10.0.0.1", 1599), 1);
	ck_assert_int_eq(throttle_wait(t, "10.0.0.2", 1002), 0);
	/* more misses while refused do not lengthen it */
	throttle_miss(t, "10.0.0.1", 1500);
	ck_assert_int_eq(throttle_wait(t, "10.0.0.1", 1500), 100);
	/* a new window starts afresh */
	ck_assert_int_eq(throttle_wait(t, "10.0.0.1", 1600), 0);
	throttle_miss(t, "10.0.0.1", 1600);
	ck_assert_int_eq(throttle_wait(t, "10.0.0.1", 1601), 0);
	throttle_free(t);
}
END_TEST

START_TEST(a_full_table_keeps_working)
{
	struct throttle *t;
	char addr[64];

	ck_assert_int_eq(throttle_new(1, 600, &t), APP_OK);
	throttle_miss(t, "192.0.2.1", 100);
	/* many more addresses than slots, each refused after its miss */
	for (int i = 0; i < 4 * THROTTLE_SLOTS; i++) {
		snprintf(addr, sizeof(addr), "2001:db8::%x", i);
		throttle_miss(t, addr, 200 + i / 1000);
		ck_assert_int_gt(throttle_wait(t, addr, 200 + i / 1000), 0);
	}
	/* the earliest windows made way; the latest addresses are still held */
	ck_assert_int_eq(throttle_wait(t, "192.0.2.1", 217), 0);
	snprintf(addr, sizeof(addr), "2001:db8::%x", 4 * THROTTLE_SLOTS - 1);
	ck_assert_int_gt(throttle_wait(t, addr, 217), 0);
	throttle_free(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("throttle");
	TCase *tc = tcase_create("throttle");

	tcase_add_test(tc, limit_and_window);
	tcase_add_test(tc, a_full_table_keeps_working);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
