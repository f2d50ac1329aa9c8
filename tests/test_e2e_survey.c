/*
 * test_e2e_survey.c - questionnaires end to end on a played-forward clock
 * (issue 22): a completed consultation sends exactly one survey (none to a
 * patient who declined), its link opens the built-in questionnaire without
 * changing anything, takes one answer (a second is 409), and unknown or
 * expired links get the same 404; a consultation type's PROM plan sends at
 * 12 weeks and at a year, reminds once, answers with feedback in the
 * patient's language, and a wish for a control or a score over the
 * threshold puts the patient on the waiting list (urgent over the urgent
 * threshold), a "no" does not; invalid uploads are refused with the item
 * named; the answers come back as a FHIR Bundle, audited.  The plan is a
 * field of the type ("follow_up"): POST, GET, lists and PATCH carry it,
 * the /follow-up route reads and writes the same value, a bad entry or
 * another unit's questionnaire is refused with the entry named and
 * nothing changed, and completion plans its sends from it.
 */
#define _DEFAULT_SOURCE /* usleep */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"
#include "timeutil.h"

static struct server srv;
static int port;
static long long unit, clin, type, pat_nn, pat_en, pat_no, prom;

#define DAY 86400LL
/* the consultations: 2031-03-03 from 09:00 Oslo, one an hour; the last
 * ends 11:30 (10:30Z) */
#define END_UTC 1930300200LL /* 2031-03-03T10:30:00Z */

#define TR(nn, en)                                                                                 \
	"{\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/translation\","        \
	"\"extension\":[{\"url\":\"lang\",\"valueCode\":\"nn\"},{\"url\":\"content\","            \
	"\"valueString\":\"" nn "\"}]},{\"url\":\"http://hl7.org/fhir/StructureDefinition/"       \
	"translation\",\"extension\":[{\"url\":\"lang\",\"valueCode\":\"en\"},{\"url\":"          \
	"\"content\",\"valueString\":\"" en "\"}]}]}"

/* a knee PROM: pain 0-10, and "do you want a control?" */
#define PROM_ITEMS                                                                                 \
	"\"item\":[{\"linkId\":\"pain\",\"type\":\"integer\",\"text\":\"Smerte 0-10\","           \
	"\"_text\":" TR("Smerte 0-10", "Pain 0-10") ",\"required\":true,\"extension\":[{\"url\":" \
	"\"http://hl7.org/fhir/StructureDefinition/minValue\",\"valueInteger\":0},{\"url\":"      \
	"\"http://hl7.org/fhir/StructureDefinition/maxValue\",\"valueInteger\":10}]},"            \
	"{\"linkId\":\"control\",\"type\":\"boolean\",\"text\":\"Ønsker du kontroll?\","          \
	"\"required\":true}]"
#define PROM_FEEDBACK                                                                              \
	"\"feedback\":{\"score\":\"pain\",\"control_item\":\"control\",\"bands\":["               \
	"{\"min\":0,\"max\":3,\"text\":{\"nb\":\"Lite smerte.\",\"nn\":\"Lite smerte, fint.\","   \
	"\"en\":\"Little pain, good.\"}},{\"min\":4,\"max\":10,\"text\":{\"nb\":\"Vi ser på "     \
	"svarene.\",\"nn\":\"Vi ser på svara.\",\"en\":\"We will look at your answers.\"}}]}"

static long long patient(const char *name, const char *lang, const char *phone)
{
	char body[200];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"phone\":\"%s\",\"language\":\"%s\"}", name,
		 phone, lang);
	return e2e_make(port, "patients", body);
}

static long long book(long long p, int hour)
{
	char body[300];

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":"
		 "\"2031-03-03T%02d:00:00+01:00\",\"duration_minutes\":30,\"type_id\":%lld}",
		 p, clin, hour, type);
	return e2e_make(port, "appointments", body);
}

/* Restart the server with its clock at utc (the same database). */
static void clock_at(long long utc)
{
	char offset[32];
	const char *extra[] = {"--clock-offset", offset, NULL};

	snprintf(offset, sizeof(offset), "%lld", utc - (long long)time(NULL));
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_start(&srv, srv.dir, extra);
	port = srv.port;
}

/* Appointment id's messages once n of kind exist and none is queued
 * (20 s at most). */
static json_t *messages(long long id, const char *kind, int n)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", id);
	for (int i = 0; i < 2000; i++) {
		json_t *m = e2e_json(port, "GET", path, NULL, 200), *v;
		bool queued = false;
		int have = 0;
		size_t k;
		json_array_foreach(m, k, v) {
			queued |= !strcmp(json_string_value(json_object_get(v, "status")), "queued");
			have += !strcmp(json_string_value(json_object_get(v, "kind")), kind);
		}
		if (!queued && have >= n)
			return m;
		json_decref(m);
		usleep(10000);
	}
	ck_abort_msg("appointment %lld: no %d '%s' messages after 20 s", id, n, kind);
	return NULL;
}

/* Whether the JSON j, written out, holds text. */
static bool holds(const json_t *j, const char *text)
{
	char *s = json_dumps(j, 0);
	bool yes = s && strstr(s, text);

	free(s);
	return yes;
}

/* Wait until patient p's audit trail holds action (5 s at most). */
static void audited(long long p, const char *action)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/audit?patient_id=%lld", p);
	for (int i = 0; i < 500; i++) {
		json_t *j = e2e_json(port, "GET", path, NULL, 200);
		bool seen = holds(j, action);
		json_decref(j);
		if (seen)
			return;
		usleep(10000);
	}
	ck_abort_msg("patient %lld: no '%s' in the audit trail", p, action);
}

static int count_kind(const json_t *m, const char *kind)
{
	const json_t *v;
	size_t k;
	int n = 0;

	json_array_foreach(m, k, v) n += !strcmp(json_string_value(json_object_get(v, "kind")), kind);
	return n;
}

/* The token of the newest survey link the spool holds for message body
 * text containing phone (the file channel: <db>.outbox/<id>-sms.json). */
