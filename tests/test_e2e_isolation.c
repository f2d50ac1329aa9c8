/*
 * test_e2e_isolation.c - issue 18's findings against the real binary, at
 * the sizes where they appeared:
 *   - a calendar feed of 150 events (it read freed memory past 64: other
 *     meetings' interpreters' phone numbers, then SIGSEGV);
 *   - a slot search over 30 clinicians with about 400 open pieces a day
 *     each (it wrote past its interval buffers);
 *   - a new patient or a removed guest gets a new video room, and those who
 *     remain are told of it.
 * The message findings (a queued message keeps its own link) are in
 * test_e2e_delivery.c, where a gateway can keep a message waiting.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <check.h>
#include <errno.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"
#include "timeutil.h"
#include "validate.h"

static struct server srv;
static int port;

static void setup(void)
{
	e2e_start(&srv, NULL, NULL);
	port = srv.port;
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

/* Book a video appointment of clinician c for patient p at t (UTC) for
 * minutes; its id. */
static long long book(long long c, long long p, int64_t t, int minutes)
{
	char body[256], start[TIMEUTIL_INSTANT_LEN];
	long long id;
	json_t *j;

	timeutil_format(t, start);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":%d}",
		 p, c, start, minutes);
	j = e2e_json(port, "POST", "/api/v1/appointments", body, 201);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* Add a guest to appointment id; the guest's participant id. */
static long long add_guest(long long id, const char *name, const char *role, const char *phone)
{
	char path[96], body[300];
	long long pid;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants", id);
	snprintf(body, sizeof(body),
		 "{\"name\":\"%s\",\"role\":\"%s\",\"phone\":\"%s\"%s}", name, role, phone,
		 strcmp(role, "interpreter") ? "" : ",\"interpreter_language\":\"pl\"");
	j = e2e_json(port, "POST", path, body, 201);
	pid = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return pid;
}

/* The feed's text, fetched anonymously by its address. */
static int fetch_feed(const char *url, char **text, size_t *len)
{
	const char *path = strstr(url, "/api/v1/calendar-feeds/");
	struct resp r;
	int status;

	ck_assert_ptr_nonnull(path);
	ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, &r));
	status = r.status;
	*len = r.body_len;
	*text = malloc(r.body_len + 1);
	memcpy(*text, r.body, r.body_len);
	(*text)[r.body_len] = '\0';
	e2e_resp_free(&r);
	return status;
}

#define FEED_EVENTS 150

/* Issue 18, finding 1: the feed kept pointers into an array that realloc
 * moved once it passed 64 events. */
START_TEST(a_feed_of_150_events_holds_its_own_and_nothing_else)
{
	long long c1, c2, p1, p2, ids[FEED_EVENTS];
	int64_t t0 = (time(NULL) / 86400 + 2) * 86400; /* midnight UTC, two days on */
	char phone[32], name[32], url[600];
	icalcomponent *cal, *ev;
	size_t len;
	char *text;
	json_t *j;
	int n = 0;

	c1 = e2e_make(port, "clinicians", "{\"name\":\"Dr Feed\",\"profession\":\"lege\"}");
	c2 = e2e_make(port, "clinicians", "{\"name\":\"Dr Other\",\"profession\":\"psykolog\"}");
	p1 = e2e_make(port, "patients", "{\"name\":\"Pasient Feedesen\",\"phone\":\"+4791000001\"}");
	p2 = e2e_make(port, "patients", "{\"name\":\"Pasient Annensen\",\"phone\":\"+4791000002\"}");
	for (int i = 0; i < FEED_EVENTS; i++) {
		ids[i] = book(c1, p1, t0 + i * 1800, 20);
		snprintf(name, sizeof(name), "Tolk Feed %d", i);
		snprintf(phone, sizeof(phone), "+47981%05d", i);
		add_guest(ids[i], name, "interpreter", phone);
	}
	/* another clinician's meetings, each with an interpreter */
	for (int i = 0; i < 40; i++) {
		long long id = book(c2, p2, t0 + i * 1800, 20);
		snprintf(name, sizeof(name), "Tolk Annen %d", i);
		snprintf(phone, sizeof(phone), "+47982%05d", i);
		add_guest(id, name, "interpreter", phone);
	}
	{
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/calendar-feed", c1);
		j = e2e_json(port, "POST", path, NULL, 201);
		snprintf(url, sizeof(url), "%s", str(j, "url"));
		json_decref(j);
	}
	for (int round = 0; round < 3; round++) { /* the same answer every fetch */
		ck_assert_int_eq(fetch_feed(url, &text, &len), 200);
		ck_assert_uint_eq(strlen(text), len); /* no NUL inside */
		ck_assert(validate_utf8(text, len));
		ck_assert_ptr_null(strstr(text, "+4798"));
		ck_assert_ptr_null(strstr(text, "Tolk"));
		ck_assert_ptr_null(strstr(text, "Pasient"));
		ck_assert_ptr_null(strstr(text, "+4791"));
		cal = icalparser_parse_string(text);
		ck_assert_ptr_nonnull(cal);
		n = 0;
		for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
		     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
			char uid[64];
			snprintf(uid, sizeof(uid), "timebok-%lld@", ids[n]);
			ck_assert_msg(!strncmp(icalcomponent_get_uid(ev), uid, strlen(uid)),
				      "event %d is %s", n, icalcomponent_get_uid(ev));
			ck_assert_str_eq(icalcomponent_get_summary(ev), "Videokonsultasjon");
			ck_assert_int_eq(icaltime_as_timet(icalcomponent_get_dtstart(ev)),
					 t0 + n * 1800);
			n++;
		}
		icalcomponent_free(cal);
		ck_assert_int_eq(n, FEED_EVENTS);
		free(text);
	}
}
END_TEST

