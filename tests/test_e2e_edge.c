/*
 * test_e2e_edge.c - timebok facing the internet (issue 19), against the
 * real binary: the public listener serves only the routes declared for it
 * (walked from routes[]) and the patient page's files; X-Forwarded-For is
 * believed from trusted proxies only; throttles cannot be turned against
 * real users (login floods, anonymous 401s); files
 * are private; --demo, --public-url and Host are checked; outcomes wait
 * for the consultation; and the HTTP/1.1 message rules and conditional
 * requests of RFC 9112 and RFC 9110.
 */
#define _GNU_SOURCE
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "check_main.h"
#include "e2e.h"
#include "timeutil.h"
#include "req.h"
#include "static_files.h"

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

/* Send method path to port p from src (NULL: any) with extra header lines
 * (each ending in \r\n) and no session; the status. */
static int ask(const char *src, int p, const char *method, const char *path, const char *headers,
	       struct resp *r)
{
	char req[4096];
	int n = snprintf(req, sizeof(req),
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n%s\r\n",
			 method, path, p, headers ? headers : "");

	ck_assert_int_lt(n, (int)sizeof(req));
	ck_assert(e2e_raw_from(src, p, req, (size_t)n, r));
	return r->status;
}

/* The route's pattern with its ids 1 and its token tok, into out. */
static void fill(const char *pattern, const char *tok, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = pattern; *p && n + 64 < cap;) {
		if (!strncmp(p, "{token}", 7)) {
			n += (size_t)snprintf(out + n, cap - n, "%s", tok);
			p += 7;
		} else if (*p == '{') {
			n += (size_t)snprintf(out + n, cap - n, "1");
			p = strchr(p, '}') + 1;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

/* Whether r is the router's own 404 (no route on this listener). */
static bool no_route(const struct resp *r)
{
	return r->status == 404 && strstr(r->body, "no such path");
}

/* --public-listen: the route table walked on both listeners.  On the public
 * one, a route answers (not the router's 404) exactly when it is flagged
 * ROUTE_PUBLIC_LISTENER, and only the patient page's files are served; on
 * the staff one every route answers as before. */
START_TEST(two_listeners_walk_the_route_table)
{
	char dir[] = "/tmp/timebok-test-XXXXXX", pubfile[64], num[16], path[256], headers[400];
	char invite[E2E_TOKEN_LEN + 1], feed[E2E_TOKEN_LEN + 1];
	const char *extra[] = {"--public-listen", "127.0.0.1:0", "--public-port-file", pubfile,
			       NULL};
	struct session walker;
	int pub = 0, status, declared = 0;
	struct resp r;
	FILE *f;
	json_t *j;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pubfile, sizeof(pubfile), "%s/pub", dir);
	teardown(); /* this case starts its own server */
	e2e_start(&srv, NULL, extra);
	port = srv.port;
	ck_assert_ptr_nonnull(f = fopen(pubfile, "r"));
	ck_assert_ptr_nonnull(fgets(num, sizeof(num), f));
	fclose(f);
	ck_assert_int_gt(pub = atoi(num), 0);
	ck_assert_int_ne(pub, port);

	e2e_invite(port, appointment(port), invite);
	j = e2e_json(port, "POST", "/api/v1/clinicians/1/calendar-feed", "{}", 201);
	snprintf(feed, sizeof(feed), "%.43s",
		 strstr(json_string_value(json_object_get(j, "url")), "/calendar-feeds/") + 16);
	json_decref(j);
	/* the links sent to patients point at the public listener */
	j = e2e_json(port, "POST", "/api/v1/appointments/1/invitations", NULL, 201);
	snprintf(num, sizeof(num), ":%d/i/", pub);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "url")), num));
	json_decref(j);
	e2e_invite(port, 1, invite);
	/* the feed is fetched from the public side, and its events link to the
	 * day list in the staff app, on the staff listener (the public one has
	 * no staff app: the outside review found them leading to a 404) */
	{
		char body[160], start[TIMEUTIL_INSTANT_LEN];
		timeutil_format((time(NULL) / 86400 + 2) * 86400 + 36000, start);
		snprintf(body, sizeof(body),
			 "{\"patient_id\":1,\"clinician_ids\":[1],\"start\":\"%s\","
			 "\"duration_minutes\":30}",
			 start);
		e2e_make(port, "appointments", body);
	}
	snprintf(path, sizeof(path), "/api/v1/calendar-feeds/%s/calendar.ics", feed);
	ck_assert_int_eq(ask(NULL, pub, "GET", path, NULL, &r), 200);
	snprintf(headers, sizeof(headers), "URL:http://127.0.0.1:%d/#/day/", port);
	ck_assert_msg(strstr(r.body, headers) != NULL, "%s", r.body);
	e2e_resp_free(&r);

	for (int i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		bool on_public = rt->flags & ROUTE_PUBLIC_LISTENER;

		if (rt->flags & ROUTE_BENCH)
			continue;
		fill(rt->pattern, strstr(rt->pattern, "calendar-feeds") ? feed : invite, path,
		     sizeof(path));
		snprintf(headers, sizeof(headers), "Cookie: %s\r\nX-CSRF-Token: %s\r\n%s",
			 srv.admin.cookie, srv.admin.csrf,
			 strcmp(rt->method, "GET") ? "Content-Length: 0\r\n" : "");
		ask(NULL, pub, rt->method, path, headers, &r);
		ck_assert_msg(on_public ? !no_route(&r) : no_route(&r), "public %s %s: %d %s",
			      rt->method, path, r.status, r.body);
		ck_assert(e2e_is_error(&r, "not_found", NULL) || on_public);
		e2e_resp_free(&r);
		declared += on_public;
	}
	/* /healthz, 8 patient/guest link routes, the feed, 3 survey link routes */
	ck_assert_int_eq(declared, 13);
	/* the patient page and its files; nothing else */
	snprintf(path, sizeof(path), "/i/%s", invite);
	ck_assert_int_eq(ask(NULL, pub, "GET", path, NULL, &r), 200);
	ck_assert_ptr_nonnull(strstr(r.body, "invite.js"));
	e2e_resp_free(&r);
	for (const char *const *p =
		 (const char *const[]){"/invite.js", "/invite.css", "/favicon.svg", NULL};
	     *p; p++) {
		ck_assert_int_eq(ask(NULL, pub, "GET", *p, NULL, &r), 200);
		e2e_resp_free(&r);
	}
	for (const char *const *p = (const char *const[]){"/", "/index.html", "/js/app.js",
							  "/openapi.json", "/i/short", NULL};
	     *p; p++) {
		ck_assert_msg(ask(NULL, pub, "GET", *p, NULL, &r) == 404, "public %s", *p);
		e2e_resp_free(&r);
	}
	ck_assert_int_eq(ask(NULL, port, "GET", "/", NULL, &r), 200);
	e2e_resp_free(&r);
	ck_assert_int_eq(ask(NULL, pub, "OPTIONS", "*", NULL, &r), 204); /* its methods only */
	ck_assert_str_eq(e2e_header(&r, "Allow", path, sizeof(path)), "GET, HEAD, POST, OPTIONS");
	e2e_resp_free(&r);

	/* the staff listener: every route still answers (walked last: it
	 * logs out and deletes) */
	ck_assert(e2e_login(port, E2E_ADMIN, E2E_PASSWORD, &walker, &status));
	for (int i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];

		if (rt->flags & ROUTE_BENCH)
			continue;
		fill(rt->pattern, strstr(rt->pattern, "calendar-feeds") ? feed : invite, path,
		     sizeof(path));
		ck_assert(e2e_request_as(
		    port, &walker, rt->method, path, NULL,
		    strcmp(rt->method, "GET") && strcmp(rt->method, "DELETE") ? "{}" : NULL, &r));
		ck_assert_msg(!no_route(&r), "staff %s %s: %d", rt->method, path, r.status);
		e2e_resp_free(&r);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

