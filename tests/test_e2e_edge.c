/*
 * test_e2e_edge.c - timebok facing the internet (issue 19), against the
 * real binary: throttles cannot be turned against real users (login
 * floods).
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

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_edge");
	TCase *tc = tcase_create("edge");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, login_flood_does_not_lock_out_others);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
