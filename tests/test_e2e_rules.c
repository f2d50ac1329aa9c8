/*
 * test_e2e_rules.c - the scheduling rules against the real binary:
 * consultation types and what booking with one means; hours with
 * validity, absences, extra hours and room opening hours; free slots with
 * types, buffers and rooms; a many-party meeting where each guest answers
 * through their own link, and the video platform's participant limit.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
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
	static const char *const extra[] = {"--video-max-participants", "4", NULL};

	e2e_start(&srv, NULL, extra);
	port = srv.port;
	unit = e2e_make(port, "units", "{\"name\":\"Poliklinikk\"}");
	c1 = e2e_make(port, "clinicians", "{\"name\":\"A\",\"profession\":\"lege\",\"unit_id\":1}");
	c2 = e2e_make(port, "clinicians", "{\"name\":\"B\",\"profession\":\"psykolog\"}");
	p1 = e2e_make(port, "patients", "{\"name\":\"P1\",\"phone\":\"+4791234567\"}");
	p2 = e2e_make(port, "patients", "{\"name\":\"P2\",\"email\":\"p2@example.org\"}");
	clinic_room = e2e_make(port, "rooms",
			       "{\"name\":\"Rom 1\",\"kind\":\"clinic\",\"unit_id\":1}");
	video_room = e2e_make(port, "rooms",
			      "{\"name\":\"Stillerom\",\"kind\":\"video\",\"unit_id\":1}");
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

/* Book patient with clinician at start for minutes (extra: more JSON). */
static int book(long long patient, long long clinician, const char *start, int minutes,
		const char *extra, char *code, long long *id)
{
	char body[400];
	json_t *j = NULL;
	int status;

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":%d%s}",
		 patient, clinician, start, minutes, extra ? extra : "");
	status = post("POST", "/api/v1/appointments", body, code, &j);
	if (id)
		*id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return status;
}

