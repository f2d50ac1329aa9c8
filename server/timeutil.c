/*
 * timeutil.c - RFC 3339 parsing and formatting, local days, DST gaps.
 *
 * Calendar arithmetic uses Howard Hinnant's days_from_civil algorithm, so no
 * libc call depends on the process zone except localtime_r(), which gives the
 * offset in force at an instant.  From-local conversion tries the offsets in
 * force a day before and a day after the wanted time (zones change offset at
 * most once a day) and keeps the candidates that map back to the same wall
 * clock: two is an overlap, none a gap.
 */
#define _GNU_SOURCE
#include "timeutil.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* localtime_r() takes glibc's one zone lock on every call, and a day list
 * formats four instants a row: measured, the lock's contention was the
 * largest item in the day list's profile with four threads.  Offsets change
 * only at a zone's transitions, on a quarter hour, so each thread keeps the
 * offset of the quarter hours it has seen, when the offset is the same at
 * both ends of it (else it asks libc each time).  A zone change
 * (timeutil_set_zone) bumps the generation, which empties every cache. */
#define QUARTER 900
#define OFFSET_CACHE 256 /* 2^8: the top 8 bits of the slot's hash */
static atomic_uint zone_generation = 1;
static _Thread_local struct {
	int64_t quarter;
	unsigned generation;
	int offset;
} offset_cache[OFFSET_CACHE];

enum app_err timeutil_set_zone(const char *name)
{
	const char *dir = getenv("TZDIR");
	char path[512];

	if (!name || !*name || name[0] == '/' || strstr(name, ".."))
		return APP_EINVAL;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return APP_EINVAL;
	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
	if (access(path, R_OK) != 0 && strcmp(name, "UTC") != 0)
		return APP_EINVAL;
	if (setenv("TZ", name, 1) != 0)
		return APP_ENOMEM;
	tzset();
	atomic_fetch_add(&zone_generation, 1);
	return APP_OK;
}

int64_t timeutil_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void timeutil_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int timeutil_days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

int timeutil_weekday(int y, int m, int d)
{
	int64_t days = timeutil_days_from_civil(y, m, d); /* 1970-01-01 was a Thursday */
	int64_t w = (days + 3) % 7;
	return (int)(w < 0 ? w + 7 : w) + 1;
}

static int libc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm))
		return 0;
	return (int)tm.tm_gmtoff;
}

int timeutil_offset(int64_t t)
{
	int64_t q = (t >= 0 ? t : t - (QUARTER - 1)) / QUARTER;
	unsigned gen = atomic_load_explicit(&zone_generation, memory_order_relaxed);
	/* a multiplicative hash: with the quarter modulo 256, a day's quarters
	 * (96) met those of the day 8 days later (768 = 3 x 256), and a poll
	 * of a day a week ahead asked libc on every request (seen in a profile) */
	size_t slot = (size_t)(((uint64_t)q * 0x9e3779b97f4a7c15ull) >> 56);
	int first, last;

	if (offset_cache[slot].generation == gen && offset_cache[slot].quarter == q)
		return offset_cache[slot].offset;
	first = libc_offset(q * QUARTER);
	last = libc_offset(q * QUARTER + QUARTER - 1);
	if (first != last)
		return libc_offset(t);
	offset_cache[slot].quarter = q;
	offset_cache[slot].generation = gen;
	offset_cache[slot].offset = first;
	return first;
}

static int64_t civil_seconds(const struct civil *c)
{
	return timeutil_days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 +
	       c->min * 60 + c->sec;
}

void timeutil_to_local(int64_t t, struct civil *out)
{
	int64_t l = t + timeutil_offset(t);
	int64_t days = l >= 0 ? l / 86400 : (l - 86399) / 86400;
	int64_t secs = l - days * 86400;

	timeutil_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = (int)(secs / 3600);
	out->min = (int)(secs / 60 % 60);
	out->sec = (int)(secs % 60);
}

enum local_kind timeutil_from_local(const struct civil *c, int64_t *out)
{
	int64_t l = civil_seconds(c);
	int o1 = timeutil_offset(l - 86400), o2 = timeutil_offset(l + 86400);
	int64_t t1 = l - o1, t2 = l - o2;
	bool v1 = t1 + timeutil_offset(t1) == l;
	bool v2 = t2 + timeutil_offset(t2) == l;

	if (v1 && v2 && t1 != t2) {
		*out = t1 < t2 ? t1 : t2;
		return LOCAL_AMBIGUOUS;
	}
	if (v1 || v2) {
		*out = v1 ? t1 : t2;
		return LOCAL_UNIQUE;
	}
	*out = t1; /* read with the offset before the jump */
	return LOCAL_GAP;
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool parse_date_part(const char *s, struct civil *c)
{
	if (!digits(s, 4, &c->year) || s[4] != '-' || !digits(s + 5, 2, &c->month) ||
	    s[7] != '-' || !digits(s + 8, 2, &c->day))
		return false;
	return c->year >= 1900 && c->year <= 9999 && c->month >= 1 && c->month <= 12 &&
	       c->day >= 1 && c->day <= timeutil_days_in_month(c->year, c->month);
}

enum app_err timeutil_parse_date(const char *s, struct civil *out)
{
	struct civil c = {0};

