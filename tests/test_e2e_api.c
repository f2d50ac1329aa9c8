/*
 * test_e2e_api.c - the JSON API against the real binary on a loopback port:
 * the directory, appointments, the contract's errors, headers, static files.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "e2e.h"
#include "store.h"
#include "version.h"

static struct server srv;
static int port;
static long long unit, clin, clin2, pat, pat2, room, vroom;

static void setup(void)
{
	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	unit = e2e_make(port, "units", "{\"name\":\"Medisinsk poliklinikk\"}");
	char body[256];
	snprintf(body, sizeof(body),
		 "{\"name\":\"Dr. Lege\",\"profession\":\"lege\",\"unit_id\":%lld}", unit);
	clin = e2e_make(port, "clinicians", body);
	clin2 = e2e_make(port, "clinicians",
			 "{\"name\":\"Ernæring\",\"profession\":\"klinisk ernæringsfysiolog\"}");
	pat = e2e_make(port, "patients",
		       "{\"name\":\"Kari Nordmann\",\"phone\":\"+47 912 34 567\",\"language\":\"nn\"}");
	pat2 = e2e_make(port, "patients", "{\"name\":\"Ola Nordmann\"}");
	room = e2e_make(port, "rooms", "{\"name\":\"Rom 101\",\"kind\":\"clinic\"}");
	vroom = e2e_make(port, "rooms", "{\"name\":\"Videorom 1\",\"kind\":\"video\"}");
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

static long long book(long long patient, long long clinician, const char *start, int minutes,
		      int want)
{
	char body[300];
	json_t *j;
	long long id;

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":%d}",
		 patient, clinician, start, minutes);
	j = e2e_json(port, "POST", "/api/v1/appointments", body, want);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

static size_t count_appointments(void)
{
	json_t *j = e2e_json(port, "GET", "/api/v1/appointments", NULL, 200);
	size_t n = json_array_size(j);
	json_decref(j);
	return n;
}

START_TEST(health_headers_metrics)
{
	struct resp r;
	char v[512];

	ck_assert(e2e_request(port, "GET", "/healthz", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ok");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "version")), TIMEBOK_VERSION);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "schema")), store_nmigrations);
	ck_assert_ptr_nonnull(e2e_header(&r, "Content-Security-Policy", v, sizeof(v)));
	ck_assert_ptr_nonnull(strstr(v, "frame-ancestors 'none'"));
	ck_assert_str_eq(e2e_header(&r, "X-Content-Type-Options", v, sizeof(v)), "nosniff");
	ck_assert_str_eq(e2e_header(&r, "Referrer-Policy", v, sizeof(v)), "no-referrer");
	ck_assert_ptr_null(e2e_header(&r, "Server", v, sizeof(v)));
	e2e_resp_free(&r);

	/* errors carry the security headers too */
	ck_assert(e2e_request(port, "GET", "/api/v1/nothing-here", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	ck_assert(e2e_is_error(&r, "not_found", NULL));
	ck_assert_ptr_nonnull(e2e_header(&r, "Content-Security-Policy", v, sizeof(v)));
	e2e_resp_free(&r);

	ck_assert(e2e_request(port, "GET", "/metrics", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "timebok_http_requests_total{method=\"POST\","
					     "route=\"/api/v1/units\",status=\"201\"} 1"));
	ck_assert_ptr_nonnull(strstr(r.body, "timebok_http_request_duration_seconds_bucket"));
	ck_assert_ptr_nonnull(strstr(r.body, "timebok_db_errors_total 0"));
	e2e_resp_free(&r);

	/* the bench denominator exists only with --bench */
	ck_assert(e2e_request(port, "GET", "/bench/hello", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	e2e_resp_free(&r);
}
END_TEST

START_TEST(methods_and_paths)
{
	struct resp r;
	char v[128];

	ck_assert(e2e_request(port, "PUT", "/api/v1/units/1", NULL, "{}", &r));
	ck_assert_int_eq(r.status, 405);
	ck_assert(e2e_is_error(&r, "method_not_allowed", NULL));
	ck_assert_str_eq(e2e_header(&r, "Allow", v, sizeof(v)), "GET, HEAD, PATCH, DELETE");
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "BREW", "/api/v1/units", NULL, NULL, &r));
	ck_assert(r.status == 405 || r.status == 400 || r.status == 501);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/api/v1/units/abc", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/api/v1/units/999", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	ck_assert(e2e_is_error(&r, "not_found", NULL));
	e2e_resp_free(&r);
}
END_TEST

START_TEST(static_files)
{
	struct resp r;
	char v[128], etag[64], hdr[128];
	static const char *const bad[] = {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt",
					  "/.hidden", "/static/../../etc/passwd",
					  "/..%2f..%2fetc%2fpasswd", "/index.html/"};

	ck_assert(e2e_request(port, "GET", "/", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(e2e_header(&r, "Content-Type", v, sizeof(v)), "text/html; charset=utf-8");
	ck_assert_str_eq(e2e_header(&r, "Cache-Control", v, sizeof(v)), "no-cache");
	ck_assert_ptr_nonnull(e2e_header(&r, "ETag", etag, sizeof(etag)));
	ck_assert_ptr_nonnull(e2e_header(&r, "Content-Security-Policy", v, sizeof(v)));
	ck_assert_ptr_nonnull(strstr(r.body, "timebok"));
	e2e_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
	ck_assert(e2e_request(port, "GET", "/index.html", hdr, NULL, &r));
	ck_assert_int_eq(r.status, 304);
	e2e_resp_free(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(e2e_request(port, "GET", bad[i], NULL, NULL, &r));
		ck_assert_msg(r.status == 404 || r.status == 400, "%s: %d", bad[i], r.status);
		ck_assert_ptr_null(strstr(r.body, "cmake_minimum_required"));
		ck_assert_ptr_null(strstr(r.body, "root:"));
		e2e_resp_free(&r);
	}
	ck_assert(e2e_request(port, "POST", "/index.html", NULL, "{}", &r));
	ck_assert_int_eq(r.status, 405);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/api/v1/openapi.json", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(json_object_get(r.json, "paths"));
	e2e_resp_free(&r);
}
END_TEST

START_TEST(directory_crud)
{
	json_t *j;
	struct resp r;
	char v[256], path[128];

	ck_assert(e2e_request(port, "POST", "/api/v1/units", NULL, "{\"name\":\"BUP\"}", &r));
	ck_assert_int_eq(r.status, 201);
	ck_assert_ptr_nonnull(e2e_header(&r, "Location", v, sizeof(v)));
	ck_assert_int_eq(strncmp(v, "/api/v1/units/", 14), 0);
	e2e_resp_free(&r);
	/* duplicate unit name: the answer names the field, for the form */
	ck_assert(e2e_request(port, "POST", "/api/v1/units", NULL, "{\"name\":\"BUP\"}", &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "duplicate", "name"));
	e2e_resp_free(&r);

	j = e2e_json(port, "GET", "/api/v1/patients/1", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "phone")), "+4791234567");
	ck_assert_str_eq(json_string_value(json_object_get(j, "language")), "nn");
	ck_assert(json_is_null(json_object_get(j, "email")));
	json_decref(j);

	j = e2e_json(port, "PATCH", "/api/v1/patients/1",
		     "{\"email\":\"kari@example.no\",\"national_id\":\"15076500565\"}", 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "email")), "kari@example.no");
	ck_assert_str_eq(json_string_value(json_object_get(j, "birth_date")), "1965-07-15");
	json_decref(j);
	/* the correction is in the patient's audit log, with who made it */
	j = e2e_json(port, "GET", "/api/v1/audit?patient_id=1", NULL, 200);
	{
		size_t i, updates = 0;
		json_t *row;
		json_array_foreach(j, i, row)
			if (!strcmp(json_string_value(json_object_get(row, "action")), "patient.update")) {
				ck_assert_str_eq(json_string_value(json_object_get(row, "username")),
						 E2E_ADMIN);
				updates++;
			}
		ck_assert_uint_eq(updates, 1);
	}
	json_decref(j);
	/* the same national id for another patient */
	ck_assert(e2e_request(port, "PATCH", "/api/v1/patients/2", NULL,
			      "{\"national_id\":\"15076500565\"}", &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "duplicate", "national_id"));
	e2e_resp_free(&r);
	/* and a new patient with it: changes nothing */
	ck_assert(e2e_request(port, "POST", "/api/v1/patients", NULL,
			      "{\"name\":\"Kari Kopi\",\"national_id\":\"15076500565\"}", &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "duplicate", "national_id"));
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", "/api/v1/patients?q=Kari%20Kopi", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 0);
	json_decref(j);

	j = e2e_json(port, "GET", "/api/v1/patients?q=Kari", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/patients?q=15076500565", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/clinicians?profession=lege", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/rooms?kind=video", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);

	/* paging: a full page links to the next */
	ck_assert(e2e_request(port, "GET", "/api/v1/patients?limit=1", NULL, NULL, &r));
	ck_assert_int_eq(json_array_size(r.json), 1);
	ck_assert_ptr_nonnull(e2e_header(&r, "Link", v, sizeof(v)));
	ck_assert_ptr_nonnull(strstr(v, "offset=1"));
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", "/api/v1/patients?limit=1&offset=1", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "name")),
			 "Ola Nordmann");
	json_decref(j);
	/* the next page is the same search's: the link keeps the filter */
	for (int i = 0; i < 3; i++) {
		char body[64];

		snprintf(body, sizeof(body), "{\"name\":\"Lenke Test %c\"}", 'A' + i);
		e2e_make(port, "patients", body);
	}
	ck_assert(e2e_request(port, "GET", "/api/v1/patients?q=Lenke%20Test&limit=2", NULL, NULL,
			      &r));
	ck_assert_int_eq(json_array_size(r.json), 2);
	ck_assert_str_eq(e2e_link_next(&r, path, sizeof(path)),
			 "/api/v1/patients?q=Lenke%20Test&limit=2&offset=2");
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(r.json), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(r.json, 0), "name")),
			 "Lenke Test C");
	ck_assert_ptr_null(e2e_link_next(&r, path, sizeof(path))); /* the last page */
	e2e_resp_free(&r);
	/* a %00 in the query is refused, not read up to it */
	ck_assert(e2e_request(port, "GET", "/api/v1/patients?limit=1%00x", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", NULL));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/api/v1/patients?li%00mit=1", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 400);
	e2e_resp_free(&r);

	/* deactivate */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld", clin2);
	ck_assert(e2e_request(port, "DELETE", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 204);
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert(json_is_false(json_object_get(j, "active")));
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/clinicians?active=true", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	ck_assert(e2e_request(port, "DELETE", "/api/v1/clinicians/999", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	e2e_resp_free(&r);
}
END_TEST

START_TEST(directory_bad_input)
{
	static const struct {
		const char *method, *path, *body, *field;
	} cases[] = {
		{"POST", "/api/v1/clinicians", "{\"name\":\"X\",\"profession\":\"healer\"}", "profession"},
		{"POST", "/api/v1/clinicians", "{\"name\":\"X\"}", "profession"},
		{"POST", "/api/v1/clinicians", "{\"name\":\"X\",\"profession\":\"lege\",\"unit_id\":99}",
		 "unit_id"},
		{"POST", "/api/v1/clinicians", "{\"name\":\"X\",\"profession\":\"lege\",\"email\":\"x\"}",
		 "email"},
		{"POST", "/api/v1/patients", "{\"name\":\"X\",\"phone\":\"9123456\"}", "phone"},
		{"POST", "/api/v1/patients", "{\"name\":\"X\",\"national_id\":\"15076500566\"}",
		 "national_id"},
		{"POST", "/api/v1/patients", "{\"name\":\"X\",\"language\":\"sv\"}", "language"},
		{"POST", "/api/v1/patients", "{\"name\":\"  \"}", "name"},
		{"POST", "/api/v1/patients", "{\"name\":\"A\\u0000B\"}", NULL},
		{"POST", "/api/v1/patients", "{\"name\":12}", "name"},
		{"POST", "/api/v1/patients", "{\"name\":\"X\",\"birth_date\":\"2000-01-01\"}",
		 "birth_date"},
		{"POST", "/api/v1/rooms", "{\"name\":\"X\",\"kind\":\"garage\"}", "kind"},
		{"POST", "/api/v1/units", "{\"name\":\"X\",\"active\":\"yes\"}", "active"},
		{"PATCH", "/api/v1/patients/1", "{\"name\":null}", "name"},
		{"GET", "/api/v1/patients?colour=blue", NULL, "colour"},
		{"GET", "/api/v1/patients?limit=0", NULL, "limit"},
		{"GET", "/api/v1/patients?limit=abc", NULL, "limit"},
		{"GET", "/api/v1/clinicians?unit_id=-3", NULL, "unit_id"},
	};
	json_t *before = e2e_json(port, "GET", "/api/v1/patients", NULL, 200);
	json_t *after;
	struct resp r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert(e2e_request(port, cases[i].method, cases[i].path, NULL, cases[i].body, &r));
		ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", cases[i].field),
			      "case %zu (%s): %d %s", i, cases[i].body, r.status, r.body);
		e2e_resp_free(&r);
	}
	after = e2e_json(port, "GET", "/api/v1/patients", NULL, 200);
	ck_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
}
END_TEST

