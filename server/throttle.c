/*
 * throttle.c - misses per address in a fixed window (see throttle.h).
 *
 * Open addressing: an address hashes to a slot and may sit in any of the
 * PROBE slots after it.  A lookup that finds neither the address nor a free
 * or expired slot there takes the probed slot whose window began earliest.
 */
#include "throttle.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE 16
#define ADDR_MAX 64

struct slot {
	char addr[ADDR_MAX];
	int64_t since; /* the window's first miss */
	int misses;
};

struct throttle {
	pthread_mutex_t lock;
	int limit, window;
	struct slot slots[THROTTLE_SLOTS];
};

enum app_err throttle_new(int limit, int window_s, struct throttle **out)
{
	struct throttle *t = calloc(1, sizeof(*t));

	if (!t)
		return APP_ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->limit = limit;
	t->window = window_s;
	*out = t;
	return APP_OK;
}

void throttle_free(struct throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot of addr, or NULL; with make, a slot for it (free, expired or
 * the oldest probed), reset. Called with the lock held. */
static struct slot *find(struct throttle *t, const char *addr, int64_t now, int make)
{
	uint32_t h = hash(addr);
	struct slot *spare = NULL;
	bool reusable = false;

	for (int i = 0; i < PROBE; i++) {
		struct slot *s = &t->slots[(h + (uint32_t)i) % THROTTLE_SLOTS];

		if (s->addr[0] && !strcmp(s->addr, addr)) {
			if (now - s->since >= t->window)
				s->misses = 0, s->since = now;
			return s;
		}
		if (!s->addr[0] || now - s->since >= t->window) {
			if (!reusable)
				spare = s, reusable = true;
		} else if (!reusable && (!spare || s->since < spare->since)) {
			spare = s;
		}
	}
	if (!make)
		return NULL;
	snprintf(spare->addr, sizeof(spare->addr), "%s", addr);
	spare->since = now;
	spare->misses = 0;
	return spare;
}

int throttle_wait(struct throttle *t, const char *addr, int64_t now)
{
	struct slot *s;
	int wait = 0;

	pthread_mutex_lock(&t->lock);
	s = find(t, addr, now, 0);
	if (s && s->misses >= t->limit)
		wait = (int)(s->since + t->window - now);
	pthread_mutex_unlock(&t->lock);
	return wait > 0 ? wait : 0;
}

void throttle_miss(struct throttle *t, const char *addr, int64_t now)
{
	struct slot *s;

	pthread_mutex_lock(&t->lock);
	s = find(t, addr, now, 1);
	if (s->misses < t->limit)
		s->misses++;
	pthread_mutex_unlock(&t->lock);
}
