/*
 * store_appointments.h - persisting appointments and their participants.
 *
 * Writes are whole transactions here (BEGIN IMMEDIATE ... COMMIT), with the
 * conflict check inside, so no caller can split check from write.  The
 * business rules that depend on the current row (status transitions, what a
 * patch means) come in as a callback that runs inside the transaction.
 */
#ifndef TIMEBOK_STORE_APPOINTMENTS_H
#define TIMEBOK_STORE_APPOINTMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "appointment.h"
#include "err.h"

struct store;

#define CONFLICTS_MAX 32

struct conflicts {
	int n;
	struct {
		const char *kind; /* "clinician" | "room" | "patient" (static) */
		int64_t id;
		int64_t appointment_id;
	} c[CONFLICTS_MAX];
};

/* Why one appointment of a series cannot be booked. */
struct occurrence_failure {
	int index;             /* 0 = the first */
	int64_t start;
	enum app_err code;     /* APP_ECONFLICT or APP_EOUTSIDE_HOURS */
	char message[200];
	const struct conflicts *cf; /* APP_ECONFLICT: what it overlaps */
};

/* One appointment list query; zero fields do not filter. */
struct appt_filter {
	int64_t from, to; /* overlapping [from, to); 0 = open */
	int64_t clinician_id, room_id, patient_id, series_id;
	int64_t unit_id;      /* only appointments with a clinician of this unit */
	unsigned status_mask; /* bit per enum appt_status; 0 = all */
	int mode;             /* -1 = all */
	int nunits;           /* only appointments with a clinician of these units */
	const int64_t *unit_ids;
	int limit, offset;
};

typedef bool (*appt_row_fn)(void *ctx, const struct appointment *a);

/* Change next (a copy of cur) as the request asks; validate against cur.
 * Runs inside the write transaction.  Returning non-OK aborts the edit; the
 * callback reports its own error details. */
typedef enum app_err (*appt_edit_fn)(void *ctx, const struct appointment *cur,
				     struct appointment *next);

/* Runs after an edit was written, in its transaction, before the commit
 * (also when the edit changed nothing): what the change causes (links,
 * messages) commits with it or not at all.  next has its new version. */
typedef enum app_err (*appt_after_fn)(void *ctx, struct store *s, const struct appointment *cur,
				      const struct appointment *next);

/* Load appointment id.  APP_ENOTFOUND. */
enum app_err store_appointments_get(struct store *s, int64_t id, struct appointment *out) WARN_UNUSED;

/* Book a (id, version, timestamps are set here): check for overlaps of its
 * clinicians, patient and room, insert it and its participants, record the
 * history and the audit row for who (NULL: the system) in the same
 * transaction.  APP_ECONFLICT with *cf filled when the time is taken. */
enum app_err store_appointments_create(struct store *s, struct appointment *a,
				       const struct actor *who, int64_t now,
				       struct conflicts *cf) WARN_UNUSED;

/* Runs after a new appointment a was written, in its transaction. */
typedef enum app_err (*appt_created_fn)(void *ctx, struct store *s, const struct appointment *a);
/* store_appointments_create, then after (NULL: nothing) with ctx.  The
 * booking runs by group commit (store_group): with other threads' bookings
 * in one transaction, in a savepoint of its own, maybe on another thread's
 * connection (after gets that one as s); it returns once committed. */
enum app_err store_appointments_create_then(struct store *s, struct appointment *a,
					    appt_created_fn after, void *ctx,
					    const struct actor *who, int64_t now,
					    struct conflicts *cf) WARN_UNUSED;

/* Book the n appointments of a series v[] all or nothing, in one
 * transaction: APP_ECONFLICT with cf[i] filled for each one that overlaps
 * (cf[i].n = 0 for those that do not), and nothing written.  On success
 * each gets its id and series_id, the first one's id.  With !write only
 * the overlaps are looked for. */
enum app_err store_appointments_create_series(struct store *s, struct appointment *v, int n,
					      bool write, const struct actor *who, int64_t now,
					      struct conflicts *cf) WARN_UNUSED;

/* Change appointment id: load it, check if_match (0 = any) against its
 * version (APP_ESTALE), let fn edit a copy, check overlaps when time,
 * people, room or liveness changed (APP_ECONFLICT, *cf), write with the
 * version bumped and the history recorded.  An edit that changes nothing
 * writes nothing.  *out gets the resulting appointment. */
