/*
 * ics.c - see ics.h.  libical builds the object and folds and escapes the
 * text; icalcomponent_as_ical_string_r is the reentrant form (the plain one
 * returns a ring buffer shared by threads).
 */
#include "ics.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lazy_ical.h"

static struct icaltimetype utc(int64_t t)
{
	return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

/* A VCALENDAR with its fixed properties, or NULL. */
static icalcomponent *new_calendar(void)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();

	if (!cal)
		return NULL;
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//timebok//timebok//NB"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	return cal;
}

/* Add e to cal as a VEVENT; false when memory ran out. */
static bool add_event(icalcomponent *cal, const struct ics_event *e)
{
	icalcomponent *ev = icalcomponent_new_vevent();
	char uid[200], mailto[300];

	if (!ev)
		return false;
	snprintf(uid, sizeof(uid), "timebok-%lld@%s", (long long)e->appointment_id, e->host);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_sequence(e->sequence));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc(e->stamp)));
	icalcomponent_add_property(ev, icalproperty_new_dtstart(utc(e->start)));
	icalcomponent_add_property(ev, icalproperty_new_dtend(utc(e->end)));
	icalcomponent_add_property(ev, icalproperty_new_summary(e->summary));
	icalcomponent_add_property(ev, icalproperty_new_status(e->cancelled ? ICAL_STATUS_CANCELLED
									   : ICAL_STATUS_CONFIRMED));
	if (e->description)
		icalcomponent_add_property(ev, icalproperty_new_description(e->description));
	if (e->location && *e->location)
		icalcomponent_add_property(ev, icalproperty_new_location(e->location));
	if (e->url && *e->url)
		icalcomponent_add_property(ev, icalproperty_new_url(e->url));
	if (e->organizer && *e->organizer) {
		snprintf(mailto, sizeof(mailto), "mailto:%s", e->organizer);
		icalcomponent_add_property(ev, icalproperty_new_organizer(mailto));
	}
	icalcomponent_add_component(cal, ev); /* cal owns ev from here */
	return true;
}

/* Append cal's text to out and free cal. */
static enum app_err finish(icalcomponent *cal, struct buf *out)
{
	char *text = icalcomponent_as_ical_string_r(cal);

	icalcomponent_free(cal);
	if (!text)
		return APP_ENOMEM;
	buf_puts(out, text);
	sodium_memzero(text, strlen(text)); /* it may hold a link */
	free(text);
	return out->failed ? APP_ENOMEM : APP_OK;
}

enum app_err ics_render(const struct ics_event *e, struct buf *out)
{
	icalcomponent *cal = new_calendar();

	if (!cal)
		return APP_ENOMEM;
	icalcomponent_add_property(
	    cal, icalproperty_new_method(icalproperty_string_to_method(ICS_METHOD)));
	if (!add_event(cal, e)) {
		icalcomponent_free(cal);
		return APP_ENOMEM;
	}
	return finish(cal, out);
}

enum app_err ics_render_feed(const char *name, const struct ics_event *events, int n,
			     struct buf *out)
{
	icalcomponent *cal = new_calendar();
	icalproperty *p;

	if (!cal)
		return APP_ENOMEM;
	/* the de-facto names, refresh hints and the RFC 7986 ones */
	if ((p = icalproperty_new_x(name))) {
		icalproperty_set_x_name(p, "X-WR-CALNAME");
		icalcomponent_add_property(cal, p);
	}
	icalcomponent_add_property(cal, icalproperty_new_name(name));
	if ((p = icalproperty_new_x("PT15M"))) {
		icalproperty_set_x_name(p, "X-PUBLISHED-TTL");
		icalcomponent_add_property(cal, p);
	}
	if ((p = icalproperty_new_refreshinterval(icaldurationtype_from_int(15 * 60)))) {
		icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DURATION));
		icalcomponent_add_property(cal, p);
	}
	for (int i = 0; i < n; i++)
		if (!add_event(cal, &events[i])) {
			icalcomponent_free(cal);
			return APP_ENOMEM;
		}
	return finish(cal, out);
}

/* Replace "{link}" by url in the text of string value v (TEXT or URI);
 * false when memory ran out. */
static bool fill_value(icalvalue *v, const char *url)
{
	icalvalue_kind kind = icalvalue_isa(v);
	const char *text;
	struct buf b;
	bool ok;

	if (kind != ICAL_TEXT_VALUE && kind != ICAL_URI_VALUE)
		return true;
	text = kind == ICAL_TEXT_VALUE ? icalvalue_get_text(v) : icalvalue_get_uri(v);
	if (!text || !strstr(text, "{link}"))
		return true;
	buf_init(&b, 64 * 1024);
	buf_put_replaced(&b, text, "{link}", url);
	ok = !b.failed;
	if (ok && kind == ICAL_TEXT_VALUE)
		icalvalue_set_text(v, b.data); /* escaped when written */
	else if (ok)
		icalvalue_set_uri(v, b.data);
	if (b.data) /* the link is a secret: leave no copy in freed memory */
		sodium_memzero(b.data, b.cap);
	buf_release(&b);
	return ok;
}

enum app_err ics_fill_link(const char *ics, const char *url, struct buf *out)
{
	icalcomponent *cal = icalparser_parse_string(ics), *c;
	icalproperty *p;

	if (!cal)
		return APP_EINVAL;
	/* a message queued before the METHOD became PUBLISH goes out as its
	 * e-mail part says (notify.c): STATUS already tells a cancellation */
	if ((p = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY)))
		icalproperty_set_method(p, icalproperty_string_to_method(ICS_METHOD));
	/* the calendar's own properties, then its components' (one level: ours) */
	for (c = cal; c; c = c == cal ? icalcomponent_get_first_component(cal, ICAL_ANY_COMPONENT)
				      : icalcomponent_get_next_component(cal, ICAL_ANY_COMPONENT))
		for (p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p;
		     p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY))
			if (!fill_value(icalproperty_get_value(p), url)) {
				icalcomponent_free(cal);
				return APP_ENOMEM;
			}
	return finish(cal, out);
}
