/*
 * listcache.c - rendered list answers kept until the data changes (see
 * listcache.h).
 */
#include "listcache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* An answer kept: one allocation (block) holds how many hold it (struct
 * held), its rows' ids, its body and its key, and is what LISTCACHE_BYTES
 * counts.  Its entry holds it, and so does each answer being sent from it
 * (listcache_get lends the body; the sender gives it back): a block pushed
 * out while it is being sent is freed by the last one to give it back.  The entry itself is small
 * (the key is not inline), so the table can have many more of them than
 * answers fit in LISTCACHE_BYTES: a key then finds its set seldom full,
 * and the answers that fit in the bytes are all kept. */
struct entry {
	uint64_t hash; /* hash_text of the key: compared before the key */
	uint64_t generation;
	uint64_t used; /* the set's clock at its last use: the oldest goes first */
	void *block;   /* NULL: empty; starts with its struct held */
	size_t size;   /* of block */
	int64_t (*ids)[2]; /* in block */
	const char *body; /* in block, len bytes */
	const char *key;  /* in block */
	size_t len;
	int nrows;
	char etag[LISTCACHE_ETAG_MAX];
	/* the rows were last logged for this actor and action at times in
	 * [since, until] (audit_batch_repeats); since > until: not known */
	uint64_t who;
	int64_t since, until;
};

/* LISTCACHE_WAYS entries that a key's hash may choose from, under one lock.
 * Direct-mapped, a third of the 200 day lists of one clinician that the
 * benchmark reads at 1M pushed each other out of 512 slots; with 4 ways in
 * 128 sets, the few sets that five or more of the 200 keys fell in missed
 * every time (8 % of the reads, 37 % of the scenario's CPU). */
struct set {
	pthread_mutex_t mu;
	uint64_t clock;
	struct entry e[LISTCACHE_WAYS];
};

struct held {
	atomic_uint refs;
	int64_t align; /* what follows: the ids */
};

#define SETS (LISTCACHE_SLOTS / LISTCACHE_WAYS)
_Static_assert(LISTCACHE_SLOTS % LISTCACHE_WAYS == 0, "whole sets");

struct listcache {
	atomic_size_t bytes; /* blocks held */
	struct set s[SETS];
};

struct listcache *listcache_new(void)
{
	struct listcache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	for (int i = 0; i < SETS; i++)
		pthread_mutex_init(&c->s[i].mu, NULL);
	return c;
}

static void give(void *block)
{
	if (atomic_fetch_sub(&((struct held *)block)->refs, 1) == 1)
		free(block);
}

void listcache_give_back(void *lent)
{
	if (lent)
		give(lent);
}

static void empty(struct listcache *c, struct entry *e)
{
	if (e->block) {
		atomic_fetch_sub(&c->bytes, e->size);
		give(e->block);
	}
	memset(e, 0, sizeof(*e));
}

void listcache_free(struct listcache *c)
{
	if (!c)
		return;
	for (int i = 0; i < SETS; i++) {
		for (int w = 0; w < LISTCACHE_WAYS; w++)
			empty(c, &c->s[i].e[w]);
		pthread_mutex_destroy(&c->s[i].mu);
	}
	free(c);
}

void listcache_etag(const char *body, size_t len, char etag[LISTCACHE_ETAG_MAX])
{
	unsigned char h[12];
	char hex[2 * sizeof(h) + 1];

	etag[0] = '\0';
	if (crypto_generichash(h, sizeof(h), (const unsigned char *)(body ? body : ""), len, NULL,
			       0))
		return;
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(etag, LISTCACHE_ETAG_MAX, "\"%s\"", hex);
}

/* The set of key (whose hash is *hash), locked, or NULL (no cache, or no
 * key). */
static struct set *set_of(struct listcache *c, const char *key, uint64_t *hash)
{
	struct set *set;

	if (!c || !*key || strlen(key) >= LISTCACHE_KEY_MAX)
		return NULL; /* "": no key could be made */
	*hash = hash_text(key);
	set = &c->s[*hash % SETS];
	pthread_mutex_lock(&set->mu);
	return set;
}

/* The entry of key in set (locked), or NULL. */
static struct entry *find(struct set *set, const char *key, uint64_t hash)
{
	for (int w = 0; w < LISTCACHE_WAYS; w++)
		if (set->e[w].block && set->e[w].hash == hash && !strcmp(set->e[w].key, key))
			return &set->e[w];
	return NULL;
}

bool listcache_tag(struct listcache *c, const char *key, uint64_t generation,
		   char etag[LISTCACHE_ETAG_MAX], int *nrows)
{
	uint64_t hash;
	struct set *set = set_of(c, key, &hash);
	struct entry *e;
	bool hit;

	if (!set)
		return false;
	e = find(set, key, hash);
	hit = e && e->etag[0] && e->generation == generation;
	if (hit) {
		memcpy(etag, e->etag, LISTCACHE_ETAG_MAX);
		*nrows = e->nrows;
		e->used = ++set->clock;
	}
	pthread_mutex_unlock(&set->mu);
	return hit;
}

