/*
 * test_e2e_sweep.c - every GET route of the route table against databases
 * of a real clinic's size, as an admin and as a clinician, checking that
 * each answer is well-formed and holds no other clinician's patients.
 *
 * Two databases: the demo clinic (--demo: three units, ten clinicians, two
 * hundred patients, guests), and the benchmark's fixture of 10,000
 * appointments (tests/bench/bench_tool.c: twenty clinicians with fifty a
 * day each), to which the test adds guests with phone numbers on other
 * clinicians' meetings and ten more clinicians with a day of 400 open
 * pieces each.  That gives the edge sizes: a calendar feed of 500 events,
 * a unit day of 1,000 rows, a list of 5,000 rows, a slot search over 30
 * clinicians.  CI runs it in the normal build and under ASan + UBSan.
 *
 * The sweep walks routes[] itself, so a new GET route is swept as soon as
 * it exists; a route whose {placeholder} the sweep cannot fill fails it.
 */
#include <check.h>
#include <dirent.h>
#include <stddef.h>
#include <libical/ical.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "e2e.h"
#include "req.h"
#include "timeutil.h"
#include "validate.h"

#define MAX_PATIENTS 4096
#define GUEST_PHONE "+47935550" /* the other clinician's guest's number starts so */

struct world {
	long long unit, clinician, room, patient, type, waiting, user, appointment, participant,
	    message, exception, room_exception;
	char day[11], week_on[11]; /* a working day of the clinician's, and a week on */
	char token[64], feed[64], survey[64]; /* survey: a satisfaction survey's link */
	char slot_ids[600];			      /* clinician_id=..&clinician_id=.. */
	bool allowed[MAX_PATIENTS];		      /* the clinician's patients */
	char *names[MAX_PATIENTS];		      /* every patient's name, by id */
	int npatients;
};

static struct server srv;
static int port;
static struct world w;
static struct session clinician;

static void release_world(void)
{
	for (int i = 0; i < MAX_PATIENTS; i++)
		free(w.names[i]);
	memset(&w, 0, sizeof(w));
}

static long long scalar(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = 0;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
		      sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Who the patients are, and which of them the clinician's are. */
static void read_patients(sqlite3 *db)
{
	char sql[300];
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT id, name FROM patients", -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		ck_assert_int_lt(id, MAX_PATIENTS);
		w.names[id] = strdup((const char *)sqlite3_column_text(st, 1));
		w.npatients++;
	}
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql),
		 "SELECT DISTINCT a.patient_id FROM appointments a JOIN participants p ON "
		 "p.appointment_id = a.id WHERE p.clinician_id = %lld",
		 w.clinician);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		w.allowed[sqlite3_column_int64(st, 0)] = true;
	sqlite3_finalize(st);
}

/* Clinician c's last live appointment. */
static long long latest_of(long long c)
{
	char sql[300];
	long long id;
	sqlite3 *db;

	db = e2e_open_ro(srv.db);
	snprintf(sql, sizeof(sql),
		 "SELECT a.id FROM appointments a JOIN participants p ON p.appointment_id = a.id "
		 "WHERE p.clinician_id = %lld AND a.status <> 'cancelled' ORDER BY a.start_at DESC "
		 "LIMIT 1",
		 c);
	id = scalar(db, sql);
	sqlite3_close(db);
	return id;
}

/* The ids the sweep fills placeholders with, from the database. */
static void read_world(void)
{
	char sql[400];
	sqlite3 *db;
	long long t;

	w.appointment = latest_of(w.clinician);
	db = e2e_open_ro(srv.db);
	snprintf(sql, sizeof(sql), "SELECT start_at FROM appointments WHERE id = %lld",
		 w.appointment);
	t = scalar(db, sql);
	timeutil_format_date(t, w.day);
	timeutil_format_date(t + 7 * 86400, w.week_on);
	w.unit = scalar(db, "SELECT min(id) FROM units");
	w.room = scalar(db, "SELECT min(id) FROM rooms");
	w.type = scalar(db, "SELECT min(id) FROM consultation_types");
	w.user = scalar(db, "SELECT min(id) FROM users");
	snprintf(sql, sizeof(sql), "SELECT patient_id FROM appointments WHERE id = %lld",
		 w.appointment);
	w.patient = scalar(db, sql);
	snprintf(sql, sizeof(sql),
		 "SELECT min(id) FROM participants WHERE appointment_id = %lld AND kind = 'external'",
		 w.appointment);
	w.participant = scalar(db, sql);
	snprintf(sql, sizeof(sql), "SELECT min(id) FROM outbox WHERE appointment_id = %lld",
		 w.appointment);
	w.message = scalar(db, sql);
	snprintf(sql, sizeof(sql), "SELECT min(id) FROM hours_exceptions WHERE clinician_id = %lld",
		 w.clinician);
	w.exception = scalar(db, sql);
	w.room_exception = scalar(db, "SELECT min(id) FROM hours_exceptions WHERE room_id IS NOT NULL");
	w.waiting = scalar(db, "SELECT min(id) FROM waiting_list");
	read_patients(db);
	sqlite3_close(db);
}

