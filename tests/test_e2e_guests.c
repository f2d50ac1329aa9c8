/*
 * test_e2e_guests.c - a many-party meeting as staff and guests see it,
 * against the real binary: each message names its recipient (the patient,
 * each guest with role and language), so six of them can be told apart;
 * a guest's page says whom the meeting is about with the patient's
 * initials and birth year, or the clinic's own reference, and never the
 * name, birth number or contact data; the reference is validated (a
 * refusal changes nothing) and kept in the history; GET /me carries the
 * participant limits the page shows before they are hit.
 */
#define _GNU_SOURCE
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "e2e.h"

static struct server srv;
static int port;
static long long clin, clin2, pat;

static void setup(void)
{
	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	clin = e2e_make(port, "clinicians",
			"{\"name\":\"Dr Ingrid Solheim\",\"profession\":\"lege\"}");
	clin2 = e2e_make(port, "clinicians",
			 "{\"name\":\"Sykepleier Per Berg\",\"profession\":\"sykepleier\"}");
	pat = e2e_make(port, "patients",
		       "{\"name\":\"Kari Nordmann\",\"phone\":\"+4791234567\","
		       "\"email\":\"kari@example.no\",\"national_id\":\"15076500565\"}");
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long book(const char *extra)
{
	char body[600];
	long long id;
	json_t *j;

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld,%lld],"
		 "\"start\":\"2027-03-01T09:00:00+01:00\",\"duration_minutes\":45%s}",
		 pat, clin, clin2, extra ? extra : "");
	j = e2e_json(port, "POST", "/api/v1/appointments", body, 201);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* Add the guest json to appointment id; its participant id. */
static long long add_guest(long long id, const char *json)
{
	char what[96];

	snprintf(what, sizeof(what), "appointments/%lld/participants", id);
	return e2e_make(port, what, json);
}

/* Invite guest pid of id; the token of their link into token. */
static void invite_guest(long long id, long long pid, char token[E2E_TOKEN_LEN + 1])
{
	char path[128];
	const char *url;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld/invitations", id,
		 pid);
	j = e2e_json(port, "POST", path, NULL, 201);
	url = strstr(str(j, "url"), "/i/");
	ck_assert_ptr_nonnull(url);
	snprintf(token, E2E_TOKEN_LEN + 1, "%s", url + 3);
	json_decref(j);
}

/* The link token's view, raw (caller frees r). */
static void view(const char *token, struct resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/invite/%s", token);
	ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, r));
	ck_assert_int_eq(r->status, 200);
}

static bool body_has(const struct resp *r, const char *needle)
{
	return memmem(r->body, r->body_len, needle, strlen(needle)) != NULL;
}

static json_t *appt(long long id)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	return e2e_json(port, "GET", path, NULL, 200);
}

START_TEST(messages_name_their_recipients)
{
	long long id = book(NULL), gp, tolk, nav;
	char token[E2E_TOKEN_LEN + 1], path[128], seen[8][200];
	int nseen = 0, guests = 0, patient = 0;
	json_t *m, *v, *who;
	size_t i;

	gp = add_guest(id, "{\"name\":\"Fastlege Åse Ødegård\",\"role\":\"gp\","
			   "\"phone\":\"912 34 000\",\"email\":\"ase@legekontor.no\"}");
	tolk = add_guest(id, "{\"name\":\"Tolk Anna\",\"role\":\"interpreter\","
			     "\"interpreter_language\":\"polsk\",\"phone\":\"+47 922 22 222\"}");
	nav = add_guest(id, "{\"name\":\"Ola Veileder\",\"role\":\"nav\","
			    "\"email\":\"ola@nav.no\"}");
	e2e_invite(port, id, token);
	invite_guest(id, gp, token);
	invite_guest(id, tolk, token);
	invite_guest(id, nav, token);
	m = e2e_settled(port, id);
	ck_assert_int_eq(json_array_size(m), 6); /* patient 2, GP 2, interpreter 1, NAV 1 */
	json_array_foreach(m, i, v)
	{
		char key[200];
		who = json_object_get(v, "recipient");
		ck_assert(json_is_object(who));
		ck_assert(json_is_false(json_object_get(who, "removed")));
		if (!strcmp(str(who, "kind"), "patient")) {
			patient++;
			ck_assert_str_eq(str(who, "name"), "Kari Nordmann");
			ck_assert(json_is_null(json_object_get(who, "role")));
		} else {
			ck_assert_str_eq(str(who, "kind"), "guest");
			guests++;
			if (json_integer_value(json_object_get(v, "participant_id")) == tolk) {
				ck_assert_str_eq(str(who, "role"), "interpreter");
				ck_assert_str_eq(str(who, "interpreter_language"), "polsk");
				ck_assert_str_eq(str(who, "name"), "Tolk Anna");
			} else {
				ck_assert(
				    json_is_null(json_object_get(who, "interpreter_language")));
			}
			if (json_integer_value(json_object_get(v, "participant_id")) == gp) {
				ck_assert_str_eq(str(who, "role"), "gp");
				ck_assert_str_eq(str(who, "name"), "Fastlege Åse Ødegård");
			}
			if (json_integer_value(json_object_get(v, "participant_id")) == nav)
				ck_assert_str_eq(str(who, "role"), "nav");
		}
		/* who and how: no two rows alike */
		snprintf(key, sizeof(key), "%s|%s|%s", str(who, "name"), str(who, "role"),
			 str(v, "channel"));
		for (int k = 0; k < nseen; k++)
			ck_assert_str_ne(seen[k], key);
		snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);
	}
	ck_assert_int_eq(patient, 2);
	ck_assert_int_eq(guests, 4);
	json_decref(m);
	/* a removed guest's messages stay readable, marked removed */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld", id, tolk);
	json_decref(e2e_json(port, "DELETE", path, NULL, 204));
	m = e2e_settled(port, id);
	json_array_foreach(m, i, v)
	{
		bool is_tolk = json_integer_value(json_object_get(v, "participant_id")) == tolk;
		who = json_object_get(v, "recipient");
		ck_assert(json_is_boolean(json_object_get(who, "removed")));
		ck_assert(json_is_true(json_object_get(who, "removed")) == is_tolk);
	}
	json_decref(m);
}
END_TEST

