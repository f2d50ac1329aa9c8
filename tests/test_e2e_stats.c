/*
 * test_e2e_stats.c - the outcome statistics end to end (issue 21): known
 * bookings, outcomes and patients' answers in 2030 give exact numbers in
 * every grouping, across both DST changes (2030-03-31 and 2030-10-27), with
 * cancelled (by the patient and by the clinic) and moved appointments, a
 * late cancellation, an opt-out with its category, a phone fallback, the
 * waiting list, the travel estimate, small-cell suppression for a manager
 * and the CSV; and a manager sees no patient data anywhere (every route of
 * the table walked as a manager).
 */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "e2e.h"
#include "req.h"
#include "timeutil.h"

static struct server srv;
static int port;
static struct session mgr, mgr_u1;
static long long u1, u2, c1, c2, c3, t1, room, pat[6];
static long long a_confirm, a_optout, a_cancel_pt;

#define P_NAME "Kari Nordmann"
#define P_PHONE "+4791234567"

static long long book(long long clin, long long patient, const char *start, const char *mode,
		      long long type)
{
	char body[400], extra[64] = "";

	if (type)
		snprintf(extra, sizeof(extra), ",\"type_id\":%lld", type);
	if (!strcmp(mode, "in_person"))
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), ",\"room_id\":%lld",
			 room);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":30,\"mode\":\"%s\"%s}",
		 patient, clin, start, mode, extra);
	return e2e_make(port, "appointments", body);
}

static void patch(long long id, const char *body)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "PATCH", path, body, 200));
}

/* The patient's answer through their link (no session). */
static void answer(long long id, const char *what, const char *body)
{
	char token[E2E_TOKEN_LEN + 1], path[160];
	struct resp r;

	e2e_invite(port, id, token);
	snprintf(path, sizeof(path), "/api/v1/invite/%s/%s", token, what);
	ck_assert(e2e_request_as(port, NULL, "POST", path, NULL, body, &r));
	ck_assert_msg(r.status == 200, "%s: %d %s", what, r.status, r.body);
	e2e_resp_free(&r);
}

static long long patient(const char *name, const char *nid)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"phone\":\"" P_PHONE "\"%s%s%s}", name,
		 nid ? ",\"national_id\":\"" : "", nid ? nid : "", nid ? "\"" : "");
	return e2e_make(port, "patients", body);
}

static void user(const char *name, long long unit, struct session *s)
{
	char body[300];
	int status;

	snprintf(body, sizeof(body),
		 "{\"username\":\"%s\",\"role\":\"manager\",\"password\":\"%s\"%s%.0lld%s}", name,
		 E2E_PASSWORD, unit ? ",\"unit_ids\":[" : "", unit, unit ? "]" : "");
	json_decref(e2e_json(port, "POST", "/api/v1/users", body, 201));
	ck_assert(e2e_login(port, name, E2E_PASSWORD, s, &status));
}

/*
 * Unit 1 (target 20 %, a round trip of 80 km and 90 minutes), clinicians
 * 1 and 2; unit 2, clinician 3.  Patients by age band in 2030: 0 18-39,
 * 1 67-79, 2 0-17, 3 80+, 4 no birth date.
 *
 *  March 2030, unit 1 (clinician 1 unless said):
 *   03-04 09:00 video, invited, confirmed, completed by video
 *   03-05 09:00 video, invited (no answer), completed by phone: a fallback
 *   03-06 09:00 video, type 1, clinician 2, patient 1: opted out
 *         (equipment), re-booked in person, completed in person
 *   03-31 01:30+01:00 video, patient 2: no-show (the DST night)
 *   03-31 23:30+02:00 video, patient 3: cancelled by the patient
 *   03-12 09:00 phone, patient 4: cancelled by the clinic
 *   03-20 09:00 video: moved to 04-10, completed by video (counts in April)
 *  April: 04-01 00:30+02:00 (03-31 22:30 UTC) phone, completed by phone
 *  October: 10-27 02:30+01:00 (after the fall back) and 10-31 23:30+01:00
 *         video, completed; November: 11-01 00:30+01:00 video, completed
 *  Unit 2: 03-10 09:00 video, clinician 3, completed
 */
/* Outcomes of the bookings above, recorded once they have begun: a
 * completion or no-show before the start is refused, so the server is
 * started again with its clock (--clock-offset) after them all, the
 * outcomes are set, and it is started once more on the real clock. */
static struct {
	long long id;
	const char *body;
} outcomes[16];
static int noutcomes;

