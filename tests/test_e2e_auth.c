/*
 * test_e2e_auth.c - staff access end to end: the whole role x route table,
 * a clinician's and a unit-limited secretary's row rules, CSRF, logout,
 * throttling, account management, the audit log, and secrets kept out of
 * the database and the logs.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actor.h"
#include "auth.h"
#include "check_main.h"
#include "e2e.h"
#include "req.h"

#define PATIENT_NAME "Kari Testpasient"
#define PATIENT_PHONE "+4791234567"

static struct server srv;
static int port;
static long long unit_a, unit_b, c1, c2, p1, p2, room, a1, a2;
/* unit B's room, each unit's consultation type, unit B's waiting-list entry */
static long long room_b, type_a, type_b, w_b;
static struct session sekr, sekr_a, lege1, mgr, mgr_a;

/* A clinician or room named name in unit. */
static long long make(const char *what, const char *name, long long unit)
{
	char body[300];
	snprintf(body, sizeof(body), "{\"name\":\"%s\",%s\"unit_id\":%lld}", name,
		 strcmp(what, "rooms") ? "\"profession\":\"lege\"," : "", unit);
	return e2e_make(port, what, body);
}

static void user(const char *name, const char *role, long long clinician, long long unit,
		 struct session *s)
{
	char body[300];
	int status;

	snprintf(body, sizeof(body),
		 "{\"username\":\"%s\",\"role\":\"%s\",\"password\":\"%s\"%s%.0lld%s%.0lld%s}", name,
		 role, E2E_PASSWORD, clinician ? ",\"clinician_id\":" : "", clinician,
		 unit ? ",\"unit_ids\":[" : "", unit, unit ? "]" : "");
	json_decref(e2e_json(port, "POST", "/api/v1/users", body, 201));
	ck_assert(e2e_login(port, name, E2E_PASSWORD, s, &status));
}

static long long book(long long patient, long long clinician, const char *start)
{
	char body[300];
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":30}",
		 patient, clinician, start);
	return e2e_make(port, "appointments", body);
}

static void setup(void)
{
	char body[300];

	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	unit_a = e2e_make(port, "units", "{\"name\":\"A\"}");
	unit_b = e2e_make(port, "units", "{\"name\":\"B\"}");
	c1 = make("clinicians", "Lege En", unit_a);
	c2 = make("clinicians", "Lege To", unit_b);
	p1 = e2e_make(port, "patients",
		      "{\"name\":\"" PATIENT_NAME "\",\"phone\":\"" PATIENT_PHONE "\"}");
	p2 = e2e_make(port, "patients", "{\"name\":\"Ola Annen\"}");
	room = make("rooms", "Rom", unit_a);
	a1 = book(p1, c1, "2026-11-23T09:00:00+01:00");
	a2 = book(p2, c2, "2026-11-23T09:00:00+01:00");
	/* named to sort first: a search that may use it offers it first */
	room_b = make("rooms", "Aaa rom B", unit_b);
	snprintf(body, sizeof(body),
		 "{\"name\":\"Kontroll A\",\"unit_id\":%lld,\"duration_minutes\":30}", unit_a);
	type_a = e2e_make(port, "consultation-types", body);
	snprintf(body, sizeof(body),
		 "{\"name\":\"Kontroll B\",\"unit_id\":%lld,\"duration_minutes\":30}", unit_b);
	type_b = e2e_make(port, "consultation-types", body);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"type_id\":%lld,\"clinician_id\":%lld,"
		 "\"note\":\"Ola Annen ringer\"}",
		 p2, type_b, c2);
	w_b = e2e_make(port, "waiting-list", body);
	user("sekr", "secretary", 0, 0, &sekr);
	user("sekr-a", "secretary", 0, unit_a, &sekr_a);
	user("lege1", "clinician", c1, 0, &lege1);
	user("mgr", "manager", 0, 0, &mgr);
	user("mgr-a", "manager", 0, unit_a, &mgr_a);
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

/* The records a path is filled with: a unit, clinician, room, patient,
 * appointment, consultation type and waiting-list entry. */
struct records {
	long long unit, clinician, room, patient, appointment, type, waiting;
};

/* The route's pattern with each {id} replaced by a record of its kind from r. */
static void concrete_of(const struct records *r, const char *pattern, char *out, size_t cap)
{
	long long id = strstr(pattern, "/units/")	 ? r->unit
		       : strstr(pattern, "/clinicians/") ? r->clinician
		       : strstr(pattern, "/rooms/")	 ? r->room
		       : strstr(pattern, "/patients/")	 ? r->patient
		       : strstr(pattern, "/appointments/") ? r->appointment
		       : strstr(pattern, "/consultation-types/") ? r->type
		       : strstr(pattern, "/waiting-list/")	 ? r->waiting
							   : 1;
	const char *at = strstr(pattern, "{");
	size_t n = 0;

	/* the first {id} names the record; a second (a sub-record) is 1 */
	for (; at && strncmp(at, "{token}", 7); at = strstr(pattern, "{")) {
		n += (size_t)snprintf(out + n, cap - n, "%.*s%lld", (int)(at - pattern), pattern, id);
		pattern = strchr(at, '}') + 1;
		id = 1;
	}
	snprintf(out + n, cap - n, "%s", pattern);
}

/* The route's pattern filled with the records of unit A and patient 1. */
static void concrete(const char *pattern, char *out, size_t cap)
{
	const struct records own = {unit_a, c1, room, p1, a1, type_a, w_b};

	concrete_of(&own, pattern, out, cap);
}

START_TEST(every_route_needs_a_session)
{
	struct resp r;
	char path[200];

	for (int i = 0; i < nroutes; i++) {
		if (routes[i].flags & ROUTE_PUBLIC)
			continue;
		concrete(routes[i].pattern, path, sizeof(path));
		ck_assert(e2e_request_as(port, NULL, routes[i].method, path, NULL,
					 strcmp(routes[i].method, "GET") ? "{}" : NULL, &r));
		ck_assert_msg(r.status == 401 && e2e_is_error(&r, "unauthenticated", NULL),
			      "%s %s: %d", routes[i].method, path, r.status);
		ck_assert_ptr_null(strstr(r.body, PATIENT_NAME));
		e2e_resp_free(&r);
	}
}
END_TEST

START_TEST(role_route_matrix)
{
	const struct {
		const char *name;
		enum role role;
		const struct session *s;
	} who[] = {{"admin", ROLE_ADMIN, &srv.admin},
		   {"secretary", ROLE_SECRETARY, &sekr},
		   {"clinician", ROLE_CLINICIAN, &lege1},
		   {"manager", ROLE_MANAGER, &mgr}};
	struct resp r;
	char path[200];
	int checked = 0;

	/* GET first, then changes, DELETE last, so records still exist */
	for (int pass = 0; pass < 3; pass++)
		for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++)
			for (int i = 0; i < nroutes; i++) {
				const struct route *rt = &routes[i];
				int kind = !strcmp(rt->method, "GET")	   ? 0
					   : !strcmp(rt->method, "DELETE") ? 2
									   : 1;
				bool allowed = rt->roles & who[w].role;

				if (kind != pass || (rt->flags & ROUTE_PUBLIC) ||
				    !strcmp(rt->pattern, "/api/v1/session"))
					continue;
				concrete(rt->pattern, path, sizeof(path));
				ck_assert(e2e_request_as(port, who[w].s, rt->method, path, NULL,
							 kind == 1 ? "{}" : NULL, &r));
				if (allowed)
					ck_assert_msg(r.status != 401 && r.status != 403,
						      "%s %s as %s: %d %s", rt->method, path,
						      who[w].name, r.status, r.body);
				else
					ck_assert_msg(r.status == 403 &&
							      e2e_is_error(&r, "forbidden", NULL) &&
							      !strstr(r.body, PATIENT_NAME),
						      "%s %s as %s: %d", rt->method, path,
						      who[w].name, r.status);
				e2e_resp_free(&r);
				checked++;
			}
	ck_assert_int_gt(checked, 4 * 30);
}
END_TEST

static int status_as(const struct session *s, const char *method, const char *path,
		     const char *body, char *out, size_t cap)
{
	struct resp r;
	int st;

	ck_assert(e2e_request_as(port, s, method, path, NULL, body, &r));
	st = r.status;
	if (out)
		snprintf(out, cap, "%s", r.body);
	e2e_resp_free(&r);
	return st;
}

START_TEST(clinician_sees_own_only)
{
	char path[128], body1[512], body2[512];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2026-11-23", c1);
	e2e_use(&lege1);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "patient_name")),
			 PATIENT_NAME);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2026-11-23", c2);
	ck_assert_int_eq(status_as(&lege1, "GET", path, NULL, NULL, 0), 403);
	/* a 403 says nothing about existence */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a2);
	ck_assert_int_eq(status_as(&lege1, "GET", path, NULL, body1, sizeof(body1)), 403);
	ck_assert_int_eq(status_as(&lege1, "GET", "/api/v1/appointments/99999", NULL, body2,
				   sizeof(body2)),
			 403);
	ck_assert_str_eq(body1, body2);
	ck_assert_int_eq(status_as(&lege1, "GET", "/api/v1/clinicians/99999/day", NULL, NULL, 0),
			 403);
	/* the list holds their own appointments only */
	j = e2e_json(port, "GET", "/api/v1/appointments", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments?clinician_id=%lld", c2);
	ck_assert_int_eq(status_as(&lege1, "GET", path, NULL, NULL, 0), 403);
	/* they may mark their own completed or no-show, nothing else */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a1);
	ck_assert_int_eq(status_as(&lege1, "PATCH", path, "{\"status\":\"no_show\"}", NULL, 0), 200);
	ck_assert_int_eq(status_as(&lege1, "PATCH", path, "{\"status\":\"completed\"}", NULL, 0), 200);
	ck_assert_int_eq(status_as(&lege1, "PATCH", path,
				   "{\"start\":\"2026-11-23T10:00:00+01:00\"}", NULL, 0),
			 403);
	ck_assert_int_eq(status_as(&lege1, "PATCH", path, "{\"status\":\"cancelled\"}", NULL, 0),
			 403);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a2);
	ck_assert_int_eq(status_as(&lege1, "PATCH", path, "{\"status\":\"completed\"}", NULL, 0),
			 403);
	ck_assert_int_eq(status_as(&lege1, "GET", "/api/v1/patients", NULL, NULL, 0), 403);
	e2e_use(&srv.admin);
}
END_TEST

/* The audit log (newest 10,000) holds a row by user with action. */
static bool audited(const json_t *log, const char *user, const char *action)
{
	for (size_t i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);
		if (!strcmp(json_string_value(json_object_get(e, "username")), user) &&
		    !strcmp(json_string_value(json_object_get(e, "action")), action))
			return true;
	}
	return false;
}

