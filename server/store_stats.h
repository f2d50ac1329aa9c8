/*
 * store_stats.h - the outcome statistics' facts and sums (issue 21).
 *
 * Each appointment has one row of facts (what the statistics count of it),
 * recomputed by store_stats_refresh() in the transaction of every change
 * to it; triggers add each row into per-day sums (schema/0014_outcomes.sql),
 * so a question about a year reads a few thousand sums, never the
 * appointments.  Nothing here holds a patient's identity: facts name a
 * unit, a day, a clinician, a type and an age band.
 */
#ifndef TIMEBOK_STORE_STATS_H
#define TIMEBOK_STORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;

/* The sums, in the order of stats_daily's columns. */
enum stats_count {
	SC_BOOKED_VIDEO,
	SC_BOOKED_IN_PERSON,
	SC_BOOKED_PHONE,
	SC_HELD_VIDEO,
	SC_HELD_IN_PERSON,
	SC_HELD_PHONE,
	SC_PHONE_FALLBACK,
	SC_OPTED_OUT,
	SC_OPT_EQUIPMENT,
	SC_OPT_PREFER,
	SC_OPT_EXAMINATION,
	SC_OPT_LANGUAGE,
	SC_OPT_OTHER,
	SC_OPT_NONE,
	SC_NO_SHOW_VIDEO,
	SC_NO_SHOW_IN_PERSON,
	SC_NO_SHOW_PHONE,
	SC_CANCELLED_PATIENT,
	SC_CANCELLED_CLINIC,
	SC_LATE,
	SC_INVITED,
	SC_ANSWERED,
	SC_ROOM_SECONDS,
	SC_N
};

/* Age bands at the appointment's day; STATS_BAND_UNKNOWN: no birth date. */
enum stats_band { STATS_BAND_0_17, STATS_BAND_18_39, STATS_BAND_40_66, STATS_BAND_67_79,
		  STATS_BAND_80, STATS_BAND_UNKNOWN, STATS_NBANDS };
extern const char *const stats_band_names[STATS_NBANDS];

/* The opt-out categories the patient page offers (appointments.opt_out_reason). */
#define STATS_NREASONS 5
extern const char *const stats_reason_names[STATS_NREASONS];
/* The index of reason code s, or -1. */
int stats_reason_parse(const char *s);

/* What a query groups by: the sums' key columns (a day, for months and
 * weeks, which the caller folds). */
enum stats_dim { DIM_DAY, DIM_UNIT, DIM_CLINICIAN, DIM_TYPE, DIM_BAND };

/* Which sums a query reads: per day, or the same kept per ISO week or month. */
enum stats_grain { GRAIN_DAY, GRAIN_WEEK, GRAIN_MONTH };

struct stats_filter {
	enum stats_grain grain;	  /* store_stats_sums only; answers are per day */
	int64_t from_day, to_day; /* both included: local days since 1970-01-01; for
				   * GRAIN_WEEK the days of Mondays, for GRAIN_MONTH
				   * year * 12 + month - 1 */
	int64_t unit_id, clinician_id, type_id; /* 0: any */
	int nunits;                /* when > 0: only these units */
	const int64_t *units;
	enum stats_dim dim;
};

/* Sums of key (a day, unit, clinician, type or band) in one unit; a key may
 * come in several parts, for the caller to add up. */
struct stats_sums {
	int64_t key, unit_id;
	int64_t n[SC_N];
};
typedef bool (*stats_sums_fn)(void *ctx, const struct stats_sums *row);
/* Call fn for the sums matching f, in parts (see struct stats_sums); for
 * DIM_DAY the key is a day (a week's Monday, a month's first day).  The
 * weekly sums keep no age band: DIM_BAND asks days or months. */
enum app_err store_stats_sums(struct store *s, const struct stats_filter *f, stats_sums_fn fn,
			      void *ctx) WARN_UNUSED;

/* Answered invitations: n answered after `hours` whole hours, in group key
 * (a key and hours may come in several parts). */
typedef bool (*stats_answers_fn)(void *ctx, int64_t key, int64_t hours, int64_t n);
enum app_err store_stats_answers(struct store *s, const struct stats_filter *f,
				 stats_answers_fn fn, void *ctx) WARN_UNUSED;

/* A waiting-list entry of the units in f (and its clinician and type):
 * when it was put on the list, when it left (0: still waiting), and what
 * it is grouped by.  No patient identity. */
struct stats_waiting {
	int64_t since, left, unit_id, clinician_id, type_id;
	char birth_date[11]; /* "" when unknown */
};
typedef bool (*stats_waiting_fn)(void *ctx, const struct stats_waiting *w);
/* Entries put on the list before `before` that were still waiting at
 * `start` (f's days unused). */
enum app_err store_stats_waiting(struct store *s, const struct stats_filter *f, int64_t start,
				 int64_t before, stats_waiting_fn fn, void *ctx) WARN_UNUSED;

/* A unit's statistics settings. */
struct stats_unit {
	int64_t id;
	char name[256];
	int64_t target_percent, travel_km, travel_minutes; /* -1: not set */
};
typedef bool (*stats_unit_fn)(void *ctx, const struct stats_unit *u);
/* Every unit, by id. */
enum app_err store_stats_units(struct store *s, stats_unit_fn fn, void *ctx) WARN_UNUSED;
/* The name of clinician or type id (DIM_CLINICIAN, DIM_TYPE) and its unit;
 * APP_ENOTFOUND when there is none. */
enum app_err store_stats_name(struct store *s, enum stats_dim dim, int64_t id, char *name,
			      size_t cap, int64_t *unit_id) WARN_UNUSED;

/* The age band of someone born on birth ("YYYY-MM-DD", or ""/NULL) on the
 * local day (days since 1970-01-01). */
enum stats_band stats_band_of(const char *birth, int64_t day);
/* The local day (days since 1970-01-01) of instant t in the clinic's zone. */
int64_t stats_local_day(int64_t t);

/* Recompute appointment id's facts (and so the sums), in the caller's
 * transaction. */
enum app_err store_stats_refresh(struct store *s, int64_t id) WARN_UNUSED;
/* Record a patient's opt-out category (reason: a stats_reason_names code,
 * or NULL) and, for a cancellation, whether it came inside the notice; in
 * the caller's transaction, before the refresh. */
enum app_err store_stats_answer(struct store *s, int64_t id, const char *reason, bool late)
	WARN_UNUSED;
/* Make the facts of every appointment that has none (a database migrated
 * to 0014, or filled by a tool), in one transaction.  *made: how many. */
enum app_err store_stats_backfill(struct store *s, int64_t *made) WARN_UNUSED;

#endif
