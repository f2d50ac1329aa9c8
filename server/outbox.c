/*
 * outbox.c - see outbox.h.
 */
#include "outbox.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "buf.h"
#include "ics.h"
#include "log.h"
#include "messages.h"
#include "notify.h"
#include "store.h"
#include "store_appointments.h"
#include "store_outbox.h"
#include "store_participants.h"
#include "store_resource.h"
#include "store_survey.h"
#include "survey.h"

#define LEASE_S 300      /* a claimed message is not claimed again for this long */
#define MAX_BACKOFF_S 3600
#define SCAN_S 30        /* look for reminders at least this often */

struct outbox {
	struct app *app;
	struct store *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, kicked, started;
};

int64_t outbox_link_expires(const struct app *app, const struct appointment *a)
{
	return a->end + (int64_t)app->cfg->link_days * 86400;
}

void outbox_link_url(const struct app *app, const char *token, char out[OUTBOX_URL_MAX])
{
	snprintf(out, OUTBOX_URL_MAX, "%s/i/%s", app->cfg->public_url, token);
}

void outbox_fill_link(struct buf *out, const char *text, const char *url)
{
	buf_put_replaced(out, text, "{link}", url);
}

/* The part of public_url that names the host, for UIDs. */
void outbox_host(const struct app *app, char *out, size_t cap)
{
	const char *h = strstr(app->cfg->public_url, "://");

	h = h ? h + 3 : app->cfg->public_url;
	snprintf(out, cap, "%.*s", (int)strcspn(h, ":/"), h);
}

/* What a patient needs to find: the room's name and where it is. */
static enum app_err room_text(struct store *db, int64_t room_id, char *out, size_t cap)
{
	struct res_row room;
	enum app_err err;
	const char *loc;

	out[0] = '\0';
	if (!room_id)
		return APP_OK;
	if ((err = store_resource_get(db, &resources_rooms, room_id, &room)))
		return err == APP_ENOTFOUND ? APP_OK : err;
	loc = room.v[store_resource_field(&resources_rooms, "location")].s;
	snprintf(out, cap, "%s%s%s", room.v[store_resource_field(&resources_rooms, "name")].s,
		 *loc ? ", " : "", loc);
	return APP_OK;
}

/* outbox_ics with the room's text (room_text) already at hand. */
static enum app_err ics_with_room(struct app *app, const struct appointment *a, const char *lang,
				  const char *link, const char *room, struct buf *out)
{
	const char *summary, *details;
	struct ics_event e = {0};
	char host[128], word[40];
	enum app_err err;
	struct buf desc;

	snprintf(word, sizeof(word), "@calendar.%s", appointment_mode_name(a->mode));
	summary = messages_word(app->messages, lang, word);
	details = messages_word(app->messages, lang, "@calendar.details");
	buf_init(&desc, 2048);
	if (details)
		outbox_fill_link(&desc, details, link);
	outbox_host(app, host, sizeof(host));
	e.appointment_id = a->id;
	e.start = a->start;
	e.end = a->end;
	e.stamp = a->updated_at;
	e.sequence = (int)(a->version - 1);
	e.cancelled = a->status == APPT_CANCELLED;
	e.host = host;
	e.summary = summary ? summary : app->cfg->clinic_name;
	e.description = details && !desc.failed ? desc.data : NULL;
	e.location = a->mode == APPT_VIDEO ? a->video_url : room;
	e.url = link;
	e.organizer = app->cfg->mail_from;
	err = ics_render(&e, out);
	buf_release(&desc);
	return err;
}

enum app_err outbox_ics(struct app *app, struct store *db, const struct appointment *a,
			const char *lang, const char *link, struct buf *out)
{
	char room[600];
	enum app_err err;

	if ((err = room_text(db, a->room_id, room, sizeof(room))))
		return err;
	return ics_with_room(app, a, lang, link, room, out);
}