/* What a caller limited to unit A (its secretary, its clinician) gets from a
 * route given unit B's records. */
enum foreign_expect {
	DENIED,	    /* 403 (audited), the same as for a missing record */
	EMPTY,	    /* 403, or 200 with an empty list or a count of 0 (a filter naming unit B) */
	NO_FOREIGN, /* 403, or 2xx whose answer does not hold `absent` */
	GLOBAL,	    /* the patients directory: open to every secretary by design
		     * (reads audited); the clinician is refused by role */
	UNSCOPED,   /* no unit's records: public, token or own-session routes */
};

/* One request of the walk.  path_tail, body and absent may name records as
 * {unit_b}, {c1}, {c2}, {p1}, {p2}, {room}, {room_b}, {type_a}, {type_b},
 * {w_b}; the pattern's own ids are unit B's records. */
struct foreign_case {
	const char *method, *pattern;
	enum foreign_expect expect;
	const char *path_tail; /* a query, or NULL */
	const char *body;      /* NULL: none for GET and DELETE, "{}" otherwise */
	const char *absent;    /* NO_FOREIGN; UNSCOPED: where it is tested */
};

#define BOOK "\"patient_id\":{p1},\"start\":\"2027-01-04T09:00:00+01:00\",\"duration_minutes\":30"
#define SERIES ",\"repeat\":{\"every_weeks\":1,\"count\":2}"
#define SLOTS "?clinician_id={c1}&from=2027-01-04&to=2027-01-04"
#define EXCEPTION                                                                                  \
	"{\"kind\":\"absence\",\"start\":\"2027-01-04T08:00:00+01:00\","                         \
	"\"end\":\"2027-01-04T09:00:00+01:00\"}"

