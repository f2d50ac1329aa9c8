/*
 * api_invite.c - invitations, the messages staff see, and the patient link.
 *
 * Staff: POST /appointments/{id}/invitations issues a fresh link (revoking
 * the earlier one) and queues the invitation, in one transaction with the
 * status change booked -> invited; GET /appointments/{id}/messages lists
 * what was queued, sent and failed.  A patient with no address on the
 * channels asked for (no mobile, no e-mail) gets the link all the same, for
 * staff to read out or print in a letter, but nothing is queued: the answer
 * says "delivery": "manual" and "channels": [], the status stays as it was
 * (booked is "not invited by message"; the work queue's unanswered
 * invitations are the ones that went out) and the history says
 * "invitation_manual".
 *
 * Patient: /invite/{token} needs no login; the token is the only key.  Its
 * hash finds the link; an unknown, revoked or expired token gets the same
 * 404 (resolve() below), so a guess learns nothing.  The view holds the
 * appointment's time, mode, place or video room and the clinicians' names
 * and professions, never the patient's contact data.  GET never changes
 * anything (mail scanners and link previews follow links); the answers are
 * POSTs, applied through store_appointments_edit_then with the rules of
 * appointment_answer_refusal(), and their receipts are queued in the same
 * transaction.  The view carries the appointment's version; a patient's
 * answer with If-Match (the page always sends it) is refused with 412 when
 * the appointment has changed since, unless it is the answer already given,
 * so answers given at once from one view make exactly one change.  A
 * patient who opted out and then confirms after all ("I can take it by
 * video after all") is in the history as "video_after_all" with the reason
 * the opt-out gave, so the reason is not lost when the opt-out leaves the
 * work queue.  The view names the unit of the appointment's first clinician
 * with its department, phone and address (schema/0018), for the patient
 * to call.  Every look and answer is in the audit log as "patient".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "audit.h"
#include "body.h"
#include "ics.h"
#include "outbox.h"
#include "params.h"
#include "store.h"
#include "store_appointments.h"
#include "store_outbox.h"
#include "store_participants.h"
#include "store_stats.h"
#include "store_users.h"
#include "timeutil.h"
#include "throttle.h"
#include "token.h"

#define JOIN_EARLY_S (15 * 60) /* the video room opens this long before */

/* ---- staff ---- */

struct invite_ctx {
	struct app *app;
	struct store *db; /* the edit's, inside its transaction */
	struct reply *rep;
	const struct req *req;
	unsigned channels; /* asked for */
	unsigned reach;    /* of those, the ones the patient has an address for */
	char url[OUTBOX_URL_MAX];
	int queued;
};

static enum app_err invite_edit(void *vctx, const struct appointment *cur,
				struct appointment *next)
{
	struct invite_ctx *c = vctx;
	enum app_err err;

	if (cur->status == APPT_CANCELLED || cur->status == APPT_COMPLETED ||
	    cur->status == APPT_NO_SHOW || cur->end <= c->req->now)
		return reply_fail(c->rep, APP_ETRANSITION, "status",
				  "an appointment that is %s cannot be invited to",
				  cur->end <= c->req->now ? "over"
							  : appointment_status_name(cur->status));
	if ((err = outbox_patient_channels(c->db, cur, c->channels, &c->reach)))
		return err;
	/* nothing goes out: the status must not say it did */
	if (c->reach && (cur->status == APPT_BOOKED || cur->status == APPT_OPTED_OUT))
		next->status = APPT_INVITED;
	return APP_OK;
}

static enum app_err invite_after(void *vctx, struct store *db, const struct appointment *cur,
				 const struct appointment *next)
{
	struct invite_ctx *c = vctx;
	struct audit_row row;
	enum app_err err;

	(void)cur;
	if ((err = outbox_invite(c->app, db, next, c->channels, c->req->now, c->url, &c->queued)))
		return err;
	if (!c->queued &&
	    (err = store_appointments_note(db, next, c->req->now, &c->req->who,
					   "invitation_manual", "{\"channels\":[]}")))
		return err;
	audit_fill(&row, &c->req->who, "appointment.invite", next->patient_id, next->id,
		   c->req->now);
	return store_users_audit_add(db, &row);
}