START_TEST(validity_absence_extra_and_room_hours)
{
	char code[32];
	long long id;
	json_t *j;

	/* Mondays 08-12 until 10 January, 12-16 from 11 January */
	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/1/hours",
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"12:00\","
			     "\"valid_to\":\"2027-01-10\"},"
			     "{\"weekday\":1,\"start\":\"10:00\",\"end\":\"16:00\","
			     "\"valid_from\":\"2027-01-11\"}]",
			     200));
	j = e2e_json(port, "GET", "/api/v1/clinicians/1/hours", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "valid_to")),
			 "2027-01-10");
	ck_assert_ptr_null(json_object_get(json_array_get(j, 0), "valid_from"));
	json_decref(j);
	/* overlapping validity on the same weekday is refused; disjoint is not */
	ck_assert_int_eq(post("PUT", "/api/v1/clinicians/1/hours",
			      "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"12:00\"},"
			      "{\"weekday\":1,\"start\":\"10:00\",\"end\":\"16:00\","
			      "\"valid_from\":\"2027-01-11\"}]",
			      code, NULL),
			 400);
	ck_assert_int_eq(post("PUT", "/api/v1/clinicians/1/hours",
			      "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"09:00\","
			      "\"valid_from\":\"2027-02-01\",\"valid_to\":\"2027-01-01\"}]",
			      code, NULL),
			 400);
	ck_assert_int_eq(book(p1, c1, MONDAY "T08:00:00", 30, NULL, NULL, NULL), 201);
	ck_assert_int_eq(book(p1, c1, MONDAY "T13:00:00", 30, NULL, code, NULL), 409);
	ck_assert_str_eq(code, "outside_hours");
	ck_assert_int_eq(book(p1, c1, "2027-01-11T08:00:00", 30, NULL, code, NULL), 409);
	ck_assert_int_eq(book(p1, c1, "2027-01-11T13:00:00", 30, NULL, NULL, NULL), 201);

	/* an absence refuses bookings, tells what it overlaps, and can go */
	ck_assert_int_eq(post("POST", "/api/v1/clinicians/1/exceptions",
			      "{\"kind\":\"absence\",\"start\":\"2027-01-11T00:00:00+01:00\","
			      "\"end\":\"2027-01-16T00:00:00+01:00\",\"reason\":\"kurs\"}",
			      NULL, &j),
			 201);
	ck_assert_int_eq(json_array_size(json_object_get(j, "affected_appointment_ids")), 1);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	ck_assert_int_eq(book(p2, c1, "2027-01-11T14:00:00", 30, NULL, code, NULL), 409);
	ck_assert_str_eq(code, "outside_hours");
	ck_assert_int_eq(book(p2, c1, "2027-01-11T14:00:00", 30, ",\"override_hours\":true", NULL,
			      NULL),
			 201);
	/* nobody is booked in an absence, hours or not */
	ck_assert_int_eq(post("POST", "/api/v1/clinicians/2/exceptions",
			      "{\"kind\":\"absence\",\"start\":\"" MONDAY "T00:00:00+01:00\","
			      "\"end\":\"" MONDAY "T12:00:00+01:00\"}",
			      NULL, NULL),
			 201);
	ck_assert_int_eq(book(p2, c2, MONDAY "T09:00:00", 30, NULL, code, NULL), 409);
	ck_assert_int_eq(book(p2, c2, MONDAY "T13:00:00", 30, NULL, NULL, NULL), 201);
	ck_assert_int_eq(count_rows("/api/v1/clinicians/1/exceptions?from=2027-01-01"), 1);
	json_decref(e2e_json(port, "DELETE", "/api/v1/clinicians/1/exceptions/1", NULL, 204));
	json_decref(e2e_json(port, "DELETE", "/api/v1/clinicians/1/exceptions/1", NULL, 404));
	json_decref(e2e_json(port, "DELETE", "/api/v1/clinicians/1/exceptions/2", NULL, 404));
	ck_assert_int_eq(count_rows("/api/v1/clinicians/1/exceptions?from=2027-01-01"), 0);
	(void)id;

	/* extra hours on a Saturday */
	ck_assert_int_eq(book(p1, c1, "2027-01-09T10:00:00", 30, NULL, code, NULL), 409);
	ck_assert_int_eq(post("POST", "/api/v1/clinicians/1/exceptions",
			      "{\"kind\":\"extra\",\"start\":\"2027-01-09T09:00:00+01:00\","
			      "\"end\":\"2027-01-09T13:00:00+01:00\"}",
			      NULL, NULL),
			 201);
	ck_assert_int_eq(book(p1, c1, "2027-01-09T10:00:00", 30, NULL, NULL, NULL), 201);
	/* bad exceptions change nothing */
	ck_assert_int_eq(post("POST", "/api/v1/clinicians/1/exceptions",
			      "{\"kind\":\"holiday\",\"start\":\"2027-01-09T09:00:00+01:00\","
			      "\"end\":\"2027-01-09T13:00:00+01:00\"}",
			      code, NULL),
			 400);
	ck_assert_int_eq(post("POST", "/api/v1/clinicians/1/exceptions",
			      "{\"kind\":\"absence\",\"start\":\"2027-01-09T09:00:00+01:00\","
			      "\"end\":\"2027-01-09T09:00:00+01:00\"}",
			      code, NULL),
			 400);
	ck_assert_int_eq(count_rows("/api/v1/clinicians/1/exceptions?from=2027-01-01"), 1);

	/* a room open 08-11 on Mondays, closed one Monday */
	json_decref(e2e_json(port, "PUT", "/api/v1/rooms/1/hours",
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"11:00\"}]", 200));
	ck_assert_int_eq(book(p2, c2, "2027-01-18T12:00:00", 30,
			      ",\"mode\":\"in_person\",\"room_id\":1", code, &id),
			 409);
	ck_assert_str_eq(code, "outside_hours");
	ck_assert_int_eq(book(p2, c2, "2027-01-18T09:00:00", 30,
			      ",\"mode\":\"in_person\",\"room_id\":1", NULL, NULL),
			 201);
	ck_assert_int_eq(post("POST", "/api/v1/rooms/1/exceptions",
			      "{\"kind\":\"absence\",\"start\":\"2027-01-25T00:00:00+01:00\","
			      "\"end\":\"2027-01-26T00:00:00+01:00\",\"reason\":\"maling\"}",
			      NULL, NULL),
			 201);
	ck_assert_int_eq(book(p2, c2, "2027-01-25T09:00:00", 30,
			      ",\"mode\":\"in_person\",\"room_id\":1", code, NULL),
			 409);
	ck_assert_str_eq(code, "outside_hours");
}
END_TEST

static json_t *slots(const char *query)
{
	char path[300];

	snprintf(path, sizeof(path), "/api/v1/slots?%s", query);
	return e2e_json(port, "GET", path, NULL, 200);
}

static const char *slot_start(json_t *j, size_t i)
{
	return json_string_value(json_object_get(json_array_get(j, i), "start"));
}

