/*
 * test_e2e_race.c - no double booking under concurrent requests (200 at
 * once on a barrier, ten times each: one slot, overlapping intervals, moves
 * into one slot, one patient with two clinicians), answers through one
 * link at once, data that survives stops and kills, the backup command,
 * --help and --version.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"
#include "store.h"
#include "version.h"

#define RACERS 200

static struct server srv;
static pthread_barrier_t barrier;
static int statuses[RACERS];

struct racer {
	int i;
	const char *method, *path, *headers, *body;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct resp resp;

	pthread_barrier_wait(&barrier);
	statuses[r->i] = e2e_request(srv.port, r->method, r->path, r->headers, r->body, &resp)
				 ? resp.status
				 : -1;
	e2e_resp_free(&resp);
	return NULL;
}

/* Send all RACERS requests at once (each thread waits on one barrier);
 * how many got `ok`; every other answer must be also1 or also2. */
static int run_race(struct racer *r, int ok, int also1, int also2)
{
	pthread_t t[RACERS];
	int n = 0;

	pthread_barrier_init(&barrier, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		r[i].i = i;
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	for (int i = 0; i < RACERS; i++) {
		ck_assert_msg(statuses[i] == ok || statuses[i] == also1 || statuses[i] == also2,
			      "racer %d (%s %s) got %d", i, r[i].method, r[i].path, statuses[i]);
		n += statuses[i] == ok;
	}
	return n;
}

static void setup_people(void)
{
	e2e_make(srv.port, "clinicians", "{\"name\":\"A\",\"profession\":\"lege\"}");
	e2e_make(srv.port, "clinicians", "{\"name\":\"B\",\"profession\":\"sykepleier\"}");
	for (int i = 0; i < RACERS; i++)
		e2e_make(srv.port, "patients", "{\"name\":\"P\",\"phone\":\"+4791234567\"}");
}

/* The live appointments (any status but cancelled) the query lists. */
static size_t live(const char *query)
{
	char path[160];
	json_t *j;
	size_t n = 0;

	snprintf(path, sizeof(path), "/api/v1/appointments?limit=1000&%s", query);
	j = e2e_json(srv.port, "GET", path, NULL, 200);
	for (size_t i = 0; i < json_array_size(j); i++)
		n += strcmp(json_string_value(json_object_get(json_array_get(j, i), "status")),
			    "cancelled") != 0;
	json_decref(j);
	return n;
}

/* RACERS bookings of clinician 1, each for its own patient; starts spread
 * over `spread` minutes, 30 long, so that all overlap each other. */
static int book_race(int spread)
{
	static struct racer r[RACERS];
	static char bodies[RACERS][300];

	for (int i = 0; i < RACERS; i++) {
		snprintf(bodies[i], sizeof(bodies[i]),
			 "{\"patient_id\":%d,\"clinician_ids\":[1],"
			 "\"start\":\"2026-11-23T09:%02d:00+01:00\",\"duration_minutes\":30}",
			 i + 1, spread ? i % spread : 0);
		r[i] = (struct racer){0, "POST", "/api/v1/appointments", NULL, bodies[i]};
	}
	return run_race(r, 201, 409, 0);
}

static void start(void)
{
	e2e_start(&srv, NULL, NULL);
	setup_people();
}

static void stop(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

/* Bookings that share a group commit: racers 2k and 2k+1 want the same
 * slot of one clinician, every pair a slot of its own.  Exactly one of
 * each pair gets 201 and the other 409, whichever group they fell into,
 * and some groups held more than one booking (else this proves nothing). */
START_TEST(conflicts_inside_groups)
{
	static struct racer r[RACERS];
	static char bodies[RACERS][300];
	long groups = e2e_metric(srv.port, "timebok_db_group_commits_total");
	long writes = e2e_metric(srv.port, "timebok_db_group_writes_total");

	for (int i = 0; i < RACERS; i++) {
		int k = (i % 100) / 2 * 10; /* minutes after 08:00 */

		snprintf(bodies[i], sizeof(bodies[i]),
			 "{\"patient_id\":%d,\"clinician_ids\":[%d],"
			 "\"start\":\"2026-11-23T%02d:%02d:00+01:00\",\"duration_minutes\":10}",
			 i + 1, 1 + i / 100, 8 + k / 60, k % 60);
		r[i] = (struct racer){0, "POST", "/api/v1/appointments", NULL, bodies[i]};
	}
	ck_assert_int_eq(run_race(r, 201, 409, 0), RACERS / 2);
	for (int i = 0; i < RACERS; i += 2)
		ck_assert_msg((statuses[i] == 201) != (statuses[i + 1] == 201),
			      "racers %d and %d got %d and %d", i, i + 1, statuses[i],
			      statuses[i + 1]);
	ck_assert_int_eq(live("clinician_id=1"), RACERS / 4);
	ck_assert_int_eq(live("clinician_id=2"), RACERS / 4);
	ck_assert_int_eq(e2e_metric(srv.port, "timebok_db_group_writes_total") - writes, RACERS);
	ck_assert_int_lt(e2e_metric(srv.port, "timebok_db_group_commits_total") - groups, RACERS);
}
END_TEST

START_TEST(all_book_one_slot)
{
	ck_assert_int_eq(book_race(0), 1);
	ck_assert_int_eq(live("clinician_id=1"), 1);
}
END_TEST

START_TEST(overlapping_intervals)
{
	/* starts spread over 29 minutes, all 30 long: each overlaps the others */
	ck_assert_int_eq(book_race(29), 1);
	ck_assert_int_eq(live("clinician_id=1"), 1);
}
END_TEST

START_TEST(moves_into_one_slot)
{
	static struct racer r[RACERS];
	static char bodies[RACERS][200], paths[RACERS][64];
	char body[300];

	/* RACERS appointments in their own half hours, all moved at once into a
	 * free slot that overlaps none of them */
	for (int i = 0; i < RACERS; i++) {
		snprintf(body, sizeof(body),
			 "{\"patient_id\":%d,\"clinician_ids\":[1],\"start\":\"2027-02-%02dT%02d:%02d:00Z\","
			 "\"duration_minutes\":30}",
			 i + 1, 1 + i / 48, i % 48 / 2, i % 2 * 30);
		e2e_make(srv.port, "appointments", body);
		snprintf(paths[i], sizeof(paths[i]), "/api/v1/appointments/%d", i + 1);
		snprintf(bodies[i], sizeof(bodies[i]),
			 "{\"start\":\"2027-02-10T09:%02d:00+01:00\"}", i % 10);
		r[i] = (struct racer){0, "PATCH", paths[i], NULL, bodies[i]};
	}
	ck_assert_int_eq(run_race(r, 200, 409, 0), 1);
	ck_assert_int_eq(live("clinician_id=1&from=2027-02-10T00:00:00Z&to=2027-02-11T00:00:00Z"),
			 1);
	ck_assert_int_eq(live("clinician_id=1"), RACERS);
}
END_TEST

START_TEST(same_patient_two_clinicians)
{
	static struct racer r[RACERS];
	static const char *const bodies[2] = {
		"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		"\"duration_minutes\":30}",
		"{\"patient_id\":1,\"clinician_ids\":[2],\"start\":\"2026-11-23T09:10:00+01:00\","
		"\"duration_minutes\":30}"};

	for (int i = 0; i < RACERS; i++)
		r[i] = (struct racer){0, "POST", "/api/v1/appointments", NULL, bodies[i % 2]};
	ck_assert_int_eq(run_race(r, 201, 409, 0), 1);
	ck_assert_int_eq(live("patient_id=1"), 1);
}
END_TEST

/* The number of entries in appointment id's list `what`. */
static size_t count(long long id, const char *what)
{
	char path[96];
	json_t *j;
	size_t n;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld/%s", id, what);
	j = e2e_json(srv.port, "GET", path, NULL, 200);
	n = json_array_size(j);
	json_decref(j);
	return n;
}

START_TEST(answers_at_once_through_the_link)
{
	static const char *const actions[] = {"confirm", "cancel", "opt-out"};
	static const char *const becomes[] = {"confirmed", "cancelled", "opted_out"};
	static struct racer all[RACERS];
	static char path[3][128];
	char hdr[64], token[44];
	size_t history, messages;
	json_t *j;
	int changed = 0;

	e2e_make(srv.port, "appointments",
		 "{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2027-03-02T10:00:00+01:00\","
		 "\"duration_minutes\":30}");
	e2e_invite(srv.port, 1, token);
	history = count(1, "history");
	messages = count(1, "messages");
	/* the version the patient sees on the page, sent back with each answer */
	snprintf(path[0], sizeof(path[0]), "/api/v1/invite/%s", token);
	j = e2e_json(srv.port, "GET", path[0], NULL, 200);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%lld\"\r\n",
		 json_integer_value(json_object_get(j, "version")));
	json_decref(j);
	for (int a = 0; a < 3; a++)
		snprintf(path[a], sizeof(path[a]), "/api/v1/invite/%s/%s", token, actions[a]);
	/* 20 of each at once (the other racers only ask /healthz) */
	for (int i = 0; i < RACERS; i++)
		all[i] = i < 60 ? (struct racer){0, "POST", path[i % 3], hdr, NULL}
				: (struct racer){0, "GET", "/healthz", NULL, NULL};
	run_race(all, 200, 412, 409);
	/* one answer stands; only its own repeats got 200 (as no-ops) */
	j = e2e_json(srv.port, "GET", "/api/v1/appointments/1", NULL, 200);
	for (int a = 0; a < 3; a++)
		if (!strcmp(json_string_value(json_object_get(j, "status")), becomes[a])) {
			changed++;
			for (int i = 0; i < 60; i++)
				if (i % 3 != a)
					ck_assert_int_ne(statuses[i], 200);
		}
	json_decref(j);
	ck_assert_int_eq(changed, 1);
	ck_assert_int_eq(count(1, "history"), history + 1);
	ck_assert_int_eq(count(1, "messages"), messages + 1);
}
END_TEST

START_TEST(survives_stop_and_kill)
{
	char dir[256];
	json_t *j;

	snprintf(dir, sizeof(dir), "%s", srv.dir);
	json_decref(e2e_json(srv.port, "POST", "/api/v1/appointments",
			     "{\"patient_id\":1,\"clinician_ids\":[1],"
			     "\"start\":\"2026-11-23T09:00:00+01:00\",\"duration_minutes\":30}",
			     201));
	ck_assert_int_eq(e2e_stop(&srv), 0); /* SIGTERM: a clean exit */
	e2e_start(&srv, dir, NULL);
	j = e2e_json(srv.port, "GET", "/api/v1/appointments/1", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "status")), "booked");
	json_decref(j);

	/* an acknowledged booking survives SIGKILL (synchronous=FULL, WAL) */
	json_decref(e2e_json(srv.port, "POST", "/api/v1/appointments",
			     "{\"patient_id\":2,\"clinician_ids\":[1],"
			     "\"start\":\"2026-11-23T10:00:00+01:00\",\"duration_minutes\":30}",
			     201));
	e2e_kill(&srv);
	e2e_start(&srv, dir, NULL);
	j = e2e_json(srv.port, "GET", "/api/v1/appointments", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 2);
	json_decref(j);
	j = e2e_json(srv.port, "GET", "/healthz", NULL, 200);
	json_decref(j);
}
END_TEST

