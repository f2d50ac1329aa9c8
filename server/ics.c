/*
 * ics.c - see ics.h.  libical builds the object and folds and escapes the
 * text; icalcomponent_as_ical_string_r is the reentrant form (the plain one
 * returns a ring buffer shared by threads).
 */
#include "ics.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>

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
	free(text);
	return out->failed ? APP_ENOMEM : APP_OK;
}

enum app_err ics_render(const struct ics_event *e, struct buf *out)
{
	icalcomponent *cal = new_calendar();

	if (!cal)
		return APP_ENOMEM;
	icalcomponent_add_property(
		cal, icalproperty_new_method(e->cancelled ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
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
