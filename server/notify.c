/*
 * notify.c - channel dispatch, composing e-mail, and the file channel.
 *
 * The file channel writes <spool>/<id 10 digits>-sms.json or -email.eml:
 * written to a temporary name, synced, then renamed, so a reader never sees
 * half a message and a retry of the same id replaces it (idempotent).
 */
#define _GNU_SOURCE
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ics.h"

static enum notify_result spool(const struct config *cfg, const struct notify_msg *m,
				const char *suffix, const struct buf *b, char *why, size_t cap)
{
	char path[700], tmp[720];
	int fd;

	if (b->failed) {
		snprintf(why, cap, "the message is too large");
		return NOTIFY_FAILED;
	}
	if (mkdir(cfg->spool_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, cap, "cannot create the spool folder: %s", strerror(errno));
		return NOTIFY_RETRY;
	}
	snprintf(path, sizeof(path), "%s/%010lld-%s", cfg->spool_dir, (long long)m->id, suffix);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, b->data, b->len) != (ssize_t)b->len || fsync(fd) != 0) {
		snprintf(why, cap, "cannot write to the spool folder: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return NOTIFY_RETRY;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		snprintf(why, cap, "cannot write to the spool folder: %s", strerror(errno));
		unlink(tmp);
		return NOTIFY_RETRY;
	}
	return NOTIFY_SENT;
}

enum notify_result notify_sms(const struct config *cfg, const struct notify_msg *m, char *why,
			      size_t cap)
{
	enum notify_result r;
	struct buf b;

	if (!strcmp(cfg->sms_channel, "sms-webhook"))
		return notify_webhook_send(cfg, m, why, cap);
	buf_init(&b, 64 * 1024);
	buf_printf(&b, "{\"id\":%lld", (long long)m->id);
	buf_json_kstr(&b, ",", "to", m->to);
	buf_json_kstr(&b, ",", "body", m->body);
	buf_puts(&b, "}\n");
	r = spool(cfg, m, "sms.json", &b, why, cap);
	buf_release(&b);
	return r;
}

/* base64 of p in lines of 76 characters (RFC 2045). */
static void base64_lines(struct buf *out, const char *p, size_t n)
{
	char line[80];

	for (size_t i = 0; i < n; i += 57) {
		size_t k = n - i < 57 ? n - i : 57;
		sodium_bin2base64(line, sizeof(line), (const unsigned char *)p + i, k,
				  sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "%s\r\n", line);
	}
}

#define LINE_MAX_CHARS 78 /* RFC 5322 2.1.1: SHOULD not exceed 78 */
#define WORD_MAX_CHARS 75 /* RFC 2047 2: an encoded-word is at most 75 */

/* Whether s may be written as it is in a header of type phrase (a display
 * name, RFC 5322 3.2.5) or unstructured text: printable ASCII, no "=?" that
 * a reader would take for an encoded-word, and for a phrase no specials. */
static bool header_plain(const char *s, bool phrase)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || (p[0] == '=' && p[1] == '?') ||
		    (phrase && strchr("()<>[]:;@\\,.\"", *p)))
			return false;
	return true;
}

/* Append header text s, the header's line having col characters so far:
 * as it is when header_plain (folded at spaces before LINE_MAX_CHARS),
 * else as RFC 2047 "B" encoded-words of at most WORD_MAX_CHARS characters,
 * each holding whole UTF-8 characters, on lines of at most LINE_MAX_CHARS
 * (folded with CRLF + space, which a reader drops between encoded-words).
 * Returns the column after it. */
