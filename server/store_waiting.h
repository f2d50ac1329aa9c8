/*
 * store_waiting.h - the waiting list's queries beyond the directory ones
 * (resources_waiting does list, create, read, change and remove): whom to
 * offer a freed slot, and booking an entry.
 */
#ifndef TIMEBOK_STORE_WAITING_H
#define TIMEBOK_STORE_WAITING_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct store;

struct waiting_offer {
	int64_t id, patient_id, type_id, clinician_id;
	char patient_name[256];
	char priority[8];
	char earliest[12];
	char note[512];
	int64_t since;
};

typedef bool (*waiting_fn)(void *ctx, const struct waiting_offer *w);
/* The waiting entries a slot of type_id (0: none) with clinicians ids on
 * local day (YYYY-MM-DD) suits, in order: urgent first, then the longest
 * waiting.  With a type: entries for that type and any or one of these
 * clinicians; without: entries for one of these clinicians.  With nunits,
 * only entries of a type of one of unit_ids. */
enum app_err store_waiting_offers(struct store *s, int64_t type_id, const int64_t *ids, int n,
				  int nunits, const int64_t *unit_ids, const char *day, int limit,
				  waiting_fn fn, void *ctx) WARN_UNUSED;
/* Mark waiting entry id of patient booked with appointment.  APP_ETRANSITION
 * when it is no longer waiting (or not that patient's). */
enum app_err store_waiting_book(struct store *s, int64_t id, int64_t patient_id,
				int64_t appointment_id, int64_t now) WARN_UNUSED;

#endif
