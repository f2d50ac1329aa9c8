/*
 * api_feeds.c - a clinician's personal calendar feed.
 *
 * /clinicians/{id}/calendar-feed makes (POST, a fresh token; the old feed
 * stops working), shows (GET) and revokes (DELETE) the feed; the clinician
 * for their own, staff for any.  The feed itself is public under its token,
 * like a patient link: an iCalendar file that Outlook or a phone calendar
 * subscribes to, holding the clinician's appointments from a month back to
 * half a year ahead with times, mode, room and a link into timebok, and no
 * patient's name or other patient data.  Only the token's hash is kept.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "appointment.h"
#include "body.h"
#include "config.h"
#include "buf.h"
#include "ics.h"
#include "log.h"
#include "messages.h"
#include "outbox.h"
#include "store_appointments.h"
#include "store_feeds.h"
#include "timeutil.h"
#include "token.h"

#define FEED_BACK_S (31 * 86400)   /* a month back */
#define FEED_AHEAD_S (183 * 86400) /* half a year ahead */
#define FEED_MAX 20000 /* events: 7 months of 90 a day; past it the feed is cut, and logged */

static void write_feed(struct buf *b, const struct feed *f, const char *url)
{
	char t[TIMEUTIL_INSTANT_LEN];

	buf_json_kint(b, "{", "clinician_id", f->clinician_id, false);
	buf_json_kstr(b, ",", "language", f->language);
	timeutil_format(f->created_at, t);
	buf_json_kstr(b, ",", "created_at", t);
	buf_json_kstr(b, ",", "created_by", f->created_by);
	if (url)
		buf_json_kstr(b, ",", "url", url);
	buf_putc(b, '}');
}

static enum app_err no_feed(struct reply *rep, int64_t id)
{
	return reply_fail(rep, APP_ENOTFOUND, NULL,
			  "clinician %" PRId64 " has no calendar feed", id);
}

API_HANDLER(api_feeds_get)
{
	struct feed f;
	enum app_err err;

	(void)app;
	if ((err = api_clinician_visible(db, req, rep)))
		return err;
	if ((err = store_feeds_get(db, req->ids[0], &f)))
		return err == APP_ENOTFOUND ? no_feed(rep, req->ids[0]) : err;
	write_feed(&rep->body, &f, NULL);
	rep->status = 200;
	return APP_OK;
}

API_HANDLER(api_feeds_create)
{
	static const char *const allowed[] = {"language", NULL};
	struct feed f = {.clinician_id = req->ids[0], .created_at = req->now};
	char token[TOKEN_LEN + 1], hash[TOKEN_HASH_LEN + 1], url[600];
	const char *lang = NULL;
	json_t *o = NULL;
	enum app_err err;

	if ((err = api_clinician_visible(db, req, rep)) ||
	    (err = body_object(req, rep, allowed, true, &o)) ||
	    (err = body_str(rep, o, "language", false, 3, &lang)))
		goto out;
	if (lang && strcmp(lang, "nb") && strcmp(lang, "nn") && strcmp(lang, "en")) {
		err = reply_fail(rep, APP_EINVAL, "language", "'language' is nb, nn or en");
		goto out;
	}
	snprintf(f.language, sizeof(f.language), "%s", lang ? lang : "nb");
	snprintf(f.created_by, sizeof(f.created_by), "%s", req->who.username);
	token_new(token);
	token_hash(token, hash);
	if ((err = store_feeds_set(db, &f, hash)))
		goto out;
	snprintf(url, sizeof(url), "%s/api/v1/calendar-feeds/%s/calendar.ics",
		 app->cfg->public_url, token);
	write_feed(&rep->body, &f, url);
	snprintf(rep->location, sizeof(rep->location),
		 "/api/v1/clinicians/%" PRId64 "/calendar-feed", f.clinician_id);
	rep->status = 201;
out:
	json_decref(o);
	return err;
}

API_HANDLER(api_feeds_delete)
{
	enum app_err err;

	(void)app;
	if ((err = api_clinician_visible(db, req, rep)))
		return err;
	if ((err = store_feeds_delete(db, req->ids[0])))
		return err == APP_ENOTFOUND ? no_feed(rep, req->ids[0]) : err;
	rep->status = 204;
	return APP_OK;
}

/* What an event shows of an appointment: no patient data.  The items grow
 * by realloc while the rows come in, so nothing may point into one until
 * the last row is in: the events that point at these texts are made after
 * (events_of), never kept beside them. */
struct feed_item {
	int64_t appointment_id, start, end, stamp;
	int sequence;
	const char *summary; /* the language's word (static), never into items */
	char room[300], link[600], details[800];
};

