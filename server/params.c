/*
 * params.c - query-string parameters.
 */
#include "params.h"

#include <string.h>

#include "buf.h"

#include "timeutil.h"
#include "validate.h"

const char *params_get(const struct req *req, const char *key)
{
	for (int i = 0; i < req->nquery; i++)
		if (!strcmp(req->query[i].key, key))
			return req->query[i].value ? req->query[i].value : "";
	return NULL;
}

enum app_err params_only(const struct req *req, struct reply *rep, const char *const *allowed)
{
	for (int i = 0; i < req->nquery; i++) {
		const char *k = req->query[i].key, *v = req->query[i].value;
		bool ok = false;

		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, k);
		if (!validate_utf8(k, strlen(k)) || (v && !validate_utf8(v, strlen(v))))
			return reply_fail(rep, APP_EINVAL, NULL, "the query string is not UTF-8");
		if (!ok)
			return reply_fail(rep, APP_EINVAL, k, "unknown query parameter '%.40s'", k);
	}
	return APP_OK;
}

static bool parse_int(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	int64_t v = 0;

	if (neg)
		s++;
	if (!*s || strlen(s) > 18)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = neg ? -v : v;
	return true;
}

bool params_parse_id(const char *s, int64_t *out)
{
	return s && *s != '0' && *s != '-' && parse_int(s, out) && *out > 0;
}

enum app_err params_int(const struct req *req, struct reply *rep, const char *key, int64_t min,
			int64_t max, int64_t def, int64_t *out)
{
	const char *v = params_get(req, key);
	int64_t n;

	if (!v) {
		*out = def;
		return APP_OK;
	}
	if (!parse_int(v, &n) || n < min || n > max)
		return reply_fail(rep, APP_EINVAL, key, "'%s' must be a whole number from %lld to %lld",
				  key, (long long)min, (long long)max);
	*out = n;
	return APP_OK;
}

enum app_err params_id(const struct req *req, struct reply *rep, const char *key, int64_t *out)
{
	const char *v = params_get(req, key);

	*out = 0;
	if (v && !params_parse_id(v, out))
		return reply_fail(rep, APP_EINVAL, key, "'%s' must be a positive id", key);
	return APP_OK;
}

enum app_err params_bool(const struct req *req, struct reply *rep, const char *key, bool *out,
			 bool *present)
{
	const char *v = params_get(req, key);

	*present = v != NULL;
	if (!v)
		return APP_OK;
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return reply_fail(rep, APP_EINVAL, key, "'%s' must be true or false", key);
	return APP_OK;
}

enum app_err params_time(const struct req *req, struct reply *rep, const char *key, bool end_of_day,
			 int64_t *out)
{
	const char *v = params_get(req, key), *why;
	struct civil d;
	int64_t start, end;

	*out = 0;
	if (!v)
		return APP_OK;
	if (strlen(v) == 10) {
		if (timeutil_parse_date(v, &d))
			return reply_fail(rep, APP_EINVAL, key, "'%s' is not a real date (YYYY-MM-DD)",
					  key);
		timeutil_day_bounds(&d, &start, &end);
		*out = end_of_day ? end : start;
		return APP_OK;
	}
	if (timeutil_parse_instant(v, out, &why))
		return reply_fail(rep, APP_EINVAL, key, "'%s': %s", key, why);
	return APP_OK;
}

enum app_err params_page(const struct req *req, struct reply *rep, int def_limit, int max_limit,
			 int *limit, int *offset)
{
	enum app_err err;
	int64_t l, o;

	if ((err = params_int(req, rep, "limit", 1, max_limit, def_limit, &l)) ||
	    (err = params_int(req, rep, "offset", 0, 10000000, 0, &o)))
		return err;
	*limit = (int)l;
	*offset = (int)o;
	return APP_OK;
}

/* s percent-encoded into b: all but RFC 3986's unreserved characters. */
static void put_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

enum app_err params_link_next(const struct req *req, struct reply *rep, int limit, int offset)
{
	struct buf b;
	enum app_err err = APP_OK;

	buf_init(&b, sizeof(rep->link));
	buf_printf(&b, "<%s?", req->path);
	for (int i = 0; i < req->nquery; i++) {
		const char *k = req->query[i].key, *v = req->query[i].value;

		if (!strcmp(k, "limit") || !strcmp(k, "offset"))
			continue;
		put_encoded(&b, k);
		if (v) {
			buf_putc(&b, '=');
			put_encoded(&b, v);
		}
		buf_putc(&b, '&');
	}
	buf_printf(&b, "limit=%d&offset=%d>; rel=\"next\"", limit, offset + limit);
	if (b.failed || b.len >= sizeof(rep->link))
		err = reply_fail(rep, APP_EURI, NULL,
				 "the query is too long to link its next page: ask with fewer parameters");
	else
		memcpy(rep->link, b.data, b.len + 1);
	buf_release(&b);
	return err;
}

enum app_err params_if_match(const struct req *req, struct reply *rep, int64_t *out)
{
	const char *v = req->if_match;
	char digits[24];
	size_t n;

	*out = 0;
	if (!v || !strcmp(v, "*"))
		return APP_OK;
	if (!strncmp(v, "W/", 2)) /* RFC 9110 13.1.1: If-Match compares strongly */
		return reply_fail(rep, APP_ESTALE, NULL,
				  "If-Match takes the appointment's strong ETag; a weak one never "
				  "matches");
	n = strlen(v);
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(digits))
		goto bad;
	memcpy(digits, v, n);
	digits[n] = '\0';
	if (params_parse_id(digits, out))
		return APP_OK;
bad:
	return reply_fail(rep, APP_EINVAL, NULL, "If-Match must be the appointment's version");
}
