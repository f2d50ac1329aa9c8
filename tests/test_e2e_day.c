/*
 * test_e2e_day.c - the clinician's day end to end: the day list with the
 * patient's age, the room, the other participants and (by phone) the
 * number to call; only their own day
 * for a clinician; the list following a patient's answer; the outcome with
 * how it was held (a video consultation that fell back to phone); a
 * no-show undone the same day, back to what it was; the host's meeting link; and the personal calendar feed (parses as
 * iCalendar, holds no patient data, revoked by a new one or a delete).
 */
#include <check.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "e2e.h"
#include "timeutil.h"

#define DAY "2030-01-15"
#define PAST "2025-01-15" /* a day before any run of the tests */
#define PATIENT "Kari Dagsliste"

static struct server srv;
static int port;
static long long clin, clin2, pat, pat2, room;
static struct session lege, lege2;

/* An account name of role for clinician or unit (0: none), logged in as s;
 * its id. */
static long long account(const char *name, const char *role, long long clinician, long long unit,
			 struct session *s)
{
	char body[300];
	int status;
	long long id;
	json_t *j;

	snprintf(body, sizeof(body),
		 "{\"username\":\"%s\",\"role\":\"%s\",\"password\":\"%s\"%s%.0lld%s%.0lld%s}",
		 name, role, E2E_PASSWORD, clinician ? ",\"clinician_id\":" : "", clinician,
		 unit ? ",\"unit_ids\":[" : "", unit, unit ? "]" : "");
	j = e2e_json(port, "POST", "/api/v1/users", body, 201);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	ck_assert(e2e_login(port, name, E2E_PASSWORD, s, &status));
	return id;
}

static void user(const char *name, long long clinician, struct session *s)
{
	account(name, "clinician", clinician, 0, s);
}

#define VIDEO_URLS                                                                          \
	"--video-url-template", "https://meet.example.org/{room}", "--video-host-url-template", \
		"https://host.example.org/moderate/{room}"

static void setup(void)
{
	static const char *const extra[] = {VIDEO_URLS, NULL};

	e2e_start(&srv, NULL, extra);
	port = srv.port;
	clin = e2e_make(port, "clinicians", "{\"name\":\"Dr. Dag Lege\",\"profession\":\"lege\"}");
	clin2 = e2e_make(port, "clinicians",
			 "{\"name\":\"Psykolog Per\",\"profession\":\"psykolog\"}");
	pat = e2e_make(port, "patients",
		       "{\"name\":\"" PATIENT "\",\"phone\":\"+4791234567\","
		       "\"email\":\"kari@example.no\",\"national_id\":\"15076500565\"}");
	pat2 = e2e_make(port, "patients", "{\"name\":\"Ola Uten Fnr\",\"phone\":\"+4798765432\"}");
	room = e2e_make(port, "rooms", "{\"name\":\"Rom 7\",\"kind\":\"clinic\","
				       "\"location\":\"Bygg C\"}");
	user("dag", clin, &lege);
	user("per", clin2, &lege2);
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

/* Book patient with clinicians ("1,2") at start (local, no offset). */
static long long book_at(long long patient, const char *clinicians, const char *start,
			 const char *extra)
{
	char body[400];

	ck_assert_int_lt(snprintf(body, sizeof(body),
				  "{\"patient_id\":%lld,\"clinician_ids\":[%s],\"start\":\"%s\","
				  "\"duration_minutes\":30%s}",
				  patient, clinicians, start, extra ? extra : ""),
			 (int)sizeof(body));
	return e2e_make(port, "appointments", body);
}

/* The same on DAY at time. */
static long long book(long long patient, const char *clinicians, const char *time,
		      const char *extra)
{
	char start[40];

	snprintf(start, sizeof(start), DAY "T%s", time);
	return book_at(patient, clinicians, start, extra);
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* The day list of clinician c as session s; status must be want. */
static json_t *day(const struct session *s, long long c, int want)
{
	char path[128];
	struct resp r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=" DAY, c);
	ck_assert(e2e_request_as(port, s, "GET", path, NULL, NULL, &r));
	ck_assert_msg(r.status == want, "%s: %d, not %d", path, r.status, want);
	j = json_incref(r.json);
	e2e_resp_free(&r);
	return j;
}

/* The row of appointment id in list. */
static json_t *row(json_t *list, long long id)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v) if (json_integer_value(json_object_get(v, "id")) == id) return v;
	ck_abort_msg("appointment %lld is not in the list", id);
	return NULL;
}

static int patch_as(const struct session *s, long long id, const char *body, json_t **out)
{
	char path[96];
	struct resp r;
	int status;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	ck_assert(e2e_request_as(port, s, "PATCH", path, NULL, body, &r));
	status = r.status;
	if (status >= 400)
		ck_assert_msg(e2e_is_error(&r, status == 400 ? "invalid" : status == 403 ? "forbidden"
											 : "invalid_transition",
					   NULL),
			      "%s", r.raw);
	if (out)
		*out = json_incref(r.json);
	e2e_resp_free(&r);
	return status;
}

