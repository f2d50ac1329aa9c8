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
#include <stddef.h>
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
	ROUTE_PUBLIC_LISTENER = 8, /* also served on the public listener (--public-listen) */
};

/* How a route's records are scoped: which rows a unit-limited secretary
 * or a clinician may reach through it (authz.h).  Every route declares one
 * in routes.c; 0 is undeclared, and tests/test_validate.c fails on it. */
enum route_scope {
	SCOPE_UNDECLARED = 0,
	SCOPE_PUBLIC,		/* no records: health, metrics, docs, login */
	SCOPE_TOKEN,		/* what its token opens (a patient or guest link, a feed) */
	SCOPE_SELF,		/* the caller's own session and account */
	SCOPE_ADMIN,		/* admins only: accounts, the audit log, changing units */
	SCOPE_UNIT_ROW,		/* a directory row's unit: its descriptor's unit column, or
				 * the unit of the row it names (a waiting entry's type);
				 * enforced by the generic handlers (api_resource.c) */
	SCOPE_UNIT_CLINICIAN,	/* the clinician's unit (a clinician: themself) */
	SCOPE_UNIT_APPOINTMENT, /* the units of its clinicians (a clinician: their own),
				 * and of the rooms and types a booking names */
	SCOPE_GLOBAL,		/* records no unit owns: the patients directory (a patient
				 * is the hospital's, booked by any unit; reads audited) */
	SCOPE_UNIT_STATS,	/* sums over the caller's units, never a patient's record:
				 * the outcome statistics (api_statistics.c) */
	SCOPE_UNIT_SURVEY,	/* a questionnaire's unit (clinic-wide ones: every staff
				 * member), an answer's appointment (api_survey.c) */
};

/* One route; roles is the set of staff roles (actor.h) that may call it:
 * routes.c is the authorisation table.  Row-level rules (a clinician's own
 * appointments, a secretary's units) follow the route's scope, checked by
 * the handler before it looks anything up, so a 403 says nothing about
 * existence. */
struct route {
	const char *method;
	const char *pattern; /* "/api/v1/appointments/{id}" */
	route_fn fn;
	const void *arg;     /* handler's per-route data (a resource descriptor) */
	unsigned flags;
	unsigned roles;
	enum route_scope scope;
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
	bool query_nul;           /* a key or value held %00: refused */
	const char *body;         /* NUL-terminated; NULL when there is none */
	size_t body_len;
	const char *content_type, *if_match, *cookie, *csrf, *origin, *host;
	const char *if_none_match; /* GET and HEAD: the tags a poll holds, or NULL */
	const char *authorization; /* the Authorization header, or NULL */
	struct actor who;         /* the logged-in staff member (role NONE if not) */
	char session[48];         /* the session id from the cookie, if any */
	int64_t now;              /* the clock, read once per request */
};

struct reply {
	int status;               /* 0 until a handler answers */
	struct buf body;
	const char *content_type; /* static; default application/json */
	char location[2048];      /* a provider's login URL is long (api_oidc.c) */
	char etag[32];
	bool etag_partial;        /* the body shows more than etag names: no 304 */
	char link[1024];        /* a next page's (params_link_next) */
	char allow[64];
	char set_cookie[200];
	char set_cookie2[200];    /* a second cookie (api_oidc.c), or "" */
	int retry_after;          /* seconds, for 429 and 503 */
	const char *cache_control; /* static; default no-store */
	/* a body lent instead of body (reply_lend): sent as it is */
	const char *lent;
	size_t lent_len;
	void (*give_back)(void *arg);
	void *lent_arg;
};

void reply_init(struct reply *rep);
void reply_release(struct reply *rep);
/* Answer with body (len bytes), lent by its owner and not copied: the
 * owner gets it back through give_back(arg) once it is sent, or when the
 * answer becomes another (reply_fail, reply_unlend, reply_release).  The
 * list cache lends its kept answers (listcache_get). */
void reply_lend(struct reply *rep, const char *body, size_t len, void (*give_back)(void *arg),
		void *arg);
/* Give a lent body back now (none lent: nothing happens). */
void reply_unlend(struct reply *rep);

/* Answer with err's status and the contract's error body.  field names the
 * JSON field at fault (or NULL).  Returns err, so handlers can
 * "return reply_fail(...)". */
enum app_err reply_fail(struct reply *rep, enum app_err err, const char *field, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

/* The message of cf's first conflict ("the room is busy then (appointment
 * 12)"; at when, if not NULL), naming no appointment where its ids were
 * hidden (0), into out (cap bytes). */
void reply_conflict_message(const struct conflicts *cf, const char *when, char *out, size_t cap);
/* Answer 409 conflict listing cf: kind, id and appointment_id of each, or
 * the kind alone where the ids were hidden (0). Returns APP_ECONFLICT. */
enum app_err reply_conflicts(struct reply *rep, const struct conflicts *cf);
struct occurrence_failure;
/* 409 for a series that cannot be booked: "conflict" when any occurrence
 * overlaps, else "outside_hours"; "conflicts" lists each overlap with its
 * occurrence and start, "occurrences" each failing occurrence. */
enum app_err reply_series(struct reply *rep, const struct occurrence_failure *f, int n);

/* The contract's error for err when no handler said more. */
void reply_default_error(struct reply *rep, enum app_err err);

#endif
