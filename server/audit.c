/*
 * audit.c - the batched writer of read audits (see audit.h).
 */
#include "audit.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "log.h"
#include "store.h"

#define QUEUE 4096
#define BATCH 512
#define AUDIT_SEEN 131072 /* entries of the repeat table, 16 bytes each (2 MB) */
#define AUDIT_WAYS 4      /* a key may sit in any of the 4 entries of its set */

struct audit {
	struct store *db; /* the writer's own connection */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work, room, done;
	struct audit_row q[QUEUE];
	uint64_t head, tail; /* rows [tail, head) are queued */
	uint64_t written;
	int flushers; /* threads waiting in audit_flush */
	bool stop;
	struct {
		uint64_t key; /* 0: empty */
		int64_t at;
	} seen[AUDIT_SEEN]; /* what was logged lately, by hash */
};

void audit_fill(struct audit_row *r, const struct actor *who, const char *action,
		int64_t patient_id, int64_t appointment_id, int64_t now)
{
	memset(r, 0, sizeof(*r));
	r->at = now;
	r->user_id = who ? who->user_id : 0;
	snprintf(r->username, sizeof(r->username), "%s", who && who->username[0] ? who->username : "system");
	snprintf(r->role, sizeof(r->role), "%s", who ? actor_role_name(who->role) : "none");
	snprintf(r->action, sizeof(r->action), "%s", action);
	r->patient_id = patient_id;
	r->appointment_id = appointment_id;
	snprintf(r->client_ip, sizeof(r->client_ip), "%s", who && who->ip[0] ? who->ip : "-");
}

static enum app_err write_batch(struct store *db, const struct audit_row *rows, int n)
{
	enum app_err err;

	if ((err = store_begin(db)))
		return err;
	if ((err = store_users_audit_add_rows(db, rows, n))) {
		store_rollback(db);
		return err;
	}
	return store_commit(db);
}

/* With the lock held: wait up to AUDIT_GATHER_MS for more rows, unless
 * someone is flushing, the queue is half full or the thread is stopping. */
static void gather(struct audit *a)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += AUDIT_GATHER_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!a->stop && !a->flushers && a->head - a->tail < QUEUE / 2)
		if (pthread_cond_timedwait(&a->work, &a->mu, &until) == ETIMEDOUT)
			break;
}