static void later(long long id, const char *body)
{
	ck_assert_int_lt(noutcomes, 16);
	outcomes[noutcomes].id = id;
	outcomes[noutcomes++].body = body;
}

static void play_forward(void)
{
	char offset[32];
	const char *extra[] = {"--clock-offset", offset, NULL};
	int64_t after;

	ck_assert_int_eq(timeutil_parse_instant("2030-12-15T00:00:00Z", &after, &(const char *){0}),
			 APP_OK);
	snprintf(offset, sizeof(offset), "%lld", (long long)(after - time(NULL)));
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_start(&srv, srv.dir, extra);
	port = srv.port;
	for (int i = 0; i < noutcomes; i++)
		patch(outcomes[i].id, outcomes[i].body);
	noutcomes = 0;
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_start(&srv, srv.dir, NULL);
	port = srv.port;
}

static void setup(void)
{
	char body[300];
	long long id;

	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	u1 = e2e_make(port, "units", "{\"name\":\"Hjertepoliklinikken\"}");
	u2 = e2e_make(port, "units", "{\"name\":\"Lungepoliklinikken\"}");
	snprintf(body, sizeof(body), "/api/v1/units/%lld", u1);
	json_decref(e2e_json(port, "PATCH", body,
			     "{\"video_target_percent\":20,\"travel_km\":80,\"travel_minutes\":90}",
			     200));
	snprintf(body, sizeof(body), "{\"name\":\"Lege En\",\"profession\":\"lege\",\"unit_id\":%lld}",
		 u1);
	c1 = e2e_make(port, "clinicians", body);
	snprintf(body, sizeof(body), "{\"name\":\"Lege To\",\"profession\":\"lege\",\"unit_id\":%lld}",
		 u1);
	c2 = e2e_make(port, "clinicians", body);
	snprintf(body, sizeof(body), "{\"name\":\"Lege Tre\",\"profession\":\"lege\",\"unit_id\":%lld}",
		 u2);
	c3 = e2e_make(port, "clinicians", body);
	snprintf(body, sizeof(body), "{\"name\":\"Rom 1\",\"kind\":\"clinic\",\"unit_id\":%lld}", u1);
	room = e2e_make(port, "rooms", body);
	snprintf(body, sizeof(body),
		 "{\"name\":\"Kontroll\",\"unit_id\":%lld,\"duration_minutes\":30}", u1);
	t1 = e2e_make(port, "consultation-types", body);
	pat[0] = patient(P_NAME, "01010050053");
	pat[1] = patient("Per Eldre", "01065510088");
	pat[2] = patient("Ung Pasient", "05051550082");
	pat[3] = patient("Gammel Pasient", "02024510029");
	pat[4] = patient("Uten Nummer", NULL);

	a_confirm = book(c1, pat[0], "2030-03-04T09:00:00+01:00", "video", 0);
	answer(a_confirm, "confirm", NULL);
	later(a_confirm, "{\"status\":\"completed\"}");
	id = book(c1, pat[0], "2030-03-05T09:00:00+01:00", "video", 0);
	e2e_invite(port, id, body);
	later(id, "{\"status\":\"completed\",\"held_mode\":\"phone\"}");
	a_optout = book(c2, pat[1], "2030-03-06T09:00:00+01:00", "video", t1);
	answer(a_optout, "opt-out", "{\"reason_code\":\"equipment\",\"reason\":\"ingen PC\"}");
	snprintf(body, sizeof(body), "{\"mode\":\"in_person\",\"room_id\":%lld,\"status\":\"booked\"}",
		 room);
	patch(a_optout, body);
	later(a_optout, "{\"status\":\"completed\"}");
	id = book(c1, pat[2], "2030-03-31T01:30:00+01:00", "video", 0);
	later(id, "{\"status\":\"no_show\"}");
	a_cancel_pt = book(c1, pat[3], "2030-03-31T23:30:00+02:00", "video", 0);
	answer(a_cancel_pt, "cancel", NULL);
	id = book(c1, pat[4], "2030-03-12T09:00:00+01:00", "phone", 0);
	snprintf(body, sizeof(body), "/api/v1/appointments/%lld", id);
	json_decref(e2e_json(port, "DELETE", body, NULL, 200));
	id = book(c1, pat[0], "2030-03-20T09:00:00+01:00", "video", 0);
	patch(id, "{\"start\":\"2030-04-10T09:00:00+02:00\",\"duration_minutes\":30}");
	later(id, "{\"status\":\"completed\"}");
	id = book(c1, pat[1], "2030-04-01T00:30:00+02:00", "phone", 0);
	later(id, "{\"status\":\"completed\"}");
	id = book(c1, pat[0], "2030-10-27T02:30:00+01:00", "video", 0);
	later(id, "{\"status\":\"completed\"}");
	id = book(c1, pat[0], "2030-10-31T23:30:00+01:00", "video", 0);
	later(id, "{\"status\":\"completed\"}");
	id = book(c1, pat[0], "2030-11-01T00:30:00+01:00", "video", 0);
	later(id, "{\"status\":\"completed\"}");
	id = book(c3, pat[1], "2030-03-10T09:00:00+01:00", "video", 0);
	later(id, "{\"status\":\"completed\"}");
	play_forward();
	user("leder", 0, &mgr);
	user("leder-u1", u1, &mgr_u1);
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

/* GET /api/v1/statistics?query as s: 200 and the answer. */
static json_t *stats(const struct session *s, const char *query)
{
	char path[300];
	struct resp r;
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/statistics?%s", query);
	ck_assert(e2e_request_as(port, s, "GET", path, NULL, NULL, &r));
	ck_assert_msg(r.status == 200, "%s: %d %s", path, r.status, r.body);
	j = json_incref(r.json);
	e2e_resp_free(&r);
	return j;
}

/* The row of key k (a string, or an id when k is NULL). */
static json_t *row(const json_t *j, const char *k, long long id)
{
	json_t *rows = json_object_get(j, "rows"), *r;
	size_t i;

	json_array_foreach(rows, i, r) {
		json_t *key = json_object_get(r, "key");
		if (k ? json_is_string(key) && !strcmp(json_string_value(key), k)
		      : json_integer_value(key) == id)
			return r;
	}
	ck_abort_msg("no row %s %lld", k ? k : "", id);
	return NULL;
}

/* A number at a.b (b may be NULL). */
static double num(const json_t *r, const char *a, const char *b)
{
	json_t *v = json_object_get(r, a);

	if (b)
		v = json_object_get(v, b);
	ck_assert_msg(json_is_number(v), "%s.%s is not a number", a, b ? b : "");
	return json_number_value(v);
}

/* r's number at a.b is want. */
static void expect_num(const json_t *r, const char *a, const char *b, double want)
{
	double v = num(r, a, b);

	ck_assert_msg(v == want, "%s.%s: %g, not %g", a, b ? b : "", v, want);
}
#define N(r, a, b, want) expect_num(r, a, b, (double)(want))

START_TEST(months_across_dst)
{
	char q[200];
	json_t *j, *mar, *apr, *oct, *nov, *tot;

	snprintf(q, sizeof(q), "from=2030-03-01&to=2030-11-30&unit_id=%lld&group_by=month", u1);
	j = stats(&srv.admin, q);
	ck_assert_str_eq(json_string_value(json_object_get(j, "group_by")), "month");
	ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 9);
	N(j, "target_percent", NULL, 20);
	mar = row(j, "2030-03", 0);
	N(mar, "booked", "video", 5); /* the moved one is April's; unit 2's is not here */
	N(mar, "booked", "in_person", 0);
	N(mar, "booked", "phone", 1);
	N(mar, "held", "video", 1);
	N(mar, "held", "in_person", 1);
	N(mar, "held", "phone", 1);
	N(mar, "video_share", NULL, 0.3333);
	N(mar, "digital_share", NULL, 0.6667);
	N(mar, "phone_fallback", NULL, 1);
	N(mar, "opted_out", "count", 1);
	N(json_object_get(mar, "opted_out"), "reasons", "equipment", 1);
	N(json_object_get(mar, "opted_out"), "reasons", "other", 0);
	N(mar, "no_show", "video", 1);
	N(mar, "no_show", "phone", 0);
	N(mar, "cancelled_by_patient", NULL, 1);
	N(mar, "cancelled_by_clinic", NULL, 1);
	N(mar, "late_cancellations", NULL, 0);
	N(mar, "invitations", "sent", 4);
	N(mar, "invitations", "answered", 3);
	N(mar, "invitations", "median_hours_to_answer", 0);
	N(mar, "room_hours_freed", NULL, 0.5);
	N(mar, "travel_avoided", "km", 160);
	N(mar, "travel_avoided", "hours", 3);
	N(mar, "travel_avoided", "co2_kg", 19.2);
	apr = row(j, "2030-04", 0);
	N(apr, "booked", "video", 1);
	N(apr, "booked", "phone", 1);
	N(apr, "held", "video", 1);
	N(apr, "held", "phone", 1);
	N(apr, "video_share", NULL, 0.5);
	N(apr, "digital_share", NULL, 1);
	N(apr, "phone_fallback", NULL, 0);
	oct = row(j, "2030-10", 0);
	N(oct, "held", "video", 2);
	nov = row(j, "2030-11", 0);
	N(nov, "held", "video", 1);
	ck_assert(json_is_null(json_object_get(row(j, "2030-06", 0), "video_share")));
	N(row(j, "2030-06", 0), "booked", "video", 0);
	tot = json_object_get(j, "total");
	N(tot, "held", "video", 5);
	N(tot, "held", "phone", 2);
	N(tot, "held", "in_person", 1);
	N(tot, "video_share", NULL, 0.625);
	N(tot, "travel_avoided", "km", 560);
	json_decref(j);
}
END_TEST