static void token_of(const char *phone, char token[E2E_TOKEN_LEN + 1])
{
	char dir[400], path[800], buf[8192];
	struct dirent *de;
	long best = -1;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s.outbox", srv.db);
	token[0] = '\0';
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d))) {
		FILE *f;
		size_t n;
		const char *s;
		long id = atol(de->d_name);
		if (!strstr(de->d_name, "-sms.json") || id < best)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_ptr_nonnull(f = fopen(path, "r"));
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		if (strstr(buf, phone) && (s = strstr(buf, "/s/"))) {
			snprintf(token, E2E_TOKEN_LEN + 1, "%.43s", s + 3);
			best = id;
		}
	}
	closedir(d);
	ck_assert_int_eq((int)strlen(token), E2E_TOKEN_LEN);
}

static int survey(const char *method, const char *token, const char *tail, const char *body,
		  struct resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/survey/%s%s", token, tail);
	ck_assert(e2e_request_as(port, NULL, method, path, NULL, body, r));
	return r->status;
}

#define ANSWER_PROM(pain, control)                                                                 \
	"{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"completed\",\"item\":["         \
	"{\"linkId\":\"pain\",\"answer\":[{\"valueInteger\":" #pain "}]},{\"linkId\":"            \
	"\"control\",\"answer\":[{\"valueBoolean\":" #control "}]}]}"

static void answer_prom(const char *phone, const char *body)
{
	char token[E2E_TOKEN_LEN + 1];
	struct resp r;

	token_of(phone, token);
	ck_assert_msg(survey("POST", token, "", body, &r) == 201, "%d %s", r.status, r.body);
	e2e_resp_free(&r);
}

/* The waiting-list entries of patient p for the type: their priorities. */
static void waiting(long long p, char *out, size_t cap)
{
	char path[120];
	json_t *w, *v;
	size_t k;

	snprintf(path, sizeof(path), "/api/v1/waiting-list?patient_id=%lld&status=waiting", p);
	w = e2e_json(port, "GET", path, NULL, 200);
	out[0] = '\0';
	json_array_foreach(w, k, v) {
		ck_assert_int_eq(json_integer_value(json_object_get(v, "type_id")), type);
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", k ? "," : "",
			 json_string_value(json_object_get(v, "priority")));
	}
	json_decref(w);
}

static void setup(void)
{
	char body[3000];
	json_t *j;

	e2e_start(&srv, NULL, NULL);
	port = srv.port;
	unit = e2e_make(port, "units", "{\"name\":\"Ortopedisk poliklinikk\"}");
	snprintf(body, sizeof(body),
		 "{\"name\":\"Lege Kne\",\"profession\":\"lege\",\"unit_id\":%lld}", unit);
	clin = e2e_make(port, "clinicians", body);
	snprintf(body, sizeof(body),
		 "{\"name\":\"Kneoperasjon kontroll\",\"unit_id\":%lld,\"duration_minutes\":30}",
		 unit);
	type = e2e_make(port, "consultation-types", body);
	pat_nn = patient("Nils Nynorsk", "nn", "+4791000001");
	pat_en = patient("Emma English", "en", "+4791000002");
	pat_no = patient("Dora Declined", "nb", "+4791000003");
	snprintf(body, sizeof(body),
		 "{\"unit_id\":%lld,\"resourceType\":\"Questionnaire\",\"status\":\"active\","
		 "\"language\":\"nb\",\"title\":\"Kne\"," PROM_ITEMS "," PROM_FEEDBACK "}",
		 unit);
	j = e2e_json(port, "POST", "/api/v1/questionnaires", body, 201);
	prom = atoll(json_string_value(json_object_get(j, "id")));
	ck_assert_str_eq(json_string_value(json_object_get(j, "version")), "1");
	json_decref(j);
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

START_TEST(invalid_uploads_name_the_item)
{
	char body[2000];
	struct resp r;

	snprintf(body, sizeof(body),
		 "{\"unit_id\":%lld,\"resourceType\":\"Questionnaire\",\"status\":\"active\","
		 "\"item\":[{\"linkId\":\"a\",\"type\":\"group\",\"text\":\"G\",\"item\":["
		 "{\"linkId\":\"b\",\"type\":\"boolean\",\"text\":\"B\",\"answerOption\":["
		 "{\"valueString\":\"x\"}]}]}]}",
		 unit);
	ck_assert(e2e_request(port, "POST", "/api/v1/questionnaires", NULL, body, &r));
	ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", "item[0].item[0].answerOption"),
		      "%d %s", r.status, r.body);
	ck_assert_ptr_nonnull(strstr(r.body, "'b'"));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "POST", "/api/v1/questionnaires/validate", NULL, body, &r));
	ck_assert_int_eq(r.status, 400);
	e2e_resp_free(&r);
	/* the live check of a good one stores nothing */
	snprintf(body, sizeof(body),
		 "{\"unit_id\":null,\"resourceType\":\"Questionnaire\",\"status\":\"active\","
		 PROM_ITEMS "}");
	json_decref(e2e_json(port, "POST", "/api/v1/questionnaires/validate", body, 200));
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT count(*) FROM questionnaires"), 2);
	/* the built-in one is neither changed nor retired */
	ck_assert(e2e_request(port, "DELETE", "/api/v1/questionnaires/1", NULL, NULL, &r));
	ck_assert(e2e_is_error(&r, "invalid_transition", NULL));
	e2e_resp_free(&r);
}
END_TEST

