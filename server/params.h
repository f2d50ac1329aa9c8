/*
 * params.h - reading query-string parameters, with the contract's errors.
 *
 * Unknown parameters are refused (params_only), like unknown body fields.
 * Each getter answers the request itself (reply_fail) when the value is bad
 * and returns the error, so a handler just returns it.
 */
#ifndef TIMEBOK_PARAMS_H
#define TIMEBOK_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "req.h"

/* The first value of key, or NULL. */
const char *params_get(const struct req *req, const char *key);
/* APP_EINVAL when a parameter not in allowed (NULL-terminated) is present. */
enum app_err params_only(const struct req *req, struct reply *rep, const char *const *allowed) WARN_UNUSED;
/* Integer key in [min, max]; def when absent. */
enum app_err params_int(const struct req *req, struct reply *rep, const char *key, int64_t min,
			int64_t max, int64_t def, int64_t *out) WARN_UNUSED;
/* A positive id; 0 when absent. */
enum app_err params_id(const struct req *req, struct reply *rep, const char *key, int64_t *out) WARN_UNUSED;
/* true/false; *present says whether it was given. */
enum app_err params_bool(const struct req *req, struct reply *rep, const char *key, bool *out,
			 bool *present) WARN_UNUSED;
/* An instant or a date ("YYYY-MM-DD": that local day's start, or with
 * end_of_day its end); 0 when absent. */
enum app_err params_time(const struct req *req, struct reply *rep, const char *key, bool end_of_day,
			 int64_t *out) WARN_UNUSED;
/* limit and offset. */
enum app_err params_page(const struct req *req, struct reply *rep, int def_limit, int max_limit,
			 int *limit, int *offset) WARN_UNUSED;
/* A page of at most limit rows was full: rep's Link (RFC 8288) to the
 * next, req's path with every parameter it was asked with (percent-encoded)
 * but limit and offset, which are limit and offset + limit.  A 414 when
 * that does not fit in a Link header. */
enum app_err params_link_next(const struct req *req, struct reply *rep, int limit,
			      int offset) WARN_UNUSED;
/* Parse a decimal positive id ("17"); false for anything else. */
bool params_parse_id(const char *s, int64_t *out);

/* The If-Match header as a version ("3", "\"3\"" or W/"3"): 0 when absent
 * or "*"; a 400 when it is anything else. */
enum app_err params_if_match(const struct req *req, struct reply *rep, int64_t *out) WARN_UNUSED;

#endif