/* Read the world again after complete_world, keeping what only the
 * answers told (the link, the feed) and the slot search's clinicians. */
static void reread_world(void)
{
	struct world keep = w;

	memset(w.names, 0, sizeof(w.names)); /* now keep's */
	for (int i = 0; i < MAX_PATIENTS; i++)
		free(keep.names[i]);
	memset(&w, 0, sizeof(w));
	w.clinician = keep.clinician;
	read_world();
	memcpy(w.token, keep.token, sizeof(w.token));
	memcpy(w.feed, keep.feed, sizeof(w.feed));
	memcpy(w.survey, keep.survey, sizeof(w.survey));
	memcpy(w.slot_ids, keep.slot_ids, sizeof(w.slot_ids));
}

/* A JSON body's id, after a POST that must answer 201. */
static long long made(const char *path, const char *body)
{
	json_t *j = e2e_json(port, "POST", path, body, 201);
	long long id = json_integer_value(json_object_get(j, "id"));

	json_decref(j);
	return id;
}

/* A satisfaction survey's link: a consultation of clinician c (not the
 * sweep's, whose feed is counted) two days ago at 03:00 with a patient of
 * its own, completed; its token read from the survey SMS in the spool (the
 * file channel). */
static void survey_link(long long c)
{
	char body[400], dir[400], path[800], text[4096], start[TIMEUTIL_INSTANT_LEN];
	struct dirent *de;
	long long p, a;
	DIR *d;

	p = made("/api/v1/patients", "{\"name\":\"Sveip Svarer\",\"phone\":\"+4793556099\"}");
	timeutil_format((time(NULL) / 86400 - 2) * 86400 + 2 * 3600, start);
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],\"start\":\"%s\","
		 "\"duration_minutes\":30,\"override_hours\":true}",
		 p, c, start);
	a = made("/api/v1/appointments", body);
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", a);
	json_decref(e2e_json(port, "PATCH", path, "{\"status\":\"completed\"}", 200));
	json_decref(e2e_settled(port, a));
	snprintf(dir, sizeof(dir), "%s.outbox", srv.db);
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) && !w.survey[0]) {
		FILE *f;
		size_t n;
		const char *s;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!strstr(de->d_name, "-sms.json") || !(f = fopen(path, "r")))
			continue;
		n = fread(text, 1, sizeof(text) - 1, f);
		text[n] = '\0';
		fclose(f);
		if (strstr(text, "+4793556099") && (s = strstr(text, "/s/")))
			snprintf(w.survey, sizeof(w.survey), "%.43s", s + 3);
	}
	closedir(d);
	ck_assert_msg(strlen(w.survey) == 43, "no survey link in the spool");
}

/* What the database may lack for every route to have something to show:
 * a guest on the clinician's appointment (and, with its phone number, on
 * another clinician's), an invitation, the clinician's feed, an absence, a
 * room's closing, a waiting-list entry. */