START_TEST(day_list_has_what_the_clinician_needs)
{
	char clins[64], both[64], body[300];
	long long video, in_person, shared, cancelled, gp;
	json_t *list, *v, *p, *parts;
	size_t i;
	bool saw_gp = false, saw_other = false;

	snprintf(clins, sizeof(clins), "%lld", clin);
	snprintf(both, sizeof(both), "%lld,%lld", clin, clin2);
	snprintf(body, sizeof(body), ",\"mode\":\"in_person\",\"room_id\":%lld", room);
	in_person = book(pat2, clins, "08:00:00", body);
	video = book(pat, clins, "09:00:00", NULL);
	shared = book(pat2, both, "10:00:00", ",\"mode\":\"phone\"");
	cancelled = book(pat2, clins, "11:00:00", NULL);
	snprintf(body, sizeof(body), "/api/v1/appointments/%lld", cancelled);
	json_decref(e2e_json(port, "DELETE", body, NULL, 200));
	snprintf(body, sizeof(body), "appointments/%lld/participants", video);
	gp = e2e_make(port, body,
		      "{\"name\":\"Dr. Fastlege\",\"role\":\"gp\",\"organisation\":"
		      "\"Sentrum legekontor\",\"email\":\"gp@example.org\"}");

	list = day(&lege, clin, 200);
	ck_assert_int_eq(json_array_size(list), 4); /* the cancelled one too, marked */
	/* ordered by start */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "id")),
			 in_person);
	v = row(list, in_person);
	ck_assert_str_eq(str(v, "patient_name"), "Ola Uten Fnr");
	ck_assert(json_is_null(json_object_get(v, "patient_age")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "room"), "id")), room);
	ck_assert_str_eq(str(json_object_get(v, "room"), "name"), "Rom 7");
	ck_assert_str_eq(str(json_object_get(v, "room"), "location"), "Bygg C");
	ck_assert(json_is_null(json_object_get(v, "video_host_url")));
	/* the number to call only for a consultation by phone */
	ck_assert(json_is_null(json_object_get(v, "patient_phone")));
	ck_assert_str_eq(str(row(list, shared), "patient_phone"), "+4798765432");
	ck_assert(json_is_null(json_object_get(row(list, video), "patient_phone")));
	ck_assert(json_is_null(json_object_get(row(list, cancelled), "patient_phone")));

	v = row(list, video);
	ck_assert_str_eq(str(v, "patient_name"), PATIENT);
	/* born 1965-07-15: 64 on the day */
	ck_assert_int_eq(json_integer_value(json_object_get(v, "patient_age")), 64);
	ck_assert(json_is_null(json_object_get(v, "room")));
	/* the host's entrance to the same room */
	ck_assert_int_eq(strncmp(str(v, "video_url"), "https://meet.example.org/", 25), 0);
	ck_assert_int_eq(strlen(str(v, "video_url")), 25 + 26);
	ck_assert_int_eq(strncmp(str(v, "video_host_url"), "https://host.example.org/moderate/", 34), 0);
	ck_assert_str_eq(str(v, "video_host_url") + 34, str(v, "video_url") + 25);
	parts = json_object_get(v, "participants");
	json_array_foreach(parts, i, p) {
		ck_assert_str_ne(str(p, "kind"), "patient");
		ck_assert_ptr_null(json_object_get(p, "email")); /* no contact details */
		ck_assert_ptr_null(json_object_get(p, "phone"));
		if (json_integer_value(json_object_get(p, "id")) == gp) {
			saw_gp = true;
			ck_assert_str_eq(str(p, "kind"), "external");
			ck_assert_str_eq(str(p, "role"), "gp");
			ck_assert_str_eq(str(p, "name"), "Dr. Fastlege");
			ck_assert_str_eq(str(p, "organisation"), "Sentrum legekontor");
			ck_assert_str_eq(str(p, "response"), "needs-action");
		}
	}
	ck_assert(saw_gp);
	ck_assert_int_eq(json_array_size(parts), 2); /* the clinician and the GP */

	v = row(list, shared);
	json_array_foreach(json_object_get(v, "participants"), i, p)
		if (json_integer_value(json_object_get(p, "clinician_id")) == clin2) {
			saw_other = true;
			ck_assert_str_eq(str(p, "name"), "Psykolog Per");
		}
	ck_assert(saw_other);
	ck_assert_str_eq(str(row(list, cancelled), "status"), "cancelled");
	json_decref(list);

	/* the other clinician sees the shared one on their own day */
	list = day(&lege2, clin2, 200);
	ck_assert_int_eq(json_array_size(list), 1);
	json_decref(list);
}
END_TEST

/* The day list asks whether its clinician exists only when it reads the
 * day (a kept answer had it), and answers as api_clinician_visible does:
 * a missing clinician is 404 before a bad date's 400, each time. */
START_TEST(a_missing_clinician_is_404_before_a_bad_date)
{
	char path[128];

	for (int i = 0; i < 2; i++) {
		json_decref(e2e_json(port, "GET", "/api/v1/clinicians/99999/day?date=" DAY, NULL,
				     404));
		json_decref(e2e_json(port, "GET", "/api/v1/clinicians/99999/day?date=2026-02-30",
				     NULL, 404));
		json_decref(e2e_json(port, "GET", "/api/v1/clinicians/99999/day", NULL, 404));
	}
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2026-02-30", clin);
	json_decref(e2e_json(port, "GET", path, NULL, 400));
	json_decref(day(&lege, 99999, 403)); /* before either */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=" DAY, clin);
	json_decref(e2e_json(port, "GET", path, NULL, 200));
	json_decref(e2e_json(port, "GET", path, NULL, 200)); /* kept */
}
END_TEST