START_TEST(booking_basics)
{
	struct resp r;
	char v[128], path[64], hdr[64];
	json_t *j;
	long long id;

	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL,
			      "{\"patient_id\":1,\"clinician_ids\":[1],"
			      "\"start\":\"2026-11-23T09:00:00+01:00\","
			      "\"end\":\"2026-11-23T09:30:00+01:00\"}",
			      &r));
	ck_assert_int_eq(r.status, 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	ck_assert_str_eq(e2e_header(&r, "Location", v, sizeof(v)), path);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "mode")), "video");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "booked");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "start")),
			 "2026-11-23T09:00:00+01:00");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
	ck_assert(json_is_null(json_object_get(r.json, "room_id")));
	ck_assert_int_eq(strncmp(json_string_value(json_object_get(r.json, "video_url")),
				 "https://meet.jit.si/timebok-", 28),
			 0);
	ck_assert_int_eq(strlen(json_string_value(json_object_get(r.json, "video_url"))), 28 + 26);
	e2e_resp_free(&r);

	/* any offset in, the clinic's zone out */
	j = e2e_json(port, "POST", "/api/v1/appointments",
		     "{\"patient_id\":2,\"clinician_ids\":[1],\"start\":\"2026-11-23T08:30:00Z\","
		     "\"duration_minutes\":30}",
		     201);
	ck_assert_str_eq(json_string_value(json_object_get(j, "start")), "2026-11-23T09:30:00+01:00");
	json_decref(j);

	ck_assert(e2e_request(port, "GET", path, NULL, NULL, &r));
	ck_assert_str_eq(e2e_header(&r, "ETag", v, sizeof(v)), "\"1\"");
	e2e_resp_free(&r);

	/* If-Match, quoted and bare; a stale one is 412 and changes nothing */
	ck_assert(e2e_request(port, "PATCH", path, "If-Match: \"1\"\r\n",
			      "{\"start\":\"2026-11-23T10:00:00+01:00\"}", &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "end")),
			 "2026-11-23T10:30:00+01:00");
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "PATCH", path, "If-Match: 1\r\n", "{\"mode\":\"phone\"}", &r));
	ck_assert_int_eq(r.status, 412);
	ck_assert(e2e_is_error(&r, "stale", NULL));
	e2e_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "If-Match: 2\r\n");
	ck_assert(e2e_request(port, "PATCH", path, hdr, "{\"mode\":\"phone\"}", &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_null(json_object_get(r.json, "video_url")));
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 3);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "PATCH", path, "If-Match: abc\r\n", "{\"mode\":\"video\"}", &r));
	ck_assert_int_eq(r.status, 400);
	e2e_resp_free(&r);

	/* history: create and two changes */
	snprintf(v, sizeof(v), "%s/history", path);
	j = e2e_json(port, "GET", v, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "action")),
			 "create");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(json_array_get(j, 2), "changes"),
						 "mode"),
				 "new")),
			 "phone");
	json_decref(j);
}
END_TEST

