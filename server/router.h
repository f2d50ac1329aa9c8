/*
 * router.h - matching a method and path against the route table.
 */
#ifndef TIMEBOK_ROUTER_H
#define TIMEBOK_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "req.h"


/* Find the route for method and path, filling req->route, ids and token.
 * APP_ENOTFOUND when no pattern matches; APP_EMETHOD when one matches with
 * another method (allow then lists them, HEAD after GET).  HEAD matches GET
 * routes.  Bench routes match only when bench is true; only routes with
 * all the flags in require take part (ROUTE_PUBLIC_LISTENER on the public
 * listener, 0 on the staff one). */
enum app_err router_match(const char *method, const char *path, bool bench, unsigned require,
			  struct req *req, char *allow, size_t allow_cap) WARN_UNUSED;

/* The route's index in routes[] (for metrics); -1 for NULL. */
int router_index(const struct route *r);

#endif