START_TEST(weeks_units_clinicians_types_bands)
{
	char q[200];
	json_t *j, *r;

	snprintf(q, sizeof(q), "from=2030-03-25&to=2030-04-14&unit_id=%lld&group_by=week", u1);
	j = stats(&srv.admin, q);
	ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 3);
	r = row(j, "2030-W13", 0); /* Sunday 03-31, both sides of the change */
	N(r, "no_show", "video", 1);
	N(r, "cancelled_by_patient", NULL, 1);
	N(r, "held", "phone", 0);
	r = row(j, "2030-W14", 0); /* 04-01 00:30 local, 03-31 in UTC */
	N(r, "held", "phone", 1);
	N(r, "booked", "phone", 1);
	r = row(j, "2030-W15", 0);
	N(r, "held", "video", 1); /* the moved one */
	json_decref(j);

	j = stats(&srv.admin, "from=2030-03-01&to=2030-03-31&group_by=unit");
	r = row(j, NULL, u1);
	ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "Hjertepoliklinikken");
	N(r, "target_percent", NULL, 20);
	N(r, "held", "video", 1);
	r = row(j, NULL, u2);
	N(r, "held", "video", 1);
	ck_assert(json_is_null(json_object_get(r, "target_percent")));
	N(json_object_get(j, "total"), "held", "video", 2);
	/* unit 2 has no round trip set: it adds nothing to the estimate */
	N(r, "travel_avoided", "km", 0);
	json_decref(j);

	snprintf(q, sizeof(q), "from=2030-03-01&to=2030-12-31&unit_id=%lld&group_by=clinician", u1);
	j = stats(&srv.admin, q);
	r = row(j, NULL, c1);
	ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "Lege En");
	N(r, "held", "video", 5);
	N(r, "held", "phone", 2);
	N(r, "booked", "video", 8);
	r = row(j, NULL, c2);
	N(r, "held", "in_person", 1);
	N(r, "opted_out", "count", 1);
	json_decref(j);

	snprintf(q, sizeof(q), "from=2030-03-01&to=2030-12-31&unit_id=%lld&group_by=type", u1);
	j = stats(&srv.admin, q);
	r = row(j, NULL, t1);
	ck_assert_str_eq(json_string_value(json_object_get(r, "name")), "Kontroll");
	N(r, "booked", "video", 1);
	N(r, "held", "in_person", 1);
	N(r, "opted_out", "count", 1);
	json_decref(j);
	/* a type filter */
	snprintf(q, sizeof(q), "from=2030-03-01&to=2030-12-31&type_id=%lld", t1);
	j = stats(&srv.admin, q);
	N(json_object_get(j, "total"), "booked", "video", 1);
	json_decref(j);

	snprintf(q, sizeof(q), "from=2030-03-01&to=2030-12-31&unit_id=%lld&group_by=age_band", u1);
	j = stats(&srv.admin, q);
	ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 6);
	r = row(j, "18-39", 0); /* patient 0: 03-04, 03-05, 04-10, 10-27, 10-31, 11-01 */
	N(r, "held", "video", 5);
	N(r, "held", "phone", 1);
	r = row(j, "67-79", 0); /* patient 1: the opt-out, 04-01 by phone */
	N(r, "held", "in_person", 1);
	N(r, "held", "phone", 1);
	N(r, "video_share", NULL, 0);
	N(row(j, "0-17", 0), "no_show", "video", 1);
	N(row(j, "80+", 0), "cancelled_by_patient", NULL, 1);
	N(row(j, "unknown", 0), "cancelled_by_clinic", NULL, 1);
	json_decref(j);
}
END_TEST