static size_t header_text(struct buf *out, const char *s, size_t col, bool phrase)
{
	size_t n = strlen(s), i = 0;

	if (header_plain(s, phrase)) {
		while (i < n) {
			size_t w = strcspn(s + i, " ");
			if (i && col + 1 + w > LINE_MAX_CHARS) { /* fold before the space */
				buf_puts(out, "\r\n");
				col = 0;
			}
			if (i)
				buf_putc(out, ' ');
			buf_append(out, s + i, w);
			col += (i ? 1 : 0) + w;
			i += w + (s[i + w] == ' ');
			while (i < n && s[i] == ' ') { /* runs of spaces stay */
				buf_putc(out, ' ');
				col++;
				i++;
			}
		}
		return col;
	}
	while (i < n) {
		char enc[WORD_MAX_CHARS];
		size_t room, take;

		if (col + 12 + 4 >= LINE_MAX_CHARS) { /* not even one character fits */
			buf_puts(out, "\r\n ");
			col = 1;
		}
		room =
		    LINE_MAX_CHARS - col < WORD_MAX_CHARS ? LINE_MAX_CHARS - col : WORD_MAX_CHARS;
		take = (room - 12) / 4 * 3; /* "=?UTF-8?B?" "?=" around base64 */
		if (take > n - i)
			take = n - i;
		while (take && i + take < n && ((unsigned char)s[i + take] & 0xc0) == 0x80)
			take--; /* never split a UTF-8 character */
		sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)s + i, take,
				  sodium_base64_VARIANT_ORIGINAL);
		buf_printf(out, "=?UTF-8?B?%s?=", enc);
		col += 12 + strlen(enc);
		i += take;
		if (i < n) {
			buf_puts(out, "\r\n ");
			col = 1;
		}
	}
	return col;
}

static bool plain_address(const char *a)
{
	return *a && strlen(a) < 250 && !strpbrk(a, "\r\n<>\",;: ") && strchr(a, '@');
}

bool notify_email_compose(const struct config *cfg, const struct notify_msg *m, struct buf *out)
{
	const char *domain = strchr(cfg->mail_from, '@');
	char date[64];
	time_t t = (time_t)m->created_at;
	size_t col;
	struct tm tm;

	if (!plain_address(m->to) || !plain_address(cfg->mail_from))
		return false;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_puts(out, "From: ");
	col = header_text(out, cfg->clinic_name[0] ? cfg->clinic_name : "timebok", 6, true);
	if (col + 3 + strlen(cfg->mail_from) > LINE_MAX_CHARS)
		buf_puts(out, "\r\n");
	buf_printf(out, " <%s>\r\nTo: <%s>\r\nSubject: ", cfg->mail_from, m->to);
	header_text(out, m->subject ? m->subject : "", 9, false);
	buf_printf(out,
		   "\r\nDate: %s\r\nMessage-ID: <timebok.%lld.%lld@%s>\r\n"
		   "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
		   "Content-Type: multipart/mixed; boundary=\"timebok-%lld\"\r\n\r\n"
		   "--timebok-%lld\r\nContent-Type: text/plain; charset=utf-8\r\n"
		   "Content-Transfer-Encoding: base64\r\n\r\n",
		   date, (long long)m->id, (long long)m->created_at, domain + 1, (long long)m->id,
		   (long long)m->id);
	base64_lines(out, m->body, strlen(m->body));
	if (m->ics && *m->ics) {
		buf_printf(out,
			   "--timebok-%lld\r\nContent-Type: text/calendar; charset=utf-8; "
			   "method=%s\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n",
			   (long long)m->id, ICS_METHOD, /* the METHOD of the file (ics.h) */
			   m->cancel ? "cancel.ics" : "invite.ics");
		base64_lines(out, m->ics, strlen(m->ics));
	}
	buf_printf(out, "--timebok-%lld--\r\n", (long long)m->id);
	return !out->failed;
}

enum notify_result notify_email(const struct config *cfg, const struct notify_msg *m, char *why,
				size_t cap)
{
	enum notify_result r;
	struct buf b;

	buf_init(&b, 256 * 1024);
	if (!notify_email_compose(cfg, m, &b)) {
		snprintf(why, cap, "the e-mail address or the message is not acceptable");
		buf_release(&b);
		return NOTIFY_FAILED;
	}
	if (!strcmp(cfg->email_channel, "smtp"))
		r = notify_smtp_send(cfg, m, &b, why, cap);
	else
		r = spool(cfg, m, "email.eml", &b, why, cap);
	buf_release(&b);
	return r;
}