static const struct foreign_case foreign_cases[] = {
	{"GET", "/healthz", UNSCOPED, NULL, NULL, "no records"},
	{"GET", "/metrics", UNSCOPED, NULL, NULL, "counters only"},
	{"GET", "/bench/hello", UNSCOPED, NULL, NULL, "--bench only, no records"},
	{"GET", "/api/v1/openapi.json", UNSCOPED, NULL, NULL, "the document"},
	{"POST", "/api/v1/session", UNSCOPED, NULL, NULL, "login: login_throttling"},
	{"DELETE", "/api/v1/session", UNSCOPED, NULL, NULL, "own session: csrf_and_logout"},
	{"GET", "/api/v1/me", UNSCOPED, NULL, NULL, "own account: csrf_and_logout"},
	{"GET", "/api/v1/session/options", UNSCOPED, NULL, NULL, "the login page's: no records"},
	{"GET", "/auth/oidc/login", UNSCOPED, NULL, NULL, "sso start: test_e2e_sso"},
	{"GET", "/auth/oidc/callback", UNSCOPED, NULL, NULL, "sso callback: test_e2e_sso"},
	{"POST", "/auth/oidc/backchannel-logout", UNSCOPED, NULL, NULL,
	 "the provider's logout token: test_e2e_sso"},
	{"GET", "/api/v1/sso/mappings", DENIED, NULL, NULL, NULL},
	{"PUT", "/api/v1/sso/mappings", DENIED, NULL, "[]", NULL},
	{"GET", "/api/v1/users", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/users", DENIED, NULL,
	 "{\"username\":\"x9\",\"role\":\"secretary\",\"password\":\"" E2E_PASSWORD "\"}", NULL},
	{"GET", "/api/v1/users/{id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/users/{id}", DENIED, NULL, "{\"active\":false}", NULL},
	{"GET", "/api/v1/audit", DENIED, "?patient_id={p2}", NULL, NULL},

	{"GET", "/api/v1/units", EMPTY, "?q=B", NULL, NULL},
	{"POST", "/api/v1/units", DENIED, NULL, "{\"name\":\"C\"}", NULL},
	{"GET", "/api/v1/units/{id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/units/{id}", DENIED, NULL, "{\"name\":\"BB\"}", NULL},
	{"DELETE", "/api/v1/units/{id}", DENIED, NULL, NULL, NULL},

	{"GET", "/api/v1/clinicians", EMPTY, "?unit_id={unit_b}", NULL, NULL},
	{"POST", "/api/v1/clinicians", DENIED, NULL,
	 "{\"name\":\"X\",\"profession\":\"lege\",\"unit_id\":{unit_b}}", NULL},
	{"GET", "/api/v1/clinicians/{id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/clinicians/{id}", DENIED, NULL, "{\"name\":\"Y\"}", NULL},
	{"DELETE", "/api/v1/clinicians/{id}", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/clinicians/{id}/day", DENIED, "?date=2026-11-23", NULL, NULL},
	{"GET", "/api/v1/clinicians/{id}/hours", DENIED, NULL, NULL, NULL},
	{"PUT", "/api/v1/clinicians/{id}/hours", DENIED, NULL, "[]", NULL},
	{"GET", "/api/v1/clinicians/{id}/exceptions", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/clinicians/{id}/exceptions", DENIED, NULL, EXCEPTION, NULL},
	{"DELETE", "/api/v1/clinicians/{id}/exceptions/{exception_id}", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/clinicians/{id}/calendar-feed", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/clinicians/{id}/calendar-feed", DENIED, NULL, NULL, NULL},
	{"DELETE", "/api/v1/clinicians/{id}/calendar-feed", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/slots", DENIED,
	 "?clinician_id={c2}&from=2027-01-04&to=2027-01-04&duration_minutes=30", NULL, NULL},
	{"GET", "/api/v1/slots", DENIED, SLOTS "&type_id={type_b}", NULL, NULL},
	{"GET", "/api/v1/slots", NO_FOREIGN, SLOTS "&duration_minutes=30&room_kind=clinic", NULL,
	 "\"room_id\":{room_b}}"},

	{"GET", "/api/v1/rooms", EMPTY, "?unit_id={unit_b}", NULL, NULL},
	{"POST", "/api/v1/rooms", DENIED, NULL, "{\"name\":\"R\",\"unit_id\":{unit_b}}", NULL},
	{"GET", "/api/v1/rooms/availability", NO_FOREIGN,
	 "?start=2027-01-04T08:00:00Z&end=2027-01-04T08:30:00Z", NULL, "{\"id\":{room_b},"},
	{"GET", "/api/v1/rooms/{id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/rooms/{id}", DENIED, NULL, "{\"name\":\"RR\"}", NULL},
	{"DELETE", "/api/v1/rooms/{id}", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/rooms/{id}/hours", DENIED, NULL, NULL, NULL},
	{"PUT", "/api/v1/rooms/{id}/hours", DENIED, NULL, "[]", NULL},
	{"GET", "/api/v1/rooms/{id}/exceptions", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/rooms/{id}/exceptions", DENIED, NULL, EXCEPTION, NULL},
	{"DELETE", "/api/v1/rooms/{id}/exceptions/{exception_id}", DENIED, NULL, NULL, NULL},

	{"GET", "/api/v1/consultation-types", EMPTY, "?unit_id={unit_b}", NULL, NULL},
	{"POST", "/api/v1/consultation-types", DENIED, NULL,
	 "{\"name\":\"T\",\"unit_id\":{unit_b},\"duration_minutes\":30}", NULL},
	{"GET", "/api/v1/consultation-types/{id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/consultation-types/{id}", DENIED, NULL, "{\"name\":\"TT\"}", NULL},
	{"DELETE", "/api/v1/consultation-types/{id}", DENIED, NULL, NULL, NULL},

	{"GET", "/api/v1/waiting-list", EMPTY, "?type_id={type_b}", NULL, NULL},
	{"GET", "/api/v1/waiting-list", EMPTY, "?patient_id={p2}", NULL, NULL},
	{"POST", "/api/v1/waiting-list", DENIED, NULL, "{\"patient_id\":{p1},\"type_id\":{type_b}}",
	 NULL},
	{"POST", "/api/v1/waiting-list", DENIED, NULL,
	 "{\"patient_id\":{p1},\"type_id\":{type_a},\"clinician_id\":{c2}}", NULL},
	{"GET", "/api/v1/waiting-list/{id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/waiting-list/{id}", DENIED, NULL, "{\"priority\":\"urgent\"}", NULL},
	{"DELETE", "/api/v1/waiting-list/{id}", DENIED, NULL, NULL, NULL},

	{"GET", "/api/v1/patients", GLOBAL, NULL, NULL, NULL},
	{"POST", "/api/v1/patients", GLOBAL, NULL, NULL, NULL},
	{"GET", "/api/v1/patients/{id}", GLOBAL, NULL, NULL, NULL},
	{"PATCH", "/api/v1/patients/{id}", GLOBAL, NULL, NULL, NULL},
	{"DELETE", "/api/v1/patients/{id}", GLOBAL, NULL, NULL, NULL},

	{"GET", "/api/v1/appointments", EMPTY, "?unit_id={unit_b}", NULL, NULL},
	{"GET", "/api/v1/appointments/board", DENIED, "?date=2026-11-23&unit_id={unit_b}", NULL, NULL},
	{"GET", "/api/v1/appointments", EMPTY, "?room_id={room_b}", NULL, NULL},
	{"GET", "/api/v1/appointments", EMPTY, "?patient_id={p2}", NULL, NULL},
	{"GET", "/api/v1/appointments", DENIED, "?clinician_id={c2}", NULL, NULL},
	{"POST", "/api/v1/appointments", DENIED, NULL, "{" BOOK ",\"clinician_ids\":[{c2}]}", NULL},
	{"POST", "/api/v1/appointments", DENIED, NULL,
	 "{" BOOK ",\"clinician_ids\":[{c1}],\"mode\":\"in_person\",\"room_id\":{room_b}}", NULL},
	{"POST", "/api/v1/appointments", DENIED, NULL,
	 "{" BOOK ",\"clinician_ids\":[{c1}],\"type_id\":{type_b}}", NULL},
	{"POST", "/api/v1/appointments", DENIED, NULL,
	 "{\"patient_id\":{p2},\"clinician_ids\":[{c1}],\"start\":\"2027-01-04T09:00:00+01:00\","
	 "\"waiting_id\":{w_b}}",
	 NULL},
	{"POST", "/api/v1/appointments/series", DENIED, NULL,
	 "{" BOOK ",\"clinician_ids\":[{c2}]" SERIES "}", NULL},
	{"POST", "/api/v1/appointments/series", DENIED, NULL,
	 "{" BOOK ",\"clinician_ids\":[{c1}],\"mode\":\"in_person\",\"room_id\":{room_b}" SERIES "}",
	 NULL},
	{"POST", "/api/v1/appointments/series", DENIED, NULL,
	 "{" BOOK ",\"clinician_ids\":[{c1}],\"type_id\":{type_b}" SERIES "}", NULL},
	{"GET", "/api/v1/appointments/{id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/appointments/{id}", DENIED, NULL, "{\"status\":\"completed\"}", NULL},
	{"DELETE", "/api/v1/appointments/{id}", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/appointments/{id}/history", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/appointments/{id}/invitations", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/appointments/{id}/messages", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/appointments/{id}/messages/{message_id}/handled", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/work-queue", EMPTY, "?unit_id={unit_b}", NULL, NULL},
	{"GET", "/api/v1/work-queue/count", EMPTY, "?unit_id={unit_b}", NULL, NULL},
	{"GET", "/api/v1/statistics", DENIED, "?from=2026-11-01&to=2026-11-30&unit_id={unit_b}",
	 NULL, NULL},
	{"GET", "/api/v1/statistics", DENIED,
	 "?from=2026-11-01&to=2026-11-30&clinician_id={c2}&group_by=type", NULL, NULL},
	{"GET", "/api/v1/statistics", DENIED, "?from=2026-11-01&to=2026-11-30&type_id={type_b}",
	 NULL, NULL},
	{"GET", "/api/v1/statistics/surveys", DENIED, "?from=2026-11-01&to=2026-11-30&unit_id={unit_b}",
	 NULL, NULL},
	{"GET", "/api/v1/statistics/surveys", DENIED,
	 "?from=2026-11-01&to=2026-11-30&clinician_id={c2}&group_by=clinician", NULL, NULL},
	{"GET", "/api/v1/statistics/prom", DENIED, "?from=2026-11-01&to=2026-11-30&unit_id={unit_b}",
	 NULL, NULL},
	{"GET", "/api/v1/appointments/{id}/waiting-list", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/appointments/{id}/follow-up", DENIED, NULL, NULL, NULL},
	{"PUT", "/api/v1/appointments/{id}/follow-up", DENIED, NULL, "[]", NULL},
	{"GET", "/api/v1/consultation-types/{id}/follow-up", DENIED, NULL, NULL, NULL},
	{"PUT", "/api/v1/consultation-types/{id}/follow-up", DENIED, NULL, "[]", NULL},
	{"GET", "/api/v1/questionnaires", NO_FOREIGN, "?unit_id={unit_b}", NULL,
	 "\"unit_id\":{unit_b}"},
	{"POST", "/api/v1/questionnaires", DENIED, NULL,
	 "{\"unit_id\":{unit_b},\"resourceType\":\"Questionnaire\",\"status\":\"active\","
	 "\"item\":[{\"linkId\":\"a\",\"text\":\"A\",\"type\":\"boolean\"}]}",
	 NULL},
	{"POST", "/api/v1/questionnaires/validate", DENIED, NULL, NULL, NULL},
	/* {id} 1: the built-in questionnaire, the whole clinic's */
	{"GET", "/api/v1/questionnaires/{id}", NO_FOREIGN, NULL, NULL, "\"unit_id\":{unit_b}"},
	{"PUT", "/api/v1/questionnaires/{id}", DENIED, NULL, NULL, NULL},
	{"DELETE", "/api/v1/questionnaires/{id}", DENIED, NULL, NULL, NULL},
	{"GET", "/api/v1/questionnaire-responses", NO_FOREIGN, "?patient_id={p2}", NULL,
	 "Patient/{p2}"},
	{"GET", "/api/v1/appointments/{id}/participants", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/appointments/{id}/participants", DENIED, NULL,
	 "{\"name\":\"Dr. G\",\"role\":\"gp\"}", NULL},
	{"GET", "/api/v1/appointments/{id}/participants/{participant_id}", DENIED, NULL, NULL, NULL},
	{"PATCH", "/api/v1/appointments/{id}/participants/{participant_id}", DENIED, NULL,
	 "{\"name\":\"Dr. H\"}", NULL},
	{"DELETE", "/api/v1/appointments/{id}/participants/{participant_id}", DENIED, NULL, NULL, NULL},
	{"POST", "/api/v1/appointments/{id}/participants/{participant_id}/invitations", DENIED, NULL,
	 NULL, NULL},

	{"GET", "/api/v1/invite/{token}", UNSCOPED, NULL, NULL, "token: test_e2e_invite"},
	{"POST", "/api/v1/invite/{token}/confirm", UNSCOPED, NULL, NULL, "token: test_e2e_invite"},
	{"POST", "/api/v1/invite/{token}/opt-out", UNSCOPED, NULL, NULL, "token: test_e2e_invite"},
	{"POST", "/api/v1/invite/{token}/cancel", UNSCOPED, NULL, NULL, "token: test_e2e_invite"},
	{"POST", "/api/v1/invite/{token}/accept", UNSCOPED, NULL, NULL, "guest token: test_e2e_rules"},
	{"POST", "/api/v1/invite/{token}/decline", UNSCOPED, NULL, NULL, "guest token: test_e2e_rules"},
	{"POST", "/api/v1/invite/{token}/tentative", UNSCOPED, NULL, NULL,
	 "guest token: test_e2e_rules"},
	{"GET", "/api/v1/invite/{token}/calendar.ics", UNSCOPED, NULL, NULL, "token: test_e2e_invite"},
	{"GET", "/api/v1/survey/{token}", UNSCOPED, NULL, NULL, "token: test_e2e_survey"},
	{"POST", "/api/v1/survey/{token}", UNSCOPED, NULL, NULL, "token: test_e2e_survey"},
	{"POST", "/api/v1/survey/{token}/decline", UNSCOPED, NULL, NULL, "token: test_e2e_survey"},
	{"GET", "/api/v1/calendar-feeds/{token}/calendar.ics", UNSCOPED, NULL, NULL,
	 "token: calendar_feed_ends_with_account, test_e2e_day"},
};

/* tmpl with each {record} replaced by its id, into out (cap bytes). */
static void fill(const char *tmpl, char *out, size_t cap)
{
	const struct {
		const char *name;
		long long id;
	} names[] = {{"{unit_b}", unit_b}, {"{c1}", c1},	 {"{c2}", c2},
		     {"{p1}", p1},	   {"{p2}", p2},	 {"{room}", room},
		     {"{room_b}", room_b}, {"{type_a}", type_a}, {"{type_b}", type_b},
		     {"{w_b}", w_b}};
	size_t n = 0;

	out[0] = '\0';
	while (*tmpl && n + 1 < cap) {
		size_t k = 0;

		while (k < sizeof(names) / sizeof(names[0]) &&
		       strncmp(tmpl, names[k].name, strlen(names[k].name)))
			k++;
		if (k < sizeof(names) / sizeof(names[0])) {
			n += (size_t)snprintf(out + n, cap - n, "%lld", names[k].id);
			tmpl += strlen(names[k].name);
		} else {
			out[n++] = *tmpl++;
			out[n] = '\0';
		}
	}
	ck_assert_uint_lt(n + 1, cap);
}

START_TEST(foreign_records_denied_and_audited)
{
	/* unit B's clinician, room, type, waiting entry, patient 2 and their
	 * appointment: foreign to the clinician of unit A and to the secretary
	 * of unit A; every record is foreign to a patient's link (which opens
	 * one appointment only) */
	const struct records other = {unit_b, c2, room_b, p2, a2, type_b, w_b};
	struct session link = {"", ""};
	const struct {
		const char *name, *user;
		const struct session *s;
		enum role role;
		int status;
	} who[] = {{"clinician", "lege1", &lege1, ROLE_CLINICIAN, 403},
		   {"unit secretary", "sekr-a", &sekr_a, ROLE_SECRETARY, 403},
		   {"unit manager", "mgr-a", &mgr_a, ROLE_MANAGER, 403},
		   {"no session", "anonymous", NULL, ROLE_NONE, 401},
		   {"patient link as cookie", "anonymous", &link, ROLE_NONE, 401}};
	static char expect[1024][2][240];
	int nexpect = 0, tried = 0;
	char path[300], body[600], absent[100], action[64], token[E2E_TOKEN_LEN + 1];
	struct resp r;
	json_t *log = NULL;

	/* a patient's link (to a later appointment of patient 1), also tried
	 * as a session cookie */
	e2e_invite(port, book(p1, c1, "2027-06-01T09:00:00+02:00"), token);
	snprintf(link.cookie, sizeof(link.cookie), "timebok_session=%s", token);
	/* unit A's clinician works on the day the slot searches look at */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/hours", c1);
	json_decref(e2e_json(port, "PUT", path,
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"10:00\"}]", 200));
	/* every route of the table has its case: a new one cannot be forgotten */
	for (int i = 0; i < nroutes; i++) {
		bool found = false;
		for (size_t c = 0; c < sizeof(foreign_cases) / sizeof(foreign_cases[0]); c++)
			found |= !strcmp(foreign_cases[c].method, routes[i].method) &&
				 !strcmp(foreign_cases[c].pattern, routes[i].pattern);
		ck_assert_msg(found, "no foreign-records case for %s %s", routes[i].method,
			      routes[i].pattern);
	}
	for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++)
		for (size_t c = 0; c < sizeof(foreign_cases) / sizeof(foreign_cases[0]); c++) {
			const struct foreign_case *fc = &foreign_cases[c];
			const struct route *rt = NULL;
			bool by_role, ok;

			for (int i = 0; i < nroutes && !rt; i++)
				if (!strcmp(fc->method, routes[i].method) &&
				    !strcmp(fc->pattern, routes[i].pattern))
					rt = &routes[i];
			ck_assert_msg(rt, "case for no route: %s %s", fc->method, fc->pattern);
			if (fc->expect == UNSCOPED)
				continue;
			by_role = !(rt->roles & who[w].role);
			/* patients are the hospital's: any secretary books any */
			if (fc->expect == GLOBAL && !by_role && who[w].role == ROLE_SECRETARY)
				continue;
			concrete_of(&other, rt->pattern, path, sizeof(path));
			fill(fc->path_tail ? fc->path_tail : "", path + strlen(path),
			     sizeof(path) - strlen(path));
			fill(fc->body ? fc->body
				      : strcmp(rt->method, "GET") && strcmp(rt->method, "DELETE")
					    ? "{}"
					    : "",
			     body, sizeof(body));
			ck_assert(e2e_request_as(port, who[w].s, rt->method, path, NULL,
						 body[0] ? body : NULL, &r));
			/* no answer holds the other patient's data */
			ck_assert_msg(!strstr(r.body, "Ola Annen"), "%s %s as %s: %s", rt->method,
				      path, who[w].name, r.body);
			if (r.status == who[w].status) {
				ok = true;
			} else if (who[w].status == 401 || by_role || fc->expect == DENIED) {
				ok = false;
			} else if (fc->expect == EMPTY) {
				ok = r.status == 200 &&
				     (!strcmp(r.body, "[]") || !strcmp(r.body, "{\"count\":0}"));
			} else {
				fill(fc->absent ? fc->absent : "", absent, sizeof(absent));
				ok = r.status / 100 == 2 && !strstr(r.body, absent);
			}
			ck_assert_msg(ok, "%s %s as %s: %d %s", rt->method, path, who[w].name,
				      r.status, r.body);
			/* every 403 is audited; a 401 without a session is only
			 * counted (test_e2e_edge.c) */
			if (r.status == 403) {
				ck_assert_int_lt(nexpect, 1024);
				snprintf(expect[nexpect][0], sizeof(expect[0][0]), "%s", who[w].user);
				snprintf(expect[nexpect][1], sizeof(expect[0][1]), "denied %s %.*s",
					 rt->method, (int)strcspn(path + 7, "?"), path + 7);
				nexpect++;
			}
			tried++;
			e2e_resp_free(&r);
		}
	ck_assert_int_gt(tried, 300);
	/* each denial is in the audit log (written in the background: wait) */
	e2e_use(&srv.admin);
	for (int wait = 0, found = 0; found < nexpect && wait < 100; wait++) {
		json_decref(log);
		log = e2e_json(port, "GET", "/api/v1/audit?limit=10000", NULL, 200);
		found = 0;
		for (int k = 0; k < nexpect; k++)
			found += audited(log, expect[k][0], expect[k][1]);
		if (found < nexpect)
			nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	for (int k = 0; k < nexpect; k++)
		ck_assert_msg(audited(log, expect[k][0], expect[k][1]), "not audited: %s %s",
			      expect[k][0], expect[k][1]);
	for (size_t i = 0; i < json_array_size(log); i++) /* anonymous 401s: metrics only */
		ck_assert_str_ne(json_string_value(json_object_get(json_array_get(log, i), "username")),
				 "anonymous");
	/* the appointment tried is named in its row */
	snprintf(action, sizeof(action), "denied GET /appointments/%lld", a2);
	for (size_t i = 0; i < json_array_size(log); i++) {
		json_t *e = json_array_get(log, i);
		if (!strcmp(json_string_value(json_object_get(e, "action")), action))
			ck_assert_int_eq(json_integer_value(json_object_get(e, "appointment_id")), a2);
	}
	ck_assert(audited(log, "lege1", action));
	json_decref(log);
	/* and nothing of unit B changed: its entry still waits, its room is active */
	snprintf(path, sizeof(path), "/api/v1/waiting-list/%lld", w_b);
	log = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(log, "status")), "waiting");
	ck_assert_str_eq(json_string_value(json_object_get(log, "priority")), "normal");
	json_decref(log);
	snprintf(path, sizeof(path), "/api/v1/rooms/%lld", room_b);
	log = e2e_json(port, "GET", path, NULL, 200);
	ck_assert(json_is_true(json_object_get(log, "active")));
	json_decref(log);
}
END_TEST

START_TEST(secretary_limited_to_units)
{
	char path[128];
	json_t *j;

	e2e_use(&sekr_a);
	j = e2e_json(port, "GET", "/api/v1/clinicians", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/appointments", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(j, 0), "id")), a1);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld", c2);
	ck_assert_int_eq(status_as(&sekr_a, "GET", path, NULL, NULL, 0), 403);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day", c2);
	ck_assert_int_eq(status_as(&sekr_a, "GET", path, NULL, NULL, 0), 403);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a2);
	ck_assert_int_eq(status_as(&sekr_a, "GET", path, NULL, NULL, 0), 403);
	ck_assert_int_eq(status_as(&sekr_a, "DELETE", path, NULL, NULL, 0), 403);
	snprintf(path, sizeof(path),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-24T09:00:00Z\","
		 "\"duration_minutes\":30}",
		 p1, c2);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/appointments", path, NULL, 0), 403);
	/* the unrestricted secretary sees both */
	e2e_use(&sekr);
	j = e2e_json(port, "GET", "/api/v1/appointments", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);
	e2e_use(&srv.admin);
}
END_TEST

START_TEST(csrf_and_logout)
{
	struct session s = sekr;
	struct resp r;
	char v[256];
	json_t *j;
	int status;

	/* no token: 403 and nothing changes */
	strcpy(s.csrf, "");
	ck_assert_int_eq(status_as(&s, "POST", "/api/v1/patients", "{\"name\":\"X\"}", NULL, 0), 403);
	strcpy(s.csrf, sekr_a.csrf); /* another session's token */
	ck_assert_int_eq(status_as(&s, "POST", "/api/v1/patients", "{\"name\":\"X\"}", NULL, 0), 403);
	j = e2e_json(port, "GET", "/api/v1/patients", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);
	/* a foreign Origin is refused even with the token; our own is fine */
	ck_assert(e2e_request_as(port, &sekr, "POST", "/api/v1/patients",
				 "Origin: https://evil.example\r\n", "{\"name\":\"X\"}", &r));
	ck_assert_int_eq(r.status, 403);
	e2e_resp_free(&r);
	snprintf(v, sizeof(v), "Origin: http://127.0.0.1:%d\r\n", port);
	ck_assert(e2e_request_as(port, &sekr, "POST", "/api/v1/patients", v, "{\"name\":\"Y\"}", &r));
	ck_assert_int_eq(r.status, 201);
	e2e_resp_free(&r);

	/* the cookie's attributes, and logout ends the session on the server */
	ck_assert(e2e_request_as(port, NULL, "POST", "/api/v1/session", NULL,
				 "{\"username\":\"sekr\",\"password\":\"" E2E_PASSWORD "\"}", &r));
	ck_assert_ptr_nonnull(e2e_header(&r, "Set-Cookie", v, sizeof(v)));
	ck_assert_ptr_nonnull(strstr(v, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(v, "SameSite=Strict"));
	ck_assert_ptr_nonnull(strstr(v, "Path=/"));
	e2e_resp_free(&r);
	ck_assert(e2e_login(port, "sekr", E2E_PASSWORD, &s, &status));
	j = e2e_json(port, "GET", "/api/v1/me", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "role")), "admin");
	json_decref(j);
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 200);
	ck_assert_int_eq(status_as(&s, "DELETE", "/api/v1/session", NULL, NULL, 0), 204);
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	ck_assert_int_eq(status_as(&sekr, "GET", "/api/v1/me", NULL, NULL, 0), 200);
}
END_TEST

START_TEST(login_throttling)
{
	struct session s;
	struct resp r1, r2, r;
	char v[32];
	int status;

	/* the same answer for an unknown user and a wrong password */
	ck_assert(e2e_request_as(port, NULL, "POST", "/api/v1/session", NULL,
				 "{\"username\":\"nobody\",\"password\":\"whatever it is\"}", &r1));
	ck_assert(e2e_request_as(port, NULL, "POST", "/api/v1/session", NULL,
				 "{\"username\":\"sekr\",\"password\":\"whatever it is\"}", &r2));
	ck_assert_int_eq(r1.status, 401);
	ck_assert_int_eq(r2.status, 401);
	ck_assert_str_eq(r1.body, r2.body);
	e2e_resp_free(&r1);
	e2e_resp_free(&r2);
	/* the first failures of an account from an address are free (one above) */
	for (int i = 1; i < AUTH_FREE_ACCOUNT; i++) {
		ck_assert(!e2e_login(port, "sekr", "wrong password!", &s, &status));
		ck_assert_int_eq(status, 401);
	}
	ck_assert(e2e_request_as(port, NULL, "POST", "/api/v1/session", NULL,
				 "{\"username\":\"sekr\",\"password\":\"" E2E_PASSWORD "\"}", &r));
	ck_assert_int_eq(r.status, 429);
	ck_assert(e2e_is_error(&r, "rate_limited", NULL));
	ck_assert_ptr_nonnull(e2e_header(&r, "Retry-After", v, sizeof(v)));
	ck_assert_int_gt(atoi(v), 0);
	e2e_resp_free(&r);
	/* nor is that account from another address: slowed down, never locked */
	{
		static const char body[] = "{\"username\":\"sekr\",\"password\":\"" E2E_PASSWORD "\"}";
		char req[400];
		int n = snprintf(req, sizeof(req),
				 "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Connection: close\r\nContent-Type: application/json\r\n"
				 "Content-Length: %zu\r\n\r\n%s",
				 strlen(body), body);
		ck_assert(e2e_raw_from("127.0.0.2", port, req, (size_t)n, &r));
		ck_assert_int_eq(r.status, 200);
		e2e_resp_free(&r);
	}
	/* other accounts are not locked out */
	ck_assert(e2e_login(port, "lege1", E2E_PASSWORD, &s, &status));
}
END_TEST

START_TEST(accounts)
{
	struct resp r;
	char path[64];
	json_t *j;

	ck_assert(e2e_request(port, "POST", "/api/v1/users", NULL,
			      "{\"username\":\"kort\",\"role\":\"secretary\",\"password\":\"short\"}", &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "password"));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "POST", "/api/v1/users", NULL,
			      "{\"username\":\"SEKR\",\"role\":\"secretary\",\"password\":\"" E2E_PASSWORD
			      "\"}",
			      &r));
	ck_assert_int_eq(r.status, 409);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "POST", "/api/v1/users", NULL,
			      "{\"username\":\"lege9\",\"role\":\"clinician\",\"password\":\"" E2E_PASSWORD
			      "\"}",
			      &r));
	ck_assert(e2e_is_error(&r, "invalid", "clinician_id"));
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", "/api/v1/users", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 6);
	{
		char *text = json_dumps(j, 0);
		ck_assert_ptr_null(strstr(text, "argon2")); /* no hashes out */
		free(text);
	}
	json_decref(j);
	/* disabling an account ends its sessions at once */
	snprintf(path, sizeof(path), "/api/v1/users/%d", 2);
	j = e2e_json(port, "PATCH", path, "{\"active\":false}", 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "username")), "sekr");
	json_decref(j);
	ck_assert_int_eq(status_as(&sekr, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	/* an admin cannot lock themselves out */
	ck_assert_int_eq(status_as(&srv.admin, "PATCH", "/api/v1/users/1", "{\"role\":\"secretary\"}",
				   NULL, 0),
			 400);
}
END_TEST

START_TEST(audit_log)
{
	char path[128];
	struct resp r;
	json_t *j, *e;
	bool read = false, created = false, day = false;

	e2e_use(&sekr);
	snprintf(path, sizeof(path), "/api/v1/patients/%lld", p1);
	json_decref(e2e_json(port, "GET", path, NULL, 200));
	e2e_use(&lege1);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2026-11-23", c1);
	json_decref(e2e_json(port, "GET", path, NULL, 200));
	e2e_use(&srv.admin);
	snprintf(path, sizeof(path), "/api/v1/audit?patient_id=%lld", p1);
	j = e2e_json(port, "GET", path, NULL, 200);
	for (size_t i = 0; i < json_array_size(j); i++) {
		const char *action, *user;
		e = json_array_get(j, i);
		action = json_string_value(json_object_get(e, "action"));
		user = json_string_value(json_object_get(e, "username"));
		ck_assert_int_eq(json_integer_value(json_object_get(e, "patient_id")), p1);
		ck_assert_str_eq(json_string_value(json_object_get(e, "client_ip")), "127.0.0.1");
		read |= !strcmp(action, "patient.read") && !strcmp(user, "sekr");
		day |= !strcmp(action, "day.read") && !strcmp(user, "lege1");
		created |= !strcmp(action, "appointment.create") && !strcmp(user, E2E_ADMIN);
	}
	ck_assert(read && day && created);
	/* newest first */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "action")),
			 "day.read");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/audit?patient_id=%lld&format=csv", p1);
	ck_assert(e2e_request(port, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(strncmp(r.body, "at,username,role,action,patient_id", 34), 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\"lege1\",clinician,day.read"));
	e2e_resp_free(&r);
}
END_TEST