START_TEST(guest_sees_initials_and_birth_year_only)
{
	long long id = book(NULL), gp;
	char token[E2E_TOKEN_LEN + 1], ptoken[E2E_TOKEN_LEN + 1], path[96];
	json_t *j, *about;
	struct resp r;

	gp = add_guest(id, "{\"name\":\"Fastlege Åse\",\"role\":\"gp\",\"phone\":\"91234000\"}");
	e2e_invite(port, id, ptoken);
	invite_guest(id, gp, token);
	view(token, &r);
	j = json_loadb(r.body, r.body_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	about = json_object_get(j, "about");
	ck_assert(json_is_object(about));
	ck_assert_int_eq(json_object_size(about), 3);
	ck_assert_str_eq(str(about, "initials"), "K.N.");
	ck_assert_int_eq(json_integer_value(json_object_get(about, "birth_year")), 1965);
	ck_assert(json_is_null(json_object_get(about, "reference")));
	json_decref(j);
	/* nothing more of the patient: no name, birth number, date, phone, e-mail */
	ck_assert(!body_has(&r, "Kari"));
	ck_assert(!body_has(&r, "Nordmann"));
	ck_assert(!body_has(&r, "15076500565"));
	ck_assert(!body_has(&r, "1965-07-15"));
	ck_assert(!body_has(&r, "91234567"));
	ck_assert(!body_has(&r, "kari@example.no"));
	e2e_resp_free(&r);
	/* the patient's own view has no "about" */
	view(ptoken, &r);
	ck_assert(!body_has(&r, "\"about\""));
	e2e_resp_free(&r);

	/* the clinic's reference, when set, instead of the initials and year */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(
	    e2e_json(port, "PATCH", path, "{\"reference\":\" Henvisning 2026-114 \"}", 200));
	j = appt(id);
	ck_assert_str_eq(str(j, "reference"), "Henvisning 2026-114"); /* trimmed */
	json_decref(j);
	view(token, &r);
	j = json_loadb(r.body, r.body_len, 0, NULL);
	about = json_object_get(j, "about");
	ck_assert_str_eq(str(about, "reference"), "Henvisning 2026-114");
	ck_assert(json_is_null(json_object_get(about, "initials")));
	ck_assert(json_is_null(json_object_get(about, "birth_year")));
	ck_assert(!body_has(&r, "K.N."));
	ck_assert(!body_has(&r, "1965"));
	json_decref(j);
	e2e_resp_free(&r);
	/* cleared (null): the initials again */
	json_decref(e2e_json(port, "PATCH", path, "{\"reference\":null}", 200));
	view(token, &r);
	ck_assert(body_has(&r, "\"initials\":\"K.N.\""));
	e2e_resp_free(&r);
}
END_TEST

/* The guest's view of token: status and video_url (static storage). */
static const char *guest_status(const char *token, char *video, size_t cap)
{
	static char out[32];
	struct resp r;
	json_t *j;

	view(token, &r);
	j = json_loadb(r.body, r.body_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(str(j, "audience"), "guest");
	snprintf(out, sizeof(out), "%s", str(j, "status"));
	snprintf(video, cap, "%s", str(j, "video_url"));
	json_decref(j);
	e2e_resp_free(&r);
	return out;
}

/* POST the patient's answer action through token. */
static void patient_answers(const char *token, const char *action)
{
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/invite/%s/%s", token, action);
	ck_assert(e2e_request_as(port, NULL, "POST", path, NULL, NULL, &r));
	ck_assert_msg(r.status == 200, "%s", r.raw);
	e2e_resp_free(&r);
}

/* A guest sees the meeting's state, never the patient's own answer: the
 * meeting is on ("booked") whether the patient was invited, confirmed or
 * opted out of video, with the video link while the meeting is still by
 * video; "cancelled" once cancelled. */
START_TEST(guest_sees_the_meeting_not_the_patients_answer)
{
	long long id = book(NULL), gp;
	char token[E2E_TOKEN_LEN + 1], ptoken[E2E_TOKEN_LEN + 1], path[96], video[512];
	json_t *j;

	gp = add_guest(id,
		       "{\"name\":\"Fastlege Åse\",\"role\":\"gp\",\"email\":\"gp@example.org\"}");
	e2e_invite(port, id, ptoken);
	invite_guest(id, gp, token);
	ck_assert_str_eq(guest_status(token, video, sizeof(video)), "booked");
	j = appt(id);
	ck_assert_str_eq(str(j, "status"), "invited");
	ck_assert_str_eq(str(j, "mode"), "video");
	json_decref(j);
	patient_answers(ptoken, "confirm");
	ck_assert_str_eq(guest_status(token, video, sizeof(video)), "booked");
	patient_answers(ptoken, "opt-out");
	j = appt(id);
	ck_assert_str_eq(str(j, "status"), "opted_out");
	ck_assert_str_eq(str(j, "mode"), "video"); /* until the clinic re-books it */
	ck_assert_str_eq(guest_status(token, video, sizeof(video)), "booked");
	ck_assert_str_eq(video, str(j, "video_url")); /* the guest can still join */
	ck_assert_int_eq(strncmp(video, "https://", 8), 0);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	ck_assert_str_eq(guest_status(token, video, sizeof(video)), "cancelled");
	ck_assert_str_eq(video, "");
}
END_TEST

START_TEST(initials_of_names_as_they_come)
{
	static const struct {
		const char *name, *initials;
	} cases[] = {
	    {"Per-Olav  Hansen", "P.O.H."},
	    {"Åse Øvrebø Ødegård", "Å.Ø.Ø."},
	    {"Ng", "N."},
	};
	char body[200], token[E2E_TOKEN_LEN + 1], want[64];
	struct resp r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long p, id, g;
		json_t *j;

		snprintf(body, sizeof(body), "{\"name\":\"%s\"}", cases[i].name);
		p = e2e_make(port, "patients", body);
		snprintf(body, sizeof(body),
			 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],"
			 "\"start\":\"2027-03-0%zuT12:00:00+01:00\",\"duration_minutes\":30}",
			 p, clin, i + 2);
		j = e2e_json(port, "POST", "/api/v1/appointments", body, 201);
		id = json_integer_value(json_object_get(j, "id"));
		json_decref(j);
		g = add_guest(id, "{\"name\":\"Tolk\",\"role\":\"interpreter\","
				  "\"interpreter_language\":\"arabisk\",\"email\":\"t@tolk.no\"}");
		invite_guest(id, g, token);
		view(token, &r);
		snprintf(want, sizeof(want), "\"initials\":\"%s\"", cases[i].initials);
		ck_assert_msg(body_has(&r, want), "%s: %.*s", cases[i].name, (int)r.body_len,
			      r.body);
		ck_assert(body_has(&r, "\"birth_year\":null")); /* no birth number: unknown */
		e2e_resp_free(&r);
	}
}
END_TEST