/* Who a message goes to: the patient or a guest. */
struct recipient {
	int64_t participant_id;
	char phone[40], email[256], lang[4];
	bool guest;
	int64_t survey_link;  /* a survey message: "{link}" is this survey link */
	const char *feedback; /* a feedback message's band text */
};

static enum app_err patient_recipient(struct store *db, const struct appointment *a,
				      struct recipient *r)
{
	const struct res_desc *d = &resources_patients;
	struct res_row pat;
	enum app_err err;

	memset(r, 0, sizeof(*r));
	if ((err = store_resource_get(db, d, a->patient_id, &pat)) ||
	    (err = store_outbox_patient(db, a->id, &r->participant_id)))
		return err;
	snprintf(r->phone, sizeof(r->phone), "%.39s", pat.v[store_resource_field(d, "phone")].s);
	snprintf(r->email, sizeof(r->email), "%.255s", pat.v[store_resource_field(d, "email")].s);
	snprintf(r->lang, sizeof(r->lang), "%.2s", pat.v[store_resource_field(d, "language")].s);
	return APP_OK;
}

static void guest_recipient(const struct participant *p, struct recipient *r)
{
	memset(r, 0, sizeof(*r));
	r->participant_id = p->id;
	r->guest = true;
	snprintf(r->phone, sizeof(r->phone), "%s", p->phone);
	snprintf(r->email, sizeof(r->email), "%s", p->email);
	snprintf(r->lang, sizeof(r->lang), "%.2s", p->language);
}

/* Queue kind for r on channels (those r has an address for); *n counts the
 * messages. */
static enum app_err queue_due(struct app *app, struct store *db, const struct appointment *a,
			      const struct recipient *r, const char *kind, unsigned channels,
			      int64_t now, int64_t due, int *n)
{
	struct message_vars v = {0};
	struct outbox_msg *m = NULL;
	const char *lang = r->lang[0] ? r->lang : "nb";
	int64_t link_id = 0;
	char room[600];
	enum app_err err;
	struct buf b;

	*n = 0;
	if ((err = room_text(db, a->room_id, room, sizeof(room))))
		return err;
	v.start = a->start;
	v.mode = a->mode;
	v.link = "{link}";
	v.room = room[0] ? room : NULL;
	v.clinic = app->cfg->clinic_name;
	v.notice_hours = app->cfg->cancel_notice_hours;
	v.guest = r->guest;
	v.feedback = r->feedback;
	if (!r->survey_link && !r->feedback &&
	    (err = store_outbox_link_live(db, r->participant_id, &link_id)))
		return err;
	if (!(m = calloc(1, sizeof(*m))))
		return APP_ENOMEM;
	buf_init(&b, OUTBOX_ICS_MAX - 1);
	for (unsigned ch = OUTBOX_SMS; ch <= OUTBOX_EMAIL && !err; ch <<= 1) {
		const char *to = ch == OUTBOX_SMS ? r->phone : r->email;
		if (!(channels & ch) || !*to)
			continue;
		memset(m, 0, sizeof(*m));
		m->appointment_id = a->id;
		m->participant_id = r->participant_id;
		m->link_id = link_id; /* "{link}" is this link, or the message is dropped */
		m->survey_link_id = r->survey_link;
		m->next_at = due;
		snprintf(m->channel, sizeof(m->channel), "%s", ch == OUTBOX_SMS ? "sms" : "email");
		snprintf(m->recipient, sizeof(m->recipient), "%s", to);
		snprintf(m->kind, sizeof(m->kind), "%s", kind);
		snprintf(m->language, sizeof(m->language), "%.2s", lang);
		m->about_start = a->start;
		buf_reset(&b);
		if ((err = messages_render(app->messages, lang, kind, m->channel, &v, &b)))
			break;
		snprintf(m->body, sizeof(m->body), "%s", b.data);
		if (ch == OUTBOX_EMAIL) {
			buf_reset(&b);
			if ((err = messages_render(app->messages, lang, kind, "subject", &v, &b)))
				break;
			snprintf(m->subject, sizeof(m->subject), "%s", b.data);
		}
		/* a survey or its feedback is not about a time to come: no .ics */
		if (ch == OUTBOX_EMAIL && !r->survey_link && !r->feedback) {
			buf_reset(&b);
			if ((err = ics_with_room(app, a, lang, "{link}", room, &b)))
				break;
			snprintf(m->ics, sizeof(m->ics), "%s", b.data);
		}
		if (!(err = store_outbox_add(db, m, now)))
			(*n)++;
	}
	buf_release(&b);
	free(m);
	return err;
}