enum app_err api_invite_channels(const struct req *req, struct reply *rep, unsigned *out)
{
	static const char *const allowed[] = {"channels", NULL};
	json_t *o = NULL, *arr, *v;
	enum app_err err;
	size_t i;

	*out = OUTBOX_SMS | OUTBOX_EMAIL;
	if ((err = body_object(req, rep, allowed, true, &o)))
		return err;
	if ((arr = json_object_get(o, "channels"))) {
		*out = 0;
		if (!json_is_array(arr) || !json_array_size(arr))
			err = reply_fail(rep, APP_EINVAL, "channels",
					 "'channels' must be a non-empty array of \"sms\", \"email\"");
		json_array_foreach(arr, i, v) {
			const char *s = json_string_value(v);
			if (err)
				break;
			if (s && !strcmp(s, "sms"))
				*out |= OUTBOX_SMS;
			else if (s && !strcmp(s, "email"))
				*out |= OUTBOX_EMAIL;
			else
				err = reply_fail(rep, APP_EINVAL, "channels",
						 "'channels' holds \"sms\" or \"email\"");
		}
	}
	json_decref(o);
	return err;
}

API_HANDLER(api_invite_create)
{
	struct invite_ctx c = {.app = app, .db = db, .rep = rep, .req = req};
	struct appointment a;
	char t[TIMEUTIL_INSTANT_LEN];
	struct conflicts cf;
	enum app_err err;

	if ((err = api_appointment_visible(db, req, rep, &a)) ||
	    (err = api_invite_channels(req, rep, &c.channels)))
		return err;
	err = store_appointments_edit_then(db, a.id, 0, invite_edit, invite_after, &c, &req->who,
					   req->now, &cf, &a);
	if (err)
		return rep->status ? err : err == APP_ECONFLICT ? reply_conflicts(rep, &cf) : err;
	outbox_kick(app->outbox);
	buf_json_kstr(&rep->body, "{", "url", c.url);
	timeutil_format(outbox_link_expires(app, &a), t);
	buf_json_kstr(&rep->body, ",", "expires", t);
	buf_json_kint(&rep->body, ",", "queued", c.queued, false);
	buf_puts(&rep->body, ",\"channels\":[");
	if (c.queued && (c.reach & OUTBOX_SMS))
		buf_puts(&rep->body, "\"sms\"");
	if (c.queued && (c.reach & OUTBOX_EMAIL))
		buf_puts(&rep->body, c.reach & OUTBOX_SMS ? ",\"email\"" : "\"email\"");
	buf_putc(&rep->body, ']');
	buf_json_kstr(&rep->body, ",", "delivery", c.queued ? "queued" : "manual");
	buf_json_kstr(&rep->body, ",", "status", appointment_status_name(a.status));
	buf_json_kint(&rep->body, ",", "version", a.version, false);
	buf_putc(&rep->body, '}');
	snprintf(rep->location, sizeof(rep->location), "/api/v1/appointments/%" PRId64 "/messages",
		 a.id);
	rep->status = 201;
	return APP_OK;
}

struct list_ctx {
	struct buf *b;
	struct store *db;
	const char *public_url;
	int n;
};

/* The body of an action that takes none: empty, or an empty object. */
static const char *const no_fields[] = {NULL};

static void put_time(struct buf *b, const char *key, int64_t t)
{
	char s[TIMEUTIL_INSTANT_LEN];

	if (!t) {
		buf_json_kstr(b, ",", key, NULL);
		return;
	}
	timeutil_format(t, s);
	buf_json_kstr(b, ",", key, s);
}

static bool is_guest(const struct participant *p)
{
	return !strcmp(p->kind, "external");
}

/* Whom message m went to, so that the many messages of a meeting can be
 * told apart: {"kind": patient | clinician | guest, "name", "role" and
 * "interpreter_language" (a guest's), "removed"}; null when it names no
 * participant. */
