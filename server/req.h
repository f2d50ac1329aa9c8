/*
 * req.h - struct req, struct reply and struct route: what a handler sees.
 *
 * http_server.c fills a struct req from libmicrohttpd (strings borrowed for
 * the duration of the handler call) and turns the struct reply back into a
 * response, so handlers never touch MHD.  A handler validates, calls the
 * store and writes JSON into rep->body; on failure it returns
 * reply_fail(rep, err, field, fmt, ...), which writes the contract's error
 * body once, where the detail is known.
 */
#ifndef TIMEBOK_REQ_H
#define TIMEBOK_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "buf.h"
#include "err.h"

struct app;
struct store;
struct req;
struct reply;
struct conflicts;

#define REQ_MAX_QUERY 48 /* a slot search names up to 32 clinicians, and its other parameters */
#define REQ_MAX_IDS 4
#define REQ_BODY_MAX (64 * 1024)
#define REPLY_BODY_MAX (64 * 1024 * 1024)

typedef enum app_err (*route_fn)(struct app *app, struct store *db, const struct req *req,
				 struct reply *rep);

enum route_flags {
	ROUTE_NO_DB = 1,      /* needs no database connection */
	ROUTE_PUBLIC = 2,     /* no session needed (health, metrics, docs, login) */
	ROUTE_BENCH = 4,      /* only with --bench */
};

/* One route; roles is the set of staff roles (actor.h) that may call it:
 * routes.c is the authorisation table.  Row-level rules (a clinician's own
 * appointments, a secretary's units) are checked by the handler, before it
 * looks anything up, so a 403 says nothing about existence. */
struct route {
	const char *method;
	const char *pattern; /* "/api/v1/appointments/{id}" */
	route_fn fn;
	const void *arg;     /* handler's per-route data (a resource descriptor) */
	unsigned flags;
	unsigned roles;
};

/* The route table (routes.c), in match order. */
extern const struct route routes[];
extern const int nroutes;

struct query_arg {
	const char *key, *value;
};

struct req {
	const char *method;
	const char *path;
	const struct route *route;
	int64_t ids[REQ_MAX_IDS]; /* {id} path segments, in order */
	int nids;
	char token[128];          /* a {token} path segment */
	struct query_arg query[REQ_MAX_QUERY];
	int nquery;
	const char *body;         /* NUL-terminated; NULL when there is none */
	size_t body_len;
	const char *content_type, *if_match, *cookie, *csrf, *origin, *host;
	struct actor who;         /* the logged-in staff member (role NONE if not) */
	char session[48];         /* the session id from the cookie, if any */
	int64_t now;              /* the clock, read once per request */
};

struct reply {
	int status;               /* 0 until a handler answers */
	struct buf body;
	const char *content_type; /* static; default application/json */
	char location[160];
	char etag[32];
	char link[400];
	char allow[64];
	char set_cookie[200];
	int retry_after;          /* seconds, for 429 and 503 */
	const char *cache_control; /* static; default no-store */
};

void reply_init(struct reply *rep);
void reply_release(struct reply *rep);

/* Answer with err's status and the contract's error body.  field names the
 * JSON field at fault (or NULL).  Returns err, so handlers can
 * "return reply_fail(...)". */
enum app_err reply_fail(struct reply *rep, enum app_err err, const char *field, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

/* Answer 409 conflict listing cf. Returns APP_ECONFLICT. */
enum app_err reply_conflicts(struct reply *rep, const struct conflicts *cf);
struct occurrence_failure;
/* 409 for a series that cannot be booked: "conflict" when any occurrence
 * overlaps, else "outside_hours"; "conflicts" lists each overlap with its
 * occurrence and start, "occurrences" each failing occurrence. */
enum app_err reply_series(struct reply *rep, const struct occurrence_failure *f, int n);

/* The contract's error for err when no handler said more. */
void reply_default_error(struct reply *rep, enum app_err err);

#endif
