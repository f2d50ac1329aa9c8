/*
 * http_server.h - the embedded HTTP server (libmicrohttpd).
 */
#ifndef TIMEBOK_HTTP_SERVER_H
#define TIMEBOK_HTTP_SERVER_H

#include <stdbool.h>

#include "err.h"

struct app;
struct http_server;

/* Bind and listen on the configured address: --listen, or --public-listen
 * when public_side (that listener serves only the routes flagged
 * ROUTE_PUBLIC_LISTENER and the patient page's files).  The port is known
 * from here on; connections wait in the backlog.  Makes app->token_misses
 * when it is NULL (the caller frees it after stopping every listener).
 * *out is new; stop it with http_server_stop(). */
enum app_err http_server_listen(struct app *app, bool public_side,
				struct http_server **out) WARN_UNUSED;
/* Start serving app on it: only once everything a request may use is set
 * up (an earlier start let the first requests race the start-up; found by
 * ThreadSanitizer). */
enum app_err http_server_start(struct http_server *s) WARN_UNUSED;
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Stop accepting, let in-flight requests finish (up to grace_ms), stop and
 * free s.  NULL-safe. */
void http_server_stop(struct http_server *s, int grace_ms);

/* Whether If-None-Match header if_none_match (NULL: none) lists etag, by
 * the weak comparison of RFC 9110 13.1.2 ("*" lists every tag). */
bool http_etag_listed(const char *if_none_match, const char *etag);

#endif