static void put_recipient(struct buf *b, struct store *db, const struct outbox_msg *m)
{
	struct participant p;
	bool guest;

	if (!m->participant_id ||
	    store_participants_get(db, m->appointment_id, m->participant_id, &p)) {
		buf_puts(b, ",\"recipient\":null");
		return;
	}
	guest = is_guest(&p);
	buf_json_kstr(b, ",\"recipient\":{", "kind", guest ? "guest" : p.kind);
	buf_json_kstr(b, ",", "name", p.name);
	buf_json_kstr(b, ",", "role", guest ? p.role : NULL);
	buf_json_kstr(b, ",", "interpreter_language",
		      guest && p.interpreter_language[0] ? p.interpreter_language : NULL);
	buf_json_kbool(b, ",", "removed", p.removed_at != 0);
	buf_putc(b, '}');
}

static bool message_row(void *vctx, const struct outbox_msg *m)
{
	struct list_ctx *c = vctx;
	char elided[300];
	struct buf shown;

	/* the link's token is nobody's business but the patient's */
	snprintf(elided, sizeof(elided), "%s/%s/\u2026", c->public_url,
		 m->survey_link_id ? "s" : "i"); /* a survey link (issue 22) or the invite link */
	buf_init(&shown, OUTBOX_BODY_MAX + 1024);
	outbox_fill_link(&shown, m->body, elided);
	buf_json_kint(c->b, c->n++ ? ",{" : "{", "id", m->id, false);
	buf_json_kint(c->b, ",", "participant_id", m->participant_id, true);
	buf_json_kstr(c->b, ",", "channel", m->channel);
	buf_json_kstr(c->b, ",", "to", m->recipient);
	put_recipient(c->b, c->db, m);
	buf_json_kstr(c->b, ",", "kind", m->kind);
	buf_json_kstr(c->b, ",", "language", m->language);
	buf_json_kstr(c->b, ",", "status", m->status);
	buf_json_kstr(c->b, ",", "subject", m->subject[0] ? m->subject : NULL);
	buf_json_kstr(c->b, ",", "body", shown.failed ? NULL : shown.data);
	buf_release(&shown);
	buf_json_kint(c->b, ",", "attempts", m->attempts, false);
	buf_json_kstr(c->b, ",", "last_error", m->last_error[0] ? m->last_error : NULL);
	put_time(c->b, "created_at", m->created_at);
	put_time(c->b, "sent_at", m->sent_at);
	put_time(c->b, "next_attempt_at", strcmp(m->status, "queued") ? 0 : m->next_at);
	put_time(c->b, "last_attempt_at", strcmp(m->status, "queued") ? m->next_at : 0);
	put_time(c->b, "handled_at", m->handled_at);
	buf_json_kstr(c->b, ",", "handled_by", m->handled_at ? m->handled_by : NULL);
	buf_putc(c->b, '}');
	return !c->b->failed;
}

API_HANDLER(api_invite_messages)
{
	struct list_ctx c = {&rep->body, db, app->cfg->public_url, 0};
	struct appointment a;
	enum app_err err;

	if ((err = api_appointment_visible(db, req, rep, &a)))
		return err;
	audit_read(app->audit, &req->who, "appointment.messages", a.patient_id, a.id, req->now);
	buf_putc(&rep->body, '[');
	if ((err = store_outbox_list(db, a.id, message_row, &c)))
		return err;
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}

/* A failed message the secretary dealt with by other means (a phone call):
 * it leaves the work queue; the change is audited. */
API_HANDLER(api_invite_handled)
{
	struct appointment a;
	struct audit_row row;
	json_t *o = NULL;
	bool changed = false;
	enum app_err err;

	(void)app;
	if ((err = body_object(req, rep, no_fields, true, &o)))
		return err;
	json_decref(o);
	if ((err = api_appointment_visible(db, req, rep, &a)))
		return err;
	if ((err = store_begin(db)))
		return err;
	err = store_outbox_handled(db, a.id, req->ids[1], req->who.username, req->now, &changed);
	if (!err && changed) {
		audit_fill(&row, &req->who, "message.handled", a.patient_id, a.id, req->now);
		err = store_users_audit_add(db, &row);
	}
	if (!err)
		err = store_commit(db);
	if (err) {
		store_rollback(db);
		if (err == APP_ENOTFOUND)
			return reply_fail(rep, err, NULL, "appointment %" PRId64
					  " has no message %" PRId64, a.id, req->ids[1]);
		if (err == APP_ETRANSITION)
			return reply_fail(rep, err, NULL, "only a failed message can be marked handled");
		return err;
	}
	rep->status = 204;
	return APP_OK;
}

