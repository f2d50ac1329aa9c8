/*
 * ics.h - an appointment as an iCalendar (RFC 5545) object, with libical.
 *
 * One VEVENT per appointment with a stable UID ("timebok-<id>@<host>"), a
 * SEQUENCE that rises with every change (the appointment's version - 1),
 * METHOD REQUEST, or CANCEL with STATUS:CANCELLED once it is cancelled
 * (RFC 5546), and the video URL or the room as LOCATION.  Times are written
 * in UTC, which every client converts to its own zone, so they stay right
 * across DST changes without shipping a VTIMEZONE.  A feed (a clinician's
 * subscribed calendar) is a VCALENDAR of many such events without METHOD.
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

/* Append the VCALENDAR text of e to out.  APP_ENOMEM. */
enum app_err ics_render(const struct ics_event *e, struct buf *out) WARN_UNUSED;

/* Append a subscribed calendar (no METHOD) named name, holding the n
 * events, to out, with a hint to clients to fetch it again every 15
 * minutes.  APP_ENOMEM. */
enum app_err ics_render_feed(const char *name, const struct ics_event *events, int n,
			     struct buf *out) WARN_UNUSED;

#endif