START_TEST(slots_with_types_buffers_and_rooms)
{
	char path[64];
	long long booked;
	json_t *j;

	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/1/hours",
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"10:00\"}]", 200));
	/* 30 minutes with 15 after; one booked 08:30-09:00 keeps 09:00-09:15 free */
	e2e_make(port, "consultation-types",
		 "{\"name\":\"Samtale\",\"unit_id\":1,\"duration_minutes\":30,"
		 "\"buffer_after_minutes\":15}");
	ck_assert_int_eq(book(p1, c1, MONDAY "T08:30:00", 30, ",\"type_id\":1", NULL, &booked), 201);
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&duration_minutes=30");
	ck_assert_int_eq(json_array_size(j), 3); /* 08:00, 09:15, 09:30 */
	ck_assert_str_eq(slot_start(j, 0), MONDAY "T08:00:00+01:00");
	ck_assert_str_eq(slot_start(j, 1), MONDAY "T09:15:00+01:00");
	ck_assert_ptr_null(json_object_get(json_array_get(j, 0), "room_id"));
	json_decref(j);
	/* the new one's own buffer after must not run into 08:30 either */
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&type_id=1");
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert_str_eq(slot_start(j, 0), MONDAY "T09:15:00+01:00");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "end")),
			 MONDAY "T09:45:00+01:00");
	json_decref(j);

	/* in person needs a free clinic room of the type's unit */
	e2e_make(port, "consultation-types",
		 "{\"name\":\"Undersøkelse\",\"unit_id\":1,\"duration_minutes\":30,"
		 "\"video_allowed\":false,\"default_mode\":\"in_person\"}");
	ck_assert_int_eq(book(p2, c2, MONDAY "T09:00:00", 30,
			      ",\"mode\":\"in_person\",\"room_id\":1", NULL, NULL),
			 201);
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&type_id=2");
	ck_assert_int_eq(json_array_size(j), 2); /* 09:15 has no room */
	ck_assert_str_eq(slot_start(j, 1), MONDAY "T09:30:00+01:00");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "room_id")), 1);
	json_decref(j);
	e2e_make(port, "rooms", "{\"name\":\"Rom 2\",\"kind\":\"clinic\",\"unit_id\":1}");
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&type_id=2");
	ck_assert_int_eq(json_array_size(j), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 1), "room_id")), 3);
	json_decref(j);
	/* a video room for a video consultation, when asked */
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&type_id=1&room_kind=video");
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "room_id")), 2);
	json_decref(j);
	/* video for a type without it, and a video room for in person, are refused */
	json_decref(e2e_json(port, "GET",
			     "/api/v1/slots?clinician_id=1&from=" MONDAY "&to=" MONDAY
			     "&type_id=2&mode=video",
			     NULL, 400));
	json_decref(e2e_json(port, "GET",
			     "/api/v1/slots?clinician_id=1&from=" MONDAY "&to=" MONDAY
			     "&type_id=2&room_kind=video",
			     NULL, 400));
	/* limit */
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&duration_minutes=15&limit=2");
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);

	/* another type brings its buffers, and the search sees them (the
	 * participant rows carry copies, 0021_busy_reads.sql): 15 before the
	 * 08:30 one, none after */
	e2e_make(port, "consultation-types",
		 "{\"name\":\"Forberedt\",\"unit_id\":1,\"duration_minutes\":30,"
		 "\"buffer_before_minutes\":15}");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", booked);
	json_decref(e2e_json(port, "PATCH", path, "{\"type_id\":3}", 200));
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&duration_minutes=30");
	ck_assert_int_eq(json_array_size(j), 3); /* 09:00, 09:15, 09:30 */
	ck_assert_str_eq(slot_start(j, 0), MONDAY "T09:00:00+01:00");
	json_decref(j);
	json_decref(e2e_json(port, "PATCH", path, "{\"type_id\":1}", 200));
	j = slots("clinician_id=1&from=" MONDAY "&to=" MONDAY "&duration_minutes=30");
	ck_assert_int_eq(json_array_size(j), 3); /* 08:00, 09:15, 09:30 again */
	ck_assert_str_eq(slot_start(j, 0), MONDAY "T08:00:00+01:00");
	ck_assert_str_eq(slot_start(j, 1), MONDAY "T09:15:00+01:00");
	json_decref(j);
}
END_TEST

START_TEST(slots_on_dst_days)
{
	json_t *j;

	/* Sundays 01:00-04:00 local: on 28 March 2027 that is two hours */
	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/2/hours",
			     "[{\"weekday\":7,\"start\":\"01:00\",\"end\":\"04:00\"}]", 200));
	j = slots("clinician_id=2&from=2027-03-28&to=2027-03-28&duration_minutes=60");
	ck_assert_int_eq(json_array_size(j), 5);
	ck_assert_str_eq(slot_start(j, 0), "2027-03-28T01:00:00+01:00");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "end")),
			 "2027-03-28T03:15:00+02:00");
	ck_assert_str_eq(slot_start(j, 4), "2027-03-28T03:00:00+02:00");
	json_decref(j);
	/* and four on 31 October, when 02:00-03:00 comes twice */
	j = slots("clinician_id=2&from=2027-10-31&to=2027-10-31&duration_minutes=60");
	ck_assert_int_eq(json_array_size(j), 13);
	ck_assert_str_eq(slot_start(j, 12), "2027-10-31T03:00:00+01:00");
	json_decref(j);
}
END_TEST

