/*
 * metrics.h - request counters and a latency histogram for /metrics.
 *
 * Lock-free (C11 atomics): observing a request costs a few relaxed adds.
 * Counters are kept per route (the route table's index; one extra slot for
 * static files and one for unmatched paths), per method (the one the client
 * sent, also for requests refused before routing) and per status.
 * Anonymous 401s have their own counter per route: they are counted here,
 * not written row by row into the audit log.
 */
#ifndef TIMEBOK_METRICS_H
#define TIMEBOK_METRICS_H

#include <stdint.h>

#include "buf.h"

struct metrics;

#define METRICS_ROUTE_STATIC (-1)
#define METRICS_ROUTE_NONE (-2)

/* A new set of counters for nroutes routes; NULL on OOM. */
struct metrics *metrics_new(int nroutes);
void metrics_free(struct metrics *m);
/* Count one request of route (an index or METRICS_ROUTE_*) with method
 * (as sent) answered with status after usec microseconds. */
void metrics_observe(struct metrics *m, int route, const char *method, int status,
		     uint64_t usec);
/* Count one 401 without a session on route (an index). */
void metrics_anonymous_denial(struct metrics *m, int route);
/* The store pool's figures for the exposition. */
struct metrics_db {
	long errors;
	unsigned long groups, group_jobs; /* group commits, the writes in them */
	unsigned long session_hits, session_misses; /* the session cache (auth.h) */
};
/* Append the Prometheus text exposition. */
void metrics_render(const struct metrics *m, struct buf *out, const struct metrics_db *db);

#endif
