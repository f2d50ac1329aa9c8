/*
 * api_survey.c - questionnaires, their answers, follow-up plans, and the
 * patient's survey link (issue 22).
 *
 * Staff: /questionnaires holds FHIR R4 Questionnaire resources with
 * timebok's unit_id and feedback beside them (questionnaire.h checks both);
 * a change is a new version, retiring keeps the old answers readable; the
 * built-in satisfaction questionnaire cannot be changed.  A unit-limited
 * secretary sees the clinic-wide ones and those of their units.  The
 * answers (/questionnaire-responses) are a FHIR searchset Bundle of a
 * patient's QuestionnaireResponse resources; every read is audited, and a
 * scoped caller sees only answers to appointments they may see.
 *
 * Patient: /survey/{token} needs no login; an unknown or expired token is
 * the same 404 (resolve()).  GET changes nothing; POST stores the one
 * answer (a second: 409), DELETE-like "decline" sets surveys_declined.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "appointment.h"
#include "audit.h"
#include "authz.h"
#include "body.h"
#include "outbox.h"
#include "params.h"
#include "questionnaire.h"
#include "store.h"
#include "store_appointments.h"
#include "store_survey.h"
#include "store_users.h"
#include "survey.h"
#include "timeutil.h"
#include "token.h"

#define SCORE_EXT "https://timebok.no/fhir/StructureDefinition/score"

/* Append v to b (compact JSON). */
static enum app_err put_json(struct buf *b, const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s)
		return APP_ENOMEM;
	buf_puts(b, s);
	free(s);
	return b->failed ? APP_ENOMEM : APP_OK;
}

static void put_time(json_t *o, const char *key, int64_t t)
{
	char s[TIMEUTIL_INSTANT_LEN];

	timeutil_format(t, s);
	json_object_set_new(o, key, json_string(s));
}

/* The pure FHIR resource of q (new): its id, version, status and
 * meta.lastUpdated set. */
static json_t *pure(const struct qn *q)
{
	json_t *r = json_loads(q->resource, 0, NULL), *meta;
	char s[24];

	if (!r)
		return NULL;
	snprintf(s, sizeof(s), "%" PRId64, q->id);
	json_object_set_new(r, "id", json_string(s));
	snprintf(s, sizeof(s), "%d", q->version);
	json_object_set_new(r, "version", json_string(s));
	json_object_set_new(r, "status", json_string(q->retired ? "retired" : "active"));
	meta = json_object();
	put_time(meta, "lastUpdated", q->updated_at);
	json_object_set_new(r, "meta", meta);
	return r;
}

/* The staff view of q: the pure resource and timebok's members. */
static enum app_err put_qn(struct buf *b, const struct qn *q)
{
	json_t *r = pure(q);
	enum app_err err;

	if (!r)
		return APP_ENOMEM;
	json_object_set_new(r, "unit_id", q->unit_id ? json_integer(q->unit_id) : json_null());
	json_object_set_new(r, "feedback",
			    q->feedback ? json_loads(q->feedback, 0, NULL) : json_null());
	json_object_set_new(r, "builtin", json_boolean(q->builtin));
	err = put_json(b, r);
	json_decref(r);
	return err;
}

static bool may_see_unit(const struct req *req, int64_t unit)
{
	return !unit || req->who.role != ROLE_SECRETARY || actor_sees_unit(&req->who, unit);
}

struct list_ctx {
	const struct req *req;
	struct buf *b;
	int n;
	enum app_err err;
};

static bool list_one(void *vctx, const struct qn *q)
{
	struct list_ctx *c = vctx;

	if (!may_see_unit(c->req, q->unit_id))
		return true;
	if (c->n++)
		buf_putc(c->b, ',');
	return !(c->err = put_qn(c->b, q));
}

API_HANDLER(api_survey_qn_list)
{
	static const char *const allowed[] = {"unit_id", "status", NULL};
	struct list_ctx c = {req, &rep->body, 0, APP_OK};
	const char *status = params_get(req, "status");
	int64_t unit = 0;
	enum app_err err;

	(void)app;
	if ((err = params_only(req, rep, allowed)) ||
	    (params_get(req, "unit_id") && (err = params_id(req, rep, "unit_id", &unit))))
		return err;
	if (status && strcmp(status, "active") && strcmp(status, "retired"))
		return reply_fail(rep, APP_EINVAL, "status", "'status' is active or retired");
	buf_putc(&rep->body, '[');
	if ((err = store_survey_qn_list(db, unit, status, list_one, &c)) || (err = c.err))
		return err;
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}

