/*
 * test_e2e_hours.c - working hours, the outside-hours rule and its
 * override, and free slots for one and for several clinicians together.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "e2e.h"

static struct server srv;
static int port;
static long long c1, c2, c3, p1, p2;
/* 2027-01-04 is a Monday */
#define MONDAY "2027-01-04"

static void setup(void)
{
	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	c1 = e2e_make(port, "clinicians", "{\"name\":\"A\",\"profession\":\"lege\"}");
	c2 = e2e_make(port, "clinicians", "{\"name\":\"B\",\"profession\":\"psykolog\"}");
	c3 = e2e_make(port, "clinicians", "{\"name\":\"C\",\"profession\":\"sosionom\"}");
	p1 = e2e_make(port, "patients", "{\"name\":\"P1\"}");
	p2 = e2e_make(port, "patients", "{\"name\":\"P2\"}");
	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/1/hours",
			     "[{\"weekday\":1,\"start\":\"12:00\",\"end\":\"15:30\"},"
			     "{\"weekday\":1,\"start\":\"08:00\",\"end\":\"11:00\"}]",
			     200));
	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/3/hours",
			     "[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"13:00\"}]", 200));
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

static int book(long long patient, long long clinician, const char *start, int minutes,
		bool override, char *code, long long *id)
{
	char body[300];
	struct resp r;
	int status;

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":%d%s}",
		 patient, clinician, start, minutes, override ? ",\"override_hours\":true" : "");
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL, body, &r));
	status = r.status;
	if (code) {
		const char *c =
			json_string_value(json_object_get(json_object_get(r.json, "error"), "code"));
		snprintf(code, 32, "%s", c ? c : "");
	}
	if (id)
		*id = json_integer_value(json_object_get(r.json, "id"));
	e2e_resp_free(&r);
	return status;
}

START_TEST(hours_round_trip_and_bad_input)
{
	static const char *const bad[] = {
		"[{\"weekday\":8,\"start\":\"08:00\",\"end\":\"09:00\"}]",
		"[{\"weekday\":1,\"start\":\"25:00\",\"end\":\"26:00\"}]",
		"[{\"weekday\":1,\"start\":\"09:00\",\"end\":\"09:00\"}]",
		"[{\"weekday\":1,\"start\":\"9:00\",\"end\":\"10:00\"}]",
		("[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"10:00\"},"
		 "{\"weekday\":1,\"start\":\"09:30\",\"end\":\"11:00\"}]"),
		"[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"10:00\",\"room\":1}]",
		"{\"weekday\":1,\"start\":\"08:00\",\"end\":\"10:00\"}",
		"[1]",
	};
	json_t *before, *after;
	struct resp r;

	before = e2e_json(port, "GET", "/api/v1/clinicians/1/hours", NULL, 200);
	ck_assert_int_eq(json_array_size(before), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(before, 0), "start")),
			 "08:00");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(e2e_request(port, "PUT", "/api/v1/clinicians/1/hours", NULL, bad[i], &r));
		ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", NULL), "case %zu: %d %s",
			      i, r.status, r.body);
		e2e_resp_free(&r);
	}
	after = e2e_json(port, "GET", "/api/v1/clinicians/1/hours", NULL, 200);
	ck_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	json_decref(e2e_json(port, "GET", "/api/v1/clinicians/99/hours", NULL, 404));
	/* an empty template lifts the restriction */
	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/2/hours", "[]", 200));
}
END_TEST