START_TEST(reference_is_checked_and_kept_in_the_history)
{
	static const char *const bad[] = {
	    "{\"reference\":\"12345678901234567890123456789012345678901\"}", /* 41 */
	    "{\"reference\":42}",
	    "{\"reference\":\"line\\nbreak\"}",
	    "{\"reference\":\"bell\\u0007\"}",
	};
	long long id = book(",\"reference\":\"ØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØØ\"");
	char path[96], body[400];
	json_t *j, *h, *v;
	struct resp r;
	long long version;
	size_t i;
	bool noted = false;

	j = appt(id); /* 40 characters of two bytes each: within the limit */
	ck_assert_int_eq(strlen(str(j, "reference")), 80);
	version = json_integer_value(json_object_get(j, "version"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(e2e_request(port, "PATCH", path, NULL, bad[i], &r));
		ck_assert_msg(e2e_is_error(&r, "invalid", "reference"), "%s: %d %.*s", bad[i],
			      r.status, (int)r.body_len, r.body);
		e2e_resp_free(&r);
	}
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments", NULL,
			      "{\"patient_id\":1,\"clinician_ids\":[1],\"start\":"
			      "\"2027-03-02T09:00:00+01:00\",\"duration_minutes\":30,"
			      "\"reference\":\"12345678901234567890123456789012345678901\"}",
			      &r));
	ck_assert(e2e_is_error(&r, "invalid", "reference"));
	e2e_resp_free(&r);
	j = appt(id); /* refusals changed nothing */
	ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), version);
	ck_assert_int_eq(strlen(str(j, "reference")), 80);
	json_decref(j);
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT count(*) FROM appointments"), 1);
	/* blank is none; the change is in the history */
	json_decref(e2e_json(port, "PATCH", path, "{\"reference\":\"   \"}", 200));
	j = appt(id);
	ck_assert(json_is_null(json_object_get(j, "reference")));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", id);
	h = e2e_json(port, "GET", path, NULL, 200);
	json_array_foreach(h, i, v)
	{
		json_t *c = json_object_get(json_object_get(v, "changes"), "reference");
		if (c && json_is_object(c) && json_is_null(json_object_get(c, "new")))
			noted = true;
	}
	ck_assert(noted);
	json_decref(h);
	/* a series carries its reference to each appointment, and refuses a
	 * bad one with nothing booked */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":"
		 "\"2027-04-06T09:00:00+02:00\",\"duration_minutes\":30,"
		 "\"repeat\":{\"every_weeks\":1,\"count\":3},\"reference\":\"Serie 7\"}",
		 pat, clin);
	j = e2e_json(port, "POST", "/api/v1/appointments/series", body, 201);
	ck_assert_int_eq(json_array_size(json_object_get(j, "appointments")), 3);
	json_array_foreach(json_object_get(j, "appointments"), i, v)
		ck_assert_str_eq(str(v, "reference"), "Serie 7");
	json_decref(j);
	ck_assert(e2e_request(port, "POST", "/api/v1/appointments/series", NULL,
			      "{\"patient_id\":1,\"clinician_ids\":[1],\"start\":"
			      "\"2027-05-04T09:00:00+02:00\",\"duration_minutes\":30,"
			      "\"repeat\":{\"every_weeks\":1,\"count\":2},\"reference\":\"a\\tb\"}",
			      &r));
	ck_assert(e2e_is_error(&r, "invalid", "reference"));
	e2e_resp_free(&r);
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT count(*) FROM appointments"), 4);
}
END_TEST