/* A period that starts and ends inside a month (a week): whole months
 * (weeks) come from their own sums, the ragged ends from the days. */
START_TEST(ragged_periods)
{
	char q[200];
	json_t *j, *r;

	snprintf(q, sizeof(q), "from=2030-03-05&to=2030-11-01&unit_id=%lld&group_by=month", u1);
	j = stats(&srv.admin, q);
	ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 9);
	r = row(j, "2030-03", 0); /* without 03-04 */
	N(r, "booked", "video", 4);
	N(r, "booked", "phone", 1);
	N(r, "held", "video", 0);
	N(r, "held", "phone", 1);
	N(r, "held", "in_person", 1);
	N(row(j, "2030-04", 0), "held", "phone", 1);
	N(row(j, "2030-10", 0), "held", "video", 2);
	N(row(j, "2030-11", 0), "held", "video", 1); /* 11-01 00:30 local */
	N(json_object_get(j, "total"), "held", "video", 4);
	N(json_object_get(j, "total"), "held", "phone", 2);
	json_decref(j);
	snprintf(q, sizeof(q), "from=2030-03-05&to=2030-10-31&unit_id=%lld&group_by=clinician",
		 u1);
	j = stats(&srv.admin, q);
	N(row(j, NULL, c1), "held", "video", 3);
	N(row(j, NULL, c1), "held", "phone", 2);
	json_decref(j);
	/* Wednesday to Tuesday: a part of W13, all of W14, a part of W15 */
	snprintf(q, sizeof(q), "from=2030-03-27&to=2030-04-09&unit_id=%lld&group_by=week", u1);
	j = stats(&srv.admin, q);
	ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 3);
	N(row(j, "2030-W13", 0), "no_show", "video", 1);
	N(row(j, "2030-W13", 0), "cancelled_by_patient", NULL, 1);
	N(row(j, "2030-W14", 0), "held", "phone", 1);
	N(row(j, "2030-W15", 0), "held", "video", 0); /* 04-10 is after the end */
	json_decref(j);
	/* by age band: months and days (weeks keep no band) */
	snprintf(q, sizeof(q), "from=2030-03-05&to=2030-11-01&unit_id=%lld&group_by=age_band", u1);
	j = stats(&srv.admin, q);
	N(row(j, "18-39", 0), "held", "video", 4);
	N(row(j, "18-39", 0), "held", "phone", 1);
	N(row(j, "67-79", 0), "held", "in_person", 1);
	json_decref(j);
	/* one day only */
	snprintf(q, sizeof(q), "from=2030-03-31&to=2030-03-31&unit_id=%lld&group_by=age_band", u1);
	j = stats(&srv.admin, q);
	N(row(j, "0-17", 0), "no_show", "video", 1);
	N(row(j, "80+", 0), "cancelled_by_patient", NULL, 1);
	N(json_object_get(j, "total"), "booked", "video", 2);
	json_decref(j);
	/* two ragged months and no whole one: the week of 10-28 to 11-03 lies
	 * across their border, and each month keeps its own days (outside
	 * review: the whole week counted in October) */
	snprintf(q, sizeof(q), "from=2030-10-20&to=2030-11-20&unit_id=%lld&group_by=month", u1);
	j = stats(&srv.admin, q);
	N(row(j, "2030-10", 0), "held", "video", 2);
	N(row(j, "2030-11", 0), "held", "video", 1);
	json_decref(j);
}
END_TEST

