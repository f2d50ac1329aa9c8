/*
 * api_participants.c - who takes part in an appointment, and its guests.
 *
 * Guests are the external participants of a many-party meeting: the GP, a
 * NAV (social-welfare) adviser, an interpreter (with the language), next
 * of kin, others.  Each has its own contact details, its own link (POST
 * .../participants/{participant_id}/invitations) and its own response
 * (accepted, declined, tentative, needs-action), which they give through
 * that link; their page shows the meeting, never the patient's contact
 * data.  A video meeting takes at most --video-max-participants people,
 * the patient and clinicians included: adding one more is 409
 * participant_limit.  Adding, changing and removing guests is recorded in
 * the appointment's history.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "audit.h"
#include "body.h"
#include "config.h"
#include "log.h"
#include "outbox.h"
#include "params.h"
#include "store.h"
#include "store_appointments.h"
#include "store_participants.h"
#include "store_users.h"
#include "timeutil.h"
#include "validate.h"

static const char *const roles[] = {"gp", "nav", "interpreter", "next_of_kin", "other", NULL};

static void write_participant(struct buf *b, const struct participant *p)
{
	bool guest = !strcmp(p->kind, "external");
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kint(b, "{", "id", p->id, false);
	buf_json_kstr(b, ",", "kind", guest ? "guest" : p->kind);
	buf_json_kint(b, ",", "patient_id", p->patient_id, true);
	buf_json_kint(b, ",", "clinician_id", p->clinician_id, true);
	buf_json_kstr(b, ",", "name", p->name);
	buf_json_kstr(b, ",", "role", guest ? p->role : NULL);
	buf_json_kstr(b, ",", "organisation", p->organisation[0] ? p->organisation : NULL);
	buf_json_kstr(b, ",", "interpreter_language",
		      p->interpreter_language[0] ? p->interpreter_language : NULL);
	buf_json_kstr(b, ",", "phone", p->phone[0] ? p->phone : NULL);
	buf_json_kstr(b, ",", "email", p->email[0] ? p->email : NULL);
	buf_json_kstr(b, ",", "language", guest ? p->language : NULL);
	buf_json_kstr(b, ",", "response", p->response);
	if (p->responded_at) {
		timeutil_format(p->responded_at, t);
		buf_json_kstr(b, ",", "responded_at", t);
	} else {
		buf_json_kstr(b, ",", "responded_at", NULL);
	}
	buf_json_kbool(b, ",", "invited", p->links > 0);
	if (p->removed_at) {
		timeutil_format(p->removed_at, t);
		buf_json_kstr(b, ",", "removed_at", t);
	}
	buf_putc(b, '}');
}

struct list_ctx {
	struct buf *b;
	int n;
};

static bool list_row(void *vctx, const struct participant *p)
{
	struct list_ctx *c = vctx;

	if (c->n++)
		buf_putc(c->b, ',');
	write_participant(c->b, p);
	return !c->b->failed;
}

API_HANDLER(api_participants_list)
{
	static const char *const allowed[] = {"removed", NULL};
	struct list_ctx c = {&rep->body, 0};
	struct appointment a;
	enum app_err err;
	bool removed, present;

	if ((err = api_appointment_visible(db, req, rep, &a)) ||
	    (err = params_only(req, rep, allowed)) ||
	    (err = params_bool(req, rep, "removed", &removed, &present)))
		return err;
	audit_read(app->audit, &req->who, "appointment.participants", a.patient_id, a.id, req->now);
	buf_putc(&rep->body, '[');
	if ((err = store_participants_list(db, a.id, present && removed, list_row, &c)))
		return err;
	buf_putc(&rep->body, ']');
	rep->status = 200;
	return APP_OK;
}

/* One text field of a guest into out (cap bytes), checked by check. */
static enum app_err read_text(struct reply *rep, json_t *o, const char *key, size_t max,
			      const char *(*check)(char *, size_t), char *out, size_t cap)
{
	const char *s, *why;
	enum app_err err;

	if (!body_has(o, key))
		return APP_OK;
	if ((err = body_str(rep, o, key, false, max, &s)))
		return err;
	snprintf(out, cap, "%s", s ? s : "");
	if (out[0] && (why = check(out, cap)))
		return reply_fail(rep, APP_EINVAL, key, "'%s' %s", key, why);
	return APP_OK;
}

/* A guest's details from the body, over what p holds (all of them on
 * create, where name and role are required). */