/* POST to a link (path after /api/v1/invite/<token>); the status. */
static int link_post(const char *token, const char *action, json_t **out)
{
	char path[200];
	struct resp r;
	int status;

	snprintf(path, sizeof(path), "/api/v1/invite/%s/%s", token, action);
	ck_assert(e2e_request_as(port, NULL, "POST", path, NULL, NULL, &r));
	status = r.status;
	if (out)
		*out = json_incref(r.json);
	e2e_resp_free(&r);
	return status;
}

static int link_get(const char *token, json_t **out, char **body)
{
	char path[200];
	struct resp r;
	int status;

	snprintf(path, sizeof(path), "/api/v1/invite/%s", token);
	ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, &r));
	status = r.status;
	if (out)
		*out = json_incref(r.json);
	if (body)
		*body = strdup(r.body ? r.body : "");
	e2e_resp_free(&r);
	return status;
}

/* Invite path's participant (or the patient for NULL); the token. */
static void invite(const char *path, char token[64])
{
	json_t *j = e2e_json(port, "POST", path, NULL, 201);
	const char *url = json_string_value(json_object_get(j, "url"));

	ck_assert_ptr_nonnull(strstr(url, "/i/"));
	snprintf(token, 64, "%s", strstr(url, "/i/") + 3);
	json_decref(j);
}

static const char *response_of(json_t *list, long long id)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (json_integer_value(json_object_get(json_array_get(list, i), "id")) == id)
			return json_string_value(json_object_get(json_array_get(list, i), "response"));
	return NULL;
}

static size_t messages_to(long long appt, const char *to, const char *kind)
{
	char path[100];
	json_t *j;
	size_t n = 0;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", appt);
	j = e2e_json(port, "GET", path, NULL, 200);
	for (size_t i = 0; i < json_array_size(j); i++) {
		json_t *m = json_array_get(j, i);
		n += !strcmp(json_string_value(json_object_get(m, "to")), to) &&
		     !strcmp(json_string_value(json_object_get(m, "kind")), kind);
	}
	json_decref(j);
	return n;
}