/* ---- the patient ---- */

/* The appointment and link of req's token; the same 404 for every token
 * that opens nothing. */
static enum app_err resolve(struct app *app, struct store *db, const struct req *req,
			    struct reply *rep, struct link *l, struct appointment *a,
			    struct participant *p)
{
	char hash[TOKEN_HASH_LEN + 1];
	enum app_err err = APP_ENOTFOUND;

	if (token_valid(req->token)) {
		token_hash(req->token, hash);
		err = store_outbox_link_find(db, hash, l);
		if (!err)
			err = store_appointments_get(db, l->appointment_id, a);
		if (!err)
			err = store_participants_get(db, a->id, l->participant_id, p);
		if (!err && (l->revoked_at || req->now >= outbox_link_expires(app, a)))
			err = APP_ENOTFOUND;
	}
	if (err == APP_ENOTFOUND)
		return reply_fail(rep, err, NULL, "this link does not open an appointment; it may "
						  "have expired or been replaced by a newer one");
	return err;
}

/* The key of link l in app->link_answers. */
static void answer_key(const struct link *l, char key[32])
{
	snprintf(key, 32, "link:%lld", (long long)l->id);
}

/* 429 (answered) when link l has made its fill of changes in the window
 * (http_server.c: LINK_ANSWER_LIMIT).  Only answers that change something
 * count (answer_counted): the same answer again, or many at once of which
 * one wins, do not. */
static enum app_err answer_allowed(struct app *app, const struct req *req, struct reply *rep,
				   const struct link *l)
{
	char key[32];

	if (!app->link_answers)
		return APP_OK;
	answer_key(l, key);
	if ((rep->retry_after = throttle_wait(app->link_answers, key, req->now)))
		return reply_fail(rep, APP_ERATE, NULL,
				  "this link has changed its answer many times in a short while; "
				  "try again in %d s",
				  rep->retry_after);
	return APP_OK;
}

/* Whether ans is the answer a already has. */
static bool same_answer(const struct appointment *a, enum appt_answer ans, int64_t now)
{
	enum appt_status to;

	return !appointment_answer_refusal(a, ans, now, &to) && a->status == to;
}

static void answer_counted(struct app *app, const struct req *req, const struct link *l)
{
	char key[32];

	if (!app->link_answers)
		return;
	answer_key(l, key);
	throttle_miss(app->link_answers, key, req->now);
}

/* The language of the link's holder p, a guest or a's patient ("nb" when
 * it cannot be read). */
static void link_language(struct store *db, const struct appointment *a,
			  const struct participant *p, char lang[4])
{
	struct res_row row;

	snprintf(lang, 4, "nb");
	if (is_guest(p)) {
		if (p->language[0])
			snprintf(lang, 4, "%.2s", p->language);
	} else if (!store_resource_get(db, &resources_patients, a->patient_id, &row)) {
		snprintf(lang, 4, "%.2s",
			 row.v[store_resource_field(&resources_patients, "language")].s);
	}
}

/* Who opens the link, for the history and the audit log. */
static void link_actor(const struct req *req, const struct participant *p, struct actor *who)
{
	memset(who, 0, sizeof(*who));
	snprintf(who->username, sizeof(who->username), "%s", is_guest(p) ? "guest" : "patient");
	who->role = ROLE_PATIENT;
	snprintf(who->ip, sizeof(who->ip), "%s", req->who.ip);
}

/* Whether a guest may still answer: the meeting holds and has not begun. */
static bool guest_may_answer(const struct appointment *a, int64_t now)
{
	return appointment_live(a) && a->status != APPT_COMPLETED && a->status != APPT_NO_SHOW &&
	       now < a->start;
}

/* "unit": how the holder of the link reaches the clinic (the unit of the
 * appointment's first clinician), or null when it has none. */
static enum app_err put_unit(struct store *db, struct buf *b, int64_t id)
{
	static const char *const shown[] = {"name", "department", "phone", "address"};
	const struct res_desc *d = &resources_units;
	struct res_row row;
	enum app_err err;

