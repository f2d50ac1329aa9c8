/*
 * throttle.h - refusing an address that keeps missing: patient links and
 * calendar-feed addresses are long random tokens, and a client that keeps
 * asking for ones that do not exist is guessing.
 *
 * Each address (the client's, behind a trusted proxy) has a fixed window:
 * after `limit` misses within `window` seconds of its first miss, its
 * further misses are answered 429 until the window ends, while a real link
 * still opens from it (http_server.c): a patient behind the same NAT as a
 * guesser is never locked out.  Only misses count, so a patient who opens a
 * real link many times is never slowed.
 *
 * The table is bounded (THROTTLE_SLOTS addresses, a mutex): when it is
 * full, the address whose window began earliest makes way.  It lives in
 * memory only; a restart forgets it, which costs a guesser one window.
 */
#ifndef TIMEBOK_THROTTLE_H
#define TIMEBOK_THROTTLE_H

#include <stdint.h>

#include "err.h"

#define THROTTLE_SLOTS 4096

struct throttle;

enum app_err throttle_new(int limit, int window_s, struct throttle **out) WARN_UNUSED;
void throttle_free(struct throttle *t);

/* Seconds until addr may ask again at time now (unix seconds), or 0. */
int throttle_wait(struct throttle *t, const char *addr, int64_t now);

/* Count one miss for addr at time now. */
void throttle_miss(struct throttle *t, const char *addr, int64_t now);

#endif
