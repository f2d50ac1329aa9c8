/*
 * test_e2e_rebook.c - which rooms are free for a re-booking, end to end
 * (GET /api/v1/rooms/availability): the unit's rooms first, each with what
 * is in the way (an appointment the caller sees, by id and time; another
 * unit's only as such; a closure; outside the opening hours); the
 * appointment being re-booked is not in its own way; a secretary limited
 * to a unit sees only its rooms; kind=video gives the quiet video rooms;
 * bad input is a 400 naming the parameter, another unit's appointment 403.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "e2e.h"

#define DAY "2030-01-15"
#define AT "?start=" DAY "T09:00:00&end=" DAY "T09:30:00"

static struct server srv;
static int port;
static long long unit_a, unit_b, room1, room2, room3, room4, quiet, room_b, shared, gone;
static long long x, y, z;
static struct session sek;

/* A clinician of unit. */
static long long clinician(const char *name, long long unit)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"profession\":\"lege\",\"unit_id\":%lld}",
		 name, unit);
	return e2e_make(port, "clinicians", body);
}

/* A room of kind ("clinic", "video") in unit. */
static long long room(const char *name, const char *kind, long long unit)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kind\":\"%s\",\"unit_id\":%lld%s}", name,
		 kind, unit, strcmp(name, "A-rom 1") ? "" : ",\"location\":\"Bygg 1\"");
	return e2e_make(port, "rooms", body);
}

static long long book(long long clinician, long long patient, long long room, const char *start)
{
	char body[400];

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"" DAY "T%s\","
		 "\"duration_minutes\":30,\"mode\":\"in_person\",\"room_id\":%lld}",
		 patient, clinician, start, room);
	return e2e_make(port, "appointments", body);
}

static void setup(void)
{
	char path[128], body[400];
	long long ca, ca2, cb;
	int status;

	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	unit_a = e2e_make(port, "units", "{\"name\":\"Hjerte\"}");
	unit_b = e2e_make(port, "units", "{\"name\":\"Lunge\"}");
	ca = clinician("Dr. A", unit_a);
	ca2 = clinician("Dr. AA", unit_a);
	cb = clinician("Dr. B", unit_b);
	/* named so that the order by name is not the order by id */
	room4 = room("A-rom 4", "clinic", unit_a);
	room2 = room("A-rom 2", "clinic", unit_a);
	room1 = room("A-rom 1", "clinic", unit_a);
	room3 = room("A-rom 3", "clinic", unit_a);
	quiet = room("Stille rom", "video", unit_a);
	room_b = room("B-rom", "clinic", unit_b);
	shared = e2e_make(port, "rooms", "{\"name\":\"Felles rom\",\"kind\":\"clinic\"}");
	gone = room("A-rom 0", "clinic", unit_a);
	snprintf(path, sizeof(path), "/api/v1/rooms/%lld", gone);
	json_decref(e2e_json(port, "DELETE", path, NULL, 204));

	x = book(ca, e2e_make(port, "patients", "{\"name\":\"Kari X\"}"), room1, "09:00:00");
	y = book(ca2, e2e_make(port, "patients", "{\"name\":\"Ola Y\"}"), room2, "09:15:00");
	z = book(cb, e2e_make(port, "patients", "{\"name\":\"Per Z\"}"), room3, "08:45:00");
	/* A-rom 4 opens at noon; the quiet room is closed that morning */
	snprintf(path, sizeof(path), "/api/v1/rooms/%lld/hours", room4);
	strcpy(body, "[");
	for (int d = 1; d <= 7; d++)
		snprintf(body + strlen(body), sizeof(body) - strlen(body),
			 "%s{\"weekday\":%d,\"start\":\"12:00\",\"end\":\"16:00\"}", d > 1 ? "," : "", d);
	strcat(body, "]");
	json_decref(e2e_json(port, "PUT", path, body, 200));
	snprintf(path, sizeof(path), "rooms/%lld/exceptions", quiet);
	e2e_make(port, path, "{\"kind\":\"absence\",\"start\":\"" DAY "T08:00:00\",\"end\":\"" DAY
			     "T12:00:00\"}");

	snprintf(body, sizeof(body),
		 "{\"username\":\"sek\",\"role\":\"secretary\",\"password\":\"" E2E_PASSWORD
		 "\",\"unit_ids\":[%lld]}",
		 unit_a);
	json_decref(e2e_json(port, "POST", "/api/v1/users", body, 201));
	ck_assert(e2e_login(port, "sek", E2E_PASSWORD, &sek, &status));
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

/* GET the availability with query tail as s (NULL: the admin); its status
 * must be want; the answer (200) or NULL. */
static json_t *availability(const struct session *s, const char *tail, int want, struct resp *out)
{
	char path[300];
	struct resp r;
	json_t *j = NULL;

	snprintf(path, sizeof(path), "/api/v1/rooms/availability%s", tail);
	ck_assert(s ? e2e_request_as(port, s, "GET", path, NULL, NULL, &r)
		    : e2e_request(port, "GET", path, NULL, NULL, &r));
	ck_assert_msg(r.status == want, "%s: %d %s", path, r.status, r.raw);
	if (want == 200)
		j = json_incref(r.json);
	if (out)
		*out = r;
	else
		e2e_resp_free(&r);
	return j;
}

static long long id_of(json_t *v, const char *k)
{
	return json_integer_value(json_object_get(v, k));
}

/* The names of the rooms of list, in order, comma-separated, into out. */
static const char *names(json_t *list, char *out, size_t cap)
{
	json_t *v;
	size_t i;

	out[0] = '\0';
	json_array_foreach(list, i, v)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "",
			 json_string_value(json_object_get(v, "name")));
	return out;
}