	if (!id || (err = store_resource_get(db, d, id, &row)) == APP_ENOTFOUND) {
		buf_puts(b, ",\"unit\":null");
		return APP_OK;
	}
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		const char *v = row.v[store_resource_field(d, shown[i])].s;
		buf_json_kstr(b, i ? "," : ",\"unit\":{", shown[i], v && *v ? v : NULL);
	}
	buf_putc(b, '}');
	return APP_OK;
}

/* The initials of name ("K.N." for "Kari Nordmann", "P.O.H." for
 * "Per-Olav Hansen": the first character of each word) into out (cap
 * bytes, at least 2). */
static void initials(const char *name, char *out, size_t cap)
{
	bool start = true; /* at the start of a word */
	size_t n = 0;

	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		size_t len = 1;

		if (*c == ' ' || *c == '-' || *c == '\t') {
			start = true;
			continue;
		}
		if (!start)
			continue;
		start = false;
		while ((c[len] & 0xc0) == 0x80)
			len++; /* the whole of a UTF-8 character */
		if (n + len + 2 > cap)
			break;
		memcpy(out + n, c, len);
		n += len;
		out[n++] = '.';
		c += len - 1;
	}
	out[n] = '\0';
}

/* What a guest is told of whom the meeting is about, enough to prepare
 * from and no more: the clinic's reference when it set one, else the
 * patient's initials and birth year; never the name, birth number or
 * contact data. */
static void write_about(struct buf *b, struct store *db, const struct appointment *a)
{
	struct res_row row;
	char ini[64] = "";
	int64_t year = 0;
	const char *bd;

	if (!a->reference[0] && !store_resource_get(db, &resources_patients, a->patient_id, &row)) {
		initials(row.v[store_resource_field(&resources_patients, "name")].s, ini,
			 sizeof(ini));
		bd = row.v[store_resource_field(&resources_patients, "birth_date")].s;
		if (!row.v[store_resource_field(&resources_patients, "birth_date")].null &&
		    strlen(bd) == 10)
			year = strtoll(bd, NULL, 10);
	}
	buf_json_kstr(b, ",\"about\":{", "reference", a->reference[0] ? a->reference : NULL);
	buf_json_kstr(b, ",", "initials", ini[0] ? ini : NULL);
	buf_json_kint(b, ",", "birth_year", year, true);
	buf_putc(b, '}');
}

/* The status a link's holder sees.  A guest sees the meeting's state, never
 * the patient's own answer (invited, confirmed, opted out, did not come):
 * "cancelled", "completed" once it is over (held or not), else "booked"
 * (the meeting is on). */
static const char *view_status(const struct appointment *a, bool guest)
{
	if (!guest || a->status == APPT_CANCELLED)
		return appointment_status_name(a->status);
	return a->status == APPT_COMPLETED || a->status == APPT_NO_SHOW ? "completed" : "booked";
}