START_TEST(conflicts_and_cancel)
{
	struct resp r;
	json_t *c;
	long long a, b;
	char path[64];

	a = book(pat, clin, "2026-11-23T09:00:00+01:00", 30, 201);
	/* overlapping the clinician */
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL,
			      "{\"patient_id\":2,\"clinician_ids\":[1],"
			      "\"start\":\"2026-11-23T09:15:00+01:00\",\"duration_minutes\":30}",
			      &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "conflict", NULL));
	c = json_array_get(json_object_get(r.json, "conflicts"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "clinician");
	ck_assert_int_eq(json_integer_value(json_object_get(c, "id")), clin);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "appointment_id")), a);
	e2e_resp_free(&r);
	/* the same patient with another clinician */
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL,
			      "{\"patient_id\":1,\"clinician_ids\":[2],"
			      "\"start\":\"2026-11-23T09:29:00+01:00\",\"duration_minutes\":30}",
			      &r));
	ck_assert_int_eq(r.status, 409);
	c = json_array_get(json_object_get(r.json, "conflicts"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), "patient");
	e2e_resp_free(&r);
	/* touching is fine */
	b = book(pat2, clin, "2026-11-23T09:30:00+01:00", 30, 201);
	ck_assert_int_gt(b, 0);

	/* cancel frees the slot; a cancelled appointment stays cancelled */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a);
	json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"cancelled\",\"reason\":\"syk\"}",
			     200));
	book(pat2, clin, "2026-11-23T09:00:00+01:00", 30, 201);
	ck_assert(e2e_request(port, "PATCH", path, NULL, "{\"status\":\"confirmed\"}", &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "invalid_transition", "status"));
	e2e_resp_free(&r);
	/* cancelling again is no change; DELETE cancels too */
	json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"cancelled\"}", 200));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", b);
	c = e2e_json(port, "DELETE", path, NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(c, "status")), "cancelled");
	json_decref(c);
}
END_TEST

