/*
 * test_e2e_crash.c - nothing acknowledged is lost: SIGKILL at a random
 * moment of a booking load, again and again; SIGTERM under load (a clean
 * exit); an online backup taken under load.
 *
 * The kill loop runs TIMEBOK_CRASH_ROUNDS rounds (20 by default; tests/run.sh
 * --crash-rounds N sets it).  Each round: LOADERS threads book distinct
 * one-minute slots, the server is killed 20-300 ms in (the seed is printed,
 * TIMEBOK_CRASH_SEED repeats a run), restarted on the same files, and then
 *   - it answers /healthz within 2 s of being started,
 *   - every booking answered 201 in any round is there, as booked,
 *   - PRAGMA integrity_check is ok,
 *   - no booking is there twice and no clinician is double-booked.
 * The bookings share group commits (store.h): /metrics, read just before
 * each kill, shows groups of more than one booking, so kills fall on them.
 */
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"

/* A restart after kill -9 is back within 2 s; a sanitizer's server runs
 * several times slower (TSan once took 2.2 s on a loaded 2-core machine). */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define BACK_WITHIN_S 6.0
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define BACK_WITHIN_S 6.0
#endif
#endif
#ifndef BACK_WITHIN_S
#define BACK_WITHIN_S 2.0
#endif
#include "timeutil.h"

#define LOADERS 4
#define PER_ROUND 2000 /* at most, a loader a round */
#define BASE 1800000000 /* 2027-01-15, a clock-independent future */

static struct server srv;

struct loader {
	int port, id, round;
	int stop;       /* atomic: set to end the loop */
	int ok;         /* bookings answered 201 */
	int answered;   /* atomic: answers of any kind */
	long long ids[PER_ROUND];
	long long starts[PER_ROUND];
};

/* The instant of a loader's i-th slot in a round, as RFC 3339 UTC. */
static long long slot(int round, int id, int i, char *out, size_t cap)
{
	time_t t = BASE + ((time_t)round * LOADERS + id) * PER_ROUND * 60 + (time_t)i * 60;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (long long)t;
}

/* Book this loader's slots one after another until told to stop or the
 * server goes away; remember what was answered 201. */
static void *load(void *arg)
{
	struct loader *l = arg;
	char body[300], at[32];
	struct resp r;

	for (int i = 0; i < PER_ROUND && !__atomic_load_n(&l->stop, __ATOMIC_RELAXED); i++) {
		long long start = slot(l->round, l->id, i, at, sizeof(at));

		snprintf(body, sizeof(body),
			 "{\"patient_id\":%d,\"clinician_ids\":[%d],\"start\":\"%s\","
			 "\"duration_minutes\":1,\"mode\":\"phone\"}",
			 l->id + 1, l->id + 1, at);
		if (!e2e_request(l->port, "POST", "/api/v1/appointments", NULL, body, &r) ||
		    !r.status) {
			e2e_resp_free(&r);
			break; /* the server is gone */
		}
		__atomic_add_fetch(&l->answered, 1, __ATOMIC_RELAXED);
		if (r.status == 201) {
			l->ids[l->ok] = json_integer_value(json_object_get(r.json, "id"));
			l->starts[l->ok++] = start;
		} else {
			ck_assert_msg(r.status == 503, "unexpected %d: %s", r.status, r.body);
		}
		e2e_resp_free(&r);
	}
	return NULL;
}

static void start_loaders(struct loader *l, pthread_t *t, int round)
{
	for (int i = 0; i < LOADERS; i++) {
		l[i] = (struct loader){.port = srv.port, .id = i, .round = round};
		pthread_create(&t[i], NULL, load, &l[i]);
	}
}

static void stop_loaders(struct loader *l, pthread_t *t)
{
	for (int i = 0; i < LOADERS; i++)
		__atomic_store_n(&l[i].stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < LOADERS; i++)
		pthread_join(t[i], NULL);
}

static int answered(struct loader *l)
{
	int n = 0;

	for (int i = 0; i < LOADERS; i++)
		n += __atomic_load_n(&l[i].answered, __ATOMIC_RELAXED);
	return n;
}

static bool integrity_ok(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	bool ok;

	db = e2e_open_ro(path);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL),
			 SQLITE_OK);
	ok = sqlite3_step(st) == SQLITE_ROW &&
	     !strcmp((const char *)sqlite3_column_text(st, 0), "ok") &&
	     sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/* No appointment twice (each loader books each start once) and no two live
 * appointments of one clinician overlap. */