START_TEST(only_their_own_day)
{
	char clins[32], path[128];
	json_t *j;

	snprintf(clins, sizeof(clins), "%lld", clin);
	book(pat, clins, "10:00:00", NULL);
	json_decref(day(&lege2, clin, 403));
	json_decref(day(&lege, clin2, 403));
	json_decref(day(&lege, 99999, 403)); /* no telling which ids exist */
	j = day(&lege, clin, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	/* staff may open any clinician's day */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=" DAY, clin);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
}
END_TEST

/* The patient gives action through token; then the day list shows appointment
 * id with status. */
static void answer_then(const char *token, const char *action, long long id, const char *status)
{
	char path[128];
	struct resp r;
	json_t *list;

	snprintf(path, sizeof(path), "/api/v1/invite/%s/%s", token, action);
	ck_assert(e2e_request_as(port, NULL, "POST", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	list = day(&lege, clin, 200);
	ck_assert_str_eq(str(row(list, id), "status"), status);
	json_decref(list);
}

/* (NULL s: the admin.)  A poll with the last answer's ETag: 304 with no body while nothing the
 * caller sees has changed; 200 and a new tag after a change; a caller who
 * is shown other rows has another tag.  The day list and the unit's list. */
static void poll(const struct session *s, const char *path, const char *tag, int want,
		 char *etag_out, size_t cap)
{
	char hdr[128];
	struct resp r;

	if (tag)
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", tag);
	ck_assert(s ? e2e_request_as(port, s, "GET", path, tag ? hdr : NULL, NULL, &r)
		    : e2e_request(port, "GET", path, tag ? hdr : NULL, NULL, &r));
	ck_assert_msg(r.status == want, "%s: %d, not %d", path, r.status, want);
	if (want == 304)
		ck_assert_uint_eq(r.body_len, 0);
	ck_assert_ptr_nonnull(e2e_header(&r, "ETag", etag_out, cap));
	ck_assert(etag_out[0] == '"' && etag_out[strlen(etag_out) - 1] == '"'); /* strong */
	e2e_resp_free(&r);
}

START_TEST(polling_a_list_that_did_not_change_is_304)
{
	char clins[32], dpath[128], lpath[160], a[64], b[64], c[64];
	char body[96];
	long long id;
	int i;

	snprintf(clins, sizeof(clins), "%lld", clin);
	id = book(pat, clins, "10:00:00", NULL);
	snprintf(dpath, sizeof(dpath), "/api/v1/clinicians/%lld/day?date=" DAY, clin);
	snprintf(lpath, sizeof(lpath),
		 "/api/v1/appointments?from=" DAY "T00:00:00%%2B01:00&to=" DAY
		 "T23:59:59%%2B01:00");
	poll(&lege, dpath, NULL, 200, a, sizeof(a));
	for (i = 0; i < 3; i++) {
		poll(&lege, dpath, a, 304, b, sizeof(b));
		ck_assert_str_eq(a, b);
	}
	/* the same tag in a list, or "*" */
	snprintf(body, sizeof(body), "\"nope\", %s", a);
	poll(&lege, dpath, body, 304, b, sizeof(b));
	poll(&lege, dpath, "\"nope\"", 200, b, sizeof(b));
	ck_assert_str_eq(a, b);
	/* a full page links to the next of the same list (the filters kept) */
	{
		char next[256];
		struct resp r;

		book(pat2, clins, "11:00:00", NULL);
		snprintf(next, sizeof(next), "%s&clinician_id=%lld&limit=1", lpath, clin);
		for (int page = 0; page < 2; page++) {
			ck_assert(e2e_request(port, "GET", next, NULL, NULL, &r));
			ck_assert_int_eq(json_array_size(r.json), 1);
			ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(
						 json_array_get(r.json, 0), "clinician_ids"), 0)), clin);
			ck_assert_ptr_nonnull(e2e_link_next(&r, next, sizeof(next)));
			ck_assert_ptr_nonnull(strstr(next, "clinician_id="));
			ck_assert_ptr_nonnull(strstr(next, "from="));
			e2e_resp_free(&r);
		}
		ck_assert(e2e_request(port, "GET", next, NULL, NULL, &r));
		ck_assert_int_eq(json_array_size(r.json), 0);
		e2e_resp_free(&r);
	}
	/* the staff list of the day, its own tag */
	poll(NULL, lpath, NULL, 200, c, sizeof(c));
	poll(NULL, lpath, c, 304, b, sizeof(b));
	/* a change the clinician sees: both lists change their tag */
	snprintf(body, sizeof(body), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "PATCH", body, "{\"mode\":\"phone\"}", 200));
	poll(&lege, dpath, a, 200, b, sizeof(b));
	ck_assert_str_ne(a, b);
	poll(NULL, lpath, c, 200, a, sizeof(a));
	ck_assert_str_ne(a, c);
	/* HEAD answers the same tag and 304 */
	{
		struct resp r;
		char hdr[128], v[64];

		snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", b);
		ck_assert(e2e_request_as(port, &lege, "HEAD", dpath, hdr, NULL, &r));
		ck_assert_uint_eq(r.body_len, 0);
		ck_assert_int_eq(r.status, 304);
		ck_assert_str_eq(e2e_header(&r, "ETag", v, sizeof(v)), b);
		e2e_resp_free(&r);
	}
	/* another clinician's empty day has another tag than this one's */
	snprintf(dpath, sizeof(dpath), "/api/v1/clinicians/%lld/day?date=" DAY, clin2);
	poll(&lege2, dpath, b, 200, a, sizeof(a));
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(list_follows_the_patients_answer)
{
	char clins[32], path[128], token[44];
	long long id;
	json_t *list;
	struct resp r;

	snprintf(clins, sizeof(clins), "%lld", clin);
	id = book(pat, clins, "13:00:00", NULL);
	e2e_invite(port, id, token);
	/* the patient's view has the meeting link, never the host's */
	snprintf(path, sizeof(path), "/api/v1/invite/%s", token);
	ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "meet.example.org"));
	ck_assert_ptr_null(strstr(r.body, "host.example.org"));
	e2e_resp_free(&r);
	list = day(&lege, clin, 200); /* read once: now it is cached */
	ck_assert_str_eq(str(row(list, id), "status"), "invited");
	json_decref(list);
	answer_then(token, "confirm", id, "confirmed");
	answer_then(token, "cancel", id, "cancelled");
}
END_TEST

/* PATCH appointment id with body as the admin: refused with status and
 * code, naming the field status. */
static void refused(long long id, const char *body, int status, const char *code)
{
	char path[96];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	ck_assert(e2e_request(port, "PATCH", path, NULL, body, &r));
	ck_assert_msg(r.status == status, "%s", r.raw);
	ck_assert(e2e_is_error(&r, code, "status"));
	e2e_resp_free(&r);
}

/* The status of appointment id (static storage), its version checked
 * to be version. */
static const char *status_of(long long id, long long version)
{
	static char out[32];
	char path[96];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), version);
	snprintf(out, sizeof(out), "%s", str(j, "status"));
	json_decref(j);
	return out;
}

/* Whether appointment id's history has field changed from old to new. */
static bool in_history(long long id, const char *field, const char *old, const char *new)
{
	char path[128];
	bool found = false;
	json_t *h, *v;
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", id);
	h = e2e_json(port, "GET", path, NULL, 200);
	json_array_foreach(h, i, v) {
		json_t *c = json_object_get(json_object_get(v, "changes"), field);
		if (c && !strcmp(str(c, "old"), old) && !strcmp(str(c, "new"), new))
			found = true;
	}
	json_decref(h);
	return found;
}