/* A child on the waiting list is in the 0-17 row (band 0 was taken for "no
 * row"); a named clinician or type brings its own unit's target and round
 * trip, not the mean of all units (outside review). */
START_TEST(children_waiting_and_a_named_clinicians_target)
{
	char q[200], body[120];
	json_t *j, *units;

	snprintf(body, sizeof(body), "{\"patient_id\":%lld,\"type_id\":%lld}", pat[2], t1);
	ck_assert_int_gt(e2e_make(port, "waiting-list", body), 0);
	snprintf(q, sizeof(q), "from=2030-01-01&to=2030-01-31&group_by=age_band");
	j = stats(&srv.admin, q);
	N(row(j, "0-17", 0), "waiting", "patients", 1);
	N(json_object_get(j, "total"), "waiting", "patients", 1);
	json_decref(j);
	snprintf(body, sizeof(body), "/api/v1/units/%lld", u2);
	json_decref(e2e_json(port, "PATCH", body, "{\"video_target_percent\":30}", 200));
	snprintf(q, sizeof(q), "from=2031-03-01&to=2031-03-31&clinician_id=%lld", c3);
	j = stats(&srv.admin, q); /* nothing held then: the unit's own target */
	N(j, "target_percent", NULL, 30);
	units = json_object_get(json_object_get(j, "travel_basis"), "units");
	ck_assert_int_eq(json_array_size(units), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(units, 0), "id")), u2);
	json_decref(j);
}
END_TEST