static json_t *room_in(json_t *list, long long id)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (id_of(v, "id") == id) return v;
	ck_abort_msg("room %lld is not in the answer", id);
	return NULL;
}

/* The kind of the only thing in room id's way, checking free is false. */
static const char *only_in_the_way(json_t *list, long long id)
{
	json_t *one = room_in(list, id), *way = json_object_get(one, "in_the_way");

	ck_assert(json_is_false(json_object_get(one, "free")));
	ck_assert_int_eq(json_array_size(way), 1);
	return json_string_value(json_object_get(json_array_get(way, 0), "kind"));
}

START_TEST(free_rooms_and_what_is_in_the_way)
{
	char tail[200], buf[400], needle[64];
	json_t *list, *way, *one;
	struct resp r;

	snprintf(tail, sizeof(tail), AT "&unit_id=%lld&appointment_id=%lld", unit_a, x);
	list = availability(&sek, tail, 200, &r);
	/* the unit's rooms by name; no other unit's, no inactive one */
	ck_assert_str_eq(names(list, buf, sizeof(buf)), "A-rom 1,A-rom 2,A-rom 3,A-rom 4,Stille rom");
	/* the room of the appointment being re-booked is free for it */
	one = room_in(list, room1);
	ck_assert(json_is_true(json_object_get(one, "free")));
	ck_assert_int_eq(json_array_size(json_object_get(one, "in_the_way")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(one, "location")), "Bygg 1");
	ck_assert_str_eq(json_string_value(json_object_get(one, "kind")), "clinic");
	ck_assert_int_eq(id_of(one, "unit_id"), unit_a);
	/* an appointment of the unit: named, with its time */
	ck_assert_str_eq(only_in_the_way(list, room2), "appointment");
	way = json_array_get(json_object_get(room_in(list, room2), "in_the_way"), 0);
	ck_assert_int_eq(id_of(way, "appointment_id"), y);
	ck_assert_str_eq(json_string_value(json_object_get(way, "start")), DAY "T09:15:00+01:00");
	ck_assert_str_eq(json_string_value(json_object_get(way, "end")), DAY "T09:45:00+01:00");
	/* another unit's: only that it is another unit's */
	ck_assert_str_eq(only_in_the_way(list, room3), "other_unit");
	way = json_array_get(json_object_get(room_in(list, room3), "in_the_way"), 0);
	ck_assert_int_eq(json_object_size(way), 1);
	snprintf(needle, sizeof(needle), "\"appointment_id\":%lld", z);
	ck_assert_ptr_null(strstr(r.body, needle));
	ck_assert_ptr_null(strstr(r.body, "08:45"));
	/* not open yet; closed */
	ck_assert_str_eq(only_in_the_way(list, room4), "not_open");
	ck_assert_str_eq(only_in_the_way(list, quiet), "closed");
	e2e_resp_free(&r);
	json_decref(list);

	/* without the appointment, its room is taken by it */
	list = availability(&sek, AT, 200, NULL);
	ck_assert_str_eq(only_in_the_way(list, room1), "appointment");
	ck_assert_int_eq(id_of(json_array_get(json_object_get(room_in(list, room1), "in_the_way"), 0),
			       "appointment_id"),
			 x);
	json_decref(list);

	/* the admin sees every room: unit B's first when it is asked for,
	 * then those of no unit, then the rest; B's appointment by its id */
	snprintf(tail, sizeof(tail), AT "&unit_id=%lld", unit_b);
	list = availability(NULL, tail, 200, NULL);
	ck_assert_str_eq(names(list, buf, sizeof(buf)),
			 "B-rom,Felles rom,A-rom 1,A-rom 2,A-rom 3,A-rom 4,Stille rom");
	ck_assert(json_is_true(json_object_get(room_in(list, shared), "free")));
	ck_assert(json_is_true(json_object_get(room_in(list, room_b), "free")));
	ck_assert_int_eq(id_of(json_array_get(json_object_get(room_in(list, room3), "in_the_way"), 0),
			       "appointment_id"),
			 z);
	json_decref(list);

	/* the quiet video rooms only; later, when it is open again, free */
	list = availability(&sek, "?start=" DAY "T13:00:00&end=" DAY "T13:30:00&kind=video", 200,
			    NULL);
	ck_assert_str_eq(names(list, buf, sizeof(buf)), "Stille rom");
	ck_assert(json_is_true(json_object_get(json_array_get(list, 0), "free")));
	json_decref(list);
}
END_TEST