START_TEST(many_party_meeting)
{
	char code[32], t_patient[64], t_gp[64], t_nav[64], old_gp[64], path[100], *body;
	long long appt, gp, nav, interp;
	json_t *j, *list;

	ck_assert_int_eq(book(p1, c1, MONDAY "T10:00:00", 60, NULL, NULL, &appt), 201);
	/* bad guests change nothing */
	ck_assert_int_eq(post("POST", "/api/v1/appointments/1/participants",
			      "{\"name\":\"Tolk\",\"role\":\"interpreter\"}", code, NULL),
			 400);
	ck_assert_int_eq(post("POST", "/api/v1/appointments/1/participants",
			      "{\"name\":\"X\",\"role\":\"plumber\"}", code, NULL),
			 400);
	ck_assert_int_eq(post("POST", "/api/v1/appointments/1/participants",
			      "{\"role\":\"gp\"}", code, NULL),
			 400);
	ck_assert_int_eq(post("POST", "/api/v1/appointments/1/participants",
			      "{\"name\":\"X\",\"role\":\"gp\",\"phone\":\"12\"}", code,
			      NULL),
			 400);
	ck_assert_int_eq(count_rows("/api/v1/appointments/1/participants"), 2);
	gp = e2e_make(port, "appointments/1/participants",
		      "{\"name\":\"Dr. Fastlege\",\"role\":\"gp\",\"organisation\":"
		      "\"Sentrum legekontor\",\"email\":\"gp@example.org\"}");
	nav = e2e_make(port, "appointments/1/participants",
		       "{\"name\":\"Nora NAV\",\"role\":\"nav\",\"phone\":\"+4790000001\","
		       "\"language\":\"nn\"}");
	/* patient, clinician and two guests: the limit of 4 is reached */
	ck_assert_int_eq(post("POST", "/api/v1/appointments/1/participants",
			      "{\"name\":\"Tolk\",\"role\":\"interpreter\","
			      "\"interpreter_language\":\"arabisk\"}",
			      code, NULL),
			 409);
	ck_assert_str_eq(code, "participant_limit");
	ck_assert_int_eq(post("PATCH", "/api/v1/appointments/1", "{\"clinician_ids\":[1,2]}", code,
			      NULL),
			 409);
	ck_assert_str_eq(code, "participant_limit");

	/* each has their own link; a guest's page shows the meeting, not the patient */
	invite("/api/v1/appointments/1/invitations", t_patient);
	invite("/api/v1/appointments/1/participants/3/invitations", t_gp);
	invite("/api/v1/appointments/1/participants/4/invitations", t_nav);
	ck_assert_int_eq(link_get(t_gp, &j, &body), 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "audience")), "guest");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "participant"), "role")),
			 "gp");
	ck_assert_ptr_null(strstr(body, "P1"));
	ck_assert_ptr_null(strstr(body, "+4791234567"));
	ck_assert_ptr_null(strstr(body, "patient_id"));
	ck_assert(json_is_true(json_object_get(json_object_get(j, "can"), "accept")));
	json_decref(j);
	free(body);
	ck_assert_int_eq(messages_to(appt, "gp@example.org", "invitation"), 1);
	ck_assert_int_eq(messages_to(appt, "+4790000001", "invitation"), 1);

	/* everyone answers through their own link */
	ck_assert_int_eq(link_post(t_patient, "confirm", NULL), 200);
	ck_assert_int_eq(link_post(t_gp, "accept", NULL), 200);
	ck_assert_int_eq(link_post(t_gp, "accept", NULL), 200); /* again: no change */
	ck_assert_int_eq(link_post(t_nav, "tentative", NULL), 200);
	ck_assert_int_eq(link_post(t_nav, "decline", &j), 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "participant"),
							   "response")),
			 "declined");
	json_decref(j);
	/* at most 20 changes through one link in ten minutes: a guest's link
	 * flipping for ever filled the history and the audit log */
	for (int k = 0; k < 18; k++)
		ck_assert_int_eq(link_post(t_nav, k % 2 ? "decline" : "accept", NULL), 200);
	ck_assert_int_eq(link_post(t_nav, "accept", NULL), 429);
	ck_assert_int_eq(link_post(t_nav, "decline", NULL), 200); /* as it is: no change */
	/* a guest cannot cancel the meeting, nor the patient answer as a guest */
	ck_assert_int_eq(link_post(t_gp, "cancel", NULL), 409);
	ck_assert_int_eq(link_post(t_gp, "opt-out", NULL), 409);
	ck_assert_int_eq(link_post(t_patient, "decline", NULL), 409);
	list = e2e_json(port, "GET", "/api/v1/appointments/1/participants", NULL, 200);
	ck_assert_str_eq(response_of(list, 1), "accepted"); /* the patient */
	ck_assert_str_eq(response_of(list, 2), "needs-action"); /* the clinician */
	ck_assert_str_eq(response_of(list, gp), "accepted");
	ck_assert_str_eq(response_of(list, nav), "declined");
	json_decref(list);
	j = e2e_json(port, "GET", "/api/v1/appointments/1", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "confirmed");
	json_decref(j);

	/* a move tells the invited guests, with new links */
	snprintf(old_gp, sizeof(old_gp), "%s", t_gp);
	json_decref(e2e_json(port, "PATCH", "/api/v1/appointments/1",
			     "{\"start\":\"" MONDAY "T11:00:00\"}", 200));
	ck_assert_int_eq(messages_to(appt, "gp@example.org", "changed"), 1);
	ck_assert_int_eq(messages_to(appt, "+4790000001", "changed"), 1);
	ck_assert_int_eq(link_get(old_gp, NULL, NULL), 404);

	/* a removed guest's link opens nothing, and frees a place */
	json_decref(e2e_json(port, "DELETE", "/api/v1/appointments/1/participants/4", NULL, 204));
	ck_assert_int_eq(link_get(t_nav, NULL, NULL), 404);
	json_decref(e2e_json(port, "DELETE", "/api/v1/appointments/1/participants/4", NULL, 404));
	interp = e2e_make(port, "appointments/1/participants",
			  "{\"name\":\"Tolk\",\"role\":\"interpreter\","
			  "\"interpreter_language\":\"arabisk\",\"email\":\"tolk@example.org\"}");
	ck_assert_int_eq(count_rows("/api/v1/appointments/1/participants"), 4);
	ck_assert_int_eq(count_rows("/api/v1/appointments/1/participants?removed=true"), 5);
	snprintf(path, sizeof(path), "/api/v1/appointments/1/participants/%lld/invitations", interp);
	invite(path, t_nav);

	/* the history tells who was added, invited and answered */
	j = e2e_json(port, "GET", "/api/v1/appointments/1/history", NULL, 200);
	body = json_dumps(j, 0);
	ck_assert_ptr_nonnull(strstr(body, "guest_added"));
	ck_assert_ptr_nonnull(strstr(body, "guest_answered"));
	ck_assert_ptr_nonnull(strstr(body, "guest_removed"));
	free(body);
	json_decref(j);

	/* cancelling tells the guests who were invited; then no more answers */
	json_decref(e2e_json(port, "DELETE", "/api/v1/appointments/1", NULL, 200));
	ck_assert_int_eq(messages_to(appt, "gp@example.org", "cancelled"), 1);
	ck_assert_int_eq(messages_to(appt, "tolk@example.org", "cancelled"), 1);
	ck_assert_int_eq(messages_to(appt, "+4790000001", "cancelled"), 0); /* removed */
	ck_assert_int_eq(link_post(t_nav, "accept", NULL), 409);
	ck_assert_int_eq(post("POST", path, NULL, code, NULL), 409);
}
END_TEST

static int series(long long patient, const char *start, const char *repeat, const char *extra,
		  json_t **out)
{
	char body[500];

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[1],\"start\":\"%s\","
		 "\"duration_minutes\":45,\"repeat\":%s%s}",
		 patient, start, repeat, extra ? extra : "");
	return post("POST", "/api/v1/appointments/series", body, NULL, out);
}