#define ISLAND_CLINICIANS 30

/* Issue 18, finding 2: one day of 30 clinicians, each with 199 extra hours
 * separated by 1-second gaps and about 190 one-second absences, all at
 * different moments: their common free time is 11,370 pieces, more than
 * the 8,470 the search's fixed buffers held.  10:00-11:00 has no gap for anyone,
 * so the answer is known: 10:00, 10:15 and 10:30 for half an hour. */
START_TEST(a_slot_search_over_30_clinicians_with_400_pieces_a_day)
{
	struct civil day = {0}, ten;
	long long c[ISLAND_CLINICIANS];
	char path[1200], date[11], want[TIMEUTIL_INSTANT_LEN];
	int64_t t0, w0, w1, days;
	struct resp r;
	size_t n = 0;
	json_t *j;

	days = time(NULL) / 86400 + 30;
	timeutil_civil_from_days(days, &day.year, &day.month, &day.day);
	timeutil_day_bounds(&day, &t0, &w1);
	ten = day;
	ten.hour = 10;
	ck_assert_int_eq(timeutil_from_local(&ten, &w0), APP_OK);
	w1 = w0 + 3600;
	for (int i = 0; i < ISLAND_CLINICIANS; i++) {
		char body[96];
		snprintf(body, sizeof(body), "{\"name\":\"Dr Øy %d\",\"profession\":\"lege\"}", i);
		c[i] = e2e_make(port, "clinicians", body);
	}
	/* one extra hour through the API, the day before, to hold the rows to
	 * its shape */
	{
		char body[200], a[TIMEUTIL_INSTANT_LEN], b[TIMEUTIL_INSTANT_LEN];
		timeutil_format(t0 - 7200, a);
		timeutil_format(t0 - 3600, b);
		snprintf(body, sizeof(body), "{\"kind\":\"extra\",\"start\":\"%s\",\"end\":\"%s\"}",
			 a, b);
		snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/exceptions", c[0]);
		json_decref(e2e_json(port, "POST", path, body, 201));
	}
	/* the rest straight into the database: 12,000 rows by HTTP would take
	 * the valgrind run minutes */
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_islands(srv.db, c, ISLAND_CLINICIANS, t0, w0, w1);
	e2e_start(&srv, srv.dir, NULL);
	port = srv.port;

	timeutil_format_date(t0 + 43200, date);
	n = (size_t)snprintf(path, sizeof(path), "/api/v1/slots?from=%s&to=%s&duration_minutes=30",
			     date, date);
	for (int i = 0; i < ISLAND_CLINICIANS; i++)
		n += (size_t)snprintf(path + n, sizeof(path) - n, "&clinician_id=%lld", c[i]);
	ck_assert_uint_lt(n, sizeof(path));
	for (int round = 0; round < 2; round++) {
		ck_assert(e2e_request(port, "GET", path, NULL, NULL, &r));
		ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
		j = r.json;
		ck_assert_int_eq(json_array_size(j), 3);
		for (int k = 0; k < 3; k++) {
			timeutil_format(w0 + k * 900, want);
			ck_assert_str_eq(str(json_array_get(j, (size_t)k), "start"), want);
		}
		e2e_resp_free(&r);
	}
	/* one more extra hour is past what a search holds: a clean 400 that
	 * names the limit, and the server still serves */
	{
		char body[200], a[TIMEUTIL_INSTANT_LEN], b[TIMEUTIL_INSTANT_LEN], one[96];
		timeutil_format(w1 + 7200, a);
		timeutil_format(w1 + 7201, b);
		snprintf(body, sizeof(body), "{\"kind\":\"extra\",\"start\":\"%s\",\"end\":\"%s\"}",
			 a, b);
		snprintf(one, sizeof(one), "/api/v1/clinicians/%lld/exceptions", c[0]);
		json_decref(e2e_json(port, "POST", one, body, 201));
	}
	ck_assert(e2e_request(port, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "to"));
	ck_assert_ptr_nonnull(strstr(r.body, "200 extra hours"));
	e2e_resp_free(&r);
	json_decref(e2e_json(port, "GET", "/api/v1/me", NULL, 200));
}
END_TEST

