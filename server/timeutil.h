/*
 * timeutil.h - instants, calendar days and the clinic's time zone.
 *
 * Instants are int64 seconds since the Unix epoch (UTC) everywhere inside
 * timebok; the clinic's zone is applied only when text goes in or out.
 *
 * The zone is the process's TZ, set once by timeutil_set_zone() before any
 * thread starts (glibc's localtime_r is then thread-safe and never re-reads
 * the environment).  Local-to-UTC conversion is our own, so that a local time
 * in a DST gap (02:30 on 2026-03-29 in Oslo) or overlap (02:30 on 2026-10-25)
 * is reported instead of silently guessed, as mktime() would.
 */
#ifndef TIMEBOK_TIMEUTIL_H
#define TIMEBOK_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

/* A civil (wall-clock) date and time, no zone. */
struct civil {
	int year, month, day; /* month 1-12, day 1-31 */
	int hour, min, sec;
};

enum local_kind { LOCAL_UNIQUE, LOCAL_GAP, LOCAL_AMBIGUOUS };

/* Make name (an IANA zone such as "Europe/Oslo") the clinic's zone.  Call once
 * before threads start.  APP_EINVAL when no such zone is installed. */
enum app_err timeutil_set_zone(const char *name) WARN_UNUSED;

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t timeutil_days_from_civil(int y, int m, int d);
void timeutil_civil_from_days(int64_t days, int *y, int *m, int *d);
int timeutil_days_in_month(int y, int m);
/* ISO weekday of a date: 1 = Monday ... 7 = Sunday. */
int timeutil_weekday(int y, int m, int d);

/* The clinic zone's UTC offset in seconds at instant t. */
int timeutil_offset(int64_t t);
/* Instant t as clinic-local civil time. */
void timeutil_to_local(int64_t t, struct civil *out);

/* The instant of clinic-local civil time c.  For a gap, *out is the instant
 * the clock jumps past c would reach (c read with the earlier offset); for an
 * overlap, the earlier of the two.  Returns which case it was. */
enum local_kind timeutil_from_local(const struct civil *c, int64_t *out);

/* Parse an RFC 3339 instant ("2026-11-23T09:00:00+01:00", "...Z", optional
 * fraction, which is dropped).  Without an offset the text is clinic-local
 * time, refused when it falls in a gap or an overlap.  APP_EINVAL with a
 * reason in *why (static text) when it is not a valid instant. */
enum app_err timeutil_parse_instant(const char *s, int64_t *out, const char **why) WARN_UNUSED;

/* Parse "YYYY-MM-DD" (a real date).  APP_EINVAL otherwise. */
enum app_err timeutil_parse_date(const char *s, struct civil *out) WARN_UNUSED;

/* Parse "HH:MM" (00:00-24:00) into minutes after midnight. */
enum app_err timeutil_parse_hhmm(const char *s, int *minutes) WARN_UNUSED;

/* The clinic-local day of date d as [*start, *end): 23, 24 or 25 hours. */
void timeutil_day_bounds(const struct civil *d, int64_t *start, int64_t *end);

#define TIMEUTIL_INSTANT_LEN 26 /* "2026-11-23T09:00:00+01:00" + NUL */
/* Format t in the clinic's zone with its offset.  out must hold 26 bytes. */
void timeutil_format(int64_t t, char out[TIMEUTIL_INSTANT_LEN]);
/* Format the clinic-local date of t as "YYYY-MM-DD" (11 bytes). */
void timeutil_format_date(int64_t t, char out[11]);

#endif
