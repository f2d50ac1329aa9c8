/*
 * survey.c - see survey.h.
 */
#include "survey.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "outbox.h"
#include "questionnaire.h"
#include "resources.h"
#include "store.h"
#include "store_appointments.h"
#include "store_resource.h"
#include "store_survey.h"
#include "token.h"

void survey_link_url(const struct app *app, const char *token, char out[SURVEY_URL_MAX])
{
	snprintf(out, SURVEY_URL_MAX, "%s/s/%s", app->cfg->public_url, token);
}

/* A fresh link of kind to questionnaire qid (its current version) for a's
 * patient; *id. */
static enum app_err new_link(struct app *app, struct store *db, const struct appointment *a,
			     const char *kind, int64_t qid, int64_t send_id, int64_t now,
			     int64_t *id)
{
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	struct survey_link l = {0};
	uint8_t box[TOKEN_BOX_LEN];
	struct qn q;
	enum app_err err;

	if ((err = store_survey_qn_get(db, qid, 0, &q)))
		return err;
	l.questionnaire_version = q.version;
	store_survey_qn_release(&q);
	snprintf(l.kind, sizeof(l.kind), "%s", kind);
	l.appointment_id = a->id;
	l.patient_id = a->patient_id;
	l.questionnaire_id = qid;
	l.send_id = send_id;
	l.created_at = now;
	l.expires_at = now + (int64_t)app->cfg->survey_days * 86400;
	token_new(token);
	token_hash(token, hash);
	token_seal(app->link_key, token, box);
	memset(token, 0, sizeof(token));
	return store_survey_link_add(db, &l, hash, box, id);
}

/* The plan of a: its own, else its type's (new, or NULL). */
static json_t *plan_of(struct store *db, const struct appointment *a)
{
	char *text = NULL;
	json_t *plan = NULL;

	if (!store_survey_plan_get(db, "appointments", a->id, &text) && !text && a->type_id &&
	    store_survey_plan_get(db, "consultation_types", a->type_id, &text))
		text = NULL;
	if (text)
		plan = json_loads(text, 0, NULL);
	free(text);
	return plan;
}

static enum app_err plan_sends(struct store *db, const struct appointment *a)
{
	json_t *plan = plan_of(db, a), *e;
	enum app_err err = APP_OK;
	size_t i;

	json_array_foreach(plan, i, e) {
		struct follow_up f = {0};
		const json_t *t = json_object_get(e, "threshold"),
			     *u = json_object_get(e, "urgent_threshold");

		f.appointment_id = a->id;
		f.patient_id = a->patient_id;
		f.questionnaire_id = json_integer_value(json_object_get(e, "questionnaire_id"));
		f.after_days = (int)json_integer_value(json_object_get(e, "after_days"));
		f.has_threshold = json_is_number(t);
		f.threshold = json_number_value(t);
		f.has_urgent = json_is_number(u);
		f.urgent_threshold = json_number_value(u);
		f.reminder_days = (int)json_integer_value(json_object_get(e, "reminder_days"));
		f.due_at = a->end + (int64_t)f.after_days * 86400;
		if ((err = store_survey_followup_add(db, &f)))
			break;
	}
	json_decref(plan);
	return err;
}

enum app_err survey_on_completed(struct app *app, struct store *db, const struct appointment *a,
				 int64_t now)
{
	bool declined = false, sent = false;
	int64_t qid = 0, link;
	enum app_err err;
	int n;

	/* a patient who declined gets no survey of any kind (issue 22) */
	if ((err = store_survey_declined(db, a->patient_id, &declined)))
		return err;
	if (declined)
		return APP_OK;
	if ((err = plan_sends(db, a)) || (err = store_survey_sent(db, a->id, &sent)) ||
	    (err = store_survey_builtin(db, &qid)))
		return err;
	if (sent || !qid)
		return APP_OK;
	if ((err = new_link(app, db, a, "survey", qid, 0, now, &link)))
		return err;
	return outbox_survey(app, db, a, "survey", link, NULL, now, &n);
}

