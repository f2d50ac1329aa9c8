/*
 * test_e2e_invite.c - invitations and the patient link against the real
 * binary: the token is stored only as a hash, opens only its own
 * appointment, GET changes nothing, the answers obey the state rules and
 * leave receipts, staff changes tell the patient with a new link, the
 * calendar parses back, bad input changes nothing.  Messages go through
 * the file channel (the default), read back from the spool folder.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <libical/ical.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"

static struct server srv;
static int port;
static long long clin, pat, pat2, room;

static void setup(void)
{
	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	clin = e2e_make(port, "clinicians", "{\"name\":\"Dr Ingrid Solheim\",\"profession\":\"lege\"}");
	pat = e2e_make(port, "patients",
		       "{\"name\":\"Kari Nordmann\",\"phone\":\"+4791234567\","
		       "\"email\":\"kari@example.no\",\"language\":\"nn\"}");
	pat2 = e2e_make(port, "patients", "{\"name\":\"Ola Nordmann\",\"phone\":\"+4798765432\"}");
	room = e2e_make(port, "rooms", "{\"name\":\"Rom 3\",\"kind\":\"clinic\","
				       "\"location\":\"Bygg A, 2. etasje\"}");
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

static long long book(long long patient, const char *start, const char *extra)
{
	char body[400];
	json_t *j;
	long long id;

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":30%s}",
		 patient, clin, start, extra ? extra : "");
	j = e2e_json(port, "POST", "/api/v1/appointments", body, 201);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* Invite appointment id; its token into token (44 bytes). */
static void invite(long long id, char *token)
{
	e2e_invite(port, id, token);
}

static json_t *get_appt(long long id)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	return e2e_json(port, "GET", path, NULL, 200);
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* The patient's request on token (action NULL: the view). */
static int as_patient(const char *method, const char *token, const char *action, const char *body,
		      struct resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/invite/%s%s%s", token, action ? "/" : "",
		 action ? action : "");
	ck_assert(e2e_request_as(port, NULL, method, path, NULL, body, r));
	return r->status;
}

static json_t *messages(long long id)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", id);
	return e2e_json(port, "GET", path, NULL, 200);
}

/* Appointment id is booked (not invited) and has no message. */
static void still_booked_and_silent(long long id)
{
	json_t *j = get_appt(id);

	ck_assert_str_eq(str(j, "status"), "booked");
	json_decref(j);
	j = messages(id);
	ck_assert_int_eq(json_array_size(j), 0);
	json_decref(j);
}

/* Wait (bounded) until no message of id is queued. */
static json_t *delivered(long long id)
{
	for (int i = 0; i < 500; i++) {
		json_t *m = messages(id), *v;
		size_t k;
		bool queued = false;
		json_array_foreach(m, k, v) queued |= !strcmp(str(v, "status"), "queued");
		if (!queued)
			return m;
		json_decref(m);
		usleep(10000);
	}
	ck_abort_msg("messages of %lld still queued after 5 s", id);
	return NULL;
}

/* How many messages of m on channel went out: answers' receipts (one not
 * yet sent may be replaced by a later answer's, "failed"), and the
 * cancellation, each counted; the newest receipt must be one that goes. */
static int receipts_sent(json_t *m, const char *channel)
{
	const char *newest = NULL;
	json_t *v;
	size_t k;
	int n = 0;

	json_array_foreach(m, k, v) {
		const char *kind = str(v, "kind");
		if (strcmp(str(v, "channel"), channel) || !strcmp(kind, "invitation") ||
		    !strcmp(kind, "changed") || !strcmp(kind, "reminder"))
			continue;
		if (!strcmp(str(v, "status"), "failed")) {
			ck_assert_ptr_nonnull(strstr(str(v, "last_error"), "replaced"));
			continue;
		}
		newest = kind;
		n++;
	}
	ck_assert_ptr_nonnull(newest);
	return n;
}