START_TEST(small_cells_for_a_manager)
{
	char q[200];
	json_t *j, *mar;

	snprintf(q, sizeof(q), "from=2030-03-01&to=2030-04-30&unit_id=%lld&group_by=month", u1);
	j = stats(&mgr_u1, q);
	ck_assert_str_eq(json_string_value(json_object_get(j, "small_counts")), "<5");
	mar = row(j, "2030-03", 0);
	N(mar, "booked", "video", 5);
	N(mar, "booked", "in_person", 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(mar, "booked"), "phone")),
			 "<5");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(mar, "held"), "video")),
			 "<5");
	/* shares, hours and estimates over fewer than 5 are withheld */
	ck_assert(json_is_null(json_object_get(mar, "video_share")));
	ck_assert(json_is_null(json_object_get(mar, "room_hours_freed")));
	ck_assert(json_is_null(json_object_get(json_object_get(mar, "invitations"),
					       "median_hours_to_answer")));
	json_decref(j);
	/* the admin sees the exact numbers of the same query */
	j = stats(&srv.admin, q);
	N(row(j, "2030-03", 0), "booked", "phone", 1);
	json_decref(j);
	/* the unit manager's own unit only: the whole hospital is theirs' alone */
	j = stats(&mgr_u1, "from=2030-03-01&to=2030-03-31&group_by=unit");
	ck_assert_int_eq(json_array_size(json_object_get(j, "rows")), 1);
	json_decref(j);
	snprintf(q, sizeof(q), "/api/v1/statistics?from=2030-03-01&to=2030-03-31&unit_id=%lld", u2);
	{
		struct resp r;
		ck_assert(e2e_request_as(port, &mgr_u1, "GET", q, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 403);
		ck_assert(e2e_is_error(&r, "forbidden", NULL));
		e2e_resp_free(&r);
	}
}
END_TEST

START_TEST(csv_and_bad_input)
{
	char q[200];
	struct resp r;
	const char *line;
	static const char *const bad[][2] = {
		{"to=2030-03-31", "from"},
		{"from=2030-03-01", "to"},
		{"from=2030-02-30&to=2030-03-31", "from"},
		{"from=2030-03-31&to=2030-03-01", "to"},
		{"from=2030-01-01&to=2034-01-01", "to"},
		{"from=2030-03-01&to=2030-03-31&group_by=year", "group_by"},
		{"from=2030-03-01&to=2030-03-31&format=xml", "format"},
		{"from=2030-03-01&to=2030-03-31&unit_id=0", "unit_id"},
		{"from=2030-03-01&to=2030-03-31&unit_id=999", "unit_id"},
		{"from=2030-03-01&to=2030-03-31&patient_id=1", NULL},
	};

	snprintf(q, sizeof(q),
		 "/api/v1/statistics?from=2030-03-01&to=2030-04-30&unit_id=%lld&format=csv", u1);
	ck_assert(e2e_request(port, "GET", q, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.raw, "Content-Type: text/csv"));
	ck_assert_int_eq(strncmp(r.body, "key,name,booked_video,", 22), 0);
	line = strstr(r.body, "\r\n2030-03,");
	ck_assert_ptr_nonnull(line);
	ck_assert_int_eq(strncmp(line + 2,
				 "2030-03,\"\",5,0,1,1,1,1,0.3333,0.6667,1,1,1,0,0,0,0,0,1,0,0,1,1,0,"
				 "4,3,0.0,0.5,160.0,3.0,19.2,0,\r\n",
				 strlen("2030-03,\"\",5,0,1,1,1,1,0.3333,0.6667,1,1,1,0,0,0,0,0,1,0,0,"
					"1,1,0,4,3,0.0,0.5,160.0,3.0,19.2,0,\r\n")),
			 0);
	ck_assert_ptr_nonnull(strstr(r.body, "\r\ntotal,"));
	e2e_resp_free(&r);
	/* a manager's CSV has the same small cells */
	ck_assert(e2e_request_as(port, &mgr_u1, "GET", q, NULL, NULL, &r));
	ck_assert_ptr_nonnull(strstr(r.body, "\r\n2030-03,\"\",5,0,<5,<5,<5,<5,,,<5,"));
	e2e_resp_free(&r);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(q, sizeof(q), "/api/v1/statistics?%s", bad[i][0]);
		ck_assert(e2e_request(port, "GET", q, NULL, NULL, &r));
		ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", bad[i][1]), "%s: %d %s",
			      q, r.status, r.body);
		e2e_resp_free(&r);
	}
}
END_TEST

