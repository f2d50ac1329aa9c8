/*
 * test_validate.c - validators, the JSON writer, the router, the config.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check_main.h"
#include "config.h"
#include "api.h"
#include "params.h"
#include "req.h"
#include "resources.h"
#include "router.h"
#include "validate.h"

static const char *check(const char *(*fn)(char *, size_t), const char *in, char *out)
{
	strcpy(out, in);
	return fn(out, 256);
}

START_TEST(phones)
{
	char v[256];

	ck_assert_ptr_null(check(validate_phone, "+4791234567", v));
	ck_assert_ptr_null(check(validate_phone, "+47 912 34 567", v));
	ck_assert_str_eq(v, "+4791234567");
	ck_assert_ptr_null(check(validate_phone, "+46701234567", v));
	/* as people type them (issue 20): normalised */
	ck_assert_ptr_null(check(validate_phone, "912 34 567", v));
	ck_assert_str_eq(v, "+4791234567");
	ck_assert_ptr_null(check(validate_phone, "0047 912 34 567", v));
	ck_assert_str_eq(v, "+4791234567");
	ck_assert_ptr_null(check(validate_phone, "(+47) 912-34-567", v));
	ck_assert_str_eq(v, "+4791234567");
	ck_assert_ptr_null(check(validate_phone, "22 11 33 44", v)); /* a landline */
	ck_assert_str_eq(v, "+4722113344");
	ck_assert_ptr_null(check(validate_phone, "0046 70 123 45 67", v));
	ck_assert_str_eq(v, "+46701234567");
	ck_assert_ptr_nonnull(check(validate_phone, "9123456", v));   /* 7 digits */
	ck_assert_ptr_nonnull(check(validate_phone, "12345678", v));  /* no such Norwegian */
	ck_assert_ptr_nonnull(check(validate_phone, "912345678", v)); /* 9 digits, no + */
	{ /* the capacity is kept */
		char small[9] = "91234567"; /* +4791234567 needs 12 */
		ck_assert_ptr_nonnull(validate_phone(small, sizeof(small)));
	}
	ck_assert_ptr_nonnull(check(validate_phone, "+47912345678", v));
	ck_assert_ptr_nonnull(check(validate_phone, "+4791234abc", v));
	ck_assert_ptr_nonnull(check(validate_phone, "+0123456789", v));
	ck_assert_ptr_nonnull(check(validate_phone, "+", v));
}
END_TEST

START_TEST(emails)
{
	char v[256];

	ck_assert_ptr_null(check(validate_email, "kari@example.no", v));
	ck_assert_ptr_null(check(validate_email, " ola.nordmann+x@sykehus.example.no ", v));
	ck_assert_str_eq(v, "ola.nordmann+x@sykehus.example.no");
	ck_assert_ptr_nonnull(check(validate_email, "kari", v));
	ck_assert_ptr_nonnull(check(validate_email, "@example.no", v));
	ck_assert_ptr_nonnull(check(validate_email, "kari@example", v));
	ck_assert_ptr_nonnull(check(validate_email, "ka ri@example.no", v));
	ck_assert_ptr_nonnull(check(validate_email, "a@b@example.no", v));
}
END_TEST

START_TEST(national_ids)
{
	char v[256], bd[11];

	/* published synthetic / test numbers with valid check digits */
	ck_assert_ptr_null(check(validate_national_id, "01010750160", v));
	ck_assert(validate_national_id_birth_date("01010750160", bd));
	ck_assert_str_eq(bd, "2007-01-01");
	ck_assert_ptr_null(check(validate_national_id, "15076500565", v));
	ck_assert_ptr_nonnull(check(validate_national_id, "15076500566", v)); /* 2nd digit */
	ck_assert_ptr_nonnull(check(validate_national_id, "15076500575", v)); /* 1st digit */
	ck_assert_ptr_nonnull(check(validate_national_id, "1507650056", v));
	ck_assert_ptr_nonnull(check(validate_national_id, "1507650056x", v));
	ck_assert_ptr_nonnull(check(validate_national_id, "32136500565", v)); /* no date */
}
END_TEST