static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	size_t n = strlen(needle), cap = 1 << 24, len;
	char *buf = malloc(cap);
	bool found = false;

	if (!f) {
		free(buf);
		return false;
	}
	len = fread(buf, 1, cap, f);
	fclose(f);
	for (size_t i = 0; i + n <= len && !found; i++)
		found = !memcmp(buf + i, needle, n);
	free(buf);
	return found;
}

START_TEST(no_secrets_at_rest_or_in_logs)
{
	char wal[400], token[128];
	const char *t = strchr(sekr.cookie, '=') + 1;

	snprintf(token, sizeof(token), "%s", t);
	snprintf(wal, sizeof(wal), "%s-wal", srv.db);
	ck_assert_int_eq(e2e_stop(&srv), 0); /* flush everything to the files */
	for (const char *const *needle =
		     (const char *const[]){E2E_PASSWORD, token, sekr.csrf, NULL};
	     *needle; needle++) {
		ck_assert_msg(!file_has(srv.db, *needle), "database holds %s", *needle);
		ck_assert_msg(!file_has(wal, *needle), "WAL holds %s", *needle);
		ck_assert_msg(!file_has(srv.log, *needle), "log holds %s", *needle);
	}
	ck_assert(!file_has(srv.log, PATIENT_NAME));
	ck_assert(!file_has(srv.log, PATIENT_PHONE));
	ck_assert(file_has(srv.log, "POST /api/v1/session 200")); /* the log is there */
	e2e_start(&srv, srv.dir, NULL);
	port = srv.port;
}
END_TEST

