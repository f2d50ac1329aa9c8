/*
 * store_participants.h - everyone who takes part in an appointment: the
 * patient, the clinicians, and guests (external participants).
 *
 * Guests are added, changed and removed here; the patient and clinician
 * rows are kept by store_appointments.c.  A removed guest keeps its row
 * (the messages sent to it stay readable) but counts no more.
 */
#ifndef TIMEBOK_STORE_PARTICIPANTS_H
#define TIMEBOK_STORE_PARTICIPANTS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct store;

#define GUEST_NAME_MAX 200

struct participant {
	int64_t id, appointment_id;
	char kind[12]; /* patient | clinician | external */
	int64_t patient_id, clinician_id;
	char name[256]; /* a guest's own; else the patient's or clinician's */
	char role[16];	/* guests: gp nav interpreter next_of_kin other */
	char organisation[256];
	char interpreter_language[64];
	char phone[40];
	char email[256];
	char language[4]; /* guests: the language of their messages */
	char response[16];
	int64_t responded_at, removed_at;
	int64_t links; /* how many links it ever had */
};

typedef bool (*participant_fn)(void *ctx, const struct participant *p);
/* appt's participants (the patient, the clinicians, then guests in the
 * order they were added); removed guests only if with_removed. */
enum app_err store_participants_list(struct store *s, int64_t appt, bool with_removed,
				     participant_fn fn, void *ctx) WARN_UNUSED;
/* The clinicians and guests (not the patients; not removed guests) of
 * every appointment of clinician_id starting in [from, to), the day list's
 * (store_appointments_day), ordered by appointment id, clinicians first;
 * only what the day list shows: id, appointment_id, kind, clinician_id,
 * name, role, organisation, interpreter_language and response (the rest
 * empty or 0). */
enum app_err store_participants_day(struct store *s, int64_t clinician_id, int64_t from,
				    int64_t to, participant_fn fn, void *ctx) WARN_UNUSED;
/* Participant id of appt.  APP_ENOTFOUND. */
enum app_err store_participants_get(struct store *s, int64_t appt, int64_t id,
				    struct participant *out) WARN_UNUSED;
/* Add guest p to p->appointment_id (id set here). */
enum app_err store_participants_add(struct store *s, struct participant *p) WARN_UNUSED;
/* Write guest p's details (name to language). */
enum app_err store_participants_update(struct store *s, const struct participant *p) WARN_UNUSED;
/* Remove guest id of appt and revoke its links.  APP_ENOTFOUND. */
enum app_err store_participants_remove(struct store *s, int64_t appt, int64_t id,
				       int64_t now) WARN_UNUSED;
/* How many guests appt has (not removed). */
enum app_err store_participants_guests(struct store *s, int64_t appt, int64_t *n) WARN_UNUSED;

#endif