/* The patient's answer times: the links made 5 and 10 hours earlier (the
 * database edited with the server stopped, the facts dropped), then the
 * server makes the facts again at its start, from what the database holds. */
START_TEST(answer_hours_and_backfill)
{
	char q[200], sql[300], *msg = NULL;
	sqlite3 *db;
	json_t *j, *inv;

	ck_assert_int_eq(e2e_stop(&srv), 0);
	ck_assert_int_eq(sqlite3_open(srv.db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql),
		 "UPDATE links SET created_at = created_at - 5 * 3600 WHERE appointment_id = %lld;"
		 "UPDATE links SET created_at = created_at - 10 * 3600 WHERE appointment_id = %lld;"
		 "DELETE FROM appointment_facts;",
		 a_confirm, a_optout);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s", msg);
	ck_assert_int_eq(sqlite3_close(db), SQLITE_OK);
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT SUM(booked_video) FROM stats_daily"), 0);
	e2e_start(&srv, srv.dir, NULL);
	port = srv.port;
	snprintf(q, sizeof(q), "from=2030-03-01&to=2030-03-31&unit_id=%lld", u1);
	j = stats(&srv.admin, q);
	inv = json_object_get(row(j, "2030-03", 0), "invitations");
	N(inv, "sent", NULL, 4);
	N(inv, "answered", NULL, 3);
	N(inv, "median_hours_to_answer", NULL, 5); /* 0, 5 and 10 hours */
	/* the rest is as before */
	N(row(j, "2030-03", 0), "opted_out", "count", 1);
	N(row(j, "2030-03", 0), "cancelled_by_patient", NULL, 1);
	json_decref(j);
}
END_TEST

/* A patient who cancels inside --cancel-notice-hours (24) is late; the
 * waiting list at the end of the period, and the staff's view of the
 * opt-out: its category and the patient's words. */
START_TEST(late_cancellation_waiting_and_reason)
{
	char q[300], start[32], day[11], body[200], path[64];
	time_t t = time(NULL) + 3 * 3600;
	struct tm tm;
	json_t *j, *a;
	long long id, w;

	gmtime_r(&t, &tm);
	strftime(start, sizeof(start), "%Y-%m-%dT%H:00:00Z", &tm);
	id = book(c2, pat[2], start, "video", 0);
	answer(id, "cancel", NULL);
	{ /* the period ends a day after the UTC day: the server counts by the
	   * clinic's local day, which is ahead of UTC (21:00-24:00 UTC is the
	   * next day in Oslo) */
		time_t after = t + 86400;
		struct tm next;

		gmtime_r(&after, &next);
		strftime(day, sizeof(day), "%Y-%m-%d", &next);
	}
	snprintf(body, sizeof(body), "{\"patient_id\":%lld,\"type_id\":%lld}", pat[1], t1);
	w = e2e_make(port, "waiting-list", body);
	ck_assert_int_gt(w, 0);
	snprintf(q, sizeof(q), "from=2030-01-01&to=2030-01-31&unit_id=%lld&group_by=month", u1);
	/* the waiting list is read at the end of the period, never later than now */
	j = stats(&srv.admin, q);
	N(json_object_get(j, "total"), "waiting", "patients", 1);
	N(json_object_get(j, "total"), "waiting", "median_days", 0);
	json_decref(j);
	t -= 2 * 86400;
	gmtime_r(&t, &tm);
	strftime(q, sizeof(q), "from=%Y-%m-%d", &tm);
	snprintf(q + strlen(q), sizeof(q) - strlen(q), "&to=%s&clinician_id=%lld", day, c2);
	j = stats(&srv.admin, q);
	N(json_object_get(j, "total"), "late_cancellations", NULL, 1);
	N(json_object_get(j, "total"), "cancelled_by_patient", NULL, 1);
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a_optout);
	a = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(a, "opt_out_reason")), "equipment");
	json_decref(a);
}
END_TEST