static enum app_err read_guest(const struct req *req, struct reply *rep, bool create,
			       struct participant *p)
{
	static const char *const allowed[] = {
	    "name",  "role",  "organisation", "interpreter_language",
	    "phone", "email", "language",     NULL};
	const char *role = NULL, *lang = NULL;
	enum app_err err;
	json_t *o = NULL;
	bool ok = false;

	if ((err = body_object(req, rep, allowed, false, &o)))
		return err;
	if (create && !body_has(o, "name")) {
		err = reply_fail(rep, APP_EINVAL, "name", "'name' is required");
		goto out;
	}
	if ((err = read_text(rep, o, "name", GUEST_NAME_MAX, validate_name, p->name,
			     sizeof(p->name))) ||
	    (err = read_text(rep, o, "organisation", 200, validate_name, p->organisation,
			     sizeof(p->organisation))) ||
	    (err = read_text(rep, o, "interpreter_language", 60, validate_name,
			     p->interpreter_language, sizeof(p->interpreter_language))) ||
	    (err = read_text(rep, o, "phone", 32, validate_phone, p->phone, sizeof(p->phone))) ||
	    (err = read_text(rep, o, "email", 254, validate_email, p->email, sizeof(p->email))) ||
	    (err = body_str(rep, o, "role", create, 16, &role)) ||
	    (err = body_str(rep, o, "language", false, 4, &lang)))
		goto out;
	if (!p->name[0]) {
		err = reply_fail(rep, APP_EINVAL, "name", "'name' must not be empty");
		goto out;
	}
	if (role) {
		for (const char *const *r = roles; *r && !ok; r++)
			ok = !strcmp(*r, role);
		if (!ok) {
			err = reply_fail(rep, APP_EINVAL, "role",
					 "'role' is gp, nav, interpreter, next_of_kin or other");
			goto out;
		}
		snprintf(p->role, sizeof(p->role), "%s", role);
	}
	if (lang) {
		if (strcmp(lang, "nb") && strcmp(lang, "nn") && strcmp(lang, "en")) {
			err = reply_fail(rep, APP_EINVAL, "language", "'language' is nb, nn or en");
			goto out;
		}
		snprintf(p->language, sizeof(p->language), "%s", lang);
	}
	if (!strcmp(p->role, "interpreter") && !p->interpreter_language[0])
		err = reply_fail(rep, APP_EINVAL, "interpreter_language",
				 "an interpreter needs 'interpreter_language'");
	else if (strcmp(p->role, "interpreter") && p->interpreter_language[0])
		err = reply_fail(rep, APP_EINVAL, "interpreter_language",
				 "only an interpreter has 'interpreter_language'");
out:
	json_decref(o);
	return err;
}

enum app_err api_participant_limit(struct app *app, struct store *db, struct reply *rep,
				   const struct appointment *a, int adding)
{
	int64_t guests = 0;
	enum app_err err;
	int64_t n;

	if (a->id && (err = store_participants_guests(db, a->id, &guests)))
		return err;
	if (guests + adding > APPT_MAX_GUESTS) /* whatever the mode: each is told of changes */
		return reply_fail(rep, APP_ELIMIT, NULL,
				  "an appointment takes at most %d guests", APPT_MAX_GUESTS);
	if (a->mode != APPT_VIDEO)
		return APP_OK;
	n = 1 + a->nclinicians + guests + adding;
	if (n > app->cfg->video_max_participants)
		return reply_fail(rep, APP_ELIMIT, NULL,
				  "a video consultation takes at most %d people; this would be "
				  "%" PRId64,
				  app->cfg->video_max_participants, n);
	return APP_OK;
}

/* {"guest": {"id":…, "name":…, "role":…}} for the history. */
static void note_guest(struct buf *b, const struct participant *p)
{
	buf_json_kint(b, "{\"guest\":{", "id", p->id, false);
	buf_json_kstr(b, ",", "name", p->name);
	buf_json_kstr(b, ",", "role", p->role);
	buf_puts(b, "}}");
}

/* In one write transaction: the appointment (live, not over), and then
 * the change fn makes, noted in the history as action. */
typedef enum app_err (*guest_fn)(struct app *app, struct store *db, const struct req *req,
				 struct reply *rep, const struct appointment *a,
				 struct participant *p, void *ctx);

static enum app_err in_transaction(struct app *app, struct store *db, const struct req *req,
				   struct reply *rep, const char *action, guest_fn fn,
				   struct participant *p, void *ctx)
{
	struct appointment a;
	enum app_err err;
	struct buf note;

