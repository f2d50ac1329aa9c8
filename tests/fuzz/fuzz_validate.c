/*
 * fuzz_validate.c - the request validators.  The first byte picks one:
 *   0-3  a field validator (name, phone, e-mail, national id) on what a
 *        JSON string can hold (valid UTF-8, no NUL), which may
 *        rewrite the value in place: the result stays within its buffer,
 *        is valid UTF-8, and validates again unchanged;
 *   4    the UTF-8 and nesting checks;
 *   5    a JSON body through body_object and the typed field readers;
 *   6    a query string through the params_* readers (and If-Match), and
 *        the next page's Link made from it (one clean header value).
 * Every refusal must have filled the reply with an error.
 */
#include <jansson.h>
#include <stdio.h>

#include "body.h"
#include "fuzz.h"
#include "params.h"
#include "req.h"
#include "validate.h"

typedef const char *(*field_fn)(char *v, size_t cap);

/* Run call (which answers into rep) on a fresh reply, its result in last:
 * a refusal must have filled the reply with a 4xx error. */
#define REFUSES_CLEANLY(call)                                                                      \
	do {                                                                                       \
		reply_init(&rep);                                                                  \
		if ((last = (call)) != APP_OK)                                                     \
			FUZZ_CHECK(rep.status >= 400 && rep.status < 500);                          \
		reply_release(&rep);                                                               \
	} while (0)

static void field(field_fn fn, const char *s, size_t size)
{
	size_t cap = size + 64;
	char *v = calloc(1, cap), *again;

	if (!v)
		abort();
	/* the value of a JSON string: valid UTF-8 (body_json checks), no NUL */
	if (!validate_utf8(s, size) || memchr(s, '\0', size)) {
		free(v);
		return;
	}
	memcpy(v, s, size);
	if (fn(v, cap) == NULL) {
		FUZZ_CHECK(strlen(v) < cap && validate_utf8(v, strlen(v)));
		again = strdup(v);
		FUZZ_CHECK(again && fn(again, cap) == NULL && !strcmp(again, v));
		free(again);
	}
	free(v);
}

static void body(const char *s, size_t size)
{
	static const char *const allowed[] = {"name", "start", "n", "id", "flag", NULL};
	struct req req = {.body = s, .body_len = size,
			  .content_type = "application/json; charset=utf-8"};
	struct reply rep;
	enum app_err last;
	json_t *o = NULL;
	const char *str;
	int64_t v;
	bool present, flag;

	reply_init(&rep);
	if (body_object(&req, &rep, allowed, true, &o) != APP_OK) {
		FUZZ_CHECK(rep.status >= 400 && o == NULL);
		reply_release(&rep);
		return;
	}
	reply_release(&rep);
	FUZZ_CHECK(json_is_object(o));
	str = NULL;
	REFUSES_CLEANLY(body_str(&rep, o, "name", false, 200, &str));
	FUZZ_CHECK(last || !str || strlen(str) <= 200);
	REFUSES_CLEANLY(body_instant(&rep, o, "start", false, &present, &v));
	present = false;
	REFUSES_CLEANLY(body_int(&rep, o, "n", -5, 5, &v, &present));
	FUZZ_CHECK(last || !present || (v >= -5 && v <= 5));
	REFUSES_CLEANLY(body_id(&rep, o, "id", false, &v));
	REFUSES_CLEANLY(body_bool(&rep, o, "flag", false, &flag));
	json_decref(o);
}

static void query(char *s)
{
	static const char *const allowed[] = {"from", "limit", "offset", "id", "all", NULL};
	struct req req = {0};
	struct reply rep;
	enum app_err last;
	int64_t v;
	int limit, offset;
	bool b, present;

	for (char *p = s, *amp; p && req.nquery < REQ_MAX_QUERY; p = amp) {
		char *eq;
		if ((amp = strchr(p, '&')))
			*amp++ = '\0';
		if ((eq = strchr(p, '=')))
			*eq++ = '\0';
		req.query[req.nquery++] = (struct query_arg){p, eq};
	}
	req.if_match = req.nquery ? req.query[0].value : NULL;
	reply_init(&rep);
	if (params_only(&req, &rep, allowed))
		FUZZ_CHECK(rep.status == 400);
	reply_release(&rep);
	reply_init(&rep);
	if (params_page(&req, &rep, 50, 500, &limit, &offset) == APP_OK)
		FUZZ_CHECK(limit >= 1 && limit <= 500 && offset >= 0);
	reply_release(&rep);
	REFUSES_CLEANLY(params_time(&req, &rep, "from", true, &v));
	REFUSES_CLEANLY(params_id(&req, &rep, "id", &v));
	REFUSES_CLEANLY(params_bool(&req, &rep, "all", &b, &present));
	REFUSES_CLEANLY(params_int(&req, &rep, "limit", 0, 9, 1, &v));
	REFUSES_CLEANLY(params_if_match(&req, &rep, &v));
	/* a next page's link: within its buffer, one header value (printable
	 * ASCII, nothing that could end it or start another header) */
	req.path = "/x";
	reply_init(&rep);
	if (params_link_next(&req, &rep, 5, 10) == APP_OK) {
		size_t n = strlen(rep.link), tail = strlen(">; rel=\"next\"");

		FUZZ_CHECK(n < sizeof(rep.link) && !strncmp(rep.link, "</x?", 4) && n > tail &&
			   !strcmp(rep.link + n - tail, ">; rel=\"next\""));
		for (size_t i = 1; i < n - tail; i++)
			FUZZ_CHECK(rep.link[i] > ' ' && rep.link[i] < 127 && rep.link[i] != '>' &&
				   rep.link[i] != '<' && rep.link[i] != '"');
	} else {
		FUZZ_CHECK(rep.status == 414 && !rep.link[0]);
	}
	reply_release(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const field_fn fields[] = {validate_name, validate_phone, validate_email,
					  validate_national_id};
	char *s;

	if (size < 1)
		return 0;
	fuzz_setup();
	s = fuzz_string(data + 1, size - 1);
	switch (data[0] % 7) {
	case 0:
	case 1:
	case 2:
	case 3:
		field(fields[data[0] % 7], s, size - 1);
		break;
	case 4:
		(void)validate_utf8(s, size - 1);
		(void)validate_json_too_deep(s, size - 1, 32);
		break;
	case 5:
		body(s, size - 1);
		break;
	default:
		query(s);
	}
	free(s);
	return 0;
}