/* A bad category changes nothing; free text alone still works, as "other". */
START_TEST(opt_out_reason_codes)
{
	char token[E2E_TOKEN_LEN + 1], path[160], q[200];
	long long id = book(c1, pat[4], "2030-05-06T09:00:00+02:00", "video", 0);
	struct resp r;
	json_t *j;

	e2e_invite(port, id, token);
	snprintf(path, sizeof(path), "/api/v1/invite/%s/opt-out", token);
	ck_assert(e2e_request_as(port, NULL, "POST", path, NULL, "{\"reason_code\":\"weather\"}",
				 &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "reason_code"));
	e2e_resp_free(&r);
	ck_assert(e2e_request_as(port, NULL, "POST", path, NULL, "{\"reason\":\"vil heller komme\"}",
				 &r));
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	snprintf(q, sizeof(q), "from=2030-05-01&to=2030-05-31&unit_id=%lld", u1);
	j = stats(&srv.admin, q);
	N(json_object_get(json_object_get(j, "total"), "opted_out"), "reasons", "other", 1);
	N(json_object_get(j, "total"), "opted_out", "count", 1);
	json_decref(j);
}
END_TEST

/* Every route of the table as a manager: only their statistics, the
 * session and themselves answer; nothing holds a patient's name, phone,
 * national id or a patient or appointment id. */
START_TEST(manager_sees_no_patient_data)
{
	char path[300];
	struct resp r;
	int allowed = 0;
	static const char *const groups[] = {"month", "week", "unit", "clinician", "type",
					     "age_band"};

	for (int i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		char *p = path;
		size_t n = sizeof(path);

		if ((rt->flags & ROUTE_PUBLIC) || !strcmp(rt->method, "DELETE"))
			continue;
		for (const char *s = rt->pattern; *s && n > 2;) {
			if (*s == '{') {
				int k = snprintf(p, n, "%lld", a_optout);
				p += k;
				n -= (size_t)k;
				s = strchr(s, '}') + 1;
			} else {
				*p++ = *s++;
				n--;
			}
		}
		*p = '\0';
		if (!strcmp(rt->pattern, "/api/v1/statistics"))
			snprintf(path, sizeof(path),
				 "/api/v1/statistics?from=2030-01-01&to=2030-12-31&group_by=clinician");
		else if (!strncmp(rt->pattern, "/api/v1/statistics/", 19)) /* surveys, PROM */
			snprintf(path, sizeof(path), "%s?from=2030-01-01&to=2030-12-31", rt->pattern);
		ck_assert(e2e_request_as(port, &mgr, rt->method, path, NULL,
					 strcmp(rt->method, "GET") ? "{}" : NULL, &r));
		ck_assert_msg(!strstr(r.body, P_NAME) && !strstr(r.body, P_PHONE) &&
				      !strstr(r.body, "01010050053") && !strstr(r.body, "patient_"),
			      "%s %s: %s", rt->method, path, r.body);
		if (r.status / 100 == 2)
			allowed++;
		else
			ck_assert_msg(r.status == 403 || !(rt->roles & ROLE_MANAGER), "%s %s: %d",
				      rt->method, path, r.status);
		e2e_resp_free(&r);
	}
	ck_assert_int_eq(allowed, 4); /* GET /me and the statistics (outcomes, surveys, PROM) */
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		snprintf(path, sizeof(path),
			 "/api/v1/statistics?from=2030-01-01&to=2030-12-31&group_by=%s%s", groups[g],
			 g % 2 ? "&format=csv" : "");
		ck_assert(e2e_request_as(port, &mgr, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(!strstr(r.body, P_NAME) && !strstr(r.body, "Per Eldre") &&
				      !strstr(r.body, "patient_id") && !strstr(r.body, "ingen PC"),
			      "%s: %s", path, r.body);
		e2e_resp_free(&r);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_stats");
	TCase *tc = tcase_create("stats");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, months_across_dst);
	tcase_add_test(tc, weeks_units_clinicians_types_bands);
	tcase_add_test(tc, ragged_periods);
	tcase_add_test(tc, small_cells_for_a_manager);
	tcase_add_test(tc, csv_and_bad_input);
	tcase_add_test(tc, answer_hours_and_backfill);
	tcase_add_test(tc, late_cancellation_waiting_and_reason);
	tcase_add_test(tc, opt_out_reason_codes);
	tcase_add_test(tc, manager_sees_no_patient_data);
	tcase_add_test(tc, children_waiting_and_a_named_clinicians_target);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