/* Questionnaire {id} (current version) if the caller may see it: a
 * unit-limited secretary gets the same 403 for a missing one as for
 * another unit's (authz.h). */
static enum app_err visible(struct store *db, const struct req *req, struct reply *rep,
			    struct qn *q)
{
	enum app_err err = store_survey_qn_get(db, req->ids[0], 0, q);
	bool limited = req->who.role == ROLE_SECRETARY && req->who.nunits > 0;

	if ((!err && !may_see_unit(req, q->unit_id)) || (err == APP_ENOTFOUND && limited)) {
		store_survey_qn_release(q);
		return reply_fail(rep, APP_EFORBIDDEN, NULL,
				  "questionnaire %" PRId64 " is not one of your units' questionnaires",
				  req->ids[0]);
	}
	if (err == APP_ENOTFOUND)
		return reply_fail(rep, err, NULL, "no questionnaire %" PRId64, req->ids[0]);
	return err;
}

API_HANDLER(api_survey_qn_get)
{
	struct qn q;
	enum app_err err;

	(void)app;
	if ((err = visible(db, req, rep, &q)))
		return err;
	err = put_qn(&rep->body, &q);
	store_survey_qn_release(&q);
	rep->status = 200;
	return err;
}

struct upload {
	json_t *body;     /* the request, new */
	json_t *resource; /* borrowed from body: body less timebok's members */
	json_t *feedback; /* new or NULL */
	int64_t unit_id;
	char *resource_text, *feedback_text; /* malloc'd */
	char title[300];
};

static void upload_release(struct upload *u)
{
	json_decref(u->body);
	json_decref(u->feedback);
	free(u->resource_text);
	free(u->feedback_text);
}

/* Read and check the upload: a Questionnaire with unit_id (required:
 * an id or null) and feedback. */
static enum app_err read_upload(struct store *db, const struct req *req, struct reply *rep,
				struct upload *u)
{
	const json_t *unit;
	struct res_row row;
	struct qerr e = {0};
	enum app_err err;

	memset(u, 0, sizeof(*u));
	if ((err = body_json(req, rep, &u->body)))
		return err;
	if (!json_is_object(u->body))
		return reply_fail(rep, APP_EINVAL, NULL, "the body is a FHIR Questionnaire object");
	unit = json_object_get(u->body, "unit_id");
	if (!unit || (!json_is_null(unit) && (!json_is_integer(unit) || json_integer_value(unit) < 1)))
		return reply_fail(rep, APP_EINVAL, "unit_id",
				  "'unit_id' is a unit's id, or null for the whole clinic");
	u->unit_id = json_is_integer(unit) ? json_integer_value(unit) : 0;
	if (u->unit_id && store_resource_get(db, &resources_units, u->unit_id, &row))
		return reply_fail(rep, APP_EINVAL, "unit_id", "no unit %" PRId64, u->unit_id);
	if (!may_see_unit(req, u->unit_id))
		return reply_fail(rep, APP_EFORBIDDEN, "unit_id", "unit %" PRId64
				  " is not one of yours", u->unit_id);
	if ((u->feedback = json_incref(json_object_get(u->body, "feedback"))) &&
	    json_is_null(u->feedback)) {
		json_decref(u->feedback);
		u->feedback = NULL;
	}
	/* what the server sets is not taken from the upload */
	static const char *const ours[] = {"unit_id", "feedback", "builtin", "id", "meta",
					   "version", NULL};
	for (int i = 0; ours[i]; i++)
		json_object_del(u->body, ours[i]);
	u->resource = u->body;
	if ((err = questionnaire_check(u->resource, &e)) ||
	    (err = questionnaire_feedback_check(u->resource, u->feedback, &e)))
		return err == APP_EINVAL ? reply_fail(rep, err, e.path[0] ? e.path : NULL, "%s",
						      e.message)
					 : err;
	snprintf(u->title, sizeof(u->title), "%s",
		 json_string_value(json_object_get(u->resource, "title"))
			 ?: json_string_value(json_object_get(u->resource, "name")) ?: "");
	if (!(u->resource_text = json_dumps(u->resource, JSON_COMPACT)) ||
	    (u->feedback && !(u->feedback_text = json_dumps(u->feedback, JSON_COMPACT))))
		return APP_ENOMEM;
	return APP_OK;
}

