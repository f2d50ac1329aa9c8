/*
 * outbox.h - what the patient is told, and the worker that tells them.
 *
 * In the transaction of a change (store_appointments_edit_then's after
 * callback), outbox_invite() issues a link and queues the invitation, and
 * outbox_on_change() queues what a change means to the patient: a new link
 * and a "changed" message when an invited appointment moves or changes
 * mode or room, "cancelled" when it is cancelled, and a receipt when the
 * patient answers through the link: at most one receipt per
 * OUTBOX_RECEIPT_QUIET seconds (a link flipping its answer back and forth
 * queued two messages a POST): one not yet sent gives way to the next
 * answer's, which waits for the quiet time to end, so the last answer is
 * always told; a cancellation ends the answers and is told at once.  Messages are rendered when queued, with
 * "{link}" standing for the link: the worker fills in the message's own link
 * when it sends, so the token is never stored in clear, and folds the .ics
 * again after filling it in (ics_fill_link).
 *
 * The worker (one thread, its own connection) claims due messages one at a
 * time, sends them through notify.h, and records the outcome: sent, retried
 * with exponential backoff (--retry-base, doubling, at most an hour), or
 * failed after --delivery-attempts or a permanent refusal.  It also queues
 * reminders --reminder-hours before invited and confirmed appointments.  A
 * commit that queued messages kicks it; otherwise it wakes for the next due
 * message, and at least every 30 seconds to look for reminders.
 */
#ifndef TIMEBOK_OUTBOX_H
#define TIMEBOK_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "appointment.h"
#include "err.h"

struct app;
struct store;
struct outbox;

#define OUTBOX_SMS 1u
#define OUTBOX_EMAIL 2u
#define OUTBOX_URL_MAX 384
#define OUTBOX_RECEIPT_QUIET 300 /* seconds: one receipt of an answer in that time */

/* Issue a fresh link for a's patient (revoking earlier ones) and queue the
 * invitation on channels (a mask; only those the patient has an address
 * for).  url gets the link, *queued the number of messages. */
enum app_err outbox_invite(struct app *app, struct store *db, const struct appointment *a,
			   unsigned channels, int64_t now, char url[OUTBOX_URL_MAX],
			   int *queued) WARN_UNUSED;

/* Queue a message of kind (survey, prom, prom_reminder, feedback) to a's
 * patient on every channel they have: "{link}" bound to survey link
 * survey_link (0: none), feedback the band text of a feedback message. */
enum app_err outbox_survey(struct app *app, struct store *db, const struct appointment *a,
			   const char *kind, int64_t survey_link, const char *feedback, int64_t now,
			   int *queued) WARN_UNUSED;

struct participant;
struct actor;
/* Issue a fresh link for guest p of a and queue its invitation. */
enum app_err outbox_invite_guest(struct app *app, struct store *db, const struct appointment *a,
				 const struct participant *p, unsigned channels, int64_t now,
				 char url[OUTBOX_URL_MAX], int *queued) WARN_UNUSED;

/* Queue what the change cur -> next tells the patient (see the top), and
 * the guests who were invited: a move (with a new link) or a cancellation;
 * by_patient when the patient made it through their link. */
enum app_err outbox_on_change(struct app *app, struct store *db, const struct appointment *cur,
			      const struct appointment *next, bool by_patient,
			      int64_t now) WARN_UNUSED;

/* Give next (a copy of cur being edited) a new video room when cur is a
 * live video meeting that has not ended by now: someone who could open the
 * old room must no longer be able to.  APP_ESTORE when the URL does not
 * fit. */
enum app_err outbox_new_room(const struct app *app, const struct appointment *cur,
			     struct appointment *next, int64_t now) WARN_UNUSED;

/* Participant participant_id (the patient or a guest) of appointment appt
 * had their phone number or e-mail corrected, so the links that went to
 * the old address may be in a stranger's hands.  In a transaction of its
 * own: a live video meeting gets a new room and everyone invited is told
 * with a new link (they at their new address); otherwise they get a new
 * link and the invitation again, at the new address.  Nothing when they
 * have no live link (never invited). */
enum app_err outbox_readdressed(struct app *app, struct store *db, int64_t appt,
				int64_t participant_id, const struct actor *who,
				int64_t now) WARN_UNUSED;

/* When a's links stop opening it. */
int64_t outbox_link_expires(const struct app *app, const struct appointment *a);
/* The host part of the public URL (for calendar UIDs). */
void outbox_host(const struct app *app, char *out, size_t cap);
/* The patient link of token. */
void outbox_link_url(const struct app *app, const char *token, char out[OUTBOX_URL_MAX]);

struct buf;
/* Append text to out with every "{link}" replaced by url. */
void outbox_fill_link(struct buf *out, const char *text, const char *url);

/* The calendar object of a (for the patient link and the e-mail), with
 * link ("{link}" to fill in later) in its description, in a's patient's
 * language lang. */
enum app_err outbox_ics(struct app *app, struct store *db, const struct appointment *a,
			const char *lang, const char *link, struct buf *out) WARN_UNUSED;

/* Start the worker on its own connection to the database.  *out is new. */
enum app_err outbox_new(struct app *app, struct outbox **out) WARN_UNUSED;
/* Stop the worker (a send under way finishes first).  NULL-safe. */
void outbox_free(struct outbox *o);
/* Wake the worker: something was queued.  NULL-safe. */
void outbox_kick(struct outbox *o);

#endif