START_TEST(satisfaction_survey_and_prom_follow_up)
{
	char plan[300], path[200], token[E2E_TOKEN_LEN + 1], body404[600], w[64], tag[64],
	    inm[100];
	long long a_nn, a_en, a_no;
	struct resp r;
	json_t *m, *j;

	snprintf(plan, sizeof(plan),
		 "[{\"after_days\":84,\"questionnaire_id\":%lld,\"threshold\":6,"
		 "\"urgent_threshold\":9,\"reminder_days\":7},{\"after_days\":365,"
		 "\"questionnaire_id\":%lld,\"threshold\":6,\"urgent_threshold\":9}]",
		 prom, prom);
	snprintf(path, sizeof(path), "/api/v1/consultation-types/%lld/follow-up", type);
	json_decref(e2e_json(port, "PUT", path, plan, 200));
	a_nn = book(pat_nn, 9);
	a_en = book(pat_en, 10);
	a_no = book(pat_no, 11);
	snprintf(path, sizeof(path), "/api/v1/patients/%lld", pat_no);
	json_decref(e2e_json(port, "PATCH", path, "{\"surveys_declined\":true}", 200));

	/* the consultations are held */
	clock_at(END_UTC + 600);
	for (long long *a = (long long[]){a_nn, a_en, a_no, 0}; *a; a++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld", *a);
		json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"completed\"}", 200));
	}
	m = messages(a_nn, "survey", 1);
	ck_assert_int_eq(count_kind(m, "survey"), 1);
	ck_assert(!holds(m, "Lege Kne")); /* content-neutral */
	json_decref(m);
	m = messages(a_en, "survey", 1);
	json_decref(m);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", a_no);
	m = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(count_kind(m, "survey"), 0); /* declined */
	json_decref(m);

	/* the survey link: GET changes nothing, one answer, then 409 */
	token_of("+4791000001", token);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(survey("GET", token, "", NULL, &r), 200);
		j = r.json;
		ck_assert_str_eq(json_string_value(json_object_get(j, "language")), "nn");
		ck_assert(json_is_false(json_object_get(j, "answered")));
		ck_assert_str_eq(json_string_value(json_object_get(
					 json_object_get(j, "questionnaire"), "resourceType")),
				 "Questionnaire");
		ck_assert_ptr_null(json_object_get(json_object_get(j, "questionnaire"), "unit_id"));
		e2e_resp_free(&r);
	}
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT count(*) FROM questionnaire_responses"), 0);
	ck_assert_int_eq(survey("POST", token, "",
				"{\"resourceType\":\"QuestionnaireResponse\",\"status\":"
				"\"completed\",\"item\":[{\"linkId\":\"overall\",\"answer\":[{"
				"\"valueCoding\":{\"code\":\"9\"}}]}]}",
				&r),
			 400);
	ck_assert(e2e_is_error(&r, "invalid", "item[0].answer[0]"));
	ck_assert_ptr_nonnull(strstr(r.body, "'overall'"));
	e2e_resp_free(&r);
	ck_assert_int_eq(survey("POST", token, "",
				"{\"resourceType\":\"QuestionnaireResponse\",\"status\":"
				"\"completed\",\"item\":[{\"linkId\":\"overall\",\"text\":\"<b>x</b>\","
				"\"answer\":[{\"valueCoding\":{\"code\":\"4\",\"display\":"
				"\"Ring 99999999\"}}]},{\"linkId\":"
				"\"better\",\"answer\":[{\"valueString\":\"Lyden hakka litt\"}]}]}",
				&r),
			 201);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "completed");
	ck_assert(!holds(r.json, "<b>")); /* a text the client sent along is not kept */
	/* nor its display of the code: the questionnaire's own coding is */
	ck_assert(!holds(r.json, "99999999"));
	ck_assert(holds(r.json, "https://timebok.no/fhir/CodeSystem/satisfaction"));
	e2e_resp_free(&r);
	ck_assert_int_eq(survey("POST", token, "",
				"{\"resourceType\":\"QuestionnaireResponse\",\"status\":"
				"\"completed\",\"item\":[{\"linkId\":\"overall\",\"answer\":[{"
				"\"valueCoding\":{\"code\":\"2\"}}]}]}",
				&r),
			 409);
	ck_assert(e2e_is_error(&r, "conflict", NULL));
	e2e_resp_free(&r);
	ck_assert_int_eq(survey("GET", token, "", NULL, &r), 200);
	ck_assert(json_is_true(json_object_get(r.json, "answered")));
	e2e_resp_free(&r);
	/* unknown: 404 */
	ck_assert_int_eq(survey("GET", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "", NULL, &r),
			 404);
	snprintf(body404, sizeof(body404), "%s", r.body);
	e2e_resp_free(&r);
	/* (declining through the link: declines_summary_and_lost_controls) */
	token_of("+4791000002", token);

	/* 12 weeks (and the links from the consultation day have expired) */
	clock_at(END_UTC + 84 * DAY + 3600);
	ck_assert_int_eq(survey("GET", token, "", NULL, &r), 404);
	ck_assert_str_eq(r.body, body404);
	e2e_resp_free(&r);
	m = messages(a_nn, "prom", 1);
	ck_assert_int_eq(count_kind(m, "prom"), 1);
	json_decref(m);
	json_decref(messages(a_en, "prom", 1));
	/* a week on, unanswered: one reminder each */
	clock_at(END_UTC + 91 * DAY + 7200);
	m = messages(a_nn, "prom_reminder", 1);
	ck_assert_int_eq(count_kind(m, "prom_reminder"), 1);
	json_decref(m);
	/* the nynorsk patient wants a control (pain 2: under the threshold) */
	answer_prom("+4791000001", ANSWER_PROM(2, true));
	/* the English patient does not, and feels fine */
	answer_prom("+4791000002", ANSWER_PROM(1, false));
	m = messages(a_nn, "feedback", 1);
	ck_assert(holds(m, "Lite smerte, fint."));
	json_decref(m);
	m = messages(a_en, "feedback", 1);
	ck_assert(holds(m, "Little pain, good."));
	json_decref(m);
	waiting(pat_nn, w, sizeof(w));
	ck_assert_str_eq(w, "normal");
	waiting(pat_en, w, sizeof(w));
	ck_assert_str_eq(w, "");
	/* and the secretary's work queue shows it, linked to the answer */
	j = e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "kind")),
			 "prom_control");
	ck_assert_int_gt(json_integer_value(json_object_get(json_array_get(j, 0), "response_id")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(json_array_get(j, 0), "appointment"), "id")),
			 a_nn);
	json_decref(j);
	/* a second week: no second reminder */
	clock_at(END_UTC + 98 * DAY + 7200);
	m = messages(a_nn, "feedback", 1);
	ck_assert_int_eq(count_kind(m, "prom_reminder"), 1);
	json_decref(m);

	/* the appointment as the clinician's app keeps it (the first answer,
	 * pain 2, shown), to ask again with its tag after the next answer */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a_nn);
	ck_assert(e2e_request(port, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(e2e_header(&r, "ETag", tag, sizeof(tag)));
	e2e_resp_free(&r);

	/* a year: the score over the urgent threshold makes the wait urgent */
	clock_at(END_UTC + 365 * DAY + 3600);
	json_decref(messages(a_nn, "prom", 2));
	json_decref(messages(a_en, "prom", 2));
	answer_prom("+4791000001", ANSWER_PROM(9, false));
	answer_prom("+4791000002", ANSWER_PROM(7, false));
	waiting(pat_nn, w, sizeof(w));
	ck_assert_str_eq(w, "urgent");
	waiting(pat_en, w, sizeof(w));
	ck_assert_str_eq(w, "normal");

	/* the clinician sees the latest answer in the appointment and the day;
	 * the appointment's tag (its version) is the same, and a client that
	 * sends it is still given the new answer, not a 304 (found by the
	 * outside review of issue 23) */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a_nn);
	snprintf(inm, sizeof(inm), "If-None-Match: %s\r\n", tag);
	ck_assert(e2e_request(port, "GET", path, inm, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_number_value(json_object_get(json_object_get(r.json, "questionnaire"),
						    "latest_score")) == 9.0);
	e2e_resp_free(&r);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert(json_number_value(json_object_get(json_object_get(j, "questionnaire"),
						    "latest_score")) == 9.0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "questionnaire"),
							   "questionnaire_title")),
			 "Kne");
	ck_assert(json_is_false(json_object_get(json_object_get(j, "questionnaire"),
						"wants_control")));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2031-03-03", clin);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_array_size(j), 3);
	ck_assert(json_number_value(json_object_get(
			  json_object_get(json_array_get(j, 1), "questionnaire"), "latest_score")) ==
		  7.0);
	json_decref(j);

	/* the statistics: one survey of two answered (the third patient
	 * declined), score 4, the comment without who; the PROM plan's four
	 * sends (none to the patient who declined), four answered, three
	 * leading to a control */
	j = e2e_json(port, "GET",
		     "/api/v1/statistics/surveys?from=2031-03-01&to=2031-03-31&group_by=mode", NULL,
		     200);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "total"), "sent")), 2);
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(j, "total"), "answered")), 1);
	ck_assert(json_number_value(json_object_get(json_object_get(j, "total"), "mean")) == 4.0);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_object_get(json_object_get(j, "total"), "distribution"), "4")),
			 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "rows"), 0),
							   "key")),
			 "video");
	ck_assert(holds(json_object_get(j, "comments"), "Lyden hakka litt"));
	ck_assert(!holds(j, "Nils"));
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/statistics/prom?from=2031-01-01&to=2032-12-31", NULL,
		     200);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "rows"), 0),
							   "key")),
			 "Kneoperasjon kontroll: Kne");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "total"), "sent")), 4);
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(j, "total"), "answered")), 4);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "total"),
							    "led_to_control")),
			 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "total"),
							    "ended_without_control")),
			 1);
	json_decref(j);
	{
		struct session mgr;
		int status;
		json_decref(e2e_json(port, "POST", "/api/v1/users",
				     "{\"username\":\"leder\",\"role\":\"manager\",\"password\":\""
				     E2E_PASSWORD "\"}",
				     201));
		ck_assert(e2e_login(port, "leder", E2E_PASSWORD, &mgr, &status));
		ck_assert(e2e_request_as(port, &mgr, "GET",
					 "/api/v1/statistics/surveys?from=2031-03-01&to=2031-03-31",
					 NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "total"),
								   "sent")),
				 "<5");
		ck_assert(json_is_null(json_object_get(json_object_get(r.json, "total"), "mean")));
		e2e_resp_free(&r);
		ck_assert(e2e_request_as(port, &mgr, "GET", "/api/v1/questionnaire-responses?patient_id=1",
					 NULL, NULL, &r));
		ck_assert_int_eq(r.status, 403);
		e2e_resp_free(&r);
	}
	/* the answers are the clinician's whose appointments they answer, not
	 * another unit's clinician's */
	{
		struct session own, other;
		char body[400];
		long long unit2, clin2;
		int status;

		unit2 = e2e_make(port, "units", "{\"name\":\"Hudpoliklinikken\"}");
		snprintf(body, sizeof(body),
			 "{\"name\":\"Lege Hud\",\"profession\":\"lege\",\"unit_id\":%lld}", unit2);
		clin2 = e2e_make(port, "clinicians", body);
		for (int k = 0; k < 2; k++) {
			snprintf(body, sizeof(body),
				 "{\"username\":\"%s\",\"role\":\"clinician\",\"clinician_id\":%lld,"
				 "\"password\":\"" E2E_PASSWORD "\"}",
				 k ? "hudlege" : "knelege", k ? clin2 : clin);
			json_decref(e2e_json(port, "POST", "/api/v1/users", body, 201));
		}
		ck_assert(e2e_login(port, "knelege", E2E_PASSWORD, &own, &status));
		ck_assert(e2e_login(port, "hudlege", E2E_PASSWORD, &other, &status));
		snprintf(path, sizeof(path), "/api/v1/questionnaire-responses?patient_id=%lld", pat_nn);
		ck_assert(e2e_request_as(port, &own, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_eq(json_integer_value(json_object_get(r.json, "total")), 3);
		e2e_resp_free(&r);
		ck_assert(e2e_request_as(port, &other, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_eq(json_integer_value(json_object_get(r.json, "total")), 0);
		ck_assert(!holds(r.json, "Patient/"));
		e2e_resp_free(&r);
		snprintf(path, sizeof(path),
			 "/api/v1/questionnaire-responses?patient_id=%lld&appointment_id=%lld", pat_nn,
			 a_nn);
		ck_assert(e2e_request_as(port, &other, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 403);
		e2e_resp_free(&r);
	}

	/* the answers, as FHIR, audited */
	snprintf(path, sizeof(path), "/api/v1/questionnaire-responses?patient_id=%lld", pat_nn);
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "resourceType")), "Bundle");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "total")), 3);
	json_decref(j);
	audited(pat_nn, "questionnaire_responses.list");
	(void)a_no;
}
END_TEST

