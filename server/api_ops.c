/*
 * api_ops.c - health, metrics, the OpenAPI document, the bench denominator.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api.h"
#include "app.h"
#include "auth.h"
#include "metrics.h"
#include "store.h"
#include "version.h"

API_HANDLER(api_ops_health)
{
	int64_t one;

	(void)app;
	(void)req;
	if (store_scalar(db, "SELECT 1", 0, 0, 0, &one) || one != 1)
		return reply_fail(rep, APP_EBUSY, NULL, "the database does not answer");
	/* version and schema level (the migrations this binary carries; the
	 * database is at it once the server runs) for whoever upgrades */
	buf_printf(&rep->body, "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d}",
		   TIMEBOK_VERSION, store_nmigrations);
	rep->status = 200;
	return APP_OK;
}

/* Whether the Authorization header is "Bearer <want>".  Both sides are
 * hashed first, so the comparison takes the same time whatever the
 * length or the first differing byte. */
static bool bearer_ok(const char *header, const char *want)
{
	unsigned char a[32], b[32];
	const char *got = header && !strncasecmp(header, "Bearer ", 7) ? header + 7 : "";

	crypto_generichash(a, sizeof(a), (const unsigned char *)got, strlen(got), NULL, 0);
	crypto_generichash(b, sizeof(b), (const unsigned char *)want, strlen(want), NULL, 0);
	return sodium_memcmp(a, b, sizeof(a)) == 0 && header;
}

/* /metrics is served on the staff listener only (routes.c gives it no
 * ROUTE_PUBLIC_LISTENER); with --metrics-token it also asks for that
 * bearer token, so a scraper elsewhere on the hospital network needs it. */
API_HANDLER(api_ops_metrics)
{
	struct metrics_db m = {store_pool_errors(app->pool), 0, 0, 0, 0};

	(void)db;
	if (app->cfg->metrics_token[0] && !bearer_ok(req->authorization, app->cfg->metrics_token))
		return reply_fail(rep, APP_EUNAUTH, NULL,
				  "send 'Authorization: Bearer' with the metrics token");
	store_pool_groups(app->pool, &m.groups, &m.group_jobs);
	auth_session_counts(app->auth, &m.session_hits, &m.session_misses);
	metrics_render(app->metrics, &rep->body, &m);
	rep->content_type = "text/plain; version=0.0.4; charset=utf-8";
	rep->status = 200;
	return APP_OK;
}

API_HANDLER(api_ops_openapi)
{
	char path[600], chunk[8192];
	FILE *f;
	size_t n;

	(void)db;
	(void)req;
	snprintf(path, sizeof(path), "%s/openapi.json", app->cfg->static_dir);
	if (!(f = fopen(path, "rb")))
		return reply_fail(rep, APP_ENOTFOUND, NULL, "the OpenAPI document is not installed");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&rep->body, chunk, n);
	fclose(f);
	rep->cache_control = "no-cache";
	rep->status = 200;
	return APP_OK;
}

API_HANDLER(api_ops_hello)
{
	(void)app;
	(void)db;
	(void)req;
	buf_puts(&rep->body, "{\"hello\":\"world\"}");
	rep->status = 200;
	return APP_OK;
}