API_HANDLER(api_survey_qn_validate)
{
	struct upload u;
	enum app_err err;

	(void)app;
	if (!(err = read_upload(db, req, rep, &u))) {
		buf_puts(&rep->body, "{\"valid\":true}");
		rep->status = 200;
	}
	upload_release(&u);
	return err;
}

static enum app_err answer_qn(struct store *db, struct reply *rep, int64_t id, int status)
{
	struct qn q;
	enum app_err err;

	if ((err = store_survey_qn_get(db, id, 0, &q)))
		return err;
	err = put_qn(&rep->body, &q);
	store_survey_qn_release(&q);
	snprintf(rep->location, sizeof(rep->location), "/api/v1/questionnaires/%" PRId64, id);
	rep->status = status;
	return err;
}

API_HANDLER(api_survey_qn_create)
{
	struct upload u;
	int64_t id = 0;
	enum app_err err;

	(void)app;
	if ((err = read_upload(db, req, rep, &u)) || (err = store_begin(db)))
		goto out;
	if ((err = store_survey_qn_add(db, u.unit_id, u.title, u.resource_text, u.feedback_text,
				       req->now, &id)) ||
	    (err = store_commit(db))) {
		store_rollback(db);
		goto out;
	}
	err = answer_qn(db, rep, id, 201);
out:
	upload_release(&u);
	return err;
}

API_HANDLER(api_survey_qn_update)
{
	struct upload u = {0};
	struct qn q;
	int version;
	enum app_err err;

	(void)app;
	if ((err = visible(db, req, rep, &q)))
		return err;
	if (q.builtin) {
		store_survey_qn_release(&q);
		return reply_fail(rep, APP_ETRANSITION, NULL,
				  "the built-in questionnaire cannot be changed; upload a new one");
	}
	store_survey_qn_release(&q);
	if ((err = read_upload(db, req, rep, &u)) || (err = store_begin(db)))
		goto out;
	if ((err = store_survey_qn_update(db, req->ids[0], u.unit_id, u.title, u.resource_text,
					  u.feedback_text, req->now, &version)) ||
	    (err = store_commit(db))) {
		store_rollback(db);
		goto out;
	}
	err = answer_qn(db, rep, req->ids[0], 200);
	rep->location[0] = '\0';
out:
	upload_release(&u);
	return err;
}

API_HANDLER(api_survey_qn_retire)
{
	struct qn q;
	enum app_err err;

	(void)app;
	if ((err = visible(db, req, rep, &q)))
		return err;
	store_survey_qn_release(&q);
	if (q.builtin)
		return reply_fail(rep, APP_ETRANSITION, NULL,
				  "the built-in questionnaire cannot be retired");
	if ((err = store_survey_qn_retire(db, req->ids[0], req->now)))
		return err;
	rep->status = 204;
	return APP_OK;
}

/* ---- answers ---- */

struct responses_ctx {
	struct store *db;
	const struct req *req;
	struct buf *b;
	int n;
	struct audit_batch *audit;
};

static bool response_one(void *vctx, const struct qresponse *r)
{
	struct responses_ctx *c = vctx;
	struct appointment a;

	/* a scoped caller sees the answers to appointments they may see */
	if (authz_scoped(&c->req->who) &&
	    (!r->appointment_id || store_appointments_get(c->db, r->appointment_id, &a) ||
	     authz_appointment(c->db, &c->req->who, &a)))
		return true;
	buf_puts(c->b, c->n++ ? ",{\"fullUrl\":" : "{\"fullUrl\":");
	buf_printf(c->b, "\"urn:timebok:QuestionnaireResponse:%" PRId64 "\",\"resource\":", r->id);
	buf_puts(c->b, r->resource);
	buf_puts(c->b, ",\"search\":{\"mode\":\"match\"}}");
	audit_batch_add(c->audit, r->patient_id, r->appointment_id);
	return !c->b->failed;
}

