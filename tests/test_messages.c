/*
 * test_messages.c - the message texts and tokens: every kind renders in
 * every language and channel with nothing left unfilled, every SMS fits
 * two segments with a long link, no SMS names a clinician or a unit, the
 * segment counter itself, and sealed tokens; e-mail headers and calendar
 * lines within the lengths of RFC 2047, 5322 and 5545.
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "config.h"
#include "ics.h"
#include "messages.h"
#include "notify.h"
#include "token.h"

static struct messages *m;

static void setup(void)
{
	ck_assert_int_eq(messages_new(NULL, &m), APP_OK);
}

static void teardown(void)
{
	messages_free(m);
}

/* A link as long as a real hospital's would be. */
#define LINK "https://timebok.sykehuset-innlandet.example.no/i/" \
	     "XRxFbaH_my-lUYos-dMx4hlewhqgoQhXBRbrXt2vUp8"

START_TEST(every_kind_language_and_mode_renders)
{
	static const char *const parts[] = {"sms", "subject", "email"};
	struct message_vars v = {
		.start = 1795420800, /* 2026-11-23T08:00:00Z */
		.link = LINK,
		.room = "Rom 3, Bygg A, 2. etasje",
		.clinic = "Barne- og ungdomspsykiatrisk poliklinikk",
		.notice_hours = 24,
	};
	struct buf b;

	buf_init(&b, 64 * 1024);
	for (int l = 0; l < MESSAGES_LANGS; l++)
		for (int k = 0; k < MESSAGES_KINDS; k++)
			for (int mode = 0; mode < APPT_MODE_COUNT; mode++)
				for (int p = 0; p < 3; p++) {
					const char *what[] = {messages_langs[l], messages_kinds[k],
							      parts[p]};
					v.mode = (enum appt_mode)mode;
					buf_reset(&b);
					ck_assert_msg(messages_render(m, what[0], what[1], what[2],
								      &v, &b) == APP_OK,
						      "%s %s %s", what[0], what[1], what[2]);
					ck_assert_msg(b.len > 10 && !strchr(b.data, '{') &&
							      !strchr(b.data, '}'),
						      "%s %s %s: '%s'", what[0], what[1], what[2],
						      b.data);
					if (p != 0)
						continue;
					ck_assert_msg(messages_sms_segments(b.data) <= 2,
						      "%s %s SMS is %d segments: %s", what[0],
						      what[1], messages_sms_segments(b.data),
						      b.data);
					/* nothing sensitive by SMS: no unit, clinic or room */
					ck_assert_ptr_null(strstr(b.data, "psykiatri"));
					ck_assert_ptr_null(strstr(b.data, "Rom 3"));
				}
	/* the time is the clinic's (Oslo, UTC+1 in November) */
	buf_reset(&b);
	v.mode = APPT_VIDEO;
	ck_assert_int_eq(messages_render(m, "nb", "invitation", "sms", &v, &b), APP_OK);
	ck_assert_ptr_nonnull(strstr(b.data, "mandag 23. november kl. 09:00"));
	ck_assert_ptr_nonnull(strstr(b.data, LINK));
	buf_reset(&b);
	ck_assert_int_eq(messages_render(m, "nn", "reminder", "sms", &v, &b), APP_OK);
	ck_assert_ptr_nonnull(strstr(b.data, "måndag 23. november"));
	buf_reset(&b);
	ck_assert_int_eq(messages_render(m, "en", "invitation", "email", &v, &b), APP_OK);
	ck_assert_ptr_nonnull(strstr(b.data, "Monday 23 November at 09:00"));
	ck_assert_ptr_nonnull(strstr(b.data, "quiet place"));
	/* in person: the place is in the e-mail */
	buf_reset(&b);
	v.mode = APPT_IN_PERSON;
	ck_assert_int_eq(messages_render(m, "nb", "invitation", "email", &v, &b), APP_OK);
	ck_assert_ptr_nonnull(strstr(b.data, "Sted: Rom 3, Bygg A"));
	ck_assert_int_eq(messages_render(m, "de", "invitation", "sms", &v, &b), APP_EINVAL);
	ck_assert_int_eq(messages_render(m, "nb", "nonsense", "sms", &v, &b), APP_EINVAL);
	buf_release(&b);
}
END_TEST

