/*
 * messages.h - the texts of the messages sent to patients, per language.
 *
 * The texts live in template files (server/templates/<lang>.txt, compiled
 * in; --template-dir reads the same files from a folder instead), never in
 * C strings, so a clinic can word them without a rebuild.  A file holds
 * "@name value" words (weekday and month names, how a time is written, the
 * names of the modes) and "[kind.part]" texts, optionally "[kind.part.mode]"
 * for one mode; see nb.txt's header.  Rendering fills the placeholders from
 * struct message_vars; an unknown placeholder is an error, so a typo in a
 * template fails the tests, not a patient.
 *
 * SMS: no clinician, unit or diagnosis (nothing sensitive by SMS); the vars
 * do not even carry them.  messages_sms_segments() counts what a gateway
 * bills: GSM 03.38 (160, or 153 per part) unless a character needs UCS-2
 * (70, or 67 per part).
 */
#ifndef TIMEBOK_MESSAGES_H
#define TIMEBOK_MESSAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "appointment.h"
#include "buf.h"
#include "err.h"

/* A built-in template file (generated from server/templates). */
struct messages_file {
	const char *name; /* "nb.txt" */
	const char *text;
};
extern const struct messages_file messages_builtin[];
extern const int messages_nbuiltin;

#define MESSAGES_LANGS 3
extern const char *const messages_langs[MESSAGES_LANGS]; /* nb, nn, en */
#define MESSAGES_KINDS 10
extern const char *const messages_kinds[MESSAGES_KINDS]; /* invitation ... opted_out, survey ... feedback */

struct messages;

struct message_vars {
	int64_t start;        /* the appointment's start (UTC) */
	enum appt_mode mode;
	const char *link;     /* the patient link, or "{link}" to fill in later */
	const char *room;     /* in person: the room and where it is (NULL: none) */
	const char *clinic;
	int notice_hours;
	bool guest;           /* to an external participant: "[kind.part.guest]" */
	const char *feedback; /* {feedback}: a questionnaire's band text (NULL: "") */
};

/* Load the texts of every language from dir/<lang>.txt, or the built-in
 * ones when dir is NULL or "".  *out is new (messages_free).  APP_EINVAL
 * (logged, with file and line) when a file is missing or malformed. */
enum app_err messages_new(const char *dir, struct messages **out) WARN_UNUSED;
/* The same from the texts of each language (in messages_langs' order). */
enum app_err messages_from_texts(const char *const texts[MESSAGES_LANGS],
				 struct messages **out) WARN_UNUSED;
void messages_free(struct messages *m);

/* Append part ("sms", "subject" or "email") of kind for lang to out: for a
 * guest the guest text, else the variant for v->mode when there is one.  APP_EINVAL when there is no such
 * text or it names an unknown placeholder; APP_ENOMEM when out failed. */
enum app_err messages_render(const struct messages *m, const char *lang, const char *kind,
			     const char *part, const struct message_vars *v,
			     struct buf *out) WARN_UNUSED;

/* The word "@name" of lang (borrowed), or NULL. */
const char *messages_word(const struct messages *m, const char *lang, const char *name);

/* How many SMS segments text (UTF-8) takes. */
int messages_sms_segments(const char *text);

#endif