API_HANDLER(api_survey_responses)
{
	static const char *const allowed[] = {"patient_id", "appointment_id", NULL};
	struct responses_ctx c = {db, req, &rep->body, 0, NULL};
	struct audit_batch batch;
	struct appointment a;
	struct res_row row;
	int64_t patient = 0, appt = 0;
	enum app_err err;

	if ((err = params_only(req, rep, allowed)) ||
	    (err = params_id(req, rep, "patient_id", &patient)))
		return err;
	if (!patient)
		return reply_fail(rep, APP_EINVAL, "patient_id", "'patient_id' is required");
	if (params_get(req, "appointment_id") &&
	    (err = params_id(req, rep, "appointment_id", &appt)))
		return err;
	if (appt) {
		err = store_appointments_get(db, appt, &a);
		if (err && err != APP_ENOTFOUND)
			return err;
		if (authz_scoped(&req->who) &&
		    (err || authz_appointment(db, &req->who, &a)))
			return reply_fail(rep, APP_EFORBIDDEN, "appointment_id",
					  "appointment %" PRId64 " is not one you may see", appt);
		if (err || a.patient_id != patient)
			return reply_fail(rep, APP_ENOTFOUND, "appointment_id",
					  "patient %" PRId64 " has no appointment %" PRId64,
					  patient, appt);
	}
	if ((err = store_resource_get(db, &resources_patients, patient, &row)))
		return err == APP_ENOTFOUND
			       ? reply_fail(rep, err, "patient_id", "no patient %" PRId64, patient)
			       : err;
	audit_batch_init(&batch, app->audit, &req->who, "questionnaire_responses.read", req->now);
	c.audit = &batch;
	audit_read(app->audit, &req->who, "questionnaire_responses.list", patient, appt, req->now);
	buf_puts(&rep->body, "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[");
	err = store_survey_responses(db, patient, appt, response_one, &c);
	audit_batch_release(&batch);
	if (err)
		return err;
	buf_printf(&rep->body, "],\"total\":%d}", c.n);
	rep->status = 200;
	return APP_OK;
}

struct summary_ctx {
	struct store *db;
	const struct actor *who;
	struct qresponse r;
	bool found;
};

/* The first PROM answer (newest first) whose appointment who may see. */
static bool summary_one(void *vctx, const struct qresponse *r)
{
	struct summary_ctx *c = vctx;
	struct appointment a;

	if (authz_scoped(c->who) &&
	    (!r->appointment_id || store_appointments_get(c->db, r->appointment_id, &a) ||
	     authz_appointment(c->db, c->who, &a)))
		return true;
	c->r = *r;
	c->found = true;
	return false;
}

enum app_err api_survey_summary(struct store *db, const struct actor *who, struct buf *b,
				int64_t patient, int64_t *answer_appt)
{
	struct summary_ctx c = {.db = db, .who = who};
	char t[TIMEUTIL_INSTANT_LEN];
	enum app_err err = store_survey_proms(db, patient, summary_one, &c);

	*answer_appt = -1;
	if (err)
		return err;
	if (!c.found) {
		buf_puts(b, ",\"questionnaire\":null");
		return APP_OK;
	}
	*answer_appt = c.r.appointment_id;
	buf_puts(b, ",\"questionnaire\":{\"latest_score\":");
	if (c.r.has_score && isfinite(c.r.score))
		buf_printf(b, "%.15g", c.r.score);
	else
		buf_puts(b, "null");
	timeutil_format(c.r.authored, t);
	buf_json_kstr(b, ",", "answered_at", t);
	buf_json_kstr(b, ",", "questionnaire_title", c.r.title);
	if (c.r.wants_control < 0)
		buf_puts(b, ",\"wants_control\":null");
	else
		buf_json_kbool(b, ",", "wants_control", c.r.wants_control == 1);
	buf_putc(b, '}');
	return APP_OK;
}

/* ---- plans ---- */

/* The appointment or consultation type {id} if the caller may see it,
 * and the unit whose questionnaires its plan may send (an appointment's:
 * its type's, else its first clinician's). */