START_TEST(guests_get_their_own_texts)
{
	static const char *const kinds[] = {"invitation", "changed", "cancelled"};
	static const char *const parts[] = {"sms", "subject", "email"};
	struct message_vars v = {
		.start = 1795420800,
		.link = LINK,
		.room = "Rom 3, Bygg A, 2. etasje",
		.clinic = "Barne- og ungdomspsykiatrisk poliklinikk",
		.notice_hours = 24,
		.guest = true,
	};
	struct buf b;

	buf_init(&b, 64 * 1024);
	for (int l = 0; l < MESSAGES_LANGS; l++)
		for (int k = 0; k < 3; k++)
			for (int mode = 0; mode < APPT_MODE_COUNT; mode++)
				for (int p = 0; p < 3; p++) {
					v.mode = (enum appt_mode)mode;
					buf_reset(&b);
					ck_assert_int_eq(messages_render(m, messages_langs[l], kinds[k],
									 parts[p], &v, &b),
							 APP_OK);
					ck_assert(b.len > 10 && !strchr(b.data, '{'));
					/* a guest is not told the patient's things */
					ck_assert_ptr_null(strstr(b.data, "Avbestill"));
					ck_assert_ptr_null(strstr(b.data, "timen din"));
					if (p == 0)
						ck_assert_int_le(messages_sms_segments(b.data), 2);
				}
	buf_reset(&b);
	ck_assert_int_eq(messages_render(m, "nb", "invitation", "sms", &v, &b), APP_OK);
	ck_assert_ptr_nonnull(strstr(b.data, "invitert til et møte"));
	/* no guest text for a kind: an error, never the patient's text */
	buf_reset(&b);
	ck_assert_int_eq(messages_render(m, "nb", "reminder", "sms", &v, &b), APP_EINVAL);
	buf_release(&b);
}
END_TEST

START_TEST(sms_segments)
{
	char text[400];

	memset(text, 'a', 160);
	text[160] = '\0';
	ck_assert_int_eq(messages_sms_segments(text), 1);
	strcat(text, "b");
	ck_assert_int_eq(messages_sms_segments(text), 2);
	memset(text, 'a', 306);
	text[306] = '\0';
	ck_assert_int_eq(messages_sms_segments(text), 2);
	strcat(text, "b");
	ck_assert_int_eq(messages_sms_segments(text), 3);
	/* æøå are GSM; { and € take two septets; an emoji needs UCS-2 */
	ck_assert_int_eq(messages_sms_segments("Blåbærsyltetøy ÆØÅ"), 1);
	memset(text, '{', 80);
	text[80] = '\0';
	ck_assert_int_eq(messages_sms_segments(text), 1);
	strcat(text, "{");
	ck_assert_int_eq(messages_sms_segments(text), 2);
	memset(text, 'a', 69);
	strcpy(text + 69, "\xc5\x81"); /* Ł: not GSM, 70 UCS-2 units */
	ck_assert_int_eq(messages_sms_segments(text), 1);
	strcat(text, "a");
	ck_assert_int_eq(messages_sms_segments(text), 2);
}
END_TEST

START_TEST(bad_template_dir_is_refused)
{
	struct messages *other = NULL;

	ck_assert_int_eq(messages_new("/nonexistent-timebok", &other), APP_EINVAL);
	ck_assert_ptr_null(other);
	/* the source folder holds the same texts as the built-in ones */
	ck_assert_int_eq(messages_new(TIMEBOK_SOURCE_DIR "/server/templates", &other), APP_OK);
	messages_free(other);
}
END_TEST

START_TEST(tokens_and_sealing)
{
	uint8_t key[TOKEN_KEY_LEN], other[TOKEN_KEY_LEN], box[TOKEN_BOX_LEN];
	char t1[TOKEN_LEN + 1], t2[TOKEN_LEN + 1], back[TOKEN_LEN + 1], h[TOKEN_HASH_LEN + 1];

	token_new(t1);
	token_new(t2);
	ck_assert(token_valid(t1));
	ck_assert_str_ne(t1, t2);
	ck_assert(!token_valid("short"));
	ck_assert(!token_valid("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/"));
	token_hash(t1, h);
	ck_assert_int_eq(strlen(h), TOKEN_HASH_LEN);
	ck_assert_ptr_null(strstr(h, t1));
	randombytes_buf(key, sizeof(key));
	randombytes_buf(other, sizeof(other));
	token_seal(key, t1, box);
	ck_assert(token_open(key, box, sizeof(box), back));
	ck_assert_str_eq(back, t1);
	ck_assert(!token_open(other, box, sizeof(box), back));
	box[30] ^= 1;
	ck_assert(!token_open(key, box, sizeof(box), back));
}
END_TEST

/* Each line of text (CRLF ends) up to the first empty one, or all when
 * all: at most max characters, and (when utf8) never starting after the
 * fold's space with a UTF-8 continuation byte. */
static void lines_within(const char *text, size_t max, bool all, bool utf8)
{
	const char *p = text, *eol;

	while ((eol = strstr(p, "\r\n"))) {
		if (eol == p && !all)
			return;
		ck_assert_msg((size_t)(eol - p) <= max, "a line of %d: %.*s", (int)(eol - p),
			      (int)(eol - p), p);
		if (utf8 && *p == ' ')
			ck_assert_msg(((unsigned char)p[1] & 0xc0) != 0x80,
				      "folded inside a character");
		p = eol + 2;
	}
}