static void no_duplicates(const char *path)
{
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM (SELECT 1 FROM appointments "
				       "GROUP BY patient_id, start_at HAVING COUNT(*) > 1)"),
			 0);
	/* in start order, each starts no earlier than all before it end (a
	 * window, not a self-join: the long run holds ~100,000 rows) */
	ck_assert_int_eq(e2e_sql_int(path, "SELECT COUNT(*) FROM (SELECT start_at, MAX(end_at) OVER ("
				       "PARTITION BY clinician_id ORDER BY start_at, id ROWS "
				       "BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before "
				       "FROM participants WHERE live AND clinician_id IS NOT NULL) "
				       "WHERE start_at < before"),
			 0);
}

static void setup(void)
{
	e2e_start(&srv, NULL, NULL);
	for (int i = 0; i < LOADERS; i++) {
		e2e_make(srv.port, "clinicians", "{\"name\":\"C\",\"profession\":\"lege\"}");
		e2e_make(srv.port, "patients", "{\"name\":\"P\"}");
	}
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

/* Each of the n bookings ids[k] is there, starting at starts[k]. */
static void all_there(const long long *ids, const long long *starts, int n)
{
	char path[64];

	for (int k = 0; k < n; k++) {
		const char *why;
		int64_t at;
		json_t *j;

		snprintf(path, sizeof(path), "/api/v1/appointments/%lld", ids[k]);
		j = e2e_json(srv.port, "GET", path, NULL, 200);
		ck_assert_int_eq(timeutil_parse_instant(json_string_value(json_object_get(j, "start")),
							&at, &why),
				 APP_OK);
		ck_assert_msg(at == starts[k], "booking %lld starts at %lld, not %lld", ids[k],
			      (long long)at, starts[k]);
		json_decref(j);
	}
}

START_TEST(killed_again_and_again)
{
	const char *env = getenv("TIMEBOK_CRASH_ROUNDS"), *seed_env = getenv("TIMEBOK_CRASH_SEED");
	int rounds = env ? atoi(env) : 20, total = 0;
	long grouped = 0; /* bookings beyond the first of their group commit */
	unsigned seed = seed_env ? (unsigned)strtoul(seed_env, NULL, 10)
				 : (unsigned)time(NULL) ^ (unsigned)getpid();
	static struct loader l[LOADERS];
	pthread_t t[LOADERS];
	long long *ids = NULL, *starts = NULL;
	char dir[256];

	printf("killed_again_and_again: %d rounds, TIMEBOK_CRASH_SEED=%u\n", rounds, seed);
	fflush(stdout);
	srand(seed);
	snprintf(dir, sizeof(dir), "%s", srv.dir);
	ck_assert_ptr_nonnull(ids = malloc(sizeof(*ids) * (size_t)rounds * LOADERS * PER_ROUND));
	ck_assert_ptr_nonnull(starts = malloc(sizeof(*starts) * (size_t)rounds * LOADERS * PER_ROUND));
	for (int round = 0; round < rounds; round++) {
		double t0, wait_ms = 20 + rand() % 280;

		start_loaders(l, t, round);
		/* bookings are flowing (bounded wait), then a random moment */
		for (int w = 0; answered(l) < 4 && w < 5000; w++)
			nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
		nanosleep(&(struct timespec){.tv_nsec = (long)(wait_ms * 1e6)}, NULL);
		grouped += e2e_metric(srv.port, "timebok_db_group_writes_total") -
			   e2e_metric(srv.port, "timebok_db_group_commits_total");
		e2e_kill(&srv);
		stop_loaders(l, t);
		for (int i = 0; i < LOADERS; i++) {
			memcpy(ids + total, l[i].ids, sizeof(*ids) * (size_t)l[i].ok);
			memcpy(starts + total, l[i].starts, sizeof(*starts) * (size_t)l[i].ok);
			total += l[i].ok;
		}
		t0 = e2e_now_s();
		e2e_start(&srv, dir, NULL);
		json_decref(e2e_json(srv.port, "GET", "/healthz", NULL, 200));
		ck_assert_msg(e2e_now_s() - t0 < BACK_WITHIN_S, "round %d: back after %.2f s", round,
			      e2e_now_s() - t0);
		ck_assert_msg(integrity_ok(srv.db), "round %d: integrity_check failed", round);
		no_duplicates(srv.db);
	}
	/* every booking acknowledged in any round is there, as it was booked */
	ck_assert_int_gt(total, rounds);
	ck_assert_int_gt(grouped, 0);
	all_there(ids, starts, total);
	/* a booking may be committed and its answer lost with the process: at
	 * most one a loader a round is there without a 201 */
	ck_assert_int_ge(e2e_sql_int(srv.db, "SELECT COUNT(*) FROM appointments"), total);
	ck_assert_int_le(e2e_sql_int(srv.db, "SELECT COUNT(*) FROM appointments"),
			 total + rounds * LOADERS);
	printf("killed_again_and_again: %d bookings acknowledged, all there "
	       "(%ld beyond the first of their group commit)\n",
	       total, grouped);
	free(ids);
	free(starts);
}
END_TEST

/* The appointments of the database at path as one string, in id order. */
static char *rows(const char *path, long long upto)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t cap = 1 << 20, len = 0;
	char *out = malloc(cap);

	db = e2e_open_ro(path);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT id, start_at, end_at, patient_id, status, "
					    "version FROM appointments WHERE id <= ? ORDER BY id",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(st, 1, upto);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (len + 200 > cap) {
			char *more = realloc(out, cap *= 2);
			ck_assert_ptr_nonnull(more);
			out = more;
		}
		len += (size_t)snprintf(out + len, cap - len, "%lld %lld %lld %lld %s %lld\n",
					(long long)sqlite3_column_int64(st, 0),
					(long long)sqlite3_column_int64(st, 1),
					(long long)sqlite3_column_int64(st, 2),
					(long long)sqlite3_column_int64(st, 3),
					(const char *)sqlite3_column_text(st, 4),
					(long long)sqlite3_column_int64(st, 5));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

START_TEST(backup_under_load)
{
	static struct loader l[LOADERS];
	pthread_t t[LOADERS];
	char cmd[1024], copy[320], copydir[300], *a, *b;
	struct server second;
	long long n, before = 0;
	FILE *p;

	/* a database of some size first, so the copy takes a while */
	start_loaders(l, t, 0);
	for (int w = 0; answered(l) < 1500 && w < 30000; w++)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	/* the backup while the bookings go on */
	for (int i = 0; i < LOADERS; i++)
		before += __atomic_load_n(&l[i].answered, __ATOMIC_RELAXED);
	snprintf(copydir, sizeof(copydir), "%s/copy", srv.dir);
	snprintf(copy, sizeof(copy), "%s/t.db", copydir);
	/* TIMEBOK_BIN lies in the build folder, as long as the checkout's path */
	ck_assert_int_lt(snprintf(cmd, sizeof(cmd),
				  "mkdir -p %s && timeout 60 %s backup --db %s --out %s 2>&1", copydir,
				  TIMEBOK_BIN, srv.db, copy),
			 (int)sizeof(cmd));
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	{
		char out[2048];
		size_t len = fread(out, 1, sizeof(out) - 1, p);
		out[len] = '\0';
		ck_assert_msg(pclose(p) == 0, "backup failed: %s", out);
	}
	ck_assert_int_gt(answered(l) - before, 0); /* bookings went on meanwhile */
	stop_loaders(l, t);
	ck_assert(integrity_ok(copy));
	/* a consistent snapshot: appointments 1..n, each as in the original */
	n = e2e_sql_int(copy, "SELECT COUNT(*) FROM appointments");
	ck_assert_int_ge(n, 1000);
	ck_assert_int_eq(e2e_sql_int(copy, "SELECT MAX(id) FROM appointments"), n);
	a = rows(copy, n);
	b = rows(srv.db, n);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	/* and it serves: the same rows through the API, and it takes bookings */
	e2e_start(&second, copydir, NULL);
	{
		json_t *j = e2e_json(second.port, "GET", "/api/v1/appointments?limit=1", NULL, 200);
		json_decref(j);
		snprintf(cmd, sizeof(cmd), "/api/v1/appointments/%lld", n);
		json_decref(e2e_json(second.port, "GET", cmd, NULL, 200));
		snprintf(cmd, sizeof(cmd), "/api/v1/appointments/%lld", n + 1);
		json_decref(e2e_json(second.port, "GET", cmd, NULL, 404));
	}
	e2e_make(second.port, "appointments",
		 "{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"2030-01-02T09:00:00Z\","
		 "\"duration_minutes\":30}");
	ck_assert_int_eq(e2e_stop(&second), 0);
}
END_TEST

START_TEST(sigterm_under_load)
{
	static struct loader l[LOADERS];
	pthread_t t[LOADERS];
	char dir[256];
	int total = 0;

	snprintf(dir, sizeof(dir), "%s", srv.dir);
	start_loaders(l, t, 0);
	/* wait (with a deadline) until bookings are flowing, then stop mid-stream */
	for (int w = 0; answered(l) < 40 && w < 10000; w++)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	ck_assert_int_eq(e2e_stop(&srv), 0); /* SIGTERM while bookings run: exit 0 */
	stop_loaders(l, t);
	/* every booking that was answered 201 is there after a restart */
	e2e_start(&srv, dir, NULL);
	for (int i = 0; i < LOADERS; i++) {
		all_there(l[i].ids, l[i].starts, l[i].ok);
		total += l[i].ok;
	}
	ck_assert_int_gt(total, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_crash");
	TCase *tc = tcase_create("crash");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, killed_again_and_again);
	tcase_add_test(tc, backup_under_load);
	tcase_add_test(tc, sigterm_under_load);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