static enum app_err plan_target(struct store *db, const struct req *req, struct reply *rep,
				bool appointment, struct appointment *a, int64_t *unit)
{
	const struct res_desc *d = &resources_types;
	struct res_row row;
	enum app_err err;
	int64_t id = req->ids[0];

	*unit = 0;
	if (appointment) {
		if ((err = api_appointment_visible(db, req, rep, a)))
			return err;
		if (!a->type_id && !a->nclinicians)
			return APP_OK;
		d = a->type_id ? &resources_types : &resources_clinicians;
		id = a->type_id ? a->type_id : a->clinician_ids[0];
		err = store_resource_get(db, d, id, &row);
	} else {
		err = api_resource_visible(db, req, rep, d, id, &row);
	}
	if (err)
		return err;
	*unit = row.v[store_resource_field(d, "unit_id")].i;
	store_resource_row_release(d, &row);
	return APP_OK;
}

static enum app_err plan_get(struct store *db, const struct req *req, struct reply *rep,
			     bool appointment)
{
	const char *source = appointment ? "appointment" : "type";
	struct appointment a;
	char *text = NULL;
	enum app_err err;
	int64_t unit;

	if ((err = plan_target(db, req, rep, appointment, &a, &unit)) ||
	    (err = store_survey_plan_get(db, appointment ? "appointments" : "consultation_types",
					 req->ids[0], &text)))
		return err;
	if (appointment && !text && a.type_id) {
		source = "type";
		if ((err = store_survey_plan_get(db, "consultation_types", a.type_id, &text)))
			return err;
	}
	buf_puts(&rep->body, "{\"plan\":");
	buf_puts(&rep->body, text ? text : "[]");
	buf_json_kstr(&rep->body, ",", "source", text ? source : NULL);
	buf_putc(&rep->body, '}');
	free(text);
	rep->status = 200;
	return APP_OK;
}

static enum app_err plan_put(struct store *db, const struct req *req, struct reply *rep,
			     bool appointment)
{
	const char *table = appointment ? "appointments" : "consultation_types";
	struct appointment a;
	struct audit_row row;
	json_t *plan = NULL;
	char why[200], field[64], detail[40], *text = NULL;
	enum app_err err;
	int64_t unit;

	if ((err = plan_target(db, req, rep, appointment, &a, &unit)) ||
	    (err = body_json(req, rep, &plan)))
		return err;
	/* a control wish becomes a waiting-list entry of the type: none, no plan */
	if (appointment && !a.type_id && json_array_size(plan)) {
		json_decref(plan);
		return reply_fail(rep, APP_EINVAL, "type_id",
				  "appointment %" PRId64 " has no consultation type: "
				  "a follow-up plan needs one",
				  a.id);
	}
	if (survey_plan_refusal(db, plan, unit, why, sizeof(why), field, sizeof(field))) {
		json_decref(plan);
		return reply_fail(rep, APP_EINVAL, field, "%s", why);
	}
	if (json_array_size(plan) && !(text = json_dumps(plan, JSON_COMPACT))) {
		json_decref(plan);
		return APP_ENOMEM;
	}
	json_decref(plan);
	if (!(err = store_begin(db))) {
		err = store_survey_plan_set(db, table, req->ids[0], text);
		if (!err) {
			audit_fill(&row, &req->who,
				   appointment ? "appointment.follow_up" : "type.follow_up",
				   appointment ? a.patient_id : 0, appointment ? a.id : 0,
				   req->now);
			snprintf(detail, sizeof(detail), "{\"type_id\":%" PRId64 "}", req->ids[0]);
			err = store_users_audit_detail(db, &row, appointment ? NULL : detail);
		}
		if (!err)
			err = store_commit(db);
		if (err)
			store_rollback(db);
	}
	free(text);
	return err ? err : plan_get(db, req, rep, appointment);
}

API_HANDLER(api_survey_type_plan_get)
{
	(void)app;
	return plan_get(db, req, rep, false);
}

API_HANDLER(api_survey_type_plan_put)
{
	(void)app;
	return plan_put(db, req, rep, false);
}

API_HANDLER(api_survey_appt_plan_get)
{
	(void)app;
	return plan_get(db, req, rep, true);
}