bool listcache_get(struct listcache *c, const char *key, uint64_t generation, const char **body,
		   size_t *len, void **lent, struct audit_batch *audit, int *nrows,
		   char etag[LISTCACHE_ETAG_MAX])
{
	uint64_t hash;
	struct set *set = set_of(c, key, &hash);
	struct entry *e;
	bool hit = false;

	if (!set)
		return false;
	e = find(set, key, hash);
	if (e && e->generation == generation) {
		atomic_fetch_add(&((struct held *)e->block)->refs, 1);
		*body = e->body;
		*len = e->len;
		*lent = e->block;
		if (!audit_batch_repeats(audit, e->who, e->since, e->until)) {
			for (int i = 0; i < e->nrows; i++)
				audit_batch_add(audit, e->ids[i][0], e->ids[i][1]);
			audit_batch_release(audit); /* queued now: when each was logged */
			if (e->nrows && audit->since <= audit->until) {
				e->who = audit->who_hash;
				e->since = audit->since;
				e->until = audit->until;
			}
		}
		*nrows = e->nrows;
		memcpy(etag, e->etag, LISTCACHE_ETAG_MAX);
		e->used = ++set->clock;
		hit = true;
	} else if (e && e->generation < generation) {
		empty(c, e); /* stale: let the memory go now */
	}
	pthread_mutex_unlock(&set->mu);
	return hit;
}

/* Let go of every entry made before generation (when the table is full:
 * stale entries otherwise keep their bytes until their slot is used). */
static void sweep(struct listcache *c, uint64_t generation)
{
	for (int i = 0; i < SETS; i++) {
		struct set *set = &c->s[i];

		pthread_mutex_lock(&set->mu);
		for (int w = 0; w < LISTCACHE_WAYS; w++)
			if (set->e[w].block && set->e[w].generation < generation)
				empty(c, &set->e[w]);
		pthread_mutex_unlock(&set->mu);
	}
}

void listcache_put(struct listcache *c, const char *key, uint64_t generation, const char *body,
		   size_t len, const char *etag, const struct listcache_rows *rows)
{
	size_t idsize, keylen, size;
	struct set *set;
	struct entry *e;
	uint64_t hash;
	char *block = NULL, *data;

	if (!c || !*key || rows->failed || (keylen = strlen(key)) >= LISTCACHE_KEY_MAX ||
	    len > LISTCACHE_ENTRY_MAX || !etag[0] || strlen(etag) >= LISTCACHE_ETAG_MAX)
		return;
	idsize = sizeof(*rows->ids) * (size_t)rows->n;
	size = sizeof(struct held) + idsize + len + keylen + 1;
	if (atomic_load(&c->bytes) + size > LISTCACHE_BYTES)
		sweep(c, generation);
	if (atomic_fetch_add(&c->bytes, size) + size > LISTCACHE_BYTES)
		goto out; /* full of current answers */
	if (!(block = malloc(size)))
		goto out;
	atomic_init(&((struct held *)(void *)block)->refs, 1); /* its entry's */
	data = block + sizeof(struct held);
	if (rows->n)
		memcpy(data, rows->ids, idsize);
	memcpy(data + idsize, body, len);
	memcpy(data + idsize + len, key, keylen + 1);
	if (!(set = set_of(c, key, &hash)))
		goto out;
	if (!(e = find(set, key, hash))) { /* an empty way, else a stale one, else the oldest */
		e = &set->e[0];
		for (int w = 0; w < LISTCACHE_WAYS; w++) {
			struct entry *x = &set->e[w];

			if (!x->block) {
				e = x;
				break;
			}
			if ((x->generation < generation) != (e->generation < generation)
				    ? x->generation < generation
				    : x->used < e->used)
				e = x;
		}
	}
	empty(c, e);
	e->hash = hash;
	e->used = ++set->clock;
	e->generation = generation;
	e->block = block;
	e->size = size;
	e->ids = (int64_t(*)[2])(void *)data;
	e->body = data + idsize;
	e->len = len;
	e->key = data + idsize + len;
	e->nrows = rows->n;
	e->since = INT64_MAX; /* the next hit adds its rows */
	e->until = INT64_MIN;
	memcpy(e->etag, etag, strlen(etag) + 1);
	pthread_mutex_unlock(&set->mu);
	return;
out:
	atomic_fetch_sub(&c->bytes, size);
	free(block);
}

void listcache_rows_add(struct listcache_rows *r, int64_t patient_id, int64_t appointment_id)
{
	if (r->failed)
		return;
	if (r->n == r->cap) {
		int cap = r->cap ? r->cap * 2 : 64;
		int64_t(*ids)[2] = realloc(r->ids, sizeof(*ids) * (size_t)cap);

		if (!ids) {
			r->failed = true;
			return;
		}
		r->ids = ids;
		r->cap = cap;
	}
	r->ids[r->n][0] = patient_id;
	r->ids[r->n][1] = appointment_id;
	r->n++;
}

void listcache_rows_release(struct listcache_rows *r)
{
	free(r->ids);
	r->ids = NULL;
	r->n = r->cap = 0;
}