START_TEST(mail_headers_within_rfc_limits)
{
	static struct config cfg;
	const char *subjects[] = {
	    "Your appointment with the outpatient clinic for ear, nose and throat "
	    "diseases on Saturday 10 April at 09:00 (please read the whole message)",
	    "Påminnelse: din time lørdag 10. april kl. 09:00 på øre-nese-hals, Sørlandet "
	    "sykehus – ta med 😀 og medisinlisten",
	};
	struct notify_msg msg = {
	    .id = 7, .created_at = 1795420800, .to = "kari@example.no", .body = "Hei"};
	struct buf b;

	config_defaults(&cfg);
	snprintf(cfg.clinic_name, sizeof(cfg.clinic_name), "%s",
		 "Sykehuset, Avd. for ØNH og hørsel – barn og unge i Agder og Telemark");
	snprintf(cfg.mail_from, sizeof(cfg.mail_from), "%s", "time@sykehuset.example.no");
	for (size_t i = 0; i < sizeof(subjects) / sizeof(*subjects); i++) {
		const char *w;
		buf_init(&b, 64 * 1024);
		msg.subject = subjects[i];
		ck_assert(notify_email_compose(&cfg, &msg, &b));
		lines_within(b.data, 78, false, false);
		for (w = b.data; (w = strstr(w, "=?UTF-8?B?")); w++)
			ck_assert_int_le(strstr(w, "?=") + 2 - w, 75);
		buf_release(&b);
	}
	/* the plain one folds at its spaces and unfolds back to itself */
	buf_init(&b, 64 * 1024);
	msg.subject = subjects[0];
	ck_assert(notify_email_compose(&cfg, &msg, &b));
	{
		char *subj = strstr(b.data, "\r\nSubject: ") + 11, *end = strstr(subj, "\r\nDate:");
		char unfolded[400];
		size_t n = 0;
		for (char *q = subj; q < end && n + 1 < sizeof(unfolded); q++)
			if (q[0] != '\r' && q[0] != '\n')
				unfolded[n++] = *q;
		unfolded[n] = '\0';
		ck_assert_str_eq(unfolded, subjects[0]);
	}
	buf_release(&b);
}
END_TEST

START_TEST(calendar_lines_folded_after_the_link)
{
	struct ics_event e = {
	    .appointment_id = 17,
	    .start = 1795420800,
	    .end = 1795422600,
	    .stamp = 1795400000,
	    .host = "timebok.sykehuset-innlandet.example.no",
	    .summary = "Videotime på øre-nese-hals",
	    .description = "Se detaljer og svar (lørdag, søndag; åpent): {link} – "
			   "æøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøåæøå",
	    .url = "{link}",
	    .organizer = "time@sykehuset.example.no",
	};
	struct buf raw, filled;

	buf_init(&raw, 64 * 1024);
	buf_init(&filled, 64 * 1024);
	ck_assert_int_eq(ics_render(&e, &raw), APP_OK);
	ck_assert_int_eq(ics_fill_link(raw.data, LINK, &filled), APP_OK);
	lines_within(filled.data, 75, true, true);
	ck_assert_ptr_nonnull(strstr(filled.data, "METHOD:" ICS_METHOD "\r\n"));
	ck_assert_ptr_null(strstr(filled.data, "{link}"));
	ck_assert_ptr_nonnull(strstr(filled.data, "\\, søndag\\; åpent")); /* escaped as text */
	{ /* unfolded, the URL is the link whole */
		char unfolded[4096];
		size_t n = 0;
		for (const char *q = filled.data; *q && n + 1 < sizeof(unfolded); q++) {
			if (q[0] == '\r' && q[1] == '\n' && q[2] == ' ') {
				q += 2;
				continue;
			}
			unfolded[n++] = *q;
		}
		unfolded[n] = '\0';
		ck_assert_ptr_nonnull(strstr(unfolded, "\r\nURL:" LINK "\r\n"));
	}
	/* one queued before the METHOD became PUBLISH goes out as PUBLISH */
	{
		char *m = strstr(raw.data, "METHOD:" ICS_METHOD);
		ck_assert_ptr_nonnull(m);
		memcpy(m, "METHOD:REQUEST", 14); /* as long as "METHOD:PUBLISH" */
		buf_reset(&filled);
		ck_assert_int_eq(ics_fill_link(raw.data, LINK, &filled), APP_OK);
		ck_assert_ptr_nonnull(strstr(filled.data, "METHOD:" ICS_METHOD "\r\n"));
	}
	ck_assert_int_eq(ics_fill_link("not a calendar", LINK, &filled), APP_EINVAL);
	buf_release(&raw);
	buf_release(&filled);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("messages");
	TCase *tc = tcase_create("messages");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_kind_language_and_mode_renders);
	tcase_add_test(tc, mail_headers_within_rfc_limits);
	tcase_add_test(tc, calendar_lines_folded_after_the_link);
	tcase_add_test(tc, sms_segments);
	tcase_add_test(tc, guests_get_their_own_texts);
	tcase_add_test(tc, bad_template_dir_is_refused);
	tcase_add_test(tc, tokens_and_sealing);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(suite)
