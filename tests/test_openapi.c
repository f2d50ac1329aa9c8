/*
 * test_openapi.c - static/openapi.json documents every served route (and
 * documents nothing that is not served), each operation with its own
 * operationId.  tests/openapi/validate.mjs checks the answers themselves.
 */
#include <check.h>
#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#include "check_main.h"
#include "req.h"

static json_t *load(void)
{
	json_error_t e;
	json_t *doc = json_load_file(TIMEBOK_STATIC "/openapi.json", JSON_REJECT_DUPLICATES, &e);

	ck_assert_msg(doc != NULL, "openapi.json: line %d: %s", e.line, e.text);
	return doc;
}

START_TEST(every_route_is_documented)
{
	json_t *doc = load(), *paths = json_object_get(doc, "paths");

	ck_assert_str_eq(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	for (int i = 0; i < nroutes; i++) {
		char method[16];
		json_t *item;
		size_t n = strlen(routes[i].method);

		if (routes[i].flags & ROUTE_BENCH)
			continue;
		for (size_t k = 0; k <= n; k++)
			method[k] = (char)tolower((unsigned char)routes[i].method[k]);
		item = json_object_get(paths, routes[i].pattern);
		ck_assert_msg(item != NULL, "%s is not in openapi.json", routes[i].pattern);
		ck_assert_msg(json_object_get(item, method) != NULL, "%s %s is not in openapi.json",
			      routes[i].method, routes[i].pattern);
	}
	json_decref(doc);
}
END_TEST

START_TEST(nothing_documented_is_missing)
{
	json_t *doc = load(), *paths = json_object_get(doc, "paths"), *item, *op;
	json_t *ids = json_object();
	const char *path, *method, *id;

	json_object_foreach(paths, path, item) {
		json_object_foreach(item, method, op) {
			bool found = false;
			if (!strcmp(method, "parameters"))
				continue;
			for (int i = 0; i < nroutes && !found; i++)
				found = !strcmp(routes[i].pattern, path) &&
					!strcasecmp(routes[i].method, method);
			ck_assert_msg(found, "openapi.json has %s %s, which is not served", method,
				      path);
			ck_assert_msg(json_object_get(op, "responses") != NULL, "%s %s: no responses",
				      method, path);
			id = json_string_value(json_object_get(op, "operationId"));
			ck_assert_msg(id != NULL, "%s %s: no operationId", method, path);
			ck_assert_msg(json_object_get(ids, id) == NULL,
				      "%s %s: operationId %s twice", method, path, id);
			json_object_set_new(ids, id, json_true());
		}
	}
	ck_assert_ptr_nonnull(json_object_get(json_object_get(json_object_get(doc, "components"),
							      "schemas"),
					      "Error"));
	json_decref(ids);
	json_decref(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("openapi");
	TCase *tc = tcase_create("openapi");

	tcase_add_test(tc, every_route_is_documented);
	tcase_add_test(tc, nothing_documented_is_missing);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