struct collect {
	struct app *app;
	const struct feed *f;
	const char *details; /* the text with {link} */
	char host[128];
	struct feed_item *items;
	int n, cap;
	enum app_err err;
};

static bool collect_row(void *vctx, const struct appointment *a)
{
	struct collect *c = vctx;
	struct feed_item *it;
	char day[11], word[40];
	struct buf d;

	if (!appointment_live(a))
		return true; /* a cancelled one leaves the calendar */
	if (c->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 64;
		void *more = cap <= FEED_MAX ? realloc(c->items, (size_t)cap * sizeof(*c->items))
					     : NULL;
		if (!more) {
			/* the calendar holds what fitted (the earliest); said once a fetch */
			log_warn("calendar feed of clinician %lld holds its first %d events only",
				 (long long)c->f->clinician_id, c->n);
			return false;
		}
		c->items = more;
		c->cap = cap;
	}
	it = &c->items[c->n++];
	memset(it, 0, sizeof(*it));
	snprintf(it->room, sizeof(it->room), "%s%s%s", a->room_name,
		 a->room_name[0] && a->room_location[0] ? ", " : "", a->room_location);
	timeutil_format_date(a->start, day);
	snprintf(it->link, sizeof(it->link), "%s/#/day/%s?clinician=%" PRId64,
		 c->app->cfg->staff_url, day, c->f->clinician_id); /* the staff app */
	if (c->details) {
		buf_init(&d, sizeof(it->details));
		outbox_fill_link(&d, c->details, it->link);
		snprintf(it->details, sizeof(it->details), "%s", d.failed ? "" : d.data);
		buf_release(&d);
	}
	snprintf(word, sizeof(word), "@feed.%s", appointment_mode_name(a->mode));
	it->appointment_id = a->id;
	it->start = a->start;
	it->end = a->end;
	it->stamp = a->updated_at;
	it->sequence = (int)(a->version - 1);
	it->summary = messages_word(c->app->messages, c->f->language, word);
	if (!it->summary)
		it->summary = appointment_mode_name(a->mode);
	return true;
}

/* The events of the collected items, pointing into c->items: made once
 * the items have stopped moving, and freed before them.  NULL on OOM. */
static struct ics_event *events_of(const struct collect *c)
{
	struct ics_event *ev = calloc((size_t)c->n, sizeof(*ev));

	for (int i = 0; ev && i < c->n; i++) {
		const struct feed_item *it = &c->items[i];
		ev[i] = (struct ics_event){
		    .appointment_id = it->appointment_id, .start = it->start, .end = it->end,
		    .stamp = it->stamp, .sequence = it->sequence, .host = c->host,
		    .summary = it->summary, .description = it->details[0] ? it->details : NULL,
		    .location = it->room, .url = it->link};
	}
	return ev;
}

/* The VCALENDAR of feed f's clinician into out. */
static enum app_err render(struct app *app, struct store *db, const struct feed *f, int64_t now,
			   struct buf *out)
{
	struct collect c = {app, f, messages_word(app->messages, f->language, "@feed.details"),
			    "", NULL, 0, 0, APP_OK};
	const char *word = messages_word(app->messages, f->language, "@feed.name");
	struct ics_event *ev = NULL;
	char name[400];
	struct res_row who;
	enum app_err err;

	if ((err = store_resource_get(db, &resources_clinicians, f->clinician_id, &who)))
		return err;
	snprintf(name, sizeof(name), "%s: %s", word ? word : "timebok",
		 who.v[store_resource_field(&resources_clinicians, "name")].s);
	outbox_host(app, c.host, sizeof(c.host));
	if ((err = store_appointments_day(db, f->clinician_id, now - FEED_BACK_S,
					  now + FEED_AHEAD_S, collect_row, &c)))
		goto out;
	err = APP_ENOMEM;
	if (c.n && !(ev = events_of(&c)))
		goto out;
	err = ics_render_feed(name, ev, c.n, out);
out:
	free(ev);
	free(c.items);
	return err;
}

API_HANDLER(api_feeds_calendar)
{
	char hash[TOKEN_HASH_LEN + 1];
	struct feed f;
	enum app_err err;

	if (!token_valid(req->token))
		return reply_fail(rep, APP_ENOTFOUND, NULL, "there is no such calendar feed");
	token_hash(req->token, hash);
	if ((err = store_feeds_find(db, hash, &f)))
		return err == APP_ENOTFOUND
			       ? reply_fail(rep, APP_ENOTFOUND, NULL, "there is no such calendar feed")
			       : err;
	if ((err = render(app, db, &f, req->now, &rep->body)))
		return err;
	rep->content_type = ICS_FEED_CONTENT_TYPE; /* no METHOD, no method= */
	rep->status = 200;
	return APP_OK;
}