/* The spool file of message id and channel, read whole (caller frees). */
static char *spooled(long long msg, const char *suffix)
{
	char path[600];
	FILE *f;
	char *text = calloc(1, 256 * 1024);
	size_t n;

	snprintf(path, sizeof(path), "%s.outbox/%010lld-%s", srv.db, msg, suffix);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "no spool file %s", path);
	n = fread(text, 1, 256 * 1024 - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

static bool file_has(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;
	bool found;

	if (!f)
		return false;
	data = malloc(64 * 1024 * 1024);
	n = fread(data, 1, 64 * 1024 * 1024, f);
	fclose(f);
	found = memmem(data, n, needle, strlen(needle)) != NULL;
	free(data);
	return found;
}

START_TEST(invitation_link_and_messages)
{
	long long id = book(pat, "2027-03-01T09:00:00+01:00", NULL);
	char token[44], wal[320];
	json_t *a, *m, *first;
	char *sms, *mail;

	invite(id, token);
	a = get_appt(id);
	ck_assert_str_eq(str(a, "status"), "invited");
	json_decref(a);
	m = delivered(id);
	ck_assert_int_eq(json_array_size(m), 2);
	first = json_array_get(m, 0);
	ck_assert_str_eq(str(first, "channel"), "sms");
	ck_assert_str_eq(str(first, "kind"), "invitation");
	ck_assert_str_eq(str(first, "status"), "sent");
	ck_assert_str_eq(str(first, "to"), "+4791234567");
	ck_assert_str_eq(str(first, "language"), "nn");
	ck_assert_int_eq(json_integer_value(json_object_get(first, "attempts")), 1);
	ck_assert_ptr_null(strstr(str(first, "body"), token)); /* staff see no token */
	ck_assert_str_eq(str(json_array_get(m, 1), "channel"), "email");
	/* what went out holds the real link; the SMS names no clinician */
	sms = spooled(json_integer_value(json_object_get(first, "id")), "sms.json");
	ck_assert_ptr_nonnull(strstr(sms, token));
	ck_assert_ptr_null(strstr(sms, "Solheim"));
	ck_assert_ptr_nonnull(strstr(sms, "videotime"));
	mail = spooled(json_integer_value(json_object_get(json_array_get(m, 1), "id")), "email.eml");
	ck_assert_ptr_nonnull(strstr(mail, "To: <kari@example.no>"));
	ck_assert_ptr_nonnull(strstr(mail, "text/calendar"));
	ck_assert_ptr_nonnull(strstr(mail, "Message-ID: <timebok."));
	free(sms);
	free(mail);
	json_decref(m);
	/* the token is nowhere in the database or its WAL */
	snprintf(wal, sizeof(wal), "%s-wal", srv.db);
	ck_assert(!file_has(srv.db, token));
	ck_assert(!file_has(wal, token));
	ck_assert(!file_has(srv.log, token));
}
END_TEST

START_TEST(token_opens_only_its_own_and_one_404)
{
	long long a = book(pat, "2027-03-02T10:00:00+01:00", NULL);
	long long b = book(pat2, "2027-03-02T11:00:00+01:00", NULL);
	char ta[44], tb[44], old[44], hdr[64], junk[44];
	struct resp r, r2;

	invite(a, ta);
	invite(b, tb);
	ck_assert_int_eq(as_patient("GET", ta, NULL, NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "start"), "2027-03-02T10:00:00+01:00");
	ck_assert_ptr_null(strstr(r.body, "Nordmann")); /* no patient data */
	ck_assert_ptr_null(strstr(r.body, "+47"));
	ck_assert_ptr_nonnull(strstr(r.body, "Solheim"));
	ck_assert_str_eq(e2e_header(&r, "Cache-Control", hdr, sizeof(hdr)), "no-store");
	ck_assert_str_eq(e2e_header(&r, "Referrer-Policy", hdr, sizeof(hdr)), "no-referrer");
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("GET", tb, NULL, NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "start"), "2027-03-02T11:00:00+01:00");
	e2e_resp_free(&r);
	/* a new link revokes the old one; unknown and revoked answer alike */
	memcpy(old, ta, sizeof(old));
	invite(a, ta);
	ck_assert_str_ne(old, ta);
	memset(junk, 'A', 43);
	junk[43] = '\0';
	ck_assert_int_eq(as_patient("GET", old, NULL, NULL, &r), 404);
	ck_assert_int_eq(as_patient("GET", junk, NULL, NULL, &r2), 404);
	ck_assert_str_eq(r.body, r2.body);
	ck_assert(e2e_is_error(&r, "not_found", NULL));
	ck_assert_str_eq(e2e_header(&r, "Cache-Control", hdr, sizeof(hdr)), "no-store");
	e2e_resp_free(&r);
	e2e_resp_free(&r2);
	ck_assert_int_eq(as_patient("POST", old, "confirm", NULL, &r), 404);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("GET", "short", NULL, NULL, &r), 404);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("GET", ta, NULL, NULL, &r), 200);
	e2e_resp_free(&r);
	/* the page is served at the link's path, never cached */
	{
		char path[64];
		snprintf(path, sizeof(path), "/i/%s", ta);
		ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(r.body, "invite.js"));
		ck_assert_str_eq(e2e_header(&r, "Cache-Control", hdr, sizeof(hdr)), "no-store");
		e2e_resp_free(&r);
	}
}
END_TEST

START_TEST(get_changes_nothing)
{
	long long id = book(pat, "2027-03-03T09:00:00+01:00", NULL);
	char token[44], path[96];
	json_t *before, *after, *h1, *h2, *m1, *m2;
	struct resp r;

	invite(id, token);
	before = get_appt(id);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", id);
	h1 = e2e_json(port, "GET", path, NULL, 200);
	m1 = delivered(id);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 200);
		e2e_resp_free(&r);
		ck_assert_int_eq(as_patient("GET", token, "calendar.ics", NULL, &r), 200);
		e2e_resp_free(&r);
		ck_assert_int_eq(as_patient("HEAD", token, NULL, NULL, &r), 200);
		e2e_resp_free(&r);
	}
	after = get_appt(id);
	h2 = e2e_json(port, "GET", path, NULL, 200);
	m2 = messages(id);
	ck_assert(json_equal(before, after));
	ck_assert(json_equal(h1, h2));
	ck_assert(json_equal(m1, m2));
	json_decref(before);
	json_decref(after);
	json_decref(h1);
	json_decref(h2);
	json_decref(m1);
	json_decref(m2);
}
END_TEST

static const char *kind_at(json_t *m, size_t i)
{
	return str(json_array_get(m, i), "kind");
}

