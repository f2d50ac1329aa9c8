/*
 * survey.h - what follows a consultation: the satisfaction survey, PROM
 * follow-ups, and what an answer sets off (issue 22).
 *
 * A completed appointment gets one survey link (/s/{token}, 256 bits, open
 * --survey-days) and one "survey" message, in the completion's own
 * transaction, unless the patient declined surveys or the appointment had
 * one already; its follow-up plan (the appointment's own, else its type's)
 * becomes planned sends.  The delivery worker's scan (survey_tick) sends
 * the PROM questionnaires that are due, each with a fresh link, and one
 * reminder per send after its reminder_days when unanswered.  An answer
 * (survey_answered) is stored with its score; a PROM answer that wants a
 * control, or scores at or over the plan's threshold, puts the patient on
 * the waiting list of the appointment's type (urgent at or over
 * urgent_threshold) with a note the work queue shows as "prom_control";
 * a questionnaire with feedback bands sends the band's text.
 */
#ifndef TIMEBOK_SURVEY_H
#define TIMEBOK_SURVEY_H

#include <jansson.h>
#include <stdint.h>

#include "appointment.h"
#include "err.h"

struct app;
struct store;
struct survey_link;
struct qresponse;

#define SURVEY_URL_MAX 384
/* the note of a waiting-list entry a PROM answer made (the work queue's
 * "prom_control" items) */
#define SURVEY_CONTROL_NOTE "PROM: wants a control"

/* The survey link of token. */
void survey_link_url(const struct app *app, const char *token, char out[SURVEY_URL_MAX]);

/* Appointment a was just completed (in the caller's transaction). */
enum app_err survey_on_completed(struct app *app, struct store *db, const struct appointment *a,
				 int64_t now) WARN_UNUSED;

/* Send the PROM questionnaires and reminders due (the worker's scan; its
 * own transactions). */
void survey_tick(struct app *app, struct store *db);

/* Store answer r (its resource, score and control wish set) through link l
 * with feedback fb (borrowed, may be NULL), in the caller's transaction,
 * and set off what it means (see the top).  APP_ECONFLICT when l was
 * answered before. */
enum app_err survey_answered(struct app *app, struct store *db, const struct survey_link *l,
			     const json_t *fb, struct qresponse *r, int64_t now) WARN_UNUSED;

/* the most sends a follow-up plan holds */
#define SURVEY_PLAN_MAX 10

/* Check plan (a consultation type's or an appointment's "follow_up": a
 * JSON list of {"after_days", "questionnaire_id", "threshold",
 * "urgent_threshold", "reminder_days"}) against the database, for use in
 * unit (0: none): every questionnaire exists, is active, and is the whole
 * clinic's or unit's.  NULL when fine, else why (into why, cap bytes),
 * with the field to blame, "follow_up" or e.g. "follow_up[2].after_days",
 * written into field (fcap bytes). */
const char *survey_plan_refusal(struct store *db, const json_t *plan, int64_t unit, char *why,
				size_t cap, char *field, size_t fcap);

#endif