static enum app_err write_view(struct app *app, struct store *db, const struct req *req,
			       struct reply *rep, const struct appointment *a,
			       const struct participant *p)
{
	struct buf *b = &rep->body;
	bool guest = is_guest(p);
	int64_t unit = 0;
	struct res_row row;
	enum appt_status to;
	enum app_err err;
	char lang[4];

	link_language(db, a, p, lang);
	buf_json_kstr(b, "{", "audience", guest ? "guest" : "patient");
	buf_json_kstr(b, ",", "status", view_status(a, guest));
	buf_json_kint(b, ",", "version", a->version, false);
	put_time(b, "start", a->start);
	put_time(b, "end", a->end);
	buf_json_kstr(b, ",", "mode", appointment_mode_name(a->mode));
	buf_json_kstr(b, ",", "video_url",
		      a->mode == APPT_VIDEO && appointment_live(a) ? a->video_url : NULL);
	put_time(b, "join_from", a->mode == APPT_VIDEO ? a->start - JOIN_EARLY_S : 0);
	buf_puts(b, ",\"room\":");
	if (a->room_id && !store_resource_get(db, &resources_rooms, a->room_id, &row)) {
		buf_json_kstr(b, "{", "name",
			      row.v[store_resource_field(&resources_rooms, "name")].s);
		buf_json_kstr(b, ",", "location",
			      row.v[store_resource_field(&resources_rooms, "location")].s);
		buf_putc(b, '}');
	} else {
		buf_puts(b, "null");
	}
	buf_puts(b, ",\"clinicians\":[");
	for (int i = 0; i < a->nclinicians; i++) {
		if ((err = store_resource_get(db, &resources_clinicians, a->clinician_ids[i],
					      &row)))
			return err;
		if (!i)
			unit = row.v[store_resource_field(&resources_clinicians, "unit_id")].i;
		buf_json_kstr(b, i ? ",{" : "{", "name",
			      row.v[store_resource_field(&resources_clinicians, "name")].s);
		buf_json_kstr(b, ",", "profession",
			      row.v[store_resource_field(&resources_clinicians, "profession")].s);
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	if ((err = put_unit(db, b, unit)))
		return err;
	buf_json_kstr(b, ",", "language", lang);
	buf_json_kstr(b, ",", "clinic", app->cfg->clinic_name);
	buf_json_kint(b, ",", "cancel_notice_hours", app->cfg->cancel_notice_hours, false);
	buf_json_kstr(b, ",", "time_zone", app->cfg->tz);
	put_time(b, "now", req->now);
	put_time(b, "expires", outbox_link_expires(app, a));
	if (guest) { /* their own part: who they are, and their answer */
		buf_json_kstr(b, ",\"participant\":{", "name", p->name);
		buf_json_kstr(b, ",", "role", p->role);
		buf_json_kstr(b, ",", "response", p->response);
		buf_putc(b, '}');
		write_about(b, db, a);
		buf_json_kbool(b, ",\"can\":{", "accept",
			       guest_may_answer(a, req->now) && strcmp(p->response, "accepted"));
		buf_json_kbool(b, ",", "tentative",
			       guest_may_answer(a, req->now) && strcmp(p->response, "tentative"));
		buf_json_kbool(b, ",", "decline",
			       guest_may_answer(a, req->now) && strcmp(p->response, "declined"));
		buf_puts(b, "}}");
		rep->status = 200;
		return APP_OK;
	}
	buf_json_kbool(b, ",\"can\":{", "confirm",
		       !appointment_answer_refusal(a, ANSWER_CONFIRM, req->now, &to) &&
			       a->status != APPT_CONFIRMED);
	buf_json_kbool(b, ",", "opt_out",
		       !appointment_answer_refusal(a, ANSWER_OPT_OUT, req->now, &to) &&
			       a->status != APPT_OPTED_OUT);
	buf_json_kbool(b, ",", "cancel",
		       !appointment_answer_refusal(a, ANSWER_CANCEL, req->now, &to) &&
			       a->status != APPT_CANCELLED);
	buf_puts(b, "}}");
	rep->status = 200;
	return APP_OK;
}

API_HANDLER(api_invite_view)
{
	struct participant p;
	struct appointment a;
	struct actor who;
	struct link l;
	enum app_err err;

	if ((err = resolve(app, db, req, rep, &l, &a, &p)))
		return err;
	link_actor(req, &p, &who);
	audit_read(app->audit, &who, "invite.read", a.patient_id, a.id, req->now);
	return write_view(app, db, req, rep, &a, &p);
}

/* A guest's answer: their own response, in the history; the meeting does
 * not change.  The same answer again changes nothing. */
static enum app_err guest_answer(struct app *app, struct store *db, const struct req *req,
				 struct reply *rep, const char *response)
{
	struct participant p;
	struct appointment a;
	struct actor who;
	struct link l;
	enum app_err err;
	json_t *o = NULL;
	struct buf note;
	bool changed = false;

	buf_init(&note, 1024);
	if ((err = body_object(req, rep, no_fields, true, &o)) || (err = store_begin(db)))
		goto done;
	if ((err = resolve(app, db, req, rep, &l, &a, &p)))
		goto out;
	if (!is_guest(&p)) {
		err = reply_fail(rep, APP_ETRANSITION, NULL,
				 "the patient confirms, opts out or cancels");
		goto out;
	}
	if (!guest_may_answer(&a, req->now)) {
		err = reply_fail(rep, APP_ETRANSITION, NULL,
				 "this meeting %s and takes no more answers",
				 appointment_live(&a) ? "has begun or is over" : "is cancelled");
		goto out;
	}
	if ((changed = strcmp(p.response, response) != 0)) {
		if ((err = answer_allowed(app, req, rep, &l)))
			goto out;
		link_actor(req, &p, &who);
		buf_json_kint(&note, "{\"guest\":{", "id", p.id, false);
		buf_json_kstr(&note, ",", "name", p.name);
		buf_json_kstr(&note, ",", "role", p.role);
		buf_json_kstr(&note, "},", "response", response);
		buf_putc(&note, '}');
		if (note.failed) {
			err = APP_ENOMEM;
			goto out;
		}
		if ((err = store_outbox_respond(db, p.id, response, req->now)) ||
		    (err = store_appointments_note(db, &a, req->now, &who, "guest_answered",
						   note.data)))
			goto out;
	}
	if ((err = store_commit(db)))
		goto out;
	if (changed)
		answer_counted(app, req, &l);
	if (!(err = store_participants_get(db, a.id, p.id, &p)))
		err = write_view(app, db, req, rep, &a, &p);
	goto done;
out:
	store_rollback(db);
done:
	json_decref(o);
	buf_release(&note);
	return err;
}

struct answer_ctx {
	struct app *app;
	struct reply *rep;
	const struct req *req;
	enum appt_answer answer;
	int64_t participant;
	const char *reason;
	const char *reason_code; /* an opt-out's category (store_stats.h) */
	int64_t seen; /* If-Match: the version the patient answered (0: any) */
	const struct actor *who; /* the patient, for the history */
};

/* A confirmation after an opt-out: the history keeps what the opt-out
 * said (its reason and category), which the new status clears. */
static enum app_err note_video_after_all(struct store *db, const struct appointment *cur,
					 const struct appointment *next, const struct actor *who,
					 int64_t now)
{
	enum app_err err;
	struct buf b;

	buf_init(&b, 2048);
	buf_json_kstr(&b, "{", "opt_out_reason", cur->status_reason[0] ? cur->status_reason : NULL);
	buf_json_kstr(&b, ",", "reason_code", cur->opt_out_reason[0] ? cur->opt_out_reason : NULL);
	buf_putc(&b, '}');
	err = b.failed ? APP_ENOMEM
		       : store_appointments_note(db, next, now, who, "video_after_all", b.data);
	buf_release(&b);
	return err;
}

static enum app_err answer_edit(void *vctx, const struct appointment *cur,
				struct appointment *next)
{
	struct answer_ctx *c = vctx;
	enum appt_status to;
	const char *why = appointment_answer_refusal(cur, c->answer, c->req->now, &to);

	if (why)
		return reply_fail(c->rep, APP_ETRANSITION, NULL, "%s", why);
	if (cur->status == to)
		return APP_OK; /* the same answer again changes nothing */
	if (c->seen && c->seen != cur->version)
		return reply_fail(c->rep, APP_ESTALE, NULL,
				  "the appointment has changed since you opened it; look again");
	next->status = to;
	snprintf(next->status_reason, sizeof(next->status_reason), "%s",
		 c->reason ? c->reason : "");
	return APP_OK;
}

static enum app_err answer_after(void *vctx, struct store *db, const struct appointment *cur,
				 const struct appointment *next)
{
	static const char *const response[] = {"accepted", "tentative", "declined"};
	struct answer_ctx *c = vctx;
	enum app_err err;

	if (cur->status == next->status)
		return APP_OK;
	if ((err = store_outbox_respond(db, c->participant, response[c->answer], c->req->now)))
		return err;
	if (cur->status == APPT_OPTED_OUT && next->status == APPT_CONFIRMED &&
	    (err = note_video_after_all(db, cur, next, c->who, c->req->now)))
		return err;
	/* what the statistics count: the opt-out's category (free text alone is
	 * "other"), and whether a cancellation came inside the notice */
	if (c->answer == ANSWER_OPT_OUT &&
	    (err = store_stats_answer(db, next->id, c->reason_code ? c->reason_code
						    : c->reason && c->reason[0] ? "other" : NULL,
				      false)))
		return err;
	if (c->answer == ANSWER_CANCEL &&
	    (err = store_stats_answer(db, next->id, NULL,
				      cur->start - c->req->now <
					      (int64_t)c->app->cfg->cancel_notice_hours * 3600)))
		return err;
	return outbox_on_change(c->app, db, cur, next, true, c->req->now);
}

static enum app_err answer(struct app *app, struct store *db, const struct req *req,
			   struct reply *rep, enum appt_answer ans)
{
	static const char *const allowed[] = {"reason_code", "reason", NULL};
	struct answer_ctx c = {app, rep, req, ans, 0, NULL, NULL, 0, NULL};
	struct participant p;
	struct appointment a;
	struct conflicts cf;
	struct actor who;
	struct link l;
	json_t *o = NULL;
	enum app_err err;
	int64_t version;

	if ((err = resolve(app, db, req, rep, &l, &a, &p)))
		return err;
	if (is_guest(&p)) {
		if (ans == ANSWER_CONFIRM) /* counted there */
			return guest_answer(app, db, req, rep, "accepted");
		return reply_fail(rep, APP_ETRANSITION, NULL,
				  "a guest answers for themselves only: accept, tentative or "
				  "decline");
	}
	/* a cancellation ends the answers, and the answer already given changes
	 * nothing: neither is held back */
	if ((ans != ANSWER_CANCEL && !same_answer(&a, ans, req->now) &&
	     (err = answer_allowed(app, req, rep, &l))) ||
	    (err = params_if_match(req, rep, &c.seen)) ||
	    (err = body_object(req, rep, ans == ANSWER_CONFIRM ? allowed + 2
					 : ans == ANSWER_CANCEL ? allowed + 1 : allowed,
			       true, &o)) ||
	    (err = body_text(rep, o, "reason", APPT_REASON_MAX, true, &c.reason)) ||
	    (err = body_text(rep, o, "reason_code", 32, true, &c.reason_code)))
		goto out;
	if (c.reason_code && stats_reason_parse(c.reason_code) < 0) {
		err = reply_fail(rep, APP_EINVAL, "reason_code",
				 "'reason_code' is equipment, prefer_in_person, examination, "
				 "language_hearing or other");
		goto out;
	}
	c.participant = l.participant_id;
	link_actor(req, &p, &who);
	c.who = &who;
	version = a.version;
	err = store_appointments_edit_then(db, a.id, 0, answer_edit, answer_after, &c, &who,
					   req->now, &cf, &a);
	if (err) {
		if (err == APP_ECONFLICT && !rep->status)
			err = reply_fail(rep, APP_ETRANSITION, NULL, "the appointment cannot "
								     "be changed now");
		goto out;
	}
	if (a.version != version)
		answer_counted(app, req, &l);
	outbox_kick(app->outbox);
	if (!(err = store_participants_get(db, a.id, p.id, &p)))
		err = write_view(app, db, req, rep, &a, &p);
out:
	json_decref(o);
	return err;
}

API_HANDLER(api_invite_accept)
{
	return guest_answer(app, db, req, rep, "accepted");
}

API_HANDLER(api_invite_tentative)
{
	return guest_answer(app, db, req, rep, "tentative");
}

API_HANDLER(api_invite_decline)
{
	return guest_answer(app, db, req, rep, "declined");
}

API_HANDLER(api_invite_confirm)
{
	return answer(app, db, req, rep, ANSWER_CONFIRM);
}

API_HANDLER(api_invite_opt_out)
{
	return answer(app, db, req, rep, ANSWER_OPT_OUT);
}

API_HANDLER(api_invite_cancel)
{
	return answer(app, db, req, rep, ANSWER_CANCEL);
}

API_HANDLER(api_invite_calendar)
{
	char url[OUTBOX_URL_MAX], lang[4];
	struct participant p;
	struct appointment a;
	struct actor who;
	struct link l;
	enum app_err err;

	if ((err = resolve(app, db, req, rep, &l, &a, &p)))
		return err;
	link_language(db, &a, &p, lang);
	link_actor(req, &p, &who);
	audit_read(app->audit, &who, "invite.calendar", a.patient_id, a.id, req->now);
	outbox_link_url(app, req->token, url);
	if ((err = outbox_ics(app, db, &a, lang, url, &rep->body)))
		return err;
	rep->content_type = ICS_CONTENT_TYPE; /* method=, as the file's METHOD */
	rep->status = 200;
	return APP_OK;
}