/* Send PROM f (or its reminder) in a transaction of its own. */
static void send_followup(struct app *app, struct store *db, int64_t id, bool reminder,
			  int64_t now)
{
	struct follow_up f;
	struct appointment a;
	struct qn q = {0};
	int64_t link = 0;
	bool declined = false;
	enum app_err err;
	int n;

	if ((err = store_begin(db)))
		return;
	if ((err = store_survey_followup_get(db, id, &f)) ||
	    (err = store_appointments_get(db, f.appointment_id, &a)) ||
	    (err = store_survey_declined(db, f.patient_id, &declined)))
		goto out;
	/* declined, or no longer completed (a no-show corrected later): the
	 * sends of it stop without a message */
	if (declined || a.status != APPT_COMPLETED) {
		err = store_survey_followups_stop(db, false, f.appointment_id, now);
		if (!err && declined)
			err = store_survey_followups_stop(db, true, f.patient_id, now);
		goto out;
	}
	if (reminder) {
		if ((err = store_survey_followup_link(db, id, &link)))
			goto out;
		if (link && (err = outbox_survey(app, db, &a, "prom_reminder", link, NULL, now, &n)))
			goto out;
		err = store_survey_followup_mark(db, id, "reminded_at", now);
		goto out;
	}
	if ((err = store_survey_qn_get(db, f.questionnaire_id, 0, &q)))
		goto out;
	/* a retired questionnaire sends nothing more; the send is closed */
	if (!q.retired && a.patient_id == f.patient_id &&
	    ((err = new_link(app, db, &a, "prom", f.questionnaire_id, id, now, &link)) ||
	     (err = outbox_survey(app, db, &a, "prom", link, NULL, now, &n))))
		goto out;
	err = store_survey_followup_mark(db, id, "sent_at", now);
out:
	store_survey_qn_release(&q);
	if (!err)
		err = store_commit(db);
	if (err) {
		store_rollback(db);
		log_warn("survey: could not send follow-up %lld%s", (long long)id,
			 reminder ? "'s reminder" : "");
	}
}

void survey_tick(struct app *app, struct store *db)
{
	int64_t send[32], remind[32], now = app_now(app);
	int nsend = 0, nremind = 0;

	if (store_survey_followups_due(db, now, send, &nsend, remind, &nremind, 32))
		return;
	for (int i = 0; i < nsend; i++)
		send_followup(app, db, send[i], false, now);
	for (int i = 0; i < nremind; i++)
		send_followup(app, db, remind[i], true, now);
	if (nsend || nremind)
		outbox_kick(app->outbox);
}

/* The patient's language ("nb" when it cannot be read). */
static void patient_language(struct store *db, int64_t patient, char lang[4])
{
	struct res_row row;

	snprintf(lang, 4, "nb");
	if (!store_resource_get(db, &resources_patients, patient, &row))
		snprintf(lang, 4, "%.2s",
			 row.v[store_resource_field(&resources_patients, "language")].s);
}

enum app_err survey_answered(struct app *app, struct store *db, const struct survey_link *l,
			     const json_t *fb, struct qresponse *r, int64_t now)
{
	struct appointment a;
	struct follow_up f;
	enum app_err err;
	bool control;
	char lang[4];
	int n;

	if ((err = store_appointments_get(db, l->appointment_id, &a)))
		return err;
	if (a.status == APPT_COMPLETED)
		snprintf(r->mode, sizeof(r->mode), "%s", appointment_mode_name(a.held_mode));
	if ((err = store_survey_response_add(db, r)))
		return err;
	if (l->send_id) {
		if ((err = store_survey_followup_get(db, l->send_id, &f)))
			return err;
		control = r->wants_control == 1 ||
			  (f.has_threshold && r->has_score && r->score >= f.threshold);
		if ((err = store_survey_followup_answered(db, f.id, now, control)))
			return err;
		if (control && a.type_id &&
		    (err = store_survey_waiting_add(
			     db, a.patient_id, a.type_id,
			     f.has_urgent && r->has_score && r->score >= f.urgent_threshold,
			     SURVEY_CONTROL_NOTE, now)))
			return err;
	}
	if (fb && r->has_score) {
		const char *text;
		patient_language(db, a.patient_id, lang);
		if ((text = questionnaire_band_text(fb, r->score, lang)) &&
		    (err = outbox_survey(app, db, &a, "feedback", 0, text, now, &n)))
			return err;
	}
	return APP_OK;
}