/* Who may see a clinician's day is remembered per database connection
 * for as long as nothing is written (store_scalar_memo); a clinician moved
 * to another unit, or removed, is seen as such at the very next request,
 * also by a poll that holds the list's tag (no 304 for a list one may no
 * longer see). */
START_TEST(visibility_follows_a_moved_clinician)
{
	char day[128], path[64], body[64], etag[128], hdr[200];
	struct resp r;

	snprintf(day, sizeof(day), "/api/v1/clinicians/%lld/day?date=2026-11-23", c1);
	for (int i = 0; i < 8; i++) /* every connection of the pool has it */
		ck_assert_int_eq(status_as(&sekr_a, "GET", day, NULL, NULL, 0), 200);
	ck_assert(e2e_request_as(port, &sekr_a, "GET", day, NULL, NULL, &r));
	ck_assert_ptr_nonnull(e2e_header(&r, "ETag", etag, sizeof(etag)));
	e2e_resp_free(&r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", etag);
	ck_assert(e2e_request_as(port, &sekr_a, "GET", day, hdr, NULL, &r));
	ck_assert_int_eq(r.status, 304);
	e2e_resp_free(&r);
	e2e_use(&srv.admin);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld", c1);
	snprintf(body, sizeof(body), "{\"unit_id\":%lld}", unit_b);
	json_decref(e2e_json(port, "PATCH", path, body, 200));
	for (int i = 0; i < 8; i++) {
		ck_assert(e2e_request_as(port, &sekr_a, "GET", day, hdr, NULL, &r));
		ck_assert_int_eq(r.status, 403);
		e2e_resp_free(&r);
	}
	snprintf(body, sizeof(body), "{\"unit_id\":%lld}", unit_a);
	json_decref(e2e_json(port, "PATCH", path, body, 200));
	ck_assert_int_eq(status_as(&sekr_a, "GET", day, NULL, NULL, 0), 200);
}
END_TEST

/* How many lines of the log at path hold needle. */
static int lines_with(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* The access log is buffered (log.c): a line reaches the file within the
 * flush interval while the server runs, and a clean stop writes every one. */
START_TEST(access_log_buffered_never_lost)
{
	const char *line = "GET /api/v1/work-queue 200"; /* not asked for in setup */
	double until;
	int seen;

	ck_assert_int_eq(status_as(&sekr, "GET", "/api/v1/work-queue", NULL, NULL, 0), 200);
	for (until = e2e_now_s() + 5; !lines_with(srv.log, line) && e2e_now_s() < until;)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	ck_assert_int_eq(lines_with(srv.log, line), 1);
	for (int i = 0; i < 500; i++)
		ck_assert_int_eq(status_as(&sekr, "GET", "/api/v1/work-queue", NULL, NULL, 0), 200);
	seen = lines_with(srv.log, line);
	ck_assert_int_eq(e2e_stop(&srv), 0);
	ck_assert_int_eq(lines_with(srv.log, line), 501);
	ck_assert_int_le(seen, 501);
	e2e_start(&srv, srv.dir, NULL);
	port = srv.port;
}
END_TEST

START_TEST(cli_accounts)
{
	char args[400];
	struct session s;
	int status;

	snprintf(args, sizeof(args), "add --db %s --username cli-user --role secretary "
				     "--password-cost min", srv.db);
	ck_assert_int_eq(e2e_cli(args, "too short\n"), 1);
	ck_assert_int_eq(e2e_cli(args, "a long enough password\n"), 0);
	ck_assert_int_eq(e2e_cli(args, "a long enough password\n"), 1); /* taken */
	ck_assert(e2e_login(port, "cli-user", "a long enough password", &s, &status));
	snprintf(args, sizeof(args), "passwd --db %s --username cli-user --password-cost min",
		 srv.db);
	ck_assert_int_eq(e2e_cli(args, "another long password\n"), 0);
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	ck_assert(e2e_login(port, "cli-user", "another long password", &s, &status));
	snprintf(args, sizeof(args), "disable --db %s --username cli-user", srv.db);
	ck_assert_int_eq(e2e_cli(args, NULL), 0);
	ck_assert(!e2e_login(port, "cli-user", "another long password", &s, &status));
	snprintf(args, sizeof(args), "add --db %s --username x --role clinician", srv.db);
	ck_assert_int_eq(e2e_cli(args, "a long enough password\n"), 1); /* no clinician id */
	snprintf(args, sizeof(args), "list --db %s", srv.db);
	ck_assert_int_eq(e2e_cli(args, NULL), 0);
}
END_TEST


/* The session cache's hits so far (/metrics). */
static unsigned long session_hits(void)
{
	const char *at;
	unsigned long n = 0;
	struct resp r;

	ck_assert(e2e_request_as(port, NULL, "GET", "/metrics", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	at = strstr(r.body, "\ntimebok_session_cache_hits_total ");
	ck_assert_ptr_nonnull(at);
	n = strtoul(at + strlen("\ntimebok_session_cache_hits_total "), NULL, 10);
	e2e_resp_free(&r);
	return n;
}

/* A new session of name, answered from the session cache: path answers
 * want twice as it, and the second time from memory. */
static void cached(const char *name, const char *password, struct session *s, const char *path,
		   int want)
{
	unsigned long before;
	int status;

	ck_assert(e2e_login(port, name, password, s, &status));
	ck_assert_int_eq(status_as(s, "GET", path, NULL, NULL, 0), want);
	before = session_hits();
	ck_assert_int_eq(status_as(s, "GET", path, NULL, NULL, 0), want);
	ck_assert_uint_gt(session_hits(), before);
}

/* The id of account name. */
static long long user_id(const char *name)
{
	json_t *j = e2e_json(port, "GET", "/api/v1/users", NULL, 200);
	long long id = 0;

	for (size_t i = 0; i < json_array_size(j); i++) {
		const json_t *u = json_array_get(j, i);
		if (!strcmp(json_string_value(json_object_get(u, "username")), name))
			id = json_integer_value(json_object_get(u, "id"));
	}
	json_decref(j);
	ck_assert_int_gt(id, 0);
	return id;
}

/* The session cache (auth.c) keeps what a session's requests need of the
 * database; whatever ends or changes a session takes effect at the very
 * next request all the same: logout, disabling, a new role, units,
 * clinician or password, through the API or the command line.  (The
 * provider's back-channel logout: tests/browser/oidc_hostile.test.mjs; the
 * timeouts: test_auth.) */
START_TEST(session_cache_never_outlives_a_change)
{
	char path[128], own[128], other[128], args[400], body[200];
	struct session s;
	long long id;

	e2e_use(&srv.admin);
	snprintf(own, sizeof(own), "/api/v1/clinicians/%lld/day?date=2026-11-23", c1);
	snprintf(other, sizeof(other), "/api/v1/clinicians/%lld/day?date=2026-11-23", c2);
	/* logout */
	cached("sekr", E2E_PASSWORD, &s, "/api/v1/me", 200);
	ck_assert_int_eq(status_as(&s, "DELETE", "/api/v1/session", NULL, NULL, 0), 204);
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	/* another account's change leaves the session as it was */
	cached("sekr", E2E_PASSWORD, &s, "/api/v1/me", 200);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", user_id("mgr"));
	json_decref(e2e_json(port, "PATCH", path, "{\"active\":false}", 200));
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 200);
	/* units: the unit-limited secretary moved from unit A to B */
	cached("sekr-a", E2E_PASSWORD, &s, own, 200);
	ck_assert_int_eq(status_as(&s, "GET", other, NULL, NULL, 0), 403);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", user_id("sekr-a"));
	snprintf(body, sizeof(body), "{\"unit_ids\":[%lld]}", unit_b);
	json_decref(e2e_json(port, "PATCH", path, body, 200));
	ck_assert_int_eq(status_as(&s, "GET", own, NULL, NULL, 0), 403);
	ck_assert_int_eq(status_as(&s, "GET", other, NULL, NULL, 0), 200);
	/* clinician: lege1 becomes clinician 2 */
	cached("lege1", E2E_PASSWORD, &s, own, 200);
	id = user_id("lege1");
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	snprintf(body, sizeof(body), "{\"clinician_id\":%lld}", c2);
	json_decref(e2e_json(port, "PATCH", path, body, 200));
	ck_assert_int_eq(status_as(&s, "GET", own, NULL, NULL, 0), 403);
	ck_assert_int_eq(status_as(&s, "GET", other, NULL, NULL, 0), 200);
	/* role */
	cached("sekr", E2E_PASSWORD, &s, "/api/v1/me", 200);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", user_id("sekr"));
	json_decref(e2e_json(port, "PATCH", path, "{\"role\":\"manager\"}", 200));
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	/* password, set by an admin */
	cached("sekr", E2E_PASSWORD, &s, "/api/v1/me", 200);
	json_decref(e2e_json(port, "PATCH", path,
			     "{\"password\":\"a brand new password\"}", 200));
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	/* disabled */
	cached("sekr", "a brand new password", &s, "/api/v1/me", 200);
	json_decref(e2e_json(port, "PATCH", path, "{\"active\":false}", 200));
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	/* from the command line, another process: a new password, then disabled */
	cached("sekr-a", E2E_PASSWORD, &s, "/api/v1/me", 200);
	snprintf(args, sizeof(args), "passwd --db %s --username sekr-a --password-cost min",
		 srv.db);
	ck_assert_int_eq(e2e_cli(args, "another long password\n"), 0);
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
	cached("sekr-a", "another long password", &s, "/api/v1/me", 200);
	snprintf(args, sizeof(args), "disable --db %s --username sekr-a", srv.db);
	ck_assert_int_eq(e2e_cli(args, NULL), 0);
	ck_assert_int_eq(status_as(&s, "GET", "/api/v1/me", NULL, NULL, 0), 401);
}
END_TEST

/* Wait (the audit writer runs in the background) until the log holds a
 * row by user with action (and appointment, unless 0); false after 5 s. */
static bool wait_audited(const char *user, const char *action, long long appointment)
{
	bool found = false;

	e2e_use(&srv.admin);
	for (int wait = 0; !found && wait < 100; wait++) {
		json_t *log = e2e_json(port, "GET", "/api/v1/audit?limit=10000", NULL, 200);
		for (size_t i = 0; i < json_array_size(log) && !found; i++) {
			const json_t *e = json_array_get(log, i);
			found = !strcmp(json_string_value(json_object_get(e, "username")), user) &&
				!strcmp(json_string_value(json_object_get(e, "action")), action) &&
				(!appointment ||
				 json_integer_value(json_object_get(e, "appointment_id")) == appointment);
		}
		json_decref(log);
		if (!found)
			nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	return found;
}

/* How many rows GET path lists as the current session. */
static size_t listed(const char *path)
{
	json_t *j = e2e_json(port, "GET", path, NULL, 200);
	size_t n = json_array_size(j);

	json_decref(j);
	return n;
}

/* Whether list (a JSON array) holds an object with "id" id. */
static bool lists_id(const json_t *list, long long id)
{
	for (size_t i = 0; i < json_array_size(list); i++)
		if (json_integer_value(json_object_get(json_array_get(list, i), "id")) == id)
			return true;
	return false;
}

START_TEST(waiting_list_unit_scope)
{
	char path[128], body[300], foreign[512], missing[512];
	long long own, both;
	json_t *j;

	e2e_use(&sekr_a);
	j = e2e_json(port, "GET", "/api/v1/waiting-list", NULL, 200);
	ck_assert_msg(!lists_id(j, w_b), "unit B's entry listed to unit A");
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/waiting-list?patient_id=%lld", p2);
	ck_assert_int_eq(listed(path), 0);
	/* read, change, remove: 403, the same answer as for no entry */
	snprintf(path, sizeof(path), "/api/v1/waiting-list/%lld", w_b);
	ck_assert_int_eq(status_as(&sekr_a, "GET", path, NULL, foreign, sizeof(foreign)), 403);
	ck_assert_int_eq(status_as(&sekr_a, "GET", "/api/v1/waiting-list/99999", NULL, missing,
				   sizeof(missing)),
			 403);
	ck_assert_str_eq(foreign, missing);
	ck_assert_ptr_null(strstr(foreign, "Ola Annen"));
	ck_assert_int_eq(status_as(&sekr_a, "PATCH", path, "{\"priority\":\"urgent\"}", NULL, 0),
			 403);
	ck_assert_int_eq(status_as(&sekr_a, "DELETE", path, NULL, NULL, 0), 403);
	/* no entry for another unit's type or clinician */
	snprintf(body, sizeof(body), "{\"patient_id\":%lld,\"type_id\":%lld}", p1, type_b);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/waiting-list", body, NULL, 0), 403);
	snprintf(body, sizeof(body), "{\"patient_id\":%lld,\"type_id\":%lld,\"clinician_id\":%lld}",
		 p1, type_a, c2);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/waiting-list", body, NULL, 0), 403);
	/* its own unit's entries it keeps as before */
	snprintf(body, sizeof(body), "{\"patient_id\":%lld,\"type_id\":%lld,\"clinician_id\":%lld}",
		 p1, type_a, c1);
	own = e2e_make(port, "waiting-list", body);
	snprintf(path, sizeof(path), "/api/v1/waiting-list/%lld", own);
	json_decref(e2e_json(port, "GET", path, NULL, 200));
	ck_assert_int_eq(status_as(&sekr_a, "PATCH", path, "{\"priority\":\"urgent\"}", NULL, 0),
			 200);
	snprintf(body, sizeof(body), "{\"type_id\":%lld}", type_b);
	ck_assert_int_eq(status_as(&sekr_a, "PATCH", path, body, NULL, 0), 403);
	j = e2e_json(port, "GET", "/api/v1/waiting-list", NULL, 200);
	ck_assert(lists_id(j, own));
	json_decref(j);
	/* a slot of both units' clinicians offers only unit A's entries */
	e2e_use(&srv.admin);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld,%lld],"
		 "\"start\":\"2026-11-26T09:00:00+01:00\",\"duration_minutes\":30}",
		 p1, c1, c2);
	both = e2e_make(port, "appointments", body);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/waiting-list", both);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert(lists_id(j, w_b)); /* the unrestricted secretary sees both */
	json_decref(j);
	e2e_use(&sekr_a);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_msg(!lists_id(j, w_b), "unit B's entry offered to unit A");
	json_decref(j);
	e2e_use(&srv.admin);
}
END_TEST

/* The 409 answer's conflicts of kind name no appointment and nothing but
 * the kind; the others name theirs. */
static void kinds_only(const char *answer, const char *kind)
{
	json_t *j = json_loads(answer, 0, NULL), *c;
	int hidden = 0;
	size_t i;

	ck_assert_ptr_nonnull(j);
	json_array_foreach(json_object_get(j, "conflicts"), i, c) {
		bool named = json_object_get(c, "appointment_id") || json_object_get(c, "id");

		if (!strcmp(json_string_value(json_object_get(c, "kind")), kind)) {
			ck_assert_msg(!named, "%s", answer);
			hidden++;
		} else {
			ck_assert_msg(named, "%s", answer);
		}
	}
	ck_assert_int_gt(hidden, 0);
	json_decref(j);
}

/* method path body as the unit A secretary is a 409 whose conflicts of
 * kind keep only their kind, naming appointment hidden nowhere, and the
 * refusal is audited as action with that appointment. */
static void refused_hidden(const char *method, const char *path, const char *body,
			   const char *kind, long long hidden, const char *action)
{
	char answer[4096], id[48], named[48];

	snprintf(id, sizeof(id), "\"appointment_id\":%lld", hidden);
	snprintf(named, sizeof(named), "(appointment %lld)", hidden);
	ck_assert_int_eq(status_as(&sekr_a, method, path, body, answer, sizeof(answer)), 409);
	kinds_only(answer, kind);
	ck_assert_msg(!strstr(answer, id) && !strstr(answer, named), "%s", answer);
	ck_assert_msg(wait_audited("sekr-a", action, hidden), "%s %s not audited", method, path);
}

START_TEST(conflicts_name_only_what_caller_sees)
{
	char body[400], answer[4096], path[128];
	long long a4;

	/* patient 2 is busy with unit B at 09:00: unit A may learn that much */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-23T09:00:00+01:00\","
		 "\"duration_minutes\":30}",
		 p2, c1);
	refused_hidden("POST", "/api/v1/appointments", body, "patient", a2,
		       "appointment.refused_foreign");
	/* the same as a series, which writes nothing */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-16T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"repeat\":{\"every_weeks\":1,\"count\":3}}",
		 p2, c1);
	refused_hidden("POST", "/api/v1/appointments/series", body, "patient", a2,
		       "appointment_series.refused_foreign");
	/* and its dry run: the occurrence is not bookable, the patient busy,
	 * and nothing names unit B's appointment */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-16T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"repeat\":{\"every_weeks\":1,\"count\":3},"
		 "\"dry_run\":true}",
		 p2, c1);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/appointments/series", body, answer,
				   sizeof(answer)),
			 200);
	ck_assert_ptr_nonnull(strstr(answer, "\"kind\":\"patient\",\"reason\":\"busy\"}"));
	snprintf(path, sizeof(path), "(appointment %lld)", a2);
	ck_assert_msg(!strstr(answer, path), "%s", answer);
	snprintf(path, sizeof(path), "\"appointment_id\":%lld", a2);
	ck_assert_msg(!strstr(answer, path), "%s", answer);
	/* a PATCH of its own appointment onto patient 2 */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a1);
	snprintf(body, sizeof(body), "{\"patient_id\":%lld}", p2);
	refused_hidden("PATCH", path, body, "patient", a2, "appointment.refused_foreign");
	/* unit B's appointment in unit A's room */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-25T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"mode\":\"in_person\",\"room_id\":%lld}",
		 p2, c2, room);
	a4 = e2e_make(port, "appointments", body);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-25T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"mode\":\"in_person\",\"room_id\":%lld}",
		 p1, c1, room);
	refused_hidden("POST", "/api/v1/appointments", body, "room", a4,
		       "appointment.refused_foreign");
	/* what the caller may see is still named */
	ck_assert_int_eq(status_as(&sekr, "POST", "/api/v1/appointments", body, answer,
				   sizeof(answer)),
			 409);
	ck_assert_ptr_nonnull(strstr(answer, "\"appointment_id\""));
	e2e_use(&srv.admin);
}
END_TEST