/* Refused, with the parameter named, changing nothing. */
static void refused(const struct session *s, const char *tail, int status, const char *code,
		    const char *field)
{
	struct resp r;

	availability(s, tail, status, &r);
	ck_assert_msg(e2e_is_error(&r, code, field), "%s", r.raw);
	e2e_resp_free(&r);
}

START_TEST(bad_questions_refused)
{
	char tail[200];

	refused(&sek, "?end=" DAY "T09:30:00", 400, "invalid", "start");
	refused(&sek, "?start=" DAY "T09:00:00", 400, "invalid", "end");
	refused(&sek, "?start=" DAY "T09:00:00&end=" DAY "T08:30:00", 400, "invalid", "end");
	refused(&sek, "?start=" DAY "T09:00:00&end=" DAY "T23:30:00", 400, "invalid", "end");
	refused(&sek, "?start=kl9&end=" DAY "T09:30:00", 400, "invalid", "start");
	refused(&sek, AT "&kind=office", 400, "invalid", "kind");
	refused(&sek, AT "&room=1", 400, "invalid", NULL);
	refused(&sek, AT "&appointment_id=x", 400, "invalid", "appointment_id");
	/* another unit's appointment, and a missing one, alike to a secretary */
	snprintf(tail, sizeof(tail), AT "&appointment_id=%lld", z);
	refused(&sek, tail, 403, "forbidden", "appointment_id");
	refused(&sek, AT "&appointment_id=99999", 403, "forbidden", "appointment_id");
	refused(NULL, AT "&appointment_id=99999", 404, "not_found", "appointment_id");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_rebook");
	TCase *tc = tcase_create("rebook");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, free_rooms_and_what_is_in_the_way);
	tcase_add_test(tc, bad_questions_refused);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