START_TEST(outcome_and_how_it_was_held)
{
	char clins[32], path[128];
	long long video, phone, other;
	json_t *j;

	/* outcomes are noted once the consultation has begun: these are past */
	snprintf(clins, sizeof(clins), "%lld", clin);
	video = book_at(pat, clins, PAST "T09:00:00", NULL);
	phone = book_at(pat2, clins, PAST "T10:00:00", ",\"mode\":\"phone\"");
	snprintf(clins, sizeof(clins), "%lld", clin2);
	other = book_at(pat2, clins, PAST "T11:00:00", NULL);

	/* refused, changing nothing */
	ck_assert_int_eq(patch_as(&lege, video, "{\"held_mode\":\"phone\"}", NULL), 400);
	ck_assert_int_eq(patch_as(&lege, video, "{\"status\":\"no_show\",\"held_mode\":\"phone\"}",
				  NULL),
			 400);
	ck_assert_int_eq(patch_as(&lege, video, "{\"status\":\"completed\",\"held_mode\":\"fax\"}",
				  NULL),
			 400);
	ck_assert_int_eq(patch_as(&lege, video, "{\"status\":\"completed\",\"mode\":\"phone\"}",
				  NULL),
			 403);
	ck_assert_int_eq(patch_as(&lege, other, "{\"status\":\"completed\"}", NULL), 403);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", video);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(str(j, "status"), "booked");
	ck_assert(json_is_null(json_object_get(j, "held_mode")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 1);
	json_decref(j);

	/* the video consultation fell back to phone */
	ck_assert_int_eq(patch_as(&lege, video,
				  "{\"status\":\"completed\",\"held_mode\":\"phone\"}", &j),
			 200);
	ck_assert_str_eq(str(j, "status"), "completed");
	ck_assert_str_eq(str(j, "mode"), "video"); /* as booked */
	ck_assert_str_eq(str(j, "held_mode"), "phone");
	json_decref(j);
	/* corrected afterwards: it was video after all */
	ck_assert_int_eq(patch_as(&lege, video, "{\"held_mode\":\"video\"}", &j), 200);
	ck_assert_str_eq(str(j, "held_mode"), "video");
	json_decref(j);
	ck_assert_msg(in_history(video, "held_mode", "phone", "video"),
		      "the history does not show the correction");

	/* completed without saying: held as booked; no-show: none */
	ck_assert_int_eq(patch_as(&lege, phone, "{\"status\":\"completed\"}", &j), 200);
	ck_assert_str_eq(str(j, "held_mode"), "phone");
	json_decref(j);
	ck_assert_int_eq(patch_as(&lege, phone, "{\"status\":\"no_show\"}", &j), 200);
	ck_assert(json_is_null(json_object_get(j, "held_mode")));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", video);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(str(j, "held_mode"), "video");
	json_decref(j);
}
END_TEST

/* A completion or no-show before the consultation has begun is refused
 * (409 invalid_transition) and changes nothing. */
START_TEST(no_outcome_before_it_begins)
{
	char clins[32];
	long long later;

	snprintf(clins, sizeof(clins), "%lld", clin);
	later = book(pat, clins, "09:00:00", NULL); /* DAY is in the future */
	ck_assert_int_eq(patch_as(&lege, later, "{\"status\":\"completed\"}", NULL), 409);
	ck_assert_int_eq(patch_as(&lege, later, "{\"status\":\"no_show\"}", NULL), 409);
	refused(later, "{\"status\":\"completed\"}", 409, "invalid_transition");
	ck_assert_str_eq(status_of(later, 1), "booked");
}
END_TEST

/* PATCH appointment id with body as the admin: refused with status, code
 * and field, and the appointment's version still version. */
static void refused_field(long long id, const char *body, int status, const char *code,
			  const char *field, long long version)
{
	char path[96];
	struct resp r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	ck_assert(e2e_request(port, "PATCH", path, NULL, body, &r));
	ck_assert_msg(r.status == status, "%s: %s", body, r.raw);
	ck_assert_msg(e2e_is_error(&r, code, field), "%s: %s", body, r.raw);
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), version);
	json_decref(j);
}

/* A completed or no-show appointment is a record of what happened: its
 * time, patient, clinicians, room and mode cannot be changed afterwards
 * (409 invalid_transition naming the field); how it was held can. */
START_TEST(a_held_appointment_keeps_what_happened)
{
	char clins[32], body[200];
	long long done, gone;
	json_t *j;

	snprintf(clins, sizeof(clins), "%lld", clin);
	done = book_at(pat, clins, PAST "T09:00:00", NULL);
	gone = book_at(pat2, clins, PAST "T10:00:00", ",\"mode\":\"phone\"");
	ck_assert_int_eq(patch_as(&lege, done, "{\"status\":\"completed\"}", NULL), 200);
	ck_assert_int_eq(patch_as(&lege, gone, "{\"status\":\"no_show\"}", NULL), 200);

	refused_field(done, "{\"start\":\"" PAST "T12:00:00\"}", 409, "invalid_transition", "start", 2);
	refused_field(done, "{\"end\":\"" PAST "T12:00:00\"}", 409, "invalid_transition", "end", 2);
	refused_field(done, "{\"duration_minutes\":45}", 409, "invalid_transition",
		      "duration_minutes", 2);
	snprintf(body, sizeof(body), "{\"patient_id\":%lld}", pat2);
	refused_field(done, body, 409, "invalid_transition", "patient_id", 2);
	snprintf(body, sizeof(body), "{\"clinician_ids\":[%lld]}", clin2);
	refused_field(done, body, 409, "invalid_transition", "clinician_ids", 2);
	refused_field(done, "{\"mode\":\"phone\"}", 409, "invalid_transition", "mode", 2);
	snprintf(body, sizeof(body), "{\"mode\":\"in_person\",\"room_id\":%lld}", room);
	refused_field(done, body, 409, "invalid_transition", "room_id", 2);
	/* the no-show too: moving it would get round "undo only on its day" */
	refused_field(gone, "{\"start\":\"2030-02-01T09:00:00\"}", 409, "invalid_transition",
		      "start", 2);
	snprintf(body, sizeof(body), "{\"patient_id\":%lld}", pat);
	refused_field(gone, body, 409, "invalid_transition", "patient_id", 2);
	refused_field(gone, "{\"status\":\"booked\",\"start\":\"2030-02-01T09:00:00\"}", 400,
		      "invalid", "status", 2);
	/* an undo carries nothing else, not even the clinic's reference */
	refused_field(gone, "{\"status\":\"booked\",\"reference\":\"ref 12\"}", 400, "invalid",
		      "status", 2);

	/* how it was held stays open to correction */
	ck_assert_int_eq(patch_as(&lege, done, "{\"held_mode\":\"phone\"}", &j), 200);
	ck_assert_str_eq(str(j, "held_mode"), "phone");
	ck_assert_str_eq(str(j, "mode"), "video");
	json_decref(j);
}
END_TEST