START_TEST(outside_hours_and_override)
{
	char code[32], path[128];
	long long id, moved;
	json_t *j;

	ck_assert_int_eq(book(p1, c1, MONDAY "T07:30:00", 30, false, code, NULL), 409);
	ck_assert_str_eq(code, "outside_hours");
	ck_assert_int_eq(book(p1, c1, MONDAY "T11:15:00", 30, false, code, NULL), 409); /* lunch */
	ck_assert_int_eq(book(p1, c1, MONDAY "T10:45:00", 30, false, code, NULL), 409); /* spans 11 */
	ck_assert_int_eq(book(p1, c1, "2027-01-05T09:00:00", 30, false, code, NULL), 409); /* Tue */
	ck_assert_int_eq(book(p1, c1, MONDAY "T08:00:00", 30, false, NULL, &id), 201);
	ck_assert_int_eq(book(p1, c1, MONDAY "T15:00:00", 30, false, NULL, NULL), 201); /* to 15:30 */
	/* no hours set: not restricted */
	ck_assert_int_eq(book(p2, c2, MONDAY "T03:00:00", 30, false, NULL, NULL), 201);
	/* the override books, and the history says so */
	ck_assert_int_eq(book(p2, c1, MONDAY "T07:00:00", 30, true, NULL, &moved), 201);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", moved);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert(json_is_true(json_object_get(json_object_get(json_array_get(j, 0), "changes"),
					       "override_hours")));
	json_decref(j);
	/* moving out of hours is refused too, unless overridden */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "PATCH", path, "{\"start\":\"" MONDAY "T18:00:00\"}", 409));
	json_decref(e2e_json(port, "PATCH", path,
			     "{\"start\":\"" MONDAY "T18:00:00\",\"override_hours\":true}", 200));
	/* a status change alone is not a booking: no hours check */
	json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"confirmed\"}", 200));
}
END_TEST

static size_t count_slots(const char *query, const char *first, long long n_ids)
{
	char path[256];
	json_t *j, *s;
	size_t n;

	snprintf(path, sizeof(path), "/api/v1/slots?%s", query);
	j = e2e_json(port, "GET", path, NULL, 200);
	n = json_array_size(j);
	s = json_array_get(j, 0);
	if (first)
		ck_assert_str_eq(json_string_value(json_object_get(s, "start")), first);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(json_array_size(json_object_get(json_array_get(j, i), "clinician_ids")),
				 n_ids);
	json_decref(j);
	return n;
}

START_TEST(free_slots)
{
	char q[200];

	ck_assert_int_eq(book(p1, c1, MONDAY "T08:00:00", 30, false, NULL, NULL), 201);
	/* 08:30..10:30 (9 starts) and 12:00..15:00 (13 starts) */
	snprintf(q, sizeof(q), "clinician_id=%lld&from=" MONDAY "&to=" MONDAY "&duration_minutes=30",
		 c1);
	ck_assert_int_eq(count_slots(q, MONDAY "T08:30:00+01:00", 1), 22);
	/* together with C (09:00-13:00): 09:00..10:30 and 12:00..12:30 */
	snprintf(q, sizeof(q),
		 "clinician_id=%lld&clinician_id=%lld&from=" MONDAY "&to=" MONDAY
		 "&duration_minutes=30",
		 c1, c3);
	ck_assert_int_eq(count_slots(q, MONDAY "T09:00:00+01:00", 2), 10);
	/* a busy patient does not matter here; a busy C does */
	ck_assert_int_eq(book(p2, c3, MONDAY "T09:00:00", 60, false, NULL, NULL), 201);
	ck_assert_int_eq(count_slots(q, MONDAY "T10:00:00+01:00", 2), 6);
	/* a week: only Mondays have hours */
	snprintf(q, sizeof(q), "clinician_id=%lld&from=" MONDAY "&to=2027-01-10&duration_minutes=60",
		 c3);
	ck_assert_int_eq(count_slots(q, MONDAY "T10:00:00+01:00", 1), 9);
	/* no hours: no free slots */
	snprintf(q, sizeof(q), "clinician_id=%lld&from=" MONDAY "&to=" MONDAY "&duration_minutes=30",
		 c2);
	ck_assert_int_eq(count_slots(q, NULL, 1), 0);
	/* the past is never offered */
	snprintf(q, sizeof(q), "clinician_id=%lld&from=2020-01-06&to=2020-01-06&duration_minutes=30",
		 c1);
	ck_assert_int_eq(count_slots(q, NULL, 1), 0);
}
END_TEST

/* The search's reads are cached (slotcache.h) until the data changes: a
 * booking, a move, a cancel, an absence, extra hours and new hours each
 * show in the very next search, and a repeated search (a hit) answers the
 * same. */
static void same_twice(const char *q, const char *first, size_t n)
{
	ck_assert_uint_eq(count_slots(q, first, 1), n);
	ck_assert_uint_eq(count_slots(q, first, 1), n);
}