START_TEST(rooms_and_opt_out_rebooking)
{
	struct resp r;
	char body[300], path[64];
	json_t *j;
	long long id;

	/* in person needs a clinic room */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-24T10:00:00+01:00\","
		 "\"duration_minutes\":45,\"mode\":\"in_person\"}",
		 pat, clin);
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL, body, &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "room_id"));
	e2e_resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-24T10:00:00+01:00\","
		 "\"duration_minutes\":45,\"mode\":\"in_person\",\"room_id\":%lld}",
		 pat, clin, vroom);
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL, body, &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "room_id"));
	e2e_resp_free(&r);

	/* a video appointment the patient opted out of, re-booked in person */
	id = book(pat, clin, "2026-11-24T10:00:00+01:00", 45, 201);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "PATCH", path,
			     "{\"status\":\"opted_out\",\"reason\":\"ikke nett hjemme\"}", 200));
	snprintf(body, sizeof(body), "{\"mode\":\"in_person\",\"room_id\":%lld}", room);
	j = e2e_json(port, "PATCH", path, body, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "booked");
	ck_assert_str_eq(json_string_value(json_object_get(j, "mode")), "in_person");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "room_id")), room);
	ck_assert(json_is_null(json_object_get(j, "video_url")));
	json_decref(j);
	/* the room is now busy for others */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-24T10:30:00+01:00\","
		 "\"duration_minutes\":30,\"mode\":\"in_person\",\"room_id\":%lld}",
		 pat2, clin2, room);
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL, body, &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(r.json, "conflicts"), 0), "kind")),
			 "room");
	e2e_resp_free(&r);
}
END_TEST

