/*
 * body.c - JSON request bodies.
 */
#include "body.h"

#include <string.h>
#include <strings.h>

#include "timeutil.h"
#include "validate.h"

static bool is_json_type(const char *ct)
{
	size_t n = strlen("application/json");
	const char *p;

	if (!ct || strncasecmp(ct, "application/json", n))
		return false;
	p = ct + n;
	while (*p == ' ')
		p++;
	if (!*p)
		return true;
	if (*p != ';')
		return false;
	p++;
	while (*p == ' ')
		p++;
	return !strncasecmp(p, "charset=utf-8", 13) || !strncasecmp(p, "charset=\"utf-8\"", 15);
}

enum app_err body_json(const struct req *req, struct reply *rep, json_t **out)
{
	json_error_t jerr;

	*out = NULL;
	if (!req->body || req->body_len == 0)
		return reply_fail(rep, APP_EINVAL, NULL, "a JSON body is required");
	if (!is_json_type(req->content_type))
		return reply_fail(rep, APP_EMEDIA, NULL,
				  "send the body as application/json; charset=utf-8");
	if (!validate_utf8(req->body, req->body_len))
		return reply_fail(rep, APP_EINVAL, NULL, "the body is not valid UTF-8");
	if (validate_json_too_deep(req->body, req->body_len, BODY_MAX_DEPTH))
		return reply_fail(rep, APP_EINVAL, NULL, "the JSON nests deeper than %d levels",
				  BODY_MAX_DEPTH);
	*out = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!*out)
		return reply_fail(rep, APP_EINVAL, NULL, "bad JSON at line %d column %d: %s",
				  jerr.line, jerr.column, jerr.text);
	return APP_OK;
}

enum app_err body_object(const struct req *req, struct reply *rep, const char *const *allowed,
			 bool allow_empty, json_t **out)
{
	enum app_err err;
	const char *key;
	json_t *o, *v;

	*out = NULL;
	if (!req->body || req->body_len == 0) {
		if (!allow_empty)
			return reply_fail(rep, APP_EINVAL, NULL, "a JSON object is required");
		*out = json_object();
		return *out ? APP_OK : APP_ENOMEM;
	}
	if ((err = body_json(req, rep, &o)))
		return err;
	if (!json_is_object(o)) {
		json_decref(o);
		return reply_fail(rep, APP_EINVAL, NULL, "the body must be a JSON object");
	}
	json_object_foreach(o, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, key);
		if (!ok) {
			enum app_err err = reply_fail(rep, APP_EINVAL, key, "unknown field '%.60s'", key);
			json_decref(o);
			return err;
		}
	}
	*out = o; /* ownership to the caller */
	return APP_OK;
}

bool body_has(json_t *o, const char *key)
{
	return json_object_get(o, key) != NULL;
}

enum app_err body_str(struct reply *rep, json_t *o, const char *key, bool required, size_t max,
		      const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return reply_fail(rep, APP_EINVAL, key, "'%s' is required", key);
		return APP_OK;
	}
	if (!json_is_string(v))
		return reply_fail(rep, APP_EINVAL, key, "'%s' must be a string", key);
	if (json_string_length(v) > max)
		return reply_fail(rep, APP_EINVAL, key, "'%s' is longer than %zu bytes", key, max);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return reply_fail(rep, APP_EINVAL, key, "'%s' must not contain NUL", key);
	*out = json_string_value(v);
	return APP_OK;
}

enum app_err body_id(struct reply *rep, json_t *o, const char *key, bool required, int64_t *out)
{
	json_t *v = json_object_get(o, key);

	*out = 0;
	if (!v || json_is_null(v)) {
		if (required)
			return reply_fail(rep, APP_EINVAL, key, "'%s' is required", key);
		return APP_OK;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return reply_fail(rep, APP_EINVAL, key, "'%s' must be a positive integer id", key);
	*out = json_integer_value(v);
	return APP_OK;
}

enum app_err body_int(struct reply *rep, json_t *o, const char *key, int64_t min, int64_t max,
		      int64_t *out, bool *present)
{
	json_t *v = json_object_get(o, key);

	*present = v != NULL;
	if (!v)
		return APP_OK;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return reply_fail(rep, APP_EINVAL, key, "'%s' must be a whole number from %lld to %lld",
				  key, (long long)min, (long long)max);
	*out = json_integer_value(v);
	return APP_OK;
}

enum app_err body_bool(struct reply *rep, json_t *o, const char *key, bool def, bool *out)
{
	json_t *v = json_object_get(o, key);

	*out = def;
	if (!v)
		return APP_OK;
	if (!json_is_boolean(v))
		return reply_fail(rep, APP_EINVAL, key, "'%s' must be true or false", key);
	*out = json_is_true(v);
	return APP_OK;
}

enum app_err body_instant(struct reply *rep, json_t *o, const char *key, bool required,
			  bool *has, int64_t *out)
{
	const char *s, *why;
	enum app_err err;

	*has = body_has(o, key);
	if (!*has)
		return required ? reply_fail(rep, APP_EINVAL, key, "'%s' is required", key) : APP_OK;
	if ((err = body_str(rep, o, key, true, 64, &s)))
		return err;
	if (timeutil_parse_instant(s, out, &why))
		return reply_fail(rep, APP_EINVAL, key, "'%s': %s", key, why);
	return APP_OK;
}

enum app_err body_text(struct reply *rep, json_t *o, const char *key, size_t max, bool multiline,
		       const char **out)
{
	enum app_err err;
	const char *why;

	if ((err = body_str(rep, o, key, false, max, out)))
		return err;
	if (*out && (why = validate_text(*out, multiline)))
		return reply_fail(rep, APP_EINVAL, key, "'%s' %s", key, why);
	return APP_OK;
}
