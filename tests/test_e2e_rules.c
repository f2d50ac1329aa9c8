/*
 * test_e2e_rules.c - the scheduling rules against the real binary:
 * consultation types and what booking with one means.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "e2e.h"

static struct server srv;
static int port;
static long long unit, c1, c2, p1, p2, clinic_room, video_room;
/* 2027-01-04 is a Monday */
#define MONDAY "2027-01-04"

static void setup(void)
{
	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	unit = e2e_make(port, "units", "{\"name\":\"Poliklinikk\"}");
	c1 = e2e_make(port, "clinicians", "{\"name\":\"A\",\"profession\":\"lege\",\"unit_id\":1}");
	c2 = e2e_make(port, "clinicians", "{\"name\":\"B\",\"profession\":\"psykolog\"}");
	p1 = e2e_make(port, "patients", "{\"name\":\"P1\",\"phone\":\"+4791234567\"}");
	p2 = e2e_make(port, "patients", "{\"name\":\"P2\",\"email\":\"p2@example.org\"}");
	clinic_room = e2e_make(port, "rooms", "{\"name\":\"Rom 1\",\"kind\":\"clinic\"}");
	video_room = e2e_make(port, "rooms", "{\"name\":\"Stillerom\",\"kind\":\"video\"}");
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

/* POST body to path; the status, and the error code (or "") into code. */
static int post(const char *method, const char *path, const char *body, char *code,
		json_t **out)
{
	struct resp r;
	int status;

	ck_assert(e2e_request(port, method, path, NULL, body, &r));
	status = r.status;
	if (code) {
		const char *c =
			json_string_value(json_object_get(json_object_get(r.json, "error"), "code"));
		snprintf(code, 32, "%s", c ? c : "");
	}
	if (out)
		*out = json_incref(r.json);
	e2e_resp_free(&r);
	return status;
}

static long long count_rows(const char *path)
{
	json_t *j = e2e_json(port, "GET", path, NULL, 200);
	long long n = (long long)json_array_size(j);

	json_decref(j);
	return n;
}

START_TEST(types_fill_defaults_and_refuse)
{
	static const char *const bad[] = {
		"{\"name\":\"X\",\"unit_id\":1}",                           /* no duration */
		"{\"name\":\"X\",\"unit_id\":1,\"duration_minutes\":3}",   /* too short */
		"{\"name\":\"X\",\"unit_id\":99,\"duration_minutes\":30}", /* no unit */
		"{\"name\":\"X\",\"unit_id\":1,\"duration_minutes\":30,\"video_allowed\":false}",
		"{\"name\":\"X\",\"unit_id\":1,\"duration_minutes\":30,\"buffer_after_minutes\":-5}",
		"{\"name\":\"X\",\"unit_id\":1,\"duration_minutes\":30,\"colour\":\"red\"}",
		"{\"name\":\"X\",\"unit_id\":1,\"duration_minutes\":\"30\"}",
	};
	char code[32], body[300];
	long long follow_up, surgery, n_before;
	json_t *j;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(post("POST", "/api/v1/consultation-types", bad[i], code, NULL) == 400 &&
				      !strcmp(code, "invalid"),
			      "case %zu", i);
	ck_assert_int_eq(count_rows("/api/v1/consultation-types"), 0);
	follow_up = e2e_make(port, "consultation-types",
			     "{\"name\":\"Kontroll\",\"unit_id\":1,\"duration_minutes\":20,"
			     "\"buffer_after_minutes\":10}");
	surgery = e2e_make(port, "consultation-types",
			   "{\"name\":\"Sårstell\",\"unit_id\":1,\"duration_minutes\":45,"
			   "\"video_allowed\":false,\"default_mode\":\"in_person\",\"needs_room\":true}");
	j = e2e_json(port, "GET", "/api/v1/consultation-types/2", NULL, 200);
	ck_assert(json_is_false(json_object_get(j, "video_allowed")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "buffer_before_minutes")), 0);
	json_decref(j);
	/* a PATCH is checked against the whole row: video stays the default */
	ck_assert_int_eq(post("PATCH", "/api/v1/consultation-types/1", "{\"video_allowed\":false}",
			      code, NULL),
			 400);
	ck_assert_str_eq(code, "invalid");

	/* the type fills duration and mode */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"" MONDAY
		 "T09:00:00\",\"type_id\":%lld}",
		 p1, c1, follow_up);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, NULL, &j), 201);
	ck_assert_str_eq(json_string_value(json_object_get(j, "end")), MONDAY "T09:20:00+01:00");
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode")), "video");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "type_id")), follow_up);
	json_decref(j);
	/* ... and the in-person type its mode, which needs a room */
	n_before = count_rows("/api/v1/appointments");
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"" MONDAY
		 "T10:00:00\",\"type_id\":%lld}",
		 p2, c1, surgery);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, code, NULL), 400);
	/* video for a type that does not allow it: a clear 400 on 'mode' */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"" MONDAY
		 "T10:00:00\",\"type_id\":%lld,\"mode\":\"video\",\"room_id\":%lld}",
		 p2, c1, surgery, video_room);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, code, &j), 400);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "field")),
			 "mode");
	json_decref(j);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), n_before);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"" MONDAY
		 "T10:00:00\",\"type_id\":%lld,\"room_id\":%lld}",
		 p2, c1, surgery, clinic_room);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, NULL, &j), 201);
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode")), "in_person");
	ck_assert_str_eq(json_string_value(json_object_get(j, "end")), MONDAY "T10:45:00+01:00");
	json_decref(j);
	/* switching an appointment to that type in video is refused, changes nothing */
	snprintf(body, sizeof(body), "{\"type_id\":%lld}", surgery);
	ck_assert_int_eq(post("PATCH", "/api/v1/appointments/1", body, code, NULL), 400);
	j = e2e_json(port, "GET", "/api/v1/appointments/1", NULL, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "type_id")), follow_up);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 1);
	json_decref(j);
	/* an inactive type is not bookable */
	json_decref(e2e_json(port, "DELETE", "/api/v1/consultation-types/1", NULL, 204));
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"" MONDAY
		 "T13:00:00\",\"type_id\":%lld}",
		 p1, c2, follow_up);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, code, NULL), 400);
	ck_assert_int_eq(count_rows("/api/v1/consultation-types?active=true"), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_rules");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, types_fill_defaults_and_refuse);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