static void complete_world(long long other_appointment)
{
	char path[160], body[300];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants", w.appointment);
	made(path, "{\"name\":\"Fastlege Sveip\",\"role\":\"gp\",\"phone\":\"+4793556001\"}");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/participants", other_appointment);
	made(path, "{\"name\":\"Tolk Annensveip\",\"role\":\"interpreter\","
		   "\"interpreter_language\":\"ar\",\"phone\":\"" GUEST_PHONE "02\"}");
	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/invitations", w.appointment);
	j = e2e_json(port, "POST", path, NULL, 201);
	snprintf(w.token, sizeof(w.token), "%s", strstr(json_string_value(json_object_get(j, "url")), "/i/") + 3);
	json_decref(j);
	survey_link(2);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/calendar-feed", w.clinician);
	j = e2e_json(port, "POST", path, NULL, 201);
	{
		const char *u = strstr(json_string_value(json_object_get(j, "url")), "/calendar-feeds/");
		ck_assert_ptr_nonnull(u);
		snprintf(w.feed, sizeof(w.feed), "%.43s", u + strlen("/calendar-feeds/"));
	}
	json_decref(j);
	snprintf(path, sizeof(path), "/api/v1/clinicians/%lld/exceptions", w.clinician);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"absence\",\"start\":\"%sT01:00:00Z\",\"end\":\"%sT02:00:00Z\"}",
		 w.week_on, w.week_on);
	made(path, body);
	if (!w.room)
		w.room = made("/api/v1/rooms", "{\"name\":\"Sveiperom\",\"kind\":\"video\"}");
	snprintf(path, sizeof(path), "/api/v1/rooms/%lld/exceptions", w.room);
	made(path, body);
	if (!w.type) {
		snprintf(body, sizeof(body),
			 "{\"name\":\"Kontroll\",\"duration_minutes\":30,\"unit_id\":%lld}", w.unit);
		w.type = made("/api/v1/consultation-types", body);
	}
	snprintf(body, sizeof(body), "{\"patient_id\":%lld,\"type_id\":%lld}", w.patient, w.type);
	made("/api/v1/waiting-list", body);
}

/* The id of the record a placeholder stands for, named by the segment
 * before it; -1 for one the sweep does not know. */
static long long id_for(const char *pattern, const char *placeholder, const char *prev)
{
	static const struct {
		const char *prev;
		size_t offset;
	} ids[] = {
	    {"units", offsetof(struct world, unit)},
	    {"clinicians", offsetof(struct world, clinician)},
	    {"rooms", offsetof(struct world, room)},
	    {"patients", offsetof(struct world, patient)},
	    {"consultation-types", offsetof(struct world, type)},
	    {"waiting-list", offsetof(struct world, waiting)},
	    {"users", offsetof(struct world, user)},
	    {"appointments", offsetof(struct world, appointment)},
	};

	if (!strcmp(prev, "questionnaires"))
		return 1; /* the built-in satisfaction questionnaire, in every database */

	if (!strcmp(placeholder, "{participant_id}"))
		return w.participant;
	if (!strcmp(placeholder, "{message_id}"))
		return w.message;
	if (!strcmp(placeholder, "{exception_id}"))
		return strncmp(pattern, "/api/v1/rooms/", 14) ? w.exception : w.room_exception;
	if (strcmp(placeholder, "{id}"))
		return -1;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (!strcmp(prev, ids[i].prev))
			return *(const long long *)((const char *)&w + ids[i].offset);
	return -1;
}

/* Fill pattern's placeholders from the world into out (the test fails on
 * one the sweep does not know). */
static void expand(const char *pattern, char *out, size_t cap)
{
	char prev[64] = "", seg[64];
	size_t n = 0;

	for (const char *p = pattern; *p == '/';) {
		size_t len = strcspn(p + 1, "/");
		snprintf(seg, sizeof(seg), "%.*s", (int)len, p + 1);
		p += len + 1;
		if (seg[0] != '{') {
			n += (size_t)snprintf(out + n, cap - n, "/%s", seg);
			snprintf(prev, sizeof(prev), "%s", seg);
		} else if (!strcmp(seg, "{token}")) {
			const char *tok = !strcmp(prev, "invite")	  ? w.token
					  : !strcmp(prev, "calendar-feeds") ? w.feed
					  : !strcmp(prev, "survey")	  ? w.survey
									    : NULL;
			ck_assert_msg(tok && *tok, "%s: the sweep has no token after %s", pattern,
				      prev);
			n += (size_t)snprintf(out + n, cap - n, "/%s", tok);
		} else {
			long long id = id_for(pattern, seg, prev);
			ck_assert_msg(id > 0, "%s: the sweep cannot fill %s after %s", pattern, seg,
				      prev);
			n += (size_t)snprintf(out + n, cap - n, "/%lld", id);
		}
		ck_assert_uint_lt(n, cap);
	}
}