/* Clinician 1 is absent all of 1 March 2027. */
static void absent_1_march(void)
{
	ck_assert_int_eq(post("POST", "/api/v1/clinicians/1/exceptions",
			      "{\"kind\":\"absence\",\"start\":\"2027-03-01T00:00:00+01:00\","
			      "\"end\":\"2027-03-02T00:00:00+01:00\"}",
			      NULL, NULL),
			 201);
}

START_TEST(follow_up_series)
{
	static const char *const bad[] = {
		"{\"every_weeks\":2}",
		"{\"every_weeks\":2,\"every_days\":3,\"count\":4}",
		"{\"every_weeks\":2,\"count\":1}",
		"{\"every_weeks\":2,\"count\":53}",
		"{\"every_weeks\":0,\"count\":3}",
		"{\"every_weeks\":2,\"count\":3,\"until\":\"2027-06-01\"}",
		"[2, 6]",
	};
	json_t *j, *occ;
	long long n_before, sid;
	char q[100];

	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/1/hours",
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"16:00\"}]", 200));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(series(p1, MONDAY "T09:00:00+01:00", bad[i], NULL, NULL) == 400,
			      "case %zu", i);
	ck_assert_int_eq(post("POST", "/api/v1/appointments/series",
			      "{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"" MONDAY
			      "T09:00:00+01:00\",\"duration_minutes\":45}",
			      NULL, NULL),
			 400);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), 0);

	/* every two weeks, six times; the clock time holds across the DST change */
	ck_assert_int_eq(series(p1, "2027-02-15T09:00:00+01:00",
				"{\"every_weeks\":2,\"count\":6}", NULL, &j),
			 201);
	sid = json_integer_value(json_object_get(j, "series_id"));
	ck_assert_int_eq(json_array_size(json_object_get(j, "appointments")), 6);
	occ = json_object_get(j, "appointments");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(occ, 2), "start")),
			 "2027-03-15T09:00:00+01:00");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(occ, 3), "start")),
			 "2027-03-29T09:00:00+02:00");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(occ, 5), "series_id")),
			 sid);
	json_decref(j);
	snprintf(q, sizeof(q), "/api/v1/appointments?series_id=%lld", sid);
	ck_assert_int_eq(count_rows(q), 6);

	/* one taken, one in an absence: all refused, each reported, nothing booked */
	absent_1_march();
	n_before = count_rows("/api/v1/appointments");
	ck_assert_int_eq(series(p2, "2027-02-15T09:30:00+01:00",
				"{\"every_days\":7,\"count\":3}", NULL, &j),
			 409);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			 "conflict");
	ck_assert_int_eq(json_array_size(json_object_get(j, "conflicts")), 2); /* 15 Feb, 1 Mar */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j,
										      "conflicts"),
								   1),
							    "occurrence")),
			 2);
	occ = json_object_get(j, "occurrences");
	ck_assert_int_eq(json_array_size(occ), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(occ, 1), "code")),
			 "outside_hours");
	json_decref(j);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), n_before);
	/* only the absence: outside_hours, unless overridden */
	ck_assert_int_eq(series(p2, "2027-02-22T12:00:00+01:00",
				"{\"every_weeks\":1,\"count\":2}", NULL, &j),
			 409);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			 "outside_hours");
	json_decref(j);
	ck_assert_int_eq(series(p2, "2027-02-22T12:00:00+01:00",
				"{\"every_weeks\":1,\"count\":2}", ",\"override_hours\":true",
				NULL),
			 201);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), n_before + 2);
}
END_TEST

/* The occurrence i of a dry run's answer j. */
static json_t *occurrence_of(json_t *j, size_t i)
{
	return json_array_get(json_object_get(j, "occurrences"), i);
}