/* queue_due, due at once. */
static enum app_err queue(struct app *app, struct store *db, const struct appointment *a,
			  const struct recipient *r, const char *kind, unsigned channels,
			  int64_t now, int *n)
{
	return queue_due(app, db, a, r, kind, channels, now, now, n);
}

/* A fresh link for participant of a; url (if not NULL) gets it. */
static enum app_err new_link(struct app *app, struct store *db, const struct appointment *a,
			     int64_t participant, int64_t now, char url[OUTBOX_URL_MAX])
{
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	uint8_t box[TOKEN_BOX_LEN];

	token_new(token);
	token_hash(token, hash);
	token_seal(app->link_key, token, box);
	if (url)
		outbox_link_url(app, token, url);
	return store_outbox_link_add(db, a->id, participant, hash, box, now);
}

enum app_err outbox_invite(struct app *app, struct store *db, const struct appointment *a,
			   unsigned channels, int64_t now, char url[OUTBOX_URL_MAX], int *queued)
{
	struct recipient r;
	enum app_err err;

	if ((err = patient_recipient(db, a, &r)) ||
	    (err = new_link(app, db, a, r.participant_id, now, url)))
		return err;
	return queue(app, db, a, &r, "invitation", channels, now, queued);
}

enum app_err outbox_patient_channels(struct store *db, const struct appointment *a,
				     unsigned wanted, unsigned *out)
{
	struct recipient r;
	enum app_err err;

	*out = 0;
	if ((err = patient_recipient(db, a, &r)))
		return err;
	*out = wanted & ((r.phone[0] ? OUTBOX_SMS : 0u) | (r.email[0] ? OUTBOX_EMAIL : 0u));
	return APP_OK;
}

enum app_err outbox_invite_guest(struct app *app, struct store *db, const struct appointment *a,
				 const struct participant *p, unsigned channels, int64_t now,
				 char url[OUTBOX_URL_MAX], int *queued)
{
	struct recipient r;
	enum app_err err;

	guest_recipient(p, &r);
	if ((err = new_link(app, db, a, p->id, now, url)))
		return err;
	return queue(app, db, a, &r, "invitation", channels, now, queued);
}

enum app_err outbox_survey(struct app *app, struct store *db, const struct appointment *a,
			   const char *kind, int64_t survey_link, const char *feedback, int64_t now,
			   int *queued)
{
	struct recipient r;
	enum app_err err;

	if ((err = patient_recipient(db, a, &r)))
		return err;
	r.survey_link = survey_link;
	r.feedback = feedback;
	return queue(app, db, a, &r, kind, OUTBOX_SMS | OUTBOX_EMAIL, now, queued);
}

struct guests {
	int n;
	struct participant p[APPT_MAX_GUESTS]; /* api_participant_limit keeps to it */
};

static bool collect_guest(void *ctx, const struct participant *p)
{
	struct guests *g = ctx;

	if (strcmp(p->kind, "external") || !p->links)
		return true; /* never told of it: nothing to tell now */
	if (g->n == APPT_MAX_GUESTS)
		return false; /* not reached: more cannot be added */
	g->p[g->n++] = *p;
	return true;
}

/* The guests who were invited hear that the meeting moved (with a new
 * link) or was cancelled. */