START_TEST(bookings_and_slots_use_own_rooms_and_types)
{
	char body[400], path[256];
	json_t *j, *s;
	size_t i;

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-27T09:00:00+01:00\","
		 "\"duration_minutes\":30,\"mode\":\"in_person\",\"room_id\":%lld}",
		 p1, c1, room_b);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/appointments", body, NULL, 0), 403);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-27T09:00:00+01:00\","
		 "\"type_id\":%lld}",
		 p1, c1, type_b);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/appointments", body, NULL, 0), 403);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-27T09:00:00+01:00\","
		 "\"type_id\":%lld,\"repeat\":{\"every_weeks\":1,\"count\":2}}",
		 p1, c1, type_b);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/appointments/series", body, NULL, 0),
			 403);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a1);
	snprintf(body, sizeof(body), "{\"mode\":\"in_person\",\"room_id\":%lld}", room_b);
	ck_assert_int_eq(status_as(&sekr_a, "PATCH", path, body, NULL, 0), 403);
	snprintf(body, sizeof(body), "{\"type_id\":%lld}", type_b);
	ck_assert_int_eq(status_as(&sekr_a, "PATCH", path, body, NULL, 0), 403);
	/* its own type and room are fine */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"2026-11-27T09:00:00+01:00\","
		 "\"type_id\":%lld,\"mode\":\"in_person\",\"room_id\":%lld}",
		 p1, c1, type_a, room);
	ck_assert_int_eq(status_as(&sekr_a, "POST", "/api/v1/appointments", body, NULL, 0), 201);

	/* free slots: no type of unit B, no room of unit B */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/hours", c1);
	json_decref(e2e_json(port, "PUT", path,
			     "[{\"weekday\":1,\"start\":\"08:00\",\"end\":\"10:00\"}]", 200));
	snprintf(path, sizeof(path),
		 "/api/v1/slots?clinician_id=%lld&from=2027-01-04&to=2027-01-04&type_id=%lld", c1,
		 type_b);
	ck_assert_int_eq(status_as(&sekr_a, "GET", path, NULL, NULL, 0), 403);
	snprintf(path, sizeof(path),
		 "/api/v1/slots?clinician_id=%lld&from=2027-01-04&to=2027-01-04"
		 "&duration_minutes=30&room_kind=clinic",
		 c1);
	e2e_use(&sekr_a);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_gt(json_array_size(j), 0);
	json_array_foreach(j, i, s)
		ck_assert_int_eq(json_integer_value(json_object_get(s, "room_id")), room);
	json_decref(j);
	e2e_use(&srv.admin);
}
END_TEST

