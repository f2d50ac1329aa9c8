/*
 * ics.h - an appointment as an iCalendar (RFC 5545) object, with libical.
 *
 * One VEVENT per appointment with a stable UID ("timebok-<id>@<host>"), a
 * SEQUENCE that rises with every change (the appointment's version - 1),
 * STATUS CONFIRMED, or CANCELLED once it is cancelled, and the video URL or
 * the room as LOCATION.  Times are written in UTC, which every client
 * converts to its own zone, so they stay right across DST changes without
 * shipping a VTIMEZONE.  A feed (a clinician's subscribed calendar) is a
 * VCALENDAR of many such events without METHOD.
 *
 * The patient's (and a guest's) object is METHOD:PUBLISH (RFC 5546 3.2.1),
 * with the clinic as ORGANIZER and no ATTENDEE, both in the e-mail and from
 * the link.  Patients are not calendar users of ours: a REQUEST must name
 * them as ATTENDEE (3.2.2), and clients then offer Accept/Decline buttons
 * whose iTIP REPLY goes to the sender's address, where nothing reads it, so
 * a "Decline" would look like an answer and cancel nothing; patients answer
 * through the link.  A PUBLISH is "add to calendar" in every client, needs
 * no address (an SMS-only patient downloads the same file), and a later one
 * with the same UID and a higher SEQUENCE updates the event, STATUS:CANCELLED
 * included (which PUBLISH allows; CANCEL is addressed to attendees).
 *
 * Lines are folded at 75 octets, never inside a UTF-8 character (RFC 5545
 * 3.1): libical folds what it writes, and ics_fill_link folds again after
 * the link is filled in.
 */
#ifndef TIMEBOK_ICS_H
#define TIMEBOK_ICS_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct ics_event {
	int64_t appointment_id;
	int64_t start, end, stamp; /* UTC seconds */
	int sequence;
	bool cancelled;
	const char *host;          /* for the UID */
	const char *summary;
	const char *description;   /* NULL: none */
	const char *location;      /* NULL: none */
	const char *url;           /* NULL: none */
	const char *organizer;     /* an e-mail address, or NULL */
};

/* The METHOD of ics_render's objects, and the Content-Type that says it
 * (RFC 5545 3.7.2: an object with METHOD is sent with method=). */
#define ICS_METHOD "PUBLISH"
#define ICS_CONTENT_TYPE "text/calendar; charset=utf-8; method=" ICS_METHOD
/* The Content-Type of an object without METHOD (a feed). */
#define ICS_FEED_CONTENT_TYPE "text/calendar; charset=utf-8"

/* Append the VCALENDAR text of e (METHOD ICS_METHOD) to out.  APP_ENOMEM. */
enum app_err ics_render(const struct ics_event *e, struct buf *out) WARN_UNUSED;

/* Append a subscribed calendar (no METHOD) named name, holding the n
 * events, to out, with a hint to clients to fetch it again every 15
 * minutes.  APP_ENOMEM. */
enum app_err ics_render_feed(const char *name, const struct ics_event *events, int n,
			     struct buf *out) WARN_UNUSED;

/* Append to out the calendar object ics (as ics_render wrote it) with
 * every "{link}" in its text and URI values replaced by url, escaped and
 * folded again.  APP_EINVAL when ics does not parse, APP_ENOMEM. */
enum app_err ics_fill_link(const char *ics, const char *url, struct buf *out) WARN_UNUSED;

#endif
