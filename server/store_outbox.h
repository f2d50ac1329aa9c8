/*
 * store_outbox.h - patient links and the message outbox (schema 0004).
 *
 * Callers that change an appointment add links and messages inside the
 * same transaction (store_appointments_edit's after-callback), so a message
 * exists exactly when its cause was committed.  The delivery worker claims
 * due messages one at a time with a lease, so a crash mid-send leaves the
 * message to be sent again (at least once; the outbox id is the
 * idempotency key).
 */
#ifndef TIMEBOK_STORE_OUTBOX_H
#define TIMEBOK_STORE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "token.h"

struct store;

struct link {
	int64_t id, appointment_id, participant_id;
	int64_t created_at, revoked_at; /* revoked_at 0: live */
};

#define OUTBOX_BODY_MAX 3072
#define OUTBOX_ICS_MAX 4096

struct outbox_msg {
	int64_t id, appointment_id, participant_id;
	char channel[8];   /* sms | email */
	char recipient[256];
	char kind[16];
	char language[4];
	char subject[256];
	char body[OUTBOX_BODY_MAX];
	char ics[OUTBOX_ICS_MAX]; /* "" when none */
	int64_t about_start;
	char status[8];    /* queued | sent | failed */
	int attempts;
	int64_t next_at;
	char last_error[256];
	int64_t created_at, sent_at;
	int64_t handled_at;    /* a failed message dealt with by other means; 0: not */
	char handled_by[64];   /* the username ("timebok" for a dropped one) */
	int64_t link_id;       /* the link its "{link}" stands for; 0: none */
	int64_t survey_link_id; /* or the survey link it stands for (issue 22); 0: none */
};

/* The participant row of appointment appt's patient.  APP_ENOTFOUND. */
enum app_err store_outbox_patient(struct store *s, int64_t appt, int64_t *participant_id) WARN_UNUSED;
/* Record participant's answer (FHIR: accepted, declined, tentative). */
enum app_err store_outbox_respond(struct store *s, int64_t participant_id, const char *response,
				  int64_t now) WARN_UNUSED;

/* Add a link for participant of appt with token hash and sealed box,
 * revoking the participant's earlier links. */
enum app_err store_outbox_link_add(struct store *s, int64_t appt, int64_t participant_id,
				   const char *hash, const uint8_t box[TOKEN_BOX_LEN],
				   int64_t now) WARN_UNUSED;
/* Revoke the live links of appointment appt's patient. */
enum app_err store_outbox_links_revoke(struct store *s, int64_t appt, int64_t now) WARN_UNUSED;
/* Revoke the live links of participant. */
enum app_err store_outbox_participant_revoke(struct store *s, int64_t participant_id,
					     int64_t now) WARN_UNUSED;
/* The link whose token has hash.  APP_ENOTFOUND. */
enum app_err store_outbox_link_find(struct store *s, const char *hash, struct link *out) WARN_UNUSED;
/* Before a new receipt of a patient's answer: drop participant_id's
 * receipts not yet tried (a later answer replaced them) and say when the
 * last one still standing went out or is due (*last, 0: none). */
enum app_err store_outbox_receipt_replace(struct store *s, int64_t participant_id, int64_t now,
					  int64_t *last) WARN_UNUSED;
/* How many links participant ever had. */
enum app_err store_outbox_link_count(struct store *s, int64_t participant_id,
				     int64_t *n) WARN_UNUSED;

/* The id of participant's live link (0 when none). */
enum app_err store_outbox_link_live(struct store *s, int64_t participant_id,
				    int64_t *link_id) WARN_UNUSED;
/* The sealed token of message m's own link (m->link_id), while that link
 * is live and m's participant still takes part.  APP_ENOTFOUND otherwise:
 * the message must then be dropped, never given another link. */
enum app_err store_outbox_bound_box(struct store *s, const struct outbox_msg *m,
				    uint8_t box[TOKEN_BOX_LEN]) WARN_UNUSED;
/* Participant participant_id's address on channel ("sms": the phone,
 * "email") as it is now, into out (cap bytes; "" when none), and whether
 * they still take part (*takes_part false for a removed guest). */
enum app_err store_outbox_address(struct store *s, int64_t participant_id, const char *channel,
				  char *out, size_t cap, bool *takes_part) WARN_UNUSED;
/* Drop message id, never to be sent: failed, handled by "timebok", why in
 * last_error (static or caller-owned text). */
enum app_err store_outbox_drop(struct store *s, int64_t id, const char *why,
			       int64_t now) WARN_UNUSED;
/* Drop every queued message to participant_id the same way (a patient
 * replaced, a guest removed), in the caller's transaction. */
enum app_err store_outbox_drop_participant(struct store *s, int64_t participant_id,
					   const char *why, int64_t now) WARN_UNUSED;
#define OUTBOX_READDRESS_MAX 200 /* a patient's upcoming appointments with a live link */
/* Patient patient_id's appointments not yet over by now, not cancelled,
 * whose patient link is live, soonest first; at most max ids. */
enum app_err store_outbox_readdress_due(struct store *s, int64_t patient_id, int64_t now,
					int64_t *ids, int max, int *n) WARN_UNUSED;
/* Queue m (id, status, attempts, created_at are set here; due at now, or
 * at m->next_at when that is later;
 * m->link_id binds its "{link}"). */
enum app_err store_outbox_add(struct store *s, struct outbox_msg *m, int64_t now) WARN_UNUSED;
/* Drop appt's reminders that were never tried (no reminder for a cancelled
 * or opted-out appointment); one under way is left to finish. */
enum app_err store_outbox_withdraw(struct store *s, int64_t appt) WARN_UNUSED;

typedef bool (*outbox_fn)(void *ctx, const struct outbox_msg *m);
/* Appointment appt's messages, oldest first. */
enum app_err store_outbox_list(struct store *s, int64_t appt, outbox_fn fn, void *ctx) WARN_UNUSED;

/* Claim the message due first (next_at <= now): attempts + 1 and leased
 * until now + lease.  APP_ENOTFOUND when none is due. */
enum app_err store_outbox_claim(struct store *s, int64_t now, int lease, struct outbox_msg *out) WARN_UNUSED;
/* Record an attempt's outcome: status "sent", "failed", or "queued" again
 * at retry_at; err (NULL on success) becomes last_error. */
enum app_err store_outbox_finish(struct store *s, int64_t id, const char *status, const char *err,
				 int64_t retry_at, int64_t now) WARN_UNUSED;
/* Mark appt's failed message id handled by user by at now (it leaves the
 * work queue); *changed says whether it was not marked before (marking it
 * again changes nothing).  APP_ENOTFOUND when appt has no such message,
 * APP_ETRANSITION when it did not fail. */
enum app_err store_outbox_handled(struct store *s, int64_t appt, int64_t id, const char *by,
				  int64_t now, bool *changed) WARN_UNUSED;
/* When the next queued message is due (0: none). */
enum app_err store_outbox_next_due(struct store *s, int64_t *at) WARN_UNUSED;

/* Appointments starting in (now, now + window] that are invited or
 * confirmed, have a live link, and have had neither a reminder for that
 * start nor an invitation or change within the window; at most max ids. */
enum app_err store_outbox_reminders_due(struct store *s, int64_t now, int64_t window, int64_t *ids,
					int max, int *n) WARN_UNUSED;

#endif
