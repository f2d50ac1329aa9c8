/*
 * api.h - every handler routes.c names, by resource.
 *
 * Handlers: validate -> store -> reply.  They see struct req / struct reply
 * only (no MHD, no raw SQL).  Each is a route_fn (req.h).
 */
#ifndef TIMEBOK_API_H
#define TIMEBOK_API_H

#include "req.h"
#include "resources.h"
#include "store_resource.h"

#define API_HANDLER(name)                                                                          \
	enum app_err name(struct app *app, struct store *db, const struct req *req,                \
			  struct reply *rep)

/* api_resource.c: the directory (units, clinicians, rooms, patients); the
 * route's arg is the resource descriptor. */
API_HANDLER(api_resource_list);
API_HANDLER(api_resource_create);
API_HANDLER(api_resource_get);
API_HANDLER(api_resource_update);
API_HANDLER(api_resource_delete);
/* Load row id of d into *row if the actor may see it: 403 (answered) for
 * rows of other units and missing rows alike for a unit-limited secretary,
 * else 404 (answered) for a missing one.  A row given holds its own
 * texts (store_resource_row_release); a refusal leaves none. */
enum app_err api_resource_visible(struct store *db, const struct req *req, struct reply *rep,
				  const struct res_desc *d, int64_t id,
				  struct res_row *row) WARN_UNUSED;


/* api_appointments.c */
API_HANDLER(api_appointments_list);
API_HANDLER(api_appointments_board);
API_HANDLER(api_appointments_create);
API_HANDLER(api_appointments_series);
API_HANDLER(api_appointments_get);
API_HANDLER(api_appointments_update);
API_HANDLER(api_appointments_cancel);
API_HANDLER(api_appointments_history);
API_HANDLER(api_appointments_queue);
API_HANDLER(api_appointments_queue_count);
API_HANDLER(api_appointments_day);

/* The appointment of the route ({id}) if who may see it: 404 only for
 * those who may see everything, 403 (answered) for a missing one or one not
 * theirs for the others. */
struct appointment;
enum app_err api_appointment_visible(struct store *db, const struct req *req, struct reply *rep,
				     struct appointment *a) WARN_UNUSED;

/* api_feeds.c: a clinician's calendar feed, and the feed by its token */
API_HANDLER(api_feeds_get);
API_HANDLER(api_feeds_create);
API_HANDLER(api_feeds_delete);
API_HANDLER(api_feeds_calendar);

/* api_invite.c: invitations, messages, and the patient link */
API_HANDLER(api_invite_create);
API_HANDLER(api_invite_messages);
API_HANDLER(api_invite_handled);
API_HANDLER(api_invite_view);
API_HANDLER(api_invite_confirm);
API_HANDLER(api_invite_opt_out);
API_HANDLER(api_invite_cancel);
API_HANDLER(api_invite_calendar);
API_HANDLER(api_invite_accept);
API_HANDLER(api_invite_decline);
API_HANDLER(api_invite_tentative);
/* The optional {"channels": ["sms", "email"]} of an invitation (default
 * both) as a mask of OUTBOX_SMS and OUTBOX_EMAIL. */
enum app_err api_invite_channels(const struct req *req, struct reply *rep,
				 unsigned *out) WARN_UNUSED;

/* api_survey.c: questionnaires, answers, follow-up plans, the survey link */
API_HANDLER(api_survey_qn_list);
API_HANDLER(api_survey_qn_create);
API_HANDLER(api_survey_qn_validate);
API_HANDLER(api_survey_qn_get);
API_HANDLER(api_survey_qn_update);
API_HANDLER(api_survey_qn_retire);
API_HANDLER(api_survey_responses);
API_HANDLER(api_survey_type_plan_get);
API_HANDLER(api_survey_type_plan_put);
API_HANDLER(api_survey_appt_plan_get);
API_HANDLER(api_survey_appt_plan_put);
API_HANDLER(api_survey_view);
API_HANDLER(api_survey_answer);
API_HANDLER(api_survey_decline);
/* api_survey_stats.c: survey and PROM statistics */
API_HANDLER(api_survey_stats);
API_HANDLER(api_survey_prom_stats);