/* A request of body on path that must be refused as invalid, blaming
 * field, with a message holding text. */
static void refused(const char *method, const char *path, const char *body, const char *field,
		    const char *text)
{
	struct resp r;

	ck_assert(e2e_request(port, method, path, NULL, body, &r));
	ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", field), "%s %s: %d %s",
		      method, path, r.status, r.body);
	ck_assert_msg(strstr(r.body, text), "%s: no '%s'", r.body, text);
	e2e_resp_free(&r);
}

/* Whether the list f is plan (JSON text). */
static void plan_eq(const json_t *f, const char *plan)
{
	json_t *want = json_loads(plan, 0, NULL);
	char *got = json_dumps(f, JSON_COMPACT);

	ck_assert_ptr_nonnull(want);
	ck_assert_msg(json_is_array(f) && json_equal(f, want), "follow_up %s, want %s",
		      got ? got : "(none)", plan);
	free(got);
	json_decref(want);
}

START_TEST(a_type_carries_its_follow_up)
{
	char body[1500], plan[400], plan2[200], path[120], path_fu[140], bad[600], t2_sql[200];
	long long unit2, q2, t2, a, ntypes;
	json_t *j, *v;
	size_t k;
	int seen = 0;

	/* POST with a plan; the answer, GET and the /follow-up route agree */
	snprintf(plan, sizeof(plan),
		 "[{\"after_days\":30,\"questionnaire_id\":%lld,\"threshold\":5},"
		 "{\"after_days\":365,\"questionnaire_id\":%lld,\"reminder_days\":7}]",
		 prom, prom);
	snprintf(body, sizeof(body),
		 "{\"name\":\"Menisk kontroll\",\"unit_id\":%lld,\"duration_minutes\":30,"
		 "\"follow_up\":%s}",
		 unit, plan);
	j = e2e_json(port, "POST", "/api/v1/consultation-types", body, 201);
	plan_eq(json_object_get(j, "follow_up"), plan);
	t2 = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/consultation-types/%lld", t2);
	snprintf(path_fu, sizeof(path_fu), "%s/follow-up", path);
	snprintf(t2_sql, sizeof(t2_sql),
		 "SELECT count(*) FROM consultation_types WHERE id = %lld AND follow_up IS NULL", t2);
	j = e2e_json(port, "GET", path, NULL, 200);
	plan_eq(json_object_get(j, "follow_up"), plan);
	json_decref(j);
	j = e2e_json(port, "GET", path_fu, NULL, 200);
	plan_eq(json_object_get(j, "plan"), plan);
	ck_assert_str_eq(json_string_value(json_object_get(j, "source")), "type");
	json_decref(j);

	/* the list: every type carries its plan, [] when it has none */
	snprintf(body, sizeof(body), "/api/v1/consultation-types?unit_id=%lld", unit);
	j = e2e_json(port, "GET", body, NULL, 200);
	json_array_foreach(j, k, v) {
		long long id = json_integer_value(json_object_get(v, "id"));
		if (id == t2 || id == type) {
			plan_eq(json_object_get(v, "follow_up"), id == t2 ? plan : "[]");
			seen++;
		}
	}
	ck_assert_int_eq(seen, 2);
	json_decref(j);

	/* PATCH it; the /follow-up route reads what the PATCH wrote */
	snprintf(plan2, sizeof(plan2),
		 "[{\"after_days\":84,\"questionnaire_id\":%lld,\"urgent_threshold\":8.5}]", prom);
	snprintf(body, sizeof(body), "{\"follow_up\":%s}", plan2);
	j = e2e_json(port, "PATCH", path, body, 200);
	plan_eq(json_object_get(j, "follow_up"), plan2);
	json_decref(j);
	j = e2e_json(port, "GET", path_fu, NULL, 200);
	plan_eq(json_object_get(j, "plan"), plan2);
	json_decref(j);
	/* and the PATCH reads what the route wrote */
	json_decref(e2e_json(port, "PUT", path_fu, plan, 200));
	j = e2e_json(port, "GET", path, NULL, 200);
	plan_eq(json_object_get(j, "follow_up"), plan);
	json_decref(j);
	json_decref(e2e_json(port, "PATCH", path, body, 200));

	/* a bad entry: 400 naming it, and nothing changes (not the name either) */
	snprintf(bad, sizeof(bad),
		 "{\"name\":\"Endret\",\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":%lld},"
		 "{\"after_days\":0,\"questionnaire_id\":%lld}]}",
		 prom, prom);
	refused("PATCH", path, bad, "follow_up[1].after_days", "after_days");
	snprintf(bad, sizeof(bad),
		 "{\"name\":\"Endret\",\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":999}]}");
	refused("PATCH", path, bad, "follow_up[0].questionnaire_id", "no questionnaire");
	snprintf(bad, sizeof(bad),
		 "{\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":%lld,\"when\":1}]}", prom);
	refused("PATCH", path, bad, "follow_up[0]", "'when'");
	snprintf(bad, sizeof(bad),
		 "{\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":\"%lld\"}]}", prom);
	refused("PATCH", path, bad, "follow_up[0].questionnaire_id", "is a number");
	snprintf(bad, sizeof(bad),
		 "{\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":%lld,"
		 "\"threshold\":\"high\"}]}",
		 prom);
	refused("PATCH", path, bad, "follow_up[0].threshold", "threshold");
	refused("PATCH", path, "{\"follow_up\":{\"after_days\":84}}", "follow_up", "list");
	refused("PATCH", path, "{\"follow_up\":null}", "follow_up", "null");
	j = e2e_json(port, "GET", path, NULL, 200);
	plan_eq(json_object_get(j, "follow_up"), plan2);
	ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "Menisk kontroll");
	json_decref(j);

	/* another unit's questionnaire is refused: by PATCH, POST and the
	 * /follow-up route alike; the type does not move to another unit
	 * with this unit's questionnaire in its plan */
	unit2 = e2e_make(port, "units", "{\"name\":\"Hudpoliklinikken\"}");
	snprintf(body, sizeof(body),
		 "{\"unit_id\":%lld,\"resourceType\":\"Questionnaire\",\"status\":\"active\","
		 "\"language\":\"nb\",\"title\":\"Hud\"," PROM_ITEMS "}",
		 unit2);
	j = e2e_json(port, "POST", "/api/v1/questionnaires", body, 201);
	q2 = atoll(json_string_value(json_object_get(j, "id")));
	json_decref(j);
	snprintf(bad, sizeof(bad), "{\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":%lld}]}",
		 q2);
	refused("PATCH", path, bad, "follow_up[0].questionnaire_id", "another unit");
	snprintf(bad, sizeof(bad), "[{\"after_days\":84,\"questionnaire_id\":%lld}]", q2);
	refused("PUT", path_fu, bad, "follow_up[0].questionnaire_id", "another unit");
	ntypes = e2e_sql_int(srv.db, "SELECT count(*) FROM consultation_types");
	snprintf(body, sizeof(body),
		 "{\"name\":\"Hud kontroll\",\"unit_id\":%lld,\"duration_minutes\":20,"
		 "\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":%lld}]}",
		 unit, q2);
	refused("POST", "/api/v1/consultation-types", body, "follow_up[0].questionnaire_id",
		"another unit");
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT count(*) FROM consultation_types"), ntypes);
	snprintf(body, sizeof(body), "{\"unit_id\":%lld}", unit2);
	refused("PATCH", path, body, "follow_up[0].questionnaire_id", "another unit");
	/* nor may a secretary of this unit put the other unit's in */
	{
		struct session sec;
		struct resp r;
		int status;
		snprintf(body, sizeof(body),
			 "{\"username\":\"sekretaer1\",\"role\":\"secretary\",\"password\":\""
			 E2E_PASSWORD "\",\"unit_ids\":[%lld]}",
			 unit);
		json_decref(e2e_json(port, "POST", "/api/v1/users", body, 201));
		ck_assert(e2e_login(port, "sekretaer1", E2E_PASSWORD, &sec, &status));
		snprintf(bad, sizeof(bad), "[{\"after_days\":84,\"questionnaire_id\":%lld}]", q2);
		ck_assert(e2e_request_as(port, &sec, "PUT", path_fu, NULL, bad, &r));
		ck_assert_msg(r.status == 400 &&
				      e2e_is_error(&r, "invalid", "follow_up[0].questionnaire_id"),
			      "%d %s", r.status, r.body);
		e2e_resp_free(&r);
		/* and a change they may make is audited */
		snprintf(bad, sizeof(bad), "[{\"after_days\":60,\"questionnaire_id\":%lld}]", prom);
		ck_assert(e2e_request_as(port, &sec, "PUT", path_fu, NULL, bad, &r));
		ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
		e2e_resp_free(&r);
		snprintf(t2_sql, sizeof(t2_sql),
			 "SELECT count(*) FROM audit_log WHERE action = 'type.follow_up' AND "
			 "username = 'sekretaer1'");
		ck_assert_int_eq(e2e_sql_int(srv.db, t2_sql), 1);
		snprintf(t2_sql, sizeof(t2_sql),
			 "SELECT count(*) FROM consultation_types WHERE id = %lld AND follow_up IS NULL",
			 t2);
		json_decref(e2e_json(port, "PUT", path_fu, plan2, 200));
	}
	/* in its own unit it may */
	snprintf(body, sizeof(body),
		 "{\"name\":\"Hud kontroll\",\"unit_id\":%lld,\"duration_minutes\":20,"
		 "\"follow_up\":[{\"after_days\":84,\"questionnaire_id\":%lld}]}",
		 unit2, q2);
	json_decref(e2e_json(port, "POST", "/api/v1/consultation-types", body, 201));
	j = e2e_json(port, "GET", path, NULL, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "unit_id")), unit);
	json_decref(j);

	/* an empty plan is no plan: stored as the route stores it */
	json_decref(e2e_json(port, "PATCH", path, "{\"follow_up\":[]}", 200));
	ck_assert_int_eq(e2e_sql_int(srv.db, t2_sql), 1);
	j = e2e_json(port, "GET", path_fu, NULL, 200);
	plan_eq(json_object_get(j, "plan"), "[]");
	json_decref(j);
	snprintf(body, sizeof(body), "{\"follow_up\":%s}", plan);
	json_decref(e2e_json(port, "PATCH", path, body, 200));

	/* a completed appointment of the type gets its sends planned from it */
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":"
		 "\"2031-03-03T09:00:00+01:00\",\"duration_minutes\":30,\"type_id\":%lld}",
		 pat_nn, clin, t2);
	a = e2e_make(port, "appointments", body);
	/* the appointment's own plan keeps to its type's unit too */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/follow-up", a);
	snprintf(bad, sizeof(bad), "[{\"after_days\":84,\"questionnaire_id\":%lld}]", q2);
	refused("PUT", path, bad, "follow_up[0].questionnaire_id", "another unit");
	clock_at(END_UTC + 600);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a);
	json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"completed\"}", 200));
	snprintf(body, sizeof(body),
		 "SELECT count(*) FROM follow_up_sends WHERE appointment_id = %lld", a);
	ck_assert_int_eq(e2e_sql_int(srv.db, body), 2);
	/* 09:30 Oslo is 08:30Z: 30 and 365 days on */
	snprintf(body, sizeof(body),
		 "SELECT count(*) FROM follow_up_sends WHERE appointment_id = %lld AND "
		 "questionnaire_id = %lld AND ((due_at = %lld AND threshold = 5) OR "
		 "(due_at = %lld AND reminder_days = 7))",
		 a, prom, END_UTC - 7200 + 30 * DAY, END_UTC - 7200 + 365 * DAY);
	ck_assert_int_eq(e2e_sql_int(srv.db, body), 2);
}
END_TEST