START_TEST(search_wildcards_are_literal)
{
	e2e_use(&sekr);
	ck_assert_int_eq(listed("/api/v1/patients?q=%25"), 0);
	ck_assert_int_eq(listed("/api/v1/patients?q=_"), 0);
	ck_assert_int_eq(listed("/api/v1/rooms?q=%25"), 0);
	json_decref(e2e_json(port, "POST", "/api/v1/patients", "{\"name\":\"Hundre% _Prosent\"}", 201));
	ck_assert_int_eq(listed("/api/v1/patients?q=%25%20_"), 1);
	ck_assert_int_eq(listed("/api/v1/patients?q=Kari"), 1);
	e2e_use(&srv.admin);
}
END_TEST

/* GET path as s (NULL: the admin), with If-None-Match: tag unless NULL;
 * the status must be want; the body (a new reference) and the ETag. */
static json_t *board_get(const struct session *s, const char *path, const char *tag, int want,
			 char *etag, size_t cap)
{
	char hdr[128];
	struct resp r;
	json_t *j;

	if (tag)
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", tag);
	ck_assert(e2e_request_as(port, s ? s : &srv.admin, "GET", path, tag ? hdr : NULL, NULL, &r));
	ck_assert_msg(r.status == want, "%s: %d, not %d: %s", path, r.status, want, r.body);
	if (etag)
		ck_assert_ptr_nonnull(e2e_header(&r, "ETag", etag, cap));
	j = r.json ? json_incref(r.json) : NULL;
	e2e_resp_free(&r);
	return j;
}

/* The list's rows as the board writes them: only what the calendar draws. */
static json_t *as_board(json_t *list)
{
	static const char *const keys[] = {"id",	   "start",	    "end",
					   "mode",	   "status",	    "patient_name",
					   "clinician_ids", "room_id",	    NULL};
	json_t *out = json_array(), *v;
	size_t i;

	json_array_foreach(list, i, v) {
		json_t *o = json_object();
		for (int k = 0; keys[k]; k++)
			json_object_set(o, keys[k], json_object_get(v, keys[k]));
		json_array_append_new(out, o);
	}
	return out;
}

/* How many audit rows user has with action on appointment. */
static int audit_count(const char *user, const char *action, long long appointment)
{
	json_t *log;
	int n = 0;

	e2e_use(&srv.admin);
	log = e2e_json(port, "GET", "/api/v1/audit?limit=10000", NULL, 200);
	for (size_t i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);
		n += !strcmp(json_string_value(json_object_get(e, "username")), user) &&
		     !strcmp(json_string_value(json_object_get(e, "action")), action) &&
		     json_integer_value(json_object_get(e, "appointment_id")) == appointment;
	}
	json_decref(log);
	return n;
}

/* The calendar's board: the list's rows of the day with only what the
 * calendar draws; the unit scope of the list (a foreign unit: 403); every
 * row audited, on a cache hit too; a poll that finds nothing new is 304. */
START_TEST(calendar_board)
{
	const char *day = "date=2026-11-23", *list = "/api/v1/appointments?from=2026-11-23"
						      "&to=2026-11-23&limit=5000";
	char path[160], lpath[200], tag[64], tag2[64];
	long long third;
	json_t *b, *l, *want;

	/* a third appointment, of both units' clinicians, in a room, by video */
	snprintf(path, sizeof(path),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld,%lld],\"room_id\":%lld,"
		 "\"start\":\"2026-11-23T13:00:00+01:00\",\"duration_minutes\":45}",
		 p1, c2, c1, room);
	third = e2e_make(port, "appointments", path);
	for (int v = 0; v < 6; v++) {
		/* admin, admin of unit B, the hospital's secretary, unit A's
		 * secretary, the same of unit A, admin of unit A */
		const struct session *s = v == 2 ? &sekr : v == 3 || v == 4 ? &sekr_a : NULL;
		long long unit = v == 1 ? unit_b : v == 4 || v == 5 ? unit_a : 0;

		snprintf(path, sizeof(path), "/api/v1/appointments/board?%s", day);
		snprintf(lpath, sizeof(lpath), "%s", list);
		if (unit) {
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "&unit_id=%lld", unit);
			snprintf(lpath + strlen(lpath), sizeof(lpath) - strlen(lpath), "&unit_id=%lld",
				 unit);
		}
		b = board_get(s, path, NULL, 200, NULL, 0);
		l = board_get(s, lpath, NULL, 200, NULL, 0);
		want = as_board(l);
		ck_assert_msg(json_equal(b, want), "%s as view %d", path, v);
		/* unit A's secretary sees a1 and the shared one, never a2 */
		ck_assert_uint_eq(json_array_size(b), v == 3 || v == 4 || v == 5 ? 2
						  : v == 1		  ? 2
									  : 3);
		json_decref(b);
		json_decref(l);
		json_decref(want);
	}
	/* the short object: nothing the calendar does not draw */
	snprintf(path, sizeof(path), "/api/v1/appointments/board?%s&unit_id=%lld", day, unit_a);
	b = board_get(&sekr_a, path, NULL, 200, tag, sizeof(tag));
	ck_assert_uint_eq(json_object_size(json_array_get(b, 0)), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(b, 0), "id")), a1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(b, 0), "patient_name")),
			 PATIENT_NAME);
	ck_assert_ptr_null(json_object_get(json_array_get(b, 0), "video_url"));
	json_decref(b);
	/* every row audited; the poll: 304 with no body while nothing changed */
	ck_assert(wait_audited("sekr-a", "appointment.board", a1));
	ck_assert(wait_audited("sekr-a", "appointment.board", third));
	json_decref(board_get(&sekr_a, path, tag, 304, tag2, sizeof(tag2)));
	ck_assert_str_eq(tag, tag2);
	/* an answer from the cache is audited too: the admin's view of a new
	 * day made it, the hospital's secretary sees the same rows */
	third = book(p2, c2, "2026-11-24T10:00:00+01:00");
	ck_assert_int_eq(audit_count("sekr", "appointment.board", third), 0);
	json_decref(board_get(NULL, "/api/v1/appointments/board?date=2026-11-24", NULL, 200, NULL, 0));
	json_decref(board_get(&sekr, "/api/v1/appointments/board?date=2026-11-24", NULL, 200, NULL, 0));
	ck_assert(wait_audited("sekr", "appointment.board", third));
	/* a change: a new answer (the cache follows it) and a new tag */
	snprintf(lpath, sizeof(lpath), "/api/v1/appointments/%lld", a1);
	json_decref(e2e_json(port, "PATCH", lpath, "{\"mode\":\"phone\"}", 200));
	b = board_get(&sekr_a, path, tag, 200, tag2, sizeof(tag2));
	ck_assert_str_ne(tag, tag2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(b, 0), "mode")), "phone");
	json_decref(b);
	/* unit B for unit A's secretary: 403 as for its other records, and a
	 * unit that does not exist: the same 403 for them, 404 for the admin */
	snprintf(path, sizeof(path), "/api/v1/appointments/board?%s&unit_id=%lld", day, unit_b);
	json_decref(board_get(&sekr_a, path, NULL, 403, NULL, 0));
	ck_assert(wait_audited("sekr-a", "denied GET /appointments/board", 0));
	snprintf(path, sizeof(path), "/api/v1/appointments/board?%s&unit_id=999999", day);
	json_decref(board_get(&sekr_a, path, NULL, 403, NULL, 0));
	b = board_get(NULL, path, NULL, 404, NULL, 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(b, "error"), "code")),
			 "not_found");
	json_decref(b);
	/* a clinician has the day list, not the board */
	json_decref(board_get(&lege1, "/api/v1/appointments/board?date=2026-11-23", NULL, 403,
			      NULL, 0));
	/* bad input: 400 naming the field */
	{
		static const char *const bad[][2] = {{"date=2026-02-30", "date"},
						     {"date=23.11.2026", "date"},
						     {"date=2026-11-23&unit_id=x", "unit_id"},
						     {"date=2026-11-23&limit=5", "limit"}};
		struct resp r;

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(path, sizeof(path), "/api/v1/appointments/board?%s", bad[i][0]);
			ck_assert(e2e_request_as(port, &sekr_a, "GET", path, NULL, NULL, &r));
			ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", bad[i][1]),
				      "%s: %d %s", path, r.status, r.body);
			e2e_resp_free(&r);
		}
	}
}
END_TEST