/* /metrics is on the staff listener only, and with --metrics-token asks for
 * it as a bearer token. */
START_TEST(metrics_token)
{
	const char *extra[] = {"--metrics-token", "s3cret-scraper-token", NULL};
	struct resp r;

	teardown();
	e2e_start(&srv, NULL, extra);
	port = srv.port;
	ck_assert_int_eq(ask(NULL, port, "GET", "/metrics", NULL, &r), 401);
	ck_assert(e2e_is_error(&r, "unauthenticated", NULL));
	e2e_resp_free(&r);
	ck_assert_int_eq(ask(NULL, port, "GET", "/metrics",
			     "Authorization: Bearer s3cret-scraper-tokeN\r\n", &r),
			 401);
	e2e_resp_free(&r);
	ck_assert_int_eq(ask(NULL, port, "GET", "/metrics",
			     "Authorization: Bearer s3cret-scraper-token\r\n", &r),
			 200);
	ck_assert_ptr_nonnull(strstr(r.body, "timebok_http_requests_total"));
	e2e_resp_free(&r);
}
END_TEST

/* --trusted-proxy: from a trusted peer, the last untrusted hop of
 * X-Forwarded-For is the client (the token throttle and the audit log see
 * it); from any other peer the header is ignored. */
START_TEST(trusted_proxy_names_the_client)
{
	const char *extra[] = {"--trusted-proxy", "127.0.0.1,10.0.0.9", NULL};
	char path[128], guess[E2E_TOKEN_LEN + 1];
	long long id;
	struct resp r;
	json_t *j;

	teardown();
	e2e_start(&srv, NULL, extra);
	port = srv.port;
	memset(guess, 'A', E2E_TOKEN_LEN);
	guess[E2E_TOKEN_LEN] = '\0';
	for (int i = 0; i < 50; i++) { /* TOKEN_MISS_LIMIT misses from 192.0.2.7 */
		guess[i % E2E_TOKEN_LEN] = 'B';
		snprintf(path, sizeof(path), "/api/v1/invite/%s", guess);
		ck_assert_int_eq(ask("127.0.0.1", port, "GET", path,
				     "X-Forwarded-For: 198.51.100.1, 192.0.2.7, 10.0.0.9\r\n", &r),
				 404);
		e2e_resp_free(&r);
	}
	ck_assert_int_eq(ask("127.0.0.1", port, "GET", path, "X-Forwarded-For: 192.0.2.7\r\n", &r),
			 429);
	e2e_resp_free(&r);
	{ /* a long header of the client's own making before the proxy's hop */
		char headers[3000];
		size_t n = (size_t)snprintf(headers, sizeof(headers), "X-Forwarded-For: ");
		while (n < 2000)
			n += (size_t)snprintf(headers + n, sizeof(headers) - n, "10.1.1.%zu, ",
					      n % 250);
		snprintf(headers + n, sizeof(headers) - n, "192.0.2.7\r\n");
		ck_assert_int_eq(ask("127.0.0.1", port, "GET", path, headers, &r), 429);
		e2e_resp_free(&r);
	}
	/* another client behind the same proxy is not held up */
	ck_assert_int_eq(ask("127.0.0.1", port, "GET", path, "X-Forwarded-For: 192.0.2.8\r\n", &r),
			 404);
	e2e_resp_free(&r);
	/* an untrusted peer cannot choose its address by the header */
	ck_assert_int_eq(ask("127.0.0.2", port, "GET", path, "X-Forwarded-For: 192.0.2.7\r\n", &r),
			 404);
	e2e_resp_free(&r);

	/* the audit log records the client behind the proxy */
	id = e2e_make(port, "patients", "{\"name\":\"Per\",\"phone\":\"+4790000001\"}");
	snprintf(path, sizeof(path), "/api/v1/patients/%lld", id);
	{
		char headers[400];
		snprintf(headers, sizeof(headers), "Cookie: %s\r\nX-Forwarded-For: 203.0.113.5\r\n",
			 srv.admin.cookie);
		ck_assert_int_eq(ask("127.0.0.1", port, "GET", path, headers, &r), 200);
		e2e_resp_free(&r);
	}
	ck_assert_int_eq(e2e_stop(&srv), 0); /* writes the queued reads */
	e2e_start(&srv, srv.dir, extra);
	port = srv.port;
	snprintf(path, sizeof(path), "/api/v1/audit?patient_id=%lld", id);
	j = e2e_json(port, "GET", path, NULL, 200);
	{
		char *text = json_dumps(j, JSON_COMPACT);
		ck_assert_ptr_nonnull(strstr(text, "\"client_ip\":\"203.0.113.5\""));
		free(text);
	}
	json_decref(j);
}
END_TEST

