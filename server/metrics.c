/*
 * metrics.c - counters and the latency histogram.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"

static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
			       412, 413, 414, 415, 429, 431, 500, 503};
#define NSTATUS ((int)(sizeof(statuses) / sizeof(statuses[0])) + 1) /* + "other" */
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS ((int)(sizeof(buckets) / sizeof(buckets[0])))
static const char *const methods[] = {"GET",	 "HEAD",    "POST",  "PUT",
				      "PATCH", "DELETE", "OPTIONS", "other"};
#define NMETHOD ((int)(sizeof(methods) / sizeof(methods[0])))

struct metrics {
	int nroutes; /* + 2 extra slots */
	atomic_ulong hist[NBUCKETS + 1];
	atomic_ulong sum_usec;
	atomic_ulong count;
	atomic_ulong *anonymous; /* [nroutes] */
	atomic_ulong counts[];	 /* [(nroutes + 2) * NMETHOD * NSTATUS] */
};

struct metrics *metrics_new(int nroutes)
{
	size_t n = (size_t)(nroutes + 2) * NMETHOD * NSTATUS;
	struct metrics *m = calloc(1, sizeof(*m) + n * sizeof(atomic_ulong));

	if (!m)
		return NULL;
	m->nroutes = nroutes;
	if (!(m->anonymous = calloc((size_t)nroutes + 1, sizeof(atomic_ulong)))) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m)
		free(m->anonymous);
	free(m);
}

/* Methods outside the list share "other", so a client cannot grow the
 * label set. */
static int method_slot(const char *method)
{
	for (int i = 0; i < NMETHOD - 1; i++)
		if (method && !strcmp(methods[i], method))
			return i;
	return NMETHOD - 1;
}

static int status_slot(int status)
{
	for (int i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

void metrics_observe(struct metrics *m, int route, const char *method, int status,
		     uint64_t usec)
{
	int slot, b = 0;

	if (!m)
		return;
	slot = route >= 0 ? route : m->nroutes + (route == METRICS_ROUTE_STATIC ? 0 : 1);
	slot = slot * NMETHOD + method_slot(method);
	atomic_fetch_add_explicit(&m->counts[slot * NSTATUS + status_slot(status)], 1,
				  memory_order_relaxed);
	while (b < NBUCKETS && (double)usec / 1e6 > buckets[b])
		b++;
	atomic_fetch_add_explicit(&m->hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_usec, usec, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
}

void metrics_anonymous_denial(struct metrics *m, int route)
{
	if (m && route >= 0 && route < m->nroutes)
		atomic_fetch_add_explicit(&m->anonymous[route], 1, memory_order_relaxed);
}

void metrics_render(const struct metrics *m, struct buf *out, const struct metrics_db *db)
{
	unsigned long cum = 0;

	buf_puts(out, "# HELP timebok_http_requests_total HTTP requests by route and status.\n"
		      "# TYPE timebok_http_requests_total counter\n");
	for (int rm = 0; rm < (m->nroutes + 2) * NMETHOD; rm++)
		for (int s = 0; s < NSTATUS; s++) {
			unsigned long v = atomic_load(&m->counts[rm * NSTATUS + s]);
			int r = rm / NMETHOD;
			const char *method = methods[rm % NMETHOD];
			const char *pattern = r < m->nroutes		  ? routes[r].pattern
					      : r == m->nroutes ? "static"
								  : "unmatched";
			if (!v)
				continue;
			if (s < NSTATUS - 1)
				buf_printf(out,
					   "timebok_http_requests_total{method=\"%s\",route=\"%s\","
					   "status=\"%d\"} %lu\n",
					   method, pattern, statuses[s], v);
			else
				buf_printf(out,
					   "timebok_http_requests_total{method=\"%s\",route=\"%s\","
					   "status=\"other\"} %lu\n",
					   method, pattern, v);
		}
	buf_puts(out, "# HELP timebok_http_anonymous_denials_total 401 answers to requests "
		      "without a session, and sign-in callbacks refused before anyone is "
		      "known, by route (not in the audit log).\n"
		      "# TYPE timebok_http_anonymous_denials_total counter\n");
	for (int r = 0; r < m->nroutes; r++) {
		unsigned long v = atomic_load(&m->anonymous[r]);
		if (v)
			buf_printf(out,
				   "timebok_http_anonymous_denials_total{method=\"%s\",route=\"%s\"} "
				   "%lu\n",
				   routes[r].method, routes[r].pattern, v);
	}
	buf_puts(out, "# HELP timebok_http_request_duration_seconds Time to answer a request.\n"
		      "# TYPE timebok_http_request_duration_seconds histogram\n");
	for (int b = 0; b < NBUCKETS; b++) {
		cum += atomic_load(&m->hist[b]);
		buf_printf(out, "timebok_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
			   buckets[b], cum);
	}
	cum += atomic_load(&m->hist[NBUCKETS]);
	buf_printf(out, "timebok_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	buf_printf(out, "timebok_http_request_duration_seconds_sum %.6f\n",
		   (double)atomic_load(&m->sum_usec) / 1e6);
	buf_printf(out, "timebok_http_request_duration_seconds_count %lu\n",
		   (unsigned long)atomic_load(&m->count));
	buf_printf(out,
		   "# HELP timebok_db_errors_total Unexpected database errors.\n"
		   "# TYPE timebok_db_errors_total counter\ntimebok_db_errors_total %ld\n",
		   db->errors);
	buf_printf(out,
		   "# HELP timebok_db_group_commits_total Transactions shared by bookings "
		   "(group commit).\n"
		   "# TYPE timebok_db_group_commits_total counter\n"
		   "timebok_db_group_commits_total %lu\n"
		   "# HELP timebok_db_group_writes_total Bookings written in them.\n"
		   "# TYPE timebok_db_group_writes_total counter\n"
		   "timebok_db_group_writes_total %lu\n",
		   db->groups, db->group_jobs);
	buf_printf(out,
		   "# HELP timebok_session_cache_hits_total Sessions answered from memory.\n"
		   "# TYPE timebok_session_cache_hits_total counter\n"
		   "timebok_session_cache_hits_total %lu\n"
		   "# HELP timebok_session_cache_misses_total Sessions read from the database.\n"
		   "# TYPE timebok_session_cache_misses_total counter\n"
		   "timebok_session_cache_misses_total %lu\n",
		   db->session_hits, db->session_misses);
}