START_TEST(slots_follow_every_change)
{
	char q[200], path[128];
	long long id, absence;
	json_t *j;

	snprintf(q, sizeof(q), "clinician_id=%lld&from=" MONDAY "&to=" MONDAY "&duration_minutes=30",
		 c1);
	/* 08:00..10:30 (11 starts) and 12:00..15:00 (13) */
	same_twice(q, MONDAY "T08:00:00+01:00", 24);
	ck_assert_int_eq(book(p1, c1, MONDAY "T08:00:00", 30, false, NULL, &id), 201);
	same_twice(q, MONDAY "T08:30:00+01:00", 22);
	/* moved to 09:00: 08:00..08:30, 09:30..10:30 and the afternoon */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "PATCH", path, "{\"start\":\"" MONDAY "T09:00:00\"}", 200));
	same_twice(q, MONDAY "T08:00:00+01:00", 21);
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	same_twice(q, MONDAY "T08:00:00+01:00", 24);
	/* absent all afternoon */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/exceptions", c1);
	j = e2e_json(port, "POST", path,
		     "{\"kind\":\"absence\",\"start\":\"" MONDAY "T12:00:00+01:00\","
		     "\"end\":\"" MONDAY "T16:00:00+01:00\"}",
		     201);
	absence = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	same_twice(q, MONDAY "T08:00:00+01:00", 11);
	/* new hours: Monday 08:00-09:00 only */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/hours", c1);
	json_decref(e2e_json(port, "PUT", path,
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"09:00\"}]", 200));
	same_twice(q, MONDAY "T08:00:00+01:00", 3);
	/* the absence gone, and extra hours 14:00-15:00: 3 + 3 */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/exceptions/%lld", c1, absence);
	json_decref(e2e_json(port, "DELETE", path, NULL, 204));
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/exceptions", c1);
	json_decref(e2e_json(port, "POST", path,
			     "{\"kind\":\"extra\",\"start\":\"" MONDAY "T14:00:00+01:00\","
			     "\"end\":\"" MONDAY "T15:00:00+01:00\"}",
			     201));
	same_twice(q, MONDAY "T08:00:00+01:00", 6);
}
END_TEST

START_TEST(slots_bad_input)
{
	static const char *const bad[] = {
		"from=2027-01-04&to=2027-01-04&duration_minutes=30",
		"clinician_id=1&from=2027-01-04&to=2027-01-03&duration_minutes=30",
		"clinician_id=1&from=2027-01-04&to=2027-06-04&duration_minutes=30",
		"clinician_id=1&from=2027-02-30&to=2027-03-01&duration_minutes=30",
		"clinician_id=1&from=2027-01-04&to=2027-01-04",
		"clinician_id=1&from=2027-01-04&to=2027-01-04&duration_minutes=0",
		"clinician_id=1&from=2027-01-04&to=2027-01-04&type_id=3",
		"clinician_id=99&from=2027-01-04&to=2027-01-04&duration_minutes=30",
		"clinician_id=1&clinician_id=1&from=2027-01-04&to=2027-01-04&duration_minutes=30",
		"clinician_id=x&from=2027-01-04&to=2027-01-04&duration_minutes=30",
		"clinician_id=1&from=2027-01-04&to=2027-01-04&duration_minutes=30&room=2",
	};
	char path[256];
	struct resp r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/slots?%s", bad[i]);
		ck_assert(e2e_request(port, "GET", path, NULL, NULL, &r));
		ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", NULL), "case %zu: %d %s",
			      i, r.status, r.body);
		e2e_resp_free(&r);
	}
	/* the ones named are looked up together: the first unknown is told */
	ck_assert(e2e_request(port, "GET",
			      "/api/v1/slots?clinician_id=1&clinician_id=98&clinician_id=2&"
			      "clinician_id=99&from=2027-01-04&to=2027-01-04&duration_minutes=30",
			      NULL, NULL, &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(r.body, "there is no clinician 98"));
	e2e_resp_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_hours");
	TCase *tc = tcase_create("hours");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, hours_round_trip_and_bad_input);
	tcase_add_test(tc, outside_hours_and_override);
	tcase_add_test(tc, free_slots);
	tcase_add_test(tc, slots_bad_input);
	tcase_add_test(tc, slots_follow_every_change);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