/* The query each route needs to show the most, with %D (the day), %W (a week on), %C (the clinician), %P (the patient), %U (the
 * unit) and %S (the slot search's clinicians). */
static const struct {
	const char *pattern, *query;
} queries[] = {
    {"/api/v1/clinicians/{id}/day", "date=%D"},
    {"/api/v1/slots", "%S&from=%D&to=%D&duration_minutes=30"},
    {"/api/v1/appointments", "from=%D&to=%W&limit=5000"},
    {"/api/v1/audit", "patient_id=%P"},
    {"/api/v1/work-queue", ""},
    {"/api/v1/statistics", "from=%D&to=%W&group_by=clinician"},
    {"/api/v1/statistics/surveys", "from=%D&to=%W&group_by=clinician"},
    {"/api/v1/statistics/prom", "from=%D&to=%W"},
    {"/api/v1/questionnaire-responses", "patient_id=%P"},
    {"/api/v1/patients", "limit=1000"},
    {"/api/v1/clinicians/{id}/exceptions", "from=%D&to=%W"},
    {"/api/v1/rooms/{id}/exceptions", "from=%D&to=%W"},
    {"/api/v1/rooms/availability", "start=%DT09:00:00&end=%DT12:00:00&unit_id=%U"},
};

/* More answers than one per route: the unit day, the audit as CSV. */
static const char *const extra_gets[] = {
    "/api/v1/appointments?unit_id=%U&from=%D&to=%D",
    "/api/v1/audit?patient_id=%P&format=csv",
    "/api/v1/statistics?from=%D&to=%W&unit_id=%U&group_by=age_band&format=csv",
    "/api/v1/appointments?clinician_id=%C&from=%D&to=%W&limit=5000",
};

static void fill_query(const char *q, char *out, size_t cap)
{
	size_t n = 0;

	for (; *q && n + 1 < cap; q++) {
		if (*q != '%') {
			out[n++] = *q;
			continue;
		}
		switch (*++q) {
		case 'D': n += (size_t)snprintf(out + n, cap - n, "%s", w.day); break;
		case 'W': n += (size_t)snprintf(out + n, cap - n, "%s", w.week_on); break;
		case 'C': n += (size_t)snprintf(out + n, cap - n, "%lld", w.clinician); break;
		case 'P': n += (size_t)snprintf(out + n, cap - n, "%lld", w.patient); break;
		case 'U': n += (size_t)snprintf(out + n, cap - n, "%lld", w.unit); break;
		case 'S': n += (size_t)snprintf(out + n, cap - n, "%s", w.slot_ids); break;
		default: ck_abort_msg("unknown %%%c", *q);
		}
		ck_assert_uint_lt(n, cap);
	}
	out[n < cap ? n : cap - 1] = '\0';
}

/* Whether the patient with this name is one of the clinician's. */
static bool allowed_name(const char *name)
{
	bool seen = false;

	for (int i = 0; i < MAX_PATIENTS; i++)
		if (w.names[i] && !strcmp(w.names[i], name)) {
			if (w.allowed[i])
				return true; /* two patients may share a name */
			seen = true;
		}
	return !seen;
}

/* No patient of another clinician anywhere in the JSON value v: no
 * patient_id of theirs, no string that is their name. */
static void check_json_patients(const char *path, json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			if (!strcmp(key, "patient_id") && json_is_integer(x)) {
				long long id = json_integer_value(x);
				ck_assert_msg(id > 0 && id < MAX_PATIENTS && w.allowed[id],
					      "%s: patient %lld is not the clinician's", path, id);
			}
			check_json_patients(path, x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) check_json_patients(path, x);
	} else if (json_is_string(v)) {
		ck_assert_msg(allowed_name(json_string_value(v)), "%s: '%s' is not the clinician's",
			      path, json_string_value(v));
	}
}

/* No other patient's name in text (sampled: every tenth name). */
static void check_text_patients(const char *path, const char *text)
{
	for (int i = 0; i < MAX_PATIENTS; i += 10)
		if (w.names[i] && !w.allowed[i])
			ck_assert_msg(!strstr(text, w.names[i]), "%s: holds %s", path, w.names[i]);
}