/* The appointment's video_url. */
static char *video_url(long long id)
{
	static char out[600];
	char path[64];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	j = e2e_json(port, "GET", path, NULL, 200);
	snprintf(out, sizeof(out), "%s", str(j, "video_url"));
	json_decref(j);
	return out;
}

/* How many messages of kind appointment id has to to. */
static int messages(long long id, const char *to, const char *kind)
{
	char path[96];
	json_t *m, *v;
	size_t k;
	int n = 0;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", id);
	m = e2e_json(port, "GET", path, NULL, 200);
	json_array_foreach(m, k, v) n += !strcmp(str(v, "to"), to) && !strcmp(str(v, "kind"), kind);
	json_decref(m);
	return n;
}

/* The status of opening a patient or guest link by its address. */
static int open_link(const char *url)
{
	const char *token = strstr(url, "/i/");

	ck_assert_ptr_nonnull(token);
	return e2e_link_status(port, token + 3);
}

static void invite_guest(long long id, long long pid, char url[600])
{
	char path[128];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld/invitations", id,
		 pid);
	j = e2e_json(port, "POST", path, NULL, 201);
	snprintf(url, 600, "%s", str(j, "url"));
	json_decref(j);
}

/* Issue 18, finding 6: revoking a link did not close the meeting. */
START_TEST(a_new_patient_or_a_removed_guest_gets_a_new_room)
{
	char first[600], second[600], gp_url[600], nav_url[600], path[128], patient[44];
	long long c, p1, p2, id, gp, nav;
	json_t *h, *v;
	size_t k;
	bool noted = false;

	c = e2e_make(port, "clinicians", "{\"name\":\"Dr Rom\",\"profession\":\"lege\"}");
	p1 = e2e_make(port, "patients", "{\"name\":\"Kari\",\"phone\":\"+4791234567\"}");
	p2 = e2e_make(port, "patients", "{\"name\":\"Nils\",\"phone\":\"+4791111111\"}");
	id = book(c, p1, (time(NULL) / 86400 + 3) * 86400 + 36000, 30);
	gp = add_guest(id, "Fastlege F", "gp", "+4792000001");
	nav = add_guest(id, "NAV N", "nav", "+4792000002");
	e2e_invite(port, id, patient);
	invite_guest(id, gp, gp_url);
	invite_guest(id, nav, nav_url);
	snprintf(first, sizeof(first), "%s", video_url(id));
	ck_assert_str_ne(first, "");

	/* the GP leaves: a new room, the GP's link is dead, the others are
	 * told (each with a new link) */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld", id, gp);
	json_decref(e2e_json(port, "DELETE", path, NULL, 204));
	snprintf(second, sizeof(second), "%s", video_url(id));
	ck_assert_str_ne(second, "");
	ck_assert_str_ne(second, first);
	ck_assert_int_eq(open_link(gp_url), 404);
	ck_assert_int_eq(messages(id, "+4792000002", "changed"), 1);
	ck_assert_int_eq(messages(id, "+4791234567", "changed"), 1);
	ck_assert_int_eq(messages(id, "+4792000001", "changed"), 0);

	/* the patient is corrected: a new room again, the first patient's link
	 * is dead, the guest who remains is told */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	{
		char body[64];
		snprintf(body, sizeof(body), "{\"patient_id\":%lld}", p2);
		json_decref(e2e_json(port, "PATCH", path, body, 200));
	}
	ck_assert_str_ne(video_url(id), second);
	ck_assert_str_ne(video_url(id), first);
	ck_assert_int_eq(e2e_link_status(port, patient), 404);
	ck_assert_int_eq(messages(id, "+4792000002", "changed"), 2);
	ck_assert_int_eq(messages(id, "+4791234567", "changed"), 1);
	ck_assert_int_eq(messages(id, "+4791111111", "changed"), 0); /* not invited yet */

	/* the history says the room changed, without saying where */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/history", id);
	h = e2e_json(port, "GET", path, NULL, 200);
	json_array_foreach(h, k, v) {
		json_t *ch = json_object_get(v, "changes");
		const char *u = json_string_value(json_object_get(ch, "video_url"));
		noted |= u && !strcmp(u, "changed");
	}
	ck_assert(noted);
	{
		char *all = json_dumps(h, 0);
		ck_assert_ptr_null(strstr(all, "meet.jit.si"));
		free(all);
	}
	json_decref(h);
}
END_TEST