/* Poll until the count sql reads is want (5 s at most). */
static void sql_becomes(const char *sql, long long want)
{
	long long got = -1;

	for (int i = 0; i < 500 && (got = e2e_sql_int(srv.db, sql)) != want; i++)
		usleep(10000);
	ck_assert_msg(got == want, "%s: %lld, want %lld", sql, got, want);
}

/* The follow-up sends of appointment a (all, or the ones not yet sent). */
static long long sends_of(long long a, bool unsent)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM follow_up_sends WHERE appointment_id = %lld%s",
		 a, unsent ? " AND sent_at IS NULL" : "");
	return e2e_sql_int(srv.db, sql);
}

/* The "questionnaire" summary's latest_score of appointment a as s (NULL:
 * the admin) sees it: -1 when it is null. */
static double summary_score(const struct session *s, long long a)
{
	char path[96];
	struct resp r;
	const json_t *q;
	double v;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a);
	ck_assert(s ? e2e_request_as(port, s, "GET", path, NULL, NULL, &r)
		    : e2e_request(port, "GET", path, NULL, NULL, &r));
	ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
	q = json_object_get(r.json, "questionnaire");
	ck_assert_ptr_nonnull(q);
	v = json_is_null(q) ? -1 : json_number_value(json_object_get(q, "latest_score"));
	e2e_resp_free(&r);
	return v;
}

