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
#include "store_resource.h"

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
	const char *at;

	while ((at = strstr(text, "{link}"))) {
		buf_append(out, text, (size_t)(at - text));
		buf_puts(out, url);
		text = at + 6;
	}
	buf_puts(out, text);
}

/* The part of public_url that names the host, for UIDs. */
static void host_of(const struct app *app, char *out, size_t cap)
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
	host_of(app, host, sizeof(host));
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

/* Queue kind for a's patient on channels; *n counts the messages. */
static enum app_err queue(struct app *app, struct store *db, const struct appointment *a,
			  const char *kind, unsigned channels, int64_t now, int *n)
{
	struct message_vars v = {0};
	struct outbox_msg *m = NULL;
	struct res_row pat;
	char room[600];
	const char *phone, *email, *lang;
	enum app_err err;
	struct buf b;
	int64_t participant;

	*n = 0;
	if ((err = store_resource_get(db, &resources_patients, a->patient_id, &pat)) ||
	    (err = store_outbox_patient(db, a->id, &participant)) ||
	    (err = room_text(db, a->room_id, room, sizeof(room))))
		return err;
	phone = pat.v[store_resource_field(&resources_patients, "phone")].s;
	email = pat.v[store_resource_field(&resources_patients, "email")].s;
	lang = pat.v[store_resource_field(&resources_patients, "language")].s;
	if (!*lang)
		lang = "nb";
	v.start = a->start;
	v.mode = a->mode;
	v.link = "{link}";
	v.room = room[0] ? room : NULL;
	v.clinic = app->cfg->clinic_name;
	v.notice_hours = app->cfg->cancel_notice_hours;
	if (!(m = calloc(1, sizeof(*m))))
		return APP_ENOMEM;
	buf_init(&b, OUTBOX_ICS_MAX - 1);
	for (unsigned ch = OUTBOX_SMS; ch <= OUTBOX_EMAIL && !err; ch <<= 1) {
		const char *to = ch == OUTBOX_SMS ? phone : email;
		if (!(channels & ch) || !*to)
			continue;
		memset(m, 0, sizeof(*m));
		m->appointment_id = a->id;
		m->participant_id = participant;
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

/* A fresh link for a's patient; url gets it. */
static enum app_err new_link(struct app *app, struct store *db, const struct appointment *a,
			     int64_t now, char url[OUTBOX_URL_MAX])
{
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	uint8_t box[TOKEN_BOX_LEN];
	int64_t participant;
	enum app_err err;

	if ((err = store_outbox_patient(db, a->id, &participant)))
		return err;
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
	enum app_err err;

	if ((err = new_link(app, db, a, now, url)))
		return err;
	return queue(app, db, a, "invitation", channels, now, queued);
}

enum app_err outbox_on_change(struct app *app, struct store *db, const struct appointment *cur,
			      const struct appointment *next, bool by_patient, int64_t now)
{
	const unsigned all = OUTBOX_SMS | OUTBOX_EMAIL;
	bool moved = cur->start != next->start || cur->end != next->end ||
		     cur->mode != next->mode || cur->room_id != next->room_id;
	enum app_err err;
	int64_t links;
	int n;

	if (cur->patient_id != next->patient_id) /* the links were the other patient's */
		return store_outbox_links_revoke(db, next->id, now);
	if (cur->status == next->status && !moved)
		return APP_OK;
	if ((next->status == APPT_CANCELLED || next->status == APPT_OPTED_OUT) &&
	    (err = store_outbox_withdraw(db, next->id)))
		return err;
	if (by_patient) { /* a receipt of the answer */
		if (next->status == cur->status)
			return APP_OK;
		return queue(app, db, next, appointment_status_name(next->status), all, now, &n);
	}
	if ((err = store_outbox_link_count(db, next->id, &links)) || !links)
		return err; /* the patient has not been told of it */
	if (next->status == APPT_CANCELLED && cur->status != APPT_CANCELLED)
		return queue(app, db, next, "cancelled", all, now, &n);
	if (moved && (next->status == APPT_INVITED || next->status == APPT_CONFIRMED)) {
		if ((err = new_link(app, db, next, now, NULL)))
			return err;
		return queue(app, db, next, "changed", all, now, &n);
	}
	return APP_OK;
}

/* ---- the worker ---- */

/* Send claimed message m; the outcome, with why. */
static enum notify_result send_one(struct outbox *o, struct outbox_msg *m, char *why, size_t cap)
{
	char token[TOKEN_LEN + 1], url[OUTBOX_URL_MAX];
	struct notify_msg n = {0};
	uint8_t box[TOKEN_BOX_LEN];
	enum notify_result r;
	struct buf body, ics;

	buf_init(&body, OUTBOX_BODY_MAX + 1024);
	buf_init(&ics, OUTBOX_ICS_MAX + 1024);
	n.body = m->body;
	n.ics = m->ics;
	if (strstr(m->body, "{link}") || strstr(m->ics, "{link}")) {
		if (store_outbox_link_box(o->db, m->participant_id, box) ||
		    !token_open(o->app->link_key, box, sizeof(box), token)) {
			snprintf(why, cap, "the patient link cannot be opened (a new link key?); "
					   "send a new invitation");
			return NOTIFY_FAILED;
		}
		outbox_link_url(o->app, token, url);
		sodium_memzero(token, sizeof(token));
		outbox_fill_link(&body, m->body, url);
		outbox_fill_link(&ics, m->ics, url);
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
	enum app_err err;

	if (!m)
		return false;
	if ((err = store_outbox_claim(o->db, now, LEASE_S, m))) {
		free(m);
		return false;
	}
	r = send_one(o, m, why, sizeof(why));
	now = app_now(o->app);
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
		if (!err && (a.status == APPT_INVITED || a.status == APPT_CONFIRMED))
			err = queue(o->app, o->db, &a, "reminder", OUTBOX_SMS | OUTBOX_EMAIL, now,
				    &k);
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
	if (pthread_create(&o->thread, NULL, run, o) != 0) {
		outbox_free(o);
		return APP_ENOMEM;
	}
	o->started = true;
	*out = o;
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