/* A clinician marks the outcome and nothing else: the clinic's reference
 * and the status reason are the secretary's (403, changing nothing). */
START_TEST(clinicians_set_no_reference_or_reason)
{
	char clins[32];
	long long a, b;

	snprintf(clins, sizeof(clins), "%lld", clin);
	a = book_at(pat, clins, PAST "T09:00:00", NULL);
	b = book_at(pat2, clins, PAST "T10:00:00", NULL);
	ck_assert_int_eq(patch_as(&lege, a, "{\"status\":\"completed\",\"reference\":\"x\"}", NULL),
			 403);
	ck_assert_int_eq(patch_as(&lege, a, "{\"status\":\"completed\",\"reason\":\"x\"}", NULL),
			 403);
	ck_assert_int_eq(patch_as(&lege, a, "{\"held_mode\":\"phone\",\"reference\":\"x\"}", NULL),
			 403);
	ck_assert_str_eq(status_of(a, 1), "booked");
	ck_assert_int_eq(patch_as(&lege, b, "{\"status\":\"no_show\"}", NULL), 200);
	/* the undo with a reference: refused, not answered 200 ignoring it */
	ck_assert_int_eq(patch_as(&lege, b, "{\"status\":\"booked\",\"reference\":\"x\"}", NULL),
			 403);
	ck_assert_str_eq(status_of(b, 2), "no_show");
}
END_TEST

/* The number to call only while there is a call to make: not on a day
 * that has passed, even for a phone consultation never marked. */
START_TEST(no_patient_phone_on_a_past_day)
{
	char clins[32], path[128];
	long long past, later;
	struct resp r;

	snprintf(clins, sizeof(clins), "%lld", clin);
	past = book_at(pat2, clins, PAST "T09:00:00", ",\"mode\":\"phone\"");
	later = book(pat2, clins, "09:00:00", ",\"mode\":\"phone\"");
	for (int i = 0; i < 2; i++) { /* the second read from the cache */
		snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=" PAST, clin);
		ck_assert(e2e_request_as(port, &lege, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(str(row(r.json, past), "mode"), "phone");
		ck_assert(json_is_null(json_object_get(row(r.json, past), "patient_phone")));
		e2e_resp_free(&r);
		r.json = day(&lege, clin, 200);
		ck_assert_str_eq(str(row(r.json, later), "patient_phone"), "+4798765432");
		json_decref(r.json);
	}
}
END_TEST

/* The server started again on the same database with its clock at
 * instant (--clock-offset; NULL: the real time), the clinician logged in
 * again. */
static void restart_at(const char *instant)
{
	char offset[32] = "0";
	const char *extra[] = {"--clock-offset", offset, VIDEO_URLS, NULL};
	int64_t at;
	int status;

	if (instant) {
		ck_assert_int_eq(timeutil_parse_instant(instant, &at, &(const char *){0}), APP_OK);
		snprintf(offset, sizeof(offset), "%lld", (long long)(at - time(NULL)));
	}
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_start(&srv, srv.dir, extra);
	port = srv.port;
	ck_assert(e2e_login(port, "dag", E2E_PASSWORD, &lege, &status));
}

/* A poll whose answer is made again (the server started afresh, as after
 * any change in the clinic: nothing kept, nothing remembered as logged)
 * and is still the one the poll holds is a 304 that shows nothing, so it
 * audits nothing; the same read with no tag is audited. */
START_TEST(a_poll_answered_304_is_not_audited)
{
	char clins[32], dpath[128], bpath[96], a[64], b[64], x[64];
	int days, boards;

	snprintf(clins, sizeof(clins), "%lld", clin);
	book(pat, clins, "11:00:00", NULL);
	snprintf(dpath, sizeof(dpath), "/api/v1/clinicians/%lld/day?date=" DAY, clin);
	snprintf(bpath, sizeof(bpath), "/api/v1/appointments/board?date=" DAY);
	poll(&lege, dpath, NULL, 200, a, sizeof(a));
	poll(NULL, bpath, NULL, 200, b, sizeof(b));
	days = e2e_audited(port, pat, "day.read");
	boards = e2e_audited(port, pat, "appointment.board");
	ck_assert_int_ge(days, 1);
	ck_assert_int_ge(boards, 1);
	restart_at(NULL);
	poll(&lege, dpath, a, 304, x, sizeof(x));
	poll(NULL, bpath, b, 304, x, sizeof(x));
	ck_assert_int_eq(e2e_audited(port, pat, "day.read"), days);
	ck_assert_int_eq(e2e_audited(port, pat, "appointment.board"), boards);
	/* a tag it does not hold: the answer is shown, and audited */
	poll(&lege, dpath, "\"other\"", 200, x, sizeof(x));
	poll(NULL, bpath, NULL, 200, x, sizeof(x));
	ck_assert_int_eq(e2e_audited(port, pat, "day.read"), days + 1);
	ck_assert_int_eq(e2e_audited(port, pat, "appointment.board"), boards + 1);
}
END_TEST

/* The number of messages of appointment id, read as the admin. */
static size_t messages_of(long long id)
{
	char path[128];
	json_t *j;
	size_t n;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", id);
	j = e2e_json(port, "GET", path, NULL, 200);
	n = json_array_size(j);
	json_decref(j);
	return n;
}

/* A no-show marked by mistake is undone the same day, back to the status
 * it had (no other, so no answer is made up), by itself, with a history
 * row and no message to the patient; the next day it stays a no-show
 * (409 invalid_transition), though it may still become completed. */
START_TEST(no_show_undone_the_same_day)
{
	char clins[32], path[128], token[E2E_TOKEN_LEN + 1];
	long long id, other;
	size_t messages;
	json_t *j;

	restart_at(DAY "T08:00:00+01:00");
	snprintf(clins, sizeof(clins), "%lld", clin);
	id = book(pat, clins, "09:00:00", NULL);
	e2e_invite(port, id, token);
	other = book(pat2, clins, "10:00:00", NULL);
	restart_at(DAY "T12:00:00+01:00");
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"no_show\"}", NULL), 200);
	ck_assert_int_eq(patch_as(&lege, other, "{\"status\":\"no_show\"}", NULL), 200);
	messages = messages_of(id);

	/* refused, changing nothing: not to another status than it had, not
	 * to one that is not open, not with other changes */
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"confirmed\"}", NULL), 409);
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"booked\"}", NULL), 409);
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"opted_out\"}", NULL), 403);
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"invited\",\"duration_minutes\":45}",
				  NULL),
			 403);
	refused(id, "{\"status\":\"invited\",\"duration_minutes\":45}", 400, "invalid");
	refused(id, "{\"status\":\"opted_out\"}", 409, "invalid_transition");
	ck_assert_str_eq(status_of(id, 3), "no_show");

	/* undone by the clinician: invited again, as it was */
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"invited\"}", &j), 200);
	ck_assert_str_eq(str(j, "status"), "invited");
	json_decref(j);
	ck_assert_msg(in_history(id, "status", "no_show", "invited"),
		      "the history does not show the undo");
	ck_assert_uint_eq(messages_of(id), messages);
	/* and marked again, then undone again */
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"no_show\"}", NULL), 200);
	ck_assert_int_eq(patch_as(&lege, id, "{\"status\":\"invited\"}", NULL), 200);

	/* the next day it stays a no-show, but may still be corrected */
	restart_at("2030-01-16T08:00:00+01:00");
	ck_assert_int_eq(patch_as(&lege, other, "{\"status\":\"booked\"}", NULL), 409);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", other);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(str(j, "status"), "no_show");
	json_decref(j);
	ck_assert_int_eq(patch_as(&lege, other, "{\"status\":\"completed\"}", NULL), 200);
}
END_TEST