static void *writer(void *arg)
{
	struct audit *a = arg;
	static struct audit_row batch[BATCH]; /* only this thread uses it */

	pthread_mutex_lock(&a->mu);
	for (;;) {
		int n = 0;

		while (a->head == a->tail && !a->stop)
			pthread_cond_wait(&a->work, &a->mu);
		if (a->head == a->tail && a->stop)
			break;
		gather(a);
		while (a->tail + (uint64_t)n < a->head && n < BATCH) {
			batch[n] = a->q[(a->tail + (uint64_t)n) % QUEUE];
			n++;
		}
		pthread_mutex_unlock(&a->mu);
		/* a busy database is retried; the rows stay queued meanwhile */
		while (write_batch(a->db, batch, n) == APP_EBUSY)
			log_warn("audit: database busy, retrying");
		pthread_mutex_lock(&a->mu);
		a->tail += (uint64_t)n;
		a->written += (uint64_t)n;
		pthread_cond_broadcast(&a->room);
		pthread_cond_broadcast(&a->done);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

enum app_err audit_new(const char *db_path, int busy_timeout_ms, struct audit **out)
{
	struct audit *a = calloc(1, sizeof(*a));
	enum app_err err;

	if (!a)
		return APP_ENOMEM;
	if ((err = store_open(db_path, busy_timeout_ms, &a->db)) ||
	    (err = store_exec(a->db, "PRAGMA synchronous=NORMAL"))) {
		store_free(a->db);
		free(a);
		return err;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->room, NULL);
	pthread_cond_init(&a->done, NULL);
	if (pthread_create(&a->thread, NULL, writer, a) != 0) {
		store_free(a->db);
		free(a);
		return APP_ENOMEM;
	}
	*out = a;
	return APP_OK;
}

void audit_free(struct audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->work);
	pthread_cond_destroy(&a->room);
	pthread_cond_destroy(&a->done);
	store_free(a->db);
	free(a);
}

void audit_batch_init(struct audit_batch *b, struct audit *a, const struct actor *who,
		      const char *action, int64_t now)
{
	struct audit_row *r = &b->row;
	uint64_t h = HASH_START;

	b->a = a;
	b->n = 0;
	b->since = INT64_MAX;
	b->until = INT64_MIN;
	audit_fill(r, who, action, 0, 0, now);
	h = hash_bytes(h, &r->user_id, sizeof(r->user_id));
	h = hash_bytes(h, r->username, strlen(r->username) + 1);
	h = hash_bytes(h, r->role, strlen(r->role) + 1);
	h = hash_bytes(h, r->action, strlen(r->action) + 1);
	b->who_hash = hash_bytes(h, r->client_ip, strlen(r->client_ip) + 1);
}

/* Whether key was logged in the last AUDIT_REPEAT_S before at (then
 * *logged is when); if not, remember it now, in place of its set's oldest
 * entry (*logged is at).  (Direct-mapped,
 * the 1,000 rows of a day view collided often enough to log ~4% again; with
 * 32,768 entries a secretary's week of five units, 25,000 rows, was half
 * logged again on a second look.) */
static bool seen_lately(struct audit *a, uint64_t key, int64_t at, int64_t *logged)
{
	size_t set = (size_t)(key % (AUDIT_SEEN / AUDIT_WAYS)) * AUDIT_WAYS, oldest = set;

	*logged = at;
	for (size_t i = set; i < set + AUDIT_WAYS; i++) {
		if (a->seen[i].key == key) {
			if (at >= a->seen[i].at && at - a->seen[i].at < AUDIT_REPEAT_S) {
				*logged = a->seen[i].at;
				return true;
			}
			oldest = i;
			break;
		}
		if (a->seen[i].at < a->seen[oldest].at)
			oldest = i;
	}
	a->seen[oldest].key = key;
	a->seen[oldest].at = at;
	return false;
}

/* Queue the batch's rows that are not repeats, under one lock. */
static void queue_batch(struct audit_batch *b)
{
	struct audit *a = b->a;
	bool woke = false;

	if (!a || !b->n)
		goto out;
	pthread_mutex_lock(&a->mu);
	for (int i = 0; i < b->n; i++) {
		uint64_t key = hash_bytes(b->who_hash, b->ids[i], sizeof(b->ids[i]));
		int64_t logged;
		bool repeat;

		key += !key; /* 0 marks an empty entry */
		repeat = seen_lately(a, key, b->row.at, &logged);
		b->since = logged < b->since ? logged : b->since;
		b->until = logged > b->until ? logged : b->until;
		if (repeat)
			continue;
		while (a->head - a->tail >= QUEUE)
			pthread_cond_wait(&a->room, &a->mu);
		a->q[a->head % QUEUE] = b->row;
		a->q[a->head % QUEUE].patient_id = b->ids[i][0];
		a->q[a->head % QUEUE].appointment_id = b->ids[i][1];
		if (a->head++ == a->tail && !woke) { /* the writer sleeps only on an empty queue */
			pthread_cond_signal(&a->work);
			woke = true;
		}
	}
	pthread_mutex_unlock(&a->mu);
out:
	b->n = 0;
}

void audit_batch_add(struct audit_batch *b, int64_t patient_id, int64_t appointment_id)
{
	if (b->n == AUDIT_BATCH)
		queue_batch(b);
	b->ids[b->n][0] = patient_id;
	b->ids[b->n][1] = appointment_id;
	b->n++;
}

void audit_batch_release(struct audit_batch *b)
{
	queue_batch(b);
}

bool audit_batch_repeats(const struct audit_batch *b, uint64_t who_hash, int64_t since,
			 int64_t until)
{
	return since <= until && who_hash == b->who_hash && b->row.at >= until &&
	       b->row.at - since < AUDIT_REPEAT_S;
}

void audit_read(struct audit *a, const struct actor *who, const char *action, int64_t patient_id,
		int64_t appointment_id, int64_t now)
{
	struct audit_batch b;

	if (!a)
		return;
	audit_batch_init(&b, a, who, action, now);
	audit_batch_add(&b, patient_id, appointment_id);
	audit_batch_release(&b);
}

void audit_flush(struct audit *a)
{
	uint64_t target;

	if (!a)
		return;
	pthread_mutex_lock(&a->mu);
	target = a->head;
	a->flushers++;
	pthread_cond_signal(&a->work); /* cut a gathering short */
	while (a->written < target)
		pthread_cond_wait(&a->done, &a->mu);
	a->flushers--;
	pthread_mutex_unlock(&a->mu);
}