START_TEST(lists_and_day_list)
{
	char path[160];
	json_t *j;

	book(pat2, clin, "2026-10-25T23:30:00+01:00", 20, 201); /* the 25-hour day */
	book(pat, clin, "2026-10-25T00:10:00+02:00", 20, 201);
	book(pat, clin, "2026-10-26T00:00:00+01:00", 20, 201); /* the next day */
	book(pat, clin2, "2026-10-25T12:00:00+01:00", 20, 201);

	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2026-10-25", clin);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "start")),
			 "2026-10-25T00:10:00+02:00");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "patient_name")),
			 "Kari Nordmann");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 1), "patient_name")),
			 "Ola Nordmann");
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/clinicians/999/day?date=2026-10-25", NULL, 404);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2026-02-30", clin);
	json_decref(e2e_json(port, "GET", path, NULL, 400));

	snprintf(path, sizeof(path),
		 "/api/v1/appointments?from=2026-10-25&to=2026-10-25&clinician_id=%lld", clin);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);
	j = e2e_json(port, "GET",
		     "/api/v1/appointments?from=2026-10-25T12:00:00%2B01:00&to=2026-10-27", NULL,
		     200);
	ck_assert_int_eq(json_array_size(j), 3);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments?patient_id=%lld&status=booked,invited",
		 pat);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 3);
	json_decref(j);
	json_decref(e2e_json(port, "GET", "/api/v1/appointments?status=lost", NULL, 400));
	json_decref(e2e_json(port, "GET", "/api/v1/appointments?from=yesterday", NULL, 400));
	json_decref(e2e_json(port, "GET", "/api/v1/appointments?from=2026-10-26&to=2026-10-25",
			     NULL, 400));
}
END_TEST

