/*
 * test_e2e_sso.c - single sign-on's routes over real sockets, where no
 * provider answers (the full logins are tests/browser/oidc_*.test.mjs):
 * the login page's options, a login whose provider cannot be reached, a
 * callback with no or a foreign state (refused, counted, nobody logged in),
 * the back-channel logout's input, the admins' role rules and their checks,
 * /me's "auth", and the options a server refuses to start with.  The
 * client secret comes from the environment here (TIMEBOK_OIDC_CLIENT_SECRET).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check_main.h"
#include "e2e.h"

static struct server srv;
static int port;

static void setup(void)
{
	/* port 1 on loopback: nothing listens there */
	static const char *const extra[] = {"--oidc-issuer", "http://127.0.0.1:1/realm",
					    "--oidc-client-id", "timebok", NULL};

	setenv("TIMEBOK_OIDC_CLIENT_SECRET", "a secret from the environment", 1);
	e2e_start(&srv, NULL, extra);
	port = srv.port;
}

static void teardown(void)
{
	ck_assert_int_eq(e2e_stop(&srv), 0);
	e2e_cleanup(&srv);
}

START_TEST(options_and_me)
{
	json_t *j = e2e_json(port, "GET", "/api/v1/session/options", NULL, 200);

	ck_assert(json_is_true(json_object_get(j, "oidc")));
	ck_assert(json_is_false(json_object_get(j, "oidc_only")));
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/me", NULL, 200);
	ck_assert_str_eq(json_string_value(json_object_get(j, "auth")), "password");
	json_decref(j);
}
END_TEST

