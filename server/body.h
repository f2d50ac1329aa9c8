/*
 * body.h - reading JSON request bodies, with the contract's errors.
 *
 * body_object() parses the request body (jansson, duplicate keys refused,
 * nesting bounded) into a new object the caller frees with json_decref.
 * The getters borrow from that object.  Like params.h, each answers the
 * request itself when the value is bad and returns the error.
 */
#ifndef TIMEBOK_BODY_H
#define TIMEBOK_BODY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "req.h"

#define BODY_MAX_DEPTH 32

/* Parse the body as any JSON value into *out (new; caller json_decref's
 * it): media type, UTF-8, nesting and duplicate keys checked. */
enum app_err body_json(const struct req *req, struct reply *rep, json_t **out) WARN_UNUSED;

/* Parse the body into a new JSON object (*out; caller json_decref's it).
 * An absent or empty body is an error unless allow_empty (then *out is an
 * empty object).  Fields not in allowed (NULL-terminated) are refused. */
enum app_err body_object(const struct req *req, struct reply *rep, const char *const *allowed,
			 bool allow_empty, json_t **out) WARN_UNUSED;

/* Whether o has key (null counts as present). */
bool body_has(json_t *o, const char *key);
/* A string of at most max bytes; *out borrowed (NULL when absent or null
 * and !required). */
enum app_err body_str(struct reply *rep, json_t *o, const char *key, bool required, size_t max,
		      const char **out) WARN_UNUSED;
/* Free text (body_str, then validate_text: no control characters but, when
 * multiline, newlines; no direction marks or line separators). */
enum app_err body_text(struct reply *rep, json_t *o, const char *key, size_t max, bool multiline,
		       const char **out) WARN_UNUSED;
/* A positive id (0 when absent or null and !required). */
enum app_err body_id(struct reply *rep, json_t *o, const char *key, bool required,
		     int64_t *out) WARN_UNUSED;
/* An integer in [min, max]; *present says whether it was given. */
enum app_err body_int(struct reply *rep, json_t *o, const char *key, int64_t min, int64_t max,
		      int64_t *out, bool *present) WARN_UNUSED;
/* true/false; def when absent. */
enum app_err body_bool(struct reply *rep, json_t *o, const char *key, bool def,
		       bool *out) WARN_UNUSED;
/* An RFC 3339 instant; *has says whether it was given (absent and
 * required is an error). */
enum app_err body_instant(struct reply *rep, json_t *o, const char *key, bool required,
			  bool *has, int64_t *out) WARN_UNUSED;

#endif