static enum app_err tell_guests(struct app *app, struct store *db, const struct appointment *cur,
				const struct appointment *next, bool moved, int64_t now)
{
	const unsigned all = OUTBOX_SMS | OUTBOX_EMAIL;
	bool cancelled = next->status == APPT_CANCELLED && cur->status != APPT_CANCELLED;
	struct recipient r;
	struct guests *g;
	enum app_err err;
	int n;

	if (!cancelled && !(moved && appointment_live(next)))
		return APP_OK;
	if (!(g = calloc(1, sizeof(*g))))
		return APP_ENOMEM;
	err = store_participants_list(db, next->id, false, collect_guest, g);
	for (int i = 0; i < g->n && !err; i++) {
		guest_recipient(&g->p[i], &r);
		if (!cancelled)
			err = new_link(app, db, next, r.participant_id, now, NULL);
		if (!err)
			err = queue(app, db, next, &r, cancelled ? "cancelled" : "changed", all, now,
				    &n);
	}
	free(g);
	return err;
}

/* What the change tells the patient. */
static enum app_err tell_patient(struct app *app, struct store *db,
				 const struct appointment *cur, const struct appointment *next,
				 bool moved, bool by_patient, int64_t now)
{
	const unsigned all = OUTBOX_SMS | OUTBOX_EMAIL;
	struct recipient r;
	enum app_err err;
	int64_t links;
	int n;

	if (cur->patient_id != next->patient_id) { /* the links were the other patient's */
		if ((err = store_outbox_patient(db, next->id, &r.participant_id)) ||
		    (err = store_outbox_drop_participant(db, r.participant_id,
							 "not sent: the appointment's patient was "
							 "changed",
							 now)))
			return err;
		return store_outbox_links_revoke(db, next->id, now);
	}
	if (cur->status == next->status && !moved)
		return APP_OK;
	if ((next->status == APPT_CANCELLED || next->status == APPT_OPTED_OUT) &&
	    (err = store_outbox_withdraw(db, next->id)))
		return err;
	if ((err = patient_recipient(db, next, &r)))
		return err;
	if (by_patient) { /* a receipt of the answer, one per OUTBOX_RECEIPT_QUIET at most */
		int64_t last, due = now;

		if (next->status == cur->status)
			return APP_OK;
		/* a receipt not yet sent is replaced by this one; one that went out
		 * less than the quiet time ago makes this one wait for its end, so
		 * a link flipping its answer sends no stream of messages and the
		 * patient is still told the last answer (a cancellation at once) */
		if ((err = store_outbox_receipt_replace(db, r.participant_id, now, &last)))
			return err;
		if (next->status != APPT_CANCELLED && last && last + OUTBOX_RECEIPT_QUIET > now)
			due = last + OUTBOX_RECEIPT_QUIET;
		return queue_due(app, db, next, &r, appointment_status_name(next->status), all,
				 now, due, &n);
	}
	if ((err = store_outbox_link_count(db, r.participant_id, &links)) || !links)
		return err; /* the patient has not been told of it */
	if (next->status == APPT_CANCELLED && cur->status != APPT_CANCELLED)
		return queue(app, db, next, &r, "cancelled", all, now, &n);
	if (moved && (next->status == APPT_INVITED || next->status == APPT_CONFIRMED)) {
		if ((err = new_link(app, db, next, r.participant_id, now, NULL)))
			return err;
		return queue(app, db, next, &r, "changed", all, now, &n);
	}
	return APP_OK;
}

enum app_err outbox_on_change(struct app *app, struct store *db, const struct appointment *cur,
			      const struct appointment *next, bool by_patient, int64_t now)
{
	bool moved = cur->start != next->start || cur->end != next->end ||
		     cur->mode != next->mode || cur->room_id != next->room_id ||
		     strcmp(cur->video_url, next->video_url) != 0; /* a new meeting room */
	enum app_err err;

	if ((err = tell_patient(app, db, cur, next, moved, by_patient, now)))
		return err;
	return tell_guests(app, db, cur, next, moved, now);
}

enum app_err outbox_new_room(const struct app *app, const struct appointment *cur,
			     struct appointment *next, int64_t now)
{
	const struct config *cfg = app->cfg;