static int run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	return WEXITSTATUS(pclose(p));
}

START_TEST(backup_while_running)
{
	char cmd[1024], out[4096], copy[320];
	struct server second;

	json_decref(e2e_json(srv.port, "POST", "/api/v1/appointments",
			     "{\"patient_id\":1,\"clinician_ids\":[1],"
			     "\"start\":\"2026-11-23T09:00:00+01:00\",\"duration_minutes\":30}",
			     201));
	snprintf(copy, sizeof(copy), "%s/copy/t.db", srv.dir);
	/* TIMEBOK_BIN lies in the build folder, as long as the checkout's path */
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd), "mkdir -p %s/copy && %s backup --db %s --out %s 2>&1",
				  srv.dir, TIMEBOK_BIN, srv.db, copy),
			 (int)sizeof(cmd));
	ck_assert_int_eq(run(cmd, out, sizeof(out)), 0);
	/* refuses to overwrite */
	ck_assert_int_ne(run(cmd, out, sizeof(out)), 0);
	/* the copy serves the same data */
	snprintf(cmd, sizeof(cmd), "%s/copy", srv.dir);
	e2e_start(&second, cmd, NULL);
	json_t *j = e2e_json(second.port, "GET", "/api/v1/appointments", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
	ck_assert_int_eq(e2e_stop(&second), 0);
}
END_TEST