START_TEST(answers_follow_the_rules)
{
	long long id = book(pat, "2027-03-04T09:00:00+01:00", NULL);
	long long inp = book(pat2, "2027-03-04T10:00:00+01:00", ",\"mode\":\"in_person\",\"room_id\":1");
	char token[44], t2[44];
	struct resp r;
	json_t *a, *m;
	long long v;

	invite(id, token);
	ck_assert_int_eq(as_patient("POST", token, "confirm", NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "status"), "confirmed");
	ck_assert(json_is_false(json_object_get(json_object_get(r.json, "can"), "confirm")));
	e2e_resp_free(&r);
	a = get_appt(id);
	v = json_integer_value(json_object_get(a, "version"));
	json_decref(a);
	/* the same answer twice changes nothing */
	ck_assert_int_eq(as_patient("POST", token, "confirm", NULL, &r), 200);
	e2e_resp_free(&r);
	a = get_appt(id);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "version")), v);
	json_decref(a);
	/* an answer to an older view: the same answer is fine, another is stale */
	{
		char path[160], hdr[48];
		snprintf(hdr, sizeof(hdr), "If-Match: \"%lld\"\r\n", v - 1);
		snprintf(path, sizeof(path), "/api/v1/invite/%s/confirm", token);
		ck_assert(e2e_request_as(port, NULL, "POST", path, hdr, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		e2e_resp_free(&r);
		snprintf(path, sizeof(path), "/api/v1/invite/%s/opt-out", token);
		ck_assert(e2e_request_as(port, NULL, "POST", path, hdr, NULL, &r));
		ck_assert_int_eq(r.status, 412);
		ck_assert(e2e_is_error(&r, "stale", NULL));
		e2e_resp_free(&r);
		ck_assert(e2e_request_as(port, NULL, "POST", path, "If-Match: x\r\n", NULL, &r));
		ck_assert_int_eq(r.status, 400);
		e2e_resp_free(&r);
		a = get_appt(id);
		ck_assert_str_eq(str(a, "status"), "confirmed");
		ck_assert_int_eq(json_integer_value(json_object_get(a, "version")), v);
		json_decref(a);
	}
	/* bad bodies change nothing */
	ck_assert_int_eq(as_patient("POST", token, "confirm", "{\"reason\":\"x\"}", &r), 400);
	ck_assert(e2e_is_error(&r, "invalid", "reason"));
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("POST", token, "opt-out", "{\"why\":\"x\"}", &r), 400);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("POST", token, "opt-out", "[1]", &r), 400);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "status"), "confirmed");
	e2e_resp_free(&r);
	/* rather in person, with a reason; then cancel */
	ck_assert_int_eq(as_patient("POST", token, "opt-out",
				    "{\"reason\":\"Jeg har ikke nettbrett\"}", &r),
			 200);
	ck_assert_str_eq(str(r.json, "status"), "opted_out");
	e2e_resp_free(&r);
	a = get_appt(id);
	ck_assert_str_eq(str(a, "status"), "opted_out");
	ck_assert_str_eq(str(a, "mode"), "video"); /* until a secretary re-books it */
	ck_assert_str_eq(str(a, "status_reason"), "Jeg har ikke nettbrett");
	json_decref(a);
	ck_assert_int_eq(as_patient("POST", token, "cancel", NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "status"), "cancelled");
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("POST", token, "cancel", NULL, &r), 200); /* twice: no change */
	e2e_resp_free(&r);
	/* nothing but the view after a cancellation */
	ck_assert_int_eq(as_patient("POST", token, "confirm", NULL, &r), 409);
	ck_assert(e2e_is_error(&r, "invalid_transition", NULL));
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("POST", token, "opt-out", NULL, &r), 409);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "status"), "cancelled");
	ck_assert(json_is_null(json_object_get(r.json, "video_url")));
	ck_assert(json_is_false(json_object_get(json_object_get(r.json, "can"), "cancel")));
	e2e_resp_free(&r);
	/* receipts: the invitation (sms, email), at most one receipt per
	 * channel in OUTBOX_RECEIPT_QUIET (one not yet sent gives way to a later
	 * answer's), and the cancellation, always told */
	m = delivered(id);
	ck_assert_str_eq(kind_at(m, 0), "invitation");
	for (const char *const *ch = (const char *const[]){"sms", "email", NULL}; *ch; ch++) {
		int n = receipts_sent(m, *ch); /* an answer's (unless replaced), the cancellation */
		ck_assert(n >= 1 && n <= 2);
	}
	ck_assert_str_eq(kind_at(m, json_array_size(m) - 1), "cancelled");
	json_decref(m);
	/* opting out of video is for video appointments */
	invite(inp, t2);
	ck_assert_int_eq(as_patient("POST", t2, "opt-out", NULL, &r), 409);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("GET", t2, NULL, NULL, &r), 200);
	ck_assert_str_eq(str(json_object_get(r.json, "room"), "location"), "Bygg A, 2. etasje");
	e2e_resp_free(&r);
}
END_TEST

/* The token in the newest spooled SMS of appointment id. */
static void newest_token(long long id, char *token)
{
	json_t *m = delivered(id), *last = json_array_get(m, json_array_size(m) - 2);
	char *sms = spooled(json_integer_value(json_object_get(last, "id")), "sms.json");
	const char *at = strstr(sms, "/i/");

	ck_assert_ptr_nonnull(at);
	snprintf(token, 44, "%.43s", at + 3);
	free(sms);
	json_decref(m);
}