	buf_init(&note, 1024);
	if ((err = store_begin(db)))
		goto out;
	if ((err = api_appointment_visible(db, req, rep, &a)))
		goto out;
	if (a.status == APPT_CANCELLED || a.status == APPT_COMPLETED || a.status == APPT_NO_SHOW ||
	    a.end <= req->now) {
		err = reply_fail(rep, APP_ETRANSITION, NULL,
				 "an appointment that is %s takes no new guests or invitations",
				 a.end <= req->now ? "over" : appointment_status_name(a.status));
		goto out;
	}
	if ((err = fn(app, db, req, rep, &a, p, ctx)))
		goto out;
	note_guest(&note, p);
	if (note.failed) {
		err = APP_ENOMEM;
		goto out;
	}
	if ((err = store_appointments_note(db, &a, req->now, &req->who, action, note.data)))
		goto out;
	err = store_commit(db);
out:
	if (err)
		store_rollback(db);
	buf_release(&note);
	return err;
}

static enum app_err add_guest(struct app *app, struct store *db, const struct req *req,
			      struct reply *rep, const struct appointment *a, struct participant *p,
			      void *ctx)
{
	enum app_err err;

	(void)req;
	(void)ctx;
	if ((err = api_participant_limit(app, db, rep, a, 1)))
		return err;
	p->appointment_id = a->id;
	return store_participants_add(db, p);
}

API_HANDLER(api_participants_add)
{
	struct participant p = {0};
	struct appointment a;
	enum app_err err;

	snprintf(p.language, sizeof(p.language), "nb");
	/* who may see it first: a refusal does not depend on the body */
	if ((err = api_appointment_visible(db, req, rep, &a)) ||
	    (err = read_guest(req, rep, true, &p)) ||
	    (err = in_transaction(app, db, req, rep, "guest_added", add_guest, &p, NULL)) ||
	    (err = store_participants_get(db, req->ids[0], p.id, &p)))
		return err;
	snprintf(rep->location, sizeof(rep->location), "%s/%" PRId64, req->path, p.id);
	write_participant(&rep->body, &p);
	rep->status = 201;
	return APP_OK;
}

/* Guest {participant_id} of the route's appointment, in *p. */
static enum app_err load_guest(struct store *db, const struct req *req, struct reply *rep,
			       struct participant *p)
{
	enum app_err err = store_participants_get(db, req->ids[0], req->ids[1], p);

	if (err == APP_ENOTFOUND || (!err && (strcmp(p->kind, "external") || p->removed_at)))
		return reply_fail(rep, APP_ENOTFOUND, NULL,
				  "appointment %" PRId64 " has no guest %" PRId64, req->ids[0],
				  req->ids[1]);
	return err;
}

API_HANDLER(api_participants_get)
{
	struct participant p;
	struct appointment a;
	enum app_err err;

	if ((err = api_appointment_visible(db, req, rep, &a)))
		return err;
	err = store_participants_get(db, req->ids[0], req->ids[1], &p);
	if (err == APP_ENOTFOUND)
		return reply_fail(rep, err, NULL,
				  "appointment %" PRId64 " has no participant %" PRId64,
				  req->ids[0], req->ids[1]);
	if (err)
		return err;
	/* the patient's name (as in the list): a look at their data */
	audit_read(app->audit, &req->who, "appointment.participant", a.patient_id, a.id, req->now);
	write_participant(&rep->body, &p);
	rep->status = 200;
	return APP_OK;
}

static enum app_err change_guest(struct app *app, struct store *db, const struct req *req,
				 struct reply *rep, const struct appointment *a,
				 struct participant *p, void *ctx)
{
	struct participant *was = ctx; /* the guest as it was */
	enum app_err err;

	(void)app;
	(void)a;
	if ((err = load_guest(db, req, rep, p)))
		return err;
	*was = *p;
	if ((err = read_guest(req, rep, false, p)))
		return err;
	return store_participants_update(db, p);
}