/* Whether every message of id has been tried at least once. */
static bool all_tried(int p, long long id)
{
	char path[96];
	bool tried = true;
	json_t *m, *v;
	size_t k;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", id);
	m = e2e_json(p, "GET", path, NULL, 200);
	json_array_foreach(m, k, v) tried &= json_integer_value(json_object_get(v, "attempts")) > 0;
	json_decref(m);
	return tried && k > 0;
}

/* Found by the outside review: a corrected phone number or e-mail means the
 * old one was someone else's, yet what waited for a retry went there, with
 * a live link.  The spool "folder" is a file at first, so every message
 * waits for its retry; the secretary corrects the patient's and the
 * guest's addresses; then the spool can be written.  Nothing goes to the
 * old addresses, the links meant for them are dead, and the video meeting
 * has a new room, told to the new addresses. */
START_TEST(a_corrected_address_gets_nothing_meant_for_the_old)
{
	char dir[64] = "/tmp/timebok-spool-XXXXXX", spool[96], cmd[300], token[44], path[160],
	    guest_url[600];
	const char *extra[] = {"--spool-dir", spool, "--retry-base", "1", NULL};
	struct server own;
	long long c, p, id, guest;
	int sent_new = 0;
	json_t *m, *v;
	size_t k;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	ck_assert_ptr_nonnull(f = fopen(spool, "w"));
	fclose(f);
	e2e_start(&own, NULL, extra);
	port = own.port;
	c = e2e_make(port, "clinicians", "{\"name\":\"Dr Adr\",\"profession\":\"lege\"}");
	p = e2e_make(port, "patients",
		     "{\"name\":\"Kari\",\"phone\":\"+4791234567\",\"email\":\"kari@example.no\"}");
	id = book(c, p, (time(NULL) / 86400 + 3) * 86400 + 36000, 30);
	guest = add_guest(id, "NAV N", "nav", "+4792222333");
	e2e_invite(port, id, token);
	invite_guest(id, guest, guest_url);
	for (int i = 0; i < 1000 && !all_tried(port, id); i++)
		usleep(10000);
	ck_assert(all_tried(port, id));
	{
		char body[96];
		snprintf(path, sizeof(path), "/api/v1/patients/%lld", p);
		json_decref(e2e_json(port, "PATCH", path,
				     "{\"phone\":\"+4791234000\",\"email\":\"kari.ny@example.no\"}",
				     200));
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants/%lld", id, guest);
		snprintf(body, sizeof(body), "{\"phone\":\"+4792222444\"}");
		json_decref(e2e_json(port, "PATCH", path, body, 200));
	}
	ck_assert_int_eq(unlink(spool), 0);
	/* the server makes a missing spool folder itself, and a retry may
	 * have done so between the two calls */
	ck_assert(mkdir(spool, 0700) == 0 || errno == EEXIST);
	m = e2e_settled(port, id);
	json_array_foreach(m, k, v) {
		const char *to = str(v, "to");
		if (!strcmp(to, "+4791234567") || !strcmp(to, "kari@example.no") ||
		    !strcmp(to, "+4792222333")) {
			/* dropped: mostly for the address; one tried between the
			 * patient's correction and the guest's may find its link
			 * renewed first */
			ck_assert_str_eq(str(v, "status"), "failed");
			ck_assert_str_eq(str(v, "handled_by"), "timebok");
			ck_assert_msg(strstr(str(v, "last_error"), "address was changed") ||
					      strstr(str(v, "last_error"), "revoked"),
				      "%s", str(v, "last_error"));
		} else { /* the new addresses get the meeting's new room, with new links:
			  * each correction gave it one, so an earlier one may be
			  * dropped for the later */
			ck_assert_str_eq(str(v, "kind"), "changed");
			if (!strcmp(str(v, "status"), "sent"))
				sent_new++;
			else
				ck_assert_msg(strstr(str(v, "last_error"), "revoked"), "%s: %s", to,
					      str(v, "last_error"));
		}
	}
	ck_assert_int_eq(sent_new, 3); /* Kari's SMS and e-mail, the guest's SMS */
	json_decref(m);
	/* nothing was written for the old addresses, and the links that went
	 * there open nothing */
	snprintf(cmd, sizeof(cmd), "! grep -rqE '91234567|kari@example|92222333' '%s'", spool);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "grep -rqE '91234000' '%s' && grep -rqE '92222444' '%s'", spool,
		 spool);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(e2e_link_status(port, token), 404);
	ck_assert_int_eq(open_link(guest_url), 404);
	ck_assert_int_eq(e2e_stop(&own), 0);
	e2e_cleanup(&own);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	port = srv.port;
}
END_TEST