START_TEST(names_and_utf8)
{
	char v[256];

	ck_assert_ptr_null(check(validate_name, "  Kari Nordmann ", v));
	ck_assert_str_eq(v, "Kari Nordmann");
	ck_assert_ptr_nonnull(check(validate_name, "   ", v));
	ck_assert_ptr_nonnull(check(validate_name, "Kari\r\nX", v));
	ck_assert(validate_utf8("Ærlig Øystein Åsen", strlen("Ærlig Øystein Åsen")));
	ck_assert(!validate_utf8("\xc3\x28", 2));
	ck_assert(!validate_utf8("\xed\xa0\x80", 3)); /* a surrogate */
	ck_assert(!validate_utf8("\xc0\xaf", 2));     /* overlong */
	ck_assert(!validate_utf8("a\0b", 3));
	ck_assert(validate_json_too_deep("[[[[1]]]]", 9, 3));
	ck_assert(!validate_json_too_deep("[[[\"[[[[\"]]]", 12, 3));
}
END_TEST

/* Text staff read: no controls, no direction marks, no line separators. */
START_TEST(text_without_hidden_formatting)
{
	static const char *const bad[] = {
	    "Kari \xe2\x80\xae" "neggoN", /* U+202E right-to-left override */
	    "\xe2\x80\xaa" "x",	      /* U+202A LRE */
	    "\xe2\x80\xad" "x",	      /* U+202D LRO */
	    "x\xe2\x81\xa6",		      /* U+2066 LRI */
	    "x\xe2\x81\xa9",		      /* U+2069 PDI */
	    "A\xe2\x80\xa8" "B",	      /* U+2028 line separator */
	    "A\xe2\x80\xa9" "B",	      /* U+2029 paragraph separator */
	    "\xe2\x80\x8e" "x",	      /* U+200E LRM */
	    "\xe2\x80\x8f" "x",	      /* U+200F RLM */
	    "\xd8\x9c" "x",		      /* U+061C Arabic letter mark */
	    "x\xc2\x85" "y",		      /* U+0085 NEL, a C1 control */
	    "x\xc2\x9b" "y",		      /* U+009B CSI */
	    "x\x7f",			      /* DEL */
	    "x\ty",			      /* a tab */
	    "x\x1b[2J",		      /* ESC */
	    NULL};
	char v[256];

	for (const char *const *b = bad; *b; b++) {
		ck_assert_msg(validate_text(*b, true) != NULL, "%s passed", *b);
		ck_assert_ptr_nonnull(check(validate_name, *b, v));
	}
	ck_assert_ptr_null(validate_text("Åse ringte\nflyttet", true));
	ck_assert_ptr_nonnull(validate_text("Åse ringte\nflyttet", false));
	ck_assert_ptr_nonnull(validate_text("a\r\nb", true));
	/* letters of any script, and joiners, are text */
	ck_assert_ptr_null(check(validate_name, "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf Ali", v));
	ck_assert_ptr_null(check(validate_name, "\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d", v));
	ck_assert_ptr_null(check(validate_name, "Zo\xc3\xab \xe2\x80\x94 \xf0\x9f\x98\x80", v));
	/* a U+2028 hidden in an e-mail address */
	ck_assert_ptr_nonnull(check(validate_email, "kari\xe2\x80\xa8@example.no", v));
}
END_TEST

START_TEST(json_writer)
{
	struct buf b;

	buf_init(&b, 1024);
	buf_json_kstr(&b, "{", "s", "a\"b\\c\n\x01");
	buf_json_kint(&b, ",", "n", 0, true);
	buf_json_kbool(&b, ",", "t", true);
	buf_putc(&b, '}');
	ck_assert_str_eq(b.data, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":null,\"t\":true}");
	buf_release(&b);

	buf_init(&b, 8);
	ck_assert(buf_puts(&b, "12345678"));
	ck_assert(!buf_putc(&b, '9'));
	ck_assert(b.failed);
	ck_assert_ptr_null(buf_steal(&b, NULL));
	buf_release(&b);
}
END_TEST