API_HANDLER(api_participants_update)
{
	struct participant p, was;
	enum app_err err;

	if ((err = in_transaction(app, db, req, rep, "guest_changed", change_guest, &p, &was)) ||
	    (err = store_participants_get(db, req->ids[0], req->ids[1], &p)))
		return err;
	/* a corrected address: what went to the old one is someone else's.  The
	 * correction is committed; a failure here leaves the old link, which a
	 * new invitation revokes */
	if (strcmp(was.phone, p.phone) || strcmp(was.email, p.email)) {
		if (outbox_readdressed(app, db, req->ids[0], p.id, &req->who, req->now))
			log_warn("guest %lld of appointment %lld: could not renew the link after "
				 "a corrected address",
				 (long long)p.id, (long long)req->ids[0]);
		outbox_kick(app->outbox);
	}
	write_participant(&rep->body, &p);
	rep->status = 200;
	return APP_OK;
}

/* Removing a guest, through store_appointments_edit_then so that the
 * meeting and what the others are told change in one transaction. */
struct removal {
	struct app *app;
	const struct req *req;
	struct reply *rep;
};

/* A live video meeting gets a new room when a guest leaves it: the removed
 * guest's link is revoked, but the room's address was in their messages
 * and calendar entry, and must not let them in any more. */
static enum app_err new_room(void *vctx, const struct appointment *cur, struct appointment *next)
{
	const struct removal *x = vctx;

	if (outbox_new_room(x->app, cur, next, x->req->now))
		return reply_fail(x->rep, APP_ESTORE, NULL, "the video URL does not fit");
	return APP_OK;
}

/* Remove the guest, note it, and tell those who remain of the new room. */
static enum app_err remove_guest(void *vctx, struct store *db, const struct appointment *cur,
				 const struct appointment *next)
{
	const struct removal *x = vctx;
	struct participant p;
	enum app_err err;
	struct buf note;

	buf_init(&note, 1024);
	if ((err = load_guest(db, x->req, x->rep, &p)) ||
	    (err = store_participants_remove(db, cur->id, p.id, x->req->now)))
		goto out;
	note_guest(&note, &p);
	if ((err = store_appointments_note(db, next, x->req->now, &x->req->who, "guest_removed",
					   note.failed ? "{}" : note.data)))
		goto out;
	err = outbox_on_change(x->app, db, cur, next, false, x->req->now);
out:
	buf_release(&note);
	return err;
}

API_HANDLER(api_participants_remove)
{
	struct removal x = {app, req, rep};
	struct participant p;
	struct appointment a;
	struct conflicts cf;
	enum app_err err;

	if ((err = api_appointment_visible(db, req, rep, &a)) ||
	    (err = load_guest(db, req, rep, &p)))
		return err;
	err = store_appointments_edit_then(db, a.id, 0, new_room, remove_guest, &x, &req->who,
					   req->now, &cf, &a);
	if (err)
		return err; /* answered by the callbacks, or the edge's default */
	outbox_kick(app->outbox);
	rep->status = 204;
	return APP_OK;
}

struct guest_invite {
	unsigned channels;
	char url[OUTBOX_URL_MAX];
	int queued;
};

static enum app_err invite_guest(struct app *app, struct store *db, const struct req *req,
				 struct reply *rep, const struct appointment *a,
				 struct participant *p, void *ctx)
{
	struct guest_invite *gi = ctx;
	enum app_err err;

	if ((err = load_guest(db, req, rep, p)))
		return err;
	if (!p->phone[0] && !p->email[0])
		return reply_fail(rep, APP_EINVAL, NULL,
				  "guest %" PRId64 " has neither phone nor e-mail", p->id);
	return outbox_invite_guest(app, db, a, p, gi->channels, req->now, gi->url, &gi->queued);
}

API_HANDLER(api_participants_invite)
{
	struct guest_invite gi = {0};
	struct participant p;
	struct appointment a;
	char t[TIMEUTIL_INSTANT_LEN];
	enum app_err err;

	if ((err = api_invite_channels(req, rep, &gi.channels)))
		return err;
	err = in_transaction(app, db, req, rep, "guest_invited", invite_guest, &p, &gi);
	if (err || (err = store_appointments_get(db, req->ids[0], &a)))
		return err;
	outbox_kick(app->outbox);
	buf_json_kstr(&rep->body, "{", "url", gi.url);
	timeutil_format(outbox_link_expires(app, &a), t);
	buf_json_kstr(&rep->body, ",", "expires", t);
	buf_json_kint(&rep->body, ",", "queued", gi.queued, false);
	buf_putc(&rep->body, '}');
	snprintf(rep->location, sizeof(rep->location), "/api/v1/appointments/%" PRId64 "/messages",
		 a.id);
	rep->status = 201;
	return APP_OK;
}
