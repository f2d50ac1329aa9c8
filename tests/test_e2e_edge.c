/*
 * test_e2e_edge.c - timebok facing the internet (issue 19), against the
 * real binary: throttles cannot be turned against real users (login
 * floods); files are private; --demo and --public-url are checked.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"
#include "req.h"

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

/* A clinician, a patient with phone and e-mail, an appointment in 2030;
 * its id. */
static long long appointment(int p)
{
	long long clin = e2e_make(p, "clinicians", "{\"name\":\"Dr A\",\"profession\":\"lege\"}");
	long long pat = e2e_make(p, "patients",
				 "{\"name\":\"Kari\",\"phone\":\"+4791234567\","
				 "\"email\":\"kari@example.no\"}");
	char body[200];

	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],"
		 "\"start\":\"2030-03-02T10:00:00+01:00\",\"duration_minutes\":30}",
		 pat, clin);
	return e2e_make(p, "appointments", body);
}

struct flood {
	int port;
	int stop;
	int n503, answered;
};

/* Logins as the admin with a wrong password, or as nobody, from 127.0.0.1
 * until stopped. */
static void *flood(void *arg)
{
	struct flood *fl = arg;
	static const char *const bodies[] = {
		"{\"username\":\"" E2E_ADMIN "\",\"password\":\"wrong wrong wrong\"}",
		"{\"username\":\"nobody\",\"password\":\"wrong wrong wrong\"}"};

	for (int i = 0; !__atomic_load_n(&fl->stop, __ATOMIC_RELAXED); i++) {
		char req[512];
		struct resp r;
		const char *b = bodies[i % 2];
		int n = snprintf(req, sizeof(req),
				 "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				 "Connection: close\r\nContent-Type: application/json\r\n"
				 "Content-Length: %zu\r\n\r\n%s",
				 strlen(b), b);
		if (e2e_raw_from("127.0.0.1", fl->port, req, (size_t)n, &r)) {
			__atomic_add_fetch(&fl->answered, 1, __ATOMIC_RELAXED);
			if (r.status == 503)
				__atomic_add_fetch(&fl->n503, 1, __ATOMIC_RELAXED);
		}
		e2e_resp_free(&r);
	}
	return NULL;
}

/* A login storm from one address neither locks the account nor starves
 * other addresses: a correct login from 127.0.0.2 goes through while
 * 127.0.0.1 floods the same account with wrong passwords. */
START_TEST(login_flood_does_not_lock_out_others)
{
	const char *extra[] = {"--password-cost", "interactive", NULL};
	static const char body[] =
		"{\"username\":\"" E2E_ADMIN "\",\"password\":\"" E2E_PASSWORD "\"}";
	struct flood fl;
	pthread_t t[8];
	char req[512];
	struct resp r;
	int n;

	teardown();
	e2e_start(&srv, NULL, extra); /* unknown users cost an interactive hash */
	fl = (struct flood){.port = srv.port};
	port = srv.port;
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, flood, &fl);
	for (int waited = 0; __atomic_load_n(&fl.answered, __ATOMIC_RELAXED) < 40; waited++) {
		ck_assert_msg(waited < 3000, "the flood got no answers");
		usleep(10000);
	}
	n = snprintf(req, sizeof(req),
		     "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		     strlen(body), body);
	for (int k = 0; k < 3; k++) { /* during the flood, three times */
		ck_assert(e2e_raw_from("127.0.0.2", port, req, (size_t)n, &r));
		ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
		e2e_resp_free(&r);
	}
	__atomic_store_n(&fl.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	/* the flood was answered 401 or 429 (cheap), never with the 503 that
	 * stood in the queue's way of everyone */
	ck_assert_int_eq(fl.n503, 0);
}
END_TEST

static int mode_of(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "%s is missing", path);
	return (int)(st.st_mode & 0777);
}

/* The database, its WAL, the key and backups are the owner's only, even
 * when timebok is started with a permissive umask. */
START_TEST(files_are_private)
{
	char path[400], cmd[1000];
	mode_t old = umask(022);
	struct resp r;

	teardown();
	e2e_start(&srv, NULL, NULL); /* from this process: umask 022 */
	port = srv.port;
	appointment(port);
	e2e_invite(port, 1, (char[E2E_TOKEN_LEN + 1]){0}); /* a write: the WAL exists */
	ck_assert(e2e_request(port, "GET", "/healthz", NULL, NULL, &r));
	e2e_resp_free(&r);
	ck_assert_int_eq(mode_of(srv.db), 0600);
	snprintf(path, sizeof(path), "%s-wal", srv.db);
	ck_assert_int_eq(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s.key", srv.db);
	ck_assert_int_eq(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s/copy.db", srv.dir);
	snprintf(cmd, sizeof(cmd), "%s backup --db %s --out %s 2>/dev/null", TIMEBOK_BIN, srv.db,
		 path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(mode_of(path), 0600);
	umask(old);
}
END_TEST

/* Run timebok with args (at most 10 s); its exit status. */
static int run(const char *args)
{
	char cmd[1200];
	int rc;

	snprintf(cmd, sizeof(cmd), "timeout 10 %s %s >/dev/null 2>&1", TIMEBOK_BIN, args);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* --demo adds its known-password accounts only to an empty database: a
 * real install's (accounts, no data) is refused, and a demo database may
 * be started with --demo again. */
START_TEST(demo_refuses_a_real_install)
{
	char args[600];

	snprintf(args, sizeof(args), "--db %s --listen 127.0.0.1:0 --password-cost min --demo",
		 srv.db);
	ck_assert_int_eq(run(args), 1);
	{
		json_t *j = e2e_json(port, "GET", "/api/v1/users", NULL, 200);
		ck_assert_int_eq(json_array_size(j), 1); /* only the real admin */
		json_decref(j);
	}
}
END_TEST

/* --public-url must be an absolute http(s) URL with nothing to quote. */
START_TEST(public_url_is_checked)
{
	static const char *const bad[] = {
		"ftp://x.example",	       "https://",		"x.example",
		"'https://a b.example'",       "'https://x.example/\"><script>'",
		"https://u@x.example",	       "'https://x.example/?q=1'", "https://x.example:port",
		"'https://x.example/a b'",     NULL};
	char args[300];

	for (const char *const *b = bad; *b; b++) {
		snprintf(args, sizeof(args), "--db /nonexistent/x.db --public-url %s", *b);
		ck_assert_msg(run(args) == 2, "%s was taken", *b);
	}
}
END_TEST

/* An https --public-url makes the session cookie Secure. */
START_TEST(https_cookie_and_host)
{
	const char *extra[] = {"--public-url", "https://timebok.example.org/", NULL};
	char cookie[300];
	struct resp r;

	teardown();
	e2e_start(&srv, NULL, extra);
	port = srv.port;
	ck_assert(e2e_request_as(port, NULL, "POST", "/api/v1/session", NULL,
				 "{\"username\":\"" E2E_ADMIN "\",\"password\":\"" E2E_PASSWORD "\"}",
				 &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(e2e_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	ck_assert_ptr_nonnull(strstr(cookie, "; Secure"));
	e2e_resp_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_edge");
	TCase *tc = tcase_create("edge");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, login_flood_does_not_lock_out_others);
	tcase_add_test(tc, files_are_private);
	tcase_add_test(tc, demo_refuses_a_real_install);
	tcase_add_test(tc, public_url_is_checked);
	tcase_add_test(tc, https_cookie_and_host);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
