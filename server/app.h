/*
 * app.h - struct app, the one bundle handed to every handler.
 *
 * It holds the validated configuration, the database pool, the clock, the
 * metrics, the message texts and the delivery worker.  There are no other mutable globals: tests build their own app
 * with a fake clock and an in-memory database.
 */
#ifndef TIMEBOK_APP_H
#define TIMEBOK_APP_H

#include <stdint.h>

#include "config.h"
#include "token.h"

struct store_pool;
struct metrics;
struct auth;
struct audit;
struct messages;
struct outbox;
struct listcache;
struct slotcache;
struct throttle;
struct oidc;

struct app {
	const struct config *cfg;
	struct store_pool *pool;
	struct metrics *metrics;
	struct auth *auth;
	struct audit *audit;
	struct messages *messages;          /* the message texts */
	struct outbox *outbox;              /* the delivery worker (NULL: none) */
	struct listcache *lists;            /* rendered lists (NULL: none) */
	struct slotcache *slots;            /* free-slot search reads (NULL: none) */
	struct throttle *token_misses;      /* unknown tokens per client address, shared
					     * by both listeners (http_server.c) */
	struct throttle *link_answers;      /* answers per patient or guest link
					     * (api_invite.c; NULL: not counted) */
	uint8_t link_key[TOKEN_KEY_LEN];    /* seals patient-link tokens */
	struct oidc *oidc;                  /* single sign-on (NULL: not configured) */
	/* The clock: seconds since the epoch.  Tests replace it. */
	int64_t (*now)(void *clock_ctx);
	void *clock_ctx;
};

static inline int64_t app_now(const struct app *app)
{
	return app->now(app->clock_ctx);
}

#endif