/* The text of property kind of ev, or "". */
static const char *prop(icalcomponent *ev, icalproperty_kind kind)
{
	icalproperty *p = icalcomponent_get_first_property(ev, kind);
	const char *s = p ? icalproperty_get_value_as_string(p) : NULL;
	return s ? s : "";
}

/* GET url's path (from "/api/"); its status, and the body in *body (freed by
 * the caller) when 200. */
static int fetch(const char *url, char **body)
{
	struct resp r;
	int status;

	ck_assert(e2e_request_as(port, NULL, "GET", strstr(url, "/api/"), NULL, NULL, &r));
	status = r.status;
	*body = status == 200 ? strdup(r.body) : NULL;
	if (status == 200) {
		char ct[80];
		ck_assert_str_eq(e2e_header(&r, "Content-Type", ct, sizeof(ct)),
				 "text/calendar; charset=utf-8");
		ck_assert_str_eq(e2e_header(&r, "Cache-Control", ct, sizeof(ct)), "no-store");
	} else {
		ck_assert(e2e_is_error(&r, "not_found", NULL));
	}
	e2e_resp_free(&r);
	return status;
}

/* POST the clinician's feed as s; the new address into out (600) on 201. */
static void feed_url(const struct session *s, long long c, const char *body, int want, char *out)
{
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/calendar-feed", c);
	ck_assert(e2e_request_as(port, s, "POST", path, NULL, body, &r));
	ck_assert_msg(r.status == want, "%s", r.raw);
	if (want == 201) {
		ck_assert_ptr_nonnull(strstr(str(r.json, "url"), "/api/v1/calendar-feeds/"));
		snprintf(out, 600, "%s", str(r.json, "url"));
	}
	e2e_resp_free(&r);
}