START_TEST(refusals_log_nobody_in)
{
	struct resp r;
	char loc[256], cookie[256];
	json_t *audit;
	bool seen = false;
	size_t i;
	json_t *row;

	/* the provider cannot be reached: back to the login page, no cookie */
	ck_assert(e2e_request_as(port, NULL, "GET", "/auth/oidc/login", NULL, NULL, &r));
	ck_assert_int_eq(r.status, 302);
	ck_assert_str_eq(e2e_header(&r, "Location", loc, sizeof(loc)), "/?sso_error=unavailable");
	ck_assert_ptr_null(e2e_header(&r, "Set-Cookie", cookie, sizeof(cookie)));
	e2e_resp_free(&r);
	/* a callback with a state nobody started, with and without a cookie */
	ck_assert(e2e_request_as(
	    port, NULL, "GET",
	    "/auth/oidc/callback?code=c&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    "Cookie: timebok_oidc=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB\r\n", NULL, &r));
	ck_assert_int_eq(r.status, 302);
	ck_assert_str_eq(e2e_header(&r, "Location", loc, sizeof(loc)), "/?sso_error=refused");
	/* no session; the pre-login cookie is cleared */
	ck_assert_str_eq(e2e_header(&r, "Set-Cookie", cookie, sizeof(cookie)),
			 "timebok_oidc=; Path=/auth/oidc; Max-Age=0; HttpOnly; SameSite=Lax");
	e2e_resp_free(&r);
	ck_assert(e2e_request_as(port, NULL, "GET", "/auth/oidc/callback", NULL, NULL, &r));
	ck_assert_str_eq(e2e_header(&r, "Location", loc, sizeof(loc)), "/?sso_error=refused");
	e2e_resp_free(&r);
	ck_assert(e2e_request_as(port, NULL, "GET", "/auth/oidc/callback?error=access_denied", NULL,
				 NULL, &r));
	ck_assert_str_eq(e2e_header(&r, "Location", loc, sizeof(loc)), "/?sso_error=provider");
	e2e_resp_free(&r);
	/* nobody named: counted, not in the append-only audit log */
	audit = e2e_json(port, "GET", "/api/v1/audit?limit=10", NULL, 200);
	json_array_foreach(audit, i, row)
	{
		if (!strncmp(json_string_value(json_object_get(row, "action")), "sso refused", 11))
			seen = true;
	}
	ck_assert(!seen);
	json_decref(audit);
	ck_assert(e2e_request_as(port, NULL, "GET", "/metrics", NULL, NULL, &r));
	ck_assert_ptr_nonnull(strstr(r.body, "timebok_http_anonymous_denials_total{method=\"GET\","
					     "route=\"/auth/oidc/callback\"} 2\n"));
	e2e_resp_free(&r);
}
END_TEST

START_TEST(backchannel_input)
{
	struct resp r;

	ck_assert(
	    e2e_request_as(port, NULL, "POST", "/auth/oidc/backchannel-logout", NULL, "{}", &r));
	ck_assert_int_eq(r.status, 415);
	e2e_resp_free(&r);
	ck_assert(e2e_request_as(port, NULL, "POST", "/auth/oidc/backchannel-logout",
				 "Content-Type: application/x-www-form-urlencoded\r\n", "other=1",
				 &r));
	ck_assert_int_eq(r.status, 400);
	ck_assert(e2e_is_error(&r, "invalid", "logout_token"));
	e2e_resp_free(&r);
	/* a token, but the provider's keys cannot be had: nothing ends */
	ck_assert(e2e_request_as(port, NULL, "POST", "/auth/oidc/backchannel-logout",
				 "Content-Type: application/x-www-form-urlencoded\r\n",
				 "logout_token=eyJhbGciOiJub25lIn0.e30.", &r));
	ck_assert_int_eq(r.status, 503);
	e2e_resp_free(&r);
	json_decref(e2e_json(port, "GET", "/api/v1/me", NULL, 200));
}
END_TEST

START_TEST(mappings)
{
	long long unit = e2e_make(port, "units", "{\"name\":\"Hjerte\"}");
	long long clin =
	    e2e_make(port, "clinicians", "{\"name\":\"Dr. A\",\"profession\":\"lege\"}");
	char body[600], want[600];
	json_t *j;
	char *text;
	struct {
		const char *body, *field;
	} bad[] = {
	    {"{}", NULL},
	    {"[1]", NULL},
	    {"[{\"role\":\"secretary\"}]", "value"},
	    {"[{\"value\":\"\",\"role\":\"secretary\"}]", "value"},
	    {"[{\"value\":\"x\",\"role\":\"king\"}]", "role"},
	    {"[{\"value\":\"x\",\"role\":\"clinician\"}]", "clinician_id"},
	    {"[{\"value\":\"x\",\"role\":\"secretary\",\"clinician_id\":1}]", "clinician_id"},
	    {"[{\"value\":\"x\",\"role\":\"clinician\",\"clinician_id\":99999}]", "clinician_id"},
	    {"[{\"value\":\"x\",\"role\":\"secretary\",\"unit_ids\":[99999]}]", "unit_ids"},
	    {"[{\"value\":\"x\",\"role\":\"secretary\",\"unit_ids\":\"1\"}]", "unit_ids"},
	    {"[{\"value\":\"x\",\"role\":\"secretary\",\"claim\":\"a b\"}]", "claim"},
	    {"[{\"value\":\"x\",\"role\":\"secretary\",\"claim\":\"a..b\"}]", "claim"},
	    {"[{\"value\":\"x\",\"role\":\"secretary\",\"other\":1}]", NULL},
	};

	j = e2e_json(port, "GET", "/api/v1/sso/mappings", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 0);
	json_decref(j);
	snprintf(
	    body, sizeof(body),
	    "[{\"value\":\"timebok-sekretaer\",\"role\":\"secretary\",\"unit_ids\":[%lld]},"
	    "{\"claim\":\"groups\",\"value\":\"g-1\",\"role\":\"clinician\",\"clinician_id\":%lld},"
	    "{\"claim\":\"realm_access.roles\",\"value\":\"admin\",\"role\":\"admin\"}]",
	    unit, clin);
	snprintf(
	    want, sizeof(want),
	    "[{\"claim\":\"roles\",\"value\":\"timebok-sekretaer\",\"role\":\"secretary\","
	    "\"unit_ids\":[%lld],\"clinician_id\":null},{\"claim\":\"groups\",\"value\":\"g-1\","
	    "\"role\":\"clinician\",\"unit_ids\":[],\"clinician_id\":%lld},{\"claim\":"
	    "\"realm_access.roles\",\"value\":\"admin\",\"role\":\"admin\",\"unit_ids\":[],"
	    "\"clinician_id\":null}]",
	    unit, clin);
	j = e2e_json(port, "PUT", "/api/v1/sso/mappings", body, 200);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	j = e2e_json(port, "GET", "/api/v1/sso/mappings", NULL, 200);
	ck_assert_str_eq(text, want);
	free(text);
	text = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(text, want);
	free(text);
	json_decref(j);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp r;
		ck_assert(e2e_request(port, "PUT", "/api/v1/sso/mappings", NULL, bad[i].body, &r));
		ck_assert_msg(r.status == 400 && e2e_is_error(&r, "invalid", bad[i].field),
			      "%s: %d %s", bad[i].body, r.status, r.body);
		e2e_resp_free(&r);
	}
	/* nothing a refused PUT said was kept */
	j = e2e_json(port, "GET", "/api/v1/sso/mappings", NULL, 200);
	ck_assert_int_eq(json_array_size(j), 3);
	json_decref(j);
	/* an empty list is allowed: nobody may sign in through the provider */
	json_decref(e2e_json(port, "PUT", "/api/v1/sso/mappings", "[]", 200));
}
END_TEST

/* Whether the binary refuses to start with args (exits within 10 s, not 0). */
static bool refuses(const char *args)
{
	char cmd[4096];
	int rc;

	ck_assert_int_lt(snprintf(cmd, sizeof(cmd),
				  "env -u TIMEBOK_OIDC_CLIENT_SECRET timeout 10 %s --db %s/refuse.db "
				  "--listen 127.0.0.1:0 %s >/dev/null 2>&1",
				  TIMEBOK_BIN, srv.dir, args),
			 (int)sizeof(cmd));
	rc = system(cmd);
	return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) != 0 && WEXITSTATUS(rc) != 124;
}

START_TEST(bad_options_are_refused)
{
	char args[600];

	ck_assert(refuses("--oidc-only"));
	ck_assert(
	    refuses("--oidc-issuer https://login.example.no --oidc-client-id x --oidc-alg HS256"));
	ck_assert(
	    refuses("--oidc-issuer https://login.example.no --oidc-client-id x --oidc-alg none"));
	/* http only to loopback; a client id and a secret or key are needed */
	snprintf(args, sizeof(args),
		 "--oidc-issuer http://login.example.no --oidc-client-id x "
		 "--oidc-client-secret-file %s/log",
		 srv.dir);
	ck_assert(refuses(args));
	ck_assert(refuses(
	    "--oidc-issuer https://login.example.no --oidc-client-secret-file /etc/hostname"));
	ck_assert(refuses("--oidc-issuer https://login.example.no --oidc-client-id x"));
	ck_assert(refuses("--oidc-issuer https://login.example.no --oidc-client-id x "
			  "--oidc-client-secret-file /nonexistent/secret"));
	ck_assert(refuses("--oidc-issuer https://login.example.no --oidc-client-id x "
			  "--oidc-client-key-file /etc/hostname"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("e2e_sso");
	TCase *tc = tcase_create("sso");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, options_and_me);
	tcase_add_test(tc, refusals_log_nobody_in);
	tcase_add_test(tc, backchannel_input);
	tcase_add_test(tc, mappings);
	tcase_add_test(tc, bad_options_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