enum app_err store_appointments_edit(struct store *s, int64_t id, int64_t if_match,
				     appt_edit_fn fn, void *ctx, const struct actor *who,
				     int64_t now, struct conflicts *cf,
				     struct appointment *out) WARN_UNUSED;

/* store_appointments_edit, then after (see appt_after_fn) with ctx. */
enum app_err store_appointments_edit_then(struct store *s, int64_t id, int64_t if_match,
					  appt_edit_fn fn, appt_after_fn after, void *ctx,
					  const struct actor *who, int64_t now, struct conflicts *cf,
					  struct appointment *out) WARN_UNUSED;

/* Record a change to a that is not one of its own fields (a guest added,
 * say) in its history, and the audit row, in the caller's transaction:
 * action "guest_added", changes a JSON object. */
enum app_err store_appointments_note(struct store *s, const struct appointment *a, int64_t now,
				     const struct actor *who, const char *action,
				     const char *changes) WARN_UNUSED;

/* Appointments matching f, ordered by start, with the patient's name. */
enum app_err store_appointments_list(struct store *s, const struct appt_filter *f, appt_row_fn fn,
				     void *ctx) WARN_UNUSED;

/* The calendar's board: the appointments meeting [from, to) (as the list's
 * from/to), of a clinician of unit (0: any) and, when nunits, of one of
 * units; at most limit, ordered by start and id.  Only what the calendar
 * draws is filled in: id, start, end, mode, status, patient_id and
 * patient_name, clinician_ids, room_id. */
enum app_err store_appointments_board(struct store *s, int64_t from, int64_t to, int64_t unit,
				      int nunits, const int64_t *units, int limit, appt_row_fn fn,
				      void *ctx) WARN_UNUSED;

/* Clinician's appointments starting in [from, to), ordered by start, with
 * the patient's name filled in. */
enum app_err store_appointments_day(struct store *s, int64_t clinician_id, int64_t from, int64_t to,
				    appt_row_fn fn, void *ctx) WARN_UNUSED;

/* One item of the secretary's work queue (schema/0010_work_queue.sql). */
struct queue_item {
	char kind[16];       /* opted_out | unanswered | message_failed | prom_control */
	int64_t at;          /* when it arose */
	char detail[256];    /* the patient's reason, or the delivery error; "" */
	int64_t message_id;  /* message_failed: the message; else 0 */
	char channel[8];     /* message_failed: sms | email */
	int64_t response_id; /* prom_control: the answer that asked for it; else 0 */
	struct appointment a; /* with the patient's name */
};

struct queue_filter {
	int64_t now;
	int64_t window;       /* unanswered: invited and starting within this (s) */
	int64_t back;         /* opted out or failed: appointments ending after now - back */
	int64_t unit_id;      /* 0: all */
	int nunits;           /* a secretary's units; 0: all */
	const int64_t *unit_ids;
	int limit, offset;
};

typedef bool (*queue_fn)(void *ctx, const struct queue_item *q);

/* An invitation the patient has not answered waits this long (seconds) for
 * an answer before it is "unanswered" in the work queue, or half the time
 * from the invitation to the start when that is less. */
#define QUEUE_GRACE_S 86400
#define QUEUE_TEXT_(x) #x
#define QUEUE_TEXT(x) QUEUE_TEXT_(x)

/* What needs a secretary: failed messages not followed by any later one to
 * the same recipient and not marked handled, first; then, by the
 * appointment's start, patients who opted out of video (until re-booked,
 * answered again or cancelled) and invitations starting within f->window
 * that the patient has had reasonable time to answer (QUEUE_GRACE_S). */
enum app_err store_appointments_queue(struct store *s, const struct queue_filter *f, queue_fn fn,
				      void *ctx) WARN_UNUSED;
/* How many items the work queue of f has (its limit aside). */
enum app_err store_appointments_queue_count(struct store *s, const struct queue_filter *f,
					    int64_t *n) WARN_UNUSED;

struct appt_history {
	int64_t id, at;
	char actor[128];
	char action[32];
	const char *changes; /* JSON text, valid during the callback only */
};
typedef bool (*appt_history_fn)(void *ctx, const struct appt_history *h);
/* The history of appointment id, oldest first. */
enum app_err store_appointments_history(struct store *s, int64_t id, appt_history_fn fn,
					void *ctx) WARN_UNUSED;

#endif