/* One GET as who: the status, and the answer checked. */
static int sweep_one(const struct session *who, const char *path, bool as_clinician)
{
	char ctype[128] = "";
	struct resp r;
	int status;

	ck_assert_msg(e2e_request_as(port, who, "GET", path, NULL, NULL, &r), "%s: no answer",
		      path);
	status = r.status;
	ck_assert_msg(status < 500, "%s: %d %.300s", path, status, r.body);
	ck_assert_msg(validate_utf8(r.body, r.body_len), "%s: not UTF-8", path);
	ck_assert_msg(strlen(r.body) == r.body_len, "%s: a NUL in the answer", path);
	e2e_header(&r, "Content-Type", ctype, sizeof(ctype));
	if (!strncmp(ctype, "application/json", 16)) {
		ck_assert_msg(r.json != NULL, "%s: not JSON", path);
		if (as_clinician && status == 200)
			check_json_patients(path, r.json);
	} else if (!strncmp(ctype, "text/calendar", 13)) {
		icalcomponent *cal = icalparser_parse_string(r.body);
		ck_assert_msg(cal != NULL, "%s: not iCalendar", path);
		icalcomponent_free(cal);
		/* a feed or a calendar file holds no patient at all */
		for (int i = 0; i < MAX_PATIENTS; i++)
			ck_assert_msg(!w.names[i] || !strstr(r.body, w.names[i]), "%s: holds %s",
				      path, w.names[i]);
	} else if (as_clinician && r.body_len) {
		check_text_patients(path, r.body);
	}
	if (as_clinician)
		ck_assert_msg(!strstr(r.body, GUEST_PHONE), "%s: holds a guest's phone", path);
	e2e_resp_free(&r);
	return status;
}

/* Every GET route as the admin (each must answer 200) and as the
 * clinician (each answer well-formed and only theirs); returns how many
 * answers were checked. */
static int sweep(void)
{
	char path[2048], query[1024];
	int answers = 0;

	for (int i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		/* single sign-on's redirects hold no records (test_e2e_sso.c and
		 * tests/browser/oidc_*.test.mjs) */
		if (strcmp(rt->method, "GET") || (rt->flags & ROUTE_BENCH) ||
		    !strncmp(rt->pattern, "/auth/", 6))
			continue;
		expand(rt->pattern, path, sizeof(path));
		for (size_t q = 0; q < sizeof(queries) / sizeof(queries[0]); q++)
			if (!strcmp(queries[q].pattern, rt->pattern)) {
				fill_query(queries[q].query, query, sizeof(query));
				if (query[0]) {
					size_t n = strlen(path);
					snprintf(path + n, sizeof(path) - n, "?%s", query);
				}
			}
		ck_assert_msg(sweep_one(&srv.admin, path, false) == 200, "admin %s", path);
		sweep_one(&clinician, path, true);
		answers += 2;
	}
	for (size_t k = 0; k < sizeof(extra_gets) / sizeof(extra_gets[0]); k++) {
		fill_query(extra_gets[k], path, sizeof(path));
		ck_assert_msg(sweep_one(&srv.admin, path, false) == 200, "admin %s", path);
		sweep_one(&clinician, path, true);
		answers += 2;
	}
	return answers;
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
	release_world();
}

static void login_clinician(const char *user, const char *password)
{
	int status;

	ck_assert_msg(e2e_login(port, user, password, &clinician, &status), "%s: %d", user,
		      status);
}

/* The demo clinic, as lege1 (clinician 1). */
START_TEST(the_demo_clinic)
{
	const char *extra[] = {"--demo", NULL};

	e2e_start(&srv, NULL, extra);
	port = srv.port;
	w.clinician = 1;
	read_world();
	snprintf(w.slot_ids, sizeof(w.slot_ids), "clinician_id=1&clinician_id=2");
	complete_world(latest_of(2));
	reread_world();
	login_clinician("lege1", "timebok-demo-2026");
	ck_assert_int_ge(sweep(), 60);
}
END_TEST

#define FIXTURE_CLINICIANS 20
#define ISLANDS 30

/* The benchmark's 10,000 appointments, ten more clinicians and a day of
 * 400 pieces for thirty, as the fixture's clinician 1. */