/* Append ,"questionnaire": the latest answer of patient (latest_score,
 * answered_at, questionnaire_title, wants_control), or null. */
/* The "questionnaire" member: patient's newest PROM answer to an
 * appointment who may see; *answer_appt: that answer's appointment (0: it
 * has none; -1: no answer shown), for the caller to audit. */
enum app_err api_survey_summary(struct store *db, const struct actor *who, struct buf *b,
				int64_t patient, int64_t *answer_appt) WARN_UNUSED;

/* api_waiting.c */
API_HANDLER(api_waiting_offers);

/* api_participants.c */
API_HANDLER(api_participants_list);
API_HANDLER(api_participants_add);
API_HANDLER(api_participants_get);
API_HANDLER(api_participants_update);
API_HANDLER(api_participants_remove);
API_HANDLER(api_participants_invite);
/* 409 participant_limit (answered) when appointment a (id 0: new) with
 * adding more guests would hold more than APPT_MAX_GUESTS guests, or, for
 * video, more people than --video-max-participants. */
enum app_err api_participant_limit(struct app *app, struct store *db, struct reply *rep,
				   const struct appointment *a, int adding) WARN_UNUSED;

/* api_session.c */
API_HANDLER(api_session_login);
API_HANDLER(api_session_logout);
API_HANDLER(api_session_me);

/* api_oidc.c: single sign-on (issue 25) */
API_HANDLER(api_oidc_login);
API_HANDLER(api_oidc_callback);
API_HANDLER(api_oidc_backchannel);
API_HANDLER(api_session_options);
API_HANDLER(api_sso_mappings_get);
API_HANDLER(api_sso_mappings_put);

/* api_users.c */
API_HANDLER(api_users_list);
API_HANDLER(api_users_create);
API_HANDLER(api_users_get);
API_HANDLER(api_users_update);

/* api_audit.c */
API_HANDLER(api_audit_list);

/* api_statistics.c: the outcome statistics (issue 21) */
API_HANDLER(api_statistics);

/* api_hours.c */
API_HANDLER(api_hours_get);
API_HANDLER(api_hours_put);
API_HANDLER(api_exceptions_list);
API_HANDLER(api_exceptions_create);
API_HANDLER(api_exceptions_delete);
/* api_room_availability.c: which rooms are free at a time, and what is in
 * the way of the others (GET /api/v1/rooms/availability) */
API_HANDLER(api_room_availability_get);

/* api_slots.c */
API_HANDLER(api_slots);
/* The route's clinician ({id}) if who may see it: 403 (answered) when not,
 * also for one that does not exist; 404 only for those who may see all. */
enum app_err api_clinician_visible(struct store *db, const struct req *req,
				   struct reply *rep) WARN_UNUSED;
/* Its two halves, in that order: who may see the clinician (403), and it
 * exists (404).  The day list asks the second only when it reads the day
 * (a kept answer of the same data generation had it). */
enum app_err api_clinician_allowed(struct store *db, const struct req *req,
				   struct reply *rep) WARN_UNUSED;
enum app_err api_clinician_exists(struct store *db, const struct req *req,
				  struct reply *rep) WARN_UNUSED;
/* 409 outside_hours (answered) when a clinician of a, or its room, has
 * hours that do not cover it or is absent then. */
enum app_err api_hours_check(struct store *db, struct reply *rep,
			     const struct appointment *a) WARN_UNUSED;
/* Whose rule refused an appointment, and how (api_hours_refusal). */
struct hours_refusal {
	const char *field; /* "start" (a clinician) or "room_id" */
	const char *kind;  /* "clinician" or "room" */
	int64_t id;
	bool absent; /* an absence (a clinician) or a closing (a room); else outside hours */
	char why[200];
};
/* The same, answering nothing: APP_EOUTSIDE_HOURS with *out filled (the
 * first rule that refuses). */
enum app_err api_hours_refusal(struct store *db, const struct appointment *a,
			       struct hours_refusal *out) WARN_UNUSED;

/* api_ops.c */
API_HANDLER(api_ops_health);
API_HANDLER(api_ops_metrics);
API_HANDLER(api_ops_openapi);
API_HANDLER(api_ops_hello);

#endif
