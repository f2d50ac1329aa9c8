/*
 * slotcache.c - a clinician's hours and busy times for one search range,
 * kept until the data changes (see slotcache.h).
 */
#include "slotcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* One entry's data, in one allocation: this header, then h[nh],
 * extra[nextra], absent[nabsent] and busy[2 * nbusy] (start and end, in
 * seconds after the range's start). */
struct blob {
	size_t size;
	bool restricted;
	int nh, nextra, nabsent, nbusy;
};

struct entry {
	uint64_t generation;
	int64_t id, from, to;
	struct blob *data; /* NULL: empty */
};

/* A set's entries, the most recently used first: a key lives in one set
 * (its hash) and may take any of its SLOTCACHE_WAYS places, so keys that
 * share a set no longer push each other out as in a direct-mapped table
 * (there, 800 clinician-weeks in 4,096 slots left about 150 keys missing
 * on every visit: 14 % of a week walk's reads went to SQLite). */
struct set {
	struct entry w[SLOTCACHE_WAYS];
};

struct slotcache {
	atomic_size_t bytes;	    /* blobs held */
	atomic_uint_fast64_t swept; /* the generation of the last sweep */
	pthread_mutex_t mu[SLOTCACHE_LOCKS];
	struct set set[SLOTCACHE_SETS];
};

static struct hours *blob_hours(struct blob *b) { return (struct hours *)(b + 1); }
static struct interval *blob_extra(struct blob *b)
{
	return (struct interval *)(blob_hours(b) + b->nh);
}
static struct interval *blob_absent(struct blob *b) { return blob_extra(b) + b->nextra; }
static int32_t *blob_busy(struct blob *b) { return (int32_t *)(blob_absent(b) + b->nabsent); }

struct slotcache *slotcache_new(void)
{
	struct slotcache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	for (int i = 0; i < SLOTCACHE_LOCKS; i++)
		pthread_mutex_init(&c->mu[i], NULL);
	return c;
}

/* Call with the entry's lock held. */
static void empty(struct slotcache *c, struct entry *e)
{
	if (e->data)
		atomic_fetch_sub(&c->bytes, e->data->size);
	free(e->data);
	e->data = NULL;
}

void slotcache_free(struct slotcache *c)
{
	if (!c)
		return;
	for (int i = 0; i < SLOTCACHE_SETS; i++)
		for (int w = 0; w < SLOTCACHE_WAYS; w++)
			empty(c, &c->set[i].w[w]);
	for (int i = 0; i < SLOTCACHE_LOCKS; i++)
		pthread_mutex_destroy(&c->mu[i]);
	free(c);
}

static unsigned set_of(int64_t id, int64_t from, int64_t to)
{
	uint64_t h = HASH_START;

	h = hash_bytes(h, &id, sizeof(id));
	h = hash_bytes(h, &from, sizeof(from));
	h = hash_bytes(h, &to, sizeof(to));
	return (unsigned)(h % SLOTCACHE_SETS);
}

static pthread_mutex_t *lock_of(struct slotcache *c, unsigned set)
{
	return &c->mu[set % SLOTCACHE_LOCKS];
}

static bool same_key(const struct entry *e, int64_t id, int64_t from, int64_t to)
{
	return e->data && e->id == id && e->from == from && e->to == to;
}

/* Move place w of set st to the front (most recently used), the ones
 * before it one place on.  Call with the set's lock held. */
static void to_front(struct set *st, int w)
{
	struct entry e = st->w[w];

	memmove(&st->w[1], &st->w[0], sizeof(st->w[0]) * (size_t)w);
	st->w[0] = e;
}

bool slotcache_get(struct slotcache *c, int64_t id, int64_t from, int64_t to, uint64_t generation,
		   struct availability *av, struct interval *busy, int max, int *nbusy)
{
	unsigned set;
	struct set *st;
	struct entry *e = NULL;
	struct blob *b;
	bool hit = false;
	int w;

	if (!c)
		return false;
	set = set_of(id, from, to);
	st = &c->set[set];
	pthread_mutex_lock(lock_of(c, set));
	for (w = 0; w < SLOTCACHE_WAYS && !e; w++)
		if (same_key(&st->w[w], id, from, to))
			e = &st->w[w];
	b = e ? e->data : NULL;
	if (b && e->generation == generation && b->nbusy <= max) {
		const int32_t *v = blob_busy(b);

		av->restricted = b->restricted;
		av->nh = b->nh;
		av->nextra = b->nextra;
		av->nabsent = b->nabsent;
		memcpy(av->h, blob_hours(b), sizeof(av->h[0]) * (size_t)b->nh);
		memcpy(av->extra, blob_extra(b), sizeof(av->extra[0]) * (size_t)b->nextra);
		memcpy(av->absent, blob_absent(b), sizeof(av->absent[0]) * (size_t)b->nabsent);
		for (int i = 0; i < b->nbusy; i++)
			busy[i] = (struct interval){from + v[2 * i], from + v[2 * i + 1]};
		*nbusy = b->nbusy;
		hit = true;
		to_front(st, w - 1);
	} else if (b && e->generation < generation) {
		empty(c, e); /* stale: let the memory go now */
	}
	pthread_mutex_unlock(lock_of(c, set));
	return hit;
}

/* Let go of every entry made before generation (when the table is full:
 * stale entries otherwise keep their bytes until their place is used); once
 * a generation, so that a table full of current entries costs a miss no
 * walk. */
static void sweep(struct slotcache *c, uint64_t generation)
{
	uint_fast64_t last = atomic_load(&c->swept);

	if (generation <= last || !atomic_compare_exchange_strong(&c->swept, &last, generation))
		return;
	for (unsigned i = 0; i < SLOTCACHE_SETS; i++) {
		pthread_mutex_lock(lock_of(c, i));
		for (int w = 0; w < SLOTCACHE_WAYS; w++)
			if (c->set[i].w[w].data && c->set[i].w[w].generation < generation)
				empty(c, &c->set[i].w[w]);
		pthread_mutex_unlock(lock_of(c, i));
	}
}

static bool fits(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

void slotcache_put(struct slotcache *c, int64_t id, int64_t from, int64_t to, uint64_t generation,
		   const struct availability *av, const struct interval *busy, int nbusy)
{
	struct blob *b = NULL;
	struct set *st;
	unsigned set;
	size_t size;
	int32_t *v;
	int w;

	if (!c || av->nh < 0 || av->nh > HOURS_MAX || av->nextra < 0 ||
	    av->nextra > EXCEPTIONS_MAX || av->nabsent < 0 || av->nabsent > EXCEPTIONS_MAX ||
	    nbusy < 0)
		return;
	for (int i = 0; i < nbusy; i++)
		if (!fits(busy[i].start - from) || !fits(busy[i].end - from))
			return;
	size = sizeof(*b) + sizeof(av->h[0]) * (size_t)av->nh +
	       sizeof(av->extra[0]) * (size_t)(av->nextra + av->nabsent) +
	       2 * sizeof(*v) * (size_t)nbusy;
	if (atomic_load(&c->bytes) + size > SLOTCACHE_BYTES)
		sweep(c, generation);
	if (atomic_fetch_add(&c->bytes, size) + size > SLOTCACHE_BYTES || !(b = malloc(size))) {
		atomic_fetch_sub(&c->bytes, size); /* full of current entries */
		return;
	}
	*b = (struct blob){size, av->restricted, av->nh, av->nextra, av->nabsent, nbusy};
	memcpy(blob_hours(b), av->h, sizeof(av->h[0]) * (size_t)av->nh);
	memcpy(blob_extra(b), av->extra, sizeof(av->extra[0]) * (size_t)av->nextra);
	memcpy(blob_absent(b), av->absent, sizeof(av->absent[0]) * (size_t)av->nabsent);
	v = blob_busy(b);
	for (int i = 0; i < nbusy; i++) {
		v[2 * i] = (int32_t)(busy[i].start - from);
		v[2 * i + 1] = (int32_t)(busy[i].end - from);
	}
	set = set_of(id, from, to);
	st = &c->set[set];
	pthread_mutex_lock(lock_of(c, set));
	/* the place: this key's (an older read of it goes), else an empty or
	 * stale one, else the least recently used */
	for (w = 0; w < SLOTCACHE_WAYS; w++)
		if (same_key(&st->w[w], id, from, to))
			break;
	if (w < SLOTCACHE_WAYS && st->w[w].generation > generation) {
		pthread_mutex_unlock(lock_of(c, set)); /* a newer one is there: keep it */
		atomic_fetch_sub(&c->bytes, size);
		free(b);
		return;
	}
	for (int k = 0; w == SLOTCACHE_WAYS && k < SLOTCACHE_WAYS; k++)
		if (!st->w[k].data || st->w[k].generation < generation)
			w = k;
	if (w == SLOTCACHE_WAYS)
		w = SLOTCACHE_WAYS - 1;
	empty(c, &st->w[w]);
	st->w[w] = (struct entry){generation, id, from, to, b};
	to_front(st, w);
	pthread_mutex_unlock(lock_of(c, set));
}
