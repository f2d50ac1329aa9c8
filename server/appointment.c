/*
 * appointment.c - names, the status transition table, meeting URLs.
 *
 * Status rules: cancelled is final (a new booking is made instead);
 * completed and no_show may be corrected into each other, and a no_show
 * opened again the same day (appointment_no_show_undo_ok); everything else
 * may move between the open states (booked, invited, confirmed, opted_out)
 * and into any closing state.
 */
#include "appointment.h"

#include "timeutil.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const modes[] = {"video", "in_person", "phone"};
static const char *const statuses[] = {"booked",    "invited",   "confirmed", "opted_out",
				       "cancelled", "completed", "no_show"};

const char *appointment_mode_name(enum appt_mode m)
{
	return (unsigned)m < APPT_MODE_COUNT ? modes[m] : "video";
}

int appointment_mode_parse(const char *s)
{
	for (int i = 0; i < APPT_MODE_COUNT; i++)
		if (s && !strcmp(s, modes[i]))
			return i;
	return -1;
}

const char *appointment_status_name(enum appt_status s)
{
	return (unsigned)s < APPT_STATUS_COUNT ? statuses[s] : "booked";
}

int appointment_status_parse(const char *s)
{
	for (int i = 0; i < APPT_STATUS_COUNT; i++)
		if (s && !strcmp(s, statuses[i]))
			return i;
	return -1;
}

bool appointment_transition_ok(enum appt_status from, enum appt_status to)
{
	if (from == to)
		return true;
	switch (from) {
	case APPT_CANCELLED:
		return false;
	case APPT_COMPLETED:
	case APPT_NO_SHOW:
		return to == APPT_COMPLETED || to == APPT_NO_SHOW;
	default:
		return true;
	}
}

bool appointment_no_show_undo_ok(const struct appointment *a, enum appt_status was,
				 enum appt_status to, int64_t now)
{
	struct civil when, today;

	if (a->status != APPT_NO_SHOW || to != was ||
	    (to != APPT_BOOKED && to != APPT_INVITED && to != APPT_CONFIRMED))
		return false;
	timeutil_to_local(a->start, &when);
	timeutil_to_local(now, &today);
	return when.year == today.year && when.month == today.month && when.day == today.day;
}

const char *appointment_answer_refusal(const struct appointment *a, enum appt_answer answer,
				       int64_t now, enum appt_status *to)
{
	static const enum appt_status target[] = {APPT_CONFIRMED, APPT_OPTED_OUT, APPT_CANCELLED};

	*to = target[answer];
	if (a->status == APPT_CANCELLED)
		return answer == ANSWER_CANCEL ? NULL : "the appointment is cancelled";
	if (a->status == APPT_COMPLETED || a->status == APPT_NO_SHOW || now >= a->start)
		return "the appointment has begun or is over";
	if (answer == ANSWER_OPT_OUT && a->mode != APPT_VIDEO)
		return "the appointment is not by video";
	return NULL;
}

bool appointment_has_clinician(const struct appointment *a, int64_t id)
{
	for (int i = 0; i < a->nclinicians; i++)
		if (a->clinician_ids[i] == id)
			return true;
	return false;
}

/* 128 random bits in lowercase base32 (26 characters). */
static void random_code(char out[27])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char raw[16];
	unsigned bits = 0, acc = 0;
	size_t n = 0;

	randombytes_buf(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits)
		out[n++] = alphabet[(acc << (5 - bits)) & 31];
	out[n] = '\0';
}

/* template_ with each "{room}" replaced by room; false if it does not fit. */
static bool expand(const char *template_, const char *room, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = template_; *p;) {
		bool at = !strncmp(p, "{room}", 6);
		size_t len = at ? strlen(room) : 1;

		if (n + len >= cap)
			return false;
		memcpy(out + n, at ? room : p, len);
		n += len;
		p += at ? 6 : 1;
	}
	out[n] = '\0';
	return true;
}

bool appointment_video_url(const char *template_, const char *host_template,
			   struct appointment *a)
{
	char room[27];

	random_code(room);
	if (!strstr(template_, "{room}") ||
	    !expand(template_, room, a->video_url, sizeof(a->video_url)))
		return false;
	if (host_template && *host_template)
		return expand(host_template, room, a->video_host_url, sizeof(a->video_host_url));
	memcpy(a->video_host_url, a->video_url, sizeof(a->video_url));
	return true;
}