API_HANDLER(api_survey_appt_plan_put)
{
	(void)app;
	return plan_put(db, req, rep, true);
}

/* ---- the patient ---- */

/* The link of req's token, open at now; the same 404 for every token that
 * opens nothing. */
static enum app_err resolve(struct store *db, const struct req *req, struct reply *rep,
			    struct survey_link *l)
{
	char hash[TOKEN_HASH_LEN + 1];
	enum app_err err = APP_ENOTFOUND;

	if (token_valid(req->token)) {
		token_hash(req->token, hash);
		err = store_survey_link_find(db, hash, l);
		if (!err && req->now >= l->expires_at)
			err = APP_ENOTFOUND;
	}
	if (err == APP_ENOTFOUND)
		return reply_fail(rep, err, NULL, "this link does not open a questionnaire; it may "
						  "have expired");
	return err;
}

static void patient_actor(const struct req *req, struct actor *who)
{
	memset(who, 0, sizeof(*who));
	snprintf(who->username, sizeof(who->username), "patient");
	who->role = ROLE_PATIENT;
	snprintf(who->ip, sizeof(who->ip), "%s", req->who.ip);
}

API_HANDLER(api_survey_view)
{
	struct survey_link l;
	struct res_row row;
	struct actor who;
	struct qn q;
	json_t *r;
	enum app_err err;

	if ((err = resolve(db, req, rep, &l)) ||
	    (err = store_survey_qn_get(db, l.questionnaire_id, l.questionnaire_version, &q)))
		return err;
	r = pure(&q);
	store_survey_qn_release(&q);
	if (!r)
		return APP_ENOMEM;
	patient_actor(req, &who);
	audit_read(app->audit, &who, "survey.read", l.patient_id, l.appointment_id, req->now);
	buf_puts(&rep->body, "{\"questionnaire\":");
	err = put_json(&rep->body, r);
	json_decref(r);
	if (err)
		return err;
	buf_json_kstr(&rep->body, ",", "language",
		      store_resource_get(db, &resources_patients, l.patient_id, &row)
			      ? "nb"
			      : row.v[store_resource_field(&resources_patients, "language")].s);
	buf_json_kstr(&rep->body, ",", "kind", l.kind);
	buf_json_kbool(&rep->body, ",", "answered", l.used_at != 0);
	buf_putc(&rep->body, '}');
	rep->status = 200;
	return APP_OK;
}

/* items with their "text" and "id" members dropped, at every depth: what
 * was asked is the questionnaire's version's text, never one the client
 * sent along (unchecked free text staff would read). */
static void strip_texts(json_t *items)
{
	json_t *it;
	size_t i;

	json_array_foreach(items, i, it) {
		json_object_del(it, "text");
		json_object_del(it, "id");
		strip_texts(json_object_get(it, "item"));
	}
}

/* The stored form of the patient's answer given (borrowed): its items
 * and what the server knows (new). */
static json_t *canonical(const json_t *given, const json_t *qj, const struct survey_link *l,
			 const struct qn *q, int64_t id, const struct qresponse *r,
			 const char *public_url)
{
	json_t *o = json_object(), *subj = json_object();
	char s[600];

	json_object_set_new(o, "resourceType", json_string("QuestionnaireResponse"));
	snprintf(s, sizeof(s), "%" PRId64, id);
	json_object_set_new(o, "id", json_string(s));
	snprintf(s, sizeof(s), "%s/fhir/Questionnaire/%" PRId64 "|%d", public_url,
		 l->questionnaire_id, q->version);
	json_object_set_new(o, "questionnaire", json_string(s));
	json_object_set_new(o, "status", json_string("completed"));
	snprintf(s, sizeof(s), "Patient/%" PRId64, l->patient_id);
	json_object_set_new(subj, "reference", json_string(s));
	json_object_set_new(o, "subject", subj);
	put_time(o, "authored", r->authored);
	if (r->has_score) {
		json_t *ext = json_object();
		json_object_set_new(ext, "url", json_string(SCORE_EXT));
		json_object_set_new(ext, "valueDecimal", json_real(r->score));
		json_object_set_new(o, "extension", json_pack("[o]", ext));
	}
	if (json_object_get(given, "item")) {
		json_t *items = json_deep_copy(json_object_get(given, "item"));
		strip_texts(items);
		questionnaire_own_codings(qj, items);
		json_object_set_new(o, "item", items);
	}
	return o;
}