START_TEST(staff_changes_tell_the_patient)
{
	long long id = book(pat, "2027-03-05T09:00:00+01:00", NULL);
	char token[44], fresh[44], path[96];
	struct resp r;
	json_t *a, *m;

	invite(id, token);
	ck_assert_int_eq(as_patient("POST", token, "confirm", NULL, &r), 200);
	e2e_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	a = e2e_json(port, "PATCH", path, "{\"start\":\"2027-03-05T13:00:00+01:00\"}", 200);
	ck_assert_str_eq(str(a, "status"), "invited"); /* the new time needs an answer */
	json_decref(a);
	m = delivered(id);
	ck_assert_str_eq(kind_at(m, json_array_size(m) - 1), "changed");
	json_decref(m);
	newest_token(id, fresh);
	ck_assert_str_ne(fresh, token);
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 404);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("GET", fresh, NULL, NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "start"), "2027-03-05T13:00:00+01:00");
	e2e_resp_free(&r);
	/* a cancellation by staff is told, and the link then only shows it */
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	m = delivered(id);
	ck_assert_str_eq(kind_at(m, json_array_size(m) - 1), "cancelled");
	json_decref(m);
	ck_assert_int_eq(as_patient("GET", fresh, NULL, NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "status"), "cancelled");
	e2e_resp_free(&r);
	/* given to another patient: the first patient's link opens nothing */
	id = book(pat, "2027-03-05T15:00:00+01:00", NULL);
	invite(id, token);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	snprintf(fresh, sizeof(fresh), "{\"patient_id\":%lld}", pat2);
	a = e2e_json(port, "PATCH", path, fresh, 200);
	ck_assert_str_eq(str(a, "status"), "booked");
	json_decref(a);
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 404);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("POST", token, "cancel", NULL, &r), 404);
	e2e_resp_free(&r);
	/* a booking never invited is changed without a word */
	id = book(pat2, "2027-03-05T09:00:00+01:00", NULL);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "PATCH", path, "{\"start\":\"2027-03-05T10:00:00+01:00\"}", 200));
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	m = messages(id);
	ck_assert_int_eq(json_array_size(m), 0);
	json_decref(m);
}
END_TEST

static const char *prop(icalcomponent *c, icalproperty_kind k)
{
	icalproperty *p = icalcomponent_get_first_property(c, k);
	return p ? icalproperty_get_value_as_string(p) : "";
}

START_TEST(calendar_parses_back)
{
	/* 2027-03-28 is the day Oslo moves to summer time */
	long long id = book(pat, "2027-03-28T10:00:00+02:00", NULL);
	char token[44], path[96], uid[128];
	icalcomponent *cal, *ev;
	struct resp r;
	int seq;

	invite(id, token);
	ck_assert_int_eq(as_patient("GET", token, "calendar.ics", NULL, &r), 200);
	ck_assert_ptr_nonnull(
	    strstr(r.raw, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH"));
	cal = icalparser_parse_string(r.body);
	ck_assert_ptr_nonnull(cal);
	ck_assert_int_eq(icalcomponent_get_method(cal), ICAL_METHOD_PUBLISH); /* ics.h says why */
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq((long long)icaltime_as_timet(icalcomponent_get_dtstart(ev)),
			 1806220800LL); /* 2027-03-28T08:00:00Z */
	ck_assert_int_eq((long long)icaltime_as_timet(icalcomponent_get_dtend(ev)), 1806222600LL);
	snprintf(uid, sizeof(uid), "%s", icalcomponent_get_uid(ev));
	seq = icalcomponent_get_sequence(ev);
	ck_assert_ptr_nonnull(strstr(prop(ev, ICAL_LOCATION_PROPERTY), "https://"));
	ck_assert_ptr_nonnull(strstr(prop(ev, ICAL_URL_PROPERTY), token));
	icalcomponent_free(cal);
	e2e_resp_free(&r);
	/* changed: same UID, higher SEQUENCE; cancelled: STATUS:CANCELLED */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "PATCH", path, "{\"duration_minutes\":45}", 200));
	newest_token(id, token); /* the "changed" message's new link */
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	ck_assert_int_eq(as_patient("GET", token, "calendar.ics", NULL, &r), 200);
	cal = icalparser_parse_string(r.body);
	ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	ck_assert_int_eq(icalcomponent_get_method(cal), ICAL_METHOD_PUBLISH);
	ck_assert_int_eq(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
	ck_assert_str_eq(icalcomponent_get_uid(ev), uid);
	ck_assert_int_gt(icalcomponent_get_sequence(ev), seq);
	icalcomponent_free(cal);
	e2e_resp_free(&r);
}
END_TEST

START_TEST(bad_invitations_change_nothing)
{
	static const char *const bad[] = {
		"{\"channels\":[\"fax\"]}", "{\"channels\":[]}", "{\"channels\":\"sms\"}",
		"{\"to\":\"+4712345678\"}", "[]", "{\"channels\":[\"sms\"]",
	};
	long long id = book(pat, "2027-03-08T09:00:00+01:00", NULL);
	char path[96];
	struct resp r;
	json_t *m;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", id);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(e2e_request(port, "POST", path, NULL, bad[i], &r));
		ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", NULL), "case %zu: %d %s",
			      i, r.status, r.body);
		e2e_resp_free(&r);
	}
	still_booked_and_silent(id);
	/* no such appointment; a cancelled one takes no invitation */
	json_decref(e2e_json(port, "POST", "/api/v1/appointments/999/invitations", NULL, 404));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "DELETE", path, NULL, 200));
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", id);
	ck_assert(e2e_request(port, "POST", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "invalid_transition", "status"));
	e2e_resp_free(&r);
	/* only the SMS when asked so */
	id = book(pat, "2027-03-08T11:00:00+01:00", NULL);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", id);
	json_decref(e2e_json(port, "POST", path, "{\"channels\":[\"sms\"]}", 201));
	m = messages(id);
	ck_assert_int_eq(json_array_size(m), 1);
	json_decref(m);
}
END_TEST