START_TEST(me_carries_the_participant_limits)
{
	json_t *me = e2e_json(port, "GET", "/api/v1/me", NULL, 200);

	ck_assert_int_eq(json_integer_value(json_object_get(me, "video_max_participants")), 8);
	ck_assert_int_eq(json_integer_value(json_object_get(me, "max_guests")), 64);
	json_decref(me);
}
END_TEST

START_TEST(the_limit_shown_is_the_limit_held)
{
	static const char *const extra[] = {"--video-max-participants", "4", NULL};
	long long id;
	char path[96];
	json_t *me, *j;
	struct resp r;

	/* a server of its own, with a platform that takes four */
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
	e2e_start(&srv, NULL, extra);
	port = srv.port;
	clin = e2e_make(port, "clinicians", "{\"name\":\"Dr A\",\"profession\":\"lege\"}");
	clin2 = e2e_make(port, "clinicians", "{\"name\":\"Dr B\",\"profession\":\"lege\"}");
	pat = e2e_make(port, "patients", "{\"name\":\"Kari Nordmann\"}");
	me = e2e_json(port, "GET", "/api/v1/me", NULL, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(me, "video_max_participants")), 4);
	json_decref(me);
	id = book(NULL); /* patient + 2 clinicians: 3 of 4 */
	add_guest(id, "{\"name\":\"Fastlege\",\"role\":\"gp\"}");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants", id);
	ck_assert(
	    e2e_request(port, "POST", path, NULL, "{\"name\":\"Tolk\",\"role\":\"other\"}", &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "participant_limit", NULL));
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 4);
	json_decref(j);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_guests");
	TCase *tc = tcase_create("guests");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, messages_name_their_recipients);
	tcase_add_test(tc, guest_sees_initials_and_birth_year_only);
	tcase_add_test(tc, initials_of_names_as_they_come);
	tcase_add_test(tc, guest_sees_the_meeting_not_the_patients_answer);
	tcase_add_test(tc, reference_is_checked_and_kept_in_the_history);
	tcase_add_test(tc, me_carries_the_participant_limits);
	tcase_add_test(tc, the_limit_shown_is_the_limit_held);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