/* The day list and the day view are kept rendered (listcache.h): every kind
 * of change shows at once, and a repeated read gives the same answer. */
static json_t *twice(const char *path)
{
	json_t *a = e2e_json(port, "GET", path, NULL, 200), *b = e2e_json(port, "GET", path, NULL, 200);

	ck_assert(json_equal(a, b));
	json_decref(b);
	return a;
}

static const char *field(json_t *list, size_t i, const char *name)
{
	return json_string_value(json_object_get(json_array_get(list, i), name));
}

START_TEST(kept_lists_follow_every_change)
{
	char day[160], view[160], path[160];
	long long a, b;
	json_t *j;

	snprintf(day, sizeof(day), "/api/v1/clinicians/%lld/day?date=2026-11-24", clin);
	snprintf(view, sizeof(view), "/api/v1/appointments?from=2026-11-24&to=2026-11-24&unit_id=%lld",
		 unit);
	a = book(pat, clin, "2026-11-24T09:00:00+01:00", 30, 201);
	j = twice(day);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = twice(view);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);

	snprintf(path, sizeof(path), "/api/v1/patients/%lld", pat); /* a new name */
	json_decref(e2e_json(port, "PATCH", path, "{\"name\":\"Kari Nordmann-Berg\"}", 200));
	j = twice(day);
	ck_assert_str_eq(field(j, 0, "patient_name"), "Kari Nordmann-Berg");
	json_decref(j);

	b = book(pat2, clin, "2026-11-24T10:00:00+01:00", 30, 201); /* a new booking */
	book(pat2, clin2, "2026-11-24T12:00:00+01:00", 30, 201);   /* another unit's */
	j = twice(day);
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);
	j = twice(view);
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a); /* moved */
	json_decref(e2e_json(port, "PATCH", path, "{\"start\":\"2026-11-24T11:00:00+01:00\"}", 200));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", b); /* cancelled */
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	j = twice(day);
	ck_assert_int_eq(json_array_size(j), 2);
	ck_assert_str_eq(field(j, 0, "status"), "cancelled");
	ck_assert_str_eq(field(j, 1, "start"), "2026-11-24T11:00:00+01:00");
	json_decref(j);
	j = twice(view);
	ck_assert_str_eq(field(j, 1, "start"), "2026-11-24T11:00:00+01:00");
	json_decref(j);
}
END_TEST