/* A corrected address renews the link also where there is no video room to
 * change (a phone consultation) and for a patient who asked to meet in
 * person: the link that went to the old address opens nothing, and a new
 * invitation goes to the new one. */
START_TEST(a_corrected_address_renews_the_link_without_a_room)
{
	char t1[44], t2[44], path[96];
	long long c, p, phone, opted;

	c = e2e_make(port, "clinicians", "{\"name\":\"Dr Tlf\",\"profession\":\"lege\"}");
	p = e2e_make(port, "patients", "{\"name\":\"Kari\",\"phone\":\"+4791234567\"}");
	phone = book(c, p, (time(NULL) / 86400 + 4) * 86400 + 36000, 30);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", phone);
	json_decref(e2e_json(port, "PATCH", path, "{\"mode\":\"phone\"}", 200));
	opted = book(c, p, (time(NULL) / 86400 + 5) * 86400 + 36000, 30);
	e2e_invite(port, phone, t1);
	e2e_invite(port, opted, t2);
	snprintf(path, sizeof(path), "/api/v1/invite/%s/opt-out", t2);
	{
		struct resp r;
		ck_assert(e2e_request_as(port, NULL, "POST", path, NULL, "{}", &r));
		ck_assert_int_eq(r.status, 200);
		e2e_resp_free(&r);
	}
	snprintf(path, sizeof(path), "/api/v1/patients/%lld", p);
	json_decref(e2e_json(port, "PATCH", path, "{\"phone\":\"+4791234000\"}", 200));
	ck_assert_int_eq(e2e_link_status(port, t1), 404);
	ck_assert_int_eq(e2e_link_status(port, t2), 404);
	ck_assert_int_eq(messages(phone, "+4791234000", "invitation"), 1);
	ck_assert_int_eq(messages(opted, "+4791234000", "invitation"), 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_isolation");
	TCase *tc = tcase_create("isolation");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, a_feed_of_150_events_holds_its_own_and_nothing_else);
	tcase_add_test(tc, a_slot_search_over_30_clinicians_with_400_pieces_a_day);
	tcase_add_test(tc, a_new_patient_or_a_removed_guest_gets_a_new_room);
	tcase_add_test(tc, a_corrected_address_gets_nothing_meant_for_the_old);
	tcase_add_test(tc, a_corrected_address_renews_the_link_without_a_room);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