START_TEST(router)
{
	struct req req = {0};
	char allow[64];

	ck_assert_int_eq(router_match("GET", "/api/v1/appointments/17", false, 0, &req, allow, 64),
			 APP_OK);
	ck_assert_int_eq(req.ids[0], 17);
	ck_assert_str_eq(req.route->pattern, "/api/v1/appointments/{id}");
	ck_assert_int_eq(router_match("GET", "/api/v1/clinicians/3/day", false, 0, &req, allow, 64),
			 APP_OK);
	ck_assert_int_eq(req.ids[0], 3);
	ck_assert_int_eq(router_match("PUT", "/api/v1/appointments/17", false, 0, &req, allow, 64),
			 APP_EMETHOD);
	ck_assert_ptr_nonnull(strstr(allow, "PATCH"));
	ck_assert_str_eq(allow, "GET, HEAD, PATCH, DELETE"); /* HEAD wherever GET is */
	ck_assert_int_eq(router_match("GET", "/api/v1/appointments/017", false, 0, &req, allow, 64),
			 APP_ENOTFOUND);
	ck_assert_int_eq(router_match("GET", "/api/v1/appointments/-1", false, 0, &req, allow, 64),
			 APP_ENOTFOUND);
	ck_assert_int_eq(router_match("GET", "/api/v1/appointments/99999999999999999999", false,
				      0, &req, allow, 64),
			 APP_ENOTFOUND);
	ck_assert_int_eq(router_match("GET", "/api/v1/appointments/", false, 0, &req, allow, 64),
			 APP_ENOTFOUND);
	ck_assert_int_eq(router_match("GET", "/api/v1/units/1/x", false, 0, &req, allow, 64),
			 APP_ENOTFOUND);
	ck_assert_int_eq(router_match("GET", "/bench/hello", false, 0, &req, allow, 64),
			 APP_ENOTFOUND);
	ck_assert_int_eq(router_match("GET", "/bench/hello", true, 0, &req, allow, 64), APP_OK);
	ck_assert_int_eq(router_match("HEAD", "/healthz", false, 0, &req, allow, 64), APP_OK);
}
END_TEST

START_TEST(config_layers)
{
	struct config cfg;
	bool exit_now;
	char *argv[] = {"timebok", "--listen", "127.0.0.1:0", "--threads=2", "--demo", NULL};
	FILE *null = fopen("/dev/null", "w");

	setenv("TIMEBOK_THREADS", "7", 1);
	setenv("TIMEBOK_TZ", "Europe/Berlin", 1);
	ck_assert_int_eq(config_load(&cfg, 5, argv, null, null, &exit_now), APP_OK);
	ck_assert_int_eq(cfg.threads, 2); /* command line beats environment */
	ck_assert_str_eq(cfg.tz, "Europe/Berlin");
	ck_assert_int_eq(cfg.listen_port, 0);
	ck_assert(cfg.demo);
	unsetenv("TIMEBOK_THREADS");
	unsetenv("TIMEBOK_TZ");
	char *bad[] = {"timebok", "--threads", "0", NULL};
	ck_assert_int_eq(config_load(&cfg, 3, bad, null, null, &exit_now), APP_EINVAL);
	char *unknown[] = {"timebok", "--nope", NULL};
	ck_assert_int_eq(config_load(&cfg, 2, unknown, null, null, &exit_now), APP_EINVAL);
	char *v6[] = {"timebok", "--listen", "[::1]:8080", NULL};
	ck_assert_int_eq(config_load(&cfg, 3, v6, null, null, &exit_now), APP_OK);
	ck_assert_str_eq(cfg.listen_host, "::1");
	ck_assert_int_eq(cfg.listen_port, 8080);
	ck_assert_str_eq(cfg.public_url, "http://[::1]:8080"); /* a URL, brackets and all */
	char *v6bare[] = {"timebok", "--listen", "::1:8080", NULL};
	ck_assert_int_eq(config_load(&cfg, 3, v6bare, null, null, &exit_now), APP_OK);
	ck_assert_str_eq(cfg.listen_host, "::1");
	ck_assert_str_eq(cfg.public_url, "http://[::1]:8080");
	char *v6bad[] = {"timebok", "--listen", "[::1:8080", NULL};
	ck_assert_int_eq(config_load(&cfg, 3, v6bad, null, null, &exit_now), APP_EINVAL);
	char *v6bad2[] = {"timebok", "--listen", "[]:8080", NULL};
	ck_assert_int_eq(config_load(&cfg, 3, v6bad2, null, null, &exit_now), APP_EINVAL);
	char *tmpl[] = {"timebok", "--video-url-template", "https://x.example/no-room", NULL};
	ck_assert_int_eq(config_load(&cfg, 3, tmpl, null, null, &exit_now), APP_EINVAL);
	fclose(null);
}
END_TEST