START_TEST(calendar_feed)
{
	char clins[32], body[200], url[600], old[600], path[128], start[40], date[11], *text;
	long long video, in_person, cancelled;
	icalcomponent *cal, *ev;
	bool saw_video = false, saw_room = false;
	struct resp r;
	int n = 0;

	/* three days ahead: inside the feed's window whatever the clock says */
	timeutil_format_date(time(NULL) + 3 * 86400, date);
	snprintf(clins, sizeof(clins), "%lld", clin);
	snprintf(body, sizeof(body), ",\"mode\":\"in_person\",\"room_id\":%lld", room);
	snprintf(start, sizeof(start), "%sT09:00:00", date);
	video = book_at(pat, clins, start, NULL);
	snprintf(start, sizeof(start), "%sT10:00:00", date);
	in_person = book_at(pat2, clins, start, body);
	snprintf(start, sizeof(start), "%sT11:00:00", date);
	cancelled = book_at(pat2, clins, start, NULL);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", cancelled);
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));

	/* not for another clinician's; bad input changes nothing */
	feed_url(&lege2, clin, NULL, 403, NULL);
	feed_url(&lege, clin, "{\"language\":\"de\"}", 400, NULL);
	feed_url(&lege, clin, "{\"colour\":\"red\"}", 400, NULL);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/calendar-feed", clin);
	ck_assert(e2e_request_as(port, &lege, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	e2e_resp_free(&r);

	feed_url(&lege, clin, NULL, 201, url);
	ck_assert_int_eq(fetch(url, &text), 200);
	cal = icalparser_parse_string(text);
	ck_assert_ptr_nonnull(cal);
	ck_assert_int_eq(icalcomponent_get_method(cal), ICAL_METHOD_NONE); /* a subscription */
	for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
		char uid[64];
		n++;
		ck_assert_ptr_nonnull(strstr(prop(ev, ICAL_URL_PROPERTY), "/#/day/"));
		ck_assert_ptr_nonnull(strstr(prop(ev, ICAL_URL_PROPERTY), date));
		snprintf(uid, sizeof(uid), "timebok-%lld@", video);
		if (!strncmp(icalcomponent_get_uid(ev), uid, strlen(uid))) {
			saw_video = true;
			ck_assert_str_eq(icalcomponent_get_summary(ev), "Videokonsultasjon");
		}
		snprintf(uid, sizeof(uid), "timebok-%lld@", in_person);
		if (!strncmp(icalcomponent_get_uid(ev), uid, strlen(uid))) {
			saw_room = true;
			ck_assert_str_eq(icalcomponent_get_location(ev), "Rom 7, Bygg C");
		}
	}
	icalcomponent_free(cal);
	ck_assert_int_eq(n, 2); /* the cancelled one has left the calendar */
	ck_assert(saw_video && saw_room);
	/* no patient data, and not the meeting link either */
	ck_assert_ptr_null(strstr(text, "Dagsliste"));
	ck_assert_ptr_null(strstr(text, "Ola"));
	ck_assert_ptr_null(strstr(text, "4791234567"));
	ck_assert_ptr_null(strstr(text, "kari@"));
	ck_assert_ptr_null(strstr(text, "meet.example.org"));
	ck_assert_ptr_null(strstr(text, "host.example.org"));
	free(text);

	/* the metadata never shows the address again */
	ck_assert(e2e_request_as(port, &lege, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "url"));
	ck_assert_str_eq(str(r.json, "created_by"), "dag");
	e2e_resp_free(&r);

	/* a new one revokes the old; a delete revokes it */
	snprintf(old, sizeof(old), "%s", url);
	feed_url(&lege, clin, "{\"language\":\"en\"}", 201, url);
	ck_assert_int_eq(fetch(old, &text), 404);
	ck_assert_int_eq(fetch(url, &text), 200);
	ck_assert_ptr_nonnull(strstr(text, "SUMMARY:Video consultation"));
	free(text);
	ck_assert(e2e_request_as(port, &lege2, "DELETE", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 403);
	e2e_resp_free(&r);
	ck_assert(e2e_request_as(port, &lege, "DELETE", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 204);
	e2e_resp_free(&r);
	ck_assert_int_eq(fetch(url, &text), 404);
	ck_assert(e2e_request_as(port, &lege, "DELETE", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	e2e_resp_free(&r);
	/* an unknown token: the same 404 */
	ck_assert_int_eq(
		fetch("/api/v1/calendar-feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/calendar.ics",
		      &text),
		404);
}
END_TEST

/* A GET of path as s (NULL: the admin) with If-None-Match inm (NULL: none):
 * its status, and its ETag into tag. */
static int poll_as(const struct session *s, const char *path, const char *inm, char *tag,
		   size_t cap)
{
	char hdr[200];
	struct resp r;
	int status;

	if (inm)
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", inm);
	ck_assert(s ? e2e_request_as(port, s, "GET", path, inm ? hdr : NULL, NULL, &r)
		    : e2e_request(port, "GET", path, inm ? hdr : NULL, NULL, &r));
	status = r.status;
	if (status == 304)
		ck_assert_uint_eq(r.body_len, 0);
	tag[0] = '\0';
	e2e_header(&r, "ETag", tag, cap);
	e2e_resp_free(&r);
	return status;
}

/* Each change another user makes to what the list shows (a booking, a
 * patient's name, a guest, a cancel) gives a 200 with a new tag to a poll
 * with the old one, and the next poll with the new tag is a 304 again. */
static void changed(const struct session *s, const char *path, char *tag, size_t cap)
{
	char now[64];

	ck_assert_int_eq(poll_as(s, path, tag, now, sizeof(now)), 200);
	ck_assert_str_ne(now, tag);
	ck_assert_int_eq(poll_as(s, path, now, tag, cap), 304);
	ck_assert_str_eq(now, tag);
}

/* A clinician named name in unit. */
static long long unit_clinician(const char *name, long long unit)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"profession\":\"lege\",\"unit_id\":%lld}",
		 name, unit);
	return e2e_make(port, "clinicians", body);
}

START_TEST(a_poll_is_304_only_while_nothing_the_asker_sees_changed)
{
	char body[200], dpath[128], lpath[200], upath[200], clins[32], t_day[64], t_list[64],
		t_unit[64], t[64], t2[64], inm[200];
	long long unit_a, unit_b, ca, cb, id, other, sek_a_id;
	struct session sek_a, sek_b, lege_a;
	struct resp r;

	unit_a = e2e_make(port, "units", "{\"name\":\"Poll A\"}");
	unit_b = e2e_make(port, "units", "{\"name\":\"Poll B\"}");
	ca = unit_clinician("Lege A", unit_a);
	cb = unit_clinician("Lege B", unit_b);
	sek_a_id = account("poll-sek-a", "secretary", 0, unit_a, &sek_a);
	account("poll-sek-b", "secretary", 0, unit_b, &sek_b);
	user("poll-lege-a", ca, &lege_a);
	snprintf(clins, sizeof(clins), "%lld", ca);
	id = book(pat, clins, "09:00:00", NULL);
	snprintf(clins, sizeof(clins), "%lld", cb);
	other = book(pat2, clins, "09:00:00", NULL);
	snprintf(dpath, sizeof(dpath), "/api/v1/clinicians/%lld/day?date=" DAY, ca);
	snprintf(lpath, sizeof(lpath),
		 "/api/v1/appointments?from=" DAY "T00:00:00%%2B01:00&to=" DAY
		 "T23:59:59%%2B01:00&unit_id=%lld",
		 unit_a);
	snprintf(upath, sizeof(upath),
		 "/api/v1/appointments?from=" DAY "T00:00:00%%2B01:00&to=" DAY
		 "T23:59:59%%2B01:00");

	/* the first answer made afresh, the next from the cache, then the poll:
	 * one tag for the same bytes whichever path made them */
	ck_assert_int_eq(poll_as(&lege_a, dpath, NULL, t_day, sizeof(t_day)), 200);
	ck_assert_int_eq(poll_as(&lege_a, dpath, NULL, t, sizeof(t)), 200);
	ck_assert_str_eq(t, t_day);
	ck_assert_int_eq(poll_as(&lege_a, dpath, t_day, t, sizeof(t)), 304);
	ck_assert_str_eq(t, t_day);
	ck_assert_int_eq(poll_as(&sek_a, lpath, NULL, t_list, sizeof(t_list)), 200);
	ck_assert_int_eq(poll_as(&sek_a, lpath, t_list, t, sizeof(t)), 304);
	ck_assert_str_eq(t, t_list);
	ck_assert_int_eq(poll_as(&sek_a, upath, NULL, t_unit, sizeof(t_unit)), 200);

	/* a change nobody here sees (another unit's booking): the cache is
	 * stale, the answer is made again, its bytes and so its tag are the
	 * same: still 304 */
	snprintf(body, sizeof(body), "/api/v1/appointments/%lld", other);
	json_decref(e2e_json(port, "PATCH", body, "{\"mode\":\"phone\"}", 200));
	ck_assert_int_eq(poll_as(&lege_a, dpath, t_day, t, sizeof(t)), 304);
	ck_assert_str_eq(t, t_day);
	ck_assert_int_eq(poll_as(&sek_a, upath, t_unit, t, sizeof(t)), 304);
	ck_assert_str_eq(t, t_unit);

	/* RFC 9110 13.1.2: weak comparison, lists and "*" */
	snprintf(inm, sizeof(inm), "W/%s", t_day);
	ck_assert_int_eq(poll_as(&lege_a, dpath, inm, t, sizeof(t)), 304);
	snprintf(inm, sizeof(inm), "\"a\", W/\"b\",%s", t_day);
	ck_assert_int_eq(poll_as(&lege_a, dpath, inm, t, sizeof(t)), 304);
	ck_assert_int_eq(poll_as(&lege_a, dpath, "*", t, sizeof(t)), 304);
	ck_assert_str_eq(t, t_day);
	snprintf(inm, sizeof(inm), "\"a\", \"b\"");
	ck_assert_int_eq(poll_as(&lege_a, dpath, inm, t, sizeof(t)), 200);
	ck_assert_str_eq(t, t_day);
	snprintf(inm, sizeof(inm), "%.*s", (int)strlen(t_day) - 2, t_day + 1); /* unquoted */
	ck_assert_int_eq(poll_as(&lege_a, dpath, inm, t, sizeof(t)), 200);
	snprintf(inm, sizeof(inm), "%.*sx\"", (int)strlen(t_day) - 1, t_day); /* one more */
	ck_assert_int_eq(poll_as(&lege_a, dpath, inm, t, sizeof(t)), 200);

	/* other askers holding these tags: a list they may not see is refused as
	 * without a tag, and a list of their own has its own tag */
	ck_assert_int_eq(poll_as(&lege2, dpath, t_day, t, sizeof(t)), 403);
	ck_assert_int_eq(poll_as(&lege2, dpath, "*", t, sizeof(t)), 403);
	ck_assert_int_eq(poll_as(&sek_b, dpath, t_day, t, sizeof(t)), 403);
	ck_assert_int_eq(poll_as(&sek_b, lpath, t_list, t2, sizeof(t2)), 200); /* none of A's rows */
	ck_assert_str_ne(t2, t_list);
	ck_assert_int_eq(poll_as(&sek_b, lpath, "*", t2, sizeof(t2)), 304);	/* their own: "[]" */
	ck_assert_int_eq(poll_as(&sek_b, upath, t_unit, t2, sizeof(t2)), 200);
	ck_assert_str_ne(t2, t_unit);
	snprintf(body, sizeof(body), "/api/v1/clinicians/%lld/day?date=" DAY, cb);
	ck_assert_int_eq(poll_as(&sek_b, body, t_day, t2, sizeof(t2)), 200);
	ck_assert_str_ne(t2, t_day);
	snprintf(body, sizeof(body), "/api/v1/clinicians/99999/day?date=" DAY);
	ck_assert_int_eq(poll_as(NULL, body, "*", t, sizeof(t)), 404);
	/* a session that ended: 401, never 304 */
	ck_assert(e2e_request_as(port, &lege_a, "DELETE", "/api/v1/session", NULL, NULL, &r));
	e2e_resp_free(&r);
	ck_assert_int_eq(poll_as(&lege_a, dpath, t_day, t, sizeof(t)), 401);
	user("poll-lege-a2", ca, &lege_a);
	ck_assert_int_eq(poll_as(&lege_a, dpath, t_day, t, sizeof(t)), 304);

	/* changes by another user (the admin), each seen at the next poll */
	snprintf(clins, sizeof(clins), "%lld", ca);
	book(pat2, clins, "11:00:00", NULL);
	changed(&lege_a, dpath, t_day, sizeof(t_day));
	changed(&sek_a, lpath, t_list, sizeof(t_list));
	snprintf(body, sizeof(body), "/api/v1/patients/%lld", pat);
	json_decref(e2e_json(port, "PATCH", body, "{\"name\":\"Kari Nytt Navn\"}", 200));
	changed(&lege_a, dpath, t_day, sizeof(t_day));
	changed(&sek_a, lpath, t_list, sizeof(t_list));
	snprintf(body, sizeof(body), "appointments/%lld/participants", id);
	e2e_make(port, body, "{\"name\":\"Tolk Anna\",\"role\":\"interpreter\","
			     "\"interpreter_language\":\"polsk\"}");
	changed(&lege_a, dpath, t_day, sizeof(t_day));
	snprintf(body, sizeof(body), "/api/v1/appointments/%lld", id);
	ck_assert(e2e_request(port, "DELETE", body, NULL, NULL, &r));
	ck_assert_int_lt(r.status, 300);
	e2e_resp_free(&r);
	changed(&lege_a, dpath, t_day, sizeof(t_day));
	changed(&sek_a, lpath, t_list, sizeof(t_list));
	/* the secretary moved to unit B: at once no 304 for unit A's lists */
	snprintf(body, sizeof(body), "/api/v1/users/%lld", sek_a_id);
	snprintf(inm, sizeof(inm), "{\"unit_ids\":[%lld]}", unit_b);
	json_decref(e2e_json(port, "PATCH", body, inm, 200));
	ck_assert_int_eq(poll_as(&sek_a, dpath, "*", t, sizeof(t)), 403);
	ck_assert_int_eq(poll_as(&sek_a, lpath, t_list, t, sizeof(t)), 200);
	ck_assert_str_ne(t, t_list);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_day");
	TCase *tc = tcase_create("day");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, day_list_has_what_the_clinician_needs);
	tcase_add_test(tc, only_their_own_day);
	tcase_add_test(tc, a_missing_clinician_is_404_before_a_bad_date);
	tcase_add_test(tc, list_follows_the_patients_answer);
	tcase_add_test(tc, outcome_and_how_it_was_held);
	tcase_add_test(tc, no_outcome_before_it_begins);
	tcase_add_test(tc, a_held_appointment_keeps_what_happened);
	tcase_add_test(tc, clinicians_set_no_reference_or_reason);
	tcase_add_test(tc, no_patient_phone_on_a_past_day);
	tcase_add_test(tc, no_show_undone_the_same_day);
	tcase_add_test(tc, calendar_feed);
	tcase_add_test(tc, polling_a_list_that_did_not_change_is_304);
	tcase_add_test(tc, a_poll_answered_304_is_not_audited);
	tcase_add_test(tc, a_poll_is_304_only_while_nothing_the_asker_sees_changed);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
