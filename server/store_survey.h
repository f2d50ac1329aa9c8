/*
 * store_survey.h - questionnaires, survey links, follow-up sends and
 * answers (schema 0016).  JSON is kept as text here: the api and outbox
 * layers parse it.  Writers run inside the caller's transaction.
 */
#ifndef TIMEBOK_STORE_SURVEY_H
#define TIMEBOK_STORE_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "token.h"

struct store;

struct qn {
	int64_t id, unit_id; /* unit_id 0: the whole clinic */
	int version;
	bool retired, builtin;
	int64_t created_at, updated_at;
	char *resource; /* FHIR JSON (malloc'd; store_survey_qn_release) */
	char *feedback; /* JSON or NULL */
};
void store_survey_qn_release(struct qn *q);

/* Questionnaire id, at version (0: its current one), into *out (owns its
 * strings).  APP_ENOTFOUND. */
enum app_err store_survey_qn_get(struct store *s, int64_t id, int version,
				 struct qn *out) WARN_UNUSED;
typedef bool (*qn_fn)(void *ctx, const struct qn *q);
/* Every questionnaire (current version), by id; unit > 0: that unit's and
 * the clinic-wide ones; status: "active", "retired" or NULL for both. */
enum app_err store_survey_qn_list(struct store *s, int64_t unit, const char *status, qn_fn fn,
				  void *ctx) WARN_UNUSED;
/* A new questionnaire (version 1); *id. */
enum app_err store_survey_qn_add(struct store *s, int64_t unit_id, const char *title,
				 const char *resource, const char *feedback, int64_t now,
				 int64_t *id) WARN_UNUSED;
/* A new version of id (its unit may change); *version. */
enum app_err store_survey_qn_update(struct store *s, int64_t id, int64_t unit_id,
				    const char *title, const char *resource, const char *feedback,
				    int64_t now, int *version) WARN_UNUSED;
/* Retire id (no new sends). */
enum app_err store_survey_qn_retire(struct store *s, int64_t id, int64_t now) WARN_UNUSED;

struct survey_link {
	int64_t id, appointment_id, patient_id, questionnaire_id, send_id;
	int questionnaire_version;
	char kind[8]; /* survey | prom */
	int64_t created_at, expires_at, used_at;
};

/* A new link of kind for appointment appt's patient; *id. */
enum app_err store_survey_link_add(struct store *s, const struct survey_link *l,
				   const char *hash, const uint8_t box[TOKEN_BOX_LEN],
				   int64_t *id) WARN_UNUSED;
/* The link whose token has hash.  APP_ENOTFOUND. */
enum app_err store_survey_link_find(struct store *s, const char *hash,
				    struct survey_link *out) WARN_UNUSED;
/* The sealed token of link id while it is unused and unexpired at now. */
enum app_err store_survey_link_box(struct store *s, int64_t id, int64_t now,
				   uint8_t box[TOKEN_BOX_LEN]) WARN_UNUSED;
/* Whether appointment appt ever had a satisfaction survey link. */
enum app_err store_survey_sent(struct store *s, int64_t appt, bool *sent) WARN_UNUSED;

struct qresponse {
	int64_t id, patient_id, appointment_id, questionnaire_id, link_id;
	int questionnaire_version;
	char kind[8];
	char mode[12];
	bool has_score;
	double score;
	int wants_control; /* -1 unknown */
	int64_t authored;
	char *resource;    /* malloc'd (store_survey_response_release) */
	char *comment;     /* malloc'd or NULL */
	char title[300];   /* the questionnaire's title (lists only) */
};
void store_survey_response_release(struct qresponse *r);
/* Store r (and mark its link used, APP_ECONFLICT when it already was);
 * r->id is set. */
enum app_err store_survey_response_add(struct store *s, struct qresponse *r) WARN_UNUSED;
typedef bool (*qresponse_fn)(void *ctx, const struct qresponse *r);
/* The answers of patient (and of appointment appt when appt > 0), newest
 * first. */
enum app_err store_survey_responses(struct store *s, int64_t patient, int64_t appt,
				    qresponse_fn fn, void *ctx) WARN_UNUSED;
/* The PROM answers of patient (not the satisfaction survey), newest first,
 * without their resource, until fn returns false. */
enum app_err store_survey_proms(struct store *s, int64_t patient, qresponse_fn fn,
				void *ctx) WARN_UNUSED;