/* now + hours, on a quarter hour, as an RFC 3339 instant in UTC. */
static void from_now(int hours, char out[32])
{
	time_t t = time(NULL) + hours * 3600;
	struct tm tm;

	t -= t % 900;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

START_TEST(reminders_before_but_not_when_opted_out)
{
	char start[32], token[44], t2[44];
	struct resp r;
	sqlite3 *db;
	json_t *m;
	long long a, b;

	from_now(10, start);
	a = book(pat, start, NULL);
	from_now(11, start);
	b = book(pat2, start, NULL);
	invite(a, token);
	invite(b, t2);
	ck_assert_int_eq(as_patient("POST", t2, "opt-out", NULL, &r), 200);
	e2e_resp_free(&r);
	json_decref(delivered(a));
	json_decref(delivered(b));
	/* let three days pass for the messages: the invitation is old news */
	ck_assert_int_eq(e2e_stop(&srv), 0);
	ck_assert_int_eq(sqlite3_open(srv.db, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE outbox SET created_at = created_at - 259200",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	e2e_start(&srv, srv.dir, NULL); /* the worker looks for reminders at start */
	port = srv.port;
	for (int i = 0; i < 500; i++) {
		m = messages(a);
		if (json_array_size(m) == 4)
			break;
		json_decref(m);
		m = NULL;
		usleep(10000);
	}
	ck_assert_msg(m != NULL, "no reminder was queued");
	json_decref(m);
	m = delivered(a);
	ck_assert_str_eq(kind_at(m, 2), "reminder");
	ck_assert_str_eq(kind_at(m, 3), "reminder");
	ck_assert_str_eq(str(json_array_get(m, 2), "status"), "sent");
	json_decref(m);
	m = messages(b); /* invitation x1 (SMS only), the opt-out receipt */
	ck_assert_int_eq(json_array_size(m), 2);
	json_decref(m);
	/* one reminder per start: a restart does not repeat it */
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_start(&srv, srv.dir, NULL);
	port = srv.port;
	usleep(300000);
	m = messages(a);
	ck_assert_int_eq(json_array_size(m), 4);
	json_decref(m);
}
END_TEST

/* Run sql on the server's database beside it (WAL: the server keeps
 * going). */
static void db_exec(const char *sql)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(srv.db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* As if appointment id's links were issued seconds earlier. */
static void links_older(long long id, long long seconds)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "UPDATE links SET created_at = created_at - %lld WHERE appointment_id = %lld",
		 seconds, id);
	db_exec(sql);
}

/* The kinds of the work queue's items for appointment id, in order, as
 * one string ("opted_out,unanswered"). */
static void queue_of(long long id, const char *query, char *out, size_t cap)
{
	char path[96];
	json_t *q, *v, *c;
	size_t k, n = 0;

	snprintf(path, sizeof(path), "/api/v1/work-queue%s", query ? query : "");
	q = e2e_json(port, "GET", path, NULL, 200);
	out[0] = '\0';
	json_array_foreach(q, k, v) {
		json_t *a = json_object_get(v, "appointment");
		if (json_integer_value(json_object_get(a, "id")) != id)
			continue;
		ck_assert(strlen(str(a, "patient_name")) > 0);
		n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", str(v, "kind"));
	}
	/* the menu's count: as many items, the same filter */
	snprintf(path, sizeof(path), "/api/v1/work-queue/count%s", query ? query : "");
	c = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_object_size(c), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "count")), (long long)json_array_size(q));
	json_decref(c);
	json_decref(q);
}