	if (cur->mode != APPT_VIDEO || !appointment_live(cur) || cur->end <= now)
		return APP_OK;
	return appointment_video_url(cfg->video_url_template, cfg->video_host_url_template, next)
		       ? APP_OK
		       : APP_ESTORE;
}

struct readdress {
	struct app *app;
	int64_t participant_id, now;
	int64_t link; /* their live link when the address was corrected */
};

static enum app_err readdress_room(void *vctx, const struct appointment *cur,
				   struct appointment *next)
{
	const struct readdress *x = vctx;

	return outbox_new_room(x->app, cur, next, x->now);
}

static enum app_err readdress_tell(void *vctx, struct store *db, const struct appointment *cur,
				   const struct appointment *next)
{
	const struct readdress *x = vctx;
	const unsigned all = OUTBOX_SMS | OUTBOX_EMAIL;
	struct participant p;
	int64_t link = 0;
	enum app_err err;
	int n;

	if (strcmp(cur->video_url, next->video_url) && /* a new room: everyone is told */
	    (err = outbox_on_change(x->app, db, cur, next, false, x->now)))
		return err;
	/* whoever was not given a new link by that (no room to change, or a
	 * patient who asked to meet in person) gets one now, at the new address */
	if ((err = store_outbox_link_live(db, x->participant_id, &link)) || link != x->link)
		return err;
	if ((err = store_participants_get(db, next->id, x->participant_id, &p)))
		return err;
	if (!strcmp(p.kind, "patient"))
		return outbox_invite(x->app, db, next, all, x->now, NULL, &n);
	return outbox_invite_guest(x->app, db, next, &p, all, x->now, NULL, &n);
}

enum app_err outbox_readdressed(struct app *app, struct store *db, int64_t appt,
				int64_t participant_id, const struct actor *who, int64_t now)
{
	struct readdress x = {app, participant_id, now, 0};
	struct appointment out;
	struct conflicts cf;
	enum app_err err;

	if ((err = store_outbox_link_live(db, participant_id, &x.link)) || !x.link)
		return err;
	return store_appointments_edit_then(db, appt, 0, readdress_room, readdress_tell, &x, who,
					    now, &cf, &out);
}

/* ---- the worker ---- */

/* Whether claimed message m may still go as it was composed: its
 * participant still takes part, at the address it was written to (a
 * corrected phone number or e-mail means the old one was someone else's),
 * and, when it carries a link, that very link is live.  Otherwise *why says
 * why it is dropped.  A message is never given another link than its own:
 * the participant's newest one may be another patient's (a corrected
 * appointment) or a newer invitation's. */
static enum app_err still_bound(struct outbox *o, const struct outbox_msg *m, bool with_link,
				uint8_t box[TOKEN_BOX_LEN], const char **why)
{
	char now_at[sizeof(m->recipient)];
	enum app_err err;
	bool takes_part;

	*why = NULL;
	if (m->participant_id) {
		if ((err = store_outbox_address(o->db, m->participant_id, m->channel, now_at,
						sizeof(now_at), &takes_part)))
			return err;
		if (!takes_part) {
			*why = "not sent: the recipient no longer takes part";
			return APP_OK;
		}
		if (strcmp(now_at, m->recipient)) {
			*why = "not sent: the address was changed after it was written";
			return APP_OK;
		}
	}
	if (!with_link)
		return APP_OK;
	if (m->survey_link_id) {
		err = store_survey_link_box(o->db, m->survey_link_id, app_now(o->app), box);
		if (err == APP_ENOTFOUND)
			*why = "not sent: the survey link was answered or has expired";
		return err == APP_ENOTFOUND ? APP_OK : err;
	}
	err = store_outbox_bound_box(o->db, m, box);
	if (err == APP_ENOTFOUND)
		*why = "not sent: the link it carried was revoked (a new link, patient or guest)";
	return err == APP_ENOTFOUND ? APP_OK : err;
}

/* Send claimed message m; the outcome, with why.  *dropped when it must
 * not be sent at all (still_bound). */