API_HANDLER(api_survey_answer)
{
	struct qresponse r = {0};
	struct survey_link l;
	struct audit_row row;
	struct actor who;
	struct qerr e = {0};
	json_t *body = NULL, *qj = NULL, *fb = NULL, *stored = NULL;
	struct qn q = {0};
	const char *comment;
	int64_t next_id = 0;
	enum app_err err;

	if ((err = resolve(db, req, rep, &l)))
		return err;
	if (l.used_at)
		return reply_fail(rep, APP_ECONFLICT, NULL, "this questionnaire is answered already");
	if ((err = body_json(req, rep, &body)) ||
	    (err = store_survey_qn_get(db, l.questionnaire_id, l.questionnaire_version, &q)))
		goto out;
	if (!(qj = json_loads(q.resource, 0, NULL)) ||
	    (q.feedback && !(fb = json_loads(q.feedback, 0, NULL)))) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = questionnaire_response_check(qj, body, &e))) {
		if (err == APP_EINVAL)
			reply_fail(rep, err, e.path[0] ? e.path : NULL, "%s", e.message);
		goto out;
	}
	r.patient_id = l.patient_id;
	r.appointment_id = l.appointment_id;
	r.questionnaire_id = l.questionnaire_id;
	r.questionnaire_version = l.questionnaire_version;
	r.link_id = l.id;
	snprintf(r.kind, sizeof(r.kind), "%s", l.kind);
	r.has_score = questionnaire_score(fb, body, &r.score);
	r.wants_control = questionnaire_wants_control(fb, body);
	r.authored = req->now;
	if (!strcmp(l.kind, "survey") && (comment = questionnaire_comment(qj, body)) &&
	    !(r.comment = strdup(comment))) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = store_begin(db)))
		goto out;
	/* the id the row will get, for the resource stored in it */
	if ((err = store_scalar(db, "SELECT IFNULL(MAX(id), 0) + 1 FROM questionnaire_responses",
				0, 0, 0, &next_id)) ||
	    !(stored = canonical(body, qj, &l, &q, next_id, &r, app->cfg->public_url)) ||
	    !(r.resource = json_dumps(stored, JSON_COMPACT))) {
		err = err ? err : APP_ENOMEM;
		goto rollback;
	}
	patient_actor(req, &who);
	audit_fill(&row, &who, "survey.answer", l.patient_id, l.appointment_id, req->now);
	if ((err = survey_answered(app, db, &l, fb, &r, req->now)) ||
	    (err = store_users_audit_add(db, &row)) || (err = store_commit(db)))
		goto rollback;
	outbox_kick(app->outbox);
	err = put_json(&rep->body, stored);
	rep->status = 201;
	goto out;
rollback:
	store_rollback(db);
	if (err == APP_ECONFLICT)
		err = reply_fail(rep, err, NULL, "this questionnaire is answered already");
out:
	store_survey_response_release(&r);
	store_survey_qn_release(&q);
	json_decref(stored);
	json_decref(body);
	json_decref(qj);
	json_decref(fb);
	return err;
}

API_HANDLER(api_survey_decline)
{
	static const char *const none[] = {NULL};
	struct survey_link l;
	struct audit_row row;
	struct actor who;
	json_t *o = NULL;
	enum app_err err;

	(void)app;
	if ((err = resolve(db, req, rep, &l)) || (err = body_object(req, rep, none, true, &o)))
		return err;
	json_decref(o);
	patient_actor(req, &who);
	audit_fill(&row, &who, "survey.decline", l.patient_id, l.appointment_id, req->now);
	if ((err = store_begin(db)))
		return err;
	if ((err = store_survey_decline(db, l.patient_id, req->now)) ||
	    (err = store_survey_followups_stop(db, true, l.patient_id, req->now)) ||
	    (err = store_users_audit_add(db, &row)) || (err = store_commit(db))) {
		store_rollback(db);
		return err;
	}
	rep->status = 204;
	return APP_OK;
}