START_TEST(work_queue_follows_what_is_done)
{
	char start[32], token[44], kinds[128], path[128], body[200];
	struct resp r;
	json_t *j, *v;
	long long soon, later, unit, other;
	size_t k;

	from_now(30, start);
	soon = book(pat, start, NULL);
	from_now(24 * 5, start);
	later = book(pat2, start, NULL);
	/* booked, not yet invited: nothing to do */
	queue_of(soon, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	/* invited 30 h ahead: the patient has not had time to answer yet */
	invite(soon, token);
	queue_of(soon, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	/* a day later, still unanswered: a secretary should call */
	links_older(soon, 86400);
	queue_of(soon, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "unanswered");
	j = e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200);
	json_array_foreach(j, k, v) {
		if (strcmp(str(v, "kind"), "unanswered"))
			continue;
		ck_assert_str_eq(str(json_object_get(v, "appointment"), "patient_name"),
				 "Kari Nordmann");
		ck_assert(json_is_string(json_object_get(v, "at")));
	}
	json_decref(j);
	/* five days ahead is not yet a worry */
	invite(later, token);
	queue_of(later, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	/* opted out, with a reason: re-book in person */
	ck_assert_int_eq(as_patient("POST", token, "opt-out", "{\"reason\":\"No camera\"}", &r),
			 200);
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200);
	v = json_array_get(j, json_array_size(j) - 1);
	ck_assert_str_eq(str(v, "kind"), "opted_out");
	ck_assert_str_eq(str(v, "detail"), "No camera");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "appointment"), "id")),
			 later);
	json_decref(j);
	/* the page's poll: a 304 shows nothing and audits nothing, even made
	 * afresh (a new start remembers nothing as logged); the count reads
	 * no patient's data; with no tag the items are shown, and audited */
	{
		char tag[64], hdr[96];
		int reads = e2e_audited(port, pat2, "work_queue.read");

		ck_assert_int_ge(reads, 1);
		ck_assert(e2e_request(port, "GET", "/api/v1/work-queue", NULL, NULL, &r));
		ck_assert_ptr_nonnull(e2e_header(&r, "ETag", tag, sizeof(tag)));
		e2e_resp_free(&r);
		ck_assert_int_eq(e2e_stop(&srv), 0);
		e2e_start(&srv, srv.dir, NULL);
		port = srv.port;
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s\r\n", tag);
		ck_assert(e2e_request(port, "GET", "/api/v1/work-queue", hdr, NULL, &r));
		ck_assert_int_eq(r.status, 304);
		e2e_resp_free(&r);
		json_decref(e2e_json(port, "GET", "/api/v1/work-queue/count", NULL, 200));
		ck_assert_int_eq(e2e_audited(port, pat2, "work_queue.read"), reads);
		/* a HEAD sends no body: nothing shown, nothing audited */
		ck_assert_int_eq(e2e_stop(&srv), 0);
		e2e_start(&srv, srv.dir, NULL);
		port = srv.port;
		ck_assert(e2e_request(port, "HEAD", "/api/v1/work-queue", NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		e2e_resp_free(&r);
		ck_assert_int_eq(e2e_audited(port, pat2, "work_queue.read"), reads);
		json_decref(e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200));
		ck_assert_int_eq(e2e_audited(port, pat2, "work_queue.read"), reads + 1);
	}
	/* page by page, each page linking to the next with the same filter */
	{
		char next[128];
		json_t *all = e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200);
		size_t got = 0;

		ck_assert_int_ge(json_array_size(all), 2);
		snprintf(next, sizeof(next), "/api/v1/work-queue?limit=1");
		while (got < json_array_size(all)) {
			ck_assert(e2e_request(port, "GET", next, NULL, NULL, &r));
			ck_assert_int_eq(r.status, 200);
			ck_assert_int_eq(json_array_size(r.json), 1);
			ck_assert(json_equal(json_array_get(r.json, 0), json_array_get(all, got)));
			got++;
			ck_assert_ptr_nonnull(e2e_link_next(&r, next, sizeof(next)));
			e2e_resp_free(&r);
		}
		ck_assert(e2e_request(port, "GET", next, NULL, NULL, &r));
		ck_assert_int_eq(json_array_size(r.json), 0);
		ck_assert_ptr_null(e2e_link_next(&r, next, sizeof(next)));
		e2e_resp_free(&r);
		json_decref(all);
	}
	/* the unit filter: the clinician has no unit yet, then one */
	unit = e2e_make(port, "units", "{\"name\":\"Poliklinikk\"}");
	other = e2e_make(port, "units", "{\"name\":\"Annen\"}");
	snprintf(path, sizeof(path), "?unit_id=%lld", unit);
	queue_of(later, path, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld", clin);
	snprintf(body, sizeof(body), "{\"unit_id\":%lld}", unit);
	json_decref(e2e_json(port, "PATCH", path, body, 200));
	snprintf(path, sizeof(path), "?unit_id=%lld", unit);
	queue_of(later, path, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "opted_out");
	snprintf(path, sizeof(path), "?unit_id=%lld", other);
	queue_of(later, path, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	/* re-booked in person with a room: gone; re-invited: not yet due */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", later);
	snprintf(body, sizeof(body), "{\"mode\":\"in_person\",\"room_id\":%lld}", room);
	j = e2e_json(port, "PATCH", path, body, 200);
	ck_assert_str_eq(str(j, "status"), "booked");
	json_decref(j);
	queue_of(later, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	/* the near one answered: gone */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", soon);
	json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"confirmed\"}", 200));
	queue_of(soon, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	/* bad input: a clear 400 */
	ck_assert(e2e_request(port, "GET", "/api/v1/work-queue?unit=1", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", NULL));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/api/v1/work-queue?unit_id=x", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 400);
	e2e_resp_free(&r);
	/* the list of appointments carries the patients' names too */
	j = e2e_json(port, "GET", "/api/v1/appointments", NULL, 200);
	json_array_foreach(j, k, v) ck_assert(strlen(str(v, "patient_name")) > 0);
	json_decref(j);
	/* a message that did not fail cannot be marked handled */
	j = messages(soon);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages/%lld/handled", soon,
		 (long long)json_integer_value(json_object_get(json_array_get(j, 0), "id")));
	json_decref(j);
	ck_assert(e2e_request(port, "POST", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 409);
	ck_assert(e2e_is_error(&r, "invalid_transition", NULL));
	e2e_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages/999999/handled", soon);
	ck_assert(e2e_request(port, "POST", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	e2e_resp_free(&r);
}
END_TEST

/* A link that flips its answer back and forth gets one receipt in
 * OUTBOX_RECEIPT_QUIET, not one per answer (20 answers queued 40 messages),
 * and at most 20 changes in ten minutes (the outside review flipped a
 * guest's answer 2,044 times in 4 s: as many history and audit rows); a
 * cancellation is always told. */
/* An invitation gets the patient reasonable time before it is called
 * unanswered: 24 h, or half the time that was left when that is less; the
 * failed messages come first, then the rest by the appointment's time. */
START_TEST(work_queue_waits_and_puts_failures_first)
{
	char start[32], token[44], kinds[128];
	json_t *j, *v;
	long long near, far;
	size_t k;

	from_now(4, start);
	near = book(pat, start, NULL);
	from_now(24 * 5, start);
	far = book(pat2, start, NULL);
	invite(near, token);
	invite(far, token);
	json_decref(delivered(near));
	json_decref(delivered(far));
	/* 4 h ahead: 2 h to answer (half of what was left), not yet */
	links_older(near, 3600);
	queue_of(near, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	links_older(near, 3 * 3600); /* invited 4 h ago for 8 h ahead: 4 h given */
	queue_of(near, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "unanswered");
	/* far's invitation failed: it comes first though its time is later */
	{
		char sql[160];
		snprintf(sql, sizeof(sql),
			 "UPDATE outbox SET status = 'failed', last_error = 'refused by the "
			 "gateway' WHERE appointment_id = %lld",
			 far);
		db_exec(sql);
	}
	j = e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200);
	ck_assert_int_ge(json_array_size(j), 2);
	ck_assert_str_eq(str(json_array_get(j, 0), "kind"), "message_failed");
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(json_array_get(j, 0), "appointment"), "id")),
			 far);
	json_array_foreach(j, k, v) {
		if (k && !strcmp(str(v, "kind"), "message_failed"))
			ck_assert_str_eq(str(json_array_get(j, k - 1), "kind"), "message_failed");
	}
	ck_assert_str_eq(str(json_array_get(j, json_array_size(j) - 1), "kind"), "unanswered");
	json_decref(j);
}
END_TEST

/* A patient with no mobile and no e-mail: a link for staff to read out or
 * print, nothing queued, and the status does not claim an invitation. */
START_TEST(invitation_without_a_channel_is_manual)
{
	char start[32], path[128], token[44];
	long long none, id, sms_only;
	const char *url;
	json_t *j, *h, *v;
	struct resp r;
	bool noted = false;
	size_t k;

	none = e2e_make(port, "patients", "{\"name\":\"Per Uten Telefon\",\"language\":\"en\"}");
	from_now(72, start);
	id = book(none, start, NULL);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", id);
	j = e2e_json(port, "POST", path, NULL, 201);
	ck_assert_str_eq(str(j, "delivery"), "manual");
	ck_assert_int_eq(json_array_size(json_object_get(j, "channels")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "queued")), 0);
	ck_assert_str_eq(str(j, "status"), "booked");
	url = str(j, "url");
	ck_assert_ptr_nonnull(strstr(url, "/i/"));
	snprintf(token, sizeof(token), "%s", strstr(url, "/i/") + 3);
	json_decref(j);
	still_booked_and_silent(id);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", id);
	h = e2e_json(port, "GET", path, NULL, 200);
	json_array_foreach(h, k, v) noted |= !strcmp(str(v, "action"), "invitation_manual");
	ck_assert(noted);
	json_decref(h);
	/* the link read out or printed opens the appointment */
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 200);
	e2e_resp_free(&r);
	/* booked, so never "unanswered", however long ago */
	links_older(id, 5 * 86400);
	{
		char kinds[64];
		queue_of(id, NULL, kinds, sizeof(kinds));
		ck_assert_str_eq(kinds, "");
	}
	/* e-mail asked for only, a phone there only: the same */
	from_now(80, start);
	sms_only = book(pat2, start, NULL);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", sms_only);
	j = e2e_json(port, "POST", path, "{\"channels\":[\"email\"]}", 201);
	ck_assert_str_eq(str(j, "delivery"), "manual");
	ck_assert_str_eq(str(j, "status"), "booked");
	json_decref(j);
	/* a phone: sent, and invited */
	j = e2e_json(port, "POST", path, NULL, 201);
	ck_assert_str_eq(str(j, "delivery"), "queued");
	ck_assert_int_eq(json_array_size(json_object_get(j, "channels")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "channels"), 0)), "sms");
	ck_assert_str_eq(str(j, "status"), "invited");
	json_decref(j);
	/* both channels */
	from_now(96, start);
	id = book(pat, start, NULL);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", id);
	j = e2e_json(port, "POST", path, NULL, 201);
	ck_assert_int_eq(json_array_size(json_object_get(j, "channels")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "queued")), 2);
	json_decref(j);
}
END_TEST