START_TEST(ten_thousand_appointments)
{
	char dir[64] = "/tmp/timebok-sweep-XXXXXX", cmd[600], db_path[128], first[11];
	long long c[ISLANDS];
	int64_t today = time(NULL) / 86400, monday = today + 7;
	struct civil day = {0};
	int64_t t0, t1, w0;
	sqlite3 *db;
	size_t n = 0;

	for (;; monday++) {
		timeutil_civil_from_days(monday, &day.year, &day.month, &day.day);
		if (timeutil_weekday(day.year, day.month, day.day) == 1)
			break;
	}
	snprintf(first, sizeof(first), "%04d-%02d-%02d", day.year, day.month, day.day);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db_path, sizeof(db_path), "%s/t.db", dir);
	snprintf(cmd, sizeof(cmd), "%s populate %s 10000 %s %s/fixture.json >/dev/null",
		 TIMEBOK_BENCH_TOOL, db_path, first, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd),
		 "add --db %s --username " E2E_ADMIN " --role admin --password-cost min", db_path);
	ck_assert_int_eq(e2e_cli(cmd, E2E_PASSWORD "\n"), 0);
	snprintf(cmd, sizeof(cmd),
		 "add --db %s --username lege --role clinician --clinician-id 1 --password-cost min",
		 db_path);
	ck_assert_int_eq(e2e_cli(cmd, E2E_PASSWORD "\n"), 0);

	/* ten more clinicians, and the day of many pieces for thirty (the
	 * Tuesday of the second week, which has its appointments too) */
	ck_assert_int_eq(sqlite3_open(db_path, &db), SQLITE_OK);
	for (int i = 0; i < ISLANDS; i++) {
		if (i >= FIXTURE_CLINICIANS)
			ck_assert_int_eq(sqlite3_exec(db,
						      "INSERT INTO clinicians (name, profession, "
						      "unit_id, created_at, updated_at) VALUES "
						      "('Lege Øy', 'lege', 1, 0, 0)",
						      NULL, NULL, NULL),
					 SQLITE_OK);
		c[i] = i < FIXTURE_CLINICIANS ? i + 1 : sqlite3_last_insert_rowid(db);
	}
	sqlite3_close(db);
	timeutil_civil_from_days(monday + 8, &day.year, &day.month, &day.day);
	timeutil_day_bounds(&day, &t0, &t1);
	w0 = t0 + 10 * 3600; /* near enough: only the size matters here */
	e2e_islands(db_path, c, ISLANDS, t0, w0, w0 + 3600);

	e2e_start(&srv, dir, NULL);
	port = srv.port;
	w.clinician = 1;
	read_world();
	for (int i = 0; i < ISLANDS; i++)
		n += (size_t)snprintf(w.slot_ids + n, sizeof(w.slot_ids) - n, "%sclinician_id=%lld",
				      i ? "&" : "", c[i]);
	complete_world(latest_of(2));
	reread_world();
	/* the sweep's day is the island day: its slot search spans all thirty */
	timeutil_format_date(t0 + 43200, w.day);
	login_clinician("lege", E2E_PASSWORD);
	ck_assert_int_ge(sweep(), 60);

	/* the sizes themselves */
	{
		char path[200];
		json_t *j;
		snprintf(path, sizeof(path), "/api/v1/appointments?from=%s&to=%s&limit=5000", first,
			 w.week_on);
		j = e2e_json(port, "GET", path, NULL, 200);
		ck_assert_int_eq(json_array_size(j), 5000);
		json_decref(j);
		snprintf(path, sizeof(path), "/api/v1/appointments?unit_id=1&from=%s&to=%s&limit=5000",
			 w.day, w.day);
		j = e2e_json(port, "GET", path, NULL, 200);
		ck_assert_int_eq(json_array_size(j), 1000);
		json_decref(j);
	}
	{
		char path[120];
		struct resp r;
		int events = 0;
		snprintf(path, sizeof(path), "/api/v1/calendar-feeds/%s/calendar.ics", w.feed);
		ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 200);
		for (const char *p = r.body; (p = strstr(p, "BEGIN:VEVENT")); p++)
			events++;
		ck_assert_int_eq(events, 500);
		e2e_resp_free(&r);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_sweep");
	TCase *tc = tcase_create("sweep");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, the_demo_clinic);
	tcase_add_test(tc, ten_thousand_appointments);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