/* Every route declares how its records are scoped (req.h), and the
 * declaration fits what the route is: a token route opens by its token, a
 * public one holds no records, a directory route is kept per unit exactly
 * when its descriptor names a unit; the public listener serves the token
 * routes and /healthz, nothing else. */
START_TEST(every_route_declares_its_scope)
{
	for (int i = 0; i < nroutes; i++) {
		const struct route *r = &routes[i];
		bool token = strstr(r->pattern, "{token}") != NULL;
		bool generic = r->fn == api_resource_list || r->fn == api_resource_get ||
			       r->fn == api_resource_create || r->fn == api_resource_update ||
			       r->fn == api_resource_delete;

		ck_assert_msg(r->scope != SCOPE_UNDECLARED, "%s %s declares no scope", r->method,
			      r->pattern);
		ck_assert_msg(token == (r->scope == SCOPE_TOKEN), "%s %s", r->method, r->pattern);
		ck_assert_msg(((r->flags & ROUTE_PUBLIC) != 0) ==
				      (r->scope == SCOPE_PUBLIC || r->scope == SCOPE_TOKEN),
			      "%s %s", r->method, r->pattern);
		ck_assert_msg(r->scope != SCOPE_ADMIN || r->roles == ROLE_ADMIN, "%s %s",
			      r->method, r->pattern);
		/* the public listener: no session, and every token route (patients,
		 * guests, calendar apps) but only /healthz of the others */
		ck_assert_msg(!(r->flags & ROUTE_PUBLIC_LISTENER) == !(token || !strcmp(r->pattern,
											  "/healthz")),
			      "%s %s on the public listener?", r->method, r->pattern);
		ck_assert_msg(!(r->flags & ROUTE_PUBLIC_LISTENER) || (r->flags & ROUTE_PUBLIC),
			      "%s %s", r->method, r->pattern);
		if (r->scope == SCOPE_UNIT_ROW)
			ck_assert_msg(r->arg && res_has_unit(r->arg), "%s %s: no unit to scope by",
				      r->method, r->pattern);
		if (generic && r->scope != SCOPE_ADMIN)
			ck_assert_msg((r->scope == SCOPE_UNIT_ROW) == res_has_unit(r->arg) &&
					      (r->scope == SCOPE_UNIT_ROW || r->scope == SCOPE_GLOBAL),
				      "%s %s", r->method, r->pattern);
	}
}
END_TEST

/* A full page's Link keeps every parameter it was asked with,
 * percent-encoded, and moves limit and offset on; a query too long for the
 * header is a 414, not a link cut short. */
START_TEST(next_page_link)
{
	static char big[2000];
	struct req req = {.path = "/api/v1/patients"};
	struct reply rep;

	req.query[0] = (struct query_arg){"q", "Kari & Ola/\xc3\xb8"};
	req.query[1] = (struct query_arg){"limit", "2"};
	req.query[2] = (struct query_arg){"offset", "4"};
	req.query[3] = (struct query_arg){"active", NULL};
	req.query[4] = (struct query_arg){"unit_id", "7"};
	req.nquery = 5;
	reply_init(&rep);
	ck_assert_int_eq(params_link_next(&req, &rep, 2, 4), APP_OK);
	ck_assert_str_eq(rep.link, "</api/v1/patients?q=Kari%20%26%20Ola%2F%C3%B8&active&unit_id=7&"
				   "limit=2&offset=6>; rel=\"next\"");
	reply_release(&rep);
	memset(big, 'x', sizeof(big) - 1);
	req.query[0].value = big;
	reply_init(&rep);
	ck_assert_int_eq(params_link_next(&req, &rep, 2, 4), APP_EURI);
	ck_assert_int_eq(rep.status, 414);
	ck_assert_str_eq(rep.link, "");
	reply_release(&rep);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("validate");

	tcase_add_test(tc, phones);
	tcase_add_test(tc, emails);
	tcase_add_test(tc, national_ids);
	tcase_add_test(tc, names_and_utf8);
	tcase_add_test(tc, text_without_hidden_formatting);
	tcase_add_test(tc, json_writer);
	tcase_add_test(tc, router);
	tcase_add_test(tc, next_page_link);
	tcase_add_test(tc, every_route_declares_its_scope);
	tcase_add_test(tc, config_layers);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