/* "I can take it by video after all": the opt-out leaves the work queue,
 * and the history keeps what the patient had said. */
START_TEST(video_after_all_keeps_the_reason)
{
	char start[32], token[44], kinds[64], path[96];
	const json_t *last;
	json_t *j, *h;
	struct resp r;
	long long id;

	from_now(72, start);
	id = book(pat, start, NULL);
	invite(id, token);
	ck_assert_int_eq(as_patient("POST", token, "opt-out",
				    "{\"reason\":\"Ingen kamera\",\"reason_code\":\"equipment\"}", &r),
			 200);
	e2e_resp_free(&r);
	queue_of(id, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "opted_out");
	ck_assert_int_eq(as_patient("POST", token, "confirm", NULL, &r), 200);
	ck_assert_str_eq(str(r.json, "status"), "confirmed");
	e2e_resp_free(&r);
	queue_of(id, NULL, kinds, sizeof(kinds));
	ck_assert_str_eq(kinds, "");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", id);
	h = e2e_json(port, "GET", path, NULL, 200);
	last = json_array_get(h, json_array_size(h) - 1);
	ck_assert_str_eq(str((json_t *)last, "action"), "video_after_all");
	ck_assert_str_eq(str((json_t *)last, "actor"), "patient");
	j = json_object_get(last, "changes");
	ck_assert_str_eq(str(j, "opt_out_reason"), "Ingen kamera");
	ck_assert_str_eq(str(j, "reason_code"), "equipment");
	json_decref(h);
	/* the same answer again writes nothing more */
	ck_assert_int_eq(as_patient("POST", token, "confirm", NULL, &r), 200);
	e2e_resp_free(&r);
	h = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(str(json_array_get(h, json_array_size(h) - 1), "action"),
			 "video_after_all");
	json_decref(h);
}
END_TEST

/* The patient page names the unit to call: department, phone, address
 * (0018); bad values are refused and change nothing. */