/* Refuse with why, blaming field "follow_up[i].key" (or the plan). */
static const char *refuse(char *why, size_t cap, char *field, size_t fcap, long i,
			  const char *key, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
static const char *refuse(char *why, size_t cap, char *field, size_t fcap, long i,
			  const char *key, const char *fmt, ...)
{
	va_list ap;

	if (i < 0)
		snprintf(field, fcap, "follow_up");
	else if (!key)
		snprintf(field, fcap, "follow_up[%ld]", i);
	else
		snprintf(field, fcap, "follow_up[%ld].%s", i, key);
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return why;
}

const char *survey_plan_refusal(struct store *db, const json_t *plan, int64_t unit, char *why,
				size_t cap, char *field, size_t fcap)
{
	static const char *const keys[] = {"after_days", "questionnaire_id", "threshold",
					   "urgent_threshold", "reminder_days", NULL};
	const json_t *e;
	size_t i;

	if (!json_is_array(plan) || json_array_size(plan) > SURVEY_PLAN_MAX)
		return refuse(why, cap, field, fcap, -1, NULL,
			      "'follow_up' is a list of at most %d sends", SURVEY_PLAN_MAX);
	json_array_foreach(plan, i, e) {
		const json_t *d = json_object_get(e, "after_days"),
			     *q = json_object_get(e, "questionnaire_id");
		long n = (long)i;
		const char *k;
		json_t *v;
		struct qn qn;
		bool retired;
		int64_t qunit;

		if (!json_is_object(e))
			return refuse(why, cap, field, fcap, n, NULL, "send %ld is not an object", n);
		json_object_foreach((json_t *)e, k, v) {
			bool known = false;
			for (int j = 0; keys[j]; j++)
				known = known || !strcmp(k, keys[j]);
			if (!known)
				return refuse(why, cap, field, fcap, n, NULL,
					      "send %ld: unknown field '%.40s'", n, k);
		}
		if (!json_is_integer(d) || json_integer_value(d) < 1 ||
		    json_integer_value(d) > 3650)
			return refuse(why, cap, field, fcap, n, "after_days",
				      "send %ld: 'after_days' is 1 to 3650", n);
		/* the questionnaire's FHIR id is a string; its plan takes the number */
		if (json_is_string(q))
			return refuse(why, cap, field, fcap, n, "questionnaire_id",
				      "send %ld: 'questionnaire_id' is a number (%.20s, not \"%.20s\")",
				      n, json_string_value(q), json_string_value(q));
		if (!json_is_integer(q) || json_integer_value(q) < 1 ||
		    store_survey_qn_get(db, json_integer_value(q), 0, &qn))
			return refuse(why, cap, field, fcap, n, "questionnaire_id",
				      "send %ld: 'questionnaire_id' names no questionnaire", n);
		retired = qn.retired;
		qunit = qn.unit_id;
		store_survey_qn_release(&qn);
		if (retired)
			return refuse(why, cap, field, fcap, n, "questionnaire_id",
				      "send %ld: questionnaire %lld is retired", n,
				      (long long)json_integer_value(q));
		/* another unit's questionnaire is not this unit's to send, and
		 * for a unit-limited secretary it is one they cannot see */
		if (qunit && qunit != unit)
			return refuse(why, cap, field, fcap, n, "questionnaire_id",
				      "send %ld: questionnaire %lld belongs to another unit", n,
				      (long long)json_integer_value(q));
		for (int j = 2; j < 4; j++) {
			v = json_object_get(e, keys[j]);
			if (v && !json_is_null(v) &&
			    (!json_is_number(v) || !isfinite(json_number_value(v))))
				return refuse(why, cap, field, fcap, n, keys[j],
					      "send %ld: '%s' is a number or null", n, keys[j]);
		}
		v = json_object_get(e, "reminder_days");
		if (v && !json_is_null(v) &&
		    (!json_is_integer(v) || json_integer_value(v) < 1 ||
		     json_integer_value(v) > 365))
			return refuse(why, cap, field, fcap, n, "reminder_days",
				      "send %ld: 'reminder_days' is 1 to 365 or null", n);
	}
	return NULL;
}
