/*
 * test_lazylib.c - libcurl, libical and cjose opened at their first use
 * (server/lazylib.h): not mapped by a fresh server, nor by this process
 * before its first call; a server's first calendar opens libical; one that
 * cannot open them refuses to start; the first use from several threads at
 * once opens each once and every thread's call works (run under TSan too:
 * tests/run.sh --tsan).  That the server uses all three after start is also
 * what the suites that send mail and webhooks (e2e_delivery), serve
 * calendars (e2e_invite, e2e_day) and sign in through OIDC (e2e_sso, oidc)
 * test.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "e2e.h"
#include "lazy_cjose.h"
#include "lazy_curl.h"
#include "lazy_ical.h"

#define THREADS 8

/* How many mappings of pid's name lib (a SONAME's stem: "libcurl.so"). */
static int mapped(pid_t pid, const char *lib)
{
	char path[64], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f))
		n += strstr(line, lib) != NULL;
	fclose(f);
	return n;
}

static const char *const libs[] = {"libcurl.so", "libical.so", "libcjose.so"};

START_TEST(a_fresh_server_maps_none_of_them_until_used)
{
	struct server s;
	char body[200], token[E2E_TOKEN_LEN + 1], path[128];
	long long clin, pat, id;
	struct resp r;

	e2e_start(&s, NULL, NULL); /* its admin logged in: argon2id, sessions */
	clin = e2e_make(s.port, "clinicians", "{\"name\":\"Dr Lat\",\"profession\":\"lege\"}");
	pat =
	    e2e_make(s.port, "patients", "{\"name\":\"Kari Nordmann\",\"phone\":\"+4791234567\"}");
	snprintf(body, sizeof(body),
		 "{\"patient_id\":%lld,\"clinician_ids\":[%lld],"
		 "\"start\":\"2031-03-10T10:00:00+01:00\",\"duration_minutes\":30}",
		 pat, clin);
	id = e2e_make(s.port, "appointments", body);
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		ck_assert_msg(!mapped(s.pid, libs[i]), "%s mapped at start", libs[i]);
	/* used after start: the invitation's calendar (libical) */
	e2e_invite(s.port, id, token);
	snprintf(path, sizeof(path), "/api/v1/invite/%s/calendar.ics", token);
	ck_assert(e2e_request_as(s.port, NULL, "GET", path, NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "BEGIN:VCALENDAR"));
	ck_assert_ptr_nonnull(strstr(r.body, "DTSTART:20310310T090000Z"));
	e2e_resp_free(&r);
	ck_assert_int_gt(mapped(s.pid, "libical.so"), 0);
	ck_assert_int_eq(e2e_stop(&s), 0);
	e2e_cleanup(&s);
}
END_TEST

/* A library that cannot be opened (here an empty file by libical's SONAME
 * first in the search path) stops the server at start with a clear
 * message, not at the first calendar. */
START_TEST(a_broken_installation_refuses_to_start)
{
	char dir[] = "/tmp/timebok-lazylib-XXXXXX", path[256], cmd[1024], out[4096];
	size_t n;
	FILE *f;
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, TIMEBOK_SONAME_ICAL);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "LD_LIBRARY_PATH=%s %s --db %s/t.db --listen 127.0.0.1:0 --port-file %s/port "
		 "2>&1",
		 dir, TIMEBOK_BIN, dir, dir);
	ck_assert_ptr_nonnull(f = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	rc = pclose(f);
	ck_assert(WIFEXITED(rc));
	ck_assert_int_eq(WEXITSTATUS(rc), 1);
	ck_assert_msg(strstr(out, "cannot load " TIMEBOK_SONAME_ICAL) &&
			  strstr(out, "the installation is incomplete"),
		      "%s", out);
	snprintf(path, sizeof(path), "%s/port", dir);
	ck_assert_int_ne(access(path, F_OK), 0); /* it never listened */
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static pthread_barrier_t ready;

static void *use_all(void *arg)
{
	char *escaped, *text;
	icalcomponent *ev;
	cjose_header_t *h;
	cjose_err err;
	const char *alg;
	(void)arg;

	pthread_barrier_wait(&ready); /* every thread's first use at once */
	escaped = curl_easy_escape(NULL, "a b", 0);
	ck_assert_str_eq(escaped, "a%20b");
	curl_free(escaped);
	ev = icalcomponent_new_vevent();
	icalcomponent_add_property(ev, icalproperty_new_summary("x"));
	text = icalcomponent_as_ical_string_r(ev);
	ck_assert_ptr_nonnull(strstr(text, "SUMMARY:x"));
	free(text);
	icalcomponent_free(ev);
	ck_assert_ptr_nonnull(h = cjose_header_new(&err));
	ck_assert(cjose_header_set(h, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, &err));
	ck_assert_ptr_nonnull(alg = cjose_header_get(h, CJOSE_HDR_ALG, &err));
	ck_assert_str_eq(alg, "RS256");
	cjose_header_release(h);
	return NULL;
}

START_TEST(first_use_from_many_threads)
{
	pthread_t t[THREADS];
	const curl_version_info_data *v;

	for (int i = 0; i < LAZYLIB_COUNT; i++)
		ck_assert(!lazylib_loaded((enum lazylib)i));
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		ck_assert_msg(!mapped(getpid(), libs[i]), "%s mapped before its use", libs[i]);
	ck_assert_int_eq(pthread_barrier_init(&ready, NULL, THREADS), 0);
	for (int i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, use_all, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&ready);
	for (int i = 0; i < LAZYLIB_COUNT; i++)
		ck_assert(lazylib_loaded((enum lazylib)i));
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		ck_assert_int_gt(mapped(getpid(), libs[i]), 0);
	/* curl_global_init ran once, under lazylib's lock; this libcurl's own
	 * init is thread-safe too (7.84 and later, built with atomics) */
	v = LAZYLIB_FN(LAZYLIB_CURL, curl_version_info)(CURLVERSION_NOW);
	ck_assert(v->features & CURL_VERSION_THREADSAFE);
	lazylib_free();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lazylib");
	TCase *tc = tcase_create("lazylib");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, a_fresh_server_maps_none_of_them_until_used);
	tcase_add_test(tc, a_broken_installation_refuses_to_start);
	tcase_add_test(tc, first_use_from_many_threads);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