START_TEST(series_checked_then_adjusted)
{
	static const char *const bad[] = {
		"\"starts\":[]",
		"\"starts\":\"2027-02-15T09:00:00+01:00\"",
		"\"starts\":[\"2027-02-15 09:00\"]",
		"\"starts\":[\"2027-02-22T09:00:00+01:00\",\"2027-02-15T09:00:00+01:00\"]",
		"\"starts\":[\"2027-02-15T09:00:00+01:00\",\"2027-02-15T09:00:00+01:00\"]",
		"\"starts\":[\"2027-02-15T09:00:00+01:00\",\"2027-02-15T09:30:00+01:00\"]",
		"\"starts\":[\"2027-02-15T09:00:00+01:00\"],\"start\":\"2027-02-15T09:00:00+01:00\"",
		("\"starts\":[\"2027-02-15T09:00:00+01:00\"],\"repeat\":{\"every_weeks\":1,"
		 "\"count\":2}"),
		"\"starts\":[\"2027-02-15T09:00:00+01:00\"],\"dry_run\":\"yes\"",
	};
	char body[600];
	json_t *j, *o, *pr;
	long long taken, n_before;

	json_decref(e2e_json(port, "PUT", "/api/v1/clinicians/1/hours",
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"16:00\"}]", 200));
	/* 22 Feb: clinician 1 is taken at 09:00; 1 Mar: absent; 8 Mar: fine */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[1],\"start\":"
		 "\"2027-02-22T09:00:00+01:00\",\"duration_minutes\":30}",
		 p2);
	taken = e2e_make(port, "appointments", body);
	absent_1_march();
	n_before = count_rows("/api/v1/appointments");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char code[32];

		snprintf(body, sizeof(body),
			 "{\"patient_id\":%lld,\"clinician_ids\":[1],\"duration_minutes\":45,%s}",
			 p1, bad[i]);
		ck_assert_msg(post("POST", "/api/v1/appointments/series", body, code, NULL) == 400,
			      "case %zu", i);
		ck_assert_str_eq(code, "invalid");
	}

	/* the dry run says, for each, whether it can be booked and why not */
	ck_assert_int_eq(series(p1, "2027-02-15T09:00:00+01:00",
				"{\"every_weeks\":1,\"count\":4}", ",\"dry_run\":true", &j),
			 200);
	ck_assert(json_is_false(json_object_get(j, "bookable")));
	ck_assert_int_eq(json_array_size(json_object_get(j, "occurrences")), 4);
	o = occurrence_of(j, 0);
	ck_assert(json_is_true(json_object_get(o, "bookable")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "end")), "2027-02-15T09:45:00+01:00");
	ck_assert_int_eq(json_array_size(json_object_get(o, "problems")), 0);
	ck_assert(json_is_null(json_object_get(o, "message")));
	o = occurrence_of(j, 1);
	ck_assert(json_is_false(json_object_get(o, "bookable")));
	pr = json_array_get(json_object_get(o, "problems"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(pr, "code")), "conflict");
	ck_assert_str_eq(json_string_value(json_object_get(pr, "kind")), "clinician");
	ck_assert_str_eq(json_string_value(json_object_get(pr, "reason")), "busy");
	ck_assert_int_eq(json_integer_value(json_object_get(pr, "appointment_id")), taken);
	o = occurrence_of(j, 2);
	ck_assert_str_eq(json_string_value(json_object_get(o, "start")), "2027-03-01T09:00:00+01:00");
	pr = json_array_get(json_object_get(o, "problems"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(pr, "code")), "outside_hours");
	ck_assert_str_eq(json_string_value(json_object_get(pr, "reason")), "absent");
	ck_assert_int_eq(json_integer_value(json_object_get(pr, "id")), 1);
	ck_assert(json_is_true(json_object_get(occurrence_of(j, 3), "bookable")));
	json_decref(j);
	/* 15:30 runs past the working day: outside hours, not absent */
	ck_assert_int_eq(series(p1, "2027-03-08T15:30:00+01:00",
				"{\"every_weeks\":1,\"count\":2}", ",\"dry_run\":true", &j),
			 200);
	pr = json_array_get(json_object_get(occurrence_of(j, 0), "problems"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(pr, "reason")), "outside_hours");
	json_decref(j);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), n_before); /* nothing written */

	/* adjusted: 22 Feb at 10:00, 1 Mar skipped; checked, then booked */
#define ADJUSTED                                                                         \
	"\"starts\":[\"2027-02-15T09:00:00+01:00\",\"2027-02-22T10:00:00+01:00\","       \
	"\"2027-03-08T09:00:00+01:00\"]"
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[1],\"duration_minutes\":45,"
		 "\"dry_run\":true," ADJUSTED "}",
		 p1);
	ck_assert_int_eq(post("POST", "/api/v1/appointments/series", body, NULL, &j), 200);
	ck_assert(json_is_true(json_object_get(j, "bookable")));
	ck_assert_str_eq(json_string_value(json_object_get(occurrence_of(j, 1), "end")),
			 "2027-02-22T10:45:00+01:00");
	json_decref(j);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), n_before);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[1],\"duration_minutes\":45," ADJUSTED
		 "}",
		 p1);
	ck_assert_int_eq(post("POST", "/api/v1/appointments/series", body, NULL, &j), 201);
	o = json_object_get(j, "appointments");
	ck_assert_int_eq(json_array_size(o), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(o, 1), "start")),
			 "2027-02-22T10:00:00+01:00");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(o, 2), "series_id")),
			 json_integer_value(json_object_get(j, "series_id")));
	json_decref(j);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), n_before + 3);
	/* the same starts again: all refused, each reported, nothing booked */
	ck_assert_int_eq(post("POST", "/api/v1/appointments/series", body, NULL, &j), 409);
	ck_assert_int_eq(json_array_size(json_object_get(j, "occurrences")), 3);
	json_decref(j);
	ck_assert_int_eq(count_rows("/api/v1/appointments"), n_before + 3);