static enum notify_result send_one(struct outbox *o, struct outbox_msg *m, char *why, size_t cap,
				   bool *dropped)
{
	char token[TOKEN_LEN + 1], url[OUTBOX_URL_MAX];
	bool with_link = strstr(m->body, "{link}") || strstr(m->ics, "{link}");
	struct notify_msg n = {0};
	uint8_t box[TOKEN_BOX_LEN];
	enum notify_result r;
	struct buf body, ics;
	const char *drop;

	*dropped = false;
	if (still_bound(o, m, with_link, box, &drop)) {
		snprintf(why, cap, "the database could not be read");
		return NOTIFY_RETRY;
	}
	if (drop) {
		snprintf(why, cap, "%s", drop);
		*dropped = true;
		return NOTIFY_FAILED;
	}
	buf_init(&body, OUTBOX_BODY_MAX + 1024);
	buf_init(&ics, OUTBOX_ICS_MAX + 1024);
	n.body = m->body;
	n.ics = m->ics;
	if (with_link) {
		if (!token_open(o->app->link_key, box, TOKEN_BOX_LEN, token)) {
			snprintf(why, cap, "the patient link cannot be opened (a new link key?); "
					   "send a new invitation");
			return NOTIFY_FAILED;
		}
		if (m->survey_link_id)
			survey_link_url(o->app, token, url);
		else
			outbox_link_url(o->app, token, url);
		sodium_memzero(token, sizeof(token));
		outbox_fill_link(&body, m->body, url);
		/* folded again once the link is in (RFC 5545 3.1: 75 octets) */
		if (m->ics[0] && ics_fill_link(m->ics, url, &ics))
			ics.failed = true;
		sodium_memzero(url, sizeof(url));
		if (body.failed || ics.failed) {
			buf_release(&body);
			buf_release(&ics);
			snprintf(why, cap, "out of memory");
			return NOTIFY_RETRY;
		}
		n.body = body.data;
		n.ics = ics.data;
	}
	n.id = m->id;
	n.created_at = m->created_at;
	n.to = m->recipient;
	n.subject = m->subject;
	n.cancel = !strcmp(m->kind, "cancelled");
	r = !strcmp(m->channel, "sms") ? notify_sms(o->app->cfg, &n, why, cap)
				       : notify_email(o->app->cfg, &n, why, cap);
	if (body.data) /* the link is a secret: leave no copy in freed memory */
		sodium_memzero(body.data, body.cap);
	if (ics.data)
		sodium_memzero(ics.data, ics.cap);
	buf_release(&body);
	buf_release(&ics);
	return r;
}

/* Claim and send one due message; false when none was due. */
static bool deliver_one(struct outbox *o)
{
	const struct config *cfg = o->app->cfg;
	int64_t now = app_now(o->app), retry;
	struct outbox_msg *m = malloc(sizeof(*m));
	enum notify_result r;
	char why[512] = "";
	bool dropped;
	enum app_err err;

	if (!m)
		return false;
	if ((err = store_outbox_claim(o->db, now, LEASE_S, m))) {
		free(m);
		return false;
	}
	r = send_one(o, m, why, sizeof(why), &dropped);
	now = app_now(o->app);
	if (dropped) {
		log_info("outbox: message %lld (%s, %s) dropped: %s", (long long)m->id, m->channel,
			 m->kind, why);
		if (store_outbox_drop(o->db, m->id, why, now))
			log_warn("outbox: could not record that message %lld was dropped",
				 (long long)m->id);
		free(m);
		return true;
	}
	retry = (int64_t)cfg->retry_base_s << (m->attempts - 1 < 20 ? m->attempts - 1 : 20);
	if (retry > MAX_BACKOFF_S)
		retry = MAX_BACKOFF_S;
	if (r == NOTIFY_RETRY && m->attempts >= cfg->delivery_attempts)
		r = NOTIFY_FAILED;
	/* ids and outcomes only: the reason may quote an address */
	log_info("outbox: message %lld (%s, %s) attempt %d: %s", (long long)m->id, m->channel,
		 m->kind, m->attempts,
		 r == NOTIFY_SENT ? "sent" : r == NOTIFY_RETRY ? "will retry" : "failed");
	err = store_outbox_finish(o->db, m->id,
				  r == NOTIFY_SENT ? "sent" : r == NOTIFY_RETRY ? "queued" : "failed",
				  r == NOTIFY_SENT ? NULL : why, now + retry, now);
	if (err)
		log_warn("outbox: could not record the outcome of message %lld", (long long)m->id);
	free(m);
	return true;
}