START_TEST(booking_bad_input)
{
	static const struct {
		const char *body, *field;
	} cases[] = {
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-02-30T09:00:00+01:00\","
		 "\"duration_minutes\":30}", "start"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"end\":\"2026-11-23T08:00:00+01:00\"}", "end"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"end\":\"2026-11-23T09:00:00+01:00\"}", "end"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":0}", "duration_minutes"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":-30}", "duration_minutes"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30.5}", "duration_minutes"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":99999999999999999999}", NULL},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\"}",
		 "end"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"end\":\"2026-11-23T09:30:00+01:00\",\"duration_minutes\":30}", "duration_minutes"},
		{"{\"patient_id\":99,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30}", "patient_id"},
		{"{\"patient_id\":1,\"clinician_ids\":[99],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30}", "clinician_ids"},
		{"{\"patient_id\":1,\"clinician_ids\":[],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30}", "clinician_ids"},
		{"{\"patient_id\":1,\"clinician_ids\":[1,1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30}", "clinician_ids"},
		{"{\"patient_id\":1,\"clinician_ids\":1,\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30}", "clinician_ids"},
		{"{\"patient_id\":\"1\",\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30}", "patient_id"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"mode\":\"carrier pigeon\"}", "mode"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"colour\":\"red\"}", "colour"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"status\":\"confirmed\"}", "status"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"room_id\":77}", "room_id"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":800}", "duration_minutes"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-03-29T02:30:00\","
		 "\"duration_minutes\":30}", "start"},
		{"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-10-25T02:30:00\","
		 "\"duration_minutes\":30}", "start"},
		{"{\"patient_id\":1,\"patient_id\":2,\"clinician_ids\":[1],"
		 "\"start\":\"2026-11-23T09:00:00+01:00\",\"duration_minutes\":30}", NULL},
		{"{\"patient_id\":1,", NULL},
		{"[1,2,3]", NULL},
		{"", NULL},
		{"\"\xff\xfe\"", NULL},
	};
	struct resp r;
	char deep[200];
	size_t n0 = count_appointments();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL, cases[i].body, &r));
		ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", cases[i].field),
			      "case %zu: %d %s", i, r.status, r.body);
		e2e_resp_free(&r);
	}
	/* nested deeper than 32 */
	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	deep[80] = '\0';
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL, deep, &r));
	ck_assert_int_eq(r.status, 400);
	e2e_resp_free(&r);
	/* wrong media type */
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", "Content-Type: text/plain\r\n",
			      "{\"patient_id\":1}", &r));
	ck_assert_int_eq(r.status, 415);
	ck_assert(e2e_is_error(&r, "unsupported_media_type", NULL));
	e2e_resp_free(&r);
	ck_assert_int_eq(count_appointments(), n0);
	/* a PATCH with nothing in it: 400 for an appointment that exists, 404
	 * (before the body is looked at) for one that does not */
	{
		char body[300], path[64];
		snprintf(body, sizeof(body),
			 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],"
			 "\"start\":\"2027-01-05T09:00:00+01:00\",\"duration_minutes\":30}",
			 pat, clin);
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld",
			 e2e_make(port, "appointments", body));
		ck_assert(e2e_request(port, "PATCH", path, NULL, "{}", &r));
		ck_assert_int_eq(r.status, 400);
		e2e_resp_free(&r);
		ck_assert(e2e_request(port, "PATCH", "/api/v1/appointments/9999", NULL, "{}", &r));
		ck_assert_int_eq(r.status, 404);
		e2e_resp_free(&r);
	}
}
END_TEST

START_TEST(huge_bodies)
{
	size_t n = 70 * 1024;
	char *big = malloc(n + 1), head[256];
	struct resp r;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	big[n] = '\0';
	/* declared: refused before it is read */
	ck_assert(e2e_request(port, "POST", "/api/v1/units", NULL, big, &r));
	ck_assert_int_eq(r.status, 413);
	ck_assert(e2e_is_error(&r, "too_large", NULL));
	e2e_resp_free(&r);
	/* chunked: refused once it passes the cap */
	snprintf(head, sizeof(head),
		 "POST /api/v1/units HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n",
		 n);
	{
		size_t hl = strlen(head), total = hl + n + 7;
		char *req = malloc(total + 1);
		memcpy(req, head, hl);
		memcpy(req + hl, big, n);
		memcpy(req + hl + n, "\r\n0\r\n\r\n", 7);
		ck_assert(e2e_raw(port, req, total, &r));
		ck_assert_int_eq(r.status, 413);
		e2e_resp_free(&r);
		free(req);
	}
	free(big);
	json_t *j = e2e_json(port, "GET", "/api/v1/units", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_api");
	TCase *tc = tcase_create("api");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, health_headers_metrics);
	tcase_add_test(tc, methods_and_paths);
	tcase_add_test(tc, static_files);
	tcase_add_test(tc, directory_crud);
	tcase_add_test(tc, directory_bad_input);
	tcase_add_test(tc, booking_basics);
	tcase_add_test(tc, conflicts_and_cancel);
	tcase_add_test(tc, rooms_and_opt_out_rebooking);
	tcase_add_test(tc, lists_and_day_list);
	tcase_add_test(tc, kept_lists_follow_every_change);
	tcase_add_test(tc, booking_bad_input);
	tcase_add_test(tc, huge_bodies);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
