/*
 * appointment.h - the appointment: its fields, modes, statuses and rules.
 *
 * Shared by the store (which persists it) and the API (which validates and
 * answers it).  The status rules live here so every path that changes a
 * status (staff PATCH, the patient link, the clinician's list) obeys one
 * table.
 */
#ifndef TIMEBOK_APPOINTMENT_H
#define TIMEBOK_APPOINTMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APPT_MAX_CLINICIANS 16
#define APPT_MAX_GUESTS 64 /* GP, NAV, interpreters, next of kin: a meeting, not a broadcast */
#define APPT_MAX_SECONDS 43200 /* 12 h; the schema's CHECK and overlap bound */
#define APPT_REASON_MAX 500
#define APPT_REFERENCE_MAX 40 /* characters of the clinic's own reference (0015) */

enum appt_mode { APPT_VIDEO, APPT_IN_PERSON, APPT_PHONE, APPT_MODE_COUNT };

enum appt_status {
	APPT_BOOKED,
	APPT_INVITED,
	APPT_CONFIRMED,
	APPT_OPTED_OUT,
	APPT_CANCELLED,
	APPT_COMPLETED,
	APPT_NO_SHOW,
	APPT_STATUS_COUNT
};

struct appointment {
	int64_t id;
	int64_t start, end; /* UTC seconds */
	enum appt_mode mode;
	enum appt_status status;
	int64_t patient_id;
	int64_t room_id; /* 0: none */
	int64_t type_id; /* consultation type; 0: none */
	int64_t series_id; /* the first appointment of its series; 0: none */
	int64_t buffer_before, buffer_after; /* seconds kept free around it (the type's) */
	int nclinicians;
	int64_t clinician_ids[APPT_MAX_CLINICIANS];
	char video_url[512];
	char video_host_url[512]; /* the clinician's link to the same meeting */
	char status_reason[APPT_REASON_MAX + 1];
	enum appt_mode held_mode; /* how a completed one was held (else unused) */
	char opt_out_reason[20];  /* the category the patient gave when opting out, kept
				   * after a re-booking ("" none; store_stats.h) */
	char reference[APPT_REFERENCE_MAX * 4 + 1]; /* the clinic's, for guests ("" none) */
	int64_t version;
	int64_t created_at, updated_at;
	char patient_name[256]; /* filled by the lists only */
	char patient_birth_date[11], room_name[128], room_location[128]; /* the day list only */
	char patient_phone[40]; /* the day list only: the number to call */
	bool override_hours;    /* this change was booked outside working hours on
				 * purpose (recorded in the history, not stored) */
};

/* A consultation type's booking rules (resources_types). */
struct appt_type {
	int64_t id, unit_id;
	char name[256];
	int64_t duration_minutes;
	bool video_allowed, needs_room, active;
	enum appt_mode default_mode;
	int64_t buffer_before, buffer_after; /* seconds */
};

const char *appointment_mode_name(enum appt_mode m);
/* -1 when s is not a mode */
int appointment_mode_parse(const char *s);
const char *appointment_status_name(enum appt_status s);
int appointment_status_parse(const char *s);

/* Whether a status may change from -> to (from == to is no change, true). */
bool appointment_transition_ok(enum appt_status from, enum appt_status to);

/* Whether a, marked no-show, may be opened again as to at now, was being
 * its status before the no-show: only back to that open status (booked,
 * invited or confirmed), so an undo claims no answer the patient never
 * gave, and only the same clinic-local day (a no-show marked by mistake,
 * the patient in the waiting room after all), not once it has gone into
 * the figures. */
bool appointment_no_show_undo_ok(const struct appointment *a, enum appt_status was,
				 enum appt_status to, int64_t now);

/* A patient's answer through their link. */
enum appt_answer { ANSWER_CONFIRM, ANSWER_OPT_OUT, ANSWER_CANCEL };

/* Why the patient may not give answer to a at now (static text), or NULL
 * when they may; *to gets the resulting status (the same status: no
 * change, as for an answer given twice).  A patient may confirm, ask to
 * meet in person instead of by video (opt out, video only) or cancel,
 * before the appointment begins, and change their mind until then; a
 * cancelled or finished appointment takes no answer but a repeated cancel. */
const char *appointment_answer_refusal(const struct appointment *a, enum appt_answer answer,
				       int64_t now, enum appt_status *to);

/* Whether the appointment holds its time (only cancelled ones do not). */
static inline bool appointment_live(const struct appointment *a)
{
	return a->status != APPT_CANCELLED;
}

/* Whether clinician id takes part. */
bool appointment_has_clinician(const struct appointment *a, int64_t id);

/* Give a a new meeting: its video_url from template_ ("{room}" becomes 128
 * random bits in lowercase base32), and the clinician's video_host_url to
 * the same room from host_template (NULL or "": the same link).  The room
 * code is in the patient's link, so a host page must sign its host in
 * (hospital login) rather than trust the address.  false when a link does
 * not fit. */
bool appointment_video_url(const char *template_, const char *host_template,
			   struct appointment *a);

#endif
