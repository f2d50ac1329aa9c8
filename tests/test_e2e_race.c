/*
 * test_e2e_race.c - no double booking under concurrent requests, data that
 * survives stops and kills, the backup command, --help and --version.
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

#define RACERS 50

static struct server srv;
static pthread_barrier_t barrier;
static int statuses[RACERS];

struct racer {
	int i;
	const char *body;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct resp resp;

	pthread_barrier_wait(&barrier);
	statuses[r->i] = e2e_request(srv.port, "POST", "/api/v1/appointments", NULL, r->body, &resp)
				 ? resp.status
				 : -1;
	e2e_resp_free(&resp);
	return NULL;
}

static void setup_people(void)
{
	e2e_make(srv.port, "clinicians", "{\"name\":\"A\",\"profession\":\"lege\"}");
	e2e_make(srv.port, "clinicians", "{\"name\":\"B\",\"profession\":\"sykepleier\"}");
	for (int i = 0; i < RACERS; i++)
		e2e_make(srv.port, "patients", "{\"name\":\"P\"}");
}

/* Run RACERS bookings of clinician 1 at once, each for its own patient; with
 * spread, starts are spread over 20 minutes (30 long: all still overlap). */
static int run_race(bool spread)
{
	pthread_t t[RACERS];
	struct racer r[RACERS];
	char *bodies[RACERS];
	int created = 0;

	pthread_barrier_init(&barrier, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		bodies[i] = malloc(400);
		snprintf(bodies[i], 400,
			 "{\"patient_id\":%d,\"clinician_ids\":[1],"
			 "\"start\":\"2026-11-23T09:%02d:00+01:00\",\"duration_minutes\":30}",
			 i + 1, spread ? i % 20 : 0);
		r[i] = (struct racer){i, bodies[i]};
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < RACERS; i++) {
		pthread_join(t[i], NULL);
		free(bodies[i]);
		ck_assert_msg(statuses[i] == 201 || statuses[i] == 409, "racer %d got %d", i,
			      statuses[i]);
		created += statuses[i] == 201;
	}
	pthread_barrier_destroy(&barrier);
	return created;
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

START_TEST(fifty_book_one_slot)
{
	json_t *j;

	ck_assert_int_eq(run_race(false), 1);
	j = e2e_json(srv.port, "GET", "/api/v1/appointments?clinician_id=1", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 1);
	json_decref(j);
}
END_TEST

START_TEST(fifty_overlapping_intervals)
{
	/* starts spread over 20 minutes, all 30 long: all overlap each other */
	ck_assert_int_eq(run_race(true), 1);
}
END_TEST

START_TEST(same_patient_two_clinicians)
{
	pthread_t t[RACERS];
	struct racer r[RACERS];
	int created = 0;
	static const char *const bodies[2] = {
		"{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2026-11-23T09:00:00+01:00\","
		"\"duration_minutes\":30}",
		"{\"patient_id\":1,\"clinician_ids\":[2],\"start\":\"2026-11-23T09:10:00+01:00\","
		"\"duration_minutes\":30}"};

	pthread_barrier_init(&barrier, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		r[i] = (struct racer){i, bodies[i % 2]};
		pthread_create(&t[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < RACERS; i++) {
		pthread_join(t[i], NULL);
		created += statuses[i] == 201;
		ck_assert(statuses[i] == 201 || statuses[i] == 409);
	}
	pthread_barrier_destroy(&barrier);
	ck_assert_int_eq(created, 1);
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
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/copy && %s backup --db %s --out %s 2>&1", srv.dir,
		 TIMEBOK_BIN, srv.db, copy);
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

#define LOADERS 8

struct loader {
	int port, id, ok, answered;
	long long ids[4096];
	int *stop;
};

/* Book distinct slots until told to stop or the server goes away. */
static void *load(void *arg)
{
	struct loader *l = arg;
	struct resp r;
	char body[300];

	for (int i = 0; i < 4096 && !__atomic_load_n(l->stop, __ATOMIC_RELAXED); i++) {
		/* its own patient, clinician 1 or 2, its own days: no collisions */
		snprintf(body, sizeof(body),
			 "{\"patient_id\":%d,\"clinician_ids\":[%d],\"start\":\"2027-01-%02dT%02d:%02d:00Z\","
			 "\"duration_minutes\":1}",
			 l->id + 1, 1 + l->id % 2, 1 + i / 1440 + (l->id / 2) * 3, (i / 60) % 24, i % 60);
		if (!e2e_request(l->port, "POST", "/api/v1/appointments", NULL, body, &r) || !r.status) {
			e2e_resp_free(&r);
			break; /* refused: the server has stopped listening */
		}
		__atomic_add_fetch(&l->answered, 1, __ATOMIC_RELAXED);
		if (r.status == 201)
			l->ids[l->ok++] = json_integer_value(json_object_get(r.json, "id"));
		else
			ck_assert_msg(r.status == 409, "unexpected %d: %s", r.status, r.body);
		e2e_resp_free(&r);
	}
	return NULL;
}

START_TEST(sigterm_under_load)
{
	static struct loader l[LOADERS];
	pthread_t t[LOADERS];
	int stop = 0;
	char dir[256], path[64];
	int total = 0;

	snprintf(dir, sizeof(dir), "%s", srv.dir);
	for (int i = 0; i < LOADERS; i++) {
		l[i] = (struct loader){.port = srv.port, .id = i, .stop = &stop};
		pthread_create(&t[i], NULL, load, &l[i]);
	}
	/* wait (with a deadline) until bookings are flowing, then stop mid-stream */
	for (int waited = 0, answered = 0; answered < 40 && waited < 10000; waited++) {
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
		answered = 0;
		for (int i = 0; i < LOADERS; i++)
			answered += __atomic_load_n(&l[i].answered, __ATOMIC_RELAXED);
	}
	ck_assert_int_eq(e2e_stop(&srv), 0); /* SIGTERM while bookings run: exit 0 */
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < LOADERS; i++) {
		pthread_join(t[i], NULL);
		total += l[i].ok;
	}
	ck_assert_int_gt(total, 0);
	/* every booking that was answered 201 is there after a restart */
	e2e_start(&srv, dir, NULL);
	for (int i = 0; i < LOADERS; i++)
		for (int k = 0; k < l[i].ok; k++) {
			snprintf(path, sizeof(path), "/api/v1/appointments/%lld", l[i].ids[k]);
			json_decref(e2e_json(srv.port, "GET", path, NULL, 200));
		}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_race");
	TCase *tc = tcase_create("race");

	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, fifty_book_one_slot);
	tcase_add_test(tc, fifty_overlapping_intervals);
	tcase_add_test(tc, same_patient_two_clinicians);
	tcase_add_test(tc, survives_stop_and_kill);
	tcase_add_test(tc, backup_while_running);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, demo_data);
	tcase_add_test(tc, sigterm_under_load);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