START_TEST(participant_read_audited)
{
	char path[128];
	long long pid;
	json_t *j;

	e2e_use(&sekr);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants", a1);
	j = e2e_json(port, "GET", path, NULL, 200);
	pid = json_integer_value(json_object_get(json_array_get(j, 0), "id"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld", a1, pid);
	json_decref(e2e_json(port, "GET", path, NULL, 200));
	ck_assert(wait_audited("sekr", "appointment.participant", a1));
}
END_TEST

START_TEST(calendar_feed_ends_with_account)
{
	char path[128], url[600], feed[600], unknown[600];
	long long lege_user = 0;
	struct resp r;
	json_t *j, *u;
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/calendar-feed", c1);
	ck_assert(e2e_request_as(port, &lege1, "POST", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 201);
	snprintf(url, sizeof(url), "%s", strstr(json_string_value(json_object_get(r.json, "url")),
						"/api/v1/"));
	e2e_resp_free(&r);
	ck_assert_int_eq(status_as(NULL, "GET", url, NULL, NULL, 0), 200);
	ck_assert_int_eq(status_as(NULL, "GET",
				   "/api/v1/calendar-feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"
				   "calendar.ics",
				   NULL, unknown, sizeof(unknown)),
			 404);
	/* the clinician's only account disabled: the feed answers as unknown */
	j = e2e_json(port, "GET", "/api/v1/users", NULL, 200);
	json_array_foreach(j, i, u)
		if (!strcmp(json_string_value(json_object_get(u, "username")), "lege1"))
			lege_user = json_integer_value(json_object_get(u, "id"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", lege_user);
	json_decref(e2e_json(port, "PATCH", path, "{\"active\":false}", 200));
	ck_assert_int_eq(status_as(NULL, "GET", url, NULL, feed, sizeof(feed)), 404);
	ck_assert_str_eq(feed, unknown);
	/* enabled again it works; the clinician deactivated, it does not */
	json_decref(e2e_json(port, "PATCH", path, "{\"active\":true}", 200));
	ck_assert_int_eq(status_as(NULL, "GET", url, NULL, NULL, 0), 200);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld", c1);
	ck_assert_int_eq(status_as(&srv.admin, "DELETE", path, NULL, NULL, 0), 204);
	ck_assert_int_eq(status_as(NULL, "GET", url, NULL, feed, sizeof(feed)), 404);
	ck_assert_str_eq(feed, unknown);
}
END_TEST

/* The account list says when each account last logged in: null before the
 * first login, the login's time after it, and still there after logout
 * (which deletes the session). */
START_TEST(last_login)
{
	struct session s;
	char path[64], at[32];
	long long id;
	int status;
	json_t *j;

	j = e2e_json(
	    port, "POST", "/api/v1/users",
	    "{\"username\":\"ny\",\"role\":\"secretary\",\"password\":\"" E2E_PASSWORD "\"}", 201);
	id = json_integer_value(json_object_get(j, "id"));
	ck_assert(json_is_null(json_object_get(j, "last_login_at")));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/users/%lld", id);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert(json_is_null(json_object_get(j, "last_login_at")));
	json_decref(j);
	ck_assert(e2e_login(port, "ny", E2E_PASSWORD, &s, &status));
	ck_assert_int_eq(status_as(&s, "DELETE", "/api/v1/session", NULL, NULL, 0), 204);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert(json_is_string(json_object_get(j, "last_login_at")));
	snprintf(at, sizeof(at), "%s", json_string_value(json_object_get(j, "last_login_at")));
	ck_assert_int_eq((int)strlen(at), 25); /* 2026-11-23T09:00:00+01:00 */
	json_decref(j);
	/* the list carries it too, and a failed login does not change it */
	ck_assert(!e2e_login(port, "ny", "wrong password!", &s, &status));
	j = e2e_json(port, "GET", "/api/v1/users", NULL, 200);
	for (size_t i = 0; i < json_array_size(j); i++) {
		json_t *u = json_array_get(j, i);
		if (json_integer_value(json_object_get(u, "id")) == id)
			ck_assert_str_eq(json_string_value(json_object_get(u, "last_login_at")),
					 at);
	}
	json_decref(j);
}
END_TEST

START_TEST(empty_unit_ids_refused)
{
	char args[400];
	struct resp r;
	json_t *j;

	ck_assert(e2e_request(port, "POST", "/api/v1/users", NULL,
			      "{\"username\":\"tom\",\"role\":\"secretary\",\"password\":\"" E2E_PASSWORD
			      "\",\"unit_ids\":[]}",
			      &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "unit_ids"));
	e2e_resp_free(&r);
	/* a limited account cannot be widened by an empty list either */
	ck_assert(e2e_request(port, "PATCH", "/api/v1/users/3", NULL, "{\"unit_ids\":[]}", &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "unit_ids"));
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", "/api/v1/users/3", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "username")), "sekr-a");
	ck_assert_int_eq(json_array_size(json_object_get(j, "unit_ids")), 1);
	json_decref(j);
	/* the command line: a unit id must be one */
	snprintf(args, sizeof(args), "add --db %s --username cli-tom --role secretary --unit-id '' "
				     "--password-cost min", srv.db);
	ck_assert_int_ne(e2e_cli(args, "a long enough password\n"), 0);
	snprintf(args, sizeof(args), "add --db %s --username cli-tom --role secretary --unit-id 999 "
				     "--password-cost min", srv.db);
	ck_assert_int_ne(e2e_cli(args, "a long enough password\n"), 0);
	/* the admin cannot shut themself out, and is told which field */
	ck_assert(e2e_request(port, "PATCH", "/api/v1/users/1", NULL, "{\"active\":false}", &r));
	ck_assert(r.status == 400 && e2e_is_error(&r, "invalid", "active"));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "PATCH", "/api/v1/users/1", NULL, "{\"role\":\"secretary\"}",
			      &r));
	ck_assert(r.status == 400 && e2e_is_error(&r, "invalid", "role"));
	e2e_resp_free(&r);
	/* only a clinician's account is linked to a clinician (it was dropped
	 * without a word) */
	ck_assert(e2e_request(port, "POST", "/api/v1/users", NULL,
			      "{\"username\":\"tom\",\"role\":\"secretary\",\"password\":\"" E2E_PASSWORD
			      "\",\"clinician_id\":1}",
			      &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "clinician_id"));
	e2e_resp_free(&r);
	ck_assert_int_eq(listed("/api/v1/users"), 6); /* nothing added */
}
END_TEST

/* POST or PATCH body to path must be 400 naming field, and change nothing. */
static void refused_text(const char *method, const char *path, const char *body, const char *field)
{
	struct resp r;

	ck_assert(e2e_request(port, method, path, NULL, body, &r));
	ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", field), "%s %s: %d %s", method,
		      path, r.status, r.body);
	e2e_resp_free(&r);
}

START_TEST(direction_marks_refused)
{
	char path[128], body[300], token[E2E_TOKEN_LEN + 1];
	long long later;
	json_t *j;

	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LRI, U+2028 LINE SEPARATOR, U+200F RLM, U+0085 NEL */
	refused_text("POST", "/api/v1/patients", "{\"name\":\"Kari \\u202eneggoN\"}", "name");
	refused_text("POST", "/api/v1/patients", "{\"name\":\"Kari \xe2\x80\xae" "neggoN\"}", "name");
	refused_text("POST", "/api/v1/clinicians",
		     "{\"name\":\"Lege \\u2066X\",\"profession\":\"lege\"}", "name");
	refused_text("POST", "/api/v1/units", "{\"name\":\"A\\u2028B\"}", "name");
	refused_text("POST", "/api/v1/rooms", "{\"name\":\"Rom\",\"location\":\"\\u200fX\"}",
		     "location");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a1);
	refused_text("PATCH", path, "{\"reason\":\"flyttet \\u202e\"}", "reason");
	refused_text("PATCH", path, "{\"reason\":\"flyttet \\u0085\"}", "reason");
	snprintf(body, sizeof(body), "{\"patient_id\":%lld,\"type_id\":%lld,\"note\":\"\\u202dX\"}",
		 p1, type_a);
	refused_text("POST", "/api/v1/waiting-list", body, "note");
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/exceptions", c1);
	refused_text("POST", path,
		     "{\"kind\":\"absent\",\"start\":\"2026-12-01T08:00:00+01:00\","
		     "\"end\":\"2026-12-01T16:00:00+01:00\",\"reason\":\"ferie\\u2029\"}",
		     "reason");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants", a1);
	refused_text("POST", path, "{\"name\":\"Dr. \\u202eX\",\"role\":\"gp\"}", "name");
	refused_text("POST", path, "{\"name\":\"Dr. X\",\"role\":\"gp\",\"organisation\":\"\\u2067Y\"}",
		     "organisation");
	/* the patient's own reason on their page */
	later = book(p1, c1, "2027-06-01T09:00:00+02:00");
	e2e_invite(port, later, token);
	snprintf(path, sizeof(path), "/api/v1/invite/%s/opt-out", token);
	refused_text("POST", path, "{\"reason\":\"vil m\\u00f8te \\u202eopp\"}", "reason");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", later);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "invited");
	json_decref(j);
	/* nothing was stored; plain text and newlines in reasons still are */
	ck_assert_int_eq(listed("/api/v1/patients"), 2);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a1);
	json_decref(e2e_json(port, "PATCH", path, "{\"reason\":\"Åse ringte\\nflyttet\"}", 200));
	json_decref(e2e_json(port, "POST", "/api/v1/patients", "{\"name\":\"محمد Ali\"}", 201));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_auth");
	TCase *tc = tcase_create("auth");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_route_needs_a_session);
	tcase_add_test(tc, role_route_matrix);
	tcase_add_test(tc, clinician_sees_own_only);
	tcase_add_test(tc, secretary_limited_to_units);
	tcase_add_test(tc, foreign_records_denied_and_audited);
	tcase_add_test(tc, csrf_and_logout);
	tcase_add_test(tc, login_throttling);
	tcase_add_test(tc, accounts);
	tcase_add_test(tc, audit_log);
	tcase_add_test(tc, no_secrets_at_rest_or_in_logs);
	tcase_add_test(tc, cli_accounts);
	tcase_add_test(tc, session_cache_never_outlives_a_change);
	tcase_add_test(tc, access_log_buffered_never_lost);
	tcase_add_test(tc, visibility_follows_a_moved_clinician);
	suite_add_tcase(s, tc);
	/* issue 18: records of one unit do not reach another */
	tc = tcase_create("scope");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, waiting_list_unit_scope);
	tcase_add_test(tc, conflicts_name_only_what_caller_sees);
	tcase_add_test(tc, bookings_and_slots_use_own_rooms_and_types);
	tcase_add_test(tc, search_wildcards_are_literal);
	tcase_add_test(tc, participant_read_audited);
	tcase_add_test(tc, calendar_board);
	tcase_add_test(tc, calendar_feed_ends_with_account);
	tcase_add_test(tc, empty_unit_ids_refused);
	tcase_add_test(tc, last_login);
	tcase_add_test(tc, direction_marks_refused);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