	if (!s || strlen(s) != 10 || !parse_date_part(s, &c))
		return APP_EINVAL;
	*out = c;
	return APP_OK;
}

enum app_err timeutil_parse_hhmm(const char *s, int *minutes)
{
	int h, m;

	if (!s || strlen(s) != 5 || !digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m))
		return APP_EINVAL;
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return APP_EINVAL;
	*minutes = h * 60 + m;
	return APP_OK;
}

static enum app_err parse_instant(const char *s, int64_t *out, const char **why)
{
	struct civil c = {0};
	const char *p;
	int oh, om, sign;
	int64_t t;

	*why = "expected an RFC 3339 instant such as 2026-11-23T09:00:00+01:00";
	if (!s || strlen(s) < 16 || strlen(s) > 40)
		return APP_EINVAL;
	if (!parse_date_part(s, &c)) {
		if (digits(s, 4, &c.year) && s[4] == '-' && digits(s + 5, 2, &c.month) &&
		    s[7] == '-' && digits(s + 8, 2, &c.day))
			*why = "no such date";
		return APP_EINVAL;
	}
	if ((s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &c.hour) || s[13] != ':' ||
	    !digits(s + 14, 2, &c.min))
		return APP_EINVAL;
	p = s + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2, &c.sec))
			return APP_EINVAL;
		p += 3;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return APP_EINVAL;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (c.hour > 23 || c.min > 59 || c.sec > 59) {
		*why = "no such time of day";
		return APP_EINVAL;
	}
	if (*p == '\0') {
		switch (timeutil_from_local(&c, &t)) {
		case LOCAL_GAP:
			*why = "that local time does not exist (the clocks skip it); give an offset";
			return APP_EINVAL;
		case LOCAL_AMBIGUOUS:
			*why = "that local time occurs twice (clocks go back); give an offset";
			return APP_EINVAL;
		case LOCAL_UNIQUE:
			*out = t;
			return APP_OK;
		}
	}
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
		*out = civil_seconds(&c);
		return APP_OK;
	}
	/* A '+' that arrived unencoded in a query string reads as a space. */
	sign = (p[0] == '-') ? -1 : (p[0] == '+' || p[0] == ' ') ? 1 : 0;
	if (!sign || !digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || p[6])
		return APP_EINVAL;
	if (oh > 23 || om > 59) {
		*why = "no such UTC offset";
		return APP_EINVAL;
	}
	*out = civil_seconds(&c) - sign * (oh * 3600 + om * 60);
	return APP_OK;
}

/* Instants are taken from 1900 to the end of 9998 (UTC), so that every one
 * is written back with a four-digit year in any zone (found by fuzzing:
 * 9999-12-31T23:59Z is year 10000 in Oslo). */
#define INSTANT_MIN (-2208988800LL)  /* 1900-01-01T00:00:00Z */
#define INSTANT_MAX (253370764800LL) /* 9999-01-01T00:00:00Z */

enum app_err timeutil_parse_instant(const char *s, int64_t *out, const char **why)
{
	int64_t t;
	enum app_err err = parse_instant(s, &t, why);

	if (err)
		return err;
	if (t < INSTANT_MIN || t >= INSTANT_MAX) {
		*why = "outside the years 1900 to 9998";
		return APP_EINVAL;
	}
	*out = t;
	return APP_OK;
}

void timeutil_day_bounds(const struct civil *d, int64_t *start, int64_t *end)
{
	struct civil a = {d->year, d->month, d->day, 0, 0, 0}, b;
	int y, m, dd;

	timeutil_civil_from_days(timeutil_days_from_civil(d->year, d->month, d->day) + 1, &y, &m,
				 &dd);
	b = (struct civil){y, m, dd, 0, 0, 0};
	/* Midnight in a gap (zones that switch at 00:00) reads as the jump's far
	 * side, which is the first instant of that day. */
	timeutil_from_local(&a, start);
	timeutil_from_local(&b, end);
}

static void copy_clamped(char *out, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static char *two(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/* Written digit by digit: a list formats four instants a row. */
void timeutil_format(int64_t t, char out[TIMEUTIL_INSTANT_LEN])
{
	int off = timeutil_offset(t), aoff = off < 0 ? -off : off;
	int64_t l = t + off;
	int64_t days = l >= 0 ? l / 86400 : (l - 86399) / 86400;
	int secs = (int)(l - days * 86400), y, m, d;
	char *p = out;

	timeutil_civil_from_days(days, &y, &m, &d);
	y = y < 0 ? 0 : y % 10000;
	p = two(two(p, y / 100), y % 100);
	*p++ = '-';
	p = two(p, m);
	*p++ = '-';
	p = two(p, d);
	*p++ = 'T';
	p = two(p, secs / 3600);
	*p++ = ':';
	p = two(p, secs / 60 % 60);
	*p++ = ':';
	p = two(p, secs % 60);
	*p++ = off < 0 ? '-' : '+';
	p = two(p, aoff / 3600 % 100);
	*p++ = ':';
	p = two(p, aoff / 60 % 60);
	*p = '\0';
}

void timeutil_format_date(int64_t t, char out[11])
{
	struct civil c;

	char tmp[48];

	timeutil_to_local(t, &c);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", c.year % 10000, c.month, c.day);
	copy_clamped(out, 11, tmp);
}