START_TEST(patient_page_names_the_unit)
{
	char start[32], token[44], path[96], body[96];
	json_t *u, *j;
	struct resp r;
	long long id, unit;

	from_now(72, start);
	id = book(pat, start, NULL);
	invite(id, token);
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 200);
	ck_assert(json_is_null(json_object_get(r.json, "unit")));
	e2e_resp_free(&r);
	unit = e2e_make(port, "units",
			"{\"name\":\"Hjertepoliklinikken\",\"department\":\"Medisinsk klinikk, "
			"Ullevål\",\"phone\":\"+4722118080\",\"address\":\"Kirkeveien 166, Oslo\"}");
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld", clin);
	snprintf(body, sizeof(body), "{\"unit_id\":%lld}", unit);
	json_decref(e2e_json(port, "PATCH", path, body, 200));
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 200);
	u = json_object_get(r.json, "unit");
	ck_assert_str_eq(str(u, "name"), "Hjertepoliklinikken");
	ck_assert_str_eq(str(u, "department"), "Medisinsk klinikk, Ullevål");
	ck_assert_str_eq(str(u, "phone"), "+4722118080");
	ck_assert_str_eq(str(u, "address"), "Kirkeveien 166, Oslo");
	e2e_resp_free(&r);
	/* bad input: a clear 400 at the field, nothing changed */
	snprintf(path, sizeof(path), "/api/v1/units/%lld", unit);
	ck_assert(e2e_request(port, "PATCH", path, NULL, "{\"phone\":\"ring meg\"}", &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "phone"));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "PATCH", path, NULL, "{\"address\":\"\\u0007\"}", &r));
	ck_assert_int_eq(r.status, 400);
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(str(j, "phone"), "+4722118080");
	ck_assert_str_eq(str(j, "address"), "Kirkeveien 166, Oslo");
	json_decref(j);
	/* cleared: null, and the page shows the unit's name alone */
	json_decref(e2e_json(port, "PATCH", path, "{\"phone\":null,\"address\":null}", 200));
	ck_assert_int_eq(as_patient("GET", token, NULL, NULL, &r), 200);
	u = json_object_get(r.json, "unit");
	ck_assert(json_is_null(json_object_get(u, "phone")));
	ck_assert(json_is_null(json_object_get(u, "address")));
	ck_assert_str_eq(str(u, "department"), "Medisinsk klinikk, Ullevål");
	e2e_resp_free(&r);
}
END_TEST

START_TEST(flip_flopping_answers_send_one_receipt)
{
	char token[E2E_TOKEN_LEN + 1];
	long long id = book(pat, "2030-03-02T10:00:00+01:00", NULL);
	int ok = 0, receipts = 0, cancelled = 0, waiting = 0;
	const char *last = "";
	struct resp r;
	size_t i;
	json_t *m, *v;

	invite(id, token);
	for (int k = 0; k < 20; k++) {
		ok += as_patient("POST", token, k % 2 ? "opt-out" : "confirm", "{}", &r) == 200;
		e2e_resp_free(&r);
	}
	ck_assert_int_eq(ok, 20);
	/* a 21st change in ten minutes is refused and changes nothing (a link
	 * flipping for ever filled the history and the audit log); the same
	 * answer again and a cancellation still go through */
	ck_assert_int_eq(as_patient("POST", token, "confirm", "{}", &r), 429);
	ck_assert(strstr(r.raw, "Retry-After: ") != NULL);
	e2e_resp_free(&r);
	ck_assert_int_eq(as_patient("POST", token, "opt-out", "{}", &r), 200); /* as it is */
	e2e_resp_free(&r);
	{
		char path[64];
		json_t *h;
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", id);
		h = e2e_json(port, "GET", path, NULL, 200);
		/* book, invite, 20 answers, and the 9 confirmations that came
		 * after an opt-out each say so (video_after_all) */
		ck_assert_int_le(json_array_size(h), 32);
		json_decref(h);
	}
	/* at most one receipt a channel went out; the last answer (opt-out) is
	 * still told: it is the newest receipt, sent or waiting for the quiet
	 * time to end (the outside review found the last answer never told) */
	m = messages(id);
	json_array_foreach(m, i, v) {
		if (strcmp(str(v, "kind"), "confirmed") && strcmp(str(v, "kind"), "opted_out"))
			continue;
		if (!strcmp(str(v, "status"), "failed"))
			ck_assert_ptr_nonnull(strstr(str(v, "last_error"), "replaced"));
		else
			receipts += !strcmp(str(v, "status"), "sent");
		last = str(v, "kind");
		waiting += !strcmp(str(v, "status"), "queued");
	}
	ck_assert_str_eq(last, "opted_out");
	json_decref(m);
	/* by SMS and e-mail; one already claimed by the worker when the next
	 * answer came is on its way and not replaced */
	ck_assert_int_le(receipts + waiting, 4);
	ck_assert_int_eq(as_patient("POST", token, "cancel", NULL, &r), 200);
	e2e_resp_free(&r);
	m = delivered(id);
	ck_assert_int_le(receipts_sent(m, "sms"), 2);   /* an answer's, and the cancellation */
	ck_assert_int_le(receipts_sent(m, "email"), 2);
	json_array_foreach(m, i, v) cancelled += !strcmp(str(v, "kind"), "cancelled");
	json_decref(m);
	ck_assert_int_eq(cancelled, 2);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_invite");
	TCase *tc = tcase_create("invite");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, invitation_link_and_messages);
	tcase_add_test(tc, token_opens_only_its_own_and_one_404);
	tcase_add_test(tc, get_changes_nothing);
	tcase_add_test(tc, answers_follow_the_rules);
	tcase_add_test(tc, staff_changes_tell_the_patient);
	tcase_add_test(tc, calendar_parses_back);
	tcase_add_test(tc, bad_invitations_change_nothing);
	tcase_add_test(tc, reminders_before_but_not_when_opted_out);
	tcase_add_test(tc, work_queue_follows_what_is_done);
	tcase_add_test(tc, flip_flopping_answers_send_one_receipt);
	tcase_add_test(tc, work_queue_waits_and_puts_failures_first);
	tcase_add_test(tc, invitation_without_a_channel_is_manual);
	tcase_add_test(tc, video_after_all_keeps_the_reason);
	tcase_add_test(tc, patient_page_names_the_unit);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