/* Queue the reminders that are due. */
static void remind(struct outbox *o)
{
	int64_t ids[64], now = app_now(o->app);
	struct appointment a;
	struct recipient r;
	enum app_err err;
	int n = 0, k;

	if (!o->app->cfg->reminder_hours)
		return;
	if (store_outbox_reminders_due(o->db, now, (int64_t)o->app->cfg->reminder_hours * 3600, ids,
				       64, &n))
		return;
	for (int i = 0; i < n; i++) {
		if ((err = store_begin(o->db)))
			break;
		err = store_appointments_get(o->db, ids[i], &a);
		if (!err && (a.status == APPT_INVITED || a.status == APPT_CONFIRMED) &&
		    !(err = patient_recipient(o->db, &a, &r)))
			err = queue(o->app, o->db, &a, &r, "reminder", OUTBOX_SMS | OUTBOX_EMAIL,
				    now, &k);
		if (!err)
			err = store_commit(o->db);
		if (err) {
			store_rollback(o->db);
			log_warn("outbox: could not queue the reminder of appointment %lld",
				 (long long)ids[i]);
		}
	}
}

static void *run(void *arg)
{
	struct outbox *o = arg;
	int64_t next_scan = 0;

	pthread_mutex_lock(&o->mu);
	while (!o->stop) {
		int64_t now, due = 0, wake;
		struct timespec until;

		pthread_mutex_unlock(&o->mu);
		while (deliver_one(o)) {
			pthread_mutex_lock(&o->mu);
			bool stop = o->stop;
			pthread_mutex_unlock(&o->mu);
			if (stop)
				break;
		}
		now = app_now(o->app);
		if (now >= next_scan) {
			remind(o);
			survey_tick(o->app, o->db);
			next_scan = now + SCAN_S;
		}
		if (store_outbox_next_due(o->db, &due))
			due = 0;
		wake = next_scan;
		if (due && due < wake)
			wake = due;
		if (wake <= now) /* due but not claimed: the database failed; not a busy loop */
			wake = now + 1;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wake > now ? (time_t)(wake - now) : 0;
		pthread_mutex_lock(&o->mu);
		if (!o->kicked && !o->stop)
			pthread_cond_timedwait(&o->cv, &o->mu, &until);
		o->kicked = false;
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

enum app_err outbox_new(struct app *app, struct outbox **out)
{
	struct outbox *o = calloc(1, sizeof(*o));
	enum app_err err;

	if (!o)
		return APP_ENOMEM;
	o->app = app;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	if ((err = store_open(app->cfg->db_path, app->cfg->busy_timeout_ms, &o->db))) {
		outbox_free(o);
		return err;
	}
	if (app->pool) /* its changes to appointments count for the caches */
		store_follow(o->db, app->pool);
	/* published before the thread starts: the thread's own work (the
	 * survey tick) kicks the outbox through app->outbox, which is *out */
	*out = o;
	if (pthread_create(&o->thread, NULL, run, o) != 0) {
		*out = NULL;
		outbox_free(o);
		return APP_ENOMEM;
	}
	o->started = true;
	return APP_OK;
}

void outbox_free(struct outbox *o)
{
	if (!o)
		return;
	if (o->started) {
		pthread_mutex_lock(&o->mu);
		o->stop = true;
		pthread_cond_signal(&o->cv);
		pthread_mutex_unlock(&o->mu);
		pthread_join(o->thread, NULL);
	}
	store_free(o->db);
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

void outbox_kick(struct outbox *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	o->kicked = true;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}
