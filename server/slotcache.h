/*
 * slotcache.h - what the free-slot search reads of one clinician for one
 * range (the hours template, the exceptions touching the range, whether
 * the clinician is restricted, and the busy intervals), kept until the data
 * changes.
 *
 * The search (api_slots.c) reads these for each clinician it is asked
 * about; 20 clinicians' week is about 5,000 busy intervals, each an index
 * step and two row lookups (the participant's appointment, for its
 * buffers): 2-3 ms of SQLite a search, measured with tests/bench.  A hit is
 * a copy.
 *
 * Correctness is listcache.h's rule: an entry is stamped with the data
 * generation read before the reads that made it (store_generation) and
 * served only while the generation is unchanged.  Every commit that
 * changes a table the search reads (appointments, participants, hours,
 * hours_exceptions) moves the generation, so a booking, a cancel, an
 * absence or a new template is seen by the next search; and the booking
 * itself checks overlaps in its own transaction in any case.
 *
 * The table is set-associative (SLOTCACHE_SETS sets of SLOTCACHE_WAYS
 * entries, the least recently used of a set making room, under
 * SLOTCACHE_LOCKS striped locks) and holds at most SLOTCACHE_BYTES of
 * entries; busy intervals are kept as 32-bit offsets from the range's
 * start (a range is at most 62 days).  Rooms are not kept: they are read
 * only when a room is needed, and per day.
 */
#ifndef TIMEBOK_SLOTCACHE_H
#define TIMEBOK_SLOTCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "slots.h"

#define SLOTCACHE_SETS 512 /* power of two */
#define SLOTCACHE_WAYS 8
#define SLOTCACHE_LOCKS 64
#define SLOTCACHE_BYTES (2u << 20) /* a week of 800 clinicians at 1M: 1.7 MB */

struct slotcache;

struct slotcache *slotcache_new(void);
void slotcache_free(struct slotcache *c);

/* On a hit (clinician id, range [from, to), made at generation): fill av
 * and busy[0..*nbusy) (at most max; a larger entry is a miss) as
 * store_hours_availability and store_hours_busy did; true.  A NULL cache
 * never hits. */
bool slotcache_get(struct slotcache *c, int64_t id, int64_t from, int64_t to, uint64_t generation,
		   struct availability *av, struct interval *busy, int max, int *nbusy);
/* Keep av and busy[0..nbusy) for (id, [from, to)), read at generation. */
void slotcache_put(struct slotcache *c, int64_t id, int64_t from, int64_t to, uint64_t generation,
		   const struct availability *av, const struct interval *busy, int nbusy);

#endif