START_TEST(help_and_version)
{
	char out[8192];

	ck_assert_int_eq(run(TIMEBOK_BIN " --help", out, sizeof(out)), 0);
	for (const char *const *o = (const char *const[]){"--db", "--listen", "--tz",
							  "--video-url-template", "--demo",
							  "TIMEBOK_DB", NULL};
	     *o; o++)
		ck_assert_msg(strstr(out, *o) != NULL, "--help does not mention %s", *o);
	ck_assert_int_eq(run(TIMEBOK_BIN " --version", out, sizeof(out)), 0);
	ck_assert_int_eq(strncmp(out, "timebok ", 8), 0);
	{ /* the version and the schema level: the migrations carried */
		char want[64];
		snprintf(want, sizeof(want), "timebok %s (schema %d)\n", TIMEBOK_VERSION,
			 store_nmigrations);
		ck_assert_str_eq(out, want);
	}
	ck_assert_int_eq(run(TIMEBOK_BIN " --bogus 2>&1", out, sizeof(out)), 2);
	ck_assert_int_eq(run(TIMEBOK_BIN " --tz Mars/Olympus --db /nonexistent/x.db 2>&1", out,
			     sizeof(out)),
			 2);
}
END_TEST

START_TEST(demo_data)
{
	struct server demo;
	const char *const extra[] = {"--demo", NULL};
	json_t *j;

	e2e_start(&demo, NULL, extra);
	j = e2e_json(demo.port, "GET", "/api/v1/clinicians", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 10);
	json_decref(j);
	j = e2e_json(demo.port, "GET", "/api/v1/patients?limit=1000", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 200);
	json_decref(j);
	j = e2e_json(demo.port, "GET", "/api/v1/appointments?limit=5000", NULL, 200);
	ck_assert_int_gt(json_array_size(j), 300);
	json_decref(j);
	{
		struct session s;
		int status;
		/* the demo accounts work, and the clinician sees only their own */
		ck_assert(e2e_login(demo.port, "sekretaer", "timebok-demo-2026", &s, &status));
		ck_assert(e2e_login(demo.port, "lege1", "timebok-demo-2026", &s, &status));
		e2e_use(&s);
		j = e2e_json(demo.port, "GET", "/api/v1/appointments?limit=5000", NULL, 200);
		for (size_t i = 0; i < json_array_size(j); i++)
			ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(
						 json_array_get(j, i), "clinician_ids"), 0)) == 1 ||
						 json_integer_value(json_array_get(json_object_get(
						 json_array_get(j, i), "clinician_ids"), 1)) == 1,
					 1);
		json_decref(j);
		e2e_use(&demo.admin);
	}
	ck_assert_int_eq(e2e_stop(&demo), 0);
	/* a second start with --demo leaves the data alone */
	e2e_start(&demo, demo.dir, extra);
	j = e2e_json(demo.port, "GET", "/api/v1/clinicians", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 10);
	json_decref(j);
	ck_assert_int_eq(e2e_stop(&demo), 0);
	e2e_cleanup(&demo);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_race");
	TCase *tc = tcase_create("race");

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, all_book_one_slot, 0, 10);
	tcase_add_loop_test(tc, overlapping_intervals, 0, 10);
	tcase_add_loop_test(tc, conflicts_inside_groups, 0, 5);
	tcase_add_loop_test(tc, moves_into_one_slot, 0, 10);
	tcase_add_loop_test(tc, same_patient_two_clinicians, 0, 10);
	tcase_add_loop_test(tc, answers_at_once_through_the_link, 0, 10);
	tcase_add_test(tc, survives_stop_and_kill);
	tcase_add_test(tc, backup_while_running);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, demo_data);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