/* Each patient of clinician's appointments starting in [from, to) (the
 * day list's rows) who has any PROM answer, once, until fn returns false:
 * one query, so that the day list asks store_survey_proms only for them. */
enum app_err store_survey_prom_patients_day(struct store *s, int64_t clinician, int64_t from,
					    int64_t to, bool (*fn)(void *ctx, int64_t patient),
					    void *ctx) WARN_UNUSED;

/* Whether patient declined surveys; set it. */
enum app_err store_survey_declined(struct store *s, int64_t patient, bool *declined) WARN_UNUSED;
enum app_err store_survey_decline(struct store *s, int64_t patient, int64_t now) WARN_UNUSED;
/* Stop the PROM sends of appointment id (patient: of patient id): drop the
 * unsent ones and close the reminders of the sent ones (at now). */
enum app_err store_survey_followups_stop(struct store *s, bool patient, int64_t id,
					 int64_t now) WARN_UNUSED;

/* ---- follow-up plans and their sends ---- */

/* The plan JSON of a consultation type or an appointment (table
 * "consultation_types" or "appointments"), malloc'd into *out (NULL: none). */
enum app_err store_survey_plan_get(struct store *s, const char *table, int64_t id,
				   char **out) WARN_UNUSED;
/* Set it (NULL clears). */
enum app_err store_survey_plan_set(struct store *s, const char *table, int64_t id,
				   const char *plan) WARN_UNUSED;

struct follow_up {
	int64_t id, appointment_id, patient_id, questionnaire_id;
	int after_days;
	bool has_threshold, has_urgent;
	double threshold, urgent_threshold;
	int reminder_days; /* 0: no reminder */
	int64_t due_at, sent_at, reminded_at, answered_at;
};
/* Plan one send (once: the same appointment, questionnaire and offset
 * again changes nothing). */
enum app_err store_survey_followup_add(struct store *s, const struct follow_up *f) WARN_UNUSED;
enum app_err store_survey_followup_get(struct store *s, int64_t id,
				       struct follow_up *out) WARN_UNUSED;
/* Sends due by now not yet sent, and sends whose reminder is due by now
 * (sent, unanswered, not reminded, reminder_days passed): ids, at most max
 * of each. */
enum app_err store_survey_followups_due(struct store *s, int64_t now, int64_t *send, int *nsend,
					int64_t *remind, int *nremind, int max) WARN_UNUSED;
enum app_err store_survey_followup_mark(struct store *s, int64_t id, const char *column,
					int64_t at) WARN_UNUSED;
/* Record how send id ended: answered at, and whether it led to a control. */
enum app_err store_survey_followup_answered(struct store *s, int64_t id, int64_t at,
					    bool control) WARN_UNUSED;
/* The live link of send id (0 when none). */
enum app_err store_survey_followup_link(struct store *s, int64_t id, int64_t *link) WARN_UNUSED;

/* Put patient on the waiting list of type (urgent or not) with note,
 * unless they wait for it already (an urgent wish raises that entry). */
enum app_err store_survey_waiting_add(struct store *s, int64_t patient, int64_t type, bool urgent,
				      const char *note, int64_t now) WARN_UNUSED;
/* The active built-in satisfaction questionnaire's id (0: none). */
enum app_err store_survey_builtin(struct store *s, int64_t *id) WARN_UNUSED;

/* One satisfaction survey sent in a period, for the statistics. */
struct survey_fact {
	int64_t created_at, unit_id, clinician_id, authored;
	char mode[12]; /* how the consultation was held */
	bool answered, has_score;
	double score;
	const char *comment; /* borrowed for the callback only; NULL: none */
};
typedef bool (*survey_fact_fn)(void *ctx, const struct survey_fact *x);
/* The surveys sent in [from, to), oldest first. */
enum app_err store_survey_facts(struct store *s, int64_t from, int64_t to, survey_fact_fn fn,
				void *ctx) WARN_UNUSED;

/* One PROM send of a period. */
struct prom_fact {
	int64_t type_id, questionnaire_id, unit_id;
	char type_name[200], title[300];
	bool answered, control;
};
typedef bool (*prom_fact_fn)(void *ctx, const struct prom_fact *x);
/* The PROM sends sent in [from, to). */
enum app_err store_survey_prom_facts(struct store *s, int64_t from, int64_t to, prom_fact_fn fn,
				     void *ctx) WARN_UNUSED;

#endif