/* Run sql on the database (data as an older release could leave it). */
static void sql_exec(const char *sql)
{
	char file[400];
	FILE *f;

	snprintf(file, sizeof(file), "%s.fixture.sql", srv.db);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fputs(sql, f);
	fclose(f);
	e2e_load_sql(file, srv.db);
	remove(file);
}

START_TEST(declines_summary_and_lost_controls)
{
	char body[600], path[200], token[E2E_TOKEN_LEN + 1];
	long long pat_s, pat_t, unit2, clin2, a1, a2, a3, a4, a5, a6;
	struct session own, other;
	struct resp r;
	json_t *j, *v;
	size_t k;
	int status, seen = 0;

	pat_s = patient("Sara Senere", "nb", "+4791000004");
	pat_t = patient("Tor Uteble", "nb", "+4791000005");
	snprintf(body, sizeof(body),
		 "[{\"after_days\":84,\"questionnaire_id\":%lld,\"threshold\":6}]", prom);
	snprintf(path, sizeof(path), "/api/v1/consultation-types/%lld/follow-up", type);
	json_decref(e2e_json(port, "PUT", path, body, 200));
	a1 = book(pat_nn, 9);
	a2 = book(pat_en, 10);
	a3 = book(pat_no, 11);
	a4 = book(pat_s, 8);
	a6 = book(pat_t, 7);
	/* another unit, its clinician, and an appointment with no type */
	unit2 = e2e_make(port, "units", "{\"name\":\"Hudpoliklinikken\"}");
	snprintf(body, sizeof(body),
		 "{\"name\":\"Lege Hud\",\"profession\":\"lege\",\"unit_id\":%lld}", unit2);
	clin2 = e2e_make(port, "clinicians", body);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":"
		 "\"2031-03-03T10:00:00+01:00\",\"duration_minutes\":30}",
		 pat_nn, clin2);
	a5 = e2e_make(port, "appointments", body);
	for (int i = 0; i < 2; i++) {
		snprintf(body, sizeof(body),
			 "{\"username\":\"%s\",\"role\":\"clinician\",\"clinician_id\":%lld,"
			 "\"password\":\"" E2E_PASSWORD "\"}",
			 i ? "hudlege" : "knelege", i ? clin2 : clin);
		json_decref(e2e_json(port, "POST", "/api/v1/users", body, 201));
	}
	snprintf(path, sizeof(path), "/api/v1/patients/%lld", pat_no);
	json_decref(e2e_json(port, "PATCH", path, "{\"surveys_declined\":true}", 200));

	/* a plan on an appointment with no type is refused: a wish for a
	 * control would have no waiting list to go to */
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/follow-up", a5);
	snprintf(body, sizeof(body), "[{\"after_days\":30,\"questionnaire_id\":%lld}]", prom);
	refused("PUT", path, body, "type_id", "no consultation type");
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT count(*) FROM appointments WHERE "
					     "follow_up IS NOT NULL"),
			 0);
	/* ... but such a plan from before the check still comes to the queue */
	snprintf(path, sizeof(path),
		 "UPDATE appointments SET follow_up = '[{\"after_days\":30,"
		 "\"questionnaire_id\":%lld}]' WHERE id = %lld;",
		 prom, a5);
	sql_exec(path);

	clock_at(END_UTC + 600);
	for (long long *a = (long long[]){a1, a2, a3, a4, a5, a6, 0}; *a; a++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld", *a);
		json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"completed\"}", 200));
	}
	/* the patient who had declined gets no PROM planned */
	ck_assert_int_eq(sends_of(a3, false), 0);
	ck_assert_int_eq(sends_of(a1, false), 1);
	ck_assert_int_eq(sends_of(a5, false), 1);
	/* the satisfaction answer is not the PROM summary */
	json_decref(messages(a1, "survey", 1));
	json_decref(messages(a5, "survey", 1));
	token_of("+4791000001", token);
	ck_assert_int_eq(survey("POST", token, "",
				"{\"resourceType\":\"QuestionnaireResponse\",\"status\":"
				"\"completed\",\"item\":[{\"linkId\":\"overall\",\"answer\":[{"
				"\"valueCoding\":{\"code\":\"2\"}}]}]}",
				&r),
			 201);
	e2e_resp_free(&r);
	ck_assert(summary_score(NULL, a1) == -1);
	/* "do not ask me again" on the link drops the planned PROM */
	json_decref(messages(a2, "survey", 1));
	token_of("+4791000002", token);
	ck_assert_int_eq(sends_of(a2, false), 1);
	ck_assert_int_eq(survey("POST", token, "/decline", NULL, &r), 204);
	e2e_resp_free(&r);
	ck_assert_int_eq(sends_of(a2, false), 0);
	/* declined by the staff: stopped when it is due */
	snprintf(path, sizeof(path), "/api/v1/patients/%lld", pat_s);
	json_decref(e2e_json(port, "PATCH", path, "{\"surveys_declined\":true}", 200));
	ck_assert_int_eq(sends_of(a4, false), 1);
	/* a completion corrected to a no-show drops its PROM */
	ck_assert_int_eq(sends_of(a6, false), 1);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a6);
	json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"no_show\"}", 200));
	ck_assert_int_eq(sends_of(a6, false), 0);

	/* 30 days: the typeless appointment's PROM; a wish for a control
	 * reaches the work queue though there is no waiting list for it */
	clock_at(END_UTC + 30 * DAY + 3600);
	ck_assert(e2e_login(port, "knelege", E2E_PASSWORD, &own, &status));
	ck_assert(e2e_login(port, "hudlege", E2E_PASSWORD, &other, &status));
	json_decref(messages(a5, "prom", 1));
	answer_prom("+4791000001", ANSWER_PROM(2, true));
	j = e2e_json(port, "GET", "/api/v1/work-queue", NULL, 200);
	json_array_foreach(j, k, v) {
		if (!strcmp(json_string_value(json_object_get(v, "kind")), "prom_control") &&
		    json_integer_value(json_object_get(json_object_get(v, "appointment"), "id")) ==
			    a5)
			seen++;
	}
	ck_assert_int_eq(seen, 1);
	json_decref(j);
	/* the other unit's answer is not the knee clinician's to see */
	ck_assert(summary_score(&own, a1) == -1);
	ck_assert(summary_score(&other, a5) == 2.0);

	/* 12 weeks: the knee PROM; none to those who declined nor for the
	 * no-show */
	clock_at(END_UTC + 84 * DAY + 3600);
	ck_assert(e2e_login(port, "knelege", E2E_PASSWORD, &own, &status));
	ck_assert(e2e_login(port, "hudlege", E2E_PASSWORD, &other, &status));
	json_decref(messages(a1, "prom", 1));
	sql_becomes("SELECT count(*) FROM follow_up_sends WHERE sent_at IS NULL", 0);
	for (long long *a = (long long[]){a2, a3, a4, a6, 0}; *a; a++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld/messages", *a);
		j = e2e_json(port, "GET", path, NULL, 200);
		ck_assert_msg(count_kind(j, "prom") == 0, "appointment %lld got a PROM", *a);
		json_decref(j);
	}
	answer_prom("+4791000001", ANSWER_PROM(5, false));
	ck_assert(summary_score(&own, a1) == 5.0);
	ck_assert(summary_score(&other, a5) == 2.0);
	ck_assert(summary_score(NULL, a5) == 5.0); /* unscoped: the newest */
	/* the day list as well, per asker (the cached list keeps them apart) */
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/day?date=2031-03-03", clin2);
	for (int i = 0; i < 2; i++) {
		ck_assert(i ? e2e_request_as(port, &other, "GET", path, NULL, NULL, &r)
			    : e2e_request(port, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert(json_number_value(json_object_get(
				  json_object_get(json_array_get(r.json, 0), "questionnaire"),
				  "latest_score")) == (i ? 2.0 : 5.0));
		e2e_resp_free(&r);
	}
	/* and the summary is audited as a read of the answers */
	audited(pat_nn, "questionnaire_responses.read");
}
END_TEST

START_TEST(a_manager_sees_no_small_share_nor_its_comment)
{
	char name[32], phone[32], path[96], token[E2E_TOKEN_LEN + 1];
	long long a[6];
	struct session mgr;
	struct resp r;
	int status;

	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "Pasient %d", i);
		snprintf(phone, sizeof(phone), "+479100020%d", i);
		a[i] = book(patient(name, "nb", phone), 6 + i);
	}
	clock_at(END_UTC + 600);
	for (int i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a[i]);
		json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"completed\"}", 200));
		json_decref(messages(a[i], "survey", 1));
	}
	/* one of six answers, with a comment */
	token_of("+4791000203", token);
	ck_assert_int_eq(survey("POST", token, "",
				"{\"resourceType\":\"QuestionnaireResponse\",\"status\":"
				"\"completed\",\"item\":[{\"linkId\":\"overall\",\"answer\":[{"
				"\"valueCoding\":{\"code\":\"2\"}}]},{\"linkId\":\"better\","
				"\"answer\":[{\"valueString\":\"Ventet lenge\"}]}]}",
				&r),
			 201);
	e2e_resp_free(&r);
	json_decref(e2e_json(port, "POST", "/api/v1/users",
			     "{\"username\":\"leder\",\"role\":\"manager\",\"password\":\""
			     E2E_PASSWORD "\"}",
			     201));
	ck_assert(e2e_login(port, "leder", E2E_PASSWORD, &mgr, &status));
	ck_assert(e2e_request_as(port, &mgr, "GET",
				 "/api/v1/statistics/surveys?from=2031-03-01&to=2031-03-31", NULL,
				 NULL, &r));
	ck_assert_int_eq(r.status, 200);
	/* six sent shows; one answered is "<5", and so is the share 1/6 */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r.json, "total"), "sent")),
			 6);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "total"),
							   "answered")),
			 "<5");
	ck_assert(json_is_null(json_object_get(json_object_get(r.json, "total"), "response_rate")));
	/* a comment of a row of one answer would be that patient's */
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "comments")), 0);
	e2e_resp_free(&r);
	/* the admin sees both */
	r.json = e2e_json(port, "GET", "/api/v1/statistics/surveys?from=2031-03-01&to=2031-03-31",
			  NULL, 200);
	ck_assert(json_number_value(json_object_get(json_object_get(r.json, "total"),
						    "response_rate")) > 0.16);
	ck_assert(holds(json_object_get(r.json, "comments"), "Ventet lenge"));
	json_decref(r.json);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_survey");
	TCase *tc = tcase_create("e2e_survey");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, invalid_uploads_name_the_item);
	tcase_add_test(tc, satisfaction_survey_and_prom_follow_up);
	tcase_add_test(tc, a_type_carries_its_follow_up);
	tcase_add_test(tc, declines_summary_and_lost_controls);
	tcase_add_test(tc, a_manager_sees_no_small_share_nor_its_comment);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