#undef ADJUSTED
}
END_TEST

START_TEST(waiting_list_offers_and_books)
{
	long long type, slot, w1, w2, w3, w4;
	char code[32], body[300], path[100], *text;
	json_t *j;

	type = e2e_make(port, "consultation-types",
			"{\"name\":\"Kontroll\",\"unit_id\":1,\"duration_minutes\":30}");
	long long p3 = e2e_make(port, "patients", "{\"name\":\"P3\"}");
	/* bad entries change nothing */
	ck_assert_int_eq(post("POST", "/api/v1/waiting-list", "{\"patient_id\":1}", code, NULL),
			 400);
	ck_assert_int_eq(post("POST", "/api/v1/waiting-list",
			      "{\"patient_id\":1,\"type_id\":1,\"priority\":\"asap\"}", code,
			      NULL),
			 400);
	ck_assert_int_eq(post("POST", "/api/v1/waiting-list",
			      "{\"patient_id\":1,\"type_id\":1,\"earliest\":\"next week\"}",
			      code, NULL),
			 400);
	ck_assert_int_eq(count_rows("/api/v1/waiting-list"), 0);
	w1 = e2e_make(port, "waiting-list", "{\"patient_id\":1,\"type_id\":1}");
	w2 = e2e_make(port, "waiting-list",
		      "{\"patient_id\":2,\"type_id\":1,\"priority\":\"urgent\","
		      "\"note\":\"kan komme på kort varsel\"}");
	w3 = e2e_make(port, "waiting-list", "{\"patient_id\":3,\"type_id\":1,\"clinician_id\":2}");
	w4 = e2e_make(port, "waiting-list",
		      "{\"patient_id\":3,\"type_id\":1,\"earliest\":\"2027-06-01\"}");
	/* the list: urgent first, then the longest waiting */
	j = e2e_json(port, "GET", "/api/v1/waiting-list?status=waiting", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "id")), w2);
	json_decref(j);

	/* a cancelled slot of that type with clinician 1 is offered to P2, then P1 */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[1],\"start\":\"" MONDAY
		 "T09:00:00\",\"type_id\":%lld}",
		 p3, type);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, NULL, &j), 201);
	slot = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", slot);
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/waiting-list", slot);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 2); /* not clinician 2's, not before June */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "id")), w2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "patient_name")),
			 "P2");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 1), "id")), w1);
	json_decref(j);

	/* booking P2 from the list takes the type and marks the entry booked */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":2,\"clinician_ids\":[1],\"start\":\"" MONDAY
		 "T09:00:00\",\"waiting_id\":%lld}",
		 w2);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, NULL, &j), 201);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "type_id")), type);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/waiting-list/%lld", w2);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "booked");
	ck_assert_int_gt(json_integer_value(json_object_get(j, "appointment_id")), 0);
	json_decref(j);
	/* not twice, not for another patient */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":2,\"clinician_ids\":[1],\"start\":\"" MONDAY
		 "T11:00:00\",\"waiting_id\":%lld}",
		 w2);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, code, NULL), 409);
	ck_assert_str_eq(code, "invalid_transition");
	snprintf(body, sizeof(body),
		 "{\"patient_id\":2,\"clinician_ids\":[1],\"start\":\"" MONDAY
		 "T11:00:00\",\"waiting_id\":%lld}",
		 w1);
	ck_assert_int_eq(post("POST", "/api/v1/appointments", body, code, NULL), 400);
	/* removing keeps the entry, as removed */
	snprintf(path, sizeof(path), "/api/v1/waiting-list/%lld", w3);
	json_decref(e2e_json(port, "DELETE", path, NULL, 204));
	ck_assert_int_eq(count_rows("/api/v1/waiting-list?status=waiting"), 2);
	ck_assert_int_eq(count_rows("/api/v1/waiting-list?status=removed"), 1);
	(void)w4;
	/* who looked at and changed whose place is in the audit log */
	j = e2e_json(port, "GET", "/api/v1/audit?patient_id=2", NULL, 200);
	text = json_dumps(j, 0);
	ck_assert_ptr_nonnull(strstr(text, "waiting.create"));
	ck_assert_ptr_nonnull(strstr(text, "waiting.offer"));
	free(text);
	json_decref(j);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_rules");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, types_fill_defaults_and_refuse);
	tcase_add_test(tc, validity_absence_extra_and_room_hours);
	tcase_add_test(tc, slots_with_types_buffers_and_rooms);
	tcase_add_test(tc, slots_on_dst_days);
	tcase_add_test(tc, many_party_meeting);
	tcase_add_test(tc, follow_up_series);
	tcase_add_test(tc, series_checked_then_adjusted);
	tcase_add_test(tc, waiting_list_offers_and_books);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