struct flood {
	int port;
	int stop;
	int n503, answered;
	int spread; /* 0: all from 127.0.0.1; else each try from a new 127.x.y.z */
	int next;   /* the spread's counter */
};

/* Logins as the admin with a wrong password, or as nobody, from 127.0.0.1
 * (or, spread, from ever new addresses) until stopped. */
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
		char src[32] = "127.0.0.1";
		if (fl->spread) {
			int k = __atomic_add_fetch(&fl->next, 1, __ATOMIC_RELAXED);
			snprintf(src, sizeof(src), "127.%d.%d.%d", 10 + k / 62500, k / 250 % 250 + 1,
				 k % 250 + 1);
		}
		if (e2e_raw_from(src, fl->port, req, (size_t)n, &r)) {
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

/* A storm from ever new addresses, each of which fails once (so no
 * address is ever slowed down), fills the hashing queue and gets 503; a
 * member of staff whose workstation logged in today still gets in: places
 * are kept for addresses that logged in lately (outside review: 200 once,
 * then 503 nine times in a row). */
START_TEST(a_storm_from_many_addresses_keeps_known_staff_in)
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
	e2e_start(&srv, NULL, extra);
	port = srv.port;
	n = snprintf(req, sizeof(req),
		     "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		     strlen(body), body);
	ck_assert(e2e_raw_from("127.0.0.2", port, req, (size_t)n, &r)); /* this morning */
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	fl = (struct flood){.port = srv.port, .spread = 1};
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, flood, &fl);
	for (int waited = 0; __atomic_load_n(&fl.n503, __ATOMIC_RELAXED) < 5; waited++) {
		ck_assert_msg(waited < 3000, "the storm never filled the queue");
		usleep(10000);
	}
	for (int k = 0; k < 5; k++) { /* during the storm */
		ck_assert(e2e_raw_from("127.0.0.2", port, req, (size_t)n, &r));
		ck_assert_msg(r.status == 200, "%d %s", r.status, r.body);
		e2e_resp_free(&r);
	}
	__atomic_store_n(&fl.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
}
END_TEST

/* Denials of user in the audit log, read from the database (the server
 * stopped). */
static int audit_rows(const char *db, const char *user)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int n = -1;

	ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h,
					    "SELECT count(*) FROM audit_log WHERE username = ?1 "
					    "AND action LIKE 'denied %'",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Anonymous 401s are counted in /metrics by route, not written to the
 * audit log; a logged-in user's denial still is. */
START_TEST(anonymous_denials_are_counted_not_audited)
{
	struct session lege;
	char path[64];
	struct resp r;
	int status;

	for (int i = 1; i <= 200; i++) {
		snprintf(path, sizeof(path), "/api/v1/appointments/%d", i);
		ck_assert(e2e_request_as(port, NULL, "GET", path, NULL, NULL, &r));
		ck_assert_int_eq(r.status, 401);
		e2e_resp_free(&r);
	}
	ck_assert(e2e_request_as(port, NULL, "GET", "/metrics", NULL, NULL, &r));
	ck_assert_ptr_nonnull(strstr(r.body, "timebok_http_anonymous_denials_total{method=\"GET\","
					     "route=\"/api/v1/appointments/{id}\"} 200"));
	e2e_resp_free(&r);
	/* a clinician's 403 stays in the log */
	e2e_make(port, "clinicians", "{\"name\":\"Dr B\",\"profession\":\"lege\"}");
	{
		char args[400];
		snprintf(args, sizeof(args),
			 "add --db %s --username lege --role clinician --clinician-id 1 "
			 "--password-cost min",
			 srv.db);
		ck_assert_int_eq(e2e_cli(args, E2E_PASSWORD "\n"), 0);
	}
	ck_assert(e2e_login(port, "lege", E2E_PASSWORD, &lege, &status));
	ck_assert(e2e_request_as(port, &lege, "GET", "/api/v1/users", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 403);
	e2e_resp_free(&r);
	ck_assert_int_eq(e2e_stop(&srv), 0);
	ck_assert_int_eq(audit_rows(srv.db, "anonymous"), 0);
	ck_assert_int_eq(audit_rows(srv.db, "lege"), 1);
	e2e_start(&srv, srv.dir, NULL);
	port = srv.port;
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
	snprintf(path, sizeof(path), "%s-accounts", srv.db); /* the session cache's (auth.c) */
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
	char cmd[2400];
	int rc;

	snprintf(cmd, sizeof(cmd), "timeout 10 %s %s >/dev/null 2>&1", TIMEBOK_BIN, args);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* --demo adds its known-password accounts only to an empty database: a
 * real install's (accounts, no data) is refused, and a demo database may
 * be started with --demo again.  A second server on a database in use is
 * refused. */
START_TEST(demo_refuses_a_real_install)
{
	char args[1000], copy[300];

	/* a copy: the running server holds its database (one server a database) */
	snprintf(copy, sizeof(copy), "%s/copy.db", srv.dir);
	snprintf(args, sizeof(args), "backup --db %s --out %s", srv.db, copy);
	ck_assert_int_eq(run(args), 0);
	snprintf(args, sizeof(args), "--db %s --listen 127.0.0.1:0 --password-cost min --demo",
		 copy);
	ck_assert_int_eq(run(args), 1);
	ck_assert_int_eq(e2e_sql_int(copy, "SELECT count(*) FROM users"), 1); /* only the real admin */
	ck_assert_int_eq(e2e_sql_int(copy, "SELECT count(*) FROM appointments"), 0);
	{
		json_t *j = e2e_json(port, "GET", "/api/v1/users", NULL, 200);
		ck_assert_int_eq(json_array_size(j), 1);
		json_decref(j);
	}
	/* and a second server on the running one's database is refused at once,
	 * its database untouched (its caches count only its own writes) */
	snprintf(args, sizeof(args), "--db %s --listen 127.0.0.1:0 --password-cost min", srv.db);
	ck_assert_int_eq(run(args), 1);
	ck_assert_int_eq(e2e_sql_int(srv.db, "SELECT count(*) FROM users"), 1);
	/* nor a real site before its first account: one reached over https
	 * (outside review: the demo's accounts on a fresh production host) */
	snprintf(args, sizeof(args),
		 "--db %s/fresh.db --listen 127.0.0.1:0 --password-cost min --demo "
		 "--public-url https://timebok.sykehuset.example",
		 srv.dir);
	ck_assert_int_eq(run(args), 1);
	snprintf(args, sizeof(args), "%s/fresh.db", srv.dir);
	ck_assert_int_eq(e2e_sql_int(args, "SELECT count(*) FROM users"), 0);
}
END_TEST

/* --public-url must be an absolute http(s) URL with nothing to quote. */
START_TEST(public_url_is_checked)
{
	static const char *const bad[] = {"ftp://x.example",
					  "https://",
					  "x.example",
					  "'https://a b.example'",
					  "'https://x.example/\"><script>'",
					  "https://u@x.example",
					  "'https://x.example/?q=1'",
					  "https://x.example:port",
					  "'https://x.example/a b'",
					  NULL};
	char args[300];

	for (const char *const *b = bad; *b; b++) {
		snprintf(args, sizeof(args), "--db /nonexistent/x.db --public-url %s", *b);
		ck_assert_msg(run(args) == 2, "%s was taken", *b);
	}
}
END_TEST

/* The status of GET /healthz with Host: host. */
static int with_host(const char *host)
{
	char req[200];
	struct resp r;
	int n = snprintf(req, sizeof(req),
			 "GET /healthz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host);
	int status;

	ck_assert(e2e_raw(port, req, (size_t)n, &r));
	status = r.status;
	if (status == 400)
		ck_assert_msg(e2e_is_error(&r, "invalid", NULL), "%s", r.body);
	e2e_resp_free(&r);
	return status;
}

/* An https --public-url makes the session cookie Secure; the Host header
 * must name this service: --public-url's host, the listener's address
 * (localhost on loopback) or one of --host-names. */
START_TEST(https_cookie_and_host)
{
	const char *extra[] = {"--public-url", "https://timebok.example.org/", NULL};
	const char *more[] = {"--public-url", "https://timebok.example.org/", "--host-names",
			      "staff.example.org,other.example", NULL};
	char cookie[300];
	struct resp r;

	teardown();
	e2e_start(&srv, NULL, extra);
	port = srv.port;
	ck_assert(e2e_request_as(
	    port, NULL, "POST", "/api/v1/session", NULL,
	    "{\"username\":\"" E2E_ADMIN "\",\"password\":\"" E2E_PASSWORD "\"}", &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(e2e_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	ck_assert_ptr_nonnull(strstr(cookie, "; Secure"));
	e2e_resp_free(&r);
	for (const char *const *h =
		 (const char *const[]){"timebok.example.org", "TIMEBOK.example.org:443",
				       "localhost:1", "127.0.0.1", NULL};
	     *h; h++)
		ck_assert_msg(with_host(*h) == 200, "Host: %s", *h);
	for (const char *const *h =
		 (const char *const[]){"evil.example", "timebok.example.org.evil", "127.0.0.2",
				       "staff.example.org", "a b", "", NULL};
	     *h; h++)
		ck_assert_msg(with_host(*h) == 400, "Host: %s", *h);
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_start(&srv, srv.dir, more);
	port = srv.port;
	ck_assert_int_eq(with_host("staff.example.org"), 200);
	ck_assert_int_eq(with_host("other.example:8443"), 200);
	ck_assert_int_eq(with_host("example.org"), 400);
}
END_TEST

/* RFC 9112's MUSTs on the message: Host, field syntax, target forms. */
START_TEST(http11_message_rules)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
	    {"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 400}, /* no Host */
	    {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n"
	     "Connection: close\r\n\r\n",
	     400},
	    {"GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\nConnection: close\r\n\r\n", 400},
	    {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nBad(Name): x\r\n"
	     "Connection: close\r\n\r\n",
	     400},
	    {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\x01z\r\n"
	     "Connection: close\r\n\r\n",
	     400},
	    {"GET * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 400},
	    {"GET http://evil.example/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	     "Connection: close\r\n\r\n",
	     400},
	    {"GET healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 400},
	    {"GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	     "Connection: close\r\n\r\n",
	     200},
	    {"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 204},
	    {"GET /healthz HTTP/1.0\r\n\r\n", 200}, /* HTTP/1.0 needs no Host */
	    /* RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing */
	    {"POST /api/v1/session HTTP/1.0\r\nTransfer-Encoding: chunked\r\n"
	     "Content-Type: application/json\r\n\r\n0\r\n\r\n",
	     400},
	    {"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\tb\xe6\r\n"
	     "Connection: close\r\n\r\n",
	     200},
	};
	struct resp r;
	char v[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert(e2e_raw(port, cases[i].req, strlen(cases[i].req), &r));
		ck_assert_msg(r.status == cases[i].status, "case %zu: %d %s", i, r.status, r.raw);
		if (cases[i].status == 400)
			ck_assert_msg(e2e_is_error(&r, "invalid", NULL), "case %zu: %s", i, r.body);
		if (cases[i].status == 204)
			ck_assert_ptr_nonnull(strstr(e2e_header(&r, "Allow", v, sizeof(v)), "GET"));
		e2e_resp_free(&r);
	}
	/* HEAD is allowed wherever GET is */
	ck_assert(e2e_request(port, "PUT", "/api/v1/units/1", NULL, "{}", &r));
	ck_assert_int_eq(r.status, 405);
	ck_assert_str_eq(e2e_header(&r, "Allow", v, sizeof(v)), "GET, HEAD, PATCH, DELETE");
	e2e_resp_free(&r);
}
END_TEST

/* RFC 9110 13.1.2: If-None-Match with lists, weak tags and "*" answers 304
 * on GET and HEAD wherever an ETag is sent (an appointment, static files). */
START_TEST(conditional_requests)
{
	static const struct {
		const char *inm;
		int status;
	} cases[] = {
	    {"\"1\"", 304}, {"W/\"1\"", 304}, {"\"7\", \"1\"", 304}, {"\"7\",W/\"1\"", 304},
	    {"*", 304},	    {"\"2\"", 200},   {"\"12\"", 200},	     {"1", 200},
	};
	char headers[200], etag[64], v[64];
	long long id = appointment(port);
	char path[64];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/appointments/%lld", id);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(headers, sizeof(headers), "If-None-Match: %s\r\n", cases[i].inm);
		for (int head = 0; head < 2; head++) {
			ck_assert(
			    e2e_request(port, head ? "HEAD" : "GET", path, headers, NULL, &r));
			ck_assert_msg(r.status == cases[i].status, "%s: %d", cases[i].inm,
				      r.status);
			ck_assert_str_eq(e2e_header(&r, "ETag", v, sizeof(v)), "\"1\"");
			if (r.status == 304)
				ck_assert_int_eq((int)r.body_len, 0);
			e2e_resp_free(&r);
		}
	}
	/* If-Match compares strongly (RFC 9110 13.1.1): a weak tag never
	 * matches, and the change is refused as stale */
	ck_assert(e2e_request(port, "PATCH", path, "If-Match: W/\"1\"\r\n",
			      "{\"duration_minutes\":45}", &r));
	ck_assert_int_eq(r.status, 412);
	ck_assert(e2e_is_error(&r, "stale", NULL));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "PATCH", path, "If-Match: \"1\"\r\n",
			      "{\"duration_minutes\":45}", &r));
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	/* static files: the same rules */
	ck_assert(e2e_request(port, "GET", "/index.html", NULL, NULL, &r));
	ck_assert_ptr_nonnull(e2e_header(&r, "ETag", etag, sizeof(etag)));
	e2e_resp_free(&r);
	snprintf(headers, sizeof(headers), "If-None-Match: \"x\", W/%s\r\n", etag);
	ck_assert(e2e_request(port, "GET", "/index.html", headers, NULL, &r));
	ck_assert_int_eq(r.status, 304);
	e2e_resp_free(&r);
}
END_TEST

/* The file at static/rel, whole, into a new buffer (*len). */
static char *static_file(const char *rel, size_t *len)
{
	char path[512];
	FILE *f;
	char *data;
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", TIMEBOK_STATIC, rel);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_ptr_nonnull(f = fopen(path, "rb"));
	data = malloc((size_t)st.st_size + 1);
	ck_assert_uint_eq(fread(data, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return data;
}

/* Text files go gzip-compressed to a client that takes it (a copy made
 * once, another representation: its own ETag, Vary: Accept-Encoding), as
 * they are to one that does not; Last-Modified with If-Modified-Since. */
START_TEST(static_files_compressed_and_dated)
{
	static const struct {
		const char *ae;
		bool gzip;
	} accepts[] = {
	    {"gzip", true},	     {"gzip, deflate, br", true}, {"br;q=1.0, gzip;q=0.8", true},
	    {"x-gzip", true},	     {"*", true},		  {"GZIP", true},
	    {"gzip;q=0", false},     {"gzip; q=0.000", false},	  {"identity", false},
	    {"deflate, br", false},  {"*, gzip;q=0", false},	  {"", false},
	    {"gzipx", false},	     {NULL, false},		  {"*;q=0", false},
	};
	char headers[256], plain_tag[64], gz_tag[64], v[128], modified[64];
	unsigned char out[64 * 1024] = {0};
	uLongf outlen = sizeof(out);
	size_t len, sent = 0;
	char *file;
	z_stream z = {0};
	struct resp r;
	const char *const pages[] = {"/invite.html", "/invite.css", "/invite.js", "/favicon.svg"};

	for (size_t i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++)
		ck_assert_msg(static_files_accepts_gzip(accepts[i].ae) == accepts[i].gzip, "%s",
			      accepts[i].ae ? accepts[i].ae : "(none)");

	file = static_file("invite.js", &len);
	/* without Accept-Encoding: the file as it is */
	ck_assert(e2e_request(port, "GET", "/invite.js", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(e2e_header(&r, "Content-Encoding", v, sizeof(v)));
	ck_assert_str_eq(e2e_header(&r, "Vary", v, sizeof(v)), "Accept-Encoding");
	ck_assert_uint_eq(r.body_len, len);
	ck_assert(!memcmp(r.body, file, len));
	ck_assert_ptr_nonnull(e2e_header(&r, "ETag", plain_tag, sizeof(plain_tag)));
	ck_assert_ptr_nonnull(e2e_header(&r, "Last-Modified", modified, sizeof(modified)));
	e2e_resp_free(&r);
	/* twice with gzip (the second from the copy): the same bytes, inflated */
	for (int i = 0; i < 2; i++) {
		ck_assert(e2e_request(port, "GET", "/invite.js", "Accept-Encoding: gzip, br\r\n",
				      NULL, &r));
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(e2e_header(&r, "Content-Encoding", v, sizeof(v)), "gzip");
		ck_assert_str_eq(e2e_header(&r, "Vary", v, sizeof(v)), "Accept-Encoding");
		ck_assert_str_eq(e2e_header(&r, "Content-Type", v, sizeof(v)),
				 "text/javascript; charset=utf-8");
		ck_assert_ptr_nonnull(e2e_header(&r, "ETag", gz_tag, sizeof(gz_tag)));
		ck_assert_str_ne(gz_tag, plain_tag);
		ck_assert_uint_lt(r.body_len, len / 2);
		ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
		z.next_in = (unsigned char *)r.body;
		z.avail_in = (uInt)r.body_len;
		z.next_out = out;
		z.avail_out = (uInt)sizeof(out);
		ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
		outlen = z.total_out;
		inflateEnd(&z);
		memset(&z, 0, sizeof(z));
		ck_assert_uint_eq(outlen, len);
		ck_assert(!memcmp(out, file, len));
		e2e_resp_free(&r);
	}
	/* each tag revalidates its own representation */
	snprintf(headers, sizeof(headers), "Accept-Encoding: gzip\r\nIf-None-Match: %s\r\n", gz_tag);
	ck_assert(e2e_request(port, "GET", "/invite.js", headers, NULL, &r));
	ck_assert_int_eq(r.status, 304);
	ck_assert_uint_eq(r.body_len, 0);
	e2e_resp_free(&r);
	snprintf(headers, sizeof(headers), "If-None-Match: %s\r\n", gz_tag);
	ck_assert(e2e_request(port, "GET", "/invite.js", headers, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	/* If-Modified-Since: at the mtime 304, before it 200, nonsense 200, and
	 * If-None-Match decides when both are sent */
	snprintf(headers, sizeof(headers), "If-Modified-Since: %s\r\n", modified);
	ck_assert(e2e_request(port, "GET", "/invite.js", headers, NULL, &r));
	ck_assert_int_eq(r.status, 304);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/invite.js",
			      "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n", NULL, &r));
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/invite.js", "If-Modified-Since: yesterday\r\n", NULL,
			      &r));
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	snprintf(headers, sizeof(headers), "If-Modified-Since: %s\r\nIf-None-Match: \"x\"\r\n",
		 modified);
	ck_assert(e2e_request(port, "GET", "/invite.js", headers, NULL, &r));
	ck_assert_int_eq(r.status, 200);
	e2e_resp_free(&r);
	/* the patient's page as a phone fetches it: well under 50 KB */
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		ck_assert(e2e_request(port, "GET", pages[i], "Accept-Encoding: gzip, deflate, br\r\n",
				      NULL, &r));
		ck_assert_int_eq(r.status, 200);
		sent += r.body_len;
		e2e_resp_free(&r);
	}
	ck_assert_uint_lt(sent, 20 * 1024);
	free(file);
}
END_TEST

/* Requests refused before routing are counted under the method sent. */
START_TEST(metrics_label_the_real_method)
{
	struct resp r;

	ck_assert(e2e_request(port, "POST", "/index.html", NULL, "{}", &r));
	ck_assert_int_eq(r.status, 405);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "DELETE", "/api/v1/nowhere", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 404);
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "HEAD", "/api/v1/units", NULL, NULL, &r));
	e2e_resp_free(&r);
	ck_assert(e2e_request(port, "GET", "/metrics", NULL, NULL, &r));
	ck_assert_ptr_nonnull(strstr(
	    r.body,
	    "timebok_http_requests_total{method=\"POST\",route=\"static\",status=\"405\"} 1"));
	ck_assert_ptr_nonnull(strstr(
	    r.body,
	    "timebok_http_requests_total{method=\"DELETE\",route=\"unmatched\",status=\"404\"} 1"));
	ck_assert_ptr_nonnull(strstr(r.body, "timebok_http_requests_total{method=\"HEAD\","
					     "route=\"/api/v1/units\",status=\"200\"} 1"));
	e2e_resp_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_edge");
	TCase *tc = tcase_create("edge");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, two_listeners_walk_the_route_table);
	tcase_add_test(tc, metrics_token);
	tcase_add_test(tc, trusted_proxy_names_the_client);
	tcase_add_test(tc, login_flood_does_not_lock_out_others);
	tcase_add_test(tc, a_storm_from_many_addresses_keeps_known_staff_in);
	tcase_add_test(tc, anonymous_denials_are_counted_not_audited);
	tcase_add_test(tc, files_are_private);
	tcase_add_test(tc, demo_refuses_a_real_install);
	tcase_add_test(tc, public_url_is_checked);
	tcase_add_test(tc, https_cookie_and_host);
	tcase_add_test(tc, http11_message_rules);
	tcase_add_test(tc, conditional_requests);
	tcase_add_test(tc, static_files_compressed_and_dated);
	tcase_add_test(tc, metrics_label_the_real_method);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
